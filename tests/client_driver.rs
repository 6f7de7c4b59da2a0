//! Drivers (other languages' clients, JSON lines over a pipe) under the client gate: botocore
//! through the example driver, whose findings are exactly its known-failures ledger; a correct
//! stdlib-only Python client; and deliberately broken ones, which fail with the right rule.
//!
//! Needs `python3` (or the interpreter named by `OPSWORKS_CONFORMANCE_PYTHON`), and for the
//! botocore tests botocore 1.40.x (`pip install botocore==1.40.18`; `.ci/run` installs it).
//! Without them the tests are skipped with a message.
#![cfg(feature = "client")]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use opsworks_conformance::client::{
    ClientCheck, ClientRunConfig, DriverClient, run_client, run_client_cases,
};
use opsworks_conformance::contract::{RuleId, rules};
use opsworks_conformance::report::human_report;
use opsworks_conformance::runner::{KnownFailures, LedgerFinding, RuleStatus, RunReport};

/// The Python interpreter to use.
fn python() -> String {
    std::env::var("OPSWORKS_CONFORMANCE_PYTHON").unwrap_or_else(|_| "python3".to_owned())
}

fn manifest_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// Whether `python -c code` runs and exits 0.
fn python_runs(code: &str) -> bool {
    Command::new(python())
        .args(["-c", code])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// `true` when Python 3 is there; otherwise says why the test is skipped.
fn have_python(test: &str) -> bool {
    let ok = python_runs("import sys; sys.exit(0 if sys.version_info >= (3, 8) else 1)");
    if !ok {
        eprintln!(
            "skipped {test}: no Python 3 at {:?} (install python3, or set OPSWORKS_CONFORMANCE_PYTHON)",
            python()
        );
    }
    ok
}

/// `true` when botocore with the OpsWorks model is importable; otherwise says why the test is
/// skipped.
fn have_botocore(test: &str) -> bool {
    if !have_python(test) {
        return false;
    }
    let ok = python_runs(
        "import sys, botocore.session; sys.exit(0 if 'opsworks' in botocore.session.get_session().get_available_services() else 1)",
    );
    if !ok {
        eprintln!(
            "skipped {test}: botocore with OpsWorks is not installed for {:?} (pip install botocore==1.40.18; .ci/run installs it)",
            python()
        );
    }
    ok
}

/// What a driver run found: the report, and every (rule, scenario) that failed.
struct Findings {
    report: RunReport,
    failing: BTreeSet<(RuleId, String)>,
}

async fn gate_script(script: &str) -> Findings {
    let command = vec![python(), manifest_path(script).display().to_string()];
    let driver = DriverClient::spawn(&command).expect("the driver starts");
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn botocore_findings_are_exactly_the_ledger_entries() {
    if !have_botocore("botocore_findings_are_exactly_the_ledger_entries") {
        return;
    }
    let Findings { report, failing } = gate_script("examples/python-driver/driver.py").await;
    let human = human_report(&report, "us-east-1");
    eprintln!("{human}");

    let ledger =
        KnownFailures::from_file(manifest_path("examples/python-driver/known-failures.toml"))
            .expect("the ledger parses");
    let listed: BTreeSet<(RuleId, String)> = ledger
        .entries()
        .iter()
        .map(|entry| {
            let form = entry.reason.split_once(": ").map_or("", |(form, _)| form);
            (entry.rule, form.to_owned())
        })
        .collect();
    assert_eq!(failing, listed, "findings vs ledger\n{human}");
    assert_eq!(
        listed.len(),
        ledger.entries().len(),
        "one entry per finding"
    );

    let today = opsworks_conformance::runner::today();
    assert!(
        ledger
            .review(&report, &today)
            .iter()
            .all(|finding| matches!(finding, LedgerFinding::Excused { .. })),
        "{human}"
    );
    assert!(ledger.gate(&report, &today), "{human}");
    assert!(
        !report.passed(),
        "without the ledger, botocore fails the gate"
    );

    // The rest conforms; the MAY rules record what botocore chose.
    assert_eq!(failed_rules(&report), vec![rules::C_ERROR_CODE], "{human}");
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
    assert_eq!(example.label, "X-Amzn-Errortype header without body __type");
    assert!(
        example.found.starts_with("error code \"400\""),
        "{}",
        example.found
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_correct_stdlib_client_passes() {
    if !have_python("a_correct_stdlib_client_passes") {
        return;
    }
    let Findings { report, failing } = gate_script("tests/drivers/correct.py").await;
    assert!(failing.is_empty(), "{}", human_report(&report, "us-east-1"));
    assert!(report.passed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reading_the_code_from_type_only_fails_c_error_code() {
    if !have_python("reading_the_code_from_type_only_fails_c_error_code") {
        return;
    }
    let Findings { report, failing } = gate_script("tests/drivers/type_only.py").await;
    let human = human_report(&report, "us-east-1");
    assert_eq!(failed_rules(&report), vec![rules::C_ERROR_CODE], "{human}");
    let forms: BTreeSet<&str> = failing.iter().map(|(_, form)| form.as_str()).collect();
    assert_eq!(
        forms,
        BTreeSet::from([
            "X-Amzn-Errortype header without body __type",
            "X-Amzn-Errortype header with :URI suffix, no body __type",
            "X-Amzn-Errortype header with a different body __type (header wins)",
            "body code field",
            "namespaced body code field",
        ]),
        "{human}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keeping_the_namespace_fails_c_error_code_and_c_error_unmodeled() {
    if !have_python("keeping_the_namespace_fails_c_error_code_and_c_error_unmodeled") {
        return;
    }
    let Findings { report, failing } = gate_script("tests/drivers/keeps_namespace.py").await;
    let human = human_report(&report, "us-east-1");
    assert_eq!(
        failed_rules(&report),
        vec![rules::C_ERROR_CODE, rules::C_ERROR_UNMODELED],
        "{human}"
    );
    assert!(
        failing
            .iter()
            .all(|(_, form)| form.starts_with("namespaced")),
        "{failing:?}"
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
    if !have_python("signing_for_the_wrong_service_fails_c_sigv4") {
        return;
    }
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
        if !have_botocore("botocore_exits_1_and_0_with_its_ledger") {
            return;
        }
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
}
