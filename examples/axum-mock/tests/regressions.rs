//! A regression test of a bug found by reading the code, judged by the same oracle: serde reads
//! a structure from a JSON array, positionally, so `Command: ["configure", null]` was once
//! accepted. The suite's generators send such requests since (P-MALFORMED-JSON, V-TYPE); these
//! exact bodies stay pinned here.

mod common;

use opsworks_conformance::contract::RawRequest;
use opsworks_conformance::oracle::{self, CallerIdentity};
use opsworks_conformance::target::{Target, from_service};
use opsworks_conformance::world::World;

#[tokio::test]
async fn structures_sent_as_arrays_are_refused() -> Result<(), Box<dyn std::error::Error>> {
    let world = World::bundled();
    let target = from_service(axum_mock::router(common::store_from(&world)?));
    let stack = &world.stacks[0].stack_id;
    for body in [
        format!(r#"["{stack}", null, null, null, {{"Name": "configure"}}, null, null]"#),
        format!(r#"{{"StackId": "{stack}", "Command": ["configure", null]}}"#),
        format!(
            r#"{{"StackId": "{stack}", "Command": ["execute_recipes", {{"recipes": ["a::b"]}}]}}"#
        ),
    ] {
        let request = RawRequest::json(body.as_str());
        let verdict = oracle::judge_request(&world, &request, &CallerIdentity::Unsigned);
        let answer = target.send(&request).await;
        let judgement = oracle::judge_response(&verdict, &answer);
        let failures: Vec<String> = judgement.failures().map(ToString::to_string).collect();
        assert!(failures.is_empty(), "{body}: {failures:?}");
    }
    Ok(())
}

/// A UTF-8 byte order mark before the JSON text (RFC 8259 section 8.1) is M-JSON-LIMITS in
/// catalogue version 2: serde_json refuses it, so the mock answers SerializationException
/// (body) or ValidationException (CustomJson), one of the two behaviours the rule allows.
#[tokio::test]
async fn a_byte_order_mark_is_refused_as_a_json_limit() -> Result<(), Box<dyn std::error::Error>> {
    use opsworks_conformance::contract::rules;
    use opsworks_conformance::oracle::Status;
    let world = World::bundled();
    let target = from_service(axum_mock::router(common::store_from(&world)?));
    let stack = &world.stacks[0].stack_id;
    let body = format!(r#"{{"StackId": "{stack}", "Command": {{"Name": "configure"}}}}"#);
    let custom = format!(
        r#"{{"StackId": "{stack}", "Command": {{"Name": "configure"}}, "CustomJson": "\ufeff{{}}"}}"#
    );
    for (bytes, code) in [
        (
            [b"\xef\xbb\xbf".as_slice(), body.as_bytes()].concat(),
            "SerializationException",
        ),
        (custom.into_bytes(), "ValidationException"),
    ] {
        let request = RawRequest::json(bytes);
        let verdict = oracle::judge_request(&world, &request, &CallerIdentity::Unsigned);
        let answer = target.send(&request).await;
        let judgement = oracle::judge_response(&verdict, &answer);
        let failures: Vec<String> = judgement.failures().map(ToString::to_string).collect();
        assert!(failures.is_empty(), "{failures:?}");
        let limits = judgement
            .checks
            .iter()
            .find(|check| check.rule == rules::M_JSON_LIMITS && check.behaviour.is_some())
            .expect("the M-JSON-LIMITS behaviour is recorded");
        assert_eq!(limits.status, Status::Informational);
        assert_eq!(
            limits.behaviour.map(|behaviour| behaviour.to_string()),
            Some(format!("rejected ({code})"))
        );
    }
    Ok(())
}
