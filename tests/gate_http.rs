//! The gate over HTTP: `runner::run` with an [`HttpTarget`] against servers on 127.0.0.1 (ports
//! picked by the system), each stopped by its test.
//!
//! - The reference server passes, default and strict, in the bundled worlds and random ones.
//! - Broken servers are caught, each by the rule it breaks, with a counterexample in the JSON
//!   report: wiremock servers with canned answers, and the reference target with one defect
//!   injected, served over HTTP with [`ReferenceServer::serve_target`].
//! - The same seed against the same target state gives the same JSON report (normalised as
//!   [`normalise`] documents).
//! - No secret of the world file appears in any report.
//! - `serve_target` answers what the reference server answers itself (404, 413) and hands
//!   everything else to the target (a transport failure of the target becomes a 500).
#![cfg(all(feature = "server", feature = "http", feature = "junit"))]

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Instant;

use opsworks_conformance::contract::{
    Observation, RawRequest, Response, RuleId, Severity, TransportFailure, TransportFailureKind,
    rules, wire,
};
use opsworks_conformance::oracle::CallerIdentity;
use opsworks_conformance::report::{human_report, json_report, junit_report};
use opsworks_conformance::runner::{
    Credentials, DefaultSigning, EndpointFinding, PROBE_REQUESTS, RuleStatus, RunConfig, RunReport,
    run,
};
use opsworks_conformance::server::{ReferenceServer, ServerOptions};
use opsworks_conformance::sigv4::SigV4Authenticator;
use opsworks_conformance::target::{ClaimedKey, HttpTarget, ReferenceTarget, Target, from_fn};
use opsworks_conformance::world::{Permission, PermissionLevel, World};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use serde_json::{Map, Value};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The region every run signs for (the servers' default).
const REGION: &str = "us-east-1";

/// Cases per run: enough for every family to be tried several times (at least 8 each), small
/// enough for CI.
const CASES: usize = 300;

// ---------------------------------------------------------------------------------------------
// Running the gate
// ---------------------------------------------------------------------------------------------

/// Runs the gate over HTTP against `url`, the target starting in `world`.
async fn gate(url: &str, world: &World, config: &RunConfig) -> RunReport {
    let target = HttpTarget::new(url).expect("a 127.0.0.1 URL is a valid endpoint");
    let started = Instant::now();
    let report = run(&target, world, config).await;
    eprintln!(
        "gate {url}: {} cases in {:?}, verdict {}",
        report.cases,
        started.elapsed(),
        if report.passed() { "pass" } else { "fail" }
    );
    report
}

fn config(seed: u64, strict: bool) -> RunConfig {
    RunConfig::default()
        .with_seed(seed)
        .with_cases(CASES)
        .strict(strict)
}

/// The failed and warned rules of a report, with their counterexamples, for assertion messages.
fn summary(report: &RunReport) -> String {
    report
        .rules
        .iter()
        .filter(|rule| matches!(rule.status, RuleStatus::Failed | RuleStatus::Warned))
        .map(|rule| {
            let example = rule.counterexample.as_ref().map(|example| {
                format!(
                    "expected {}, found {}; body {}",
                    example.expected,
                    example.found,
                    example.request.body_text()
                )
            });
            format!(
                "{} {:?}: {}",
                rule.id,
                rule.status,
                example.unwrap_or_default()
            )
        })
        .chain(report.notes.iter().map(|note| format!("note: {note}")))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Starts the reference server for `world`.
async fn reference_server(world: &World) -> ReferenceServer {
    ReferenceServer::start(world.clone())
        .await
        .expect("the reference server starts on 127.0.0.1")
}

/// Serves `target` over HTTP on 127.0.0.1 (a free port).
async fn serve(target: impl Target + 'static) -> ReferenceServer {
    ReferenceServer::serve_target(Arc::new(target), ServerOptions::default())
        .await
        .expect("serve_target starts on 127.0.0.1")
}

// ---------------------------------------------------------------------------------------------
// The reference server passes
// ---------------------------------------------------------------------------------------------

/// The reference server passes in this world, in default and strict mode (another seed for
/// each, so that the two runs try different cases), with no secret in any report. Returns the
/// two reports.
async fn assert_reference_passes(world: &World, seed: u64) -> Vec<RunReport> {
    let mut reports = Vec::new();
    for strict in [false, true] {
        // A fresh server each time: the gate needs the target in the world-file state.
        let server = reference_server(world).await;
        let seed = seed * 2 + u64::from(strict);
        let report = gate(&server.url(), world, &config(seed, strict)).await;
        server.shutdown().await;
        assert!(
            report.passed(),
            "strict {strict}, seed {seed}\n{}",
            summary(&report)
        );
        assert_eq!(report.count(RuleStatus::Failed), 0, "{}", summary(&report));
        assert_eq!(report.count(RuleStatus::Warned), 0, "{}", summary(&report));
        let json = json_report(&report, REGION);
        assert_eq!(json["verdict"], "pass");
        assert_eq!(json["strict"], strict);
        assert_no_secret_in_reports(&report, world);
        reports.push(report);
    }
    reports
}

/// The status of every A-* rule in a report.
fn access_rules(report: &RunReport) -> Vec<(RuleId, RuleStatus)> {
    report
        .rules
        .iter()
        .filter(|rule| rule.id.as_str().starts_with("A-"))
        .map(|rule| (rule.id, rule.status))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reference_server_passes_in_the_bundled_world() {
    for report in assert_reference_passes(&World::bundled(), 1).await {
        // No users: the A-* rules have nothing to check.
        for (rule, status) in access_rules(&report) {
            assert_eq!(status, RuleStatus::NotApplicable, "{rule}");
        }
    }
}

/// The requests of a run are signed with `RunConfig::signing`'s key, also in a world without
/// users, and the reference server (which then checks no signature) accepts them; with
/// `DefaultSigning::Unsigned` none is signed, and it passes too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_are_signed_with_the_configured_key_in_a_world_without_users() {
    let world = World::bundled();
    let key = Credentials::new("AKIDLIBRARYUSER00001", "library-secret-0123456789abcdef");
    let signer = World::from_json(
        r#"{"Stacks": [], "Users": [{"AccessKeyId": "AKIDLIBRARYUSER00001", "SecretAccessKey": "library-secret-0123456789abcdef"}]}"#,
    )
    .expect("a world of one user");
    for signing in [DefaultSigning::Key(key.clone()), DefaultSigning::Unsigned] {
        let reference = Arc::new(ReferenceTarget::new(world.clone()));
        let seen = Arc::new(std::sync::Mutex::new(Vec::<RawRequest>::new()));
        let kept = Arc::clone(&seen);
        let server = serve(from_fn(move |request: RawRequest| {
            kept.lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push(request.clone());
            let answer = reference.answer_request(&request);
            async move { Ok(answer) }
        }))
        .await;
        let config = config(5, false).with_signing(signing.clone());
        let report = gate(&server.url(), &world, &config).await;
        server.shutdown().await;
        assert!(report.passed(), "{signing:?}\n{}", summary(&report));
        let seen = std::mem::take(
            &mut *seen
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        assert!(seen.len() > CASES, "{}", seen.len());
        for request in &seen {
            let caller = opsworks_conformance::sigv4::verify(request, &signer, REGION);
            match signing {
                DefaultSigning::Unsigned => {
                    assert_eq!(caller, CallerIdentity::Unsigned, "{request:?}");
                }
                _ => assert_eq!(
                    caller,
                    CallerIdentity::Verified(key.access_key_id().to_owned()),
                    "{request:?}"
                ),
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reference_server_passes_in_the_bundled_world_with_users() {
    for report in assert_reference_passes(&World::bundled_with_users(), 2).await {
        // Signatures are verified over HTTP: every A-* rule is exercised and passes.
        for (rule, status) in access_rules(&report) {
            assert_eq!(status, RuleStatus::Passed, "{rule}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reference_server_passes_in_random_worlds() {
    // Deterministic: the same three worlds on every run.
    let mut runner = TestRunner::deterministic();
    let worlds = opsworks_conformance::generate::world::world_with_users();
    for seed in 0..3 {
        let world = worlds
            .new_tree(&mut runner)
            .expect("the world generator makes a world")
            .current();
        world.validate().expect("generated worlds are valid");
        // Whether the A-* rules apply depends on the users drawn; whatever they are, the
        // reports show no failure (checked by assert_reference_passes).
        assert_reference_passes(&world, 10 + seed).await;
    }
}

// ---------------------------------------------------------------------------------------------
// Broken servers are caught
// ---------------------------------------------------------------------------------------------

/// Checks that the gate failed (default mode, or strict for a SHOULD rule), that `rule` has
/// `status`, and that the JSON report names it with a counterexample carrying the request, what
/// was expected, what was observed and a `curl` reproduction for this server. Returns the
/// rule's JSON entry.
#[track_caller]
fn assert_caught(report: &RunReport, url: &str, rule: RuleId, status: RuleStatus) -> Value {
    assert!(
        !report.passed(),
        "the gate passes a broken server\n{}",
        summary(report)
    );
    let result = report.rule(rule).expect("the rule is in the report");
    assert_eq!(result.status, status, "{rule}\n{}", summary(report));
    let json = json_report(report, REGION);
    assert_eq!(json["verdict"], "fail", "{rule}");
    let entry = json["rules"]
        .as_array()
        .expect("rules is an array")
        .iter()
        .find(|entry| entry["id"] == rule.as_str())
        .cloned()
        .expect("the JSON report names the rule");
    assert_eq!(entry["status"], status.as_str(), "{entry}");
    eprintln!(
        "caught {rule} (shrunk in {} steps): {entry}",
        result
            .counterexample
            .as_ref()
            .map_or(0, |example| example.shrink_steps)
    );
    let example = &entry["counterexample"];
    assert!(
        example["request"]["headers"].is_object(),
        "request headers: {entry}"
    );
    assert!(
        example["request"]["body"].is_string(),
        "request body: {entry}"
    );
    assert!(
        example["expected"].as_str().is_some_and(|e| !e.is_empty()),
        "expected: {entry}"
    );
    assert!(
        example["observed"]["status"].is_u64() || example["observed"]["error"].is_string(),
        "observed: {entry}"
    );
    let reproduce = example["reproduce"].as_str().expect("a reproduction");
    assert!(
        reproduce.starts_with(&format!("curl -sS -X POST '{url}/'"))
            || reproduce.contains(&format!("| curl -sS -X POST '{url}/'")),
        "{reproduce}"
    );
    assert!(reproduce.contains("--data-binary"), "{reproduce}");
    entry
}

/// Replays the counterexample of a JSON report entry with its `reproduce` command (run by `sh`;
/// skipped when sh or curl is not installed) and checks that the server answers with the
/// status that was observed. A signed command reads the keys from `$AWS_ACCESS_KEY_ID` and
/// `$AWS_SECRET_ACCESS_KEY`: they are set, for the child process only, to the access key id the
/// counterexample names and its secret in `world`. Not replayed: counterexamples whose answer
/// depends on earlier requests (sequence rules S-*, and rollbacks, which use up stored
/// versions).
async fn assert_replays(entry: &Value, world: &World) {
    let example = &entry["counterexample"];
    let sequence = entry["id"].as_str().is_some_and(|id| id.starts_with("S-"))
        || example["request"]["body"]
            .as_str()
            .is_some_and(|body| body.contains("rollback"));
    let (Some(reproduce), Some(status)) = (
        example["reproduce"].as_str(),
        example["observed"]["status"].as_u64(),
    ) else {
        return;
    };
    if sequence {
        return;
    }
    let key = example["request"]["headers"]["Authorization"]
        .as_str()
        .and_then(|authorization| authorization.split_once("Credential="))
        .and_then(|(_, rest)| rest.split('/').next())
        .map(str::to_owned);
    let secret = key
        .as_deref()
        .and_then(|key| world.user(key))
        .map(|user| user.secret_access_key.clone());
    let command = format!("{reproduce} -o /dev/null -w '%{{http_code}}'");
    let output = tokio::task::spawn_blocking(move || {
        let curl = std::process::Command::new("sh")
            .args(["-c", "curl --version"])
            .output();
        if !curl.is_ok_and(|output| output.status.success()) {
            eprintln!("sh or curl is not installed: the reproduction is not replayed");
            return None;
        }
        let mut shell = std::process::Command::new("sh");
        shell.arg("-c").arg(&command);
        shell.env("AWS_ACCESS_KEY_ID", key.unwrap_or_default());
        shell.env("AWS_SECRET_ACCESS_KEY", secret.unwrap_or_default());
        Some(shell.output().expect("sh runs"))
    })
    .await
    .expect("the replay completes");
    let Some(output) = output else { return };
    let replayed = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{reproduce}: {replayed} {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(replayed, status.to_string(), "{reproduce}");
    eprintln!("replayed {}: {replayed}", entry["id"]);
}

/// The request body of a counterexample entry, parsed.
fn counterexample_body(entry: &Value) -> Map<String, Value> {
    let text = entry["counterexample"]["request"]["body"]
        .as_str()
        .expect("a body");
    match serde_json::from_str(text) {
        Ok(Value::Object(object)) => object,
        _ => panic!("expected a JSON object body, found {text}"),
    }
}

/// The member names of a counterexample's body, sorted.
fn members(entry: &Value) -> Vec<String> {
    let mut names: Vec<String> = counterexample_body(entry).keys().cloned().collect();
    names.sort_unstable();
    names
}

/// A wiremock server answering every request with `template`.
async fn canned(template: ResponseTemplate) -> MockServer {
    let server = MockServer::builder()
        .disable_request_recording()
        .start()
        .await;
    Mock::given(any())
        .respond_with(template)
        .mount(&server)
        .await;
    server
}

fn amz_json(status: u16, body: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(body.as_bytes().to_vec(), wire::CONTENT_TYPE)
}

/// Runs the gate (strict, the whole catalogue) against a canned wiremock server and checks that
/// `rule` is caught.
///
/// A canned server answers every request alike, so most rules fail and every request is a
/// counterexample: shrinking can only walk the generator towards simpler requests. The shrink
/// budget is cut from 512 to 64 steps per rule here to keep the run short (the servers with an
/// injected defect below keep the default budget, and their counterexamples are checked for
/// minimality).
async fn assert_canned_caught(template: ResponseTemplate, rule: RuleId, status: RuleStatus) {
    let server = canned(template).await;
    let world = World::bundled();
    let config = RunConfig {
        max_shrink_steps: 64,
        ..config(5, true)
    };
    let report = gate(&server.uri(), &world, &config).await;
    let entry = assert_caught(&report, &server.uri(), rule, status);
    assert_replays(&entry, &world).await;
    drop(server);
}

/// An endpoint of another protocol (an S3-like XML answer to everything, as moto_server gives
/// unsigned requests): the report says first that it is not OpsWorks, with the evidence, passes
/// neither S-ACCEPT-VALID nor any MAY behaviour, and shows the failures as one group.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_xml_endpoint_is_named_not_opsworks_and_nothing_it_answered_passes() {
    let xml = r#"<?xml version="1.0" encoding="UTF-8"?><ListAllMyBucketsResult><Buckets/></ListAllMyBucketsResult>"#;
    let server =
        canned(ResponseTemplate::new(200).set_body_raw(xml.as_bytes().to_vec(), "application/xml"))
            .await;
    let world = World::bundled();
    let config = RunConfig {
        max_shrink_steps: 16,
        ..config(7, false)
    };
    let report = gate(&server.uri(), &world, &config).await;
    drop(server);
    assert!(!report.passed());
    let check = report.endpoint.as_ref().expect("an endpoint check");
    assert_eq!(check.finding, EndpointFinding::NotAwsJson);
    assert_eq!(check.opsworks_answers, 0);
    let human = human_report(&report, REGION);
    let second = human.lines().nth(1).unwrap_or_default();
    assert!(
        second.starts_with(r#"not OpsWorks: every answer was 200 application/xml "<?xml version="#)
            && second.ends_with(&format!("({0} of {0} answers)", check.answers)),
        "{human}"
    );
    assert_eq!(check.answers, report.cases + PROBE_REQUESTS);
    let accept = report.rule(rules::S_ACCEPT_VALID).expect("S-ACCEPT-VALID");
    assert_eq!(accept.status, RuleStatus::NotApplicable, "{human}");
    assert!(accept.cases > 0);
    for rule in &report.rules {
        if rule.severity == Severity::May {
            assert!(
                matches!(rule.status, RuleStatus::NotApplicable),
                "{}: {:?}",
                rule.id,
                rule.status
            );
            assert!(rule.behaviours.is_empty(), "{}", rule.id);
        }
        // Nothing passes but the rule that there was an answer.
        if rule.status == RuleStatus::Passed {
            assert_eq!(rule.id, rules::P_NO_SERVER_ERROR);
        }
    }
    assert_eq!(report.groups.len(), 1, "{human}");
    let group = &report.groups[0];
    assert_eq!(group.scope, "every request");
    assert_eq!(
        group.rules.len(),
        report.count(RuleStatus::Failed) + report.count(RuleStatus::Warned),
        "{human}"
    );
    let json = json_report(&report, REGION);
    assert_eq!(json["endpoint_check"]["finding"], "not_awsjson");
    assert_eq!(json["failure_groups"][0]["scope"], "every request");
}

/// One wrong code answered to every valid request (and a correct answer to everything else):
/// S-ACCEPT-VALID and the MAY rules whose cases are valid requests fail of one cause, shown as
/// one group; the endpoint answers as OpsWorks, so no endpoint line.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_wrong_code_to_every_valid_request_is_one_group() {
    let world = World::bundled();
    let reference = Arc::new(ReferenceTarget::new(world.clone()));
    let server = serve(from_fn(move |request: RawRequest| {
        let mut answer = reference.answer_request(&request);
        if answer.status == 200 {
            answer = Observation::json(400, r#"{"__type":"InternalFailure","message":"no"}"#);
        }
        async move { Ok(answer) }
    }))
    .await;
    let config = RunConfig {
        max_shrink_steps: 16,
        ..config(9, false)
    };
    let report = gate(&server.url(), &world, &config).await;
    server.shutdown().await;
    let human = human_report(&report, REGION);
    assert_eq!(
        report.endpoint.as_ref().map(|check| check.finding),
        Some(EndpointFinding::AwsJson),
        "{human}"
    );
    assert_eq!(report.groups.len(), 1, "{human}");
    let group = &report.groups[0];
    assert_eq!(group.scope, "every valid request");
    assert_eq!(group.answer, "400 InternalFailure");
    assert!(group.rules.contains(&rules::S_ACCEPT_VALID), "{human}");
    assert!(group.rules.len() >= 5, "{human}");
    assert!(
        human.contains(&format!(
            "{} rules failed with the same answer, 400 InternalFailure (the answer to every valid request): ",
            group.rules.len()
        )),
        "{human}"
    );
    // Every failed rule is of the group: one cause, one block.
    assert_eq!(
        group.rules.len(),
        report.count(RuleStatus::Failed),
        "{human}"
    );
    assert_eq!(human.matches("] failed: expected").count(), 1, "{human}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wiremock_always_200_empty_object_breaks_the_success_shape() {
    assert_canned_caught(
        amz_json(200, "{}"),
        rules::P_SUCCESS_SHAPE,
        RuleStatus::Failed,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wiremock_always_the_same_id_breaks_unique_ids() {
    assert_canned_caught(
        amz_json(200, r#"{"DeploymentId":"d-always-the-same"}"#),
        rules::S_UNIQUE_ID,
        RuleStatus::Failed,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wiremock_always_500_is_a_server_error() {
    assert_canned_caught(
        amz_json(500, r#"{"__type":"InternalFailure","message":"boom"}"#),
        rules::P_NO_SERVER_ERROR,
        RuleStatus::Failed,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wiremock_400_without_a_type_breaks_the_error_shape() {
    assert_canned_caught(
        amz_json(400, r#"{"message":"no"}"#),
        rules::P_ERROR_SHAPE,
        RuleStatus::Failed,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wiremock_errors_answered_200_break_validation() {
    assert_canned_caught(
        amz_json(200, r#"{"__type":"ValidationException","message":"no"}"#),
        rules::V_STACK_REQUIRED,
        RuleStatus::Failed,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wiremock_resource_not_found_for_everything_mislabels_validation_errors() {
    // The known moto bug: every error is ResourceNotFoundException.
    assert_canned_caught(
        amz_json(
            400,
            r#"{"__type":"ResourceNotFoundException","message":"Unable to find stack"}"#,
        ),
        rules::V_COMMAND_REQUIRED,
        RuleStatus::Failed,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wiremock_text_html_is_warned() {
    let template = ResponseTemplate::new(400).set_body_raw(
        br#"{"__type":"ValidationException","message":"no"}"#.to_vec(),
        "text/html",
    );
    assert_canned_caught(template, rules::P_RESPONSE_CONTENT_TYPE, RuleStatus::Warned).await;
}

/// The reference target with a defect: `defect` answers in its place, given the request and
/// the reference target to delegate to.
fn defective(
    inner: ReferenceTarget,
    defect: impl Fn(RawRequest, &ReferenceTarget) -> Response + Send + Sync + 'static,
) -> impl Target + 'static {
    let inner = Arc::new(inner);
    let defect = Arc::new(defect);
    from_fn(move |request: RawRequest| std::future::ready(defect(request, &inner)))
        .described_as("the reference target with a defect")
}

/// The body as a JSON object, when it is one.
fn body_object(request: &RawRequest) -> Option<Map<String, Value>> {
    match serde_json::from_slice(&request.body) {
        Ok(Value::Object(object)) => Some(object),
        _ => None,
    }
}

/// The request with another body.
fn with_body(request: &RawRequest, object: Map<String, Value>) -> RawRequest {
    let mut rewritten = request.clone();
    rewritten.body = Value::Object(object).to_string().into_bytes();
    rewritten
}

/// Serves the defective target in `world`, runs the gate (strict, seed 7), checks that `rule`
/// is caught with `status`; returns the rule's JSON entry and the report.
async fn assert_defect_caught(
    world: &World,
    target: impl Target + 'static,
    rule: RuleId,
    status: RuleStatus,
) -> (Value, RunReport) {
    assert_defect_caught_with(world, target, rule, status, &config(7, true)).await
}

/// [`assert_defect_caught`] with this configuration.
async fn assert_defect_caught_with(
    world: &World,
    target: impl Target + 'static,
    rule: RuleId,
    status: RuleStatus,
    config: &RunConfig,
) -> (Value, RunReport) {
    let server = serve(target).await;
    let report = gate(&server.url(), world, config).await;
    let entry = assert_caught(&report, &server.url(), rule, status);
    assert_replays(&entry, world).await;
    server.shutdown().await;
    (entry, report)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ignoring_the_target_header_breaks_unknown_operation() {
    let world = World::bundled();
    let target = defective(ReferenceTarget::new(world.clone()), |request, inner| {
        // The defect: whatever X-Amz-Target says, the request is taken as CreateDeployment.
        let mut request = request.without_header(wire::TARGET_HEADER);
        request.headers.push((
            wire::TARGET_HEADER.to_owned(),
            wire::TARGET_VALUE.to_owned(),
        ));
        Ok(inner.answer_request(&request))
    });
    let (entry, _) = assert_defect_caught(
        &world,
        target,
        rules::P_UNKNOWN_OPERATION,
        RuleStatus::Failed,
    )
    .await;
    // The counterexample's X-Amz-Target is not CreateDeployment's.
    let headers = &entry["counterexample"]["request"]["headers"];
    assert_ne!(headers[wire::TARGET_HEADER], wire::TARGET_VALUE, "{entry}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn case_insensitive_command_names_break_the_name_enum() {
    let world = World::bundled();
    let target = defective(ReferenceTarget::new(world.clone()), |request, inner| {
        // The defect: command names are compared without case.
        let rewritten = body_object(&request).and_then(|mut object| {
            let name = object.get("Command")?.get("Name")?.as_str()?.to_owned();
            let lower = name.to_ascii_lowercase();
            (lower != name).then(|| {
                if let Some(Value::Object(command)) = object.get_mut("Command") {
                    command.insert("Name".to_owned(), Value::String(lower));
                }
                with_body(&request, object)
            })
        });
        Ok(inner.answer_request(rewritten.as_ref().unwrap_or(&request)))
    });
    // Aimed at the rule: one near-miss name in eight changes only its case, too rare to be
    // sure of among the few cases each rule gets in a whole run of 300.
    let config = config(7, true).only(rules::V_NAME_ENUM.as_str());
    let (entry, _) = assert_defect_caught_with(
        &world,
        target,
        rules::V_NAME_ENUM,
        RuleStatus::Failed,
        &config,
    )
    .await;
    let name = counterexample_body(&entry)["Command"]["Name"]
        .as_str()
        .map(str::to_owned)
        .expect("a name");
    assert_ne!(name, name.to_ascii_lowercase(), "{entry}");
    // Minimal: nothing but what a stack command needs.
    assert_eq!(members(&entry), ["Command", "StackId"], "{entry}");
}

/// The reference target matching ids after trimming whitespace.
fn trimming(world: &World) -> impl Target + 'static {
    defective(ReferenceTarget::new(world.clone()), |request, inner| {
        let Some(mut object) = body_object(&request) else {
            return Ok(inner.answer_request(&request));
        };
        let mut changed = false;
        let mut trim = |value: &mut Value| {
            if let Value::String(id) = value {
                if id.trim() != id {
                    *id = id.trim().to_owned();
                    changed = true;
                }
            }
        };
        for member in ["StackId", "AppId"] {
            if let Some(value) = object.get_mut(member) {
                trim(value);
            }
        }
        for member in ["InstanceIds", "LayerIds"] {
            if let Some(Value::Array(ids)) = object.get_mut(member) {
                ids.iter_mut().for_each(&mut trim);
            }
        }
        if changed {
            Ok(inner.answer_request(&with_body(&request, object)))
        } else {
            Ok(inner.answer_request(&request))
        }
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trimming_ids_breaks_stack_existence() {
    let world = World::bundled();
    // Aimed at the rule: only padded ids show the defect, too rare to be sure of among the few
    // cases each rule gets in a whole run of 300.
    let config = config(7, true).only(rules::N_STACK.as_str());
    let (entry, _) = assert_defect_caught_with(
        &world,
        trimming(&world),
        rules::N_STACK,
        RuleStatus::Failed,
        &config,
    )
    .await;
    let stack_id = counterexample_body(&entry)["StackId"]
        .as_str()
        .map(str::to_owned)
        .expect("a StackId");
    assert_ne!(stack_id.trim(), stack_id, "the whitespace shows: {entry}");
    assert_eq!(members(&entry), ["Command", "StackId"], "minimal: {entry}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ignoring_signatures_breaks_signature_validity() {
    let world = World::bundled_with_users();
    // The defect: the access key id is taken at its word, the signature never checked.
    let target = ReferenceTarget::new(world.clone()).with_authenticator(ClaimedKey);
    let (entry, report) =
        assert_defect_caught(&world, target, rules::A_SIGNATURE_VALID, RuleStatus::Failed).await;
    let authorization = entry["counterexample"]["request"]["headers"]["Authorization"]
        .as_str()
        .expect("a signed counterexample")
        .to_owned();
    assert!(
        authorization.ends_with("Signature=<redacted>"),
        "{authorization}"
    );
    assert_no_secret_in_reports(&report, &world);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ignoring_permissions_breaks_the_permission_rule() {
    let world = World::bundled_with_users();
    // The defect: every user may deploy everywhere (signatures are still checked).
    let mut lax = world.clone();
    let stacks: Vec<String> = lax.stacks.iter().map(|s| s.stack_id.clone()).collect();
    for user in &mut lax.users {
        user.permissions = stacks
            .iter()
            .map(|stack_id| Permission {
                stack_id: stack_id.clone(),
                level: PermissionLevel::Manage,
            })
            .collect();
    }
    let target =
        ReferenceTarget::new(lax).with_authenticator(SigV4Authenticator::new(&world, REGION));
    let (_, report) =
        assert_defect_caught(&world, target, rules::A_PERMISSION, RuleStatus::Failed).await;
    assert_no_secret_in_reports(&report, &world);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rejected_rollbacks_that_use_up_a_version_break_error_no_effect() {
    let world = World::bundled();
    let target = defective(ReferenceTarget::new(world.clone()), |request, inner| {
        let answer = inner.answer_request(&request);
        // The defect: a rejected rollback still uses up a stored version.
        if answer.status == 400 {
            if let Some(object) = body_object(&request) {
                let rollback = object
                    .get("Command")
                    .and_then(|command| command.get("Name"))
                    .and_then(Value::as_str)
                    == Some("rollback");
                if let (true, Some(stack), Some(app)) = (
                    rollback,
                    object.get("StackId").and_then(Value::as_str),
                    object.get("AppId").and_then(Value::as_str),
                ) {
                    let lax = RawRequest::json(
                        serde_json::json!({
                            "StackId": stack, "AppId": app, "Command": {"Name": "rollback"}
                        })
                        .to_string(),
                    );
                    let _ = inner.answer_request(&lax);
                }
            }
        }
        Ok(answer)
    });
    // The defect shows only when a rejected rollback is followed by rollbacks of the same app;
    // seed 4 makes such a sequence within the budget.
    let server = serve(target).await;
    let report = gate(&server.url(), &world, &config(4, false)).await;
    assert_caught(
        &report,
        &server.url(),
        rules::S_ERROR_NO_EFFECT,
        RuleStatus::Failed,
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validation_errors_labelled_resource_not_found_break_validation() {
    let world = World::bundled();
    let target = defective(ReferenceTarget::new(world.clone()), |request, inner| {
        let answer = inner.answer_request(&request);
        // The defect: ValidationException is answered as ResourceNotFoundException.
        if answer
            .body_text()
            .contains(r#""__type":"ValidationException""#)
        {
            let body = answer
                .body_text()
                .replace("ValidationException", "ResourceNotFoundException");
            return Ok(Observation::json(400, body));
        }
        Ok(answer)
    });
    // Every V-* rule fails: 128 shrink steps per rule (instead of 512) keep the run short.
    let config = RunConfig {
        max_shrink_steps: 128,
        ..config(7, true)
    };
    let (entry, report) = assert_defect_caught_with(
        &world,
        target,
        rules::V_STACK_REQUIRED,
        RuleStatus::Failed,
        &config,
    )
    .await;
    // Every failure is the mislabelled error (V-*, and the other rules expecting a
    // ValidationException: P-EMPTY-BODY, M-JSON-LIMITS).
    for rule in report.with_status(RuleStatus::Failed) {
        let example = rule.counterexample.as_ref().expect("a counterexample");
        assert!(
            example.found.contains("ResourceNotFoundException"),
            "{}: {}",
            rule.id,
            example.found
        );
    }
    assert_eq!(entry["counterexample"]["expected"], "ValidationException");
    // The member that makes the request invalid is missing or null.
    let body = counterexample_body(&entry);
    assert!(body.get("StackId").is_none_or(Value::is_null), "{entry}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_text_html_content_type_is_warned_and_fails_only_strict() {
    let world = World::bundled();
    let html = || {
        defective(ReferenceTarget::new(World::bundled()), |request, inner| {
            // The defect: the right answer, labelled text/html.
            let mut answer = inner.answer_request(&request);
            answer.headers = vec![("Content-Type".to_owned(), "text/html".to_owned())];
            Ok(answer)
        })
    };
    let (_, strict) = assert_defect_caught(
        &world,
        html(),
        rules::P_RESPONSE_CONTENT_TYPE,
        RuleStatus::Warned,
    )
    .await;
    assert_eq!(
        strict.count(RuleStatus::Failed),
        0,
        "only the SHOULD rule is broken\n{}",
        summary(&strict)
    );
    // Without --strict a SHOULD rule only warns: the same server passes.
    let server = serve(html()).await;
    let default = gate(&server.url(), &world, &config(7, false)).await;
    server.shutdown().await;
    assert!(default.passed(), "{}", summary(&default));
    assert_eq!(
        default
            .rule(rules::P_RESPONSE_CONTENT_TYPE)
            .map(|rule| rule.status),
        Some(RuleStatus::Warned)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_failing_on_comments_is_a_server_error() {
    let world = World::bundled();
    let target = defective(ReferenceTarget::new(world.clone()), |request, inner| {
        // The defect: a request with a Comment makes the target fail; the server answers 500.
        if body_object(&request).is_some_and(|object| object.contains_key("Comment")) {
            return Err(TransportFailure::new(
                TransportFailureKind::Other,
                "the comment store is down",
            ));
        }
        Ok(inner.answer_request(&request))
    });
    let (entry, _) =
        assert_defect_caught(&world, target, rules::P_NO_SERVER_ERROR, RuleStatus::Failed).await;
    assert_eq!(
        entry["counterexample"]["observed"]["status"], 500,
        "{entry}"
    );
    let observed = entry["counterexample"]["observed"]["body"]
        .as_str()
        .unwrap_or_default();
    assert!(observed.contains("InternalFailure"), "{entry}");
    assert!(
        counterexample_body(&entry).contains_key("Comment"),
        "{entry}"
    );
}

// ---------------------------------------------------------------------------------------------
// Same seed, same report
// ---------------------------------------------------------------------------------------------

/// The JSON report with what legitimately differs between two runs replaced by placeholders.
/// Exactly these are normalised, nothing else:
/// - the values of the `X-Amz-Date` and `Authorization` request headers (the signing time, and
///   the signature's scope date; the signature itself is already redacted) become
///   `<normalised>`;
/// - the server's base URL `http://127.0.0.1:PORT` and its authority `127.0.0.1:PORT`, wherever
///   they occur in a string (`target`, every `reproduce` command, the `Host` request header),
///   become `<server>`;
/// - every `DeploymentId` the server answered (read from the `observed` bodies), wherever it
///   occurs in a string (the observed bodies, and `found` texts quoting them), becomes
///   `<deployment-id>`.
fn normalise(mut json: Value, url: &str) -> Value {
    let authority = url.trim_start_matches("http://").to_owned();
    let mut deployment_ids = BTreeSet::new();
    collect_deployment_ids(&json, &mut deployment_ids);
    fn walk(value: &mut Value, authority: &str, ids: &BTreeSet<String>) {
        match value {
            Value::Object(map) => {
                for (key, inner) in map.iter_mut() {
                    if key == "X-Amz-Date" || key == "Authorization" {
                        *inner = Value::String("<normalised>".to_owned());
                    } else {
                        walk(inner, authority, ids);
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|item| walk(item, authority, ids)),
            Value::String(text) => {
                let mut replaced = text
                    .replace(&format!("http://{authority}"), "<server>")
                    .replace(authority, "<server>");
                for id in ids {
                    replaced = replaced.replace(id.as_str(), "<deployment-id>");
                }
                *text = replaced;
            }
            _ => {}
        }
    }
    walk(&mut json, &authority, &deployment_ids);
    json
}

/// The `DeploymentId`s of every observed body in a JSON report.
fn collect_deployment_ids(json: &Value, ids: &mut BTreeSet<String>) {
    for rule in json["rules"].as_array().into_iter().flatten() {
        let Some(body) = rule["counterexample"]["observed"]["body"].as_str() else {
            continue;
        };
        if let Ok(Value::Object(object)) = serde_json::from_str::<Value>(body) {
            if let Some(Value::String(id)) = object.get("DeploymentId") {
                ids.insert(id.clone());
            }
        }
    }
}

/// Runs the gate against a fresh trimming server; the normalised JSON report, pretty-printed.
async fn normalised_run(world: &World, config: &RunConfig) -> String {
    let server = serve(trimming(world)).await;
    let url = server.url();
    let report = gate(&url, world, config).await;
    server.shutdown().await;
    assert!(
        !report.passed(),
        "the defect is caught\n{}",
        summary(&report)
    );
    assert!(
        report.rules.iter().any(|rule| rule
            .counterexample
            .as_ref()
            .is_some_and(|example| example.request.header("Authorization").is_some())),
        "some counterexample is signed, so that normalising is exercised\n{}",
        summary(&report)
    );
    let raw = serde_json::to_string_pretty(&json_report(&report, REGION))
        .expect("a JSON value serialises");
    assert!(raw.contains(&url), "the report names the server");
    let text = serde_json::to_string_pretty(&normalise(json_report(&report, REGION), &url))
        .expect("a JSON value serialises");
    assert!(!text.contains("127.0.0.1"), "every URL is normalised");
    text
}

#[test]
fn the_same_seed_gives_the_same_report() {
    // A world with users, so that requests are signed (X-Amz-Date, Authorization, Host).
    let world = World::bundled_with_users();
    // 128 shrink steps per rule (instead of 512): shrinking is still exercised, and must be
    // deterministic too.
    let config = RunConfig {
        max_shrink_steps: 128,
        ..config(42, false)
    };
    // Two freshly started servers, the same world, the same deterministic defect; the two runs
    // go on at the same time.
    // The run's future is not `Send` (it holds proptest strategies): each run gets a thread and
    // a runtime of its own.
    let runs: Vec<_> = (0..2)
        .map(|_| {
            let (world, config) = (world.clone(), config.clone());
            std::thread::spawn(move || {
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("a runtime")
                    .block_on(normalised_run(&world, &config))
            })
        })
        .collect();
    let reports: Vec<String> = runs
        .into_iter()
        .map(|run| run.join().expect("the run completes"))
        .collect();
    assert!(
        reports[0] == reports[1],
        "same seed, same target state: byte-identical normalised reports\n--- first\n{}\n--- second\n{}",
        reports[0],
        reports[1]
    );
}

// ---------------------------------------------------------------------------------------------
// Secrets never appear
// ---------------------------------------------------------------------------------------------

/// Checks that no `SecretAccessKey` of `world` appears in the JSON, JUnit or human report.
#[track_caller]
fn assert_no_secret_in_reports(report: &RunReport, world: &World) {
    let json = serde_json::to_string(&json_report(report, REGION)).expect("JSON serialises");
    let junit = junit_report(report, REGION);
    let human = human_report(report, REGION);
    for user in &world.users {
        let secret = &user.secret_access_key;
        assert!(!secret.is_empty());
        for (name, text) in [("JSON", &json), ("JUnit", &junit), ("human", &human)] {
            assert!(
                !text.contains(secret.as_str()),
                "the secret of {} appears in the {name} report",
                user.access_key_id
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// serve_target: the reference server's HTTP behaviour around any target
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_target_answers_like_the_reference_server_around_the_target() {
    use std::sync::atomic::{AtomicUsize, Ordering};

    let calls = Arc::new(AtomicUsize::new(0));
    let target = {
        let calls = Arc::clone(&calls);
        from_fn(move |request: RawRequest| {
            calls.fetch_add(1, Ordering::SeqCst);
            std::future::ready(if request.body == b"fail" {
                Err(TransportFailure::new(
                    TransportFailureKind::Dropped,
                    "the upstream went away",
                ))
            } else {
                let mut observation = Observation::json(299, request.body.clone());
                observation.headers.extend([
                    ("X-Echo".to_owned(), "yes".to_owned()),
                    // Framing is the server's business: these are not copied.
                    ("Content-Length".to_owned(), "1".to_owned()),
                    ("Transfer-Encoding".to_owned(), "chunked".to_owned()),
                ]);
                Ok(observation)
            })
        })
        .described_as("an echo")
    };
    let server = serve(target).await;
    assert!(server.reference_target().is_none());
    assert_eq!(server.served_target().describe(), "an echo");
    let target_of_foreign = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _ = server.target();
    }));
    assert!(
        target_of_foreign.is_err(),
        "target() has no reference target to give"
    );

    let client = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("a client");
    let url = server.url();
    let code = |body: &str| {
        serde_json::from_str::<Value>(body)
            .ok()
            .and_then(|value| value["__type"].as_str().map(str::to_owned))
    };

    // The target's answer, as it is (status, headers, body).
    let response = client
        .post(&url)
        .body("hello")
        .send()
        .await
        .expect("an answer");
    assert_eq!(response.status().as_u16(), 299);
    assert_eq!(response.headers()["x-echo"], "yes");
    assert_eq!(response.headers()["content-length"], "5");
    assert_eq!(response.text().await.expect("a body"), "hello");
    assert_eq!(calls.load(Ordering::SeqCst), 1);

    // A transport failure of the target: 500 InternalFailure.
    let response = client
        .post(&url)
        .body("fail")
        .send()
        .await
        .expect("an answer");
    assert_eq!(response.status().as_u16(), 500);
    let body = response.text().await.expect("a body");
    assert_eq!(code(&body).as_deref(), Some("InternalFailure"), "{body}");
    assert!(body.contains("the upstream went away"), "{body}");
    assert_eq!(calls.load(Ordering::SeqCst), 2);

    // What the server answers itself, without asking the target: 404 and 413.
    for response in [
        client.get(&url).send().await,
        client.post(format!("{url}/other")).send().await,
    ] {
        let response = response.expect("an answer");
        assert_eq!(response.status().as_u16(), 404);
        let body = response.text().await.expect("a body");
        assert_eq!(
            code(&body).as_deref(),
            Some("UnknownOperationException"),
            "{body}"
        );
    }
    let response = client
        .post(&url)
        .body(vec![b' '; opsworks_conformance::server::MAX_BODY_BYTES + 1])
        .send()
        .await
        .expect("an answer");
    assert_eq!(response.status().as_u16(), 413);
    let body = response.text().await.expect("a body");
    assert_eq!(
        code(&body).as_deref(),
        Some("SerializationException"),
        "{body}"
    );
    assert_eq!(calls.load(Ordering::SeqCst), 2, "the target was not asked");
    server.shutdown().await;
}
