//! The gate against a real mock nobody on the team wrote: moto 4.2.14 (the last moto with
//! OpsWorks), which has no CreateDeployment and answers it with an HTML 500.
//!
//! For `moto_server opsworks` and `moto_server` (all services, routed by the signature), the
//! test builds a world through boto3 (`create_stack`, `create_layer`, `create_app`,
//! `create_instance`), runs `opsworks-conformance run` against it and checks that the report
//! claims nothing the answers void, that no OpsWorks operation but CreateDeployment reached
//! moto (moto runs under `tests/fixtures/moto/server.py`, which records every `X-Amz-Target`),
//! and that the world is intact afterwards (Describe* through boto3).
//!
//! Needs a Python with `moto[server]==4.2.14`, `boto3==1.40.18` and `botocore==1.40.18`:
//! `OPSWORKS_CONFORMANCE_MOTO_PYTHON`, else `$TMPDIR/opsworks-conformance-moto/bin/python`
//! (where `.ci/run` installs it). Without one the tests panic, saying so.
#![cfg(feature = "cli")]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;

#[path = "support/temp_dir.rs"]
mod temp_dir;
use temp_dir::TempDir;

const BINARY: &str = env!("CARGO_BIN_EXE_opsworks-conformance");

/// The moto server fixture and the boto3 world builder.
fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/moto")
        .join(name)
}

