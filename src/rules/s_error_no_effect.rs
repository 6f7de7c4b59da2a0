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
    form: AnswerForm::Beyond,
    exemplar: Exemplar::ThenValidRollback,
    discovered: InDiscoveredWorld::Applies,
    reference_rejects: false,
    needs: None,
};

/// Rollbacks rejected for another reason, and valid rollbacks that reveal an earlier one that used up a version.
pub(super) fn family(f: &Families<'_>) -> Option<BoxedStrategy<Case>> {
    f.rollback(RULE.id, |versions| versions > 1, true)
}

/// The oracle's part, when an answer fits only a state in which earlier rejected requests
/// (`causes`) took effect (`found`: the failures of the answer judged without them).
pub(crate) fn judge_failed(judgement: &mut Judgement, causes: &str, found: &str) {
    judgement.check(
        RULE.id,
        Status::Failed,
        "rejected requests change nothing",
        format!(
            "the answer fits a state in which an earlier rejected request took effect: {causes} (judged without it: {found})"
        ),
    );
}

/// The oracle's part, when an answer with an effect fits the state without the earlier
/// rejected requests.
pub(crate) fn judge_passed(judgement: &mut Judgement) {
    judgement.check(
        RULE.id,
        Status::Passed,
        "rejected requests change nothing",
        "the answer fits the state without the rejected requests",
    );
}

/// Whether the judgement failed the rule: its answer fits a state in which rejected requests
/// took effect.
pub(crate) fn failed(judgement: &Judgement) -> bool {
    judgement.status_of(RULE.id) == Some(Status::Failed)
}
