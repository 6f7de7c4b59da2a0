//! Judging what a target answered against a verdict.

use std::fmt;

use crate::contract::{Response, RuleId, Severity, error_code_of};
use crate::oracle::verdict::{Behaviour, Expectation, Outcome, Verdict};

/// How one rule fared on one case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The target did what the rule asks.
    Passed,
    /// A MUST rule (or a MAY rule's allowed behaviours) was not followed.
    Failed,
    /// A SHOULD rule (or `O-PRECEDENCE`) was not followed: a failure only with `--strict`.
    Warned,
    /// A MAY case: the target chose one of the allowed behaviours.
    Informational,
}

/// The result of one rule on one case, with what was expected and what was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// The rule.
    pub rule: RuleId,
    /// How it fared.
    pub status: Status,
    /// What the rule expected.
    pub expected: String,
    /// What the target answered.
    pub found: String,
    /// For MAY rules: the behaviour the target chose.
    pub behaviour: Option<Behaviour>,
}

impl fmt::Display for Check {
    /// `[V-APP-REQUIRED] expected ValidationException, found 200 {"DeploymentId":"…"}`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "[{}] expected {}, found {}",
            self.rule, self.expected, self.found
        )
    }
}

/// The judgement of one response: one [`Check`] per rule the case exercised.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Judgement {
    /// The checks, in the order they were made.
    pub checks: Vec<Check>,
    /// The outcome as observed (`None` for a transport failure or a 5xx).
    pub outcome: Option<Outcome>,
    /// The `DeploymentId` of an accepted request.
    pub deployment_id: Option<String>,
}

impl Judgement {
    /// The checks that failed.
    pub fn failures(&self) -> impl Iterator<Item = &Check> {
        self.checks
            .iter()
            .filter(|check| check.status == Status::Failed)
    }

    /// The checks that warned.
    pub fn warnings(&self) -> impl Iterator<Item = &Check> {
        self.checks
            .iter()
            .filter(|check| check.status == Status::Warned)
    }

    /// Whether the response conforms: nothing failed, and with `strict` nothing warned.
    #[must_use]
    pub fn conforms(&self, strict: bool) -> bool {
        self.checks.iter().all(|check| match check.status {
            Status::Failed => false,
            Status::Warned => !strict,
            Status::Passed | Status::Informational => true,
        })
    }

    /// The status of a rule in this judgement (the worst, if checked several times).
    #[must_use]
    pub fn status_of(&self, rule: RuleId) -> Option<Status> {
        self.checks
            .iter()
            .filter(|check| check.rule == rule)
            .map(|check| check.status)
            .max_by_key(|status| match status {
                Status::Failed => 3,
                Status::Warned => 2,
                Status::Informational => 1,
                Status::Passed => 0,
            })
    }

    pub(crate) fn check(
        &mut self,
        rule: RuleId,
        status: Status,
        expected: impl Into<String>,
        found: impl Into<String>,
    ) {
        self.checks.push(Check {
            rule,
            status,
            expected: expected.into(),
            found: found.into(),
            behaviour: None,
        });
    }
}

impl fmt::Display for Judgement {
    /// `conforms (N checks)`, or one line per check that failed or warned, each as
    /// [`Check`] shows it, prefixed with `failed` or `warned`.
    ///
    /// ```
    /// use opsworks_conformance::contract::{CommandName, CreateDeploymentInput, Observation};
    /// use opsworks_conformance::oracle::{judge_request, judge_response, CallerIdentity};
    /// use opsworks_conformance::world::World;
    ///
    /// let world = World::bundled();
    /// let request = CreateDeploymentInput::new(&world.stacks[0].stack_id, CommandName::Deploy).to_raw();
    /// let verdict = judge_request(&world, &request, &CallerIdentity::Unsigned);
    /// let judgement = judge_response(&verdict, &Ok(Observation::json(200, r#"{"DeploymentId":"d-1"}"#)));
    /// assert_eq!(
    ///     judgement.to_string(),
    ///     r#"failed [V-APP-REQUIRED] expected ValidationException, found 200 {"DeploymentId":"d-1"}"#
    /// );
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut shown = 0;
        for check in &self.checks {
            let label = match check.status {
                Status::Failed => "failed",
                Status::Warned => "warned",
                Status::Passed | Status::Informational => continue,
            };
            if shown > 0 {
                writeln!(f)?;
            }
            write!(f, "{label} {check}")?;
            shown += 1;
        }
        if shown == 0 {
            write!(f, "conforms ({} checks)", self.checks.len())?;
        }
        Ok(())
    }
}

