//! The downstream API as a user's `cargo test` meets it: `conformance_tests!` (one test per
//! rule), `assert_conforms`, `Conformance` with a known-failures ledger, and targets made from
//! closures, axum routers (in process, no socket) and URLs.

use opsworks_conformance::contract::{Observation, RawRequest, rules};
use opsworks_conformance::runner::{KnownFailures, RunConfig};
use opsworks_conformance::server::ReferenceServer;
#[cfg(feature = "tower")]
use opsworks_conformance::target::from_service;
use opsworks_conformance::target::{HttpTarget, ReferenceTarget, Target, from_fn};
use opsworks_conformance::world::World;
use opsworks_conformance::{Conformance, RuleOutcome, assert_conforms};

/// One test per rule against the reference implementation: `cargo test --test downstream
/// V_APP` runs the V-APP-* rules only.
mod reference {
    use super::*;

    opsworks_conformance::conformance_tests! {
        target: |world| ReferenceTarget::new(world.clone()),
        world: World::bundled(),
        config: RunConfig::default().with_cases(400),
    }
}

/// The same against the reference server's axum router, in process (feature `tower`).
#[cfg(feature = "tower")]
mod axum_router {
    use super::*;
    use opsworks_conformance::server::in_process::InProcessServer;

    opsworks_conformance::conformance_tests! {
        target: {
            let server = InProcessServer::new(World::bundled()).expect("the bundled world is valid");
            from_service(server.router()).described_as("reference router in process")
        },
        config: RunConfig::default().with_cases(300),
    }
}

/// The reference target, except that it matches stack ids after trimming whitespace: a lax
/// mock that N-STACK catches.
fn trimming_target() -> impl Target {
    let reference = ReferenceTarget::new(World::bundled());
    from_fn(move |mut request: RawRequest| {
        if let Ok(serde_json::Value::Object(mut body)) =
            serde_json::from_slice::<serde_json::Value>(&request.body)
        {
            if let Some(serde_json::Value::String(stack)) = body.get_mut("StackId") {
                *stack = stack.trim().to_owned();
                request.body = serde_json::Value::Object(body).to_string().into_bytes();
            }
        }
        let answer = reference.answer_request(&request);
        async move { Ok::<Observation, _>(answer) }
    })
    .described_as("trimming mock")
}

fn small() -> RunConfig {
    RunConfig::default().with_cases(400)
}

#[tokio::test]
async fn assert_conforms_passes_the_reference_target() {
    assert_conforms(&ReferenceTarget::new(World::bundled())).await;
}

#[tokio::test]
#[should_panic(expected = "[N-STACK] failed")]
async fn assert_conforms_panics_with_the_broken_rule() {
    Conformance::new()
        .config(small())
        .assert(&trimming_target())
        .await;
}

#[tokio::test]
async fn a_broken_rule_fails_its_own_test_and_only_that_one() {
    let result = Conformance::new()
        .config(small())
        .check(&trimming_target())
        .await;
    assert!(!result.passed());
    let RuleOutcome::Failed(details) = result.rule_outcome(rules::N_STACK) else {
        panic!(
            "expected N-STACK to fail, found {:?}",
            result.rule_outcome(rules::N_STACK)
        );
    };
    assert!(
        details.contains("expected ResourceNotFoundException"),
        "{details}"
    );
    assert!(matches!(
        result.rule_outcome(rules::V_APP_REQUIRED),
        RuleOutcome::Passed(_)
    ));
    let panicked = std::panic::catch_unwind(|| result.assert_rule("N_STACK"));
    assert!(panicked.is_err(), "assert_rule must panic on a broken rule");
    result.assert_rule("V_APP_REQUIRED");
}

#[tokio::test]
async fn the_ledger_excuses_a_known_failure_and_flags_a_stale_entry() {
    let excused = Conformance::new()
        .config(small())
        .known_failures(KnownFailures::new().with(rules::N_STACK, "trims ids (#7)", None))
        .check(&trimming_target())
        .await;
    assert!(excused.passed(), "{excused}");
    assert!(matches!(
        excused.rule_outcome(rules::N_STACK),
        RuleOutcome::Tolerated(_)
    ));

    let stale = Conformance::new()
        .config(small())
        .known_failures(KnownFailures::new().with(rules::N_STACK, "trims ids (#7)", None))
        .check(&ReferenceTarget::new(World::bundled()))
        .await;
    assert!(!stale.passed(), "a fixed rule left in the ledger must fail");
    assert!(matches!(
        stale.rule_outcome(rules::N_STACK),
        RuleOutcome::Failed(message) if message.contains("remove the entry")
    ));

    let expired = Conformance::new()
        .config(small())
        .known_failures(KnownFailures::new().with(
            rules::N_STACK,
            "trims ids (#7)",
            Some("2026-01-31"),
        ))
        .on_date("2026-02-01")
        .check(&trimming_target())
        .await;
    assert!(!expired.passed(), "an expired entry must fail");
}

#[tokio::test]
async fn a_url_is_a_target_too() {
    let server = ReferenceServer::start(World::bundled())
        .await
        .expect("the reference server starts");
    let target = HttpTarget::new(&server.url()).expect("a valid URL");
    Conformance::new().config(small()).assert(&target).await;
    server.shutdown().await;
}