/// The Python with moto, or a panic that says how to get one.
fn moto_python() -> PathBuf {
    let python = std::env::var_os("OPSWORKS_CONFORMANCE_MOTO_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("opsworks-conformance-moto/bin/python"));
    assert!(
        python.exists(),
        "tests/moto.rs needs a Python with moto[server]==4.2.14, boto3==1.40.18 and \
         botocore==1.40.18 (.ci/run installs them): set OPSWORKS_CONFORMANCE_MOTO_PYTHON, or \
         run `python3 -m venv $TMPDIR/opsworks-conformance-moto && \
         $TMPDIR/opsworks-conformance-moto/bin/pip install 'moto[server]==4.2.14' \
         boto3==1.40.18 botocore==1.40.18`; not found: {}",
        python.display()
    );
    let version = Command::new(&python)
        .args(["-c", "import moto; print(moto.__version__)"])
        .output()
        .expect("the moto Python runs");
    assert_eq!(
        String::from_utf8_lossy(&version.stdout).trim(),
        "4.2.14",
        "expected moto 4.2.14 in {}: {}",
        python.display(),
        String::from_utf8_lossy(&version.stderr)
    );
    python
}

/// A running moto server, killed when dropped.
struct Moto {
    child: Child,
    url: String,
    record: PathBuf,
}

impl Moto {
    /// Starts moto on 127.0.0.1 (a port the OS picks): for `service` only, or every service.
    fn start(python: &Path, service: Option<&str>, record: PathBuf) -> Moto {
        let mut command = Command::new(python);
        command.arg(fixture("server.py"));
        if let Some(service) = service {
            command.arg(service);
        }
        let mut child = command
            .arg("--record")
            .arg(&record)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the moto server starts");
        let stdout = child.stdout.take().expect("the server's stdout");
        let (sender, receiver) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = sender.send(line);
        });
        let mut moto = Moto {
            child,
            url: String::new(),
            record,
        };
        let line = receiver
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_default();
        moto.url = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("expected `listening on URL` from moto, found {line:?}"))
            .to_owned();
        moto
    }

    /// The `X-Amz-Target`s of the requests moto received so far, one per request (`-`: none).
    fn targets(&self) -> Vec<String> {
        std::fs::read_to_string(&self.record)
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs the boto3 fixture; its standard output.
fn boto3(python: &Path, args: &[&str]) -> String {
    let output = Command::new(python)
        .arg(fixture("world.py"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("the boto3 fixture runs");
    assert!(
        output.status.success(),
        "world.py {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The operations of the OpsWorks API, from botocore 1.40.18's service model.
fn api_operations(python: &Path) -> Vec<String> {
    let output = Command::new(python)
        .args([
            "-c",
            "import botocore.session\n\
             model = botocore.session.get_session().get_service_model('opsworks')\n\
             print('\\n'.join(model.operation_names))",
        ])
        .output()
        .expect("botocore runs");
    let names: Vec<String> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|name| format!("OpsWorks_20130218.{name}"))
        .collect();
    assert!(
        names.len() > 50 && names.iter().any(|name| name.ends_with(".DeleteStack")),
        "expected the OpsWorks operations from botocore, found {names:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    names
}

/// What a run of the binary left behind.
struct Gate {
    code: Option<i32>,
    stdout: String,
    report: Value,
}

/// `opsworks-conformance run` against `url`, without credentials in its environment (so it
/// signs with the fixed test key).
fn gate(url: &str, world: &Path, json: &Path, extra: &[&str]) -> Gate {
    let output = Command::new(BINARY)
        .args(["run", "--endpoint", url, "--seed", "16", "--world"])
        .arg(world)
        .arg("--json")
        .arg(json)
        .args(extra)
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_SESSION_TOKEN")
        .stdin(Stdio::null())
        .output()
        .expect("the gate runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let text = std::fs::read_to_string(json)
        .unwrap_or_else(|error| panic!("no JSON report ({error}); stdout:\n{stdout}"));
    Gate {
        code: output.status.code(),
        stdout,
        report: serde_json::from_str(&text).expect("the JSON report parses"),
    }
}

fn status<'a>(report: &'a Value, id: &str) -> &'a str {
    report["rules"]
        .as_array()
        .and_then(|rules| rules.iter().find(|rule| rule["id"] == id))
        .and_then(|rule| rule["status"].as_str())
        .unwrap_or("absent")
}

/// The whole check for one mode of moto_server.
fn gate_against_moto(service: Option<&str>) {
    let python = moto_python();
    let dir = TempDir::new("moto");
    let moto = Moto::start(&python, service, dir.path("targets.txt"));
    let world = dir.path("world.json");
    boto3(
        &python,
        &["create", &moto.url, world.to_str().expect("a UTF-8 path")],
    );
    let before = boto3(&python, &["describe", &moto.url]);
    let already = moto.targets().len();

    let run = gate(&moto.url, &world, &dir.path("report.json"), &[]);
    let report = &run.report;
    let context = format!("mode {service:?}\n{}", run.stdout);

    assert_eq!(run.code, Some(1), "{context}");
    assert_eq!(report["verdict"], "fail", "{context}");
    assert_eq!(status(report, "P-NO-SERVER-ERROR"), "failed", "{context}");
    assert_ne!(status(report, "P-SUCCESS-SHAPE"), "failed", "{context}");
    assert_ne!(status(report, "S-ACCEPT-VALID"), "passed", "{context}");
    let failed = report["summary"]["failed"].as_u64().unwrap_or(u64::MAX);
    assert!(failed <= 3, "{failed} rules failed\n{context}");
    // The report says first that no answer was an OpsWorks answer, and records no MAY
    // behaviour.
    assert_ne!(report["endpoint_check"]["finding"], "awsjson", "{context}");
    let second = run.stdout.lines().nth(1).unwrap_or_default();
    assert!(
        second.starts_with("no OpsWorks answer: ") || second.starts_with("not OpsWorks: "),
        "{context}"
    );
    for rule in report["rules"].as_array().into_iter().flatten() {
        if rule["severity"] == "MAY" {
            assert_ne!(rule["status"], "informational", "{rule}\n{context}");
            assert!(rule.get("behaviour").is_none(), "{rule}\n{context}");
        }
    }
    // A rule whose cases were sent but whose answers said nothing of it is undecided, with its
    // cases counted, not "no case reached the rule".
    let undecided = |id: &str| {
        let rule = report["rules"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|rule| rule["id"] == id)
            .unwrap_or_else(|| panic!("{id} in the report\n{context}"));
        assert_eq!(rule["status"], "not_applicable", "{rule}\n{context}");
        assert!(rule["cases"].as_u64().unwrap_or(0) > 0, "{rule}\n{context}");
        assert!(
            rule["note"].as_str().unwrap_or("").starts_with("undecided"),
            "{rule}\n{context}"
        );
    };
    undecided("V-STACK-REQUIRED");
    undecided("M-UNKNOWN-ARGS");

    // Nothing but CreateDeployment, or a name the API does not have, reached moto.
    let operations = api_operations(&python);
    let sent: Vec<String> = moto.targets().split_off(already);
    for target in &sent {
        // Several X-Amz-Target headers arrive joined by commas.
        for name in target.split(',').map(str::trim) {
            assert!(
                name == "OpsWorks_20130218.CreateDeployment"
                    || !operations.iter().any(|op| op == name),
                "the gate sent {name:?}, an operation of the API ({target:?}), mode {service:?}"
            );
        }
    }

    // The world is intact.
    let after = boto3(&python, &["describe", &moto.url]);
    assert_eq!(after, before, "mode {service:?}: the world changed");

    // Requests sent: at most 1.25 times the cases (shrinking has a budget).
    let cases = report["summary"]["cases"].as_u64().unwrap_or(0) as usize;
    assert!(cases > 0, "{context}");
    assert!(
        sent.len() * 4 <= cases * 5,
        "mode {service:?}: {} requests for {cases} cases (over 1.25 times)",
        sent.len()
    );
}

#[test]
fn moto_opsworks_only() {
    gate_against_moto(Some("opsworks"));
}

#[test]
fn moto_all_services() {
    gate_against_moto(None);
}

/// Unsigned requests to `moto_server` (all services) go to S3, which answers every one with a
/// 200 XML bucket list: the report says first that the endpoint is not OpsWorks, with the
/// evidence, passes neither S-ACCEPT-VALID nor any MAY behaviour, and groups the failures.
#[test]
fn moto_unsigned_is_s3_and_the_report_says_so() {
    let python = moto_python();
    let dir = TempDir::new("moto");
    let moto = Moto::start(&python, None, dir.path("targets.txt"));
    let world = dir.path("world.json");
    boto3(
        &python,
        &["create", &moto.url, world.to_str().expect("a UTF-8 path")],
    );
    let run = gate(
        &moto.url,
        &world,
        &dir.path("report.json"),
        &["--unsigned", "--cases", "300"],
    );
    let report = &run.report;
    let context = run.stdout.clone();
    assert_eq!(run.code, Some(1), "{context}");
    let second = run.stdout.lines().nth(1).unwrap_or_default();
    assert!(
        second.starts_with("not OpsWorks: every answer was 200 ")
            && second.contains("ListAllMyBucketsResult")
            && second.ends_with(" answers)"),
        "{context}"
    );
    assert_eq!(report["endpoint_check"]["finding"], "not_awsjson");
    assert_eq!(report["endpoint_check"]["opsworks_answers"], 0);
    assert_ne!(status(report, "S-ACCEPT-VALID"), "passed", "{context}");
    for rule in report["rules"].as_array().into_iter().flatten() {
        if rule["severity"] == "MAY" {
            assert_ne!(rule["status"], "informational", "{rule}");
            assert_ne!(rule["status"], "failed", "{rule}");
        }
    }
    // One group of every failure, instead of a block per rule.
    let groups = report["failure_groups"].as_array().expect("failure groups");
    assert_eq!(groups.len(), 1, "{context}");
    assert_eq!(groups[0]["scope"], "every request");
    let failed = report["summary"]["failed"].as_u64().unwrap_or(0) as usize;
    let grouped = groups[0]["rules"].as_array().map_or(0, Vec::len);
    assert!(grouped >= failed && failed >= 2, "{context}");
    assert_eq!(
        run.stdout.matches("] failed: expected").count(),
        1,
        "one counterexample for the group\n{context}"
    );
}