pub(crate) const BRIEF: usize = 200;

/// Judges what a target answered to a request against the oracle's verdict for it.
///
/// Checks the response's form (P-SUCCESS-SHAPE, P-ERROR-SHAPE, P-ERROR-MESSAGE,
/// P-RESPONSE-CONTENT-TYPE, P-NO-SERVER-ERROR) and its outcome: an outcome the verdict allows
/// passes the rules that decide it (and warns the SHOULD rules it breaks); any other outcome
/// fails the rules that asked for something else. A valid request that is refused fails
/// S-ACCEPT-VALID. The answer to a request that names another operation of the API
/// ([`Verdict::other_operation`]) is not judged: no check is made.
///
/// ```
/// use opsworks_conformance::contract::{CommandName, CreateDeploymentInput, Observation, rules};
/// use opsworks_conformance::oracle::{judge_request, judge_response, CallerIdentity, Status};
/// use opsworks_conformance::world::World;
///
/// let world = World::bundled();
/// let request = CreateDeploymentInput::new(&world.stacks[0].stack_id, CommandName::Deploy).to_raw();
/// let verdict = judge_request(&world, &request, &CallerIdentity::Unsigned);
/// // A mock that accepts an app command without AppId:
/// let response = Ok(Observation::json(200, r#"{"DeploymentId":"d-1"}"#));
/// let judgement = judge_response(&verdict, &response);
/// let failure = judgement.failures().next().unwrap();
/// assert_eq!(failure.rule, rules::V_APP_REQUIRED);
/// assert_eq!(
///     failure.to_string(),
///     r#"[V-APP-REQUIRED] expected ValidationException, found 200 {"DeploymentId":"d-1"}"#
/// );
/// ```
#[must_use]
pub fn judge_response(verdict: &Verdict, response: &Response) -> Judgement {
    let mut judgement = Judgement::default();
    if !verdict.is_judged() {
        // Another operation of the API: its answer is not this contract's to judge, so no check
        // is made (the outcome is still recorded).
        judgement.outcome = match response {
            Ok(observation) if (200..300).contains(&observation.status) => Some(Outcome::Success),
            Ok(observation) if observation.status < 500 => Some(Outcome::Error(error_code_of(
                &observation.headers,
                &observation.body,
            ))),
            _ => None,
        };
        return judgement;
    }
    let observation = match response {
        Err(failure) => {
            crate::rules::p_no_server_error::judge_failure(&mut judgement, failure);
            return judgement;
        }
        Ok(observation) => observation,
    };
    if !crate::rules::p_no_server_error::judge(&mut judgement, observation) {
        return judgement;
    }
    crate::rules::p_response_content_type::judge(&mut judgement, observation);
    // The response in brief, for every check that shows it (made once).
    let found = observation.brief(BRIEF);
    let outcome = if (200..300).contains(&observation.status) {
        crate::rules::p_success_shape::judge(&mut judgement, observation, &found);
        Outcome::Success
    } else {
        let code = crate::rules::p_error_shape::judge(&mut judgement, observation, &found);
        crate::rules::p_error_message::judge(&mut judgement, observation, &found);
        Outcome::Error(code)
    };
    check_outcome(verdict, &outcome, found, &mut judgement);
    judgement.outcome = Some(outcome);
    judgement
}

