//! `C-SUCCESS-EMPTY` (MAY): 200 `{}`.

use super::prelude::*;

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
    across_requests: false,
    form: AnswerForm::Beyond,
    needs: None,
};
