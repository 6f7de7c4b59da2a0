//! The reference target answers what the oracle prefers: its answers conform, strictly, for
//! every MAY policy, in worlds with and without users; rollback works `Versions - 1` times.

mod support;

use opsworks_conformance::contract::{RawRequest, rules, wire};
use opsworks_conformance::oracle::{
    CallerIdentity, MayChoice, MayPolicy, Session, Status, judge_request, judge_response,
};
use opsworks_conformance::target::{ClaimedKey, ReferenceTarget, Target};
use opsworks_conformance::world::World;
use support::*;

/// A few thousand bodies: every command name and some near misses, crossed with AppId, target
/// lists, Args and CustomJson variants.
fn corpus() -> Vec<String> {
    let names = [
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
        "Deploy",
        "deploy ",
        "",
    ];
    let apps: [Option<&str>; 6] = [
        None,
        Some("rails3"),
        Some("php1"),
        Some("node5"),
        Some("java2"),
        Some(""),
    ];
    let lists: [&str; 6] = [
        "",
        r#","InstanceIds":["i1","i2"]"#,
        r#","LayerIds":["l1"]"#,
        r#","InstanceIds":["i9"]"#,
        r#","LayerIds":[]"#,
        r#","InstanceIds":["i1","i1"],"LayerIds":["nope"]"#,
    ];
    let args: [&str; 7] = [
        "",
        r#","Args":{"recipes":["phpapp::appsetup"]}"#,
        r#","Args":{"migrate":["true"]}"#,
        r#","Args":{"migrate":["maybe"]}"#,
        r#","Args":{"upgrade_os_to":["Amazon Linux 2016.09"],"allow_reboot":["true"]}"#,
        r#","Args":{"upgrade_os_to":["Amazon Linux 2016.09"]}"#,
        r#","Args":{"other":["x"]}"#,
    ];
    let extras: [&str; 5] = [
        "",
        r#","CustomJson":"{\"a\":1}""#,
        r#","CustomJson":"[1]""#,
        r#","CustomJson":"{""#,
        r#","Comment":"déjà vu 🚀","Extra":null"#,
    ];
    let mut bodies = Vec::new();
    for name in names {
        for app in apps {
            for list in lists {
                for arg in args {
                    for extra in extras {
                        let app = app.map_or(String::new(), |app| format!(r#","AppId":"{app}""#));
                        bodies.push(format!(
                            r#"{{"StackId":"s1"{app}{list},"Command":{{"Name":"{name}"{arg}}}{extra}}}"#
                        ));
                    }
                }
            }
        }
    }
    bodies.extend(
        [
            "",
            "{}",
            "[]",
            "nope",
            r#"{"StackId":"s9","Command":{"Name":"setup"}}"#,
            r#"{"StackId":null}"#,
        ]
        .map(str::to_owned),
    );
    bodies
}

fn policies() -> [MayPolicy; 3] {
    [
        MayPolicy::reference(),
        MayPolicy::accept_all(),
        MayPolicy::reject_all(),
    ]
}

#[test]
fn reference_answers_conform_strictly_for_every_policy() {
    let world = world();
    let mut judged = 0usize;
    for policy in policies() {
        let target = ReferenceTarget::new(world.clone()).with_policy(policy.clone());
        for body in corpus() {
            let request = RawRequest::json(body.as_str());
            // Judge against the state before the request (rollbacks change it).
            let verdict = judge_request(&target.world(), &request, &CallerIdentity::Unsigned);
            let response = Ok(target.answer(&request, &CallerIdentity::Unsigned));
            let judgement = judge_response(&verdict, &response);
            assert!(
                judgement.conforms(true),
                "policy {policy:?}\nbody {body}\nanswer {response:?}\nchecks {:#?}",
                judgement.checks
            );
            judged += 1;
        }
    }
    assert!(judged > 10_000, "{judged}");
}

#[test]
fn reference_answers_conform_with_users_and_every_caller() {
    let callers = [
        CallerIdentity::Unsigned,
        verified("deployer"),
        verified("shower"),
        verified("denypolicy"),
        verified("star"),
        verified("stranger"),
        CallerIdentity::InvalidSignature("manager".into()),
    ];
    for policy in policies() {
        for caller in &callers {
            let target = ReferenceTarget::new(users_world()).with_policy(policy.clone());
            for body in corpus().into_iter().step_by(7) {
                let request = RawRequest::json(body.as_str());
                let verdict = judge_request(&target.world(), &request, caller);
                let response = Ok(target.answer(&request, caller));
                let judgement = judge_response(&verdict, &response);
                assert!(
                    judgement.conforms(true),
                    "{caller:?} {body} {response:?} {:#?}",
                    judgement.checks
                );
            }
        }
    }
}

#[test]
fn preferred_codes_follow_the_catalogue() {
    let target = ReferenceTarget::new(world());
    let answer = |body: &str| target.answer(&RawRequest::json(body), &CallerIdentity::Unsigned);
    let cases = [
        ("nope", 400, "SerializationException"),
        ("", 400, "ValidationException"),
        (
            r#"{"StackId":"s1","Command":{"Name":"deploy"}}"#,
            400,
            "ValidationException",
        ),
        (
            r#"{"StackId":"s9","Command":{"Name":"setup"}}"#,
            400,
            "ResourceNotFoundException",
        ),
        (
            r#"{"StackId":"s1","AppId":"java2","Command":{"Name":"deploy"}}"#,
            400,
            "ResourceNotFoundException",
        ),
        (
            r#"{"StackId":"","Command":{"Name":"setup"}}"#,
            400,
            "ValidationException",
        ),
    ];
    for (body, status, code) in cases {
        let observation = answer(body);
        assert_eq!(observation.status, status, "{body}");
        let document: serde_json::Value = serde_json::from_slice(&observation.body).expect("JSON");
        assert_eq!(document["__type"], code, "{body}");
        assert!(
            document["message"]
                .as_str()
                .is_some_and(|m| m.starts_with('[')),
            "{document}"
        );
    }
    let unknown = target.answer(
        &RawRequest::json("{}").without_header(wire::TARGET_HEADER),
        &CallerIdentity::Unsigned,
    );
    assert!(unknown.body_text().contains("UnknownOperationException"));
    let users = ReferenceTarget::new(users_world());
    let unsigned = users.answer(&RawRequest::json("{}"), &CallerIdentity::Unsigned);
    assert_eq!(unsigned.status, 403);
    assert!(
        unsigned
            .body_text()
            .contains("MissingAuthenticationTokenException")
    );
}

#[test]
fn rollback_works_exactly_versions_minus_one_times() {
    // The seed: up to five versions stored, roll back as many as four.
    for (app, versions) in [("rails3", 3u8), ("php1", 1), ("node5", 5)] {
        let target = ReferenceTarget::new(world());
        let mut session = Session::new(world());
        let request = RawRequest::json(format!(
            r#"{{"StackId":"s1","AppId":"{app}","Command":{{"Name":"rollback"}}}}"#
        ));
        for round in 1..versions {
            let response = Ok(target.answer(&request, &CallerIdentity::Unsigned));
            let judgement = session.observe(&request, &CallerIdentity::Unsigned, &response);
            assert_eq!(
                response.as_ref().map(|o| o.status).ok(),
                Some(200),
                "{app} round {round}"
            );
            assert!(judgement.conforms(true));
        }
        let refused = Ok(target.answer(&request, &CallerIdentity::Unsigned));
        assert_eq!(refused.as_ref().map(|o| o.status).ok(), Some(400), "{app}");
        let judgement = session.observe(&request, &CallerIdentity::Unsigned, &refused);
        assert_eq!(
            judgement.status_of(rules::V_ROLLBACK_DEPTH),
            Some(Status::Passed)
        );
        assert_eq!(
            target
                .world()
                .stack("s1")
                .and_then(|s| s.app(app))
                .map(|a| a.versions),
            Some(1)
        );
    }
}

#[test]
fn a_rejected_rollback_uses_up_nothing() {
    let target = ReferenceTarget::new(world());
    let rejected = RawRequest::json(
        r#"{"StackId":"s1","AppId":"rails3","LayerIds":["nope"],"Command":{"Name":"rollback"}}"#,
    );
    assert_eq!(
        target.answer(&rejected, &CallerIdentity::Unsigned).status,
        400
    );
    assert_eq!(target.world(), world());
}

#[test]
fn concurrent_rollbacks_use_up_exactly_the_stored_versions() {
    let target = std::sync::Arc::new(ReferenceTarget::new(world()));
    let request =
        RawRequest::json(r#"{"StackId":"s1","AppId":"node5","Command":{"Name":"rollback"}}"#);
    let successes: usize = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let target = target.clone();
                let request = request.clone();
                scope.spawn(move || {
                    (0..50)
                        .filter(|_| {
                            target.answer(&request, &CallerIdentity::Unsigned).status == 200
                        })
                        .count()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or(0)).sum()
    });
    assert_eq!(successes, 4);
}

#[test]
fn deployment_ids_are_fresh() {
    let target = ReferenceTarget::new(world());
    let request = RawRequest::json(r#"{"StackId":"s1","Command":{"Name":"setup"}}"#);
    let mut session = Session::new(world());
    for _ in 0..200 {
        let response = Ok(target.answer(&request, &CallerIdentity::Unsigned));
        let judgement = session.observe(&request, &CallerIdentity::Unsigned, &response);
        assert!(judgement.conforms(true), "{:?}", judgement.checks);
    }
}

#[test]
fn a_policy_choice_changes_the_answer_not_the_conformance() {
    let body = r#"{"StackId":"s1","Command":{"Name":"setup"},"Unknown":1}"#;
    let lenient = ReferenceTarget::new(world());
    let strict = ReferenceTarget::new(world())
        .with_policy(MayPolicy::reference().with(rules::M_UNKNOWN_MEMBERS, MayChoice::Reject));
    assert_eq!(
        lenient
            .answer(&RawRequest::json(body), &CallerIdentity::Unsigned)
            .status,
        200
    );
    assert_eq!(
        strict
            .answer(&RawRequest::json(body), &CallerIdentity::Unsigned)
            .status,
        400
    );
}

#[tokio::test]
async fn target_trait_object_and_claimed_key_authenticator() {
    let target: Box<dyn Target> =
        Box::new(ReferenceTarget::new(users_world()).with_authenticator(ClaimedKey));
    let body = r#"{"StackId":"s1","Command":{"Name":"setup"}}"#;
    let signed = RawRequest::json(body).with_header(
        "Authorization",
        "AWS4-HMAC-SHA256 Credential=deployer/20260101/us-east-1/opsworks/aws4_request, SignedHeaders=host, Signature=00",
    );
    let accepted = target.send(&signed).await.expect("in process");
    assert_eq!(accepted.status, 200);
    let unsigned = target
        .send(&RawRequest::json(body))
        .await
        .expect("in process");
    assert_eq!(unsigned.status, 403);
    let garbage = RawRequest::json(body).with_header("Authorization", "Basic xyz");
    let refused = target.send(&garbage).await.expect("in process");
    assert_eq!(refused.status, 403);
    assert!(target.describe().contains("reference"));
}

#[test]
fn bundled_worlds_serve_valid_requests() {
    for world in [World::bundled(), World::bundled_with_users()] {
        let target = ReferenceTarget::new(world.clone());
        let stack = &world.stacks[0];
        let app = &stack.apps[0];
        let request = RawRequest::json(format!(
            r#"{{"StackId":"{}","AppId":"{}","Command":{{"Name":"deploy","Args":{{"migrate":["true"]}}}}}}"#,
            stack.stack_id, app.app_id
        ));
        let caller = world
            .users
            .iter()
            .find(|u| {
                u.level_on(&stack.stack_id)
                    .is_some_and(|l| l.allows_deploy())
            })
            .map_or(CallerIdentity::Unsigned, |u| {
                CallerIdentity::Verified(u.access_key_id.clone())
            });
        assert_eq!(target.answer(&request, &caller).status, 200);
    }
}
