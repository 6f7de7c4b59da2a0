//! The server-side gate sent through aws-sdk-opsworks (`run --via sdk`): the reference server
//! passes, and the rules whose cases the SDK cannot express are not applicable, never passed.
#![cfg(all(feature = "sdk", feature = "server"))]

use opsworks_conformance::contract::{RawRequest, rules, wire};
use opsworks_conformance::report::human_report;
use opsworks_conformance::runner::{RuleStatus, RunConfig, RunReport, run};
use opsworks_conformance::server::ReferenceServer;
use opsworks_conformance::target::{SdkTarget, Target};
use opsworks_conformance::world::World;

async fn gate_via_sdk(world: World, cases: usize) -> RunReport {
    let server = ReferenceServer::start(world.clone())
        .await
        .expect("the reference server starts");
    let target = SdkTarget::new(&server.url(), &world, "us-east-1").expect("a valid URL");
    let config = RunConfig::default().with_seed(11).with_cases(cases);
    let report = run(&target, &world, &config).await;
    server.shutdown().await;
    report
}

fn status(report: &RunReport, rule: opsworks_conformance::contract::RuleId) -> RuleStatus {
    report
        .rule(rule)
        .map_or(RuleStatus::NotApplicable, |entry| entry.status)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reference_server_passes_via_the_sdk() {
    let report = gate_via_sdk(World::bundled(), 400).await;
    let human = human_report(&report, "us-east-1");
    assert!(report.passed(), "{human}");
    assert!(
        report
            .target
            .starts_with("aws-sdk-opsworks to http://127.0.0.1:"),
        "{human}"
    );
    // What the SDK can say is exercised...
    for rule in [
        rules::S_ACCEPT_VALID,
        rules::S_UNIQUE_ID,
        rules::V_APP_REQUIRED,
        rules::V_NAME_ENUM,
        rules::V_COMMAND_REQUIRED,
        rules::N_STACK,
        rules::P_SUCCESS_SHAPE,
    ] {
        assert_eq!(status(&report, rule), RuleStatus::Passed, "{rule}\n{human}");
    }
    // ...what it cannot (raw bodies, other headers) is not applicable, with the reason.
    for rule in [
        rules::P_MALFORMED_JSON,
        rules::P_EMPTY_BODY,
        rules::P_UNKNOWN_OPERATION,
        rules::P_CONTENT_TYPE_PARAMS,
        rules::V_TYPE,
    ] {
        let entry = report.rule(rule).expect("reported");
        assert_eq!(entry.status, RuleStatus::NotApplicable, "{rule}\n{human}");
        assert!(
            entry
                .note
                .as_deref()
                .is_some_and(|note| note.starts_with("the target cannot express these cases")),
            "{rule}: {:?}",
            entry.note
        );
    }
    assert!(
        report
            .notes
            .iter()
            .any(|note| note.contains("cannot express")),
        "{:?}",
        report.notes
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_users_the_sdk_signs_as_the_user_and_cannot_send_bad_signatures() {
    let report = gate_via_sdk(World::bundled_with_users(), 400).await;
    let human = human_report(&report, "us-east-1");
    assert!(report.passed(), "{human}");
    assert_eq!(
        status(&report, rules::A_PERMISSION),
        RuleStatus::Passed,
        "{human}"
    );
    for rule in [
        rules::A_SIGNATURE_REQUIRED,
        rules::A_KEY_KNOWN,
        rules::A_SIGNATURE_VALID,
    ] {
        assert_eq!(
            status(&report, rule),
            RuleStatus::NotApplicable,
            "{rule}\n{human}"
        );
    }
}

#[test]
fn can_send_only_canonical_requests_with_the_standard_headers() {
    let world = World::bundled();
    let target = SdkTarget::new("http://127.0.0.1:9", &world, "us-east-1").expect("a valid URL");
    let canonical = r#"{"StackId":"s","Command":{"Name":"setup"}}"#;
    assert!(target.can_send(&RawRequest::json(canonical)));
    // Another spelling of the same value is not what the SDK sends.
    assert!(!target.can_send(&RawRequest::json(
        r#"{"StackId": "s", "Command": {"Name": "setup"}}"#
    )));
    assert!(!target.can_send(&RawRequest::json(
        r#"{"StackId":"s","AppId":null,"Command":{"Name":"setup"}}"#
    )));
    assert!(!target.can_send(&RawRequest::json(r#"{"StackId":"s","Command":{}}"#)));
    assert!(!target.can_send(&RawRequest::json("")));
    assert!(!target.can_send(&RawRequest::json(canonical).without_header(wire::TARGET_HEADER)));
    assert!(
        !target.can_send(
            &RawRequest::json(canonical)
                .with_header("Content-Type", "application/x-amz-json-1.1; charset=utf-8")
        )
    );
    assert!(SdkTarget::new("ftp://example.com", &world, "us-east-1").is_err());
}

/// A target that accepts connections and never answers: each call through the SDK ends after
/// the target's own timeout (the library bounds it; the CLI is not needed for that).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_to_a_hanging_server_times_out() {
    use opsworks_conformance::contract::{
        CommandName, CreateDeploymentInput, TransportFailureKind,
    };
    use std::time::{Duration, Instant};

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free port on 127.0.0.1");
    let address = listener.local_addr().expect("a bound address");
    let hold = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((connection, _)) = listener.accept().await {
            held.push(connection);
        }
    });
    let world = World::bundled();
    let target = SdkTarget::new(&format!("http://{address}"), &world, "us-east-1")
        .expect("a valid URL")
        .with_timeout(Duration::from_millis(300));
    let mut input = CreateDeploymentInput::new(&world.stacks[0].stack_id, CommandName::Deploy);
    input.app_id = Some(world.stacks[0].apps[0].app_id.clone());
    let request = input.to_raw();
    assert!(target.can_send(&request));
    let started = Instant::now();
    let failure = target.send(&request).await.expect_err("no answer");
    let took = started.elapsed();
    assert_eq!(failure.kind, TransportFailureKind::Timeout, "{failure}");
    assert!(took >= Duration::from_millis(300), "{took:?}");
    assert!(took < Duration::from_secs(3), "{took:?}");
    hold.abort();
}
