//! `M-ARGS-UNUSED` (MAY): `Args` on a command that takes none.

use super::prelude::*;

/// The catalogue entry of `M-ARGS-UNUSED`.
pub(crate) const RULE: Rule = Rule {
    id: RuleId::new("M-ARGS-UNUSED"),
    severity: Severity::May,
    group: Group::ImplementationDefined,
    summary: "Args on a command that takes none",
    source: "catalogue",
    doc: RuleDoc {
        condition: "`Args` on a command that takes none",
        expected: "implementation-defined: both behaviours pass, and the report records which",
        why: "The sources do not say whether `Args` on a command that takes none is an error.",
    },
    facts: RuleFacts::USUAL,
};

/// The requests that exercise the rule.
pub(super) fn family(f: &Families<'_>) -> Option<BoxedStrategy<Case>> {
    Some(
        (f.plain()?, unused_args())
            .prop_map(|(case, args)| {
                let mut input = case.input.unwrap_or_default();
                if let Some(command) = input.command.as_mut() {
                    command.args = args;
                }
                Case::typed(
                    case.rule,
                    "Args on a command that takes none",
                    input,
                    case.signing,
                )
            })
            .boxed(),
    )
}

/// The oracle's part: `Args` with a key on `command`, which takes none.
pub(crate) fn judge(reading: &mut Reading, command: CommandName) {
    reading.may(
        RULE.id,
        true,
        &[ErrorCode::ValidationException],
        Tier::Request,
        format!("Args on {command}, which takes none"),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;
    use proptest::test_runner::Config;

    proptest! {
        #![proptest_config(Config::with_cases(256))]

        #[test]
        fn args_on_a_command_without_args_are_the_case(
            name in proptest::sample::select(CommandName::ALL.into_iter().filter(|name| name.args().is_empty()).collect::<Vec<_>>()),
            args in unused_args(),
        ) {
            let verdict = judge_args(name, None, args);
            prop_assert!(verdict.broken().is_empty(), "{:?}", verdict);
            prop_assert_eq!(may_rules(&verdict), vec![RULE.id]);
        }
    }
}
