//! `C-HEADERS` (MUST): any call.

use super::prelude::*;
#[cfg(feature = "client")]
use crate::client::{ClientFailure, RecordedRequest};

/// The catalogue entry of `C-HEADERS`.
pub(crate) const RULE: Rule = Rule {
    id: RuleId::new("C-HEADERS"),
    severity: Severity::Must,
    group: Group::Client,
    summary: "any call -> Content-Type: application/x-amz-json-1.1 (parameters allowed) and X-Amz-Target: OpsWorks_20130218.CreateDeployment",
    source: "smithy, model",
    doc: RuleDoc {
        condition: "any call",
        expected: "`Content-Type: application/x-amz-json-1.1` (parameters allowed) and `X-Amz-Target: OpsWorks_20130218.CreateDeployment`",
        why: "The server routes the request by `X-Amz-Target` and reads it by its `Content-Type`.",
    },
    facts: RuleFacts::USUAL,
};

/// C-HEADERS: `Content-Type: application/x-amz-json-1.1` (parameters allowed) and
/// `X-Amz-Target: OpsWorks_20130218.CreateDeployment`.
///
/// # Errors
/// A header missing or with another value.
#[cfg(feature = "client")]
pub fn judge(request: &RecordedRequest) -> Result<(), ClientFailure> {
    let expected = format!(
        "Content-Type: {} (parameters allowed) and {}: {}",
        wire::CONTENT_TYPE,
        wire::TARGET_HEADER,
        wire::TARGET_VALUE
    );
    let fail = |found: String| {
        Err(ClientFailure::new(
            RULE.id,
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