/// Whether the target's outcome is one the verdict allows, and which rules that passes, warns
/// or fails.
fn check_outcome(verdict: &Verdict, outcome: &Outcome, found: String, judgement: &mut Judgement) {
    // A rejection without a code already failed P-ERROR-SHAPE; judge its decision to reject.
    let matching = match outcome {
        Outcome::Error(None) => verdict
            .allowances()
            .iter()
            .filter(|allowance| allowance.expected.is_error())
            .min_by_key(|allowance| allowance.warns.len()),
        _ => verdict.allowance_for(outcome),
    };
    if let Some(allowance) = matching {
        let strict_expectation = expected_text(verdict, true);
        for rule in &allowance.decided_by {
            judgement.check(
                *rule,
                Status::Passed,
                allowance.expected.to_string(),
                &found,
            );
        }
        for rule in &allowance.warns {
            judgement.check(*rule, Status::Warned, &strict_expectation, &found);
        }
        let mut tiers: Vec<_> = verdict
            .findings()
            .iter()
            .map(|finding| finding.tier)
            .collect();
        tiers.extend(
            verdict
                .may_cases()
                .iter()
                .filter(|c| !c.may_accept)
                .map(|c| c.tier),
        );
        tiers.sort();
        tiers.dedup();
        if tiers.len() > 1 && allowance.expected.is_error() {
            crate::rules::o_precedence::judge(
                judgement,
                &allowance.warns,
                &strict_expectation,
                &found,
            );
        }
        for (rule, behaviour) in &allowance.behaviours {
            judgement.checks.push(Check {
                rule: *rule,
                status: Status::Informational,
                expected: "either behaviour".to_owned(),
                found: found.clone(),
                behaviour: Some(*behaviour),
            });
        }
        return;
    }

    let expected = expected_text(verdict, false);
    let error_allowed = verdict
        .allowances()
        .iter()
        .any(|allowance| allowance.expected.is_error());
    if !error_allowed {
        // A request that must succeed was refused.
        let blamed: Vec<RuleId> = if verdict.exercised().is_empty() {
            vec![RuleId::acceptance(crate::contract::Side::Server)]
        } else {
            verdict.exercised().to_vec()
        };
        for rule in blamed {
            judgement.check(rule, Status::Failed, &expected, &found);
        }
        return;
    }
    // Accepted what must be refused, or refused with a code no broken rule gives: blame the
    // rules that asked for an error.
    let mut blamed: Vec<RuleId> = Vec::new();
    for allowance in verdict.allowances() {
        if allowance.expected.is_error() {
            for rule in &allowance.decided_by {
                if !blamed.contains(rule) {
                    blamed.push(*rule);
                }
            }
        }
    }
    for rule in blamed {
        let status = match rule.severity() {
            Severity::Should => Status::Warned,
            Severity::Must | Severity::May => Status::Failed,
        };
        let rule_expected = rule_expectation(verdict, rule);
        judgement.check(rule, status, rule_expected, &found);
    }
}

/// "A, B or C": the outcomes the verdict allows (only the strict ones if `strict`).
fn expected_text(verdict: &Verdict, strict: bool) -> String {
    let mut items: Vec<String> = Vec::new();
    for allowance in verdict.allowances() {
        if strict && !allowance.is_strict() {
            continue;
        }
        let text = allowance.expected.to_string();
        if !items.contains(&text) {
            items.push(text);
        }
    }
    join_or(&items)
}

/// The outcomes one rule asks for, for its failure message.
fn rule_expectation(verdict: &Verdict, rule: RuleId) -> String {
    let mut items: Vec<String> = Vec::new();
    for allowance in verdict.allowances() {
        if allowance.decided_by.contains(&rule) && allowance.expected != Expectation::Success {
            let text = allowance.expected.to_string();
            if !items.contains(&text) {
                items.push(text);
            }
        }
    }
    if verdict
        .may_cases()
        .iter()
        .any(|case| case.rule == rule && case.may_accept)
    {
        items.insert(0, Expectation::Success.to_string());
    }
    join_or(&items)
}

fn join_or(items: &[String]) -> String {
    match items {
        [] => "nothing".to_owned(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}
