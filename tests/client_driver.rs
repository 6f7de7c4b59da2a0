//! Drivers (other languages' clients, JSON lines over a pipe) under the client gate: botocore
//! and the AWS SDK for JavaScript v3 through the example drivers, whose findings are exactly
//! their known-failures ledgers; the SDK matrix of the README, which must be what
//! `cargo run --example sdk-matrix --all-features` prints; a correct stdlib-only Python client;
//! and deliberately broken ones, which fail with the right rule.
//!
//! Needs `python3` (or the interpreter named by `OPSWORKS_CONFORMANCE_PYTHON`) with botocore
//! 1.40.18 (`pip install botocore==1.40.18`), and `node` (or `OPSWORKS_CONFORMANCE_NODE`) with
//! `npm ci` run in `examples/js-driver`. `.ci/run` installs both. A test whose tool is missing
//! panics saying what to install: it never passes without having run.
#![cfg(feature = "client")]

#[path = "../examples/sdk-matrix/setup.rs"]
mod setup;

use std::collections::BTreeSet;

use opsworks_conformance::client::{
    ClientCheck, ClientRunConfig, DriverClient, run_client, run_client_cases,
};
use opsworks_conformance::contract::{RuleId, rules};
use opsworks_conformance::report::human_report;
use opsworks_conformance::runner::{KnownFailures, LedgerFinding, RuleStatus, RunReport};
use setup::{manifest_path, python};

/// Panics (the test can not run) unless Python 3.8+ is there.
fn require_python(test: &str) {
    if let Err(why) = setup::python_version() {
        panic!("{test} needs Python: {why}");
    }
}

/// Panics (the test can not run) unless botocore with OpsWorks is there.
fn require_botocore(test: &str) {
    if let Err(why) = setup::botocore_version() {
        panic!("{test} needs botocore: {why}");
    }
}

/// Panics (the test can not run) unless node and the pinned JavaScript SDK are there.
fn require_js_sdk(test: &str) {
    if let Err(why) = setup::js_sdk_version() {
        panic!("{test} needs the AWS SDK for JavaScript v3: {why}");
    }
}

/// What a driver run found: the report, and every (rule, scenario) that failed.
struct Findings {
    report: RunReport,
    failing: BTreeSet<(RuleId, String)>,
}

async fn gate_script(script: &str) -> Findings {
    gate_command(&[python(), manifest_path(script).display().to_string()]).await
}

async fn gate_command(command: &[String]) -> Findings {
    let driver = DriverClient::spawn(command).expect("the driver starts");
    let mut failing = BTreeSet::new();
    let report = run_client_cases(&driver, &ClientRunConfig::default(), |case| {
        for (rule, check) in &case.checks {
            if let ClientCheck::Failed(_) = check {
                failing.insert((*rule, case.scenario.label().to_owned()));
            }
        }
    })
    .await
    .expect("the recording server starts");
    assert!(driver.answered().await > 0, "the driver answered");
    assert_eq!(driver.stopped().await, None, "the driver kept answering");
    let _ = driver.shutdown().await;
    Findings { report, failing }
}

fn failed_rules(report: &RunReport) -> Vec<RuleId> {
    report
        .with_status(RuleStatus::Failed)
        .map(|rule| rule.id)
        .collect()
}

/// Asserts that the findings are exactly the ledger's entries (one per (rule, form), the form
/// being what the entry's reason starts with, before `": "`), that the ledger excuses them
/// all, and that without it the client fails.
fn assert_findings_are_the_ledger(findings: &Findings, ledger: &str) -> String {
    let Findings { report, failing } = findings;
    let human = human_report(report, "us-east-1");
    let ledger = KnownFailures::from_file(manifest_path(ledger)).expect("the ledger parses");
    let listed: BTreeSet<(RuleId, String)> = ledger
        .entries()
        .iter()
        .map(|entry| {
            let form = entry.reason.split_once(": ").map_or("", |(form, _)| form);
            (entry.rule, form.to_owned())
        })
        .collect();
    assert_eq!(failing, &listed, "findings vs ledger\n{human}");
    assert_eq!(
        listed.len(),
        ledger.entries().len(),
        "one entry per finding"
    );
    let today = opsworks_conformance::runner::today();
    assert!(
        ledger
            .review(report, &today)
            .iter()
            .all(|finding| matches!(finding, LedgerFinding::Excused { .. })),
        "{human}"
    );
    assert!(ledger.gate(report, &today), "{human}");
    assert!(
        !report.passed(),
        "without the ledger, the client fails the gate"
    );
    human
}

