//! The answers the recording server gives: successes, and every awsJson1_1 error form
//! (`AWSJSON11.md`) for the modelled codes, and unmodelled codes.

use serde_json::json;

use crate::contract::{ErrorCode, Observation, RuleId, rules, wire};

/// The namespace the OpsWorks service uses in a namespaced error type.
pub const NAMESPACE: &str = "com.amazonaws.opsworks";

/// The `:`URI suffix AWS services append to some error types.
pub const URI_SUFFIX: &str = ":http://internal.amazon.com/coral/com.amazon.coral.validate/";

/// The error codes the model lists; C-ERROR-CODE answers with each of them in every form.
pub const MODELLED_CODES: [ErrorCode; 2] = [
    ErrorCode::ValidationException,
    ErrorCode::ResourceNotFoundException,
];

/// Error codes the model does not list; C-ERROR-UNMODELED answers with them (status, code).
pub const UNMODELLED_CODES: [(u16, &str); 2] =
    [(400, "ThrottlingException"), (403, "AccessDeniedException")];

/// Where an error answer carries its code: the forms a client MUST accept (`AWSJSON11.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ErrorForm {
    /// `{"__type": "ValidationException", "message": ...}`.
    BareType,
    /// `{"__type": "com.amazonaws.opsworks#ValidationException", ...}`.
    NamespacedType,
    /// `{"__type": "ValidationException:http://internal.amazon.com/...", ...}`.
    TypeWithUri,
    /// `{"__type": "com.amazonaws.opsworks#ValidationException:http://internal...", ...}`.
    NamespacedTypeWithUri,
    /// Header `X-Amzn-Errortype: ValidationException`, body `{"message": ...}` without a type.
    HeaderAlone,
    /// Header `X-Amzn-Errortype: ValidationException:http://internal...`, body without a type.
    HeaderWithUri,
    /// Header `X-Amzn-Errortype: ValidationException`, body `__type` naming another code: the
    /// header wins.
    HeaderOverBody,
    /// `{"code": "ValidationException", "message": ...}`.
    CodeField,
    /// `{"code": "com.amazonaws.opsworks#ValidationException", ...}`.
    NamespacedCode,
}

impl ErrorForm {
    /// Every form, in the order the runner uses them.
    pub const ALL: [ErrorForm; 9] = [
        ErrorForm::BareType,
        ErrorForm::NamespacedType,
        ErrorForm::TypeWithUri,
        ErrorForm::NamespacedTypeWithUri,
        ErrorForm::HeaderAlone,
        ErrorForm::HeaderWithUri,
        ErrorForm::HeaderOverBody,
        ErrorForm::CodeField,
        ErrorForm::NamespacedCode,
    ];

    /// A short name of the form, as reports show it.
    #[must_use]
    pub const fn label(self) -> &'static str {
        match self {
            ErrorForm::BareType => "bare __type",
            ErrorForm::NamespacedType => "namespaced __type",
            ErrorForm::TypeWithUri => "__type with :URI suffix",
            ErrorForm::NamespacedTypeWithUri => "namespaced __type with :URI suffix",
            ErrorForm::HeaderAlone => "X-Amzn-Errortype header without body __type",
            ErrorForm::HeaderWithUri => "X-Amzn-Errortype header with :URI suffix, no body __type",
            ErrorForm::HeaderOverBody => {
                "X-Amzn-Errortype header with a different body __type (header wins)"
            }
            ErrorForm::CodeField => "body code field",
            ErrorForm::NamespacedCode => "namespaced body code field",
        }
    }

    /// The response carrying `code` in this form, with this status.
    #[must_use]
    pub fn render(self, status: u16, code: &str) -> Observation {
        let message = format!("opsworks-conformance answers {code} as: {}", self.label());
        let (header, body) = match self {
            ErrorForm::BareType => (None, json!({ "__type": code, "message": message })),
            ErrorForm::NamespacedType => (
                None,
                json!({ "__type": format!("{NAMESPACE}#{code}"), "message": message }),
            ),
            ErrorForm::TypeWithUri => (
                None,
                json!({ "__type": format!("{code}{URI_SUFFIX}"), "message": message }),
            ),
            ErrorForm::NamespacedTypeWithUri => (
                None,
                json!({ "__type": format!("{NAMESPACE}#{code}{URI_SUFFIX}"), "message": message }),
            ),
            ErrorForm::HeaderAlone => (Some(code.to_owned()), json!({ "message": message })),
            ErrorForm::HeaderWithUri => (
                Some(format!("{code}{URI_SUFFIX}")),
                json!({ "message": message }),
            ),
            ErrorForm::HeaderOverBody => (
                Some(code.to_owned()),
                json!({ "__type": other_code(code), "message": message }),
            ),
            ErrorForm::CodeField => (None, json!({ "code": code, "message": message })),
            ErrorForm::NamespacedCode => (
                None,
                json!({ "code": format!("{NAMESPACE}#{code}"), "message": message }),
            ),
        };
        let mut observation = Observation::json(status, body.to_string());
        if let Some(value) = header {
            observation
                .headers
                .push((wire::ERROR_TYPE_HEADER.to_owned(), value));
        }
        observation
    }
}

/// The modelled code that is not `code` (for a body that the header must win over).
fn other_code(code: &str) -> &'static str {
    if code == ErrorCode::ValidationException.as_str() {
        ErrorCode::ResourceNotFoundException.as_str()
    } else {
        ErrorCode::ValidationException.as_str()
    }
}

