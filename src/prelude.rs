//! The common case in one import: `use opsworks_conformance::prelude::*;`.
//!
//! A world, a target, a run and its report; the rule ids; the oracle's two judgements; the
//! test-suite builder. Items of features that are off are left out (each is an addition).
//!
//! ```
//! use opsworks_conformance::prelude::*;
//!
//! let world = World::bundled();
//! let target = ReferenceTarget::new(world.clone());
//! let config = RunConfig::default().with_cases(200).only("V-APP-REQUIRED");
//! let report: RunReport = block_on(run(&target, &world, &config));
//! assert!(report.passed());
//! assert_eq!(report.rule(rules::V_APP_REQUIRED).map(|r| r.status), Some(RuleStatus::Passed));
//! ```

pub use crate::conformance::{Conformance, ConformanceReport, RuleOutcome, assert_conforms};
pub use crate::contract::{Observation, RawRequest, RuleId, rules};
pub use crate::oracle::{CallerIdentity, judge_request, judge_response};
pub use crate::runner::{RuleStatus, RunConfig, RunReport, run};
#[cfg(feature = "server")]
pub use crate::server::ReferenceServer;
#[cfg(feature = "http")]
pub use crate::target::HttpTarget;
#[cfg(feature = "tower")]
pub use crate::target::from_service;
pub use crate::target::{ReferenceTarget, Target, block_on, from_fn};
pub use crate::world::World;
