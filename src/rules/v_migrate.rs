//! `V-MIGRATE` (SHOULD): `deploy` whose `Args.migrate` is present and not exactly `["true"]` or `["false"]`.

use super::prelude::*;

/// The catalogue entry of `V-MIGRATE`.
pub(crate) const RULE: Rule = Rule {
    id: RuleId::new("V-MIGRATE"),
    severity: Severity::Should,
    group: Group::Validation,
    summary: "deploy whose Args.migrate is present and not exactly [\"true\"] or [\"false\"] -> ValidationException",
    source: "seed",
    doc: RuleDoc {
        condition: "`deploy` whose `Args.migrate` is present and not exactly `[\"true\"]` or `[\"false\"]`",
        expected: "`ValidationException`",
        why: "The documentation: `migrate` is set to `true` or `false`.",
    },
    facts: RuleFacts::USUAL,
};

/// `deploy` with a `migrate` value other than `["true"]` or `["false"]`, on a rails app where there is one.
pub(super) fn family(f: &Families<'_>) -> Option<BoxedStrategy<Case>> {
    f.migrate(RULE.id, true)
}

/// The oracle's part: `deploy` with these `Args.migrate` values.
pub(crate) fn judge(reading: &mut Reading, migrate: Strings<'_>) {
    if !is_boolean_arg(migrate) {
        reading.finding(
            RULE.id,
            codes(&[ErrorCode::ValidationException]),
            Tier::Request,
            format!(
                "Args.migrate is {:?}, not [\"true\"] or [\"false\"]",
                migrate.to_vec()
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;
    use proptest::test_runner::Config;
    use std::collections::BTreeMap;

    proptest! {
        #![proptest_config(Config::with_cases(256))]

        #[test]
        fn bad_migrate_values_break_the_rule(values in crate::generate::args::bad_migrate()) {
            let args = Some(BTreeMap::from([("migrate".to_owned(), values)]));
            let verdict = judge_args(CommandName::Deploy, Some(AppType::Rails), args);
            prop_assert_eq!(verdict.broken(), vec![RULE.id]);
            prop_assert!(verdict.may_cases().is_empty());
        }
    }
}
