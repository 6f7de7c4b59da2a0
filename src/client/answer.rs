//! The answers the recording server gives: successes, and every awsJson1_1 error form
//! (`AWSJSON11.md`) for the modelled codes, and unmodelled codes.

use serde_json::json;

use crate::contract::{ErrorCode, Observation, RuleId, wire};

/// The namespace the OpsWorks service uses in a namespaced error type.
pub const NAMESPACE: &str = "com.amazonaws.opsworks";

/// The `:`URI suffix AWS services append to some error types.
pub const URI_SUFFIX: &str = ":http://internal.amazon.com/coral/com.amazon.coral.validate/";

/// The error codes the model lists; C-ERROR-CODE answers with each of them in every form.
pub const MODELLED_CODES: [ErrorCode; 2] = [
    ErrorCode::ValidationException,
    ErrorCode::ResourceNotFoundException,
];

/// The (status, code) pairs C-ERROR-CODE answers with, each in every [`ErrorForm`]: the
/// modelled codes with 400, and `ResourceNotFoundException` with another 4xx too (the
/// awsJson1_1 rules find the code without looking at the status).
pub const MODELLED_ERRORS: [(u16, ErrorCode); 3] = [
    (400, ErrorCode::ValidationException),
    (400, ErrorCode::ResourceNotFoundException),
    (404, ErrorCode::ResourceNotFoundException),
];

/// Error codes the model does not list, with the status they come with; C-ERROR-UNMODELED
/// answers with each of them in every [`ErrorForm`].
pub const UNMODELLED_CODES: [(u16, &str); 3] = [
    (400, "ThrottlingException"),
    (403, "AccessDeniedException"),
    (429, "TooManyRequestsException"),
];

/// Where an error answer carries its code: every form a client MUST read (`AWSJSON11.md`;
/// the awsJson1_1 rules: the `X-Amzn-Errortype` header, else the body `code`, else the body
/// `__type`; keep what is before the first `:`, then what is after the first `#`).
///
/// Each form names, in [`ErrorForm::smithy_test`], the Smithy awsJson1_1 protocol test
/// (`smithy-aws-protocol-tests/model/awsJson1_1/errors.smithy` in smithy-lang/smithy) whose
/// answer it is, or the rule of the specification it checks where no test has that answer.
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
    /// `{"__type": "com.amazonaws.opsworks#ValidationException", "ErrorDetails":
    /// [{"__type": "com.amazon.internal#ErrorDetails", ...}]}`: the nested `__type` is not the
    /// code.
    NestedType,
    /// `{"code": "ValidationException", "message": ...}`.
    CodeField,
    /// `{"code": "com.amazonaws.opsworks#ValidationException", ...}`.
    NamespacedCode,
    /// `{"code": "com.amazonaws.opsworks#ValidationException:http://internal...", ...}`.
    NamespacedCodeWithUri,
    /// `{"code": "ValidationException", "__type": "ResourceNotFoundException", ...}`: `code`
    /// wins.
    CodeOverType,
    /// Header `X-Amzn-Errortype: ValidationException`, body `{"message": ...}` without a code.
    HeaderAlone,
    /// Header `X-Amzn-Errortype: ValidationException:http://internal...`, body without a code.
    HeaderWithUri,
    /// Header `X-Amzn-Errortype: com.amazonaws.opsworks#ValidationException:http://internal...`,
    /// body without a code.
    HeaderWithUriAndNamespace,
    /// Header `X-Amzn-Errortype: ValidationException` and the same body `__type`.
    HeaderSameType,
    /// Header `X-Amzn-Errortype: ValidationException`, body `__type` naming another code: the
    /// header wins.
    HeaderOverBody,
    /// Header `X-Amzn-Errortype: ValidationException`, body `code` naming another code: the
    /// header wins.
    HeaderOverCode,
}

