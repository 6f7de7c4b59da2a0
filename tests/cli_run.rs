//! `opsworks-conformance run`, the built binary: exit codes 0, 1 and 2 as `INTERFACES.md`
//! says, the JSON and JUnit reports, `--only`, `--world`, the known-failures ledger, and no
//! secret of the world file in any output.
#![cfg(feature = "cli")]

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use opsworks_conformance::contract::{RawRequest, wire};
use opsworks_conformance::generate::server_rules;
use opsworks_conformance::target::{ClaimedKey, ReferenceTarget, Target, from_fn};
use opsworks_conformance::world::World;
use serde_json::Value;

#[path = "support/served.rs"]
mod served;
#[path = "support/temp_dir.rs"]
mod temp_dir;
use served::Served;
use temp_dir::TempDir;

const BINARY: &str = env!("CARGO_BIN_EXE_opsworks-conformance");

/// What a run of the binary left behind.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    elapsed: Duration,
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {:?} after {:?}\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.elapsed, self.stdout, self.stderr
        )
    }
}

/// Runs `opsworks-conformance run ARGS...` to its end.
fn run(args: &[&str]) -> Run {
    let started = Instant::now();
    let output = Command::new(BINARY)
        .arg("run")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs");
    let run = Run {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        elapsed: started.elapsed(),
    };
    eprintln!("run {args:?}: exit {:?} in {:?}", run.code, run.elapsed);
    run
}

fn text(path: &Path) -> String {
    path.to_str().expect("temporary paths are UTF-8").to_owned()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path)
        .unwrap_or_else(|error| panic!("{} is readable: {error}", path.display()))
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&read(path)).expect("the JSON report is JSON")
}

/// The last line of standard output that is not empty.
fn last_line(run: &Run) -> &str {
    run.stdout
        .lines()
        .rev()
        .find(|line| !line.trim().is_empty())
        .unwrap_or("")
}

/// The ids of the rules of a JSON report with this status.
fn rules_with_status(json: &Value, status: &str) -> Vec<String> {
    json["rules"]
        .as_array()
        .expect("rules is an array")
        .iter()
        .filter(|rule| rule["status"] == status)
        .map(|rule| rule["id"].as_str().expect("an id").to_owned())
        .collect()
}

