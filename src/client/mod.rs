//! The client-side gate (feature `client`): the suite plays the server, the client under test
//! (an SDK, a hand-written client) makes the calls, and rules C-* of `docs/rules.md` judge what it
//! sent and what it understood.
//!
//! - [`RecordingServer`]: a wiremock server on 127.0.0.1 (a port the OS picks), one per run,
//!   programmed with one [`Answer`] per case: successes, `{}`, and every awsJson1_1 error
//!   form ([`ErrorForm`], each citing the Smithy protocol test it matches) for every code:
//!   `ValidationException` and `ResourceNotFoundException` (C-ERROR-CODE) and codes the model
//!   does not list (C-ERROR-UNMODELED), with 400 and other 4xx statuses.
//! - The checks, as free functions returning `Result<(), ClientFailure>`:
//!   [`check_request_line`], [`check_headers`], [`check_body`], [`check_sigv4`],
//!   [`check_error_code`], [`check_success`]; and for the MAY rules [`judge_empty_success`] and
//!   [`client_validation_behaviour`].
//! - [`run_client`]: every case, judged, as a [`RunReport`](crate::runner::RunReport) that
//!   the human, JSON and JUnit reports print like a server run.
//! - Three ways to plug a client in: an async closure (the [`Client`] trait has a blanket
//!   impl), [`SdkClient`] (aws-sdk-opsworks, feature `sdk`), and [`DriverClient`] (any
//!   language, JSON lines over standard input and output: `opsworks-conformance client --
//!   DRIVER CMD...`).
//!
//! ```
//! use opsworks_conformance::client::{run_client, ClientCall, ClientOutcome, ClientRunConfig};
//! use opsworks_conformance::contract::rules;
//! use opsworks_conformance::runner::RuleStatus;
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! // A client that sends nothing: every request rule fails with "no request at the server".
//! let report = run_client(
//!     &|_call: ClientCall| async { ClientOutcome::client_error("offline") },
//!     &ClientRunConfig::default(),
//! )
//! .await
//! .unwrap();
//! assert_eq!(report.rule(rules::C_REQUEST_LINE).unwrap().status, RuleStatus::Failed);
//! # });
//! ```

pub(crate) mod answer;
mod checks;
#[cfg(feature = "cli")]
mod cli;
#[allow(clippy::module_inception)]
mod client;
mod driver;
mod matrix;
mod mock;
mod outcome;
mod runner;
#[cfg(feature = "sdk")]
mod sdk;

pub use answer::{
    Answer, ErrorForm, MODELLED_CODES, MODELLED_ERRORS, NAMESPACE, UNMODELLED_CODES, URI_SUFFIX,
};
pub use checks::{
    ClientFailure, check_body, check_error_code, check_headers, check_request_line, check_sigv4,
    check_success, client_validation_behaviour, judge_empty_success,
};
#[cfg(feature = "cli")]
pub use cli::{ClientArgs, client_main};
pub use client::{Client, Described};
pub use driver::{DEFAULT_DRIVER_TIMEOUT, DriverClient, DriverError};
pub use matrix::{Finding, MatrixColumn, matrix_markdown, run_column};
pub use mock::{RecordedRequest, RecordingServer};
pub use outcome::{ClientCall, ClientOutcome};
pub use runner::{
    ClientCase, ClientCheck, ClientRunConfig, ClientRunError, MissingMember, Scenario, judge_case,
    run_client, run_client_cases,
};
#[cfg(feature = "sdk")]
pub use sdk::SdkClient;
