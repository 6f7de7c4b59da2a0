//! A small correct implementation built on Python's standard `json` module
//! (`examples/python-json/server.py`) passes the gate, in default and `--strict` mode, on both
//! bundled worlds; a UTF-8 byte order mark before a valid body (which `json.loads(bytes)`
//! skips, as RFC 8259 section 8.1 allows) is judged as M-JSON-LIMITS information, never as a
//! failure; and what `json.loads` would let through that is not JSON text is refused.
//!
//! The server runs on the Python named by `OPSWORKS_CONFORMANCE_PLAIN_PYTHON`, else `python3`
//! on `PATH` (standard library only); the tests panic when neither runs.
#![cfg(feature = "cli")]

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, SystemTime};

use opsworks_conformance::contract::{RawRequest, Signing, rules};
use opsworks_conformance::oracle::{
    Behaviour, CallerIdentity, Status, judge_request, judge_response,
};
use opsworks_conformance::sigv4;
use opsworks_conformance::target::{HttpTarget, Target};
use opsworks_conformance::world::World;
use serde_json::Value;

const BINARY: &str = env!("CARGO_BIN_EXE_opsworks-conformance");
const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const PYTHON_VARIABLE: &str = "OPSWORKS_CONFORMANCE_PLAIN_PYTHON";

fn server_script() -> PathBuf {
    Path::new(ROOT).join("examples/python-json/server.py")
}

fn world_file(name: &str) -> PathBuf {
    Path::new(ROOT).join("worlds").join(name)
}

/// Whether `program --version` runs and says it is Python 3.
fn runs_python3(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .is_ok_and(|output| {
            let said = [output.stdout, output.stderr].concat();
            output.status.success() && String::from_utf8_lossy(&said).starts_with("Python 3.")
        })
}

/// The Python to run the server with: `$OPSWORKS_CONFORMANCE_PLAIN_PYTHON`, else `python3`.
fn python() -> String {
    let mut tried = Vec::new();
    if let Ok(program) = std::env::var(PYTHON_VARIABLE) {
        if runs_python3(&program) {
            return program;
        }
        tried.push(format!("${PYTHON_VARIABLE} = {program:?}"));
    }
    if runs_python3("python3") {
        return "python3".to_owned();
    }
    tried.push("python3 on PATH".to_owned());
    panic!(
        "these tests need a Python 3 interpreter to run examples/python-json/server.py \
         (standard library only); none runs (tried {}). Install python3 or set {PYTHON_VARIABLE}.",
        tried.join(", ")
    );
}

/// The Python server on 127.0.0.1 (a free port), killed when dropped.
struct PythonServer {
    child: Child,
    url: String,
}

impl PythonServer {
    /// Starts the server on this world and reads the address from its first line.
    fn start(world: &Path) -> PythonServer {
        let mut child = Command::new(python())
            .arg(server_script())
            .arg("--world")
            .arg(world)
            .args(["--listen", "127.0.0.1:0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start the Python server: {error}"));
        let stdout = child.stdout.take().expect("stdout is piped");
        let (line_tx, line_rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = line_tx.send(line);
        });
        let line = line_rx.recv_timeout(Duration::from_secs(20));
        let url = line
            .as_deref()
            .ok()
            .and_then(|line| line.strip_prefix("listening on "))
            .map(|url| url.trim_end().to_owned());
        let Some(url) = url else {
            let _ = child.kill();
            let mut stderr = String::new();
            if let Some(mut pipe) = child.stderr.take() {
                let _ = pipe.read_to_string(&mut stderr);
            }
            let _ = child.wait();
            panic!(
                "expected `listening on http://127.0.0.1:PORT` from the Python server, found \
                 {line:?}; its stderr: {stderr}"
            );
        };
        // Its stderr (tracebacks of internal errors) is read so that it never blocks, and shown.
        if let Some(stderr) = child.stderr.take() {
            std::thread::spawn(move || {
                for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                    eprintln!("[python-json] {line}");
                }
            });
        }
        PythonServer { child, url }
    }
}

impl Drop for PythonServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The gate's output for a failure message: without progress lines, each line cut to 300
/// characters (a counterexample's body can be hundreds of kilobytes).
fn brief(output: &[u8]) -> String {
    String::from_utf8_lossy(output)
        .lines()
        .filter(|line| !line.ends_with("non-conforming answers"))
        .map(|line| match line.char_indices().nth(300) {
            Some((cut, _)) => format!("{}...\n", &line[..cut]),
            None => format!("{line}\n"),
        })
        .collect()
}

