//! The client gate: for each case, program the recording server with an answer, let the client
//! make the call, judge the request it sent and the outcome it reported.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

use crate::client::answer::Answer;
use crate::client::checks::{
    ClientFailure, check_body, check_error_code, check_headers, check_request_line, check_sigv4,
    check_success, client_validation_behaviour, judge_empty_success,
};
use crate::client::client::Client;
use crate::client::mock::{RecordedRequest, RecordingServer};
use crate::client::outcome::{ClientCall, ClientOutcome};
use crate::contract::{
    CATALOGUE, CreateDeploymentInput, ErrorCode, RuleId, Severity, Side, Signing,
};
use crate::generate::valid_request;
use crate::rules::{
    c_body, c_client_validation, c_headers, c_request_line, c_sigv4, c_success, c_success_empty,
};
use crate::runner::tally;
use crate::runner::{Counterexample, RuleReport, RuleStatus, RunReport};
use crate::world::World;

/// The settings of a client run (the flags of `opsworks-conformance client`).
///
/// ```
/// use opsworks_conformance::client::ClientRunConfig;
/// let config = ClientRunConfig::default().with_seed(7).with_cases(100);
/// assert_eq!(config.access_key_id, "AKIDCLIENT0000000001");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct ClientRunConfig {
    /// The seed: the same seed gives the same logical requests and answers.
    pub seed: u64,
    /// How many calls to make; at least one per scenario (every answer form and every missing
    /// member is tried once, with the simplest request, before any is tried again).
    pub cases: usize,
    /// The region the client is told to sign for.
    pub region: String,
    /// The access key id the client is given.
    pub access_key_id: String,
    /// The secret the client is given (made up; never written to a report).
    pub secret_access_key: String,
    /// The longest one call may take; over it the outcome is a client error.
    pub case_timeout: Duration,
}

impl std::fmt::Debug for ClientRunConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientRunConfig")
            .field("seed", &self.seed)
            .field("cases", &self.cases)
            .field("region", &self.region)
            .field("access_key_id", &self.access_key_id)
            .field("case_timeout", &self.case_timeout)
            .finish_non_exhaustive()
    }
}

impl Default for ClientRunConfig {
    fn default() -> Self {
        ClientRunConfig {
            seed: 0,
            cases: 64,
            region: "us-east-1".to_owned(),
            access_key_id: "AKIDCLIENT0000000001".to_owned(),
            secret_access_key: "client-secret".to_owned(),
            case_timeout: Duration::from_secs(30),
        }
    }
}

impl ClientRunConfig {
    /// Sets the seed.
    #[must_use]
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Sets the number of calls.
    #[must_use]
    pub fn with_cases(mut self, cases: usize) -> Self {
        self.cases = cases;
        self
    }
}

/// Why a client run could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ClientRunError {
    /// The recording server could not be started.
    #[error("recording server: expected to listen on 127.0.0.1, found {0}")]
    Server(#[from] std::io::Error),
    /// The generators made no valid request (cannot happen with the bundled world).
    #[error("generators: expected valid requests for the bundled world, found none")]
    NoRequests,
}

/// Which required member a client-validation case leaves out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MissingMember {
    /// No `StackId`.
    StackId,
    /// No `Command`.
    Command,
    /// A `Command` without `Name`.
    CommandName,
}

impl MissingMember {
    /// All three.
    pub const ALL: [MissingMember; 3] = [
        MissingMember::StackId,
        MissingMember::Command,
        MissingMember::CommandName,
    ];

    /// `request without StackId`, ...
    #[must_use]
    pub const fn label(self) -> &'static str {
        match self {
            MissingMember::StackId => "request without StackId",
            MissingMember::Command => "request without Command",
            MissingMember::CommandName => "request without Command.Name",
        }
    }

    /// The request without the member.
    #[must_use]
    pub fn remove_from(self, mut input: CreateDeploymentInput) -> CreateDeploymentInput {
        match self {
            MissingMember::StackId => input.stack_id = None,
            MissingMember::Command => input.command = None,
            MissingMember::CommandName => {
                input.command.get_or_insert_with(Default::default).name = None;
            }
        }
        input
    }
}