/// The forms in which a client that reads the body `__type` only (as botocore does) fails.
const TYPE_ONLY_FAILURES: [&str; 9] = [
    "body code field",
    "namespaced body code field",
    "namespaced body code field with :URI suffix",
    "body code field with a different __type (code wins)",
    "X-Amzn-Errortype header without body __type",
    "X-Amzn-Errortype header with :URI suffix, no body __type",
    "X-Amzn-Errortype header with namespace and :URI suffix, no body __type",
    "X-Amzn-Errortype header with a different body __type (header wins)",
    "X-Amzn-Errortype header with a different body code (header wins)",
];

/// `forms` failing in both error rules.
fn in_both_error_rules(forms: &[&str]) -> BTreeSet<(RuleId, String)> {
    [rules::C_ERROR_CODE, rules::C_ERROR_UNMODELED]
        .into_iter()
        .flat_map(|rule| forms.iter().map(move |form| (rule, (*form).to_owned())))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn botocore_findings_are_exactly_the_ledger_entries() {
    require_botocore("botocore_findings_are_exactly_the_ledger_entries");
    let findings = gate_command(&setup::botocore_command()).await;
    let human =
        assert_findings_are_the_ledger(&findings, "examples/python-driver/known-failures.toml");
    eprintln!("{human}");
    let Findings { report, failing } = findings;
    assert_eq!(failing, in_both_error_rules(&TYPE_ONLY_FAILURES), "{human}");

    // The rest conforms; the MAY rules record what botocore chose.
    assert_eq!(
        failed_rules(&report),
        vec![rules::C_ERROR_CODE, rules::C_ERROR_UNMODELED],
        "{human}"
    );
    let behaviour = |rule| report.rule(rule).and_then(|entry| entry.behaviour());
    assert_eq!(
        behaviour(rules::C_SUCCESS_EMPTY).as_deref(),
        Some("success without an id")
    );
    assert_eq!(
        behaviour(rules::C_CLIENT_VALIDATION).as_deref(),
        Some("refused before sending")
    );
    // The counterexample names the answer form and what botocore reported.
    let example = report
        .rule(rules::C_ERROR_CODE)
        .and_then(|entry| entry.counterexample.clone())
        .expect("a counterexample");
    assert_eq!(example.label, "body code field");
    assert!(
        example.found.starts_with("error code \"400\""),
        "{}",
        example.found
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn javascript_sdk_findings_are_exactly_the_ledger_entries() {
    require_js_sdk("javascript_sdk_findings_are_exactly_the_ledger_entries");
    let findings = gate_command(&setup::js_command()).await;
    let human = assert_findings_are_the_ledger(&findings, "examples/js-driver/known-failures.toml");
    eprintln!("{human}");
    let Findings { report, failing } = findings;
    // Modelled codes are read right; unmodelled ones take the raw body `code`, ahead of the
    // header.
    let expected: BTreeSet<(RuleId, String)> = [
        "namespaced body code field",
        "namespaced body code field with :URI suffix",
        "X-Amzn-Errortype header with a different body code (header wins)",
    ]
    .into_iter()
    .map(|form| (rules::C_ERROR_UNMODELED, form.to_owned()))
    .collect();
    assert_eq!(failing, expected, "{human}");
    assert_eq!(
        failed_rules(&report),
        vec![rules::C_ERROR_UNMODELED],
        "{human}"
    );
    let behaviour = |rule| report.rule(rule).and_then(|entry| entry.behaviour());
    assert_eq!(
        behaviour(rules::C_SUCCESS_EMPTY).as_deref(),
        Some("success without an id")
    );
    assert_eq!(
        behaviour(rules::C_CLIENT_VALIDATION).as_deref(),
        Some("sent")
    );
    let example = report
        .rule(rules::C_ERROR_UNMODELED)
        .and_then(|entry| entry.counterexample.clone())
        .expect("a counterexample");
    assert_eq!(example.label, "namespaced body code field");
    assert_eq!(
        example.found,
        "error code \"com.amazonaws.opsworks#ThrottlingException\" (message \"an answer of opsworks-conformance\")"
    );
}

/// The README's SDK matrix is exactly what `cargo run --example sdk-matrix --all-features`
/// prints: the three SDKs run here, their matrix compared with the README's block.
#[cfg(feature = "sdk")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_readme_sdk_matrix_is_reproduced_by_its_command() {
    require_botocore("the_readme_sdk_matrix_is_reproduced_by_its_command");
    require_js_sdk("the_readme_sdk_matrix_is_reproduced_by_its_command");
    let columns = setup::matrix_columns().await.expect("the three SDKs run");
    // The Rust SDK passes: it has no ledger.
    assert!(columns[0].findings.is_empty(), "{:?}", columns[0].findings);
    assert!(columns[0].report.passed());
    let matrix = opsworks_conformance::client::matrix_markdown(&columns);
    let readme = std::fs::read_to_string(manifest_path("README.md")).expect("README.md");
    let block = setup::readme_block(&readme).expect("the README has the sdk-matrix block");
    assert!(
        block == matrix.trim_matches('\n'),
        "the README's SDK matrix is out of date; run `cargo run --example sdk-matrix --all-features -- --update-readme`\n--- README\n{block}\n--- now\n{matrix}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_correct_stdlib_client_passes() {
    require_python("a_correct_stdlib_client_passes");
    let Findings { report, failing } = gate_script("tests/drivers/correct.py").await;
    assert!(failing.is_empty(), "{}", human_report(&report, "us-east-1"));
    assert!(report.passed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reading_the_code_from_type_only_fails_both_error_rules() {
    require_python("reading_the_code_from_type_only_fails_both_error_rules");
    let Findings { report, failing } = gate_script("tests/drivers/type_only.py").await;
    let human = human_report(&report, "us-east-1");
    assert_eq!(
        failed_rules(&report),
        vec![rules::C_ERROR_CODE, rules::C_ERROR_UNMODELED],
        "{human}"
    );
    assert_eq!(failing, in_both_error_rules(&TYPE_ONLY_FAILURES), "{human}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keeping_the_namespace_fails_c_error_code_and_c_error_unmodeled() {
    require_python("keeping_the_namespace_fails_c_error_code_and_c_error_unmodeled");
    let Findings { report, failing } = gate_script("tests/drivers/keeps_namespace.py").await;
    let human = human_report(&report, "us-east-1");
    assert_eq!(
        failed_rules(&report),
        vec![rules::C_ERROR_CODE, rules::C_ERROR_UNMODELED],
        "{human}"
    );
    assert_eq!(
        failing,
        in_both_error_rules(&[
            "namespaced __type",
            "namespaced __type with :URI suffix",
            "namespaced __type and a nested __type in another member",
            "namespaced body code field",
            "namespaced body code field with :URI suffix",
            "X-Amzn-Errortype header with namespace and :URI suffix, no body __type",
        ]),
        "{human}"
    );
    let example = report
        .rule(rules::C_ERROR_CODE)
        .and_then(|entry| entry.counterexample.clone())
        .expect("a counterexample");
    assert!(
        example.found.contains("com.amazonaws.opsworks#"),
        "{}",
        example.found
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_for_the_wrong_service_fails_c_sigv4() {
    require_python("signing_for_the_wrong_service_fails_c_sigv4");
    let Findings { report, .. } = gate_script("tests/drivers/wrong_service.py").await;
    let human = human_report(&report, "us-east-1");
    assert_eq!(failed_rules(&report), vec![rules::C_SIGV4], "{human}");
    let example = report
        .rule(rules::C_SIGV4)
        .and_then(|entry| entry.counterexample.clone())
        .expect("a counterexample");
    assert!(
        example.found.contains("/us-east-1/ec2/aws4_request"),
        "{}",
        example.found
    );
    assert!(!human.contains("client-secret"), "no secret in the report");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_driver_answering_outside_the_protocol_is_reported_so() {
    let command: Vec<String> = ["sh", "-c", "while read line; do echo 'not json'; done"]
        .map(str::to_owned)
        .to_vec();
    let driver = DriverClient::spawn(&command).expect("sh starts");
    let report = run_client_cases(&driver, &ClientRunConfig::default().with_cases(1), |case| {
        let outcome = format!("{:?}", case.outcome);
        assert!(
            outcome.contains("driver protocol: expected one JSON line"),
            "{outcome}"
        );
    })
    .await
    .expect("the recording server starts");
    assert!(!report.passed());
    assert_eq!(
        driver.stopped().await,
        None,
        "a bad line does not stop the driver"
    );
    let _ = driver.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_driver_times_out_once_and_is_stopped() {
    let command: Vec<String> = ["sh", "-c", "cat > /dev/null"].map(str::to_owned).to_vec();
    let driver = DriverClient::spawn(&command)
        .expect("sh starts")
        .with_timeout(std::time::Duration::from_millis(200));
    let started = std::time::Instant::now();
    let report = run_client(&driver, &ClientRunConfig::default().with_cases(1))
        .await
        .expect("the recording server starts");
    // One timeout, then every later call fails at once.
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    assert!(!report.passed());
    assert!(
        driver
            .stopped()
            .await
            .is_some_and(|reason| reason.contains("no answer within 200 ms"))
    );
    assert_eq!(driver.answered().await, 0);
    let _ = driver.shutdown().await;
}

/// `opsworks-conformance client` as a process.
#[cfg(feature = "cli")]
mod cli {
    use std::process::Command;

    use super::*;

    fn client(args: &[&str]) -> std::process::Output {
        Command::new(env!("CARGO_BIN_EXE_opsworks-conformance"))
            .arg("client")
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .expect("the binary starts")
    }

    #[test]
    fn a_driver_that_cannot_start_exits_2() {
        let output = client(&["--", "/nonexistent/opsworks-driver"]);
        assert_eq!(output.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("expected a process that starts"),
            "{stderr}"
        );
    }

    #[test]
    fn a_driver_that_answers_nothing_exits_2() {
        let output = client(&["--", "true"]);
        assert_eq!(output.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("answered no call"), "{stderr}");
    }

    #[test]
    fn no_driver_is_a_usage_error() {
        assert_eq!(client(&[]).status.code(), Some(2));
    }

    #[test]
    fn botocore_exits_1_and_0_with_its_ledger() {
        require_botocore("botocore_exits_1_and_0_with_its_ledger");
        let python = python();
        let dir = std::env::temp_dir().join(format!("opsworks-client-cli-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        let json = dir.join("report.json");
        let json_arg = json.display().to_string();
        let driver = ["--", python.as_str(), "examples/python-driver/driver.py"];

        let mut args = vec!["--json", json_arg.as_str()];
        args.extend(driver);
        let output = client(&args);
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert_eq!(output.status.code(), Some(1), "{stdout}");
        assert!(stdout.contains("FAIL  C-ERROR-CODE"), "{stdout}");
        let report: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&json).expect("the JSON report")).expect("JSON");
        assert_eq!(report["verdict"], "fail");
        assert!(
            report["target"]
                .as_str()
                .is_some_and(|t| t.starts_with("driver: "))
        );

        let mut args = vec![
            "--known-failures",
            "examples/python-driver/known-failures.toml",
        ];
        args.extend(driver);
        let output = client(&args);
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert_eq!(output.status.code(), Some(0), "{stdout}");
        assert!(stdout.contains("known failure: C-ERROR-CODE"), "{stdout}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn javascript_sdk_exits_1_and_0_with_its_ledger() {
        require_js_sdk("javascript_sdk_exits_1_and_0_with_its_ledger");
        let node = setup::node();
        let driver = ["--", node.as_str(), "examples/js-driver/driver.mjs"];
        let output = client(&driver);
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert_eq!(output.status.code(), Some(1), "{stdout}");
        assert!(stdout.contains("FAIL  C-ERROR-UNMODELED"), "{stdout}");

        let mut args = vec!["--known-failures", "examples/js-driver/known-failures.toml"];
        args.extend(driver);
        let output = client(&args);
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert_eq!(output.status.code(), Some(0), "{stdout}");
        assert!(
            stdout.contains("known failure: C-ERROR-UNMODELED"),
            "{stdout}"
        );
    }
}
