//! `M-MIGRATE-NON-RAILS` (MAY): `migrate` on an app whose type is not `rails`.

use super::prelude::*;

/// The catalogue entry of `M-MIGRATE-NON-RAILS`.
pub(crate) const RULE: Rule = Rule {
    id: RuleId::new("M-MIGRATE-NON-RAILS"),
    severity: Severity::May,
    group: Group::ImplementationDefined,
    summary: "migrate on an app whose type is not rails",
    source: "catalogue",
    doc: RuleDoc {
        condition: "`migrate` on an app whose type is not `rails`",
        expected: "implementation-defined: both behaviours pass, and the report records which",
        why: "`migrate` is documented for Rails apps; the sources do not say what it does on another app.",
    },
    across_requests: false,
    needs: None,
};

/// `deploy` with a valid `migrate` value on an app that is not rails.
pub(super) fn family(f: &Families<'_>) -> Option<BoxedStrategy<Case>> {
    f.migrate(false)
}
