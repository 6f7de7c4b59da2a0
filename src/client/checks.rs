//! The client-side checks, as free functions: each returns `Ok(())` or a [`ClientFailure`]
//! naming the rule, what was expected and what was found.

use serde_json::Value;

use crate::client::answer::{Answer, describe_response};
use crate::client::mock::RecordedRequest;
use crate::client::outcome::ClientOutcome;
use crate::contract::excerpt::excerpt;
use crate::contract::{CreateDeploymentInput, RuleId, rules, wire};
use crate::oracle::CallerIdentity;
use crate::world::{User, World};

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

/// C-REQUEST-LINE: the request is `POST /` (no query string).
///
/// # Errors
/// Another method or path.
pub fn check_request_line(request: &RecordedRequest) -> Result<(), ClientFailure> {
    if request.method == wire::METHOD && request.path == wire::PATH {
        Ok(())
    } else {
        Err(ClientFailure::new(
            rules::C_REQUEST_LINE,
            format!("{} {}", wire::METHOD, wire::PATH),
            format!("{} {}", request.method, request.path),
        ))
    }
}

/// C-HEADERS: `Content-Type: application/x-amz-json-1.1` (parameters allowed) and
/// `X-Amz-Target: OpsWorks_20130218.CreateDeployment`.
///
/// # Errors
/// A header missing or with another value.
pub fn check_headers(request: &RecordedRequest) -> Result<(), ClientFailure> {
    let expected = format!(
        "Content-Type: {} (parameters allowed) and {}: {}",
        wire::CONTENT_TYPE,
        wire::TARGET_HEADER,
        wire::TARGET_VALUE
    );
    let fail = |found: String| {
        Err(ClientFailure::new(
            rules::C_HEADERS,
            expected.clone(),
            found,
        ))
    };
    match request.header("Content-Type") {
        None => return fail("no Content-Type header".to_owned()),
        Some(value) if !wire::is_json11_media_type(value) => {
            return fail(format!("Content-Type: {value}"));
        }
        Some(_) => {}
    }
    match request.header(wire::TARGET_HEADER) {
        None => fail(format!("no {} header", wire::TARGET_HEADER)),
        Some(value) if value != wire::TARGET_VALUE => {
            fail(format!("{}: {value}", wire::TARGET_HEADER))
        }
        Some(_) => Ok(()),
    }
}

/// C-BODY: the body is a JSON object equal, as a value, to the canonical form of the logical
/// request ([`CreateDeploymentInput::to_json`]): members present exactly when set, names as in
/// the model, no nulls. Member order and whitespace do not matter; escapes are read.
///
/// ```
/// use opsworks_conformance::client::{check_body, RecordedRequest};
/// use opsworks_conformance::contract::{CommandName, CreateDeploymentInput};
/// let input = CreateDeploymentInput::new("s", CommandName::Setup);
/// let sent = |body: &str| RecordedRequest {
///     method: "POST".into(), path: "/".into(), headers: vec![], body: body.as_bytes().to_vec(),
/// };
/// assert!(check_body(&sent(r#"{"Command": {"Name": "setup"}, "StackId": "s"}"#), &input).is_ok());
/// let failure = check_body(&sent(r#"{"StackId":"s","Command":{"Name":"setup"},"AppId":null}"#), &input).unwrap_err();
/// assert!(failure.found.contains("$.AppId"), "{failure}");
/// ```
///
/// # Errors
/// A body that is not JSON, not an object, or not equal to the canonical form.
pub fn check_body(
    request: &RecordedRequest,
    input: &CreateDeploymentInput,
) -> Result<(), ClientFailure> {
    let canonical = input.to_json();
    let expected_text = format!("the body {canonical} (as a JSON value)");
    let fail = |found: String| {
        Err(ClientFailure::new(
            rules::C_BODY,
            expected_text.clone(),
            found,
        ))
    };
    let expected: Value = match serde_json::from_str(&canonical) {
        Ok(value) => value,
        Err(error) => return fail(format!("a canonical form that does not parse ({error})")),
    };
    let found: Value = match serde_json::from_slice(&request.body) {
        Ok(value) => value,
        Err(error) => {
            return fail(format!(
                "a body that is not JSON ({error}): {}",
                excerpt(&request.body, 300)
            ));
        }
    };
    if !found.is_object() {
        return fail(format!(
            "a body that is not a JSON object: {}",
            excerpt(&request.body, 300)
        ));
    }
    match first_difference(&expected, &found, "$") {
        None => Ok(()),
        Some(difference) => fail(format!("{difference} in {}", excerpt(&request.body, 300))),
    }
}

