//! `P-EMPTY-BODY` (MUST): empty request body.

use super::prelude::*;

/// The catalogue entry of `P-EMPTY-BODY`.
pub(crate) const RULE: Rule = Rule {
    id: RuleId::new("P-EMPTY-BODY"),
    severity: Severity::Must,
    group: Group::Protocol,
    summary: "empty request body -> treated as {}, so ValidationException (StackId missing)",
    source: "smithy",
    doc: RuleDoc {
        condition: "empty request body",
        expected: "treated as `{}`, so `ValidationException` (StackId missing)",
        why: "Smithy treats an empty body as the empty object, so the answer is the one to a request without its required members.",
    },
    facts: RuleFacts::USUAL,
};

/// The requests that exercise the rule.
pub(super) fn family(f: &Families<'_>) -> Option<BoxedStrategy<Case>> {
    Some(
        f.inputs()?
            .prop_map(|case| {
                Case::raw(
                    RULE.id,
                    "empty body",
                    RawRequest::json(""),
                    case.signing,
                )
            })
            .boxed(),
    )
}

/// The oracle's part: the body is empty (then read as `{}`).
pub(crate) fn judge(reading: &mut Reading) {
    reading.finding(
        RULE.id,
        codes(&[ErrorCode::ValidationException]),
        Tier::Request,
        "empty body, read as {}",
    );
}
