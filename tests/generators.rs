//! Generators and oracle agree: valid requests are valid, every family's cases name their
//! rule, generation is deterministic for a seed, and worlds beyond the bundled ones work.

use opsworks_conformance::contract::{
    OPSWORKS_OPERATIONS, OPSWORKS_TARGET_PREFIX, RuleId, Severity, api_operation,
    could_be_taken_for_operation, rules, wire,
};
use opsworks_conformance::generate::{self, Case, server_rules, valid_request, violating};
use opsworks_conformance::oracle::{Effect, Outcome, Tier, Verdict, judge_request};
use opsworks_conformance::world::World;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

fn runner(seed: u8) -> TestRunner {
    TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &[seed; 32]),
    )
}

fn draw(strategy: &BoxedStrategy<Case>, runner: &mut TestRunner) -> Case {
    strategy
        .new_tree(runner)
        .expect("the strategy makes a case")
        .current()
}

/// Whether the verdict for a case of `rule`'s family is about `rule`.
fn names(rule: RuleId, verdict: &Verdict) -> bool {
    match rule.as_str() {
        "P-SUCCESS-SHAPE" | "S-ACCEPT-VALID" | "S-UNIQUE-ID" => verdict.is_valid(),
        "P-ERROR-SHAPE" | "P-ERROR-MESSAGE" => !verdict.allows(&Outcome::Success),
        "P-RESPONSE-CONTENT-TYPE" | "P-NO-SERVER-ERROR" => true,
        "P-CONTENT-TYPE-PARAMS" => verdict.exercised().contains(&rule) && verdict.is_valid(),
        "S-ERROR-NO-EFFECT" => {
            verdict.effect() != &Effect::None && !verdict.allows(&Outcome::Success)
        }
        "O-PRECEDENCE" => {
            let mut tiers: Vec<Tier> = verdict.findings().iter().map(|f| f.tier).collect();
            tiers.dedup();
            tiers.len() > 1
        }
        _ if rule.severity() == Severity::May => {
            verdict.may_cases().iter().any(|case| case.rule == rule)
        }
        _ => verdict.broken().contains(&rule),
    }
}

fn check_families(world: &World, cases_per_rule: usize, seed: u8) -> usize {
    let mut checked = 0;
    for rule in server_rules() {
        let Some(strategy) = violating(rule, world) else {
            continue;
        };
        let mut runner = runner(seed);
        for _ in 0..cases_per_rule {
            let case = draw(&strategy, &mut runner);
            assert_eq!(case.rule, rule);
            let verdict = judge_request(world, &case.request, &case.caller());
            // The S-ERROR-NO-EFFECT family also sends valid rollbacks: what reveals a rejected
            // rollback that used up a version anyway.
            let revealing = case.label == "valid rollback, revealing an earlier one";
            assert!(
                if revealing {
                    rule.as_str() == "S-ERROR-NO-EFFECT"
                        && verdict.is_valid()
                        && verdict.effect() != &Effect::None
                } else {
                    names(rule, &verdict)
                },
                "{rule}: case {case:?}\nverdict findings {:?}\nMAY cases {:?}",
                verdict.findings(),
                verdict.may_cases()
            );
            checked += 1;
        }
    }
    checked
}

#[test]
fn every_family_names_its_rule_in_the_bundled_worlds() {
    assert!(check_families(&World::bundled(), 64, 1) > 2000);
    assert!(check_families(&World::bundled_with_users(), 64, 2) > 2000);
}

#[test]
fn every_applicable_server_rule_has_a_family() {
    let with_users = World::bundled_with_users();
    for rule in server_rules() {
        assert!(
            violating(rule, &with_users).is_some(),
            "{rule} has no family in the bundled world with users"
        );
    }
    let without = World::bundled();
    for rule in [
        rules::A_SIGNATURE_REQUIRED,
        rules::A_KEY_KNOWN,
        rules::A_SIGNATURE_VALID,
        rules::A_PERMISSION,
        rules::M_POLICY_VS_DENY,
    ] {
        assert!(violating(rule, &without).is_none(), "{rule} needs users");
    }
    for rule in [rules::C_BODY, rules::C_SIGV4] {
        assert!(
            violating(rule, &with_users).is_none(),
            "{rule} is a client rule"
        );
    }
}

