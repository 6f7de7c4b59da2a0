//! `C-REQUEST-LINE` (MUST): any call.

use super::prelude::*;

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
    across_requests: false,
    form: AnswerForm::Beyond,
    needs: None,
};