impl ErrorForm {
    /// Every form, in the order the runner uses them (the body forms first, simplest first).
    pub const ALL: [ErrorForm; 15] = [
        ErrorForm::BareType,
        ErrorForm::NamespacedType,
        ErrorForm::TypeWithUri,
        ErrorForm::NamespacedTypeWithUri,
        ErrorForm::NestedType,
        ErrorForm::CodeField,
        ErrorForm::NamespacedCode,
        ErrorForm::NamespacedCodeWithUri,
        ErrorForm::CodeOverType,
        ErrorForm::HeaderAlone,
        ErrorForm::HeaderWithUri,
        ErrorForm::HeaderWithUriAndNamespace,
        ErrorForm::HeaderSameType,
        ErrorForm::HeaderOverBody,
        ErrorForm::HeaderOverCode,
    ];

    /// A short name of the form, as reports and known-failures ledgers show it (never holds
    /// `": "`, so a ledger's reason can start with it).
    #[must_use]
    pub const fn label(self) -> &'static str {
        match self {
            ErrorForm::BareType => "bare __type",
            ErrorForm::NamespacedType => "namespaced __type",
            ErrorForm::TypeWithUri => "__type with :URI suffix",
            ErrorForm::NamespacedTypeWithUri => "namespaced __type with :URI suffix",
            ErrorForm::NestedType => "namespaced __type and a nested __type in another member",
            ErrorForm::CodeField => "body code field",
            ErrorForm::NamespacedCode => "namespaced body code field",
            ErrorForm::NamespacedCodeWithUri => "namespaced body code field with :URI suffix",
            ErrorForm::CodeOverType => "body code field with a different __type (code wins)",
            ErrorForm::HeaderAlone => "X-Amzn-Errortype header without body __type",
            ErrorForm::HeaderWithUri => "X-Amzn-Errortype header with :URI suffix, no body __type",
            ErrorForm::HeaderWithUriAndNamespace => {
                "X-Amzn-Errortype header with namespace and :URI suffix, no body __type"
            }
            ErrorForm::HeaderSameType => "X-Amzn-Errortype header with the same body __type",
            ErrorForm::HeaderOverBody => {
                "X-Amzn-Errortype header with a different body __type (header wins)"
            }
            ErrorForm::HeaderOverCode => {
                "X-Amzn-Errortype header with a different body code (header wins)"
            }
        }
    }

    /// The Smithy awsJson1_1 protocol test this form is the answer of
    /// (`smithy-aws-protocol-tests/model/awsJson1_1/errors.smithy`), or, where no test has
    /// this answer, the rule of the specification it checks.
    ///
    /// ```
    /// use opsworks_conformance::client::ErrorForm;
    /// assert_eq!(
    ///     ErrorForm::NamespacedCodeWithUri.smithy_test(),
    ///     "AwsJson11FooErrorUsingCodeUriAndNamespace"
    /// );
    /// ```
    #[must_use]
    pub const fn smithy_test(self) -> &'static str {
        match self {
            ErrorForm::BareType => "AwsJson11FooErrorWithDunderType",
            ErrorForm::NamespacedType => "AwsJson11FooErrorWithDunderTypeAndNamespace",
            ErrorForm::TypeWithUri => {
                "no test of its own: the sanitising rule of aws-json-1_1-protocol.rst (\"FooError:http://internal...\" resolves to FooError), applied to __type"
            }
            ErrorForm::NamespacedTypeWithUri => "AwsJson11FooErrorWithDunderTypeUriAndNamespace",
            ErrorForm::NestedType => "AwsJson11FooErrorWithNestedTypeProperty",
            ErrorForm::CodeField => "AwsJson11FooErrorUsingCode",
            ErrorForm::NamespacedCode => "AwsJson11FooErrorUsingCodeAndNamespace",
            ErrorForm::NamespacedCodeWithUri => "AwsJson11FooErrorUsingCodeUriAndNamespace",
            ErrorForm::CodeOverType => {
                "no test of its own: `code` before `__type` is the catalogue's order (RULES.md P-ERROR-SHAPE) and that of smithy-rs and smithy-typescript; the specification does not order the two body members"
            }
            ErrorForm::HeaderAlone => "AwsJson11FooErrorUsingXAmznErrorType",
            ErrorForm::HeaderWithUri => "AwsJson11FooErrorUsingXAmznErrorTypeWithUri",
            ErrorForm::HeaderWithUriAndNamespace => {
                "AwsJson11FooErrorUsingXAmznErrorTypeWithUriAndNamespace"
            }
            ErrorForm::HeaderSameType => {
                "no test of its own: AwsJson11FooErrorUsingXAmznErrorType with AwsJson11FooErrorWithDunderType's body (what most AWS services send)"
            }
            ErrorForm::HeaderOverBody => {
                "no test of its own: AwsJson11FooErrorUsingCode's \"must first check for the X-Amzn-Errortype\" (the header first)"
            }
            ErrorForm::HeaderOverCode => {
                "no test of its own: AwsJson11FooErrorUsingCode's \"must first check for the X-Amzn-Errortype and then check for a top-level 'code' property\""
            }
        }
    }

    /// The response carrying `code` in this form, with this status.
    #[must_use]
    pub fn render(self, status: u16, code: &str) -> Observation {
        // Short: reports quote the whole answer; the form is named beside it.
        let message = "an answer of opsworks-conformance";
        let namespaced = format!("{NAMESPACE}#{code}");
        let (header, body) = match self {
            ErrorForm::BareType => (None, json!({ "__type": code, "message": message })),
            ErrorForm::NamespacedType => {
                (None, json!({ "__type": namespaced, "message": message }))
            }
            ErrorForm::TypeWithUri => (
                None,
                json!({ "__type": format!("{code}{URI_SUFFIX}"), "message": message }),
            ),
            ErrorForm::NamespacedTypeWithUri => (
                None,
                json!({ "__type": format!("{namespaced}{URI_SUFFIX}"), "message": message }),
            ),
            ErrorForm::NestedType => (
                None,
                json!({
                    "__type": namespaced,
                    "message": message,
                    "ErrorDetails": [
                        { "__type": "com.amazon.internal#ErrorDetails", "reason": "Some reason" }
                    ]
                }),
            ),
            ErrorForm::CodeField => (None, json!({ "code": code, "message": message })),
            ErrorForm::NamespacedCode => (None, json!({ "code": namespaced, "message": message })),
            ErrorForm::NamespacedCodeWithUri => (
                None,
                json!({ "code": format!("{namespaced}{URI_SUFFIX}"), "message": message }),
            ),
            ErrorForm::CodeOverType => (
                None,
                json!({ "code": code, "__type": other_code(code), "message": message }),
            ),
            ErrorForm::HeaderAlone => (Some(code.to_owned()), json!({ "message": message })),
            ErrorForm::HeaderWithUri => (
                Some(format!("{code}{URI_SUFFIX}")),
                json!({ "message": message }),
            ),
            ErrorForm::HeaderWithUriAndNamespace => (
                Some(format!("{namespaced}{URI_SUFFIX}")),
                json!({ "message": message }),
            ),
            ErrorForm::HeaderSameType => (
                Some(code.to_owned()),
                json!({ "__type": code, "message": message }),
            ),
            ErrorForm::HeaderOverBody => (
                Some(code.to_owned()),
                json!({ "__type": other_code(code), "message": message }),
            ),
            ErrorForm::HeaderOverCode => (
                Some(code.to_owned()),
                json!({ "code": other_code(code), "message": message }),
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

/// A code that is not `code`, for a body member that another place must win over: the other
/// modelled code for a modelled one (so a client that reads the wrong place reports a code it
/// knows), `ValidationException` for an unmodelled one.
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
        /// The HTTP status (4xx).
        status: u16,
        /// The code the client must report.
        code: ErrorCode,
        /// Where the answer carries it.
        form: ErrorForm,
    },
    /// An error code the model does not list, in one of the forms (C-ERROR-UNMODELED).
    Unmodelled {
        /// The HTTP status.
        status: u16,
        /// The code the client must report.
        code: &'static str,
        /// Where the answer carries it.
        form: ErrorForm,
    },
}

impl Answer {
    /// Every answer the client gate gives, in the runner's order (successes get the id
    /// `placeholder`; the runner gives each case its own with [`Answer::with_deployment_id`]):
    /// two successes, `{}`, every [`ErrorForm`] for each of [`MODELLED_ERRORS`], then every
    /// form for each of [`UNMODELLED_CODES`].
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
            for (status, code) in MODELLED_ERRORS {
                answers.push(Answer::Error { status, code, form });
            }
        }
        for form in ErrorForm::ALL {
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
            Answer::Success { .. } | Answer::SuccessWithExtraMembers { .. } => {
                crate::rules::c_success::RULE.id
            }
            Answer::EmptySuccess => crate::rules::c_success_empty::RULE.id,
            Answer::Error { .. } => crate::rules::c_error_code::RULE.id,
            Answer::Unmodelled { .. } => crate::rules::c_error_unmodeled::RULE.id,
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
    /// let answer = Answer::Error {
    ///     status: 400,
    ///     code: ErrorCode::ValidationException,
    ///     form: ErrorForm::HeaderAlone,
    /// };
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
            Answer::Error { status, code, form } => form.render(*status, code.as_str()),
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

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// (header, body `code`, body `__type`) of a rendered answer.
    fn places(form: ErrorForm, code: &str) -> (Option<String>, Option<String>, Option<String>) {
        let response = form.render(400, code);
        let body: serde_json::Value =
            serde_json::from_slice(&response.body).expect("the answer's body is JSON");
        let member = |name: &str| body.get(name).and_then(|v| v.as_str()).map(str::to_owned);
        (
            response.header(wire::ERROR_TYPE_HEADER).map(str::to_owned),
            member("code"),
            member("__type"),
        )
    }

    #[test]
    fn each_form_carries_the_code_where_its_smithy_test_does() {
        let ns = |code: &str| format!("{NAMESPACE}#{code}");
        let uri = |code: &str| format!("{code}{URI_SUFFIX}");
        let some = |text: &str| Some(text.to_owned());
        let code = "FooError";
        let expected = [
            (ErrorForm::BareType, (None, None, some(code))),
            (ErrorForm::NamespacedType, (None, None, Some(ns(code)))),
            (ErrorForm::TypeWithUri, (None, None, Some(uri(code)))),
            (
                ErrorForm::NamespacedTypeWithUri,
                (None, None, Some(uri(&ns(code)))),
            ),
            (ErrorForm::NestedType, (None, None, Some(ns(code)))),
            (ErrorForm::CodeField, (None, some(code), None)),
            (ErrorForm::NamespacedCode, (None, Some(ns(code)), None)),
            (
                ErrorForm::NamespacedCodeWithUri,
                (None, Some(uri(&ns(code))), None),
            ),
            (
                ErrorForm::CodeOverType,
                (None, some(code), some("ValidationException")),
            ),
            (ErrorForm::HeaderAlone, (some(code), None, None)),
            (ErrorForm::HeaderWithUri, (Some(uri(code)), None, None)),
            (
                ErrorForm::HeaderWithUriAndNamespace,
                (Some(uri(&ns(code))), None, None),
            ),
            (ErrorForm::HeaderSameType, (some(code), None, some(code))),
            (
                ErrorForm::HeaderOverBody,
                (some(code), None, some("ValidationException")),
            ),
            (
                ErrorForm::HeaderOverCode,
                (some(code), some("ValidationException"), None),
            ),
        ];
        assert_eq!(expected.len(), ErrorForm::ALL.len());
        for (form, places_expected) in expected {
            assert_eq!(places(form, code), places_expected, "{form:?}");
        }
        // The nested __type of AwsJson11FooErrorWithNestedTypeProperty.
        let nested = ErrorForm::NestedType.render(400, code);
        let body: serde_json::Value = serde_json::from_slice(&nested.body).expect("JSON");
        assert_eq!(
            body["ErrorDetails"][0]["__type"],
            "com.amazon.internal#ErrorDetails"
        );
        // A body member the header or `code` must win over names a modelled code the client
        // knows, also for ValidationException itself.
        assert_eq!(
            places(ErrorForm::HeaderOverCode, "ValidationException").1,
            some("ResourceNotFoundException")
        );
    }

    #[test]
    fn the_answers_are_the_cross_product_of_forms_codes_and_statuses() {
        let answers = Answer::all();
        let errors: BTreeSet<(u16, &str, ErrorForm)> = answers
            .iter()
            .filter_map(|answer| match answer {
                Answer::Error { status, code, form } => Some((*status, code.as_str(), *form)),
                Answer::Unmodelled { status, code, form } => Some((*status, *code, *form)),
                _ => None,
            })
            .collect();
        assert_eq!(
            errors.len(),
            ErrorForm::ALL.len() * (MODELLED_ERRORS.len() + UNMODELLED_CODES.len())
        );
        for form in ErrorForm::ALL {
            for (status, code) in MODELLED_ERRORS {
                assert!(errors.contains(&(status, code.as_str(), form)));
            }
            for (status, code) in UNMODELLED_CODES {
                assert!(errors.contains(&(status, code, form)));
            }
        }
        let statuses = |modelled: bool| -> BTreeSet<u16> {
            answers
                .iter()
                .filter_map(|answer| match answer {
                    Answer::Error { status, .. } if modelled => Some(*status),
                    Answer::Unmodelled { status, .. } if !modelled => Some(*status),
                    _ => None,
                })
                .collect()
        };
        for modelled in [true, false] {
            let found = statuses(modelled);
            assert!(found.contains(&400), "{found:?}");
            assert!(
                found.iter().any(|s| *s != 400 && (400..500).contains(s)),
                "{found:?}"
            );
        }
        // No unmodelled code is a modelled one.
        for (_, code) in UNMODELLED_CODES {
            assert!(MODELLED_CODES.iter().all(|m| m.as_str() != code));
        }
    }

    #[test]
    fn labels_are_distinct_and_fit_a_ledger_reason() {
        let labels: BTreeSet<&str> = ErrorForm::ALL.iter().map(|f| f.label()).collect();
        assert_eq!(labels.len(), ErrorForm::ALL.len());
        assert!(labels.iter().all(|label| !label.contains(": ")));
        let tests: BTreeSet<&str> = ErrorForm::ALL.iter().map(|f| f.smithy_test()).collect();
        assert_eq!(tests.len(), ErrorForm::ALL.len());
        // Every FooError test of errors.smithy is matched by a form.
        for id in [
            "AwsJson11FooErrorUsingXAmznErrorType",
            "AwsJson11FooErrorUsingXAmznErrorTypeWithUri",
            "AwsJson11FooErrorUsingXAmznErrorTypeWithUriAndNamespace",
            "AwsJson11FooErrorUsingCode",
            "AwsJson11FooErrorUsingCodeAndNamespace",
            "AwsJson11FooErrorUsingCodeUriAndNamespace",
            "AwsJson11FooErrorWithDunderType",
            "AwsJson11FooErrorWithDunderTypeAndNamespace",
            "AwsJson11FooErrorWithDunderTypeUriAndNamespace",
            "AwsJson11FooErrorWithNestedTypeProperty",
        ] {
            assert!(tests.contains(id), "{id}");
        }
    }
}
