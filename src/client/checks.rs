//! The client-side checks, as free functions: each returns `Ok(())` or a [`ClientFailure`]
//! naming the rule, what was expected and what was found. Each check is in its rule's file
//! under `src/rules/` (`c_body.rs`); this module gathers them.

use crate::contract::RuleId;
pub use crate::rules::c_body::judge as check_body;
pub use crate::rules::c_client_validation::judge as client_validation_behaviour;
pub use crate::rules::c_error_code::judge as check_error_code;
pub use crate::rules::c_headers::judge as check_headers;
pub use crate::rules::c_request_line::judge as check_request_line;
pub use crate::rules::c_sigv4::judge as check_sigv4;
pub use crate::rules::c_success::judge as check_success;
pub use crate::rules::c_success_empty::judge as judge_empty_success;

/// A client-side rule broken: the rule, what was expected, what was found.
///
/// ```
/// use opsworks_conformance::client::ClientFailure;
/// use opsworks_conformance::contract::rules;
/// let failure = ClientFailure::new(rules::C_REQUEST_LINE, "POST /", "GET /");
/// assert_eq!(failure.to_string(), "[C-REQUEST-LINE] expected POST /, found GET /");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("[{rule}] expected {expected}, found {found}")]
pub struct ClientFailure {
    /// The rule broken.
    pub rule: RuleId,
    /// What the rule expects.
    pub expected: String,
    /// What the client did.
    pub found: String,
}

impl ClientFailure {
    /// A failure of `rule`.
    #[must_use]
    pub fn new(rule: RuleId, expected: impl Into<String>, found: impl Into<String>) -> Self {
        ClientFailure {
            rule,
            expected: expected.into(),
            found: found.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, SystemTime};

    use super::*;
    use crate::client::answer::{Answer, ErrorForm};
    use crate::client::mock::RecordedRequest;
    use crate::client::outcome::ClientOutcome;
    use crate::contract::{CommandName, CreateDeploymentInput, ErrorCode, RawRequest, wire};
    use crate::rules::{c_body, c_error_code, c_headers, c_sigv4};

    const KEY: &str = "AKIDCLIENT0000000001";
    const SECRET: &str = "client-secret";

    fn recorded(raw: &RawRequest) -> RecordedRequest {
        RecordedRequest {
            method: "POST".to_owned(),
            path: "/".to_owned(),
            headers: raw.headers.clone(),
            body: raw.body.clone(),
        }
    }

    fn signed(input: &CreateDeploymentInput, service_region: &str) -> RecordedRequest {
        let time = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        recorded(&crate::sigv4::sign(
            &input.to_raw(),
            "127.0.0.1:1",
            KEY,
            SECRET,
            service_region,
            time,
        ))
    }

    #[test]
    fn a_conforming_request_passes_every_request_check() {
        let input = CreateDeploymentInput::new("s", CommandName::Deploy).with_app("a");
        let request = signed(&input, "us-east-1");
        assert_eq!(check_request_line(&request), Ok(()));
        assert_eq!(check_headers(&request), Ok(()));
        assert_eq!(check_body(&request, &input), Ok(()));
        assert_eq!(check_sigv4(&request, KEY, SECRET, "us-east-1"), Ok(()));
    }

    #[test]
    fn failure_texts_name_the_rule_what_was_expected_and_what_was_found() {
        let input = CreateDeploymentInput::new("s", CommandName::Setup);
        let request = signed(&input, "eu-west-1");
        assert_eq!(
            check_sigv4(&request, KEY, SECRET, "us-east-1")
                .unwrap_err()
                .to_string(),
            format!(
                "[{}] expected Authorization: AWS4-HMAC-SHA256 Credential=AKIDCLIENT0000000001/<date>/us-east-1/opsworks/aws4_request with a signature that verifies with the secret, and an X-Amz-Date, found Credential=AKIDCLIENT0000000001/20270115/eu-west-1/opsworks/aws4_request",
                c_sigv4::RULE.id
            )
        );
        let wrong_secret = check_sigv4(&signed(&input, "us-east-1"), KEY, "other", "us-east-1");
        assert!(
            wrong_secret
                .unwrap_err()
                .found
                .starts_with("a signature that does not verify with the secret")
        );

        let mut no_target = signed(&input, "us-east-1");
        no_target
            .headers
            .retain(|(name, _)| !name.eq_ignore_ascii_case(wire::TARGET_HEADER));
        assert_eq!(
            check_headers(&no_target).unwrap_err().to_string(),
            format!(
                "[{}] expected Content-Type: application/x-amz-json-1.1 (parameters allowed) and X-Amz-Target: OpsWorks_20130218.CreateDeployment, found no X-Amz-Target header",
                c_headers::RULE.id
            )
        );

        let mut other_body = signed(&input, "us-east-1");
        other_body.body = br#"{"StackId":"s","Command":{"Name":"Setup"}}"#.to_vec();
        assert_eq!(
            check_body(&other_body, &input).unwrap_err().to_string(),
            format!(
                r#"[{}] expected the body {{"StackId":"s","Command":{{"Name":"setup"}}}} (as a JSON value), found at $.Command.Name: expected "setup", found "Setup" in {{"StackId":"s","Command":{{"Name":"Setup"}}}}"#,
                c_body::RULE.id
            )
        );

        let answer = Answer::Error {
            status: 400,
            code: ErrorCode::ResourceNotFoundException,
            form: ErrorForm::CodeField,
        };
        let failure = check_error_code(&answer, &ClientOutcome::error("400", "")).unwrap_err();
        assert_eq!(failure.rule, c_error_code::RULE.id);
        assert!(
            failure
                .expected
                .starts_with("error code ResourceNotFoundException for the answer \"body code field\" (400, body {\"code\":\"ResourceNotFoundException\""),
            "{failure}"
        );
        assert_eq!(failure.found, r#"error code "400" (message "")"#);
    }

    #[test]
    fn every_error_form_reads_back_as_its_code_by_the_smithy_rules() {
        for answer in Answer::all() {
            let Some(code) = answer.expected_code() else {
                continue;
            };
            let response = answer.response();
            assert_eq!(
                crate::contract::error_code_of(&response.headers, &response.body).as_deref(),
                Some(code),
                "{answer:?}"
            );
            assert_eq!(
                check_error_code(&answer, &ClientOutcome::error(code, "")),
                Ok(())
            );
        }
    }

    #[test]
    fn the_may_rules_record_the_behaviour() {
        assert_eq!(
            judge_empty_success(&ClientOutcome::Ok {
                deployment_id: None
            }),
            Ok("success without an id".to_owned())
        );
        assert_eq!(
            judge_empty_success(&ClientOutcome::error("SerializationException", "")),
            Ok("error (SerializationException)".to_owned())
        );
        assert!(judge_empty_success(&ClientOutcome::ok("made-up")).is_err());
        assert_eq!(
            client_validation_behaviour(&[], &ClientOutcome::client_error("missing StackId")),
            "refused before sending"
        );
    }
}
