//! `V-CUSTOM-JSON` (MUST): `CustomJson` present and not valid JSON text (the RFC 8259 grammar; see M-JSON-LIMITS for what the grammar allows but a parser may refuse).

use super::prelude::*;

/// The catalogue entry of `V-CUSTOM-JSON`.
pub(crate) const RULE: Rule = Rule {
    id: RuleId::new("V-CUSTOM-JSON"),
    severity: Severity::Must,
    group: Group::Validation,
    summary: "CustomJson present and not valid JSON text (the RFC 8259 grammar; see M-JSON-LIMITS for what the grammar allows but a parser may refuse) -> ValidationException",
    source: "seed",
    doc: RuleDoc {
        condition: "`CustomJson` present and not valid JSON text (the RFC 8259 grammar; see M-JSON-LIMITS for what the grammar allows but a parser may refuse)",
        expected: "`ValidationException`",
        why: "The documentation says `CustomJson` is a JSON string in a given format; text that is not JSON cannot override stack configuration.",
    },
    facts: RuleFacts::USUAL,
};

/// Valid requests whose `CustomJson` is no JSON text.
pub(super) fn family(f: &Families<'_>) -> Option<BoxedStrategy<Case>> {
    f.custom_json(invalid_custom_json().boxed(), "invalid JSON text")
}

/// The oracle's part: `CustomJson` (after a byte order mark when `marked`) is not JSON text.
pub(crate) fn judge(reading: &mut Reading, marked: bool, error: impl std::fmt::Display) {
    reading.finding(
        RULE.id,
        codes(&[ErrorCode::ValidationException]),
        Tier::Request,
        if marked {
            format!("CustomJson after its byte order mark: {error}")
        } else {
            format!("CustomJson: {error}")
        },
    );
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
        fn texts_that_are_not_json_break_the_rule(text in invalid_custom_json()) {
            prop_assert!(scan(text.as_bytes()).is_err(), "{:?} scanned", text);
            // A byte order mark at the start is M-JSON-LIMITS, whatever follows it.
            prop_assert!(!text.starts_with('\u{feff}'), "{:?}", text);
            prop_assert_eq!(judge_custom_json(text).broken(), vec![RULE.id]);
        }
    }
}