#[test]
fn generation_is_deterministic_for_a_seed() {
    let world = World::bundled_with_users();
    for rule in server_rules() {
        let Some(strategy) = violating(rule, &world) else {
            continue;
        };
        let (mut a, mut b) = (runner(7), runner(7));
        for _ in 0..16 {
            assert_eq!(draw(&strategy, &mut a), draw(&strategy, &mut b), "{rule}");
        }
    }
}

#[test]
fn valid_requests_cover_every_command_and_every_optional_member() {
    let world = World::bundled();
    let strategy = valid_request(&world).expect("valid requests exist");
    let mut runner = runner(3);
    let mut commands = std::collections::BTreeSet::new();
    let (mut with, mut without) = ([0usize; 6], [0usize; 6]);
    let mut multibyte = false;
    let mut several_instances = false;
    for _ in 0..2000 {
        let case = draw(&strategy, &mut runner);
        let input = case.input.clone().expect("typed");
        commands.insert(input.command_name().expect("a valid name"));
        let present = [
            input.app_id.is_some(),
            input.instance_ids.is_some(),
            input.layer_ids.is_some(),
            input.command.as_ref().is_some_and(|c| c.args.is_some()),
            input.comment.is_some(),
            input.custom_json.is_some(),
        ];
        for (index, member) in present.into_iter().enumerate() {
            if member {
                with[index] += 1
            } else {
                without[index] += 1
            }
        }
        multibyte |= input.comment.as_deref().is_some_and(|c| !c.is_ascii());
        several_instances |= input.instance_ids.as_ref().is_some_and(|ids| ids.len() > 1);
    }
    assert_eq!(commands.len(), 12, "{commands:?}");
    assert!(
        with.iter().all(|n| *n > 0) && without.iter().all(|n| *n > 0),
        "{with:?} {without:?}"
    );
    assert!(multibyte && several_instances);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Beyond the bundled worlds: random worlds, with and without users.
    #[test]
    fn families_hold_in_random_worlds(world in prop_oneof![generate::world::world(), generate::world::world_with_users()], seed in any::<u8>()) {
        check_families(&world, 4, seed);
        if let Some(strategy) = valid_request(&world) {
            let mut runner = runner(seed);
            for _ in 0..8 {
                let case = draw(&strategy, &mut runner);
                prop_assert!(judge_request(&world, &case.request, &case.caller()).is_valid());
            }
        }
    }
}

/// The `X-Amz-Target` values of a case that a server could take for an operation of the API
/// other than CreateDeployment: exactly, or after trimming and ASCII case folding, or by the
/// part after the last `.` (`could_be_taken_for_operation`); and those that name one exactly.
fn other_operations(case: &Case) -> Vec<String> {
    wire::header_values(&case.request.headers, wire::TARGET_HEADER)
        .filter(|value| {
            let exact = api_operation(value).is_some_and(|op| op != "CreateDeployment");
            let lenient =
                could_be_taken_for_operation(value).is_some_and(|op| op != "CreateDeployment");
            let folded = OPSWORKS_OPERATIONS.iter().any(|op| {
                *op != "CreateDeployment"
                    && value
                        .trim()
                        .eq_ignore_ascii_case(&format!("{OPSWORKS_TARGET_PREFIX}.{op}"))
            });
            exact || lenient || folded
        })
        .map(str::to_owned)
        .collect()
}

