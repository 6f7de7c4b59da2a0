//! `S-UNIQUE-ID` (MUST): several accepted requests.

use super::prelude::*;

/// The catalogue entry of `S-UNIQUE-ID`.
pub(crate) const RULE: Rule = Rule {
    id: RuleId::new("S-UNIQUE-ID"),
    severity: Severity::Must,
    group: Group::Behaviour,
    summary: "several accepted requests -> pairwise distinct DeploymentIds",
    source: "model (\"can be used ... to identify the deployment\")",
    doc: RuleDoc {
        condition: "several accepted requests",
        expected: "pairwise distinct `DeploymentId`s",
        why: "The model: the deployment id identifies the deployment, so two deployments never share one.",
    },
    facts: RuleFacts {
        across_requests: true,
        exemplar: Exemplar::Twice,
        ..RuleFacts::USUAL
    },
};

/// Valid requests: the runner sends them as a sequence and compares the ids.
pub(super) fn family(f: &Families<'_>) -> Option<BoxedStrategy<Case>> {
    f.valid()
}

/// The oracle's part: an accepted request answered with the deployment id `id`, first answered
/// in case `first` (`None`: new); `earlier` when other ids were answered before.
pub(crate) fn judge(judgement: &mut Judgement, id: &str, first: Option<usize>, earlier: bool) {
    match first {
        Some(first) => judgement.check(
            RULE.id,
            Status::Failed,
            "a DeploymentId not answered before",
            format!("{id:?}, already answered in case {first}"),
        ),
        None if earlier => judgement.check(
            RULE.id,
            Status::Passed,
            "a DeploymentId not answered before",
            format!("{id:?}"),
        ),
        None => {}
    }
}
