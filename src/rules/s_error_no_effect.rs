//! `S-ERROR-NO-EFFECT` (MUST): a rejected request.

use super::prelude::*;

/// The catalogue entry of `S-ERROR-NO-EFFECT`.
pub(crate) const RULE: Rule = Rule {
    id: RuleId::new("S-ERROR-NO-EFFECT"),
    severity: Severity::Must,
    group: Group::Behaviour,
    summary: "a rejected request -> changes nothing: e.g. a rejected rollback does not use up a stored version",
    source: "stance",
    doc: RuleDoc {
        condition: "a rejected request",
        expected: "changes nothing: e.g. a rejected `rollback` does not use up a stored version",
        why: "A rejected request did nothing: a client retries or corrects it, and must not find state changed (a stored version used up).",
    },
    across_requests: true,
    answer_shape: false,
    needs: None,
};

/// Rollbacks rejected for another reason, and valid rollbacks that reveal an earlier one that used up a version.
pub(super) fn family(f: &Families<'_>) -> Option<BoxedStrategy<Case>> {
    f.rollback(RULE.id, |versions| versions > 1, true)
}
