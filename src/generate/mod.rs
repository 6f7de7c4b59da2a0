//! Generators: proptest strategies for requests that conform and for requests that break each
//! rule, for worlds, and for the words in between (ids, command names, Args, custom JSON).
//!
//! One file per domain noun. Every generated [`Case`] knows the rule it targets, so a run can
//! count cases per rule; strategies are deterministic for a seed and shrink towards the
//! simplest request that still shows a defect.
//!
//! ```
//! use opsworks_conformance::generate::{valid_request, violating};
//! use opsworks_conformance::contract::rules;
//! use opsworks_conformance::oracle::judge_request;
//! use opsworks_conformance::world::World;
//! use proptest::strategy::{Strategy, ValueTree};
//! use proptest::test_runner::TestRunner;
//!
//! let world = World::bundled();
//! let mut runner = TestRunner::deterministic();
//! let case = violating(rules::V_APP_REQUIRED, &world).unwrap()
//!     .new_tree(&mut runner).unwrap().current();
//! let verdict = judge_request(&world, &case.request, &case.caller());
//! assert!(verdict.broken().contains(&rules::V_APP_REQUIRED));
//! # let _ = valid_request(&world);
//! ```

pub mod args;
mod cache;
mod case;
pub mod command;
pub mod custom_json;
pub mod ids;
pub(crate) mod one_of;
mod request;
pub(crate) mod stream;
pub mod text;
pub(crate) mod violating;
pub mod world;

pub use case::Case;
pub use request::{allowed_pairs, valid_input, valid_request};
pub use stream::runner_for;
pub use violating::{family, server_rules, violating};
