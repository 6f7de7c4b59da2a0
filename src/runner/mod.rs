//! The runner: generators against a target, judged by the oracle, with shrunk counterexamples
//! and a result per rule.

mod config;
mod evidence;
mod known_failures;
mod result;
mod run;
mod sequence;
mod signing;
pub(crate) mod tally;

pub use config::{RunConfig, glob_match};
pub use evidence::{
    EndpointCheck, EndpointFinding, FailureGroup, PROBE_REQUESTS, PROBE_UNKNOWN_OPERATION,
};
pub use known_failures::{KnownFailure, KnownFailures, LedgerError, LedgerFinding, today};
pub use result::{Counterexample, RuleReport, RuleStatus, RunReport};
pub use run::{
    NoProgress, Progress, run, run_with_progress, run_with_snapshot_store, run_with_snapshots,
    signed_request, signed_request_with,
};
pub use sequence::{
    DeploymentSequence, ReferenceFactory, SequenceTest, TargetFactory, TargetUnderTest,
};
pub use signing::{
    Credentials, CredentialsError, DefaultSigning, TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY,
};
