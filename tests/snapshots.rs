//! Snapshots (insta, in the top-level `snapshots/` folder) of what the contract puts on the
//! wire and in reports, so that a change to any of them reads as a contract change in review:
//! the canonical wire request of one case per command, the reference implementation's response
//! for one case per rule, the `rules` listing, and the JSON and human reports of a fixed-seed run
//! against the in-process reference target. Ids, dates and signatures are redacted.
//!
//! Update with `cargo insta test --all-features --test snapshots` then `cargo insta review` (or
//! `accept`); with `CI=true` a mismatch fails and nothing is written.
#![cfg(feature = "sigv4")]

use std::time::{Duration, SystemTime};

use insta::dynamic_redaction;
use opsworks_conformance::contract::{
    CommandName, CreateDeploymentInput, Observation, RawRequest, RuleId, wire,
};
use opsworks_conformance::generate::{family, server_rules};
use opsworks_conformance::report::{human_report, json_report};
use opsworks_conformance::runner::{RunConfig, run, signed_request};
use opsworks_conformance::sigv4;
use opsworks_conformance::target::{ReferenceTarget, Target, block_on};
use opsworks_conformance::world::World;
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::{Map, Value, json};

/// Runs `body` with snapshots in `snapshots/`, named without the module.
macro_rules! in_snapshots {
    ($body:block) => {
        insta::with_settings!({
            snapshot_path => "../snapshots",
            prepend_module_to_snapshot => false,
            omit_expression => true,
        }, $body)
    };
}

/// `Signature=<hex>` and the scope date replaced, the rest (key, region, service, signed
/// headers) kept: they are part of the contract.
fn redact_authorization(value: &str) -> String {
    let mut out = opsworks_conformance::report::redact_authorization(value);
    out = out.replace("Signature=<redacted>", "Signature=[signature]");
    if let Some(start) = out.find("Credential=") {
        let scope = &out[start + "Credential=".len()..];
        let parts: Vec<&str> = scope.splitn(3, '/').collect();
        if let [key, _date, rest] = parts.as_slice() {
            out = format!("{}Credential={key}/[date]/{rest}", &out[..start]);
        }
    }
    out
}

/// Headers as an ordered object, `Authorization` and `X-Amz-Date` redacted.
fn headers_json(headers: &[(String, String)]) -> Value {
    let mut map = Map::new();
    for (name, value) in headers {
        let value = if name.eq_ignore_ascii_case("authorization") {
            redact_authorization(value)
        } else if name.eq_ignore_ascii_case("x-amz-date") {
            "[date]".to_owned()
        } else {
            value.clone()
        };
        map.insert(name.clone(), Value::String(value));
    }
    Value::Object(map)
}

/// A body as JSON when it is JSON, as text otherwise.
fn body_json(body: &[u8]) -> Value {
    serde_json::from_slice(body)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into_owned()))
}

