//! Snapshots (insta, in the top-level `snapshots/` folder) of what the contract puts on the
//! wire and in reports, so that a change to any of them reads as a contract change in review:
//! the canonical wire request of one case per command, the reference implementation's
//! transcript of every rule (its answers to the rule's exemplars, as `run --snapshots` writes
//! them), the `rules` listing, and the JSON and human reports of a fixed-seed run
//! against the in-process reference target. Ids, dates and signatures are redacted.
//!
//! Update with `cargo insta test --all-features --test snapshots` then `cargo insta review` (or
//! `accept`); with `CI=true` a mismatch fails and nothing is written.

use std::time::{Duration, SystemTime};

use opsworks_conformance::contract::{CommandName, CreateDeploymentInput, RuleId, wire};
use opsworks_conformance::generate::server_rules;
use opsworks_conformance::report::{human_report, json_report};
use opsworks_conformance::runner::{NoProgress, RunConfig, run, run_with_snapshots};
use opsworks_conformance::sigv4;
use opsworks_conformance::snapshot::Transcript;
use opsworks_conformance::target::{ReferenceTarget, block_on};
use opsworks_conformance::world::World;
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

/// The reference's transcripts (its answers to each rule's exemplars, as `run --snapshots`
/// writes them): in the bundled world, and in the world with users for the rules that need
/// users.
fn reference_transcripts(seed: u64, cases: usize) -> Vec<Transcript> {
    let mut transcripts = Vec::new();
    for world in [World::bundled(), World::bundled_with_users()] {
        let target = ReferenceTarget::new(world.clone());
        let config = RunConfig::default().with_seed(seed).with_cases(cases);
        let (report, found) = block_on(run_with_snapshots(&target, &world, &config, &NoProgress));
        assert!(report.passed(), "{}", human_report(&report, &config.region));
        for transcript in found {
            if !transcripts
                .iter()
                .any(|known: &Transcript| known.rule == transcript.rule)
            {
                transcripts.push(transcript);
            }
        }
    }
    transcripts
}

#[test]
fn reference_transcript_per_rule() {
    let transcripts = reference_transcripts(42, 200);
    let with_exemplars: Vec<RuleId> = transcripts.iter().map(|t| t.rule).collect();
    for rule in server_rules() {
        assert!(
            with_exemplars.contains(&rule),
            "{rule}: expected exemplars in the bundled world or the one with users"
        );
    }
    assert_eq!(
        transcripts,
        reference_transcripts(7, 60),
        "the same transcripts whatever the seed and the number of cases"
    );
    for transcript in &transcripts {
        // No Rust `Debug` text on the wire.
        for debug in ["JsonLimits", "Some(", "None", ": true", ": false }"] {
            assert!(
                !transcript.text.contains(debug),
                "{}: Debug text {debug:?} in an answer:\n{}",
                transcript.rule,
                transcript.text
            );
        }
        in_snapshots!({
            insta::assert_snapshot!(
                format!("reference-transcript-{}", transcript.rule),
                transcript.text
            );
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
