//! One defect, one failure; bounded cost on failing targets (issue 16, items 4 and 5).
//!
//! - A target on a lenient JSON parser (hand-written here, not derived from the oracle) carries
//!   out a rollback whose body is not JSON text: the disagreement fails P-MALFORMED-JSON once,
//!   and the refusal of a later valid rollback of the same app fails nothing else.
//! - A counterexample's variant label describes the shrunk request.
//! - Shrinking has a budget: a run against a target that answers 500 (or the same wrong
//!   answer) to everything sends at most 1.25 times its cases; `with_shrink_budget(0)` sends
//!   none beyond the cases, and the report says the budget ran out.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use opsworks_conformance::contract::{Observation, RawRequest, Response, RuleId, rules, wire};
use opsworks_conformance::oracle::{CallerIdentity, Judgement, Session, Status};
use opsworks_conformance::runner::{PROBE_REQUESTS, RuleStatus, RunConfig, RunReport, run};
use opsworks_conformance::target::{ReferenceTarget, Target, from_fn};
use opsworks_conformance::world::World;
use serde_json::Value;

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime")
        .block_on(future)
}

fn gate(target: &dyn Target, world: &World, config: &RunConfig) -> RunReport {
    block_on(run(target, world, config))
}

// ---------------------------------------------------------------------------------------------
// A hand-written CreateDeployment for one stack, on a lenient parser
// ---------------------------------------------------------------------------------------------

const WORLD: &str = r#"{"Stacks":[{"StackId":"s1","Apps":[{"AppId":"a1","Type":"php","Versions":2},{"AppId":"b1","Type":"php","Versions":2}]}]}"#;

const COMMANDS: [&str; 12] = [
    "install_dependencies",
    "update_dependencies",
    "update_custom_cookbooks",
    "execute_recipes",
    "configure",
    "setup",
    "deploy",
    "rollback",
    "start",
    "stop",
    "restart",
    "undeploy",
];

/// A small implementation of the operation for the stack of [`WORLD`], written from the
/// contract (not from the oracle): its state is the apps' stored versions. With `lenient`, it
/// reads a body the way a forgiving parser does: a comma before a closing brace or bracket is
/// ignored.
struct Handwritten {
    lenient: bool,
    versions: Mutex<HashMap<String, u8>>,
    next_id: AtomicUsize,
}

impl Handwritten {
    fn new(lenient: bool) -> Self {
        Handwritten {
            lenient,
            versions: Mutex::new(HashMap::from([("a1".to_owned(), 2), ("b1".to_owned(), 2)])),
            next_id: AtomicUsize::new(1),
        }
    }

