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
    across_requests: true,
    answer_shape: false,
    needs: None,
};

/// Valid requests: the runner sends them as a sequence and compares the ids.
pub(super) fn family(f: &Families<'_>) -> Option<BoxedStrategy<Case>> {
    f.valid()
}