/// Where two JSON values first differ, in words (`at $.Command.Name: expected "deploy", found
/// "Deploy"`); `None` when they are equal. Object member order does not matter.
fn first_difference(expected: &Value, found: &Value, path: &str) -> Option<String> {
    match (expected, found) {
        (Value::Object(expected), Value::Object(found)) => {
            for (name, value) in expected {
                let at = format!("{path}.{name}");
                match found.get(name) {
                    None => return Some(format!("at {at}: expected {value}, found no member")),
                    Some(other) => {
                        if let Some(difference) = first_difference(value, other, &at) {
                            return Some(difference);
                        }
                    }
                }
            }
            found
                .iter()
                .find(|(name, _)| !expected.contains_key(*name))
                .map(|(name, value)| format!("at {path}.{name}: expected no member, found {value}"))
        }
        (Value::Array(expected), Value::Array(found)) if expected.len() == found.len() => expected
            .iter()
            .zip(found)
            .enumerate()
            .find_map(|(index, (a, b))| first_difference(a, b, &format!("{path}[{index}]"))),
        _ if expected == found => None,
        _ => Some(format!("at {path}: expected {expected}, found {found}")),
    }
}

/// C-SIGV4: `Authorization: AWS4-HMAC-SHA256` with the client's access key id and the scope
/// `<date>/<region>/opsworks/aws4_request`, an `X-Amz-Date` whose date is the scope's, and a
/// signature that verifies with the secret (recomputed over the headers the client signed and
/// the exact body, with [`crate::sigv4::verify`]).
///
/// # Errors
/// No or another kind of `Authorization`, another key, region or service in the scope, no
/// `X-Amz-Date` or one of another day, or a signature that does not verify.
pub fn check_sigv4(
    request: &RecordedRequest,
    access_key_id: &str,
    secret_access_key: &str,
    region: &str,
) -> Result<(), ClientFailure> {
    let expected = format!(
        "Authorization: {} Credential={access_key_id}/<date>/{region}/{}/aws4_request with a signature that verifies with the secret, and an X-Amz-Date",
        crate::sigv4::ALGORITHM,
        wire::SIGNING_NAME
    );
    let fail = |found: String| Err(ClientFailure::new(rules::C_SIGV4, expected.clone(), found));
    let Some(authorization) = request.header("Authorization") else {
        return fail("no Authorization header".to_owned());
    };
    let redacted = crate::report::redact_authorization(authorization);
    let Some(rest) = authorization
        .strip_prefix(crate::sigv4::ALGORITHM)
        .filter(|rest| rest.starts_with(' '))
    else {
        return fail(format!("Authorization: {redacted}"));
    };
    let Some(scope) = rest
        .split(',')
        .map(str::trim)
        .find_map(|part| part.strip_prefix("Credential="))
    else {
        return fail(format!("no Credential= in Authorization: {redacted}"));
    };
    let parts: Vec<&str> = scope.split('/').collect();
    let [key, date, scope_region, service, terminator] = parts.as_slice() else {
        return fail(format!("the credential scope {scope:?}"));
    };
    if *key != access_key_id
        || *scope_region != region
        || *service != wire::SIGNING_NAME
        || *terminator != "aws4_request"
    {
        return fail(format!("Credential={scope}"));
    }
    let Some(amz_date) = request.header("X-Amz-Date") else {
        return fail("no X-Amz-Date header".to_owned());
    };
    if amz_date.get(..8) != Some(*date) {
        return fail(format!("X-Amz-Date: {amz_date} with the scope date {date}"));
    }
    let world = World {
        stacks: Vec::new(),
        users: vec![User {
            access_key_id: access_key_id.to_owned(),
            secret_access_key: secret_access_key.to_owned(),
            permissions: Vec::new(),
            policy_allows_create_deployment: Vec::new(),
        }],
    };
    match crate::sigv4::verify(&request.to_raw(), &world, region) {
        CallerIdentity::Verified(_) => Ok(()),
        _ => fail(format!(
            "a signature that does not verify with the secret over the signed headers and the body (Authorization: {redacted})"
        )),
    }
}