/// One answer the recording server is programmed with, and what a conforming client reports.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Answer {
    /// `200 {"DeploymentId": id}` (C-SUCCESS).
    Success {
        /// The id the client must report.
        deployment_id: String,
    },
    /// `200 {"DeploymentId": id, ...unknown members}` (C-SUCCESS).
    SuccessWithExtraMembers {
        /// The id the client must report.
        deployment_id: String,
    },
    /// `200 {}` (C-SUCCESS-EMPTY: success without an id, or an error).
    EmptySuccess,
    /// A modelled error code in one of the forms (C-ERROR-CODE).
    Error {
        /// The code the client must report.
        code: ErrorCode,
        /// Where the answer carries it.
        form: ErrorForm,
    },
    /// An error code the model does not list, in `__type` (C-ERROR-UNMODELED).
    Unmodelled {
        /// The HTTP status.
        status: u16,
        /// The code the client must report.
        code: &'static str,
        /// Bare or namespaced (only the two `__type` forms are used).
        form: ErrorForm,
    },
}

impl Answer {
    /// Every answer the client gate gives, in the runner's order (successes get the id
    /// `placeholder`; the runner gives each case its own with [`Answer::with_deployment_id`]):
    /// two successes, `{}`, the 9 error forms for each modelled code, and the unmodelled codes
    /// bare and namespaced.
    #[must_use]
    pub fn all() -> Vec<Answer> {
        let placeholder = || "placeholder".to_owned();
        let mut answers = vec![
            Answer::Success {
                deployment_id: placeholder(),
            },
            Answer::SuccessWithExtraMembers {
                deployment_id: placeholder(),
            },
            Answer::EmptySuccess,
        ];
        for form in ErrorForm::ALL {
            for code in MODELLED_CODES {
                answers.push(Answer::Error { code, form });
            }
        }
        for form in [ErrorForm::BareType, ErrorForm::NamespacedType] {
            for (status, code) in UNMODELLED_CODES {
                answers.push(Answer::Unmodelled { status, code, form });
            }
        }
        answers
    }

    /// The same answer with this deployment id (successes only; others are returned as is).
    #[must_use]
    pub fn with_deployment_id(self, id: impl Into<String>) -> Self {
        match self {
            Answer::Success { .. } => Answer::Success {
                deployment_id: id.into(),
            },
            Answer::SuccessWithExtraMembers { .. } => Answer::SuccessWithExtraMembers {
                deployment_id: id.into(),
            },
            other => other,
        }
    }

    /// The rule that judges what the client reports for this answer.
    #[must_use]
    pub fn rule(&self) -> RuleId {
        match self {
            Answer::Success { .. } | Answer::SuccessWithExtraMembers { .. } => rules::C_SUCCESS,
            Answer::EmptySuccess => rules::C_SUCCESS_EMPTY,
            Answer::Error { .. } => rules::C_ERROR_CODE,
            Answer::Unmodelled { .. } => rules::C_ERROR_UNMODELED,
        }
    }

    /// A short name of the answer, as reports show it (the form for errors).
    #[must_use]
    pub fn label(&self) -> &'static str {
        match self {
            Answer::Success { .. } => "success",
            Answer::SuccessWithExtraMembers { .. } => "success with unknown extra members",
            Answer::EmptySuccess => "200 {}",
            Answer::Error { form, .. } | Answer::Unmodelled { form, .. } => form.label(),
        }
    }

    /// The error code a conforming client reports, for error answers.
    #[must_use]
    pub fn expected_code(&self) -> Option<&'static str> {
        match self {
            Answer::Error { code, .. } => Some(code.as_str()),
            Answer::Unmodelled { code, .. } => Some(code),
            _ => None,
        }
    }

    /// The HTTP response the recording server sends.
    ///
    /// ```
    /// use opsworks_conformance::client::{Answer, ErrorForm};
    /// use opsworks_conformance::contract::ErrorCode;
    ///
    /// let answer = Answer::Error { code: ErrorCode::ValidationException, form: ErrorForm::HeaderAlone };
    /// let response = answer.response();
    /// assert_eq!(response.status, 400);
    /// assert_eq!(response.header("X-Amzn-Errortype"), Some("ValidationException"));
    /// let body: serde_json::Value = serde_json::from_slice(&response.body).unwrap();
    /// assert!(body.get("__type").is_none() && body["message"].is_string());
    /// ```
    #[must_use]
    pub fn response(&self) -> Observation {
        match self {
            Answer::Success { deployment_id } => {
                Observation::json(200, json!({ "DeploymentId": deployment_id }).to_string())
            }
            Answer::SuccessWithExtraMembers { deployment_id } => Observation::json(
                200,
                json!({
                    "DeploymentId": deployment_id,
                    "Status": "running",
                    "Deployment": { "Command": { "Name": "deploy" }, "InstanceIds": ["i-1"] },
                    "RetryAfterSeconds": 3
                })
                .to_string(),
            ),
            Answer::EmptySuccess => Observation::json(200, "{}"),
            Answer::Error { code, form } => form.render(code.status(), code.as_str()),
            Answer::Unmodelled { status, code, form } => form.render(*status, code),
        }
    }

    /// The answer in words, for failure messages: status, the error-type header if any, body.
    #[must_use]
    pub fn describe(&self) -> String {
        describe_response(&self.response())
    }
}

/// `400, X-Amzn-Errortype: ..., body {...}`.
pub(crate) fn describe_response(response: &Observation) -> String {
    match response.header(wire::ERROR_TYPE_HEADER) {
        Some(value) => format!(
            "{}, {}: {value}, body {}",
            response.status,
            wire::ERROR_TYPE_HEADER,
            response.body_text()
        ),
        None => format!("{}, body {}", response.status, response.body_text()),
    }
}
