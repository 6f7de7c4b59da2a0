//! `C-ERROR-CODE` (MUST): error answers in every smithy form (bare `__type`, namespaced, with `:`URI suffix, `code` field bare, namespaced and with `:`URI suffix, `X-Amzn-Errortype` header, which wins over a different body `__type` and over a different body `code`) for `ValidationException` and `ResourceNotFoundException`.

use super::prelude::*;
#[cfg(feature = "client")]
use crate::client::answer::describe_response;
#[cfg(feature = "client")]
use crate::client::{Answer, ClientFailure, ClientOutcome};

/// The catalogue entry of `C-ERROR-CODE`.
pub(crate) const RULE: Rule = Rule {
    id: RuleId::new("C-ERROR-CODE"),
    severity: Severity::Must,
    group: Group::Client,
    summary: "error answers in every smithy form (bare __type, namespaced, with :URI suffix, code field bare, namespaced and with :URI suffix, X-Amzn-Errortype header, which wins over a different body __type and over a different body code) for ValidationException and ResourceNotFoundException -> the client reports that code",
    source: "smithy",
    doc: RuleDoc {
        condition: "error answers in every smithy form (bare `__type`, namespaced, with `:`URI suffix, `code` field bare, namespaced and with `:`URI suffix, `X-Amzn-Errortype` header, which wins over a different body `__type` and over a different body `code`) for `ValidationException` and `ResourceNotFoundException`",
        expected: "the client reports that code",
        why: "Smithy defines where the error code is and how to sanitise it; a client that reads one form only misreports the others.",
    },
    facts: RuleFacts::USUAL,
};

/// C-ERROR-CODE (modelled codes) and C-ERROR-UNMODELED (other codes): for an error answer, the
/// client reports exactly the code the answer carries (after the awsJson1_1 rules: header, then
/// `code`, then `__type`; sanitised). Not an error answer: `Ok(())`.
///
/// # Errors
/// The client reported another code, a success, or a client error.
#[cfg(feature = "client")]
pub fn judge(answer: &Answer, outcome: &ClientOutcome) -> Result<(), ClientFailure> {
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