/// One typed request per command, on the bundled world, with the members each command uses.
fn request_per_command() -> Vec<(CommandName, CreateDeploymentInput)> {
    let world = World::bundled();
    let stack = &world.stacks[0];
    let rails = stack.apps[0].app_id.clone();
    let base = |name| CreateDeploymentInput::new(&stack.stack_id, name);
    CommandName::ALL
        .into_iter()
        .map(|name| {
            let input = match name {
                CommandName::InstallDependencies => base(name)
                    .with_instances([stack.instances[0].instance_id.clone()])
                    .with_comment("install dependencies"),
                CommandName::UpdateDependencies => base(name)
                    .with_arg("upgrade_os_to", ["Amazon Linux 2"])
                    .with_arg("allow_reboot", ["true"]),
                CommandName::UpdateCustomCookbooks => base(name).with_layers(
                    stack
                        .layers
                        .iter()
                        .take(2)
                        .map(|layer| layer.layer_id.clone()),
                ),
                CommandName::ExecuteRecipes => {
                    base(name).with_arg("recipes", ["phpapp::appsetup", "mysql::client"])
                }
                CommandName::Configure => base(name),
                CommandName::Setup => base(name)
                    .with_custom_json(r#"{"opsworks":{"note":"déjà vu"}}"#)
                    .with_comment("première"),
                CommandName::Deploy => base(name)
                    .with_app(&rails)
                    .with_arg("migrate", ["true"])
                    .with_comment("release 42"),
                _ => base(name).with_app(&rails),
            };
            (name, input)
        })
        .collect()
}

#[test]
fn wire_request_per_command() {
    let time = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
    for (name, input) in request_per_command() {
        let signed = sigv4::sign(
            &input.to_raw(),
            "opsworks.us-east-1.amazonaws.com",
            "AKIDCLIENT0000000001",
            "client-secret",
            "us-east-1",
            time,
        );
        let snapshot = json!({
            "method": wire::METHOD,
            "path": wire::PATH,
            "headers": headers_json(&signed.headers),
            "body": signed.body_text(),
        });
        in_snapshots!({
            insta::assert_json_snapshot!(format!("wire-request-{}", name.as_str()), snapshot);
        });
    }
}

/// A fixed random source per rule, so that a rule's case does not depend on the others.
fn runner_for(rule: RuleId) -> TestRunner {
    let mut bytes = [7u8; 32];
    for (index, byte) in rule.as_str().bytes().enumerate() {
        bytes[index % 32] ^= byte;
    }
    let config = Config {
        failure_persistence: None,
        ..Config::default()
    };
    TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &bytes))
}

/// The response as snapshotted: status, headers, body (as JSON when it is).
fn response_json(response: &Observation) -> Value {
    json!({
        "status": response.status,
        "headers": headers_json(&response.headers),
        "body": body_json(&response.body),
    })
}

#[test]
fn reference_response_per_rule() {
    for rule in server_rules() {
        // The bundled world, or the one with users for the rules that need users.
        let (world, strategy) = match family(rule, &World::bundled()) {
            Some(strategy) => (World::bundled(), strategy),
            None => match family(rule, &World::bundled_with_users()) {
                Some(strategy) => (World::bundled_with_users(), strategy),
                None => continue,
            },
        };
        let mut runner = runner_for(rule);
        let mut tree = strategy
            .new_tree(&mut runner)
            .expect("the family makes a case");
        // The simplest case of the family.
        for _ in 0..10_000 {
            if !tree.simplify() {
                break;
            }
        }
        let case = tree.current();
        let target = ReferenceTarget::new(world.clone());
        let request: RawRequest =
            signed_request(&case, &world, "localhost", "us-east-1").expect("built with sigv4");
        let response = block_on(target.send(&request)).expect("the reference target answers");
        let snapshot = json!({
            "rule": rule.as_str(),
            "variant": case.label,
            "request": {
                "headers": headers_json(&request.headers),
                "body": request.body_text(),
            },
            "response": response_json(&response),
        });
        in_snapshots!({
            insta::assert_json_snapshot!(format!("reference-response-{rule}"), snapshot, {
                ".response.body.DeploymentId" => dynamic_redaction(|value, _| {
                    if value.as_str().is_some_and(|id| !id.is_empty()) { "[deployment id]".into() } else { value }
                }),
            });
        });
    }
}

#[cfg(feature = "cli")]
#[test]
fn rules_listing() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_opsworks-conformance"))
        .arg("rules")
        .output()
        .expect("the binary starts");
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8(output.stdout).expect("UTF-8");
    in_snapshots!({
        insta::assert_snapshot!("rules-listing", text);
    });
}

#[test]
fn reports_of_a_fixed_seed_run() {
    let world = World::bundled();
    let target = ReferenceTarget::new(world.clone());
    let config = RunConfig::default().with_seed(42).with_cases(256);
    let report = block_on(run(&target, &world, &config));
    assert!(report.passed());
    let json = json_report(&report, &config.region);
    let human = human_report(&report, &config.region);
    in_snapshots!({
        insta::assert_json_snapshot!("report-reference-seed-42-json", json, {
            ".version" => "[version]",
        });
        insta::assert_snapshot!("report-reference-seed-42-human", human);
    });
}
