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
    facts: RuleFacts::USUAL,
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

/// The oracle's part: the stack command `command` with `app_id` (an app of the stack when
/// `known`; if not, `ResourceNotFoundException` is a rejection too).
pub(crate) fn judge(
    reading: &mut Reading,
    command: CommandName,
    app_id: impl std::fmt::Debug,
    known: bool,
) {
    let mut rejections = vec![ErrorCode::ValidationException];
    if !known {
        rejections.push(ErrorCode::ResourceNotFoundException);
    }
    reading.may(
        RULE.id,
        true,
        &rejections,
        Tier::Request,
        format!("AppId {app_id:?} with the stack command {command}"),
    );
}
