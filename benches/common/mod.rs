//! What the benches that time the oracle share: the time budget, the rate loop and the two
//! bodies (`mod common;` in each).

use std::time::{Duration, Instant};

use opsworks_conformance::contract::{CommandName, CreateDeploymentInput, RawRequest};
use opsworks_conformance::world::World;

/// `BENCH_MS` (default 1000): how long each figure is measured.
pub fn budget() -> Duration {
    Duration::from_millis(
        std::env::var("BENCH_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(1000),
    )
}

/// Calls `work` repeatedly for about `budget`; returns calls per second.
pub fn rate(budget: Duration, mut work: impl FnMut()) -> f64 {
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

/// The two bodies the oracle is timed on, in `world`'s first stack: a typical request (an app,
/// an instance, an argument, a comment, a small `CustomJson`) and one with a 64 KiB `CustomJson`.
pub fn typical_and_worst(world: &World) -> (RawRequest, RawRequest) {
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
    (typical, worst)
}
