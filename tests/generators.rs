//! Generators and oracle agree: valid requests are valid, every family's cases name their
//! rule, generation is deterministic for a seed, and worlds beyond the bundled ones work.

use opsworks_conformance::contract::{RuleId, Severity, rules};
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
