//! `C-REQUEST-LINE` (MUST): any call.

use super::prelude::*;
#[cfg(feature = "client")]
use crate::client::{ClientFailure, RecordedRequest};

/// The catalogue entry of `C-REQUEST-LINE`.
pub(crate) const RULE: Rule = Rule {
    id: RuleId::new("C-REQUEST-LINE"),
    severity: Severity::Must,
    group: Group::Client,
    summary: "any call -> POST /",
    source: "smithy",
    doc: RuleDoc {
        condition: "any call",
        expected: "`POST /`",
        why: "awsJson1_1 sends every operation as `POST /`.",
    },
    facts: RuleFacts::USUAL,
};

/// C-REQUEST-LINE: the request is `POST /` (no query string).
///
/// # Errors
/// Another method or path.
#[cfg(feature = "client")]
pub fn judge(request: &RecordedRequest) -> Result<(), ClientFailure> {
    if request.method == wire::METHOD && request.path == wire::PATH {
        Ok(())
    } else {
        Err(ClientFailure::new(
            RULE.id,
            format!("{} {}", wire::METHOD, wire::PATH),
            format!("{} {}", request.method, request.path),
        ))
    }
}
