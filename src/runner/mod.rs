//! The runner: generators against a target, judged by the oracle, with shrunk counterexamples
//! and a result per rule.

mod config;
mod known_failures;
mod result;
mod run;
mod sequence;

pub use config::{RunConfig, glob_match};
pub use known_failures::{KnownFailure, KnownFailures, LedgerError, LedgerFinding, today};
pub use result::{Counterexample, RuleReport, RuleStatus, RunReport};
pub use run::{NoProgress, Progress, run, run_with_progress, signed_request};
pub use sequence::{
    DeploymentSequence, ReferenceFactory, SequenceTest, TargetFactory, TargetUnderTest,
};
