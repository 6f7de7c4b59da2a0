//! `P-RESPONSE-CONTENT-TYPE` (SHOULD): any response.

use super::prelude::*;

/// The catalogue entry of `P-RESPONSE-CONTENT-TYPE`.
pub(crate) const RULE: Rule = Rule {
    id: RuleId::new("P-RESPONSE-CONTENT-TYPE"),
    severity: Severity::Should,
    group: Group::Protocol,
    summary: "any response -> Content-Type: application/x-amz-json-1.1",
    source: "smithy",
    doc: RuleDoc {
        condition: "any response",
        expected: "`Content-Type: application/x-amz-json-1.1`",
        why: "awsJson1_1 answers are `application/x-amz-json-1.1`; strict clients and proxies rely on it.",
    },
    facts: RuleFacts {
        form: AnswerForm::Detail,
        ..RuleFacts::USUAL
    },
};

/// Valid requests and requests the target must reject: answers of both kinds.
pub(super) fn family(f: &Families<'_>) -> Option<BoxedStrategy<Case>> {
    f.union_of(&[
        super::s_accept_valid::family,
        super::v_command_required::family,
        super::n_app::family,
    ])
}

/// The oracle's part: the `Content-Type` of any answer below 500.
pub(crate) fn judge(judgement: &mut Judgement, observation: &Observation) {
    let content_type = observation.header("Content-Type");
    let status = if content_type.is_some_and(wire::is_json11_media_type) {
        Status::Passed
    } else {
        Status::Warned
    };
    judgement.check(
        RULE.id,
        status,
        format!("Content-Type: {}", wire::CONTENT_TYPE),
        content_type.map_or("no Content-Type".to_owned(), |value| {
            format!("Content-Type: {value}")
        }),
    );
}
