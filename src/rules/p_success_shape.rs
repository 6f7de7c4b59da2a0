//! `P-SUCCESS-SHAPE` (MUST): the request is accepted.

use super::prelude::*;

/// The catalogue entry of `P-SUCCESS-SHAPE`.
pub(crate) const RULE: Rule = Rule {
    id: RuleId::new("P-SUCCESS-SHAPE"),
    severity: Severity::Must,
    group: Group::Protocol,
    summary: "the request is accepted -> 200, JSON object body whose DeploymentId is a non-empty string",
    source: "seed, model",
    doc: RuleDoc {
        condition: "the request is accepted",
        expected: "200, JSON object body whose `DeploymentId` is a non-empty string",
        why: "Every SDK reads the deployment's id from `DeploymentId` of a JSON object: an answer of another shape is a success no client can use.",
    },
    across_requests: false,
    needs: None,
};

/// Valid requests: their answers are successes, whose shape the rule judges.
pub(super) fn family(f: &Families<'_>) -> Option<BoxedStrategy<Case>> {
    f.valid()
}
