//! `C-SUCCESS` (MUST): 200 `{"DeploymentId": X}`, also with unknown extra members.

use super::prelude::*;
#[cfg(feature = "client")]
use crate::client::answer::describe_response;
#[cfg(feature = "client")]
use crate::client::{Answer, ClientFailure, ClientOutcome};

/// The catalogue entry of `C-SUCCESS`.
pub(crate) const RULE: Rule = Rule {
    id: RuleId::new("C-SUCCESS"),
    severity: Severity::Must,
    group: Group::Client,
    summary: "200 {\"DeploymentId\": X}, also with unknown extra members -> the client reports X",
    source: "model",
    doc: RuleDoc {
        condition: "200 `{\"DeploymentId\": X}`, also with unknown extra members",
        expected: "the client reports X",
        why: "The client must hand the deployment id to its caller, ignoring members it does not know.",
    },
    facts: RuleFacts {
        acceptance: true,
        ..RuleFacts::USUAL
    },
};

/// C-SUCCESS: for `200 {"DeploymentId": X}` (also with unknown extra members), the client
/// reports success with X. Another answer: `Ok(())`.
///
/// # Errors
/// The client reported another id, none, an error or a client error.
#[cfg(feature = "client")]
pub fn judge(answer: &Answer, outcome: &ClientOutcome) -> Result<(), ClientFailure> {
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
            RULE.id,
            format!(
                "success with DeploymentId {id:?} for the answer \"{}\" ({})",
                answer.label(),
                describe_response(&answer.response())
            ),
            outcome.describe(),
        )),
    }
}
