//! Throughput benchmarks: oracle verdicts per second, generated cases per second per family,
//! and the in-process gate's cases per second. Run with `cargo bench --bench throughput`
//! (`BENCH_MS=N` sets the time budget of each figure, 1000 ms by default).
//!
//! Every figure is printed next to a baseline measured in the same run, so a noisy machine
//! shows up in both: the oracle next to serde_json parsing the same body; generation next to
//! serde_json parsing a typical body (a measure of the machine); the gate next to the work it
//! does done in sequence on one thread (generating the same cases and judging each twice: the
//! reference target's verdict and the runner's).

use std::hint::black_box;
use std::time::{Duration, Instant};

use opsworks_conformance::contract::RawRequest;
use opsworks_conformance::generate::{Case, family, runner_for, server_rules, violating};
use opsworks_conformance::oracle::{CallerIdentity, judge_request};
use opsworks_conformance::runner::{RunConfig, run};
use opsworks_conformance::target::{ReferenceTarget, block_on};
use opsworks_conformance::world::World;

mod common;
use common::{budget, rate, typical_and_worst};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;

/// The cases a default run makes in `world` (seed 0), in order.
fn run_cases(world: &World, config: &RunConfig) -> Vec<Case> {
    let families: Vec<_> = server_rules()
        .into_iter()
        .filter_map(|rule| family(rule, world).map(|strategy| (rule, strategy)))
        .collect();
    let per_rule = (config.cases / families.len().max(1)).max(config.min_cases_per_rule);
    let mut cases = Vec::new();
    for (rule, strategy) in families {
        let mut runner = runner_for(config.seed, rule);
        for _ in 0..per_rule {
            if let Ok(tree) = strategy.new_tree(&mut runner) {
                cases.push(tree.current());
            }
        }
    }
    cases
}

fn main() {
    let budget = budget();
    let world = World::bundled();
    let (typical, worst) = typical_and_worst(&world);

    println!("oracle (one core)");
    let parse = |request: &RawRequest| {
        rate(budget, || {
            black_box(serde_json::from_slice::<serde_json::Value>(black_box(&request.body)).ok());
        })
    };
    for (name, request) in [("typical", &typical), ("64 KiB CustomJson", &worst)] {
        let verdicts = rate(budget, || {
            black_box(judge_request(
                &world,
                black_box(request),
                &CallerIdentity::Unsigned,
            ));
        });
        let parses = parse(request);
        println!(
            "  {name:<20} {verdicts:>12.0} verdicts/s   serde_json parse alone {parses:>12.0}/s   ratio {:.2}",
            verdicts / parses
        );
    }

    println!("generation (cases/s per family, bundled world with users)");
    let machine = parse(&typical);
    println!("  baseline: serde_json parse of the typical body {machine:>10.0}/s");
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
        println!(
            "  {:<24} {cases:>10.0} cases/s   ratio to baseline {:.3}",
            rule.as_str(),
            cases / machine
        );
    }

    // `BENCH_GATE_CASES=N` sets the cases of one run (the default run's 2048 by default).
    let gate_cases: usize = std::env::var("BENCH_GATE_CASES")
        .ok()
        .and_then(|text| text.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(RunConfig::default().cases);
    gate("bundled world", &world, budget, gate_cases);
    // Every case of this world is signed by the runner and verified by the target (SigV4).
    gate("world with users", &users, budget, gate_cases);
}

/// The in-process gate's cases per second in `world` at concurrency 1 and 8, next to its
/// baseline: the same cases generated and judged twice, in sequence on one thread.
fn gate(name: &str, world: &World, budget: Duration, gate_cases: usize) {
    println!("in-process gate against ReferenceTarget, {name} ({gate_cases} cases a run, seed 0)");
    // The baseline: the same cases generated, and each judged twice, in sequence on one thread.
    let config = RunConfig::default().with_cases(gate_cases);
    let start = Instant::now();
    let mut sequential = 0usize;
    while start.elapsed() < budget || sequential == 0 {
        let cases = run_cases(world, &config);
        for case in &cases {
            let caller = case.caller();
            black_box(judge_request(world, &case.request, &caller));
            black_box(judge_request(world, &case.request, &caller));
        }
        sequential += cases.len();
    }
    let baseline = sequential as f64 / start.elapsed().as_secs_f64();
    println!("  baseline: generate + judge twice, one thread {baseline:>9.0} cases/s");
    for concurrency in [1usize, 8] {
        let config = RunConfig::default()
            .with_cases(gate_cases)
            .with_concurrency(concurrency);
        let start = Instant::now();
        let (mut cases, mut runs, mut passed) = (0usize, 0usize, true);
        while start.elapsed() < budget || runs < 2 {
            let target = ReferenceTarget::new(world.clone());
            let report = block_on(run(&target, world, &config));
            cases += report.cases;
            runs += 1;
            passed &= report.passed();
        }
        let gate = cases as f64 / start.elapsed().as_secs_f64();
        println!(
            "  concurrency {concurrency}: {runs:>3} runs of {:>5} cases = {gate:>9.0} cases/s (verdict {})   ratio to baseline {:.2}",
            cases / runs,
            if passed { "pass" } else { "fail" },
            gate / baseline
        );
    }
}
