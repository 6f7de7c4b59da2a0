//! `P-CONTENT-TYPE-PARAMS` (MUST): `Content-Type: application/x-amz-json-1.1; charset=utf-8`.

use super::prelude::*;

/// The catalogue entry of `P-CONTENT-TYPE-PARAMS`.
pub(crate) const RULE: Rule = Rule {
    id: RuleId::new("P-CONTENT-TYPE-PARAMS"),
    severity: Severity::Must,
    group: Group::Protocol,
    summary: "Content-Type: application/x-amz-json-1.1; charset=utf-8 -> handled exactly as without the parameter",
    source: "smithy (AwsJson11MustSupportParametersInContentType)",
    doc: RuleDoc {
        condition: "`Content-Type: application/x-amz-json-1.1; charset=utf-8`",
        expected: "handled exactly as without the parameter",
        why: "Clients may add a `charset` parameter; the smithy protocol test AwsJson11MustSupportParametersInContentType requires servers to accept it.",
    },
    facts: RuleFacts::USUAL,
};

/// The requests that exercise the rule.
pub(super) fn family(f: &Families<'_>) -> Option<BoxedStrategy<Case>> {
    let values = [
        "application/x-amz-json-1.1; charset=utf-8",
        "application/x-amz-json-1.1;charset=UTF-8",
        "application/x-amz-json-1.1; charset=\"utf-8\"",
        "application/x-amz-json-1.1; charset=utf-8; q=1",
    ];
    Some(
        (f.valid()?, proptest::sample::select(values.to_vec()))
            .prop_map(|(mut case, value)| {
                case.request = case.request.with_header("Content-Type", value);
                case.label = "Content-Type with parameters";
                case
            })
            .boxed(),
    )
}

/// The oracle's part: a JSON 1.1 `Content-Type` (`value`) exercises the rule when it has
/// parameters; the request is then judged as without them.
pub(crate) fn judge(reading: &mut Reading, value: &str) {
    if value.contains(';') {
        reading.exercise(RULE.id);
    }
}
