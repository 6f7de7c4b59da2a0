//! `P-ERROR-MESSAGE` (SHOULD): the request is rejected.

use super::prelude::*;

/// The catalogue entry of `P-ERROR-MESSAGE`.
pub(crate) const RULE: Rule = Rule {
    id: RuleId::new("P-ERROR-MESSAGE"),
    severity: Severity::Should,
    group: Group::Protocol,
    summary: "the request is rejected -> body has a string message (or Message)",
    source: "model",
    doc: RuleDoc {
        condition: "the request is rejected",
        expected: "body has a string `message` (or `Message`)",
        why: "The model gives every error a `message`; users read it to learn what to fix.",
    },
    facts: RuleFacts {
        form: AnswerForm::Detail,
        ..RuleFacts::USUAL
    },
};

/// Requests the target must reject, of four kinds: their answers are errors, whose message the rule judges.
pub(super) fn family(f: &Families<'_>) -> Option<BoxedStrategy<Case>> {
    f.union_of(&[
        super::v_stack_required::family,
        super::v_name_enum::family,
        super::n_stack::family,
        super::p_malformed_json::family,
    ])
}

/// The oracle's part: an error answer (`found`: it in brief) should have a string `message`
/// (or `Message`).
pub(crate) fn judge(judgement: &mut Judgement, observation: &Observation, found: &str) {
    let document: Option<serde_json::Value> = serde_json::from_slice(&observation.body).ok();
    let has_message = document.as_ref().is_some_and(|document| {
        ["message", "Message"]
            .iter()
            .any(|name| document.get(name).is_some_and(serde_json::Value::is_string))
    });
    judgement.check(
        RULE.id,
        if has_message {
            Status::Passed
        } else {
            Status::Warned
        },
        "a string message in the error body",
        found,
    );
}
