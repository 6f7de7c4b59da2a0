//! `N-INSTANCE` (MUST): an element of `InstanceIds` names no instance of that stack (same note).

use super::prelude::*;

/// The catalogue entry of `N-INSTANCE`.
pub(crate) const RULE: Rule = Rule {
    id: RuleId::new("N-INSTANCE"),
    severity: Severity::Must,
    group: Group::Existence,
    summary: "an element of InstanceIds names no instance of that stack (same note) -> ResourceNotFoundException",
    source: "model",
    doc: RuleDoc {
        condition: "an element of `InstanceIds` names no instance of that stack (same note)",
        expected: "`ResourceNotFoundException`",
        why: "The model lists `ResourceNotFoundException`: every instance deployed to must be an instance of the stack.",
    },
    across_requests: false,
    needs: None,
};

/// Valid requests with one instance id the stack does not have.
pub(super) fn family(f: &Families<'_>) -> Option<BoxedStrategy<Case>> {
    f.missing_target(true)
}
