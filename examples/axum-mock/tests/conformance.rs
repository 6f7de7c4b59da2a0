//! The conformance suite against the mock's router, in process (no socket): one test per rule
//! of the catalogue (`cargo test -p axum-mock V_APP` runs the V-APP-* rules) and
//! `conformance_verdict` for the run as a whole. Each rule's test also snapshots the rule's
//! transcript (what the mock answers to the rule's exemplars) in `snapshots/<RULE-ID>.snap`,
//! so that any change of what the mock answers, allowed by the rules or not, shows in review:
//! `cargo insta review`; with `CI=true` a changed or missing snapshot fails.

mod common;

use opsworks_conformance::target::from_service;
use opsworks_conformance::world::World;

opsworks_conformance::conformance_tests! {
    // `world` is the suite's world (stated once, below): the mock starts in its state.
    target: |world| {
        let store = common::store_from(world).expect("the world loads into the store");
        from_service(axum_mock::router(store)).described_as("axum-mock (in process)")
    },
    world: World::bundled(),
    snapshots: "../snapshots",
}
