//! `V-ROLLBACK-DEPTH` (SHOULD): `rollback` of an app with no earlier stored version (world `Versions` is 1, or all earlier versions were already rolled back).

use super::prelude::*;

/// The catalogue entry of `V-ROLLBACK-DEPTH`.
pub(crate) const RULE: Rule = Rule {
    id: RuleId::new("V-ROLLBACK-DEPTH"),
    severity: Severity::Should,
    group: Group::Validation,
    summary: "rollback of an app with no earlier stored version (world Versions is 1, or all earlier versions were already rolled back) -> ValidationException",
    source: "seed (\"stores ... up to a maximum of five versions ... roll back as many as four\")",
    doc: RuleDoc {
        condition: "`rollback` of an app with no earlier stored version (world `Versions` is 1, or all earlier versions were already rolled back)",
        expected: "`ValidationException`",
        why: "The documentation: OpsWorks stores up to five versions of an app and can roll back as many as four; with no earlier version there is nothing to roll back to.",
    },
    across_requests: false,
    form: AnswerForm::Beyond,
    exemplar: Exemplar::Alone,
    discovered: InDiscoveredWorld::WarningsNeedVersions,
    reference_rejects: false,
    needs: None,
};

/// A rollback of an app at its last stored version.
pub(super) fn family(f: &Families<'_>) -> Option<BoxedStrategy<Case>> {
    f.rollback(RULE.id, |versions| versions <= 1, false)
}

/// The oracle's part: a `rollback` of `app`, an app of the stack.
pub(crate) fn judge(reading: &mut Reading, app: &App) {
    if app.versions <= 1 {
        reading.finding(
            RULE.id,
            codes(&[ErrorCode::ValidationException]),
            Tier::RollbackDepth,
            format!(
                "rollback of {:?} with no earlier stored version",
                app.app_id
            ),
        );
    }
}

/// Adds `text` to what the judgement found for the rule (why the answer fits another state).
pub(crate) fn add_to_found(judgement: &mut Judgement, text: &str) {
    for check in &mut judgement.checks {
        if check.rule == RULE.id {
            check.found.push_str(text);
        }
    }
}
