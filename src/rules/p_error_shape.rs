//! `P-ERROR-SHAPE` (MUST): the request is rejected.

use super::prelude::*;

/// The catalogue entry of `P-ERROR-SHAPE`.
pub(crate) const RULE: Rule = Rule {
    id: RuleId::new("P-ERROR-SHAPE"),
    severity: Severity::Must,
    group: Group::Protocol,
    summary: "the request is rejected -> status 400-499; the error code is found by the smithy rules (header X-Amzn-Errortype, else body code, else body __type; keep what is before the first :, then what is after the first #)",
    source: "smithy",
    doc: RuleDoc {
        condition: "the request is rejected",
        expected: "status 400-499; the error code is found by the smithy rules (header `X-Amzn-Errortype`, else body `code`, else body `__type`; keep what is before the first `:`, then what is after the first `#`)",
        why: "Clients find the error code by the awsJson1_1 rules; an error outside 400-499, or a code they cannot find, turns a precise rejection into an unknown failure.",
    },
    facts: RuleFacts {
        form: AnswerForm::Shape,
        ..RuleFacts::USUAL
    },
};

/// Requests the target must reject, of four kinds: their answers are errors, whose shape the rule judges.
pub(super) fn family(f: &Families<'_>) -> Option<BoxedStrategy<Case>> {
    f.union_of(&[
        super::v_stack_required::family,
        super::v_name_enum::family,
        super::n_stack::family,
        super::p_malformed_json::family,
    ])
}

/// The oracle's part: an answer from 300 to 499 (`found`: it in brief) must be 400-499 with
/// an error code found by the smithy rules. Returns the error code, if it carries one.
pub(crate) fn judge(
    judgement: &mut Judgement,
    observation: &Observation,
    found: &str,
) -> Option<String> {
    let code = error_code_of(&observation.headers, &observation.body);
    let status = if (400..500).contains(&observation.status) && code.is_some() {
        Status::Passed
    } else {
        Status::Failed
    };
    judgement.check(
        RULE.id,
        status,
        "status 400-499 with an error code in X-Amzn-Errortype, code or __type",
        found,
    );
    code
}
