//! Template: fuzz *your* implementation of CreateDeployment with this crate's generators and
//! oracle.
//!
//! Every input is decoded into a world, a request and a caller (`FuzzCase::from_bytes`: an
//! `Arbitrary` world of 1 to 4 stacks, a request that mostly names what the world has, and how
//! it is signed). Your handler answers; the oracle judges the answer. A broken MUST rule panics
//! with `[RULE] expected ..., found ...` and the case, and libFuzzer saves the input in
//! `fuzz/artifacts/<target>/`. A panic in your handler is a finding too.
//!
//! Step by step, in your own crate:
//!
//! 1. `cargo install cargo-fuzz --locked`, then `cargo fuzz init` (or copy this crate's `fuzz/`
//!    directory: `Cargo.toml`, `fuzz_targets/`, `dict/json.dict`).
//! 2. In `fuzz/Cargo.toml`, depend on `libfuzzer-sys = "0.4.13"`, on
//!    `opsworks-conformance = { version = "0.1", default-features = false, features = ["arbitrary"] }`
//!    and on your crate; add a `[[bin]]` for this file.
//! 3. Copy this file to `fuzz/fuzz_targets/my_implementation.rs`.
//! 4. Replace the body of `answer` below with a call to your handler: set your implementation
//!    up in `world` (or check that it holds the same stacks, apps, layers, instances and
//!    users), hand it `request` (the exact headers and body bytes) as a caller identified as
//!    `caller` (how a SigV4 check would have identified it; the request itself carries no
//!    signature), and turn its answer into an `Observation` (status, headers, body bytes).
//!    Build your implementation once per input or reset it: every input starts from `world`.
//! 5. Run it on the stable toolchain, no sanitizer needed for safe Rust:
//!    `cd fuzz && cargo fuzz run -s none my_implementation -- -max_total_time=300 -dict=dict/json.dict`
//! 6. Replay a finding: `cargo fuzz run -s none my_implementation fuzz/artifacts/my_implementation/crash-...`;
//!    see what the case was with `opsworks_conformance::fuzzing::FuzzCase::from_bytes`, and make
//!    it a regression test by calling `opsworks_conformance::fuzzing::check_target` with the
//!    file's bytes and your handler from an ordinary `#[test]`.
//!
//! As checked in, `answer` is the reference implementation, so this target runs clean.
#![no_main]

use opsworks_conformance::contract::{Observation, RawRequest};
use opsworks_conformance::oracle::CallerIdentity;
use opsworks_conformance::world::World;

/// Your handler goes here (step 4).
fn answer(world: &World, request: &RawRequest, caller: &CallerIdentity) -> Observation {
    // For example, with an implementation `my_service::Service`:
    //
    //     let service = my_service::Service::with_world(world);
    //     let response = service.create_deployment(&request.headers, &request.body, caller);
    //     Observation { status: response.status, headers: response.headers, body: response.body }
    opsworks_conformance::fuzzing::reference_answer(world, request, caller)
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    opsworks_conformance::fuzzing::check_target(data, answer)
});
