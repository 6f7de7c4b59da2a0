//! The gate in process: the reference target passes every family (default and strict, bundled
//! and random worlds); broken targets are caught with the right rule and a minimal
//! counterexample; reports are deterministic for a seed.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use opsworks_conformance::contract::{
    Observation, RawRequest, RuleId, TransportFailure, TransportFailureKind, rules,
};
use opsworks_conformance::report::json_report;
use opsworks_conformance::runner::{
    KnownFailures, PROBE_REQUESTS, Progress, RuleStatus, RunConfig, RunReport, glob_match, run,
    run_with_progress,
};
use opsworks_conformance::target::{ReferenceTarget, Target, from_fn};
use opsworks_conformance::world::World;
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;
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

fn summary(report: &RunReport) -> String {
    report
        .rules
        .iter()
        .filter(|r| matches!(r.status, RuleStatus::Failed | RuleStatus::Warned))
        .map(|r| {
            format!(
                "{} {:?} {:?}",
                r.id,
                r.status,
                r.counterexample
                    .as_ref()
                    .map(|c| (&c.expected, &c.found, c.request.body_text()))
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_reference_target_passes_default_and_strict() {
    for world in [World::bundled(), World::bundled_with_users()] {
        for strict in [false, true] {
            let target = ReferenceTarget::new(world.clone());
            let config = RunConfig::default().strict(strict).with_seed(11);
            let report = gate(&target, &world, &config);
            assert!(report.passed(), "{}", summary(&report));
            // Every applicable rule was exercised: none left at 0 cases.
            for rule in &report.rules {
                let expected_na = !world.has_users()
                    && (rule.id.as_str().starts_with("A-") || rule.id == rules::M_POLICY_VS_DENY);
                assert_eq!(
                    rule.status == RuleStatus::NotApplicable,
                    expected_na,
                    "{} {:?}",
                    rule.id,
                    rule.note
                );
                if !expected_na {
                    assert!(rule.cases > 0, "{}", rule.id);
                }
            }
        }
    }
}

#[test]
fn the_reference_target_passes_in_random_worlds() {
    let mut runner = TestRunner::deterministic();
    let worlds = opsworks_conformance::generate::world::world_with_users();
    for _ in 0..6 {
        let world = worlds.new_tree(&mut runner).expect("a world").current();
        let target = ReferenceTarget::new(world.clone());
        let report = gate(
            &target,
            &world,
            &RunConfig::default().with_cases(400).strict(true),
        );
        let failures: Vec<_> = report
            .with_status(RuleStatus::Failed)
            .map(|r| r.id)
            .collect();
        assert!(failures.is_empty(), "{failures:?}\n{}", summary(&report));
    }
}

/// A target that answers like the reference, except where `defect` answers instead.
fn broken(
    world: &World,
    defect: impl Fn(&RawRequest, &ReferenceTarget) -> Option<Observation> + Send + Sync + 'static,
) -> impl Target {
    let inner = Arc::new(ReferenceTarget::new(world.clone()));
    let defect = Arc::new(defect);
    from_fn(move |request: RawRequest| {
        let inner = inner.clone();
        let defect = defect.clone();
        async move { Ok(defect(&request, &inner).unwrap_or_else(|| inner.answer_request(&request))) }
    })
}

fn body(request: &RawRequest) -> Option<serde_json::Map<String, Value>> {
    match serde_json::from_slice(&request.body) {
        Ok(Value::Object(map)) => Some(map),
        _ => None,
    }
}

fn validation_error() -> Observation {
    Observation::json(400, r#"{"__type":"ValidationException","message":"no"}"#)
}

#[track_caller]
fn assert_caught(
    report: &RunReport,
    rule: RuleId,
    status: RuleStatus,
) -> &opsworks_conformance::runner::RuleReport {
    let result = report.rule(rule).expect("the rule is in the report");
    assert_eq!(result.status, status, "{rule}\n{}", summary(report));
    assert!(
        result.counterexample.is_some(),
        "{rule} has a counterexample"
    );
    result
}

#[test]
fn shrinking_gives_a_minimal_counterexample() {
    // Accepts execute_recipes without recipes (V-RECIPES, a SHOULD rule).
    let world = World::bundled();
    let target = broken(&world, |request, inner| {
        // Breaks exactly one rule: where V-RECIPES is all that is wrong, it accepts.
        let verdict = opsworks_conformance::oracle::judge_request(
            &inner.world(),
            request,
            &opsworks_conformance::oracle::CallerIdentity::Unsigned,
        );
        let only_recipes = verdict.broken() == [rules::V_RECIPES] && verdict.may_cases().is_empty();
        let answer = inner.answer_request(request);
        let rejected_for_recipes = only_recipes && answer.body_text().contains("[V-RECIPES]");
        Some(if rejected_for_recipes {
            Observation::json(
                200,
                format!(r#"{{"DeploymentId":"{}"}}"#, fresh_deployment_id()),
            )
        } else {
            answer
        })
    });
    let report = gate(&target, &world, &RunConfig::default());
    assert!(
        report.passed(),
        "SHOULD rules only warn by default\n{}",
        summary(&report)
    );
    let strict = gate(&target, &world, &RunConfig::default().strict(true));
    assert!(!strict.passed());
    let result = assert_caught(&report, rules::V_RECIPES, RuleStatus::Warned);
    let example = result.counterexample.as_ref().expect("counterexample");
    let object = body(&example.request).expect("a JSON body");
    let mut members: Vec<&str> = object.keys().map(String::as_str).collect();
    members.sort_unstable();
    assert_eq!(
        members,
        ["Command", "StackId"],
        "minimal: {}",
        example.request.body_text()
    );
    assert!(example.shrink_steps > 0);
}

/// A deployment id never given before (the broken target must not also break S-UNIQUE-ID).
fn fresh_deployment_id() -> String {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let next = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("d-broken-{next}")
}

#[test]
fn a_target_rejecting_non_ascii_comments_is_caught() {
    let world = World::bundled();
    let target = broken(&world, |request, _| {
        let comment = body(request)?.get("Comment")?.as_str()?.to_owned();
        (!comment.is_ascii()).then(validation_error)
    });
    // The defect fails nine rules, which share the default shrink budget (a quarter of the
    // cases); shrinking the comment to one character takes more than such a share.
    let config = RunConfig::default().with_shrink_budget(10_000);
    let report = gate(&target, &world, &config);
    assert!(!report.passed());
    let result = assert_caught(&report, rules::S_ACCEPT_VALID, RuleStatus::Failed);
    let example = result.counterexample.as_ref().expect("counterexample");
    let object = body(&example.request).expect("JSON");
    let comment = object
        .get("Comment")
        .and_then(Value::as_str)
        .expect("the comment is kept");
    assert!(!comment.is_ascii());
    // Shrunk: one non-ASCII character is enough.
    assert!(comment.chars().count() <= 2, "{comment:?}");
}

#[test]
fn a_target_rejecting_more_than_two_instances_is_caught() {
    let world = World::bundled();
    let target = broken(&world, |request, _| {
        let ids = body(request)?.get("InstanceIds")?.as_array()?.len();
        (ids > 2).then(validation_error)
    });
    let report = gate(&target, &world, &RunConfig::default());
    let result = assert_caught(&report, rules::S_ACCEPT_VALID, RuleStatus::Failed);
    let object = body(&result.counterexample.as_ref().expect("ce").request).expect("JSON");
    assert_eq!(
        object
            .get("InstanceIds")
            .and_then(Value::as_array)
            .map(Vec::len),
        Some(3)
    );
}

/// Rewrites the ids of a request before the reference sees them.
fn rewriting(world: &World, rewrite: fn(&str, &World) -> String) -> impl Target {
    let snapshot = world.clone();
    broken(world, move |request, inner| {
        let mut object = body(request)?;
        for member in ["StackId", "AppId"] {
            if let Some(Value::String(id)) = object.get(member).cloned() {
                object.insert(member.to_owned(), Value::String(rewrite(&id, &snapshot)));
            }
        }
        for member in ["InstanceIds", "LayerIds"] {
            if let Some(Value::Array(ids)) = object.get(member).cloned() {
                let ids = ids
                    .iter()
                    .map(|id| {
                        id.as_str()
                            .map_or(id.clone(), |id| Value::String(rewrite(id, &snapshot)))
                    })
                    .collect();
                object.insert(member.to_owned(), Value::Array(ids));
            }
        }
        let mut rewritten = request.clone();
        rewritten.body = Value::Object(object).to_string().into_bytes();
        Some(inner.answer_request(&rewritten))
    })
}

fn every_id(world: &World) -> Vec<String> {
    world
        .stacks
        .iter()
        .flat_map(|s| {
            std::iter::once(s.stack_id.clone())
                .chain(s.apps.iter().map(|a| a.app_id.clone()))
                .chain(s.layers.iter().map(|l| l.layer_id.clone()))
                .chain(s.instances.iter().map(|i| i.instance_id.clone()))
        })
        .collect()
}

fn broken_rules(report: &RunReport) -> Vec<RuleId> {
    report
        .with_status(RuleStatus::Failed)
        .map(|r| r.id)
        .collect()
}

#[test]
fn a_target_matching_ids_after_trimming_is_caught() {
    let world = World::bundled();
    let target = rewriting(&world, |id, _| id.trim().to_owned());
    let report = gate(&target, &world, &RunConfig::default());
    let failed = broken_rules(&report);
    assert!(failed.contains(&rules::N_STACK), "{failed:?}");
    let example = report
        .rule(rules::N_STACK)
        .and_then(|r| r.counterexample.as_ref())
        .expect("ce");
    let stack_id = body(&example.request)
        .and_then(|o| o.get("StackId").and_then(Value::as_str).map(str::to_owned))
        .expect("StackId");
    assert_ne!(
        stack_id.trim(),
        stack_id,
        "the counterexample shows the whitespace"
    );
    let object = body(&example.request).expect("JSON");
    let mut members: Vec<&str> = object.keys().map(String::as_str).collect();
    members.sort_unstable();
    assert_eq!(
        members,
        ["Command", "StackId"],
        "minimal: {}",
        example.request.body_text()
    );
}

#[test]
fn a_target_matching_ids_by_prefix_is_caught() {
    let world = World::bundled();
    let target = rewriting(&world, |id, world| {
        if id.is_empty() {
            return id.to_owned();
        }
        every_id(world)
            .into_iter()
            .find(|full| full.starts_with(id))
            .unwrap_or_else(|| id.to_owned())
    });
    let report = gate(&target, &world, &RunConfig::default());
    let failed = broken_rules(&report);
    assert!(failed.contains(&rules::N_STACK), "{failed:?}");
}

#[test]
fn a_target_repeating_deployment_ids_is_caught() {
    let world = World::bundled();
    let target = broken(&world, |request, inner| {
        let answer = inner.answer_request(request);
        (answer.status == 200)
            .then(|| Observation::json(200, r#"{"DeploymentId":"always-the-same"}"#))
    });
    let report = gate(&target, &world, &RunConfig::default());
    assert_caught(&report, rules::S_UNIQUE_ID, RuleStatus::Failed);
}

#[test]
fn a_target_whose_rejected_rollbacks_use_up_versions_is_caught() {
    let world = World::bundled();
    let inner = Arc::new(ReferenceTarget::new(world.clone()));
    let target = {
        let inner = inner.clone();
        from_fn(move |request: RawRequest| {
            let inner = inner.clone();
            async move {
                let answer = inner.answer_request(&request);
                // The defect: a rejected rollback still uses up a stored version.
                if answer.status == 400 {
                    if let Some(object) = body(&request) {
                        let is_rollback = object
                            .get("Command")
                            .and_then(|c| c.get("Name"))
                            .and_then(Value::as_str)
                            == Some("rollback");
                        if let (true, Some(stack), Some(app)) = (
                            is_rollback,
                            object.get("StackId").and_then(Value::as_str),
                            object.get("AppId").and_then(Value::as_str),
                        ) {
                            let lax = RawRequest::json(format!(
                                r#"{{"StackId":"{stack}","AppId":"{app}","Command":{{"Name":"rollback"}}}}"#
                            ));
                            let _ = inner.answer_request(&lax);
                        }
                    }
                }
                Ok(answer)
            }
        })
    };
    let report = gate(&target, &world, &RunConfig::default());
    assert_caught(&report, rules::S_ERROR_NO_EFFECT, RuleStatus::Failed);
}

fn normalized(report: &RunReport) -> Value {
    let mut json = json_report(report, "us-east-1");
    fn scrub(value: &mut Value) {
        match value {
            Value::Object(map) => {
                for (key, inner) in map.iter_mut() {
                    if key == "X-Amz-Date" || key == "Authorization" {
                        *inner = Value::Null;
                    } else {
                        scrub(inner);
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(scrub),
            _ => {}
        }
    }
    scrub(&mut json);
    json
}

#[test]
fn same_seed_same_report() {
    let world = World::bundled_with_users();
    let target_a = rewriting(&world, |id, _| id.trim().to_owned());
    let target_b = rewriting(&world, |id, _| id.trim().to_owned());
    let config = RunConfig::default().with_seed(42).with_cases(600);
    let a = normalized(&gate(&target_a, &world, &config));
    let b = normalized(&gate(&target_b, &world, &config));
    assert_eq!(a, b);
    let other = normalized(&gate(
        &rewriting(&world, |id, _| id.trim().to_owned()),
        &world,
        &config.clone().with_seed(43),
    ));
    assert_ne!(a, other, "another seed makes other cases");
}

// ---------------------------------------------------------------------------------------------
// A rule filter (`RunConfig::only`) never hides a broken target, and costs no request for the
// rules it leaves out; a stopped run stops shrinking.
// ---------------------------------------------------------------------------------------------

/// A target that answers every request with the same transport failure, counting requests.
fn failing(kind: TransportFailureKind, sent: Arc<AtomicUsize>) -> impl Target {
    from_fn(move |_request: RawRequest| {
        sent.fetch_add(1, Ordering::SeqCst);
        async move { Err(TransportFailure::new(kind, "no answer")) }
    })
}

#[test]
fn a_dead_target_fails_a_filtered_run() {
    let world = World::bundled();
    for kind in [TransportFailureKind::Dropped, TransportFailureKind::Timeout] {
        for only in ["V-*", "N-APP", "S-", "M-*"] {
            let sent = Arc::new(AtomicUsize::new(0));
            let config = RunConfig::default().with_cases(200).only(only);
            let report = gate(&failing(kind, sent.clone()), &world, &config);
            assert!(!report.passed(), "{only} {kind:?}\n{}", summary(&report));
            // The transport failure is reported although the filter left its rule out.
            let result = assert_caught(&report, rules::P_NO_SERVER_ERROR, RuleStatus::Failed);
            assert_eq!(
                result.note.as_deref(),
                Some("outside the rule filter: failed by the cases of the selected rules")
            );
            let example = result.counterexample.as_ref().expect("a counterexample");
            assert_eq!(example.failure.as_ref().map(|f| f.kind), Some(kind));
            // Only the selected rules and the failed one are reported.
            for rule in &report.rules {
                assert!(
                    glob_match(only, rule.id.as_str()) || rule.id == rules::P_NO_SERVER_ERROR,
                    "{only}: {}",
                    rule.id
                );
            }
            assert!(sent.load(Ordering::SeqCst) >= report.cases);
        }
    }
}

#[test]
fn a_run_that_exercises_no_rule_fails() {
    // Every request is refused as never sent (a target given up on): nothing is judged.
    let world = World::bundled();
    let sent = Arc::new(AtomicUsize::new(0));
    let target = failing(TransportFailureKind::NotSent, sent);
    let report = gate(
        &target,
        &world,
        &RunConfig::default().with_cases(100).only("V-"),
    );
    assert_eq!(report.cases, 0);
    assert_eq!(report.count(RuleStatus::NotApplicable), report.rules.len());
    assert!(!report.exercised());
    assert!(!report.passed(), "{}", summary(&report));
    assert!(
        report
            .notes
            .iter()
            .any(|note| note.contains("no rule was exercised")),
        "{:?}",
        report.notes
    );
    assert!(!KnownFailures::new().gate(&report, "2026-01-01"));
    // The same filter against the reference target passes.
    let reference = ReferenceTarget::new(world.clone());
    let report = gate(
        &reference,
        &world,
        &RunConfig::default().with_cases(100).only("V-"),
    );
    assert!(
        report.exercised() && report.passed(),
        "{}",
        summary(&report)
    );
}

#[test]
fn rules_outside_the_filter_are_not_shrunk_unless_they_fail() {
    // Every answer has a wrong Content-Type: P-RESPONSE-CONTENT-TYPE (SHOULD) is warned.
    let world = World::bundled();
    let inner = Arc::new(ReferenceTarget::new(world.clone()));
    let sent = Arc::new(AtomicUsize::new(0));
    let target = {
        let sent = sent.clone();
        from_fn(move |request: RawRequest| {
            sent.fetch_add(1, Ordering::SeqCst);
            let mut answer = inner.answer_request(&request);
            for (name, value) in &mut answer.headers {
                if name.eq_ignore_ascii_case("content-type") {
                    *value = "text/html".to_owned();
                }
            }
            async move { Ok(answer) }
        })
    };
    let config = RunConfig::default().with_cases(100).only("V-APP-REQUIRED");
    let report = gate(&target, &world, &config);
    assert!(report.passed(), "{}", summary(&report));
    assert!(report.rule(rules::P_RESPONSE_CONTENT_TYPE).is_none());
    // No request beyond the probe's and the cases: the warning outside the filter was not
    // shrunk.
    assert_eq!(sent.load(Ordering::SeqCst), PROBE_REQUESTS + report.cases);
    // Selected, the rule is reported and shrunk.
    sent.store(0, Ordering::SeqCst);
    let config = RunConfig::default()
        .with_cases(100)
        .only("P-RESPONSE-CONTENT-TYPE");
    let report = gate(&target, &world, &config);
    assert_caught(&report, rules::P_RESPONSE_CONTENT_TYPE, RuleStatus::Warned);
    assert!(sent.load(Ordering::SeqCst) > report.cases);
}

/// A progress display whose user stops the run once the target got `after` requests.
struct StopAfter {
    after: usize,
    sent: Arc<AtomicUsize>,
}

impl Progress for StopAfter {
    fn start(&self, _planned: usize) {}
    fn case_done(&self, _rule: RuleId, _conforming: bool) {}
    fn finish(&self) {}
    fn stopped(&self) -> bool {
        self.sent.load(Ordering::SeqCst) >= self.after
    }
}

#[test]
fn a_stopped_run_stops_shrinking() {
    // Every other request gets a 500: P-NO-SERVER-ERROR fails (not every case alike), and
    // shrinking it, once every case was sent, would re-ask the target many times.
    let world = World::bundled();
    let sent = Arc::new(AtomicUsize::new(0));
    let target = {
        let sent = sent.clone();
        let inner = Arc::new(ReferenceTarget::new(world.clone()));
        from_fn(move |request: RawRequest| {
            let count = sent.fetch_add(1, Ordering::SeqCst);
            let answer = if count % 2 == 0 {
                Observation::json(500, r#"{"__type":"InternalFailure","message":"no"}"#)
            } else {
                inner.answer_request(&request)
            };
            async move { Ok(answer) }
        })
    };
    let config = RunConfig::default()
        .with_cases(100)
        .only("V-APP-REQUIRED")
        .with_shrink_budget(1_000);
    // Not stopped, the run shrinks the counterexample.
    let report = gate(&target, &world, &config);
    assert!(!report.interrupted);
    let cases = report.cases;
    assert!(report.shrink_requests > 5, "{}", report.shrink_requests);
    // Stopped after the first case: nothing more is sent, nothing shrunk.
    sent.store(0, Ordering::SeqCst);
    // (The probe's requests come first.)
    let progress = StopAfter {
        after: PROBE_REQUESTS + 1,
        sent: sent.clone(),
    };
    let report = block_on(run_with_progress(&target, &world, &config, &progress));
    assert!(report.interrupted);
    assert!(!report.passed());
    assert_eq!((report.cases, report.shrink_requests), (1, 0));
    assert_eq!(sent.load(Ordering::SeqCst), PROBE_REQUESTS + 1);
    let result = assert_caught(&report, rules::P_NO_SERVER_ERROR, RuleStatus::Failed);
    let example = result.counterexample.as_ref().expect("a counterexample");
    assert_eq!(example.shrink_steps, 0);
    // Stopped in the middle of shrinking: not one request after the stop, and the smallest
    // counterexample found until then is kept.
    sent.store(0, Ordering::SeqCst);
    let progress = StopAfter {
        after: PROBE_REQUESTS + cases + 5,
        sent: sent.clone(),
    };
    let report = block_on(run_with_progress(&target, &world, &config, &progress));
    assert!(report.interrupted);
    assert!(!report.passed());
    assert_eq!((report.cases, report.shrink_requests), (cases, 5));
    assert_eq!(sent.load(Ordering::SeqCst), PROBE_REQUESTS + cases + 5);
    let result = assert_caught(&report, rules::P_NO_SERVER_ERROR, RuleStatus::Failed);
    let example = result.counterexample.as_ref().expect("a counterexample");
    assert!(example.shrink_steps <= 5, "{}", example.shrink_steps);
}

/// A target reused for a second run keeps the versions its first run's rollbacks used up: the
/// second run fails, and each rollback failure says what state the answer fits, and why.
#[test]
fn a_target_reused_from_an_earlier_run_is_named_as_the_likely_cause() {
    let world = World::bundled();
    let target = ReferenceTarget::new(world.clone());
    let config = RunConfig::default().with_cases(600).with_seed(3);
    let first = gate(&target, &world, &config);
    assert!(first.passed(), "{}", summary(&first));
    let second = gate(&target, &world, &config);
    assert!(!second.passed(), "the second run starts in another state");
    let failures: Vec<_> = second
        .rules
        .iter()
        .filter(|r| r.status == RuleStatus::Failed)
        .collect();
    assert!(!failures.is_empty());
    for failure in failures {
        let found = &failure
            .counterexample
            .as_ref()
            .expect("a counterexample")
            .found;
        assert!(
            found.contains(
                "has no earlier version left: did the target start in the world's state?"
            ),
            "{}: {found}",
            failure.id
        );
    }
}
