//! `C-SUCCESS-EMPTY` (MAY): 200 `{}`.

use super::prelude::*;
#[cfg(feature = "client")]
use crate::client::{ClientFailure, ClientOutcome};

/// The catalogue entry of `C-SUCCESS-EMPTY`.
pub(crate) const RULE: Rule = Rule {
    id: RuleId::new("C-SUCCESS-EMPTY"),
    severity: Severity::May,
    group: Group::Client,
    summary: "200 {} -> success without an id, or an error",
    source: "smithy",
    doc: RuleDoc {
        condition: "200 `{}`",
        expected: "success without an id, or an error",
        why: "An answer without the id is outside the model; a client may report success or an error.",
    },
    facts: RuleFacts::USUAL,
};

/// C-SUCCESS-EMPTY (MAY): what the client made of `200 {}`: `success without an id` or
/// `error (CODE)` / `error (client error)`, both allowed.
///
/// # Errors
/// A success with an id the answer did not hold (neither allowed behaviour).
#[cfg(feature = "client")]
pub fn judge(outcome: &ClientOutcome) -> Result<String, ClientFailure> {
    match outcome {
        ClientOutcome::Ok {
            deployment_id: None,
        } => Ok("success without an id".to_owned()),
        ClientOutcome::Ok {
            deployment_id: Some(id),
        } => Err(ClientFailure::new(
            RULE.id,
            "success without an id, or an error, for 200 {}",
            format!("success with DeploymentId {id:?}, which the answer did not hold"),
        )),
        ClientOutcome::Error { code, .. } => Ok(format!("error ({code})")),
        ClientOutcome::ClientError { .. } => Ok("error (client error)".to_owned()),
    }
}