/// Checks that no `SecretAccessKey` of `world` appears in any of the texts.
#[track_caller]
fn assert_no_secret(world: &World, texts: &[(&str, &str)]) {
    assert!(world.has_users());
    for user in &world.users {
        for (name, text) in texts {
            assert!(
                !text.contains(user.secret_access_key.as_str()),
                "the secret of {} appears in {name}",
                user.access_key_id
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// A broken server for the binary to test
// ---------------------------------------------------------------------------------------------

/// The reference target with a defect, served over HTTP on 127.0.0.1 by a thread with a tokio
/// runtime of its own; stopped (and the thread joined) when dropped.
type BrokenServer = Served;

impl BrokenServer {
    /// The defect: in this world (with users), the access key id of a request is taken at its
    /// word and the signature never checked (A-SIGNATURE-VALID).
    fn ignoring_signatures(world: &World) -> BrokenServer {
        let target = ReferenceTarget::new(world.clone()).with_authenticator(ClaimedKey);
        BrokenServer::serving(target)
    }

    /// The defect: every CreateDeployment request (one with `X-Amz-Target`) is answered only
    /// after 3 s, ten times the runs' timeout (long enough to be a hang for the gate, short
    /// enough for the server to stop soon); the gate's probe (no `X-Amz-Target`) at once.
    fn hanging(world: &World) -> BrokenServer {
        let reference = Arc::new(ReferenceTarget::new(world.clone()));
        BrokenServer::serving(from_fn(move |request: RawRequest| {
            let reference = Arc::clone(&reference);
            async move {
                if request.header(wire::TARGET_HEADER).is_some() {
                    tokio::time::sleep(Duration::from_secs(3)).await;
                }
                reference.send(&request).await
            }
        }))
    }

    /// Serves `target` over HTTP on 127.0.0.1.
    fn serving(target: impl Target + 'static) -> BrokenServer {
        Served::start(target)
    }
}

// ---------------------------------------------------------------------------------------------
// A target that hangs: exit 1, quickly, over HTTP and through the SDK
// ---------------------------------------------------------------------------------------------

#[test]
fn a_hanging_target_fails_within_a_few_timeouts_over_http_and_through_the_sdk() {
    let world = World::bundled();
    let server = BrokenServer::hanging(&world);
    // Through the SDK only in a build that has it (`--features sdk`).
    let vias: &[&str] = if cfg!(feature = "sdk") {
        &["http", "sdk"]
    } else {
        &["http"]
    };
    for &via in vias {
        let dir = TempDir::new("cli-run");
        let json = dir.path("report.json");
        let run = run(&[
            "--endpoint",
            &server.url,
            "--via",
            via,
            "--timeout-ms",
            "300",
            "--cases",
            "300",
            "--json",
            &text(&json),
        ]);
        assert_eq!(run.code, Some(1), "{via}: {run}");
        // Timeouts of 300 ms (8 in flight at once), then the cases left are not sent.
        assert!(run.elapsed < Duration::from_secs(20), "{via}: {run}");
        let report = read_json(&json);
        assert!(
            rules_with_status(&report, "failed").contains(&"P-NO-SERVER-ERROR".to_owned()),
            "{via}: {report}"
        );
        let failure = report["rules"]
            .as_array()
            .and_then(|rules| rules.iter().find(|rule| rule["id"] == "P-NO-SERVER-ERROR"))
            .map(|rule| rule["counterexample"]["observed"]["error"].clone())
            .unwrap_or_default();
        assert_eq!(
            failure, "timed out: no complete response within 300 ms",
            "{via}: {report}"
        );
        // At least 3 timeouts (8 were in flight together, then a shrinking step); at most 16.
        let gave_up = (3..=16).any(|n| {
            run.stdout.contains(&format!(
                "note: the gate gave up on the target after {n} requests got no complete response within 300 ms"
            ))
        });
        assert!(gave_up, "{via}: {run}");
    }
}

// ---------------------------------------------------------------------------------------------
// Exit 0: the reference server conforms
// ---------------------------------------------------------------------------------------------

#[test]
fn run_without_arguments_passes_the_reference_server() {
    // The README's main command: the built-in reference server, the bundled world.
    let run = run(&[]);
    assert_eq!(run.code, Some(0), "{run}");
    assert!(last_line(&run).starts_with("verdict: pass"), "{run}");
    assert!(
        run.stderr
            .contains("started the reference server at http://127.0.0.1:"),
        "{run}"
    );
}

/// A minimal check that `xml` is well-formed: tags nest and close, attribute values are quoted,
/// text holds no raw `<` and only the five predefined entities or character references. Returns
/// the start tags in order, as (name, attributes text).
fn well_formed(xml: &str) -> Vec<(String, String)> {
    let mut stack: Vec<String> = Vec::new();
    let mut tags = Vec::new();
    let mut rest = xml.trim_start();
    if let Some(after) = rest.strip_prefix("<?xml") {
        let end = after.find("?>").expect("the XML declaration ends");
        rest = &after[end + 2..];
    }
    let check_text = |text: &str| {
        let mut pieces = text.split('&');
        pieces.next();
        for piece in pieces {
            let entity = piece.split(';').next().expect("split gives a piece");
            assert!(
                piece.contains(';')
                    && (["lt", "gt", "amp", "quot", "apos"].contains(&entity)
                        || entity.starts_with('#')),
                "a bare & in XML text: &{piece:.20}"
            );
        }
    };
    while !rest.is_empty() {
        let Some(open) = rest.find('<') else {
            check_text(rest);
            assert!(rest.trim().is_empty(), "text after the root element");
            break;
        };
        check_text(&rest[..open]);
        rest = &rest[open..];
        if let Some(after) = rest.strip_prefix("<!--") {
            let end = after.find("-->").expect("a comment ends");
            rest = &after[end + 3..];
        } else if let Some(after) = rest.strip_prefix("<![CDATA[") {
            let end = after.find("]]>").expect("a CDATA section ends");
            rest = &after[end + 3..];
        } else if let Some(after) = rest.strip_prefix("</") {
            let end = after.find('>').expect("an end tag ends");
            let name = after[..end].trim();
            assert_eq!(stack.pop().as_deref(), Some(name), "end tag </{name}>");
            rest = &after[end + 1..];
        } else {
            // A start tag: find its end outside quoted attribute values.
            let mut quote = None;
            let mut end = None;
            for (index, c) in rest.char_indices().skip(1) {
                match (quote, c) {
                    (None, '"' | '\'') => quote = Some(c),
                    (Some(q), c) if c == q => quote = None,
                    (None, '<') => panic!("< inside a tag: {:.40}", rest),
                    (None, '>') => {
                        end = Some(index);
                        break;
                    }
                    _ => {}
                }
            }
            let end = end.expect("a start tag ends");
            let inner = &rest[1..end];
            let (inner, empty) = match inner.strip_suffix('/') {
                Some(inner) => (inner, true),
                None => (inner, false),
            };
            let name_end = inner.find(char::is_whitespace).unwrap_or(inner.len());
            let (name, attributes) = inner.split_at(name_end);
            assert!(!name.is_empty(), "a tag without a name");
            // Attributes: name="value" pairs.
            let mut attrs = attributes.trim();
            while !attrs.is_empty() {
                let eq = attrs.find('=').expect("an attribute has a value");
                let value = attrs[eq + 1..].trim_start();
                let q = value.chars().next().expect("a quoted value");
                assert!(q == '"' || q == '\'', "an unquoted attribute value");
                let close = value[1..].find(q).expect("the value's quote closes");
                check_text(&value[1..=close]);
                attrs = value[close + 2..].trim_start();
            }
            tags.push((name.to_owned(), attributes.to_owned()));
            if !empty {
                stack.push(name.to_owned());
            }
            rest = &rest[end + 1..];
        }
        if stack.is_empty() && !tags.is_empty() {
            assert!(rest.trim().is_empty(), "content after the root element");
            break;
        }
    }
    assert!(stack.is_empty(), "unclosed elements: {stack:?}");
    tags
}

/// The value of an attribute in a start tag's attribute text.
fn attribute(attributes: &str, name: &str) -> Option<String> {
    let at = attributes.find(&format!(" {name}=\""))? + name.len() + 3;
    let end = attributes[at..].find('"')?;
    Some(attributes[at..at + end].to_owned())
}

#[test]
fn strict_run_writes_the_json_and_junit_reports() {
    let dir = TempDir::new("cli-run");
    let (json_path, junit_path) = (dir.path("report.json"), dir.path("report.xml"));
    let run = run(&[
        "--strict",
        "--seed",
        "3",
        "--cases",
        "300",
        "--json",
        &text(&json_path),
        "--junit",
        &text(&junit_path),
    ]);
    assert_eq!(run.code, Some(0), "{run}");

    // The JSON report, as INTERFACES.md shows it.
    let json = read_json(&json_path);
    assert_eq!(json["tool"], "opsworks-conformance");
    assert_eq!(json["version"], env!("CARGO_PKG_VERSION"));
    assert!(json["catalogue"].is_u64(), "{json}");
    assert!(
        json["target"]
            .as_str()
            .is_some_and(|target| target.starts_with("http://127.0.0.1:")),
        "{}",
        json["target"]
    );
    assert_eq!(json["seed"], 3);
    assert_eq!(json["strict"], true);
    assert_eq!(json["verdict"], "pass");
    let summary = &json["summary"];
    assert!(summary["cases"].as_u64().is_some_and(|cases| cases >= 300));
    let rules = json["rules"].as_array().expect("rules is an array");
    for (key, status) in [
        ("passed", "passed"),
        ("failed", "failed"),
        ("warned", "warned"),
        ("informational", "informational"),
        ("not_applicable", "not_applicable"),
    ] {
        let counted = rules_with_status(&json, status).len();
        assert_eq!(summary[key].as_u64(), Some(counted as u64), "summary.{key}");
    }
    assert_eq!(summary["failed"], 0);
    assert_eq!(summary["warned"], 0);
    for rule in rules {
        assert!(rule["id"].is_string(), "{rule}");
        assert!(
            ["MUST", "SHOULD", "MAY"].contains(&rule["severity"].as_str().unwrap_or("")),
            "{rule}"
        );
        assert!(
            ["passed", "informational", "not_applicable"]
                .contains(&rule["status"].as_str().unwrap_or("")),
            "{rule}"
        );
        assert!(rule["cases"].is_u64(), "{rule}");
        assert!(rule.get("counterexample").is_none(), "{rule}");
        if rule["status"] == "informational" {
            assert!(rule["behaviour"].is_string(), "{rule}");
        }
    }
    // Every server rule of the catalogue appears once, in catalogue order.
    let ids: Vec<&str> = rules
        .iter()
        .filter_map(|rule| rule["id"].as_str())
        .collect();
    let catalogue: Vec<&str> = server_rules().iter().map(|rule| rule.as_str()).collect();
    assert_eq!(ids, catalogue);

    // The JUnit report: well-formed XML, one test case per rule, none failed.
    let junit = read(&junit_path);
    let tags = well_formed(&junit);
    let cases: Vec<String> = tags
        .iter()
        .filter(|(name, _)| name == "testcase")
        .map(|(_, attributes)| attribute(attributes, "name").expect("a testcase has a name"))
        .collect();
    assert_eq!(cases, catalogue, "one test case per rule");
    assert!(!tags.iter().any(|(name, _)| name == "failure"), "{junit}");
    let suite = tags
        .iter()
        .find(|(name, _)| name == "testsuite")
        .expect("a test suite");
    assert_eq!(
        attribute(&suite.1, "tests"),
        Some(catalogue.len().to_string())
    );
    let skipped = tags.iter().filter(|(name, _)| name == "skipped").count();
    assert_eq!(
        skipped as u64,
        summary["not_applicable"].as_u64().unwrap_or(0)
    );
}

#[test]
fn only_reports_the_selected_rules() {
    let dir = TempDir::new("cli-run");
    let json_path = dir.path("report.json");
    let run = run(&[
        "--only",
        "V-*",
        "--cases",
        "300",
        "--json",
        &text(&json_path),
    ]);
    assert_eq!(run.code, Some(0), "{run}");
    let json = read_json(&json_path);
    let rules = json["rules"].as_array().expect("rules is an array");
    assert!(!rules.is_empty());
    for rule in rules {
        let id = rule["id"].as_str().expect("an id");
        assert!(id.starts_with("V-"), "{id}");
    }
    assert_eq!(json["verdict"], "pass");
    for line in run.stdout.lines().filter(|line| line.starts_with("pass ")) {
        assert!(line[4..].trim_start().starts_with("V-"), "{line}");
    }
}

#[test]
fn a_world_with_users_is_signed_for_and_its_secrets_never_show() {
    let world = World::bundled_with_users();
    let dir = TempDir::new("cli-run");
    let world_path = dir.write("world.json", &world.to_json_pretty());
    let (json_path, junit_path) = (dir.path("report.json"), dir.path("report.xml"));
    let run = run(&[
        "--world",
        &world_path,
        "--cases",
        "300",
        "--json",
        &text(&json_path),
        "--junit",
        &text(&junit_path),
    ]);
    assert_eq!(run.code, Some(0), "{run}");
    let json = read_json(&json_path);
    let access: Vec<&Value> = json["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .filter(|rule| rule["id"].as_str().is_some_and(|id| id.starts_with("A-")))
        .collect();
    assert_eq!(access.len(), 4, "{json}");
    for rule in access {
        assert_eq!(rule["status"], "passed", "{rule}");
    }
    let (json_text, junit_text) = (read(&json_path), read(&junit_path));
    assert_no_secret(
        &world,
        &[
            ("stdout", &run.stdout),
            ("stderr", &run.stderr),
            ("the JSON report", &json_text),
            ("the JUnit report", &junit_text),
        ],
    );
}

// ---------------------------------------------------------------------------------------------
// Exit 2: the run could not be made
// ---------------------------------------------------------------------------------------------

#[test]
fn an_unreachable_endpoint_exits_2_quickly() {
    let run = run(&["--endpoint", "http://127.0.0.1:1", "--cases", "300"]);
    assert_eq!(run.code, Some(2), "{run}");
    assert!(run.elapsed < Duration::from_secs(10), "{run}");
    assert!(run.stderr.contains("http://127.0.0.1:1"), "{run}");
    assert!(!run.stdout.contains("verdict"), "no report: {run}");
}

#[test]
fn world_files_that_cannot_be_used_exit_2() {
    let missing = run(&["--world", "/nonexistent/world.json"]);
    assert_eq!(missing.code, Some(2), "{missing}");
    assert!(
        missing.stderr.contains("/nonexistent/world.json"),
        "{missing}"
    );

    let dir = TempDir::new("cli-run");
    let invalid = dir.write(
        "world.json",
        r#"{"Stacks":[{"StackId":"s","Apps":[{"AppId":"a","Type":"php","Versions":9}]}]}"#,
    );
    let run = run(&["--world", &invalid]);
    assert_eq!(run.code, Some(2), "{run}");
    assert!(run.stderr.contains("Stacks[0].Apps[0].Versions"), "{run}");

    let not_json = dir.write("not-json.json", "{ not json");
    let run = self::run(&["--world", &not_json]);
    assert_eq!(run.code, Some(2), "{run}");
}

#[test]
fn bad_arguments_exit_2() {
    for args in [
        &["--no-such-flag"][..],
        &["--cases", "0"],
        &["--cases", "many"],
        &["--concurrency", "0"],
        &["--timeout-ms", "0"],
        &["--endpoint", "ftp://127.0.0.1:21"],
        &["--only", "Z-*"],
    ] {
        let run = run(args);
        assert_eq!(run.code, Some(2), "{args:?}: {run}");
        assert!(!run.stderr.trim().is_empty(), "{args:?} says why: {run}");
    }
}

#[test]
fn ledgers_that_cannot_be_used_exit_2() {
    let dir = TempDir::new("cli-run");
    let missing = run(&["--known-failures", "/nonexistent/ledger.toml"]);
    assert_eq!(missing.code, Some(2), "{missing}");
    assert!(
        missing.stderr.contains("/nonexistent/ledger.toml"),
        "{missing}"
    );
    for (name, ledger) in [
        ("syntax.toml", "[[known_failure]\nrule = "),
        (
            "unknown-rule.toml",
            "[[known_failure]]\nrule = \"X-NOPE\"\nreason = \"no such rule\"\n",
        ),
        (
            "bad-date.toml",
            "[[known_failure]]\nrule = \"V-TYPE\"\nreason = \"r\"\nexpires = \"soon\"\n",
        ),
        ("no-reason.toml", "[[known_failure]]\nrule = \"V-TYPE\"\n"),
    ] {
        let path = dir.write(name, ledger);
        let run = run(&["--known-failures", &path]);
        assert_eq!(run.code, Some(2), "{name}: {run}");
        assert!(run.stderr.contains("known-failures"), "{name}: {run}");
    }
}

// ---------------------------------------------------------------------------------------------
// Exit 1: a broken server, and the known-failures ledger
// ---------------------------------------------------------------------------------------------

/// A ledger listing these rules, each expiring on `expires`.
fn ledger(rules: &[String], expires: &str) -> String {
    rules
        .iter()
        .map(|rule| {
            format!(
                "[[known_failure]]\nrule = \"{rule}\"\nreason = \"the mock does not check it yet\"\nexpires = \"{expires}\"\n\n"
            )
        })
        .collect()
}

/// Runs the binary against a fresh broken server (the target must start in the world-file
/// state) with the world file and these extra arguments.
fn run_against_broken(world: &World, world_path: &str, extra: &[&str]) -> Run {
    let server = BrokenServer::ignoring_signatures(world);
    let mut args = vec![
        "--endpoint",
        &server.url,
        "--world",
        world_path,
        "--cases",
        "300",
        "--seed",
        "5",
    ];
    args.extend_from_slice(extra);
    run(&args)
}

#[test]
fn a_broken_server_exits_1_and_the_ledger_decides() {
    let world = World::bundled_with_users();
    let dir = TempDir::new("cli-run");
    let world_path = dir.write("world.json", &world.to_json_pretty());
    let (json_path, junit_path) = (dir.path("report.json"), dir.path("report.xml"));

    // Without a ledger: exit 1, A-SIGNATURE-VALID among the failed rules, no secret anywhere.
    let broken = run_against_broken(
        &world,
        &world_path,
        &["--json", &text(&json_path), "--junit", &text(&junit_path)],
    );
    assert_eq!(broken.code, Some(1), "{broken}");
    assert!(last_line(&broken).starts_with("verdict: FAIL"), "{broken}");
    let json = read_json(&json_path);
    assert_eq!(json["verdict"], "fail");
    let failed = rules_with_status(&json, "failed");
    assert!(
        failed.iter().any(|rule| rule == "A-SIGNATURE-VALID"),
        "{failed:?}"
    );
    let junit = read(&junit_path);
    let failures = well_formed(&junit)
        .iter()
        .filter(|(name, _)| name == "failure")
        .count();
    assert_eq!(failures, failed.len(), "{junit}");
    assert!(broken.stdout.contains("  reproduce: "), "{broken}");
    assert!(broken.stdout.contains("curl -sS -X POST"), "{broken}");
    assert_no_secret(
        &world,
        &[
            ("stdout", &broken.stdout),
            ("stderr", &broken.stderr),
            ("the JSON report", &read(&json_path)),
            ("the JUnit report", &junit),
        ],
    );

    // The three ledger runs, each against a fresh server, at the same time.
    let passing = rules_with_status(&json, "passed")
        .into_iter()
        .next()
        .expect("some rule passes");
    let exact = dir.write("exact.toml", &ledger(&failed, "2999-12-31"));
    let mut with_fixed = failed.clone();
    with_fixed.push(passing.clone());
    let fixed = dir.write("fixed.toml", &ledger(&with_fixed, "2999-12-31"));
    let expired = dir.write(
        "expired.toml",
        &(ledger(&failed[..1], "2000-01-01") + &ledger(&failed[1..], "2999-12-31")),
    );
    let runs: Vec<(String, JoinHandle<Run>)> = [exact, fixed, expired]
        .into_iter()
        .map(|ledger| {
            let name = ledger_name(&ledger);
            let (world, world_path) = (world.clone(), world_path.clone());
            let thread = std::thread::spawn(move || {
                run_against_broken(&world, &world_path, &["--known-failures", &ledger])
            });
            (name, thread)
        })
        .collect();
    for (name, thread) in runs {
        let run = thread.join().expect("the run completes");
        match name.as_str() {
            // Exactly the failed rules: the gate passes.
            "exact.toml" => {
                assert_eq!(run.code, Some(0), "{name}: {run}");
                for rule in &failed {
                    assert!(
                        run.stdout.contains(&format!("known failure: {rule}")),
                        "{name}: {rule}: {run}"
                    );
                }
            }
            // An entry for a rule that passes: fixed, remove it; the gate fails.
            "fixed.toml" => {
                assert_eq!(run.code, Some(1), "{name}: {run}");
                assert!(
                    run.stdout
                        .contains(&format!("{passing}: fixed: remove the entry")),
                    "{name}: {run}"
                );
            }
            // An expired entry: the gate fails.
            _ => {
                assert_eq!(run.code, Some(1), "{name}: {run}");
                assert!(
                    run.stdout.contains(&format!(
                        "{}: the known-failures entry expired on 2000-01-01",
                        failed[0]
                    )),
                    "{name}: {run}"
                );
            }
        }
        assert_no_secret(&world, &[("stdout", &run.stdout), ("stderr", &run.stderr)]);
    }
}

/// The file name of a ledger path.
fn ledger_name(path: &str) -> String {
    Path::new(path)
        .file_name()
        .and_then(|name| name.to_str())
        .unwrap_or_default()
        .to_owned()
}

// ---------------------------------------------------------------------------------------------
// Signed by default: the environment's key, else the fixed test key; `--unsigned`
// ---------------------------------------------------------------------------------------------

/// Runs `opsworks-conformance run ARGS...` with the AWS credential variables set as given
/// (`None`: removed).
fn run_with_env(args: &[&str], env: &[(&str, Option<&str>)]) -> Run {
    let started = Instant::now();
    let mut command = Command::new(BINARY);
    command.arg("run").args(args).stdin(Stdio::null());
    for (name, value) in env {
        match value {
            Some(value) => command.env(name, value),
            None => command.env_remove(name),
        };
    }
    let output = command.output().expect("the binary runs");
    Run {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        elapsed: started.elapsed(),
    }
}

/// A server that answers as the reference implementation of `world` (with `text/html` as the
/// Content-Type, so that a rule is warned and a counterexample with its `curl` line is
/// printed), and keeps every request it gets.
fn recording(world: &World) -> (BrokenServer, Arc<std::sync::Mutex<Vec<RawRequest>>>) {
    let reference = Arc::new(ReferenceTarget::new(world.clone()));
    let requests = Arc::new(std::sync::Mutex::new(Vec::new()));
    let kept = Arc::clone(&requests);
    let server = BrokenServer::serving(from_fn(move |request: RawRequest| {
        kept.lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(request.clone());
        let mut answer = reference.answer_request(&request);
        for (name, value) in &mut answer.headers {
            if name.eq_ignore_ascii_case("content-type") {
                *value = "text/html".to_owned();
            }
        }
        async move { Ok(answer) }
    }));
    (server, requests)
}

/// The requests the gate sent for its cases and probe: all but the reachability check (an
/// empty `POST` without headers of its own).
fn gate_requests(requests: &std::sync::Mutex<Vec<RawRequest>>) -> Vec<RawRequest> {
    let requests = std::mem::take(
        &mut *requests
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner),
    );
    requests
        .into_iter()
        .filter(|request| request.header("Content-Type").is_some() || !request.body.is_empty())
        .collect()
}

/// Whether a request carries a SigV4 signature that verifies with this key.
fn signed_with(request: &RawRequest, key: &str, secret: &str) -> bool {
    let signer = World::from_json(&format!(
        r#"{{"Stacks": [], "Users": [{{"AccessKeyId": "{key}", "SecretAccessKey": "{secret}"}}]}}"#
    ))
    .expect("a world of one user");
    opsworks_conformance::sigv4::verify(request, &signer, "us-east-1")
        == opsworks_conformance::oracle::CallerIdentity::Verified(key.to_owned())
}

#[test]
fn requests_are_signed_by_default_with_the_environments_key_or_the_test_key() {
    use opsworks_conformance::runner::{TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY};
    let world = World::bundled();
    let dir = TempDir::new("cli-run");
    let (json, junit) = (dir.path("report.json"), dir.path("report.xml"));
    // A fresh server for each run (a run's rollbacks use up the versions of the world).
    let run_with_env = |extra: &[&str], env: &[(&str, Option<&str>)]| {
        let (server, requests) = recording(&world);
        let args = [&["--endpoint", server.url.as_str()], extra].concat();
        let run = run_with_env(&args, env);
        (run, gate_requests(&requests))
    };
    let args = [
        "--cases",
        "80",
        "--json",
        &text(&json),
        "--junit",
        &text(&junit),
    ];
    // No shared profile either (the machine's ~/.aws is not read).
    let no_env = [
        ("AWS_ACCESS_KEY_ID", None),
        ("AWS_SECRET_ACCESS_KEY", None),
        ("AWS_SESSION_TOKEN", None),
        ("AWS_PROFILE", None),
        (
            "AWS_SHARED_CREDENTIALS_FILE",
            Some("/nonexistent/opsworks-conformance/credentials"),
        ),
        (
            "AWS_CONFIG_FILE",
            Some("/nonexistent/opsworks-conformance/config"),
        ),
    ];

    // No key in the environment: the fixed test key, for every request of the run.
    let (run, sent) = run_with_env(&args, &no_env);
    assert_eq!(run.code, Some(0), "{run}");
    assert!(sent.len() >= 80, "{}", sent.len());
    for request in &sent {
        assert!(
            signed_with(request, TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY),
            "{request:?}"
        );
    }
    // Its secret is public: the curl line spells it out, so that it replays as it is.
    assert!(
        run.stdout.contains(&format!(
            "--user '{TEST_ACCESS_KEY_ID}:{TEST_SECRET_ACCESS_KEY}'"
        )),
        "{run}"
    );

    // The environment's key and session token.
    let (key, secret, token) = (
        "AKIDFROMTHEENVIRONMENT",
        "secret-from-the-environment-0123456789",
        "session-token-from-the-environment-0123456789",
    );
    let (run, sent) = run_with_env(
        &args,
        &[
            ("AWS_ACCESS_KEY_ID", Some(key)),
            ("AWS_SECRET_ACCESS_KEY", Some(secret)),
            ("AWS_SESSION_TOKEN", Some(token)),
        ],
    );
    assert_eq!(run.code, Some(0), "{run}");
    assert!(sent.len() >= 80, "{}", sent.len());
    for request in &sent {
        assert!(signed_with(request, key, secret), "{request:?}");
        assert_eq!(request.header("X-Amz-Security-Token"), Some(token));
        let signed_headers = request.header("Authorization").unwrap_or_default();
        assert!(
            signed_headers.contains("x-amz-security-token"),
            "{signed_headers}"
        );
    }
    // Neither the secret nor the token shows anywhere; the curl line names the variables.
    let (json_text, junit_text) = (read(&json), read(&junit));
    for (name, output) in [
        ("stdout", &run.stdout),
        ("stderr", &run.stderr),
        ("the JSON report", &json_text),
        ("the JUnit report", &junit_text),
    ] {
        assert!(!output.contains(secret), "the secret shows in {name}");
        assert!(!output.contains(token), "the session token shows in {name}");
    }
    assert!(
        run.stdout
            .contains("--user \"$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY\""),
        "{run}"
    );
    assert!(
        run.stdout
            .contains("-H \"X-Amz-Security-Token: $AWS_SESSION_TOKEN\""),
        "{run}"
    );
    assert!(
        run.stdout.contains("X-Amz-Security-Token: <redacted>"),
        "{run}"
    );

    // --unsigned: no request is signed.
    let (run, sent) = run_with_env(&[&args[..], &["--unsigned"]].concat(), &no_env);
    assert_eq!(run.code, Some(0), "{run}");
    assert!(sent.len() >= 80, "{}", sent.len());
    for request in &sent {
        assert_eq!(request.header("Authorization"), None, "{request:?}");
        assert_eq!(request.header("X-Amz-Date"), None, "{request:?}");
    }
}
