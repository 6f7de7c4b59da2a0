//! `P-NO-SERVER-ERROR` (MUST): any request the suite sends.

use super::prelude::*;

/// The catalogue entry of `P-NO-SERVER-ERROR`.
pub(crate) const RULE: Rule = Rule {
    id: RuleId::new("P-NO-SERVER-ERROR"),
    severity: Severity::Must,
    group: Group::Protocol,
    summary: "any request the suite sends -> never a 5xx, a dropped connection, an unparsable response, or no answer within the timeout",
    source: "stance",
    doc: RuleDoc {
        condition: "any request the suite sends",
        expected: "never a 5xx, a dropped connection, an unparsable response, or no answer within the timeout",
        why: "A 5xx, a dropped connection or a hang tells a client to retry a request that will never succeed, and often marks a crash of the implementation.",
    },
    facts: RuleFacts {
        form: AnswerForm::Answered,
        ..RuleFacts::USUAL
    },
};

/// P-NO-SERVER-ERROR: bytes no parser expects.
fn hostile(f: &Families<'_>) -> BoxedStrategy<Case> {
    let signing = f
        .pairs(|_| true)
        .first()
        .map_or(Signing::Unsigned, |(_, signing)| signing.clone());
    let raw = |body: Vec<u8>| RawRequest::json(body);
    let random = proptest::collection::vec(any::<u8>(), 0..2048).prop_map(raw);
    let deep = (129usize..20_000).prop_map(move |depth| {
        RawRequest::json(format!("{}{}", "[".repeat(depth), "]".repeat(depth)))
    });
    let deep_custom = (129usize..20_000).prop_map(move |depth| {
        // The body of `{"StackId":"s","Command":{"Name":"setup"},"CustomJson":custom}` with
        // custom = `{"a":` * depth + `1` + `}` * depth, written directly (its only
        // character to escape is the quote).
        let mut body = Vec::with_capacity(64 + depth * 8);
        body.extend_from_slice(br#"{"StackId":"s","Command":{"Name":"setup"},"CustomJson":""#);
        body.extend_from_slice(&br#"{\"a\":"#.repeat(depth));
        body.push(b'1');
        body.resize(body.len() + depth, b'}');
        body.extend_from_slice(br#""}"#);
        RawRequest::json(body)
    });
    let invalid_utf8 = proptest::collection::vec(128u8..=255, 1..16).prop_map(|bytes| {
        let mut body = br#"{"StackId":""#.to_vec();
        body.extend(bytes);
        body.extend(br#"","Command":{"Name":"setup"}}"#);
        RawRequest::json(body)
    });
    let big = (1usize..200).prop_map(|kib| {
        // `{"StackId":"s","Command":{"Name":"setup"},"Comment":"xx…"}`, written directly.
        let mut body = Vec::with_capacity(64 + kib * 1024);
        body.extend_from_slice(br#"{"StackId":"s","Command":{"Name":"setup"},"Comment":""#);
        body.resize(body.len() + kib * 1024, b'x');
        body.extend_from_slice(br#""}"#);
        RawRequest::json(body)
    });
    one_of![random, deep, deep_custom, invalid_utf8, big]
        .prop_map(move |request| {
            Case::raw(
                RULE.id,
                "hostile bytes",
                request,
                signing.clone(),
            )
        })
        .boxed()
}

/// The requests that exercise the rule.
pub(super) fn family(f: &Families<'_>) -> Option<BoxedStrategy<Case>> {
    Some(hostile(f))
}

/// The oracle's part, when no HTTP response came (`failure`: a dropped connection, a timeout,
/// an unparsable response).
pub(crate) fn judge_failure(judgement: &mut Judgement, failure: &TransportFailure) {
    judgement.check(
        RULE.id,
        Status::Failed,
        "an HTTP response",
        failure.to_string(),
    );
}

/// The oracle's part, for an HTTP response: whether its status is below 500 (if not, the
/// answer is judged no further).
pub(crate) fn judge(judgement: &mut Judgement, observation: &Observation) -> bool {
    if observation.status >= 500 {
        judgement.check(
            RULE.id,
            Status::Failed,
            "a status below 500",
            observation.brief(BRIEF),
        );
        return false;
    }
    judgement.check(
        RULE.id,
        Status::Passed,
        "a status below 500",
        observation.status.to_string(),
    );
    true
}
