//! `M-UNKNOWN-ARGS` (MAY): an `Args` key the command does not take (accepted, or `ValidationException`).

use super::prelude::*;

/// The catalogue entry of `M-UNKNOWN-ARGS`.
pub(crate) const RULE: Rule = Rule {
    id: RuleId::new("M-UNKNOWN-ARGS"),
    severity: Severity::May,
    group: Group::ImplementationDefined,
    summary: "an Args key the command does not take (accepted, or ValidationException)",
    source: "catalogue",
    doc: RuleDoc {
        condition: "an `Args` key the command does not take (accepted, or `ValidationException`)",
        expected: "implementation-defined: both behaviours pass, and the report records which",
        why: "The sources do not say whether a command ignores an argument it does not take.",
    },
    facts: RuleFacts::USUAL,
};

/// The requests that exercise the rule.
pub(super) fn family(f: &Families<'_>) -> Option<BoxedStrategy<Case>> {
    let names = [CommandName::ExecuteRecipes, CommandName::UpdateDependencies];
    Some(
        (f.inputs()?, proptest::sample::select(names.to_vec()))
            .prop_flat_map(|(case, name)| (Just(case), Just(name), unknown_arg(name)))
            .prop_map(|(case, name, args)| {
                let mut input = with_command(case.input.unwrap_or_default(), name);
                input.app_id = None;
                if let Some(command) = input.command.as_mut() {
                    command.args = args;
                }
                Case::typed(
                    case.rule,
                    "an Args key the command does not take",
                    input,
                    case.signing,
                )
            })
            .boxed(),
    )
}

/// The oracle's part: the `Args` key `unknown`, which `command` does not take.
pub(crate) fn judge(reading: &mut Reading, command: CommandName, unknown: &str) {
    reading.may(
        RULE.id,
        true,
        &[ErrorCode::ValidationException],
        Tier::Request,
        format!("Args key {unknown:?}, which {command} does not take"),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;
    use proptest::test_runner::Config;
    use crate::generate::command::command_with_args;

    proptest! {
        #![proptest_config(Config::with_cases(256))]

        #[test]
        fn unknown_args_are_the_case(
            (name, args) in command_with_args().prop_flat_map(|name| (Just(name), unknown_arg(name)))
        ) {
            let verdict = judge_args(name, None, args);
            prop_assert!(verdict.broken().is_empty(), "{:?}", verdict);
            prop_assert_eq!(may_rules(&verdict), vec![RULE.id]);
        }
    }
}