/// C-ERROR-CODE (modelled codes) and C-ERROR-UNMODELED (other codes): for an error answer, the
/// client reports exactly the code the answer carries (after the awsJson1_1 rules: header, then
/// `code`, then `__type`; sanitised). Not an error answer: `Ok(())`.
///
/// # Errors
/// The client reported another code, a success, or a client error.
pub fn check_error_code(answer: &Answer, outcome: &ClientOutcome) -> Result<(), ClientFailure> {
    let Some(code) = answer.expected_code() else {
        return Ok(());
    };
    match outcome {
        ClientOutcome::Error { code: found, .. } if found == code => Ok(()),
        _ => Err(ClientFailure::new(
            answer.rule(),
            format!(
                "error code {code} for the answer \"{}\" ({})",
                answer.label(),
                describe_response(&answer.response())
            ),
            outcome.describe(),
        )),
    }
}

/// C-SUCCESS: for `200 {"DeploymentId": X}` (also with unknown extra members), the client
/// reports success with X. Another answer: `Ok(())`.
///
/// # Errors
/// The client reported another id, none, an error or a client error.
pub fn check_success(answer: &Answer, outcome: &ClientOutcome) -> Result<(), ClientFailure> {
    let id = match answer {
        Answer::Success { deployment_id } | Answer::SuccessWithExtraMembers { deployment_id } => {
            deployment_id
        }
        _ => return Ok(()),
    };
    match outcome {
        ClientOutcome::Ok {
            deployment_id: Some(found),
        } if found == id => Ok(()),
        _ => Err(ClientFailure::new(
            rules::C_SUCCESS,
            format!(
                "success with DeploymentId {id:?} for the answer \"{}\" ({})",
                answer.label(),
                describe_response(&answer.response())
            ),
            outcome.describe(),
        )),
    }
}

/// C-SUCCESS-EMPTY (MAY): what the client made of `200 {}`: `success without an id` or
/// `error (CODE)` / `error (client error)`, both allowed.
///
/// # Errors
/// A success with an id the answer did not hold (neither allowed behaviour).
pub fn judge_empty_success(outcome: &ClientOutcome) -> Result<String, ClientFailure> {
    match outcome {
        ClientOutcome::Ok {
            deployment_id: None,
        } => Ok("success without an id".to_owned()),
        ClientOutcome::Ok {
            deployment_id: Some(id),
        } => Err(ClientFailure::new(
            rules::C_SUCCESS_EMPTY,
            "success without an id, or an error, for 200 {}",
            format!("success with DeploymentId {id:?}, which the answer did not hold"),
        )),
        ClientOutcome::Error { code, .. } => Ok(format!("error ({code})")),
        ClientOutcome::ClientError { .. } => Ok("error (client error)".to_owned()),
    }
}

/// C-CLIENT-VALIDATION (MAY): what the client did with a request missing a required member:
/// `refused before sending` (a client error and nothing received) or `sent` (then the other
/// rules judge the request and the answer).
#[must_use]
pub fn client_validation_behaviour(
    received: &[RecordedRequest],
    outcome: &ClientOutcome,
) -> String {
    match (received.is_empty(), outcome) {
        (true, ClientOutcome::ClientError { .. }) => "refused before sending".to_owned(),
        (true, _) => "neither sent nor refused".to_owned(),
        (false, _) => "sent".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, SystemTime};

    use super::*;
    use crate::client::answer::ErrorForm;
    use crate::contract::{CommandName, ErrorCode, RawRequest};

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
            "[C-SIGV4] expected Authorization: AWS4-HMAC-SHA256 Credential=AKIDCLIENT0000000001/<date>/us-east-1/opsworks/aws4_request with a signature that verifies with the secret, and an X-Amz-Date, found Credential=AKIDCLIENT0000000001/20270115/eu-west-1/opsworks/aws4_request"
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
            "[C-HEADERS] expected Content-Type: application/x-amz-json-1.1 (parameters allowed) and X-Amz-Target: OpsWorks_20130218.CreateDeployment, found no X-Amz-Target header"
        );

        let mut other_body = signed(&input, "us-east-1");
        other_body.body = br#"{"StackId":"s","Command":{"Name":"Setup"}}"#.to_vec();
        assert_eq!(
            check_body(&other_body, &input).unwrap_err().to_string(),
            r#"[C-BODY] expected the body {"StackId":"s","Command":{"Name":"setup"}} (as a JSON value), found at $.Command.Name: expected "setup", found "Setup" in {"StackId":"s","Command":{"Name":"Setup"}}"#
        );

        let answer = Answer::Error {
            status: 400,
            code: ErrorCode::ResourceNotFoundException,
            form: ErrorForm::CodeField,
        };
        let failure = check_error_code(&answer, &ClientOutcome::error("400", "")).unwrap_err();
        assert_eq!(failure.rule, rules::C_ERROR_CODE);
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