/// One kind of case: an answer to give (with a valid request), or a request missing a
/// required member (answered with a bare `ValidationException`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Scenario {
    /// A valid request, answered so.
    Answer(Answer),
    /// A request missing a required member (C-CLIENT-VALIDATION).
    Missing(MissingMember),
}

impl Scenario {
    /// Every scenario, in the order cases go through them: the answers of [`Answer::all`], then
    /// the three missing members.
    #[must_use]
    pub fn all() -> Vec<Scenario> {
        Answer::all()
            .into_iter()
            .map(Scenario::Answer)
            .chain(MissingMember::ALL.into_iter().map(Scenario::Missing))
            .collect()
    }

    /// The scenario's label, as reports show it.
    #[must_use]
    pub fn label(&self) -> &'static str {
        match self {
            Scenario::Answer(answer) => answer.label(),
            Scenario::Missing(member) => member.label(),
        }
    }
}

/// The judgement of one rule on one case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientCheck {
    /// The rule held.
    Passed,
    /// The rule was broken.
    Failed(ClientFailure),
    /// A MAY rule: the behaviour chosen.
    Behaviour(String),
}

/// Everything about one case, judged.
#[derive(Debug, Clone)]
pub struct ClientCase {
    /// The scenario.
    pub scenario: Scenario,
    /// The logical request the client was given.
    pub input: CreateDeploymentInput,
    /// The answer the server was programmed with.
    pub answer: Answer,
    /// The requests the server received.
    pub received: Vec<RecordedRequest>,
    /// What the client reported.
    pub outcome: ClientOutcome,
    /// The judgement, per rule (a rule may appear once per received request).
    pub checks: Vec<(RuleId, ClientCheck)>,
}

/// Judges one case: the requests received (C-REQUEST-LINE, C-HEADERS, C-BODY, C-SIGV4) and the
/// outcome reported (C-ERROR-CODE, C-ERROR-UNMODELED, C-SUCCESS, C-SUCCESS-EMPTY), and for
/// requests missing a member what the client chose (C-CLIENT-VALIDATION).
#[must_use]
pub fn judge_case(
    scenario: &Scenario,
    input: &CreateDeploymentInput,
    answer: &Answer,
    received: &[RecordedRequest],
    outcome: &ClientOutcome,
    config: &ClientRunConfig,
) -> Vec<(RuleId, ClientCheck)> {
    let verdict = |result: Result<(), ClientFailure>| match result {
        Ok(()) => ClientCheck::Passed,
        Err(failure) => ClientCheck::Failed(failure),
    };
    let mut checks = Vec::new();
    let refused_unsent =
        received.is_empty() && matches!(outcome, ClientOutcome::ClientError { .. });
    if let Scenario::Missing(_) = scenario {
        checks.push((
            c_client_validation::RULE.id,
            ClientCheck::Behaviour(client_validation_behaviour(received, outcome)),
        ));
        if refused_unsent {
            return checks;
        }
    }
    if received.is_empty() {
        checks.push((
            c_request_line::RULE.id,
            ClientCheck::Failed(ClientFailure::new(
                c_request_line::RULE.id,
                "POST / at the server",
                format!(
                    "no request at the server; the client reported {}",
                    outcome.describe()
                ),
            )),
        ));
    }
    for request in received {
        checks.push((
            c_request_line::RULE.id,
            verdict(check_request_line(request)),
        ));
        checks.push((c_headers::RULE.id, verdict(check_headers(request))));
        checks.push((c_body::RULE.id, verdict(check_body(request, input))));
        checks.push((
            c_sigv4::RULE.id,
            verdict(check_sigv4(
                request,
                &config.access_key_id,
                &config.secret_access_key,
                &config.region,
            )),
        ));
    }
    match answer {
        Answer::Success { .. } | Answer::SuccessWithExtraMembers { .. } => {
            checks.push((c_success::RULE.id, verdict(check_success(answer, outcome))));
        }
        Answer::EmptySuccess => checks.push((
            c_success_empty::RULE.id,
            match judge_empty_success(outcome) {
                Ok(behaviour) => ClientCheck::Behaviour(behaviour),
                Err(failure) => ClientCheck::Failed(failure),
            },
        )),
        Answer::Error { .. } | Answer::Unmodelled { .. } => {
            checks.push((answer.rule(), verdict(check_error_code(answer, outcome))));
        }
    }
    checks
}

