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
//! `run --provision --cleanup` (issue 21) needs no world file: the gate creates the world
//! through moto's Create* operations, the world file it writes is what moto's Describe* answers
//! show, the run's requests between provisioning and cleanup are CreateDeployment requests
//! only, and every resource is reported left (moto 4.2.14 implements no Delete*); `run
//! --discover` of the same stacks writes the same world file.
//!
//! Needs a Python with `moto[server]==4.2.14`, `boto3==1.40.18` and `botocore==1.40.18`:
//! `OPSWORKS_CONFORMANCE_MOTO_PYTHON`, else `$TMPDIR/opsworks-conformance-moto/bin/python`
//! (where `.ci/run` installs it). Without one the tests panic, saying so.
#![cfg(feature = "cli")]

use std::ffi::OsString;
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

/// `opsworks-conformance run` against `url`, without credentials in its environment or a
/// shared profile (so it signs with the fixed test key).
fn gate(url: &str, world: &Path, json: &Path, extra: &[&str]) -> Gate {
    gate_with(url, &["--world".into(), world.into()], json, extra)
}

/// [`gate`] with other arguments than `--world`.
fn gate_with(url: &str, args: &[OsString], json: &Path, extra: &[&str]) -> Gate {
    let output = Command::new(BINARY)
        .args(["run", "--endpoint", url, "--seed", "16"])
        .args(args)
        .arg("--json")
        .arg(json)
        .args(extra)
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_PROFILE")
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            json.with_extension("no-credentials"),
        )
        .env("AWS_CONFIG_FILE", json.with_extension("no-config"))
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

// ---------------------------------------------------------------------------------------------
// --provision, --cleanup, --discover (issue 21)
// ---------------------------------------------------------------------------------------------

#[cfg(feature = "sdk")]
/// What `world.py describe` prints, as the world file's shape: per stack (sorted by id) its
/// apps' ids and types, its layers' ids, its instances' ids and layers, all sorted.
fn described(python: &Path, url: &str) -> Value {
    let text = boto3(python, &["describe", url]);
    let state: Value = serde_json::from_str(&text).expect("world.py prints JSON");
    let sorted = |mut items: Vec<Value>| {
        items.sort_by_key(|item| item.to_string());
        Value::Array(items)
    };
    Value::Array(
        state
            .as_array()
            .into_iter()
            .flatten()
            .map(|stack| {
                serde_json::json!({
                    "StackId": stack["StackId"],
                    "Apps": sorted(stack["Apps"].as_array().into_iter().flatten()
                        .map(|app| serde_json::json!([app[0], app[2]])).collect()),
                    "Layers": sorted(stack["Layers"].as_array().into_iter().flatten()
                        .map(|layer| layer[0].clone()).collect()),
                    "Instances": sorted(stack["Instances"].as_array().into_iter().flatten()
                        .map(|instance| {
                            let mut layers: Vec<Value> = instance[1].as_array().cloned().unwrap_or_default();
                            layers.sort_by_key(|layer| layer.to_string());
                            serde_json::json!([instance[0], layers])
                        }).collect()),
                })
            })
            .collect(),
    )
}

#[cfg(feature = "sdk")]
/// The same shape from a world file.
fn world_shape(world: &opsworks_conformance::world::World) -> Value {
    let mut stacks: Vec<Value> = world
        .stacks
        .iter()
        .map(|stack| {
            let mut apps: Vec<Value> = stack
                .apps
                .iter()
                .map(|app| serde_json::json!([app.app_id, app.app_type.as_str()]))
                .collect();
            apps.sort_by_key(|item| item.to_string());
            let mut layers: Vec<Value> = stack
                .layers
                .iter()
                .map(|layer| Value::from(layer.layer_id.clone()))
                .collect();
            layers.sort_by_key(|item| item.to_string());
            let mut instances: Vec<Value> = stack
                .instances
                .iter()
                .map(|instance| {
                    let mut layers = instance.layer_ids.clone();
                    layers.sort();
                    serde_json::json!([instance.instance_id, layers])
                })
                .collect();
            instances.sort_by_key(|item| item.to_string());
            serde_json::json!({
                "StackId": stack.stack_id, "Apps": apps, "Layers": layers, "Instances": instances,
            })
        })
        .collect();
    stacks.sort_by_key(|stack| stack["StackId"].to_string());
    Value::Array(stacks)
}

#[cfg(feature = "sdk")]
/// The operations of a JSON list of calls (`provisioning.calls`).
fn operations_of(calls: &Value) -> Vec<String> {
    calls
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|call| call["operation"].as_str())
        .map(|operation| format!("OpsWorks_20130218.{operation}"))
        .collect()
}

