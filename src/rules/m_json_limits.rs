//! `M-JSON-LIMITS` (MAY): JSON that the grammar allows but parsers may refuse (RFC 8259 sections 4, 6, 8.2, 9), in the body or in `CustomJson`: numbers outside the range of a double (`1e400`), unpaired surrogate escapes (`"\ud800"`), duplicate object names, nesting deeper than 128 levels, a UTF-8 byte order mark before the JSON text (section 8.1: a parser may ignore it) (accepted, or refused with `ValidationException` / `SerializationException`).

use super::prelude::*;

/// The catalogue entry of `M-JSON-LIMITS`.
pub(crate) const RULE: Rule = Rule {
    id: RuleId::new("M-JSON-LIMITS"),
    severity: Severity::May,
    group: Group::ImplementationDefined,
    summary: "JSON that the grammar allows but parsers may refuse (RFC 8259 sections 4, 6, 8.2, 9), in the body or in CustomJson: numbers outside the range of a double (1e400), unpaired surrogate escapes (\"\\ud800\"), duplicate object names, nesting deeper than 128 levels, a UTF-8 byte order mark before the JSON text (section 8.1: a parser may ignore it) (accepted, or refused with ValidationException / SerializationException)",
    source: "catalogue",
    doc: RuleDoc {
        condition: "JSON that the grammar allows but parsers may refuse (RFC 8259 sections 4, 6, 8.2, 9), in the body or in `CustomJson`: numbers outside the range of a double (`1e400`), unpaired surrogate escapes (`\"\\ud800\"`), duplicate object names, nesting deeper than 128 levels, a UTF-8 byte order mark before the JSON text (section 8.1: a parser may ignore it) (accepted, or refused with `ValidationException` / `SerializationException`)",
        expected: "implementation-defined: both behaviours pass, and the report records which",
        why: "RFC 8259 lets parsers set limits (number range, nesting, duplicate names, lone surrogates) and ignore a byte order mark; both answers are JSON-correct.",
    },
    facts: RuleFacts {
        reference_rejects: true,
        ..RuleFacts::USUAL
    },
};

/// M-JSON-LIMITS: JSON that the grammar allows but parsers may refuse, in the body (duplicate
/// names) or in CustomJson ([`custom_json_beyond_limits`]), and a UTF-8 byte order mark
/// before the JSON text of the body or of CustomJson (RFC 8259 section 8.1), the rest of
/// the request valid (so a target that ignores the mark acts on it).
pub(super) fn family(f: &Families<'_>) -> Option<BoxedStrategy<Case>> {
    Some(
        (
            f.inputs()?,
            custom_json_beyond_limits(),
            0usize..6,
            valid_custom_json(),
        )
            .prop_map(|(case, custom, kind, valid_custom)| {
                let mut input = case.input.unwrap_or_default();
                if kind == 4 {
                    let body =
                        [b"\xef\xbb\xbf".as_slice(), input.to_json().as_bytes()].concat();
                    return Case::raw(
                        case.rule,
                        "byte order mark before the body",
                        RawRequest::json(body),
                        case.signing,
                    );
                }
                if kind == 5 {
                    input.custom_json = Some(format!("\u{feff}{valid_custom}"));
                    return Case::typed(
                        case.rule,
                        "byte order mark at the start of CustomJson",
                        input,
                        case.signing,
                    );
                }
                if kind == 0 {
                    // Duplicate member names in the body itself.
                    let body = input.to_json();
                    let body = format!(r#"{{"Comment":"first",{}"#, &body[1..]);
                    let body = body.replacen('{', r#"{"Comment":"second","#, 1);
                    return Case::raw(
                        case.rule,
                        "duplicate names in the body",
                        RawRequest::json(body),
                        case.signing,
                    );
                }
                input.custom_json = Some(custom);
                Case::typed(
                    case.rule,
                    "CustomJson beyond parser limits",
                    input,
                    case.signing,
                )
            })
            .boxed(),
    )
}

/// The oracle's part: a JSON text (`what`: the body, or `CustomJson`) after a byte order mark
/// (`marked`) or with the limit flags of its scan presents the case; a target may refuse it
/// with one of `rejections` (in order of preference).
pub(crate) fn judge(
    reading: &mut Reading,
    what: &str,
    marked: bool,
    limits: JsonLimits,
    rejections: &[ErrorCode],
) {
    if let Some(detail) = limits_detail(what, marked, limits) {
        reading.may(RULE.id, true, rejections, Tier::Request, detail);
    }
}

/// What of M-JSON-LIMITS a JSON text (`what`) presents, for the MAY case's detail: a byte order
/// mark before it (`marked`), and the limit flags of its scan. `None` when it presents nothing.
fn limits_detail(what: &str, marked: bool, limits: JsonLimits) -> Option<String> {
    match (marked, limits.any()) {
        (false, false) => None,
        (true, false) => Some(format!(
            "{what}: a UTF-8 byte order mark before the JSON text"
        )),
        (false, true) => Some(format!("{what}: {limits:?}")),
        (true, true) => Some(format!(
            "{what}: a UTF-8 byte order mark before the JSON text, and {limits:?}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oracle::json_text::scan;
    use crate::rules::testing::*;
    use proptest::test_runner::Config;

    proptest! {
        #![proptest_config(Config::with_cases(256))]

        #[test]
        fn custom_json_beyond_limits_is_the_case(text in custom_json_beyond_limits()) {
            let scanned = scan(text.as_bytes()).map_err(|error| TestCaseError::fail(format!("{error}: {text:?}")))?;
            prop_assert_eq!(scanned.kind, JsonKind::Object);
            prop_assert!(scanned.limits.any(), "{:?}", text);
            let verdict = judge_custom_json(text);
            prop_assert!(verdict.broken().is_empty());
            prop_assert_eq!(may_rules(&verdict), vec![RULE.id]);
        }
    }

    proptest! {
        #![proptest_config(Config::with_cases(64))]

        /// RFC 8259 section 8.1: a parser may ignore a byte order mark, so before an object
        /// text it is the case alone, and before what is not JSON the text is still not.
        #[test]
        fn a_byte_order_mark_is_the_case(valid in valid_custom_json(), invalid in invalid_custom_json()) {
            let verdict = judge_custom_json(format!("\u{feff}{valid}"));
            prop_assert!(verdict.broken().is_empty(), "{:?}", verdict.findings());
            prop_assert_eq!(may_rules(&verdict), vec![RULE.id]);
            let verdict = judge_custom_json(format!("\u{feff}{invalid}"));
            prop_assert_eq!(verdict.broken(), vec![crate::rules::v_custom_json::RULE.id]);
            prop_assert!(verdict.may_cases().is_empty());
        }
    }
}