/// A deterministic random source for the client run's requests.
fn runner_for(seed: u64) -> TestRunner {
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    for (index, byte) in b"opsworks-conformance client gate".iter().enumerate() {
        bytes[8 + index % 24] ^= byte;
    }
    let config = Config {
        failure_persistence: None,
        ..Config::default()
    };
    TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &bytes))
}

/// The `DeploymentId` the server answers case `index` with.
fn deployment_id(index: usize) -> String {
    format!("c11e0000-0000-4000-8000-{index:012x}")
}

/// One rule's tally in a client run: the counts every gate keeps (`failed` counts cases), and
/// the answers of the failed cases.
#[derive(Default)]
struct Tally {
    /// The counts every gate keeps.
    base: tally::Tally,
    /// The labels of the failed cases' answers, with the error codes they carried.
    failing: BTreeMap<String, BTreeSet<&'static str>>,
}

impl std::ops::Deref for Tally {
    type Target = tally::Tally;

    fn deref(&self) -> &tally::Tally {
        &self.base
    }
}

impl std::ops::DerefMut for Tally {
    fn deref_mut(&mut self) -> &mut tally::Tally {
        &mut self.base
    }
}

/// Runs the client gate: starts a recording server on 127.0.0.1, then for each case (logical
/// requests from the generators, valid ones and ones missing `StackId`, `Command` or
/// `Command.Name`; answers from [`Scenario::all`]) programs the answer, lets `client` make the
/// call, and judges the recorded request and the reported outcome. The report has one entry
/// per client-side rule (C-*), in catalogue order, and works with every report format.
///
/// ```
/// use opsworks_conformance::client::{run_client, ClientCall, ClientOutcome, ClientRunConfig};
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// // A client that never sends anything fails the gate.
/// let lazy = |_call: ClientCall| async { ClientOutcome::client_error("not today") };
/// let report = run_client(&lazy, &ClientRunConfig::default()).await.unwrap();
/// assert!(!report.passed());
/// # });
/// ```
///
/// # Errors
/// When the recording server cannot be started.
pub async fn run_client(
    client: &dyn Client,
    config: &ClientRunConfig,
) -> Result<RunReport, ClientRunError> {
    run_client_cases(client, config, |_| {}).await
}

/// [`run_client`], handing every judged case to `inspect` (for progress displays and tests).
///
/// # Errors
/// When the recording server cannot be started.
pub async fn run_client_cases(
    client: &dyn Client,
    config: &ClientRunConfig,
    mut inspect: impl FnMut(&ClientCase),
) -> Result<RunReport, ClientRunError> {
    let server = RecordingServer::start().await?;
    let world = World::bundled();
    let strategy = valid_request(&world).ok_or(ClientRunError::NoRequests)?;
    let scenarios = Scenario::all();
    let total = config.cases.max(scenarios.len());
    let mut runner = runner_for(config.seed);
    let mut tallies: BTreeMap<RuleId, Tally> = BTreeMap::new();
    let mut notes = Vec::new();

    for index in 0..total {
        let scenario = &scenarios[index % scenarios.len()];
        let Ok(mut tree) = strategy.new_tree(&mut runner) else {
            notes.push("the generator could not make a request".to_owned());
            break;
        };
        if index < scenarios.len() {
            // The first round uses the simplest request, so that counterexamples are minimal.
            for _ in 0..10_000 {
                if !tree.simplify() {
                    break;
                }
            }
        }
        let Some(valid) = tree.current().input else {
            continue;
        };
        let (input, answer) = match scenario {
            Scenario::Answer(answer) => (
                valid,
                answer.clone().with_deployment_id(deployment_id(index)),
            ),
            Scenario::Missing(member) => (
                member.remove_from(valid),
                Answer::Error {
                    status: 400,
                    code: ErrorCode::ValidationException,
                    form: crate::client::answer::ErrorForm::BareType,
                },
            ),
        };
        server.answer_with(&answer.response()).await;
        let call = ClientCall {
            endpoint: server.endpoint(),
            region: config.region.clone(),
            access_key_id: config.access_key_id.clone(),
            secret_access_key: config.secret_access_key.clone(),
            request: input.clone(),
        };
        let outcome = match tokio::time::timeout(config.case_timeout, client.call(call)).await {
            Ok(outcome) => outcome,
            Err(_) => ClientOutcome::client_error(format!(
                "no outcome within {} ms",
                config.case_timeout.as_millis()
            )),
        };
        let received = server.received().await;
        let checks = judge_case(scenario, &input, &answer, &received, &outcome, config);
        let case = ClientCase {
            scenario: scenario.clone(),
            input,
            answer,
            received,
            outcome,
            checks,
        };
        count(&mut tallies, &case, config, index + 1);
        inspect(&case);
    }

    let rules = CATALOGUE
        .iter()
        .filter(|rule| rule.side() == Side::Client)
        .map(|rule| rule_report(rule.id, rule.severity, tallies.remove(&rule.id)))
        .collect();
    Ok(RunReport {
        target: client.describe(),
        seed: config.seed,
        strict: false,
        cases: total,
        shrink_requests: 0,
        rules,
        notes,
        interrupted: false,
        endpoint: None,
        groups: Vec::new(),
    })
}

