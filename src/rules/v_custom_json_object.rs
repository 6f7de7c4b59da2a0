//! `V-CUSTOM-JSON-OBJECT` (SHOULD): `CustomJson` valid JSON but not an object.

use super::prelude::*;

/// The catalogue entry of `V-CUSTOM-JSON-OBJECT`.
pub(crate) const RULE: Rule = Rule {
    id: RuleId::new("V-CUSTOM-JSON-OBJECT"),
    severity: Severity::Should,
    group: Group::Validation,
    summary: "CustomJson valid JSON but not an object -> ValidationException",
    source: "seed (\"in the following format\")",
    doc: RuleDoc {
        condition: "`CustomJson` valid JSON but not an object",
        expected: "`ValidationException`",
        why: "The documentation shows `CustomJson` as an object of attributes; another JSON value overrides nothing.",
    },
    facts: RuleFacts::USUAL,
};

/// Valid requests whose `CustomJson` is JSON but not an object.
pub(super) fn family(f: &Families<'_>) -> Option<BoxedStrategy<Case>> {
    f.custom_json(non_object_custom_json().boxed(), "JSON but not an object")
}

/// The oracle's part: `CustomJson` is JSON text of this kind.
pub(crate) fn judge(reading: &mut Reading, kind: JsonKind) {
    if kind != JsonKind::Object {
        reading.finding(
            RULE.id,
            codes(&[ErrorCode::ValidationException]),
            Tier::Request,
            format!("CustomJson is a JSON {kind:?}, not an object"),
        );
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
        fn json_that_is_no_object_breaks_the_rule(text in non_object_custom_json()) {
            let scanned = scan(text.as_bytes()).map_err(|error| TestCaseError::fail(format!("{error}: {text:?}")))?;
            prop_assert_ne!(scanned.kind, JsonKind::Object);
            prop_assert!(!scanned.limits.any());
            let verdict = judge_custom_json(text);
            prop_assert_eq!(verdict.broken(), vec![RULE.id]);
            prop_assert!(verdict.may_cases().is_empty());
        }
    }
}