/// RULES.md, "What the suite sends": no case of any family, in any world, for any seed, names
/// an operation of the API other than CreateDeployment, nor anything a lenient server could
/// take for one; and the P-UNKNOWN-OPERATION family does send every kind of name the API does
/// not have.
#[test]
fn no_family_sends_another_operation_of_the_api() {
    let worlds = [World::bundled(), World::bundled_with_users()];
    let mut targets = std::collections::BTreeSet::new();
    let mut checked = 0;
    for world in &worlds {
        for rule in server_rules() {
            let Some(strategy) = violating(rule, world) else {
                continue;
            };
            for seed in 0..8u8 {
                let mut runner = runner(seed);
                for _ in 0..48 {
                    let case = draw(&strategy, &mut runner);
                    assert_eq!(
                        other_operations(&case),
                        Vec::<String>::new(),
                        "{rule}: {case:?}"
                    );
                    let verdict = judge_request(world, &case.request, &case.caller());
                    assert!(verdict.is_judged(), "{rule}: {case:?}");
                    if rule == rules::P_UNKNOWN_OPERATION {
                        let values: Vec<&str> =
                            wire::header_values(&case.request.headers, wire::TARGET_HEADER)
                                .collect();
                        targets.insert(values.join(" + "));
                    }
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 30_000, "{checked}");
    for expected in [
        "",
        "OpsWorks_20130218.CreateDeployments",
        "OpsWorks_20130218.CreateDeploymentX",
        "OpsWorks_20130218.Nonexistent",
        "OpsWorks_20120101.CreateDeployment",
        "DynamoDB_20120810.CreateDeployment",
        "OpsWorks_20130218.CreateDeployment + OpsWorks_20130218.Nonexistent",
    ] {
        assert!(
            targets.contains(expected),
            "{expected:?} not among {targets:?}"
        );
    }
    // The check can fail: it sees what the v1 families sent.
    let mut v1 = Case::typed(
        rules::P_UNKNOWN_OPERATION,
        "another operation",
        opsworks_conformance::contract::CreateDeploymentInput::default(),
        opsworks_conformance::contract::Signing::Unsigned,
    );
    v1.request = v1
        .request
        .add_header(wire::TARGET_HEADER, "OpsWorks_20130218.DeleteStack");
    assert_eq!(other_operations(&v1), vec!["OpsWorks_20130218.DeleteStack"]);
    v1.request = v1
        .request
        .with_header(wire::TARGET_HEADER, " opsworks_20130218.describestacks");
    assert_eq!(other_operations(&v1).len(), 1);
}

/// Random worlds too, with many seeds.
#[test]
fn no_family_sends_another_operation_of_the_api_in_random_worlds() {
    let mut worlds = runner(9);
    let strategy = prop_oneof![
        generate::world::world(),
        generate::world::world_with_users()
    ];
    for seed in 0..24u8 {
        let world = strategy.new_tree(&mut worlds).expect("a world").current();
        for rule in server_rules() {
            let Some(family) = violating(rule, &world) else {
                continue;
            };
            let mut runner = runner(seed);
            for _ in 0..8 {
                let case = draw(&family, &mut runner);
                assert_eq!(
                    other_operations(&case),
                    Vec::<String>::new(),
                    "{rule}: {case:?}"
                );
            }
        }
    }
}

/// A byte order mark before the JSON text is M-JSON-LIMITS (RFC 8259 section 8.1): no
/// P-MALFORMED-JSON or V-CUSTOM-JSON case starts with one, and M-JSON-LIMITS sends both kinds
/// (body and CustomJson); NaN and Infinity are among what P-MALFORMED-JSON and V-CUSTOM-JSON
/// send.
#[test]
fn byte_order_marks_and_named_non_json() {
    const MARK: &[u8] = b"\xef\xbb\xbf";
    let world = World::bundled();
    let custom_json = |case: &Case| -> Option<String> {
        let body: serde_json::Value = serde_json::from_slice(&case.request.body).ok()?;
        body.get("CustomJson")?.as_str().map(str::to_owned)
    };
    let mut labels = std::collections::BTreeSet::new();
    let (mut nan_body, mut nan_custom) = (0, 0);
    for rule in [
        rules::P_MALFORMED_JSON,
        rules::V_CUSTOM_JSON,
        rules::M_JSON_LIMITS,
    ] {
        let strategy = violating(rule, &world).expect("a family");
        for seed in 0..8u8 {
            let mut runner = runner(seed);
            for _ in 0..200 {
                let case = draw(&strategy, &mut runner);
                let marked_body = case.request.body.starts_with(MARK);
                let marked_custom =
                    custom_json(&case).is_some_and(|text| text.starts_with('\u{feff}'));
                if rule == rules::M_JSON_LIMITS {
                    labels.insert(case.label);
                    if marked_body || marked_custom {
                        let verdict = judge_request(&world, &case.request, &case.caller());
                        assert!(verdict.broken().is_empty(), "{case:?}");
                    }
                } else {
                    assert!(!marked_body && !marked_custom, "{rule}: {case:?}");
                }
                let text = String::from_utf8_lossy(&case.request.body);
                if rule == rules::P_MALFORMED_JSON
                    && ["NaN", "Infinity"].iter().any(|word| text.contains(word))
                {
                    nan_body += 1;
                }
                if rule == rules::V_CUSTOM_JSON
                    && custom_json(&case)
                        .is_some_and(|text| ["NaN", "Infinity"].iter().any(|w| text.contains(w)))
                {
                    nan_custom += 1;
                }
            }
        }
    }
    assert!(
        labels.contains("byte order mark before the body"),
        "{labels:?}"
    );
    assert!(
        labels.contains("byte order mark at the start of CustomJson"),
        "{labels:?}"
    );
    assert!(nan_body > 0 && nan_custom > 0, "{nan_body} {nan_custom}");
}

/// V-TYPE sends numbers in the places of ids (what an implementation that coerces them would
/// look up), including a number whose text is an id of the world.
#[test]
fn v_type_sends_numeric_ids() {
    let world = World::from_json(
        r#"{"Stacks":[{"StackId":"42","Apps":[{"AppId":"a1","Type":"php"}],
            "Layers":[{"LayerId":"l1"}],"Instances":[{"InstanceId":"i1"}]}]}"#,
    )
    .expect("the world parses");
    let strategy = violating(rules::V_TYPE, &world).expect("a family");
    let mut runner = runner(5);
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..2000 {
        let case = draw(&strategy, &mut runner);
        let Ok(serde_json::Value::Object(body)) =
            serde_json::from_slice::<serde_json::Value>(&case.request.body)
        else {
            continue;
        };
        for member in ["StackId", "AppId"] {
            if let Some(serde_json::Value::Number(number)) = body.get(member) {
                seen.insert(format!("{member} {number}"));
            }
        }
        for member in ["InstanceIds", "LayerIds"] {
            if let Some(serde_json::Value::Array(ids)) = body.get(member) {
                for id in ids.iter().filter(|id| id.is_number()) {
                    seen.insert(format!("{member} {id}"));
                }
            }
        }
    }
    for expected in [
        "StackId 123",
        "StackId 42",
        "AppId 123",
        "InstanceIds 123",
        "LayerIds 42",
    ] {
        assert!(seen.contains(expected), "{expected} not among {seen:?}");
    }
}

