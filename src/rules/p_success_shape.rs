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
    facts: RuleFacts {
        form: AnswerForm::Shape,
        ..RuleFacts::USUAL
    },
};

/// Valid requests: their answers are successes, whose shape the rule judges.
pub(super) fn family(f: &Families<'_>) -> Option<BoxedStrategy<Case>> {
    f.valid()
}

/// The oracle's part: a 2xx answer (`found`: it in brief) must be 200 with a JSON object
/// whose `DeploymentId` is a non-empty string; the id is kept for S-UNIQUE-ID.
pub(crate) fn judge(judgement: &mut Judgement, observation: &Observation, found: &str) {
    let document: Option<serde_json::Value> = serde_json::from_slice(&observation.body).ok();
    let id = document
        .as_ref()
        .and_then(|document| document.get("DeploymentId"))
        .and_then(serde_json::Value::as_str)
        .filter(|id| !id.is_empty());
    let status = if observation.status == 200 && id.is_some() {
        Status::Passed
    } else {
        Status::Failed
    };
    judgement.deployment_id = id.map(str::to_owned);
    judgement.check(
        RULE.id,
        status,
        "200 with a JSON object whose DeploymentId is a non-empty string",
        found,
    );
}
