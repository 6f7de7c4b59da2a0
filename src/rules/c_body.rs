//! `C-BODY` (MUST): any call.

use super::prelude::*;

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
    across_requests: false,
    form: AnswerForm::Beyond,
    needs: None,
};