/// What a failing case is remembered by in a rule's note: the scenario, and for error answers
/// the code.
fn failing_label(case: &ClientCase) -> (String, Option<&'static str>) {
    let code = match case.scenario {
        Scenario::Answer(_) => case.answer.expected_code(),
        Scenario::Missing(_) => None,
    };
    (case.scenario.label().to_owned(), code)
}

/// `label (CodeA, CodeB); label; ...`.
fn failing_list(failing: &BTreeMap<String, BTreeSet<&'static str>>) -> String {
    failing
        .iter()
        .map(|(label, codes)| {
            if codes.is_empty() {
                label.clone()
            } else {
                format!(
                    "{label} ({})",
                    codes.iter().copied().collect::<Vec<_>>().join(", ")
                )
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn count(
    tallies: &mut BTreeMap<RuleId, Tally>,
    case: &ClientCase,
    config: &ClientRunConfig,
    total_so_far: usize,
) {
    let mut seen: Vec<RuleId> = Vec::new();
    let mut failed: Vec<RuleId> = Vec::new();
    for (rule, check) in &case.checks {
        let tally = tallies.entry(*rule).or_default();
        if !seen.contains(rule) {
            tally.cases += 1;
            seen.push(*rule);
        }
        match check {
            ClientCheck::Passed => tally.passed += 1,
            ClientCheck::Behaviour(behaviour) => {
                tally.informational += 1;
                *tally.behaviours.entry(behaviour.clone()).or_default() += 1;
            }
            ClientCheck::Failed(failure) => {
                if failed.contains(rule) {
                    continue;
                }
                failed.push(*rule);
                tally.failed += 1;
                let (label, code) = failing_label(case);
                let codes = tally.failing.entry(label).or_default();
                codes.extend(code);
                if tally.counterexample.is_none() {
                    let request = case
                        .received
                        .first()
                        .map_or_else(|| case.input.to_raw(), RecordedRequest::to_raw);
                    tally.counterexample = Some(Counterexample {
                        label: case.scenario.label(),
                        request,
                        signing: Signing::As(config.access_key_id.clone()),
                        expected: failure.expected.clone(),
                        found: failure.found.clone(),
                        observed: Some(case.answer.response()),
                        failure: None,
                        shrink_steps: 0,
                        found_after: total_so_far,
                    });
                }
            }
        }
    }
}

/// Whether `rule` is judged on the outcome (the rule of some answer: [`Answer::rule`]): its
/// failures are listed by answer in the note.
fn judged_on_the_outcome(rule: RuleId) -> bool {
    Answer::all().iter().any(|answer| answer.rule() == rule)
}

fn rule_report(id: RuleId, severity: Severity, tally: Option<Tally>) -> RuleReport {
    let Tally { base, failing } = tally.unwrap_or_default();
    base.into_report(id, severity, |status, base| match status {
        RuleStatus::Failed if judged_on_the_outcome(id) => Some(format!(
            "failed in {} of {} cases, for: {}",
            base.failed,
            base.cases,
            failing_list(&failing)
        )),
        RuleStatus::Failed => Some(format!("failed in {} of {} cases", base.failed, base.cases)),
        RuleStatus::NotApplicable => Some("no case reached the rule".to_owned()),
        _ => None,
    })
}
