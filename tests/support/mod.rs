//! Shared helpers for the oracle tests: a small readable world and shorthand assertions.
#![allow(dead_code)]

use opsworks_conformance::contract::{ErrorCode, Observation, RawRequest, RuleId};
use opsworks_conformance::oracle::{
    CallerIdentity, Judgement, Outcome, Status, Verdict, judge_request, judge_response,
};
use opsworks_conformance::world::World;

/// Stack `s1`: apps `rails3` (rails, 3 versions), `php1` (php, 1), `node5` (nodejs, 5);
/// layers `l1`, `l2`; instances `i1` (in l1), `i2` (in l1 and l2), `i3` (no layer).
/// Stack `s2`: app `java2` (java, 2), layer `l9`, instance `i9`. Stack `s3`: empty.
pub const WORLD: &str = r#"{
  "Stacks": [
    {"StackId": "s1",
     "Apps": [{"AppId": "rails3", "Type": "rails", "Versions": 3},
              {"AppId": "php1", "Type": "php", "Versions": 1},
              {"AppId": "node5", "Type": "nodejs", "Versions": 5}],
     "Layers": [{"LayerId": "l1"}, {"LayerId": "l2"}],
     "Instances": [{"InstanceId": "i1", "LayerIds": ["l1"]},
                   {"InstanceId": "i2", "LayerIds": ["l1", "l2"]},
                   {"InstanceId": "i3"}]},
    {"StackId": "s2",
     "Apps": [{"AppId": "java2", "Type": "java", "Versions": 2}],
     "Layers": [{"LayerId": "l9"}],
     "Instances": [{"InstanceId": "i9", "LayerIds": ["l9"]}]},
    {"StackId": "s3"}
  ]
}"#;

/// The same stacks with users: `deployer` (deploy on s1), `manager` (manage on s1),
/// `shower` (show on s1), `denied` (deny on s1), `iam` (iam_only on s1), `policy` (iam_only on
/// s1, policy on s1), `star` (no entries, policy `*`), `denypolicy` (deny on s1, policy on s1),
/// `nobody` (no entry, no policy).
pub fn users_world() -> World {
    let mut world = world();
    let users = serde_json::json!([
        {"AccessKeyId": "deployer", "SecretAccessKey": "x", "Permissions": [{"StackId": "s1", "Level": "deploy"}]},
        {"AccessKeyId": "manager", "SecretAccessKey": "x", "Permissions": [{"StackId": "s1", "Level": "manage"}]},
        {"AccessKeyId": "shower", "SecretAccessKey": "x", "Permissions": [{"StackId": "s1", "Level": "show"}]},
        {"AccessKeyId": "denied", "SecretAccessKey": "x", "Permissions": [{"StackId": "s1", "Level": "deny"}]},
        {"AccessKeyId": "iam", "SecretAccessKey": "x", "Permissions": [{"StackId": "s1", "Level": "iam_only"}]},
        {"AccessKeyId": "policy", "SecretAccessKey": "x", "Permissions": [{"StackId": "s1", "Level": "iam_only"}], "PolicyAllowsCreateDeployment": ["s1"]},
        {"AccessKeyId": "star", "SecretAccessKey": "x", "PolicyAllowsCreateDeployment": ["*"]},
        {"AccessKeyId": "denypolicy", "SecretAccessKey": "x", "Permissions": [{"StackId": "s1", "Level": "deny"}], "PolicyAllowsCreateDeployment": ["s1"]},
        {"AccessKeyId": "nobody", "SecretAccessKey": "x"}
    ]);
    world.users = serde_json::from_value(users).expect("test users parse");
    world
}

pub fn world() -> World {
    World::from_json(WORLD).expect("test world parses")
}

pub fn verdict(body: &str) -> Verdict {
    judge_request(&world(), &RawRequest::json(body), &CallerIdentity::Unsigned)
}

pub fn verdict_as(caller: &CallerIdentity, body: &str) -> Verdict {
    judge_request(&users_world(), &RawRequest::json(body), caller)
}

pub fn verified(key: &str) -> CallerIdentity {
    CallerIdentity::Verified(key.to_owned())
}

pub fn error(code: ErrorCode) -> Outcome {
    Outcome::error(code)
}

/// The verdict accepts the request: success, and only success, decided by S-ACCEPT-VALID.
#[track_caller]
pub fn assert_valid(verdict: &Verdict) {
    assert!(
        verdict.is_valid(),
        "expected a valid request, the oracle found {:?} and MAY cases {:?}",
        verdict.findings(),
        verdict.may_cases()
    );
    assert!(verdict.allows_strict(&Outcome::Success));
    assert!(!verdict.allows(&error(ErrorCode::ValidationException)));
}

/// The verdict says the request breaks exactly `rule` (among MUST/SHOULD rules), allows each of
/// `codes` and refuses success unless the rule is a SHOULD.
#[track_caller]
pub fn assert_breaks(verdict: &Verdict, rule: RuleId, codes: &[ErrorCode]) {
    assert_eq!(
        verdict.broken(),
        vec![rule],
        "findings: {:?}",
        verdict.findings()
    );
    for code in codes {
        assert!(
            verdict.allows_strict(&error(*code)),
            "{rule}: {code} should be allowed, allowances {:?}",
            verdict.allowances()
        );
    }
    let should = rule.severity() == opsworks_conformance::contract::Severity::Should;
    assert_eq!(
        verdict.allows(&Outcome::Success),
        should,
        "{rule}: success allowed?"
    );
    assert!(
        !verdict.allows_strict(&Outcome::Success),
        "{rule}: success allowed in strict"
    );
}

pub fn ok_response() -> Result<Observation, opsworks_conformance::contract::TransportFailure> {
    Ok(Observation::json(200, r#"{"DeploymentId":"d-1"}"#))
}

pub fn error_response(
    code: &str,
) -> Result<Observation, opsworks_conformance::contract::TransportFailure> {
    Ok(Observation::json(
        400,
        format!(r#"{{"__type":"{code}","message":"m"}}"#),
    ))
}

/// Judging `response` names `rule` with `status`.
#[track_caller]
pub fn assert_caught(
    verdict: &Verdict,
    response: &Result<Observation, opsworks_conformance::contract::TransportFailure>,
    rule: RuleId,
    status: Status,
) -> Judgement {
    let judgement = judge_response(verdict, response);
    assert_eq!(
        judgement.status_of(rule),
        Some(status),
        "{rule} should be {status:?}; checks: {:#?}",
        judgement.checks
    );
    judgement
}
