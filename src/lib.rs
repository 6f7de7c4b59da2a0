//! # opsworks-conformance
//!
//! The contract of AWS OpsWorks Stacks `CreateDeployment` as code: the rule catalogue as data,
//! a pure oracle that says what a correct implementation may answer to any request in any
//! state, and an in-process reference implementation that answers exactly what the oracle
//! prefers.
//!
//! ## Getting started
//!
//! ```
//! use opsworks_conformance::contract::{CommandName, CreateDeploymentInput, rules};
//! use opsworks_conformance::oracle::{judge_request, CallerIdentity, Outcome};
//! use opsworks_conformance::world::World;
//!
//! let world = World::bundled();
//! let stack = &world.stacks[0];
//! // An app command without AppId breaks V-APP-REQUIRED.
//! let request = CreateDeploymentInput::new(&stack.stack_id, CommandName::Deploy).to_raw();
//! let verdict = judge_request(&world, &request, &CallerIdentity::Unsigned);
//! assert_eq!(verdict.broken(), vec![rules::V_APP_REQUIRED]);
//! assert!(!verdict.allows(&Outcome::Success));
//! ```
//!
//! The common items (world, targets, a run and its report, rule ids, the two judgements,
//! [`Conformance`]) are in one import: `use opsworks_conformance::prelude::*;` ([`prelude`]).
//!
//! ## Concepts
//! - **Rule** ([`contract::Rule`]): an id such as `V-APP-REQUIRED`, a severity (MUST, SHOULD,
//!   MAY), a group and a source. [`contract::CATALOGUE`] holds all of them.
//! - **World** ([`world::World`]): what exists before a run and who may do what.
//! - **Oracle** ([`oracle`]): world + raw request + caller → the set of acceptable outcomes,
//!   each with the rules that decide it; and the judgement of an observed response.
//! - **Target** ([`target::Target`]): any implementation, in process or over HTTP.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

#[cfg(feature = "arbitrary")]
mod arbitrary;
#[cfg(feature = "cli")]
pub mod cli;
#[cfg(feature = "client")]
pub mod client;
pub mod conformance;
pub mod contract;
mod date;
#[cfg(feature = "arbitrary")]
pub mod fuzzing;
pub mod generate;
pub mod oracle;
pub mod prelude;
#[cfg(feature = "sdk")]
pub mod provision;
pub mod report;
mod rules;
pub mod runner;
#[cfg(feature = "server")]
pub mod server;
pub mod sigv4;
pub mod snapshot;
pub mod target;
pub mod world;

pub use conformance::{Conformance, ConformanceReport, RuleOutcome, assert_conforms};

/// The README's examples, compiled and run as doctests (they use the `cli`, `tower`,
/// `arbitrary` and `snapshots` features: `cargo test --all-features`; `.ci/readme-snippets`
/// compiles each with exactly the features its `[dev-dependencies]` line names).
#[cfg(all(
    doctest,
    feature = "cli",
    feature = "tower",
    feature = "arbitrary",
    feature = "snapshots"
))]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

/// insta, for the snapshots [`conformance_tests!`] asserts (feature `snapshots`).
#[cfg(feature = "snapshots")]
#[doc(hidden)]
pub use insta as __insta;