    fn error(code: &str) -> Observation {
        Observation::json(400, format!(r#"{{"__type":"{code}","message":"refused"}}"#))
    }

    fn answer(&self, request: &RawRequest) -> Observation {
        let media_type = request
            .header("Content-Type")
            .and_then(|value| value.split(';').next())
            .map(str::trim);
        if media_type != Some("application/x-amz-json-1.1") {
            return Self::error("SerializationException");
        }
        if request.header(wire::TARGET_HEADER) != Some("OpsWorks_20130218.CreateDeployment") {
            return Self::error("UnknownOperationException");
        }
        let mut body = request.body.clone();
        if self.lenient {
            body = without_trailing_commas(&body);
        }
        let Ok(Value::Object(object)) = serde_json::from_slice::<Value>(&body) else {
            return Self::error("SerializationException");
        };
        let Some(stack) = object.get("StackId").and_then(Value::as_str) else {
            return Self::error("ValidationException");
        };
        let Some(name) = object
            .get("Command")
            .and_then(|command| command.get("Name"))
            .and_then(Value::as_str)
        else {
            return Self::error("ValidationException");
        };
        if !COMMANDS.contains(&name) {
            return Self::error("ValidationException");
        }
        if stack != "s1" {
            return Self::error("ResourceNotFoundException");
        }
        let app = object.get("AppId").and_then(Value::as_str);
        let app_command = COMMANDS[6..].contains(&name);
        if app_command && app.is_none() {
            return Self::error("ValidationException");
        }
        let mut versions = self.versions.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(app) = app {
            let Some(stored) = versions.get_mut(app) else {
                return Self::error("ResourceNotFoundException");
            };
            if name == "rollback" {
                if *stored <= 1 {
                    return Self::error("ValidationException");
                }
                *stored -= 1;
            }
        }
        let id = self.next_id.fetch_add(1, Ordering::SeqCst);
        Observation::json(200, format!(r#"{{"DeploymentId":"d-{id}"}}"#))
    }
}

/// The text with every comma dropped that only whitespace separates from a closing brace or
/// bracket (outside strings).
fn without_trailing_commas(body: &[u8]) -> Vec<u8> {
    let mut out: Vec<u8> = Vec::with_capacity(body.len());
    let mut in_string = false;
    let mut escaped = false;
    for &byte in body {
        if in_string {
            in_string = escaped || byte != b'"';
            escaped = !escaped && byte == b'\\';
        } else if byte == b'"' {
            in_string = true;
        } else if byte == b'}' || byte == b']' {
            let kept = out.len()
                - out
                    .iter()
                    .rev()
                    .take_while(|b| b.is_ascii_whitespace())
                    .count();
            if kept > 0 && out[kept - 1] == b',' {
                out.remove(kept - 1);
            }
        }
        out.push(byte);
    }
    out
}

fn rollback_body(app: &str, tail: &str) -> String {
    format!(r#"{{"StackId":"s1","AppId":"{app}","Command":{{"Name":"rollback"}}{tail}}}"#)
}

/// The scenario of the issue, judged request by request: every judgement, in order.
fn scenario(target: &Handwritten) -> Vec<Judgement> {
    let world = World::from_json(WORLD).unwrap_or_else(|error| panic!("{error}"));
    let mut session = Session::new(world);
    let requests = [
        RawRequest::json(r#"{"StackId":"s1","AppId":"a1","Command":{"Name":"deploy"}}"#),
        // Not JSON text (a trailing comma): a lenient parser reads a rollback of a1.
        RawRequest::json(rollback_body("a1", ",")),
        // A valid rollback of a1 with a Content-Type parameter: refused by the lenient target,
        // which has no earlier version of a1 left.
        RawRequest::json(rollback_body("a1", ""))
            .with_header("Content-Type", "application/x-amz-json-1.1; charset=utf-8"),
        RawRequest::json(rollback_body("b1", "")),
        RawRequest::json(rollback_body("b1", "")),
        RawRequest::json("not json"),
        RawRequest::json(r#"{"StackId":"s1","Command":{"Name":"configure"}}"#),
    ];
    requests
        .iter()
        .map(|request| {
            let response: Response = Ok(target.answer(request));
            session.observe(request, &CallerIdentity::Unsigned, &response)
        })
        .collect()
}

fn failed_rules(judgements: &[Judgement]) -> Vec<RuleId> {
    judgements
        .iter()
        .flat_map(|judgement| judgement.failures().map(|check| check.rule))
        .collect()
}

#[test]
fn a_lenient_parser_that_carries_out_a_malformed_rollback_fails_one_rule() {
    // The strict implementation conforms throughout.
    let strict = scenario(&Handwritten::new(false));
    assert_eq!(failed_rules(&strict), []);
    assert!(strict.iter().all(|judgement| judgement.conforms(true)));

    let lenient = scenario(&Handwritten::new(true));
    assert_eq!(
        failed_rules(&lenient),
        [rules::P_MALFORMED_JSON],
        "one disagreement, one failure: {lenient:#?}"
    );
    assert!(lenient[1].failures().next().is_some());
    // The refusal of the later valid rollback fails neither P-CONTENT-TYPE-PARAMS nor
    // S-ACCEPT-VALID, and says why: V-ROLLBACK-DEPTH decides it, naming the case.
    let refusal = &lenient[2];
    assert_eq!(
        refusal.outcome.as_ref().map(ToString::to_string).as_deref(),
        Some("ValidationException")
    );
    assert!(refusal.conforms(true), "{refusal}");
    let depth = refusal
        .checks
        .iter()
        .find(|check| check.rule == rules::V_ROLLBACK_DEPTH)
        .unwrap_or_else(|| panic!("V-ROLLBACK-DEPTH decides: {refusal:?}"));
    assert_eq!(depth.status, Status::Passed);
    assert!(
        depth
            .found
            .contains("uncertain since case 2 (accepted although expected P-MALFORMED-JSON)"),
        "{}",
        depth.found
    );
    // b1 was never in doubt: its first rollback succeeds, its second is refused in time.
    assert!(lenient[3].conforms(true) && lenient[4].conforms(true));
}

// ---------------------------------------------------------------------------------------------
// The variant label of a counterexample describes its request
// ---------------------------------------------------------------------------------------------

fn body(request: &RawRequest) -> Option<serde_json::Map<String, Value>> {
    match serde_json::from_slice(&request.body) {
        Ok(Value::Object(map)) => Some(map),
        _ => None,
    }
}

#[test]
fn a_shrunk_counterexample_keeps_what_its_label_describes() {
    // A target whose rollbacks sent as CreateDeployment get a 500 when they name instances,
    // and, once the 64 cases were sent (while shrinking), every one: the first case to fail is
    // a rollback rejected for an unknown instance, and without its InstanceIds it still fails,
    // but it is then another variant (a valid rollback). The counterexample keeps the member
    // its label describes.
    let world = World::bundled();
    let inner = Arc::new(ReferenceTarget::new(world.clone()));
    let sent = Arc::new(AtomicUsize::new(0));
    let target = {
        let sent = sent.clone();
        from_fn(move |request: RawRequest| {
            let shrinking = sent.fetch_add(1, Ordering::SeqCst) >= 64;
            let object = body(&request).unwrap_or_default();
            let rollback = object
                .get("Command")
                .and_then(|command| command.get("Name"))
                .and_then(Value::as_str)
                == Some("rollback");
            let create =
                request.header(wire::TARGET_HEADER) == Some("OpsWorks_20130218.CreateDeployment");
            let answer = if rollback && create && (shrinking || object.contains_key("InstanceIds"))
            {
                Observation::json(500, r#"{"__type":"InternalFailure","message":"no"}"#)
            } else {
                inner.answer_request(&request)
            };
            async move { Ok(answer) }
        })
    };
    let config = RunConfig::default()
        .with_cases(64)
        .only("S-ERROR-NO-EFFECT")
        .with_shrink_budget(2_000);
    let report = gate(&target, &world, &config);
    assert_eq!(report.cases, 64);
    let example = report
        .rule(rules::P_NO_SERVER_ERROR)
        .and_then(|rule| rule.counterexample.as_ref())
        .unwrap_or_else(|| panic!("P-NO-SERVER-ERROR fails: {report:?}"));
    assert!(example.shrink_steps > 0);
    let object = body(&example.request).unwrap_or_default();
    assert_eq!(
        example.label,
        "rollback rejected for an unknown instance",
        "{}",
        example.request.body_text()
    );
    assert!(
        object.contains_key("InstanceIds"),
        "the label describes a request with InstanceIds: {}",
        example.request.body_text()
    );
    // Everything else that is not needed was dropped.
    let mut members: Vec<&str> = object.keys().map(String::as_str).collect();
    members.sort_unstable();
    assert_eq!(members, ["AppId", "Command", "InstanceIds", "StackId"]);
}

// ---------------------------------------------------------------------------------------------
// The shrink budget
// ---------------------------------------------------------------------------------------------

/// Counts the requests a target gets.
struct Counting<T> {
    inner: T,
    sent: AtomicUsize,
}

impl<T: Target> Counting<T> {
    fn new(inner: T) -> Self {
        Counting {
            inner,
            sent: AtomicUsize::new(0),
        }
    }

    fn sent(&self) -> usize {
        self.sent.load(Ordering::SeqCst)
    }
}

impl<T: Target> Target for Counting<T> {
    fn send<'a>(
        &'a self,
        request: &'a RawRequest,
    ) -> opsworks_conformance::target::BoxFuture<'a, Response> {
        self.sent.fetch_add(1, Ordering::SeqCst);
        self.inner.send(request)
    }
}

fn answering(status: u16, content_type: &'static str, body: &'static str) -> impl Target {
    from_fn(move |_request: RawRequest| async move {
        let mut answer = Observation::json(status, body);
        answer.headers = vec![("Content-Type".to_owned(), content_type.to_owned())];
        Ok(answer)
    })
}

fn failed(report: &RunReport) -> Vec<RuleId> {
    report
        .with_status(RuleStatus::Failed)
        .map(|rule| rule.id)
        .collect()
}

#[test]
fn a_target_answering_500_to_everything_costs_at_most_a_quarter_more() {
    for world in [World::bundled(), World::bundled_with_users()] {
        let target = Counting::new(answering(
            500,
            "text/html",
            "<html><body>Internal Server Error</body></html>",
        ));
        let report = gate(&target, &world, &RunConfig::default().with_cases(800));
        assert_eq!(failed(&report), [rules::P_NO_SERVER_ERROR]);
        let sent = target.sent();
        // The two probe requests come first.
        assert_eq!(sent, PROBE_REQUESTS + report.cases + report.shrink_requests);
        assert!(
            sent * 4 <= report.cases * 5,
            "{sent} requests for {} cases",
            report.cases
        );
        // Every case failed alike: only the simplest case was tried, once.
        assert!(report.shrink_requests <= 1, "{}", report.shrink_requests);
        let example = report
            .rule(rules::P_NO_SERVER_ERROR)
            .and_then(|rule| rule.counterexample.as_ref())
            .unwrap_or_else(|| panic!("a counterexample"));
        assert!(example.observed.as_ref().is_some_and(|o| o.status == 500));
    }
}

#[test]
fn a_target_answering_the_same_wrong_answer_to_everything_costs_at_most_a_quarter_more() {
    // What an S3 endpoint answers to an unsigned request it routes to itself.
    let target = Counting::new(answering(
        200,
        "application/xml",
        "<ListAllMyBucketsResult><Buckets/></ListAllMyBucketsResult>",
    ));
    let world = World::bundled();
    let report = gate(&target, &world, &RunConfig::default());
    assert!(failed(&report).len() > 5, "{:?}", failed(&report));
    let sent = target.sent();
    // The two probe requests come first.
    assert_eq!(sent, PROBE_REQUESTS + report.cases + report.shrink_requests);
    assert!(
        sent * 4 <= report.cases * 5,
        "{sent} requests for {} cases",
        report.cases
    );
}

#[test]
fn a_budget_of_zero_shrinks_nothing_and_says_so() {
    // Refuses a request with a Comment (but a rollback, whose refusal could also be read as a
    // sign of an earlier rejected rollback that took effect): S-ACCEPT-VALID fails on some
    // cases only, so its counterexample would be shrunk.
    let world = World::bundled();
    // A fresh target for each run: a target keeps the versions its rollbacks used up.
    let make = || {
        let inner = ReferenceTarget::new(world.clone());
        Counting::new(from_fn(move |request: RawRequest| {
            let commented = body(&request).is_some_and(|object| {
                object.contains_key("Comment")
                    && object
                        .get("Command")
                        .and_then(|command| command.get("Name"))
                        != Some(&Value::from("rollback"))
            });
            let answer = if commented {
                Observation::json(400, r#"{"__type":"ValidationException","message":"no"}"#)
            } else {
                inner.answer_request(&request)
            };
            async move { Ok(answer) }
        }))
    };
    let config = RunConfig::default().with_cases(300).only("S-ACCEPT-VALID");
    let shrunk = gate(&make(), &world, &config.clone().with_shrink_budget(10_000));
    assert!((1..10_000).contains(&shrunk.shrink_requests));
    // A budget not used up is not mentioned.
    assert!(
        !shrunk
            .notes
            .iter()
            .any(|note| note.contains("shrinking stopped")),
        "{:?}",
        shrunk.notes
    );
    let target = make();
    let report = gate(&target, &world, &config.clone().with_shrink_budget(0));
    assert_eq!(failed(&report), [rules::S_ACCEPT_VALID]);
    // Valid requests without a Comment were accepted: no note says that none was.
    assert!(
        !report
            .notes
            .iter()
            .any(|note| note.contains("no valid request was accepted")),
        "{:?}",
        report.notes
    );
    assert_eq!(report.shrink_requests, 0);
    assert_eq!(target.sent(), PROBE_REQUESTS + report.cases);
    let example = report
        .rule(rules::S_ACCEPT_VALID)
        .and_then(|rule| rule.counterexample.as_ref())
        .unwrap_or_else(|| panic!("a counterexample"));
    assert_eq!(example.shrink_steps, 0);
    assert!(
        report
            .notes
            .iter()
            .any(|note| note.starts_with("shrinking stopped: budget of 0 requests spent")),
        "{:?}",
        report.notes
    );
    // A small budget is kept to, and said to have run out.
    let target = make();
    let report = gate(&target, &world, &config.clone().with_shrink_budget(7));
    assert!((1..=7).contains(&report.shrink_requests));
    assert_eq!(
        target.sent(),
        PROBE_REQUESTS + report.cases + report.shrink_requests
    );
    let spent = if report.shrink_requests == 7 {
        "budget of 7 requests spent".to_owned()
    } else {
        format!("{} requests sent of a budget of 7", report.shrink_requests)
    };
    assert!(
        report
            .notes
            .iter()
            .any(|note| note.starts_with(&format!("shrinking stopped: {spent}"))),
        "{:?}",
        report.notes
    );
}

// ---------------------------------------------------------------------------------------------
// A refusal of the target's own is not blamed on a rejected request
// ---------------------------------------------------------------------------------------------

#[test]
fn a_target_refusing_non_ascii_comments_fails_no_rule_of_state() {
    // Refuses every request whose Comment is not ASCII, rollbacks included: a refused valid
    // rollback of an app with an earlier rejected rollback would fit a leak too.
    for seed in 0..3 {
        let world = World::bundled();
        let inner = ReferenceTarget::new(world.clone());
        let target = from_fn(move |request: RawRequest| {
            let non_ascii = body(&request)
                .and_then(|object| object.get("Comment")?.as_str().map(|c| !c.is_ascii()))
                .unwrap_or(false);
            let answer = if non_ascii {
                Observation::json(400, r#"{"__type":"ValidationException","message":"no"}"#)
            } else {
                inner.answer_request(&request)
            };
            async move { Ok(answer) }
        });
        let report = gate(&target, &world, &RunConfig::default().with_seed(seed));
        let failed = failed(&report);
        assert!(failed.contains(&rules::S_ACCEPT_VALID), "{failed:?}");
        assert!(
            !failed.contains(&rules::S_ERROR_NO_EFFECT),
            "seed {seed}: {:?}",
            report.rule(rules::S_ERROR_NO_EFFECT)
        );
        let depth = report.rule(rules::V_ROLLBACK_DEPTH).map(|rule| rule.status);
        assert_eq!(
            depth,
            Some(RuleStatus::Passed),
            "seed {seed}: {:?}",
            report.rule(rules::V_ROLLBACK_DEPTH)
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The flag
// ---------------------------------------------------------------------------------------------

/// `opsworks-conformance run --shrink-budget N`: accepted with a number (here against the
/// built-in reference server, which passes), refused otherwise.
#[cfg(feature = "cli")]
#[test]
fn the_cli_takes_a_shrink_budget() {
    let binary = env!("CARGO_BIN_EXE_opsworks-conformance");
    let run = |args: &[&str]| {
        std::process::Command::new(binary)
            .arg("run")
            .args(args)
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap_or_else(|error| panic!("the binary runs: {error}"))
    };
    let passed = run(&["--cases", "64", "--shrink-budget", "0"]);
    assert_eq!(
        passed.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&passed.stdout)
    );
    let refused = run(&["--cases", "64", "--shrink-budget", "many"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--shrink-budget"));
}
