//! aws-sdk-opsworks as a client under test (feature `sdk`).

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use crate::client::client::Client;
use crate::client::outcome::{ClientCall, ClientOutcome};
use crate::target::{BoxFuture, SdkResult, sdk_client, sdk_send};

/// The aws-sdk-opsworks crate (the version this crate was built with) as a [`Client`]: each
/// call goes through `Client::create_deployment()` with a config made of the call's endpoint
/// (`endpoint_url`), region, static credentials, `BehaviorVersion::latest()` and
/// `RetryConfig::disabled()`.
///
/// What the SDK reports becomes the outcome: success with its `deployment_id()`; for a service
/// error, the modelled variant's name (`ValidationException`, `ResourceNotFoundException`) or
/// the unhandled variant's `code()`, with its `message()`; a request the SDK refuses to build
/// (a `Command` without a name) or an answer it cannot read is a client error.
///
/// ```no_run
/// use opsworks_conformance::client::{run_client, ClientRunConfig, SdkClient};
/// # async fn example() {
/// let report = run_client(&SdkClient::new(), &ClientRunConfig::default()).await.unwrap();
/// assert!(report.passed());
/// # }
/// ```
#[derive(Default)]
pub struct SdkClient {
    /// One SDK client per (endpoint, region, access key), made once.
    clients: Mutex<HashMap<(String, String, String), aws_sdk_opsworks::Client>>,
}

impl std::fmt::Debug for SdkClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SdkClient").finish_non_exhaustive()
    }
}

impl SdkClient {
    /// The SDK as a client.
    #[must_use]
    pub fn new() -> Self {
        SdkClient::default()
    }

    fn client_for(&self, call: &ClientCall) -> aws_sdk_opsworks::Client {
        let key = (
            call.endpoint.clone(),
            call.region.clone(),
            call.access_key_id.clone(),
        );
        self.clients
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(key)
            .or_insert_with(|| {
                sdk_client(
                    &call.endpoint,
                    &call.region,
                    (&call.access_key_id, &call.secret_access_key),
                    None,
                )
            })
            .clone()
    }

    async fn exchange(&self, call: ClientCall) -> ClientOutcome {
        let client = self.client_for(&call);
        match sdk_send(&client, &call.request).await.result {
            SdkResult::Success(deployment_id) => ClientOutcome::Ok { deployment_id },
            SdkResult::ServiceError { code, message } => ClientOutcome::Error {
                code: code.unwrap_or_default(),
                message: message.unwrap_or_default(),
            },
            SdkResult::NotBuilt(message) => ClientOutcome::ClientError { message },
            SdkResult::Failed(kind, message) => ClientOutcome::ClientError {
                message: format!("{kind}: {message}"),
            },
        }
    }
}

impl Client for SdkClient {
    fn call(&self, call: ClientCall) -> BoxFuture<'_, ClientOutcome> {
        Box::pin(self.exchange(call))
    }

    /// `aws-sdk-opsworks 1.x` (the version built in).
    fn describe(&self) -> String {
        "aws-sdk-opsworks (Rust SDK, built in)".to_owned()
    }
}
