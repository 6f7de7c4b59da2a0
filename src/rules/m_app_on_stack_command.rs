//! `M-APP-ON-STACK-COMMAND` (MAY): `AppId` given with a stack command.

use super::prelude::*;

/// The catalogue entry of `M-APP-ON-STACK-COMMAND`.
pub(crate) const RULE: Rule = Rule {
    id: RuleId::new("M-APP-ON-STACK-COMMAND"),
    severity: Severity::May,
    group: Group::ImplementationDefined,
    summary: "AppId given with a stack command",
    source: "catalogue",
    doc: RuleDoc {
        condition: "`AppId` given with a stack command",
        expected: "implementation-defined: both behaviours pass, and the report records which",
        why: "The sources do not say whether a stack command ignores an `AppId`.",
    },
    across_requests: false,
    needs: None,
};

/// The requests that exercise the rule.
pub(super) fn family(f: &Families<'_>) -> Option<BoxedStrategy<Case>> {
    let apps: Vec<String> = f
        .world
        .stacks
        .iter()
        .flat_map(|stack| stack.apps.iter().map(|app| app.app_id.clone()))
        .chain(std::iter::once(
            "a1d2c3e4-0000-4000-8000-00000000ffff".to_owned(),
        ))
        .collect();
    Some(
        (f.plain()?, proptest::sample::select(apps))
            .prop_map(|(case, app_id)| {
                let mut input = case.input.unwrap_or_default();
                input.app_id = Some(app_id);
                Case::typed(case.rule, "AppId with a stack command", input, case.signing)
            })
            .boxed(),
    )
}
