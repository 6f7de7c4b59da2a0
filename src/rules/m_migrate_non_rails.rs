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
    facts: RuleFacts::USUAL,
};

/// `deploy` with a valid `migrate` value on an app that is not rails.
pub(super) fn family(f: &Families<'_>) -> Option<BoxedStrategy<Case>> {
    f.migrate(RULE.id, false)
}

/// The oracle's part: `deploy` with `Args.migrate` of `app` (when the stack has it).
pub(crate) fn judge(reading: &mut Reading, app: Option<&App>) {
    if let Some(app) = app.filter(|app| app.app_type != AppType::Rails) {
        reading.may(
            RULE.id,
            true,
            &[ErrorCode::ValidationException],
            Tier::Request,
            format!("migrate on the {:?} app {:?}", app.app_type, app.app_id),
        );
    }
}
