//! `V-RECIPES` (SHOULD): `execute_recipes` whose `Args.recipes` is missing, empty, or holds an empty string.

use super::prelude::*;

/// The catalogue entry of `V-RECIPES`.
pub(crate) const RULE: Rule = Rule {
    id: RuleId::new("V-RECIPES"),
    severity: Severity::Should,
    group: Group::Validation,
    summary: "execute_recipes whose Args.recipes is missing, empty, or holds an empty string -> ValidationException",
    source: "seed",
    doc: RuleDoc {
        condition: "`execute_recipes` whose `Args.recipes` is missing, empty, or holds an empty string",
        expected: "`ValidationException`",
        why: "`execute_recipes` runs the recipes of `Args.recipes`; without a recipe it does nothing.",
    },
    facts: RuleFacts::USUAL,
};

/// `execute_recipes` with `Args.recipes` missing, empty, or holding an empty string.
pub(super) fn family(f: &Families<'_>) -> Option<BoxedStrategy<Case>> {
    f.stack_args(
        CommandName::ExecuteRecipes,
        bad_recipes().boxed(),
        "bad recipes",
    )
}

/// The oracle's part: `execute_recipes` with these `Args.recipes` (`None`: absent).
pub(crate) fn judge(reading: &mut Reading, recipes: Option<Strings<'_>>) {
    if recipes.is_none_or(|list| list.is_empty() || list.contains("")) {
        reading.finding(
            RULE.id,
            codes(&[ErrorCode::ValidationException]),
            Tier::Request,
            "execute_recipes without a non-empty Args.recipes",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;
    use proptest::test_runner::Config;

    proptest! {
        #![proptest_config(Config::with_cases(256))]

        #[test]
        fn bad_recipes_break_the_rule(args in crate::generate::args::bad_recipes()) {
            let verdict = judge_args(CommandName::ExecuteRecipes, None, args);
            prop_assert_eq!(verdict.broken(), vec![RULE.id]);
            prop_assert!(verdict.may_cases().is_empty());
        }
    }
}
