//! `C-CLIENT-VALIDATION` (MAY): a request missing a required member.

use super::prelude::*;
#[cfg(feature = "client")]
use crate::client::{ClientOutcome, RecordedRequest};

/// The catalogue entry of `C-CLIENT-VALIDATION`.
pub(crate) const RULE: Rule = Rule {
    id: RuleId::new("C-CLIENT-VALIDATION"),
    severity: Severity::May,
    group: Group::Client,
    summary: "a request missing a required member -> refused before sending, or sent",
    source: "smithy",
    doc: RuleDoc {
        condition: "a request missing a required member",
        expected: "refused before sending, or sent",
        why: "Smithy clients may validate required members before sending, or leave it to the server.",
    },
    facts: RuleFacts::USUAL,
};

/// C-CLIENT-VALIDATION (MAY): what the client did with a request missing a required member:
/// `refused before sending` (a client error and nothing received) or `sent` (then the other
/// rules judge the request and the answer).
#[must_use]
#[cfg(feature = "client")]
pub fn judge(
    received: &[RecordedRequest],
    outcome: &ClientOutcome,
) -> String {
    match (received.is_empty(), outcome) {
        (true, ClientOutcome::ClientError { .. }) => "refused before sending".to_owned(),
        (true, _) => "neither sent nor refused".to_owned(),
        (false, _) => "sent".to_owned(),
    }
}