#[cfg(feature = "sdk")]
/// `run --provision --cleanup` against moto needs no world file: the world is created through
/// moto's Create* operations (the same world moto's Describe* answers then show), the run finds
/// moto's missing CreateDeployment (P-NO-SERVER-ERROR), and cleanup lists every resource, since
/// moto implements no Delete*. Then `run --discover` of those stacks writes the same world
/// file, with Describe* calls only.
fn provision_against_moto(service: Option<&str>) {
    let python = moto_python();
    let dir = TempDir::new("moto-provision");
    let moto = Moto::start(&python, service, dir.path("targets.txt"));
    let world_out = dir.path("world.json");
    let run = gate_with(
        &moto.url,
        &[
            "--provision".into(),
            "--cleanup".into(),
            "--world-out".into(),
            world_out.clone().into(),
        ],
        &dir.path("report.json"),
        &["--cases", "400"],
    );
    // What reached moto during the run (before the Describe* calls of world.py below).
    let mut sent = moto.targets();
    let report = &run.report;
    let context = format!("mode {service:?}\n{}", run.stdout);
    assert_eq!(run.code, Some(1), "{context}");
    assert_eq!(status(report, "P-NO-SERVER-ERROR"), "failed", "{context}");
    assert_eq!(
        run.stdout.lines().next(),
        Some(format!("opsworks-conformance: {} (seed 16)", moto.url).as_str()),
        "{context}"
    );

    // The world written is the one moto holds.
    let world = opsworks_conformance::world::World::from_file(&world_out).expect("a world file");
    assert_eq!(world.stacks.len(), 3, "{context}");
    assert!(world.users.is_empty());
    assert_eq!(
        world_shape(&world),
        described(&python, &moto.url),
        "{context}"
    );

    // The report lists the calls; moto deleted nothing, and every resource is listed as left.
    let provisioning = &report["provisioning"];
    assert_eq!(provisioning["mode"], "provisioned");
    let created = provisioning["created"].as_array().map_or(0, Vec::len);
    assert_eq!(created, 20, "{context}");
    assert_eq!(
        provisioning["cleanup"]["deleted"],
        serde_json::json!([]),
        "{context}"
    );
    let remaining = provisioning["cleanup"]["remaining"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(remaining.len(), created, "{context}");
    assert_eq!(provisioning["left"].as_array().map_or(0, Vec::len), created);
    for left in &remaining {
        let reason = left["reason"].as_str().unwrap_or_default();
        assert!(
            reason.starts_with("DeleteApp: HTTP 500")
                || reason.starts_with("DeleteInstance: HTTP 500")
                || reason.starts_with("DeleteLayer: HTTP 500")
                || reason.starts_with("DeleteLayer not sent: an instance of its stack is left")
                || reason.starts_with("DeleteStack not sent: "),
            "{left}"
        );
    }
    assert!(
        run.stdout.contains("cleanup: 0 of 20 resources deleted"),
        "{context}"
    );
    assert_eq!(run.stdout.matches("\n  left: ").count(), 20, "{context}");

    // What reached moto: the provisioning calls, then only CreateDeployment (or names the API
    // does not have), then the cleanup calls, exactly as the report lists them.
    // (After the reachability check: one POST without headers.)
    assert_eq!(
        sent.first().map(String::as_str),
        Some("-"),
        "mode {service:?}"
    );
    sent.remove(0);
    let calls = operations_of(&provisioning["calls"]);
    let cleanup = operations_of(&provisioning["cleanup"]["calls"]);
    assert_eq!(sent[..calls.len()], calls[..], "mode {service:?}");
    assert_eq!(
        sent[sent.len() - cleanup.len()..],
        cleanup[..],
        "mode {service:?}"
    );
    let operations = api_operations(&python);
    for target in &sent[calls.len()..sent.len() - cleanup.len()] {
        for name in target.split(',').map(str::trim) {
            assert!(
                name == "OpsWorks_20130218.CreateDeployment"
                    || !operations.iter().any(|op| op == name),
                "the run sent {name:?} ({target:?}), mode {service:?}"
            );
        }
    }

    // Discovery of the provisioned stacks gives the same world file, with Describe* only.
    let already = moto.targets().len();
    let discovered_out = dir.path("discovered.json");
    let mut args: Vec<OsString> = vec!["--discover".into()];
    args.extend(
        world
            .stacks
            .iter()
            .map(|stack| OsString::from(&stack.stack_id)),
    );
    args.extend(["--world-out".into(), discovered_out.clone().into()]);
    let run = gate_with(
        &moto.url,
        &args,
        &dir.path("discovered.report.json"),
        &["--cases", "200"],
    );
    assert_eq!(run.code, Some(1), "{}", run.stdout);
    assert_eq!(
        std::fs::read_to_string(&discovered_out).expect("written"),
        std::fs::read_to_string(&world_out).expect("written"),
        "mode {service:?}"
    );
    let provisioning = &run.report["provisioning"];
    assert_eq!(provisioning["mode"], "discovered");
    let describes = operations_of(&provisioning["calls"]);
    assert_eq!(describes.len(), 1 + 3 * 3);
    let mut sent = moto.targets().split_off(already);
    assert_eq!(
        sent.first().map(String::as_str),
        Some("-"),
        "mode {service:?}"
    );
    sent.remove(0);
    assert_eq!(sent[..describes.len()], describes[..]);
    for target in &sent[describes.len()..] {
        for name in target.split(',').map(str::trim) {
            assert!(
                name == "OpsWorks_20130218.CreateDeployment"
                    || !operations.iter().any(|op| op == name),
                "the discovery run sent {name:?}, mode {service:?}"
            );
        }
    }
    // moto's DescribeApps answers hold `Environment` as an object, which aws-sdk-opsworks cannot
    // read: the report says the ids were read from the JSON.
    assert!(
        provisioning["notes"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|note| note
                .as_str()
                .unwrap_or_default()
                .starts_with("DescribeApps of stack ")),
        "{provisioning}"
    );
}

#[cfg(feature = "sdk")]
#[test]
fn moto_opsworks_only_provision_cleanup_discover() {
    provision_against_moto(Some("opsworks"));
}

#[cfg(feature = "sdk")]
#[test]
fn moto_all_services_provision_cleanup_discover() {
    provision_against_moto(None);
}
