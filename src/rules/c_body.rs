//! `C-BODY` (MUST): any call.

use super::prelude::*;
#[cfg(feature = "client")]
use crate::client::{ClientFailure, RecordedRequest};
#[cfg(feature = "client")]
use crate::contract::CreateDeploymentInput;
#[cfg(feature = "client")]
use crate::contract::excerpt::excerpt;

/// The catalogue entry of `C-BODY`.
pub(crate) const RULE: Rule = Rule {
    id: RuleId::new("C-BODY"),
    severity: Severity::Must,
    group: Group::Client,
    summary: "any call -> a JSON object equal, as a value, to the canonical form of the logical request: members present exactly when set, names as in the model, no nulls",
    source: "model",
    doc: RuleDoc {
        condition: "any call",
        expected: "a JSON object equal, as a value, to the canonical form of the logical request: members present exactly when set, names as in the model, no nulls",
        why: "The server reads the members the model names; a missing, renamed or null member changes the request.",
    },
    facts: RuleFacts::USUAL,
};

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
#[cfg(feature = "client")]
pub fn judge(
    request: &RecordedRequest,
    input: &CreateDeploymentInput,
) -> Result<(), ClientFailure> {
    let canonical = input.to_json();
    let expected_text = format!("the body {canonical} (as a JSON value)");
    let fail = |found: String| {
        Err(ClientFailure::new(
            RULE.id,
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
#[cfg(feature = "client")]
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