/// The text a lenient reader makes of a P-MALFORMED-JSON case, by the variant's label: `NaN`
/// and `Infinity` read as numbers, invalid UTF-8 read lossily (U+FFFD), UTF-16 and UTF-32
/// decoded. `None` for the other variants.
fn leniently_read(case: &Case) -> Option<Vec<u8>> {
    let body = &case.request.body;
    let label = case.label;
    if label == "NaN or Infinity as a member value" {
        let text = std::str::from_utf8(body).ok()?;
        return Some(
            text.replace("-Infinity", "0")
                .replace("Infinity", "0")
                .replace("NaN", "0")
                .into_bytes(),
        );
    }
    if label.ends_with("in the Comment") {
        return Some(String::from_utf8_lossy(body).into_owned().into_bytes());
    }
    let wide = label.strip_prefix("the JSON text in ")?;
    let marked = wide.ends_with("with a byte order mark");
    let text: String = if wide.starts_with("UTF-16") {
        let units: Vec<u16> = body
            .chunks_exact(2)
            .map(|pair| {
                let pair = [pair[0], pair[1]];
                if wide.starts_with("UTF-16LE") {
                    u16::from_le_bytes(pair)
                } else {
                    u16::from_be_bytes(pair)
                }
            })
            .collect();
        String::from_utf16(&units).ok()?
    } else {
        body.chunks_exact(4)
            .map(|quad| {
                let quad = [quad[0], quad[1], quad[2], quad[3]];
                let unit = if wide.starts_with("UTF-32LE") {
                    u32::from_le_bytes(quad)
                } else {
                    u32::from_be_bytes(quad)
                };
                char::from_u32(unit)
            })
            .collect::<Option<String>>()?
    };
    let text = match text.strip_prefix('\u{feff}') {
        Some(rest) if marked => rest.to_owned(),
        _ if marked => return None,
        _ => text,
    };
    Some(text.into_bytes())
}

