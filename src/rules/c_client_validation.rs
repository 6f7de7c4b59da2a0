//! `C-CLIENT-VALIDATION` (MAY): a request missing a required member.

use super::prelude::*;

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
    across_requests: false,
    form: AnswerForm::Beyond,
    needs: None,
};
