//! Bad input never panics the oracle, and verdicts are deterministic.

mod support;

use opsworks_conformance::contract::RawRequest;
use opsworks_conformance::oracle::{CallerIdentity, judge_request, judge_response};
use opsworks_conformance::target::ReferenceTarget;
use proptest::prelude::*;
use support::*;

fn judge_twice(request: &RawRequest) {
    for world in [world(), users_world()] {
        for caller in [CallerIdentity::Unsigned, verified("deployer")] {
            let first = judge_request(&world, request, &caller);
            let second = judge_request(&world, request, &caller);
            assert_eq!(first, second, "the oracle is deterministic");
            let target = ReferenceTarget::new(world.clone());
            let response = Ok(target.answer(request, &caller));
            assert!(judge_response(&first, &response).conforms(true));
        }
    }
}

#[test]
fn deep_nesting_in_the_body() {
    for depth in [129, 10_000, 100_000] {
        judge_twice(&RawRequest::json("[".repeat(depth)));
        judge_twice(&RawRequest::json(format!(
            "{}{}",
            "[".repeat(depth),
            "]".repeat(depth)
        )));
        let nested = format!("{}1{}", r#"{"a":"#.repeat(depth), "}".repeat(depth));
        judge_twice(&RawRequest::json(format!(
            r#"{{"StackId":"s1","Command":{{"Name":"setup"}},"Extra":{nested}}}"#
        )));
        let arrays = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        judge_twice(&RawRequest::json(format!(
            r#"{{"StackId":"s1","Command":{{"Name":"setup","Args":{{"recipes":{arrays}}}}}}}"#
        )));
    }
}

#[test]
fn deep_nesting_in_custom_json() {
    for depth in [128, 129, 100_000, 1_000_000] {
        let custom = format!("{}1{}", r#"{"a":"#.repeat(depth), "}".repeat(depth));
        let body = serde_json::json!({"StackId": "s1", "Command": {"Name": "setup"}, "CustomJson": custom}).to_string();
        judge_twice(&RawRequest::json(body));
    }
}

#[test]
fn invalid_utf8() {
    for bytes in [
        b"\xff".to_vec(),
        b"{\"StackId\":\"s1\xc0\xaf\",\"Command\":{\"Name\":\"setup\"}}".to_vec(),
        b"{\"StackId\":\"s1\",\"Command\":{\"Name\":\"setup\"},\"Comment\":\"\xe2\x82\"}".to_vec(),
        b"\xef\xbb\xbf{}".to_vec(),
    ] {
        judge_twice(&RawRequest::json(bytes));
    }
}

#[test]
fn huge_strings() {
    let big = "x".repeat(10 * 1024 * 1024);
    judge_twice(&RawRequest::json(format!(
        r#"{{"StackId":"s1","Command":{{"Name":"setup"}},"Comment":"{big}"}}"#
    )));
    judge_twice(&RawRequest::json(format!(
        r#"{{"StackId":"{big}","Command":{{"Name":"setup"}}}}"#
    )));
    let custom = format!(r#"{{"k":"{big}"}}"#);
    let body =
        serde_json::json!({"StackId": "s1", "Command": {"Name": "setup"}, "CustomJson": custom})
            .to_string();
    judge_twice(&RawRequest::json(body));
    let many: Vec<String> = (0..100_000).map(|i| format!("i{i}")).collect();
    let body =
        serde_json::json!({"StackId": "s1", "Command": {"Name": "setup"}, "InstanceIds": many})
            .to_string();
    judge_twice(&RawRequest::json(body));
}

const SEEDS: [&str; 4] = [
    r#"{"StackId":"s1","AppId":"rails3","InstanceIds":["i1"],"Command":{"Name":"deploy","Args":{"migrate":["true"]}},"Comment":"c","CustomJson":"{\"a\":[1,{\"b\":null}]}"}"#,
    r#"{"StackId":"s1","Command":{"Name":"execute_recipes","Args":{"recipes":["phpapp::appsetup"]}}}"#,
    r#"{"StackId":"s1","Command":{"Name":"update_dependencies","Args":{"upgrade_os_to":["Amazon Linux 2016.09"],"allow_reboot":["true"]}}}"#,
    r#"{"StackId":"s1","AppId":"rails3","Command":{"Name":"rollback"}}"#,
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(body in proptest::collection::vec(any::<u8>(), 0..512)) {
        judge_twice(&RawRequest::json(body));
    }

    #[test]
    fn mutated_valid_bodies_never_panic(
        seed in 0..SEEDS.len(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0..3u8), 1..8),
    ) {
        let mut body = SEEDS[seed].as_bytes().to_vec();
        for (index, byte, kind) in edits {
            let at = index.index(body.len() + 1);
            match kind {
                0 => body.insert(at, byte),
                1 if at < body.len() => { body.remove(at); }
                _ if at < body.len() => body[at] = byte,
                _ => body.push(byte),
            }
        }
        judge_twice(&RawRequest::json(body));
    }

    #[test]
    fn arbitrary_headers_never_panic(
        headers in proptest::collection::vec(("[A-Za-z-]{1,20}", ".{0,60}"), 0..6),
        seed in 0..SEEDS.len(),
    ) {
        let request = RawRequest { headers, body: SEEDS[seed].as_bytes().to_vec() };
        judge_twice(&request);
    }
}
