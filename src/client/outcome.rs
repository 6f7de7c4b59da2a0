//! What the client under test is given ([`ClientCall`]) and what it reports ([`ClientOutcome`]),
//! exactly as the lines of the driver protocol (`docs/contract/INTERFACES.md`).

use serde::{Deserialize, Serialize};

use crate::contract::CreateDeploymentInput;
use crate::contract::excerpt::cut;

/// One call for the client under test to make: where to send it, with which credentials, and
/// the logical request in the API's member names. Serialised, it is the line the gate writes
/// to a driver:
///
/// ```
/// use opsworks_conformance::client::ClientCall;
/// use opsworks_conformance::contract::{CommandName, CreateDeploymentInput};
///
/// let call = ClientCall {
///     endpoint: "http://127.0.0.1:8080".to_owned(),
///     region: "us-east-1".to_owned(),
///     access_key_id: "AKIDCLIENT0000000001".to_owned(),
///     secret_access_key: "client-secret".to_owned(),
///     request: CreateDeploymentInput::new("s", CommandName::Deploy).with_app("a"),
/// };
/// assert_eq!(
///     serde_json::to_string(&call).unwrap(),
///     r#"{"endpoint":"http://127.0.0.1:8080","region":"us-east-1","access_key_id":"AKIDCLIENT0000000001","secret_access_key":"client-secret","request":{"StackId":"s","AppId":"a","Command":{"Name":"deploy"}}}"#
/// );
/// ```
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientCall {
    /// The base URL of the recording server, `http://127.0.0.1:PORT`.
    pub endpoint: String,
    /// The region to sign for.
    pub region: String,
    /// The access key id to sign with.
    pub access_key_id: String,
    /// The secret to sign with (made up for the run; never written to a report).
    pub secret_access_key: String,
    /// The logical request, members as in the model.
    pub request: CreateDeploymentInput,
}

impl std::fmt::Debug for ClientCall {
    /// Everything but the secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientCall")
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("access_key_id", &self.access_key_id)
            .field("request", &self.request)
            .finish_non_exhaustive()
    }
}

/// What the client under test reports for one call. Serialised, it is the line a driver
/// answers with: `{"ok": {"DeploymentId": "..."}}` (the id may be `null`),
/// `{"error": {"code": "...", "message": "..."}}` for an error the server answered (the code as
/// the client reports it), `{"client_error": {"message": "..."}}` when the client refused to
/// send the request (or could not get an answer at all).
///
/// ```
/// use opsworks_conformance::client::ClientOutcome;
///
/// let line = r#"{"error": {"code": "ValidationException", "message": "no"}}"#;
/// let outcome: ClientOutcome = serde_json::from_str(line).unwrap();
/// assert_eq!(outcome, ClientOutcome::error("ValidationException", "no"));
/// let ok: ClientOutcome = serde_json::from_str(r#"{"ok": {"DeploymentId": null}}"#).unwrap();
/// assert_eq!(ok, ClientOutcome::Ok { deployment_id: None });
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClientOutcome {
    /// The call succeeded; the `DeploymentId` the client read, if any.
    Ok {
        /// The deployment id, `None` when the client found none.
        #[serde(rename = "DeploymentId", default)]
        deployment_id: Option<String>,
    },
    /// The server answered an error; the code and message as the client reports them.
    Error {
        /// The error code, for example `ValidationException`.
        code: String,
        /// The error message (may be empty).
        #[serde(default)]
        message: String,
    },
    /// The client refused to send the request, or got no answer it could read.
    ClientError {
        /// Why.
        message: String,
    },
}

impl ClientOutcome {
    /// A success with this deployment id.
    #[must_use]
    pub fn ok(deployment_id: impl Into<String>) -> Self {
        ClientOutcome::Ok {
            deployment_id: Some(deployment_id.into()),
        }
    }

    /// A server error with this code and message.
    #[must_use]
    pub fn error(code: impl Into<String>, message: impl Into<String>) -> Self {
        ClientOutcome::Error {
            code: code.into(),
            message: message.into(),
        }
    }

    /// A client-side error with this message.
    #[must_use]
    pub fn client_error(message: impl Into<String>) -> Self {
        ClientOutcome::ClientError {
            message: message.into(),
        }
    }

    /// The outcome in words, for failure messages: `success with DeploymentId "d-1"`,
    /// `error code "ValidationException" (message "...")`, `client error "..."`.
    #[must_use]
    pub fn describe(&self) -> String {
        match self {
            ClientOutcome::Ok {
                deployment_id: Some(id),
            } => format!("success with DeploymentId {id:?}"),
            ClientOutcome::Ok {
                deployment_id: None,
            } => "success without a DeploymentId".to_owned(),
            ClientOutcome::Error { code, message } => {
                format!("error code {code:?} (message {:?})", cut(message, 120))
            }
            ClientOutcome::ClientError { message } => {
                format!("client error {:?}", cut(message, 200))
            }
        }
    }
}