/// Runs the gate's CLI against `url` with `world`; asserts that it exits 0 with a passing
/// report whose M-JSON-LIMITS is informational, and returns the report.
fn assert_gate_passes(url: &str, world: &Path, extra: &[&str]) -> Value {
    let stamp = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_nanos());
    let report_path = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("python-json-{}-{stamp}.json", std::process::id()));
    let output = Command::new(BINARY)
        .args(["run", "--endpoint", url, "--world"])
        .arg(world)
        .arg("--json")
        .arg(&report_path)
        .args(extra)
        .stdin(Stdio::null())
        .output()
        .expect("the gate's binary runs");
    let shown = format!(
        "gate {extra:?} on {}:\n{}",
        world.display(),
        brief(&[output.stdout, output.stderr].concat())
    );
    let text = std::fs::read_to_string(&report_path)
        .unwrap_or_else(|error| panic!("no JSON report ({error}); {shown}"));
    let _ = std::fs::remove_file(&report_path);
    let report: Value =
        serde_json::from_str(&text).unwrap_or_else(|error| panic!("report: {error}; {shown}"));
    assert_eq!(output.status.code(), Some(0), "{shown}");
    assert_eq!(report["verdict"], "pass", "{shown}");
    let rules = report["rules"].as_array().expect("the report lists rules");
    let status_of = |id: &str| {
        rules
            .iter()
            .find(|rule| rule["id"] == id)
            .map(|rule| rule["status"].clone())
    };
    assert_eq!(
        status_of("M-JSON-LIMITS"),
        Some(Value::from("informational")),
        "{shown}"
    );
    // The server answers `""` ids ResourceNotFoundException (as N-* ask for unknown ids): that
    // is M-EMPTY-STRING-IDS's choice, recorded, never "no case reached the rule".
    let empty_ids = rules.iter().find(|rule| rule["id"] == "M-EMPTY-STRING-IDS");
    assert_eq!(
        empty_ids.map(|rule| (rule["status"].clone(), rule["behaviour"].clone())),
        Some((
            Value::from("informational"),
            Value::from("rejected (ResourceNotFoundException)")
        )),
        "{shown}"
    );
    for rule in rules {
        assert!(
            !matches!(rule["status"].as_str(), Some("failed" | "warned")),
            "{rule}\n{shown}"
        );
    }
    report
}

/// Both modes against a fresh server each (a run uses up stored versions with its rollbacks).
fn assert_passes_in_both_modes(world: &str) {
    let world = world_file(world);
    let server = PythonServer::start(&world);
    let report = assert_gate_passes(&server.url, &world, &[]);
    assert_eq!(report["strict"], false);
    drop(server);
    let server = PythonServer::start(&world);
    let report = assert_gate_passes(&server.url, &world, &["--strict", "--seed", "1"]);
    assert_eq!(report["strict"], true);
}

#[test]
fn the_gate_passes_the_python_json_server_on_the_default_world() {
    assert_passes_in_both_modes("default.json");
}

#[test]
fn the_gate_passes_the_python_json_server_on_the_world_with_users() {
    assert_passes_in_both_modes("with-users.json");
}

/// A valid body, as the gate's valid cases send it.
fn valid_body(world: &World) -> String {
    format!(
        r#"{{"StackId":"{}","Command":{{"Name":"configure"}}}}"#,
        world.stacks[0].stack_id
    )
}

/// Needs catalogue version 2: a BOM before the JSON text is M-JSON-LIMITS (accepted or refused),
/// no longer P-MALFORMED-JSON.
#[test]
fn a_bom_before_a_valid_body_is_accepted_and_judged_as_json_limits_information() {
    let world = World::bundled();
    let server = PythonServer::start(&world_file("default.json"));
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    let target = HttpTarget::new(&server.url).expect("an HTTP target");
    let body = [b"\xef\xbb\xbf".as_slice(), valid_body(&world).as_bytes()].concat();
    let request = RawRequest::json(body);
    let response = runtime.block_on(target.send(&request));
    let observation = response.as_ref().expect("an answer");
    assert_eq!(observation.status, 200, "{observation:?}");
    let verdict = judge_request(&world, &request, &CallerIdentity::Unsigned);
    let judgement = judge_response(&verdict, &response);
    assert!(judgement.conforms(true), "{judgement}");
    assert_eq!(
        judgement.status_of(rules::M_JSON_LIMITS),
        Some(Status::Informational),
        "{judgement:?}"
    );
    assert!(
        judgement
            .checks
            .iter()
            .any(|check| check.rule == rules::M_JSON_LIMITS
                && check.behaviour == Some(Behaviour::Accepted)),
        "{judgement:?}"
    );
}

