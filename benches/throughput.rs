//! Throughput benchmarks: oracle verdicts per second, generated cases per second per family,
//! and the in-process gate's cases per second. Run with `cargo bench --bench throughput`.
//!
//! Figures are printed next to a baseline measured in the same run (parsing the same body with
//! serde_json), so a noisy machine shows up in both.

use std::hint::black_box;
use std::time::{Duration, Instant};

use opsworks_conformance::contract::{CommandName, CreateDeploymentInput, RawRequest};
use opsworks_conformance::generate::{server_rules, violating};
use opsworks_conformance::oracle::{CallerIdentity, judge_request};
use opsworks_conformance::runner::{RunConfig, run};
use opsworks_conformance::target::{ReferenceTarget, block_on};
use opsworks_conformance::world::World;
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;

/// Calls `work` repeatedly for about `budget`; returns calls per second.
fn rate(budget: Duration, mut work: impl FnMut()) -> f64 {
    let start = Instant::now();
    let mut calls = 0u64;
    while start.elapsed() < budget {
        for _ in 0..64 {
            work();
        }
        calls += 64;
    }
    calls as f64 / start.elapsed().as_secs_f64()
}

fn main() {
    let budget = Duration::from_millis(
        std::env::var("BENCH_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(1000),
    );
    let world = World::bundled();
    let stack = &world.stacks[0];
    let typical = CreateDeploymentInput::new(&stack.stack_id, CommandName::Deploy)
        .with_app(&stack.apps[0].app_id)
        .with_instances([&stack.instances[0].instance_id])
        .with_arg("migrate", ["true"])
        .with_comment("deploy from CI")
        .with_custom_json(r#"{"app":{"env":"prod","workers":4}}"#)
        .to_raw();
    let big_custom = format!(r#"{{"k":"{}"}}"#, "x".repeat(64 * 1024 - 10));
    let worst = CreateDeploymentInput::new(&stack.stack_id, CommandName::Setup)
        .with_custom_json(big_custom)
        .to_raw();

    println!("oracle (one core)");
    for (name, request) in [("typical", &typical), ("64 KiB CustomJson", &worst)] {
        let verdicts = rate(budget, || {
            black_box(judge_request(
                &world,
                black_box(request),
                &CallerIdentity::Unsigned,
            ));
        });
        let parses = rate(budget, || {
            black_box(serde_json::from_slice::<serde_json::Value>(black_box(&request.body)).ok());
        });
        println!(
            "  {name:<20} {verdicts:>12.0} verdicts/s   serde_json parse alone {parses:>12.0}/s   ratio {:.2}",
            verdicts / parses
        );
    }

    println!("generation (cases/s per family, bundled world with users)");
    let users = World::bundled_with_users();
    let mut runner = TestRunner::deterministic();
    for rule in server_rules() {
        let Some(strategy) = violating(rule, &users) else {
            continue;
        };
        let cases = rate(budget / 4, || {
            if let Ok(tree) = strategy.new_tree(&mut runner) {
                black_box(tree.current());
            }
        });
        println!("  {:<24} {cases:>10.0} cases/s", rule.as_str());
    }

    println!("in-process gate against ReferenceTarget");
    for cases in [2048usize, 8192] {
        let target = ReferenceTarget::new(world.clone());
        let config = RunConfig::default().with_cases(cases);
        let start = Instant::now();
        let report = block_on(run(&target, &world, &config));
        let elapsed = start.elapsed().as_secs_f64();
        println!(
            "  {:>6} cases in {elapsed:.3} s = {:>9.0} cases/s (verdict {})",
            report.cases,
            report.cases as f64 / elapsed,
            if report.passed() { "pass" } else { "fail" }
        );
    }
    let _ = RawRequest::default();
}
