//! `C-SUCCESS` (MUST): 200 `{"DeploymentId": X}`, also with unknown extra members.

use super::prelude::*;

/// The catalogue entry of `C-SUCCESS`.
pub(crate) const RULE: Rule = Rule {
    id: RuleId::new("C-SUCCESS"),
    severity: Severity::Must,
    group: Group::Client,
    summary: "200 {\"DeploymentId\": X}, also with unknown extra members -> the client reports X",
    source: "model",
    doc: RuleDoc {
        condition: "200 `{\"DeploymentId\": X}`, also with unknown extra members",
        expected: "the client reports X",
        why: "The client must hand the deployment id to its caller, ignoring members it does not know.",
    },
    across_requests: false,
    form: AnswerForm::Beyond,
    needs: None,
};