/// P-MALFORMED-JSON sends, often enough for a default run (about 50 cases of the family) to
/// draw each several times, what a lenient reader takes for a valid request: `NaN` or
/// `Infinity` in an unknown member, invalid UTF-8 (a stray byte, an encoded surrogate, an
/// overlong form) inside the Comment, the JSON text in UTF-16 or UTF-32 (NUL bytes, with and
/// without a byte order mark). Each is judged P-MALFORMED-JSON and nothing else, and each,
/// read leniently, is a request the oracle accepts: a reader that lets it through answers a
/// success, which fails the rule.
#[test]
fn malformed_json_sends_what_lenient_readers_accept() {
    let world = World::bundled();
    let strategy = violating(rules::P_MALFORMED_JSON, &world).expect("a family");
    let classes = [
        "NaN or Infinity as a member value",
        "a byte that is not UTF-8 in the Comment",
        "a UTF-8-encoded surrogate in the Comment",
        "an overlong UTF-8 encoding in the Comment",
        "the JSON text in UTF-",
    ];
    let mut counts = [0usize; 5];
    let mut wide_labels = std::collections::BTreeSet::new();
    let draws = 8 * 200;
    for seed in 0..8u8 {
        let mut runner = runner(seed);
        for _ in 0..200 {
            let case = draw(&strategy, &mut runner);
            let verdict = judge_request(&world, &case.request, &case.caller());
            assert_eq!(verdict.broken(), vec![rules::P_MALFORMED_JSON], "{case:?}");
            assert!(!verdict.allows(&Outcome::Success), "{case:?}");
            let Some(lenient) = leniently_read(&case) else {
                continue;
            };
            let class = classes
                .iter()
                .position(|class| case.label.starts_with(class))
                .unwrap_or_else(|| panic!("an unknown lenient variant: {case:?}"));
            counts[class] += 1;
            if class == 4 {
                assert!(case.request.body.contains(&0), "{case:?}");
                wide_labels.insert(case.label);
            }
            let mut request = case.request.clone();
            request.body = lenient;
            let read = judge_request(&world, &request, &case.caller());
            assert!(
                read.allows(&Outcome::Success),
                "{}: read leniently, {:?} is refused: {:?}",
                case.label,
                String::from_utf8_lossy(&request.body),
                read.findings()
            );
        }
    }
    // Two slots of sixteen each (half a slot for the stray byte): at least 1 in 12 (1 in 48).
    for (class, count) in classes.iter().zip(counts) {
        let least = if class.starts_with("a byte") { 48 } else { 12 };
        assert!(count * least >= draws, "{class}: {count} of {draws}");
    }
    assert_eq!(wide_labels.len(), 8, "{wide_labels:?}");
}
