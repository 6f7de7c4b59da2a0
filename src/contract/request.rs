//! The request in its two forms: typed ([`CreateDeploymentInput`]) and raw ([`RawRequest`]).

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::contract::command::CommandName;
use crate::contract::wire;

/// The members of [`CreateDeploymentInput`] in the service model's order (the order in which a
/// derived serde `Deserialize` reads a structure sent as a JSON array).
pub const INPUT_MEMBERS: [&str; 7] = [
    "StackId",
    "AppId",
    "InstanceIds",
    "LayerIds",
    "Command",
    "Comment",
    "CustomJson",
];
/// The typed request, member names exactly as the model (`StackId`, `AppId`, `InstanceIds`,
/// `LayerIds`, `Command {Name, Args}`, `Comment`, `CustomJson`).
///
/// Every member is optional so that the typed form can also say "missing" (the oracle, not the
/// type, decides what is valid), and `Command.Name` is free text so that near-miss names
/// (`Deploy`, `deploy `) are expressible. What the typed form cannot say (wrong JSON types,
/// `null`, invalid JSON, missing headers) is said by the [`RawRequest`] it converts to.
///
/// ```
/// use opsworks_conformance::contract::{CommandName, CreateDeploymentInput};
/// let input = CreateDeploymentInput::new("stack-1", CommandName::Deploy).with_app("app-1");
/// assert_eq!(
///     input.to_json(),
///     r#"{"StackId":"stack-1","AppId":"app-1","Command":{"Name":"deploy"}}"#
/// );
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct CreateDeploymentInput {
    /// The stack ID (required).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stack_id: Option<String>,
    /// The app ID (required for app commands).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_id: Option<String>,
    /// The instance IDs for the deployment targets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_ids: Option<Vec<String>>,
    /// The layer IDs for the deployment targets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer_ids: Option<Vec<String>>,
    /// The command and its arguments (required).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<DeploymentCommand>,
    /// A user-defined comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// User-defined custom JSON, as a string holding JSON text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_json: Option<String>,
}

/// `DeploymentCommand`: the command name and its arguments.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct DeploymentCommand {
    /// The command name (required); one of the 12 [`CommandName`]s for a valid request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `{"arg_name": ["value", ...], ...}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub args: Option<BTreeMap<String, Vec<String>>>,
}

impl DeploymentCommand {
    /// A command with this name and no `Args`.
    #[must_use]
    pub fn named(name: CommandName) -> Self {
        DeploymentCommand {
            name: Some(name.as_str().to_owned()),
            args: None,
        }
    }

    /// The command name, if it is exactly one of the 12.
    #[must_use]
    pub fn command_name(&self) -> Option<CommandName> {
        self.name.as_deref().and_then(|name| name.parse().ok())
    }
}

impl CreateDeploymentInput {
    /// A request with `StackId` and `Command.Name` set, nothing else.
    #[must_use]
    pub fn new(stack_id: impl Into<String>, command: CommandName) -> Self {
        CreateDeploymentInput {
            stack_id: Some(stack_id.into()),
            command: Some(DeploymentCommand::named(command)),
            ..CreateDeploymentInput::default()
        }
    }

    /// Sets `AppId`.
    #[must_use]
    pub fn with_app(mut self, app_id: impl Into<String>) -> Self {
        self.app_id = Some(app_id.into());
        self
    }

    /// Sets `InstanceIds`.
    #[must_use]
    pub fn with_instances<I: Into<String>>(mut self, ids: impl IntoIterator<Item = I>) -> Self {
        self.instance_ids = Some(ids.into_iter().map(Into::into).collect());
        self
    }

    /// Sets `LayerIds`.
    #[must_use]
    pub fn with_layers<I: Into<String>>(mut self, ids: impl IntoIterator<Item = I>) -> Self {
        self.layer_ids = Some(ids.into_iter().map(Into::into).collect());
        self
    }

    /// Adds one `Args` entry (creating `Command` and `Args` if needed).
    #[must_use]
    pub fn with_arg<V: Into<String>>(
        mut self,
        name: impl Into<String>,
        values: impl IntoIterator<Item = V>,
    ) -> Self {
        let command = self.command.get_or_insert_with(DeploymentCommand::default);
        command
            .args
            .get_or_insert_with(BTreeMap::new)
            .insert(name.into(), values.into_iter().map(Into::into).collect());
        self
    }

    /// Sets `Comment`.
    #[must_use]
    pub fn with_comment(mut self, comment: impl Into<String>) -> Self {
        self.comment = Some(comment.into());
        self
    }