/// What `json.loads` reads but RFC 8259 does not call JSON text, and what makes it fail in
/// other ways than a syntax error: each answered with a 4xx that the oracle judges conforming
/// (never a 5xx, never a success).
#[test]
fn what_json_loads_would_let_through_is_refused() {
    let world = World::bundled();
    let server = PythonServer::start(&world_file("default.json"));
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    let target = HttpTarget::new(&server.url).expect("an HTTP target");
    let stack = &world.stacks[0].stack_id;
    let utf16: Vec<u8> = valid_body(&world)
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let mut invalid_utf8 = valid_body(&world).into_bytes();
    invalid_utf8.splice(12..12, [0xed, 0xa0, 0x80]); // an encoded surrogate
    let bodies: Vec<(&str, Vec<u8>)> = vec![
        ("NaN", format!(r#"{{"StackId":"{stack}","Command":{{"Name":"setup"}},"Comment":NaN}}"#).into_bytes()),
        ("-Infinity", format!(r#"{{"StackId":"{stack}","Command":{{"Name":"setup"}},"x":-Infinity}}"#).into_bytes()),
        ("NaN in CustomJson", format!(r#"{{"StackId":"{stack}","Command":{{"Name":"setup"}},"CustomJson":"{{\"a\":NaN}}"}}"#).into_bytes()),
        ("Infinity in CustomJson", format!(r#"{{"StackId":"{stack}","Command":{{"Name":"setup"}},"CustomJson":"{{\"a\":Infinity}}"}}"#).into_bytes()),
        ("UTF-16", utf16),
        ("an encoded surrogate", invalid_utf8),
        ("two BOMs", [b"\xef\xbb\xbf\xef\xbb\xbf".as_slice(), valid_body(&world).as_bytes()].concat()),
        ("a BOM alone", b"\xef\xbb\xbf".to_vec()),
        ("deep nesting", format!("{}{}", "[".repeat(50_000), "]".repeat(50_000)).into_bytes()),
        ("deep CustomJson", format!(
            r#"{{"StackId":"{stack}","Command":{{"Name":"setup"}},"CustomJson":"{}1{}"}}"#,
            r#"{\"a\":"#.repeat(20_000),
            "}".repeat(20_000)
        ).into_bytes()),
        ("an integer of 5000 digits", format!(
            r#"{{"StackId":"{stack}","Command":{{"Name":"setup"}},"x":{}}}"#,
            "7".repeat(5000)
        ).into_bytes()),
    ];
    for (label, body) in bodies {
        let request = RawRequest::json(body);
        let response = runtime.block_on(target.send(&request));
        let observation = response.as_ref().expect("an answer");
        assert!(
            (400..500).contains(&observation.status),
            "{label}: expected a 4xx, found {observation:?}"
        );
        let verdict = judge_request(&world, &request, &CallerIdentity::Unsigned);
        let judgement = judge_response(&verdict, &response);
        assert!(judgement.conforms(true), "{label}: {judgement}");
    }
}

/// The server's own SigV4 verification (hmac and hashlib) agrees with the crate's signer: a
/// user's signature verifies, a wrong secret or an unknown key is refused.
#[test]
fn sigv4_signatures_verify_as_the_crate_signs_them() {
    let world = World::bundled_with_users();
    let server = PythonServer::start(&world_file("with-users.json"));
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    let target = HttpTarget::new(&server.url).expect("an HTTP target");
    let authority = server.url.trim_start_matches("http://");
    let deployer = "AKIDDEPLOYER0000001".to_owned();
    let cases = [
        (Signing::As(deployer.clone()), 200, None),
        (
            Signing::Unsigned,
            403,
            Some("MissingAuthenticationTokenException"),
        ),
        (
            Signing::WrongSecret(deployer),
            403,
            Some("InvalidSignatureException"),
        ),
        (
            Signing::UnknownKey("AKIDUNKNOWN000000000".to_owned()),
            403,
            Some("UnrecognizedClientException"),
        ),
    ];
    for (signing, status, code) in cases {
        let request = sigv4::apply(
            &RawRequest::json(valid_body(&world)),
            &signing,
            &world,
            authority,
            "us-east-1",
            SystemTime::now(),
        );
        let response = runtime.block_on(target.send(&request));
        let observation = response.as_ref().expect("an answer");
        assert_eq!(observation.status, status, "{signing:?}: {observation:?}");
        if let Some(code) = code {
            let body: Value = serde_json::from_slice(&observation.body).expect("a JSON body");
            assert_eq!(body["__type"], code, "{signing:?}");
        }
        let caller = sigv4::verify(&request, &world, "us-east-1");
        let verdict = judge_request(&world, &request, &caller);
        let judgement = judge_response(&verdict, &response);
        assert!(judgement.conforms(true), "{signing:?}: {judgement}");
    }
}
