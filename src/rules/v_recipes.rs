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
    across_requests: false,
    needs: None,
};

/// `execute_recipes` with `Args.recipes` missing, empty, or holding an empty string.
pub(super) fn family(f: &Families<'_>) -> Option<BoxedStrategy<Case>> {
    f.stack_args(
        CommandName::ExecuteRecipes,
        bad_recipes().boxed(),
        "bad recipes",
    )
}