    /// Sets `CustomJson`.
    #[must_use]
    pub fn with_custom_json(mut self, custom_json: impl Into<String>) -> Self {
        self.custom_json = Some(custom_json.into());
        self
    }

    /// The command name, if `Command.Name` is exactly one of the 12.
    #[must_use]
    pub fn command_name(&self) -> Option<CommandName> {
        self.command
            .as_ref()
            .and_then(DeploymentCommand::command_name)
    }

    /// The canonical serialisation (C-BODY): members present exactly when set, in the model's
    /// order, no nulls, no insignificant whitespace.
    #[must_use]
    pub fn to_json(&self) -> String {
        // Serialising a struct of strings, lists and string maps cannot fail.
        serde_json::to_string(self).unwrap_or_else(|_| String::from("{}"))
    }

    /// The raw request a conforming client sends for this input: the two awsJson1_1 headers and
    /// the canonical body (unsigned).
    #[must_use]
    pub fn to_raw(&self) -> RawRequest {
        RawRequest::json(self.to_json())
    }
}

/// The raw request: headers (in order, duplicates allowed) and the exact body bytes. Always
/// `POST /` on the wire.
///
/// Half the rules are about input that does not fit the typed form, so the oracle and every
/// [`Target`](crate::target::Target) work on this form.
///
/// ```
/// use opsworks_conformance::contract::{wire, RawRequest};
/// let request = RawRequest::json("{}").without_header(wire::TARGET_HEADER);
/// assert_eq!(request.header(wire::TARGET_HEADER), None);
/// assert_eq!(request.header("content-type"), Some(wire::CONTENT_TYPE));
/// ```
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct RawRequest {
    /// Header names and values, in the order they are sent.
    pub headers: Vec<(String, String)>,
    /// The exact body bytes (need not be UTF-8, need not be JSON).
    pub body: Vec<u8>,
}

impl RawRequest {
    /// A request with `Content-Type: application/x-amz-json-1.1`,
    /// `X-Amz-Target: OpsWorks_20130218.CreateDeployment` and this body.
    #[must_use]
    pub fn json(body: impl Into<Vec<u8>>) -> Self {
        RawRequest {
            headers: vec![
                ("Content-Type".to_owned(), wire::CONTENT_TYPE.to_owned()),
                (
                    wire::TARGET_HEADER.to_owned(),
                    wire::TARGET_VALUE.to_owned(),
                ),
            ],
            body: body.into(),
        }
    }

    /// The first value of a header (case-insensitive name).
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&str> {
        wire::header(&self.headers, name)
    }

    /// Replaces every value of a header by one value (appends it if absent).
    #[must_use]
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        let name = name.into();
        let value = value.into();
        match self
            .headers
            .iter()
            .position(|(key, _)| key.eq_ignore_ascii_case(&name))
        {
            Some(index) => {
                self.headers[index] = (name.clone(), value);
                let mut seen = 0usize;
                self.headers.retain(|(key, _)| {
                    if key.eq_ignore_ascii_case(&name) {
                        seen += 1;
                        seen == 1
                    } else {
                        true
                    }
                });
            }
            None => self.headers.push((name, value)),
        }
        self
    }

    /// Appends a header value, keeping earlier values of the same name.
    #[must_use]
    pub fn add_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Removes every value of a header.
    #[must_use]
    pub fn without_header(mut self, name: &str) -> Self {
        self.headers
            .retain(|(key, _)| !key.eq_ignore_ascii_case(name));
        self
    }

    /// The body as text, with invalid UTF-8 replaced (for reports and messages).
    #[must_use]
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

impl fmt::Debug for RawRequest {
    /// The headers (the `Authorization` signature redacted, as in reports) and the body as text.
    ///
    /// ```
    /// use opsworks_conformance::contract::RawRequest;
    /// let request = RawRequest::json("{}").with_header(
    ///     "Authorization",
    ///     "AWS4-HMAC-SHA256 Credential=AKID/20231114/us-east-1/opsworks/aws4_request, SignedHeaders=host, Signature=0123abcd",
    /// );
    /// let debug = format!("{request:?}");
    /// assert!(debug.contains("Signature=<redacted>"), "{debug}");
    /// assert!(!debug.contains("0123abcd"), "{debug}");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawRequest")
            .field("headers", &crate::report::report_headers(self))
            .field("body", &self.body_text())
            .finish()
    }
}

impl From<&CreateDeploymentInput> for RawRequest {
    fn from(input: &CreateDeploymentInput) -> Self {
        input.to_raw()
    }
}
