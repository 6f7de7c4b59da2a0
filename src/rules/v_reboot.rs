//! `V-REBOOT` (SHOULD): `update_dependencies` whose `Args.allow_reboot` is present and not exactly `["true"]` or `["false"]`; or whose `Args.upgrade_os_to` is present and is not exactly one non-empty string, or comes without `allow_reboot: ["true"]`.

use super::prelude::*;

/// The catalogue entry of `V-REBOOT`.
pub(crate) const RULE: Rule = Rule {
    id: RuleId::new("V-REBOOT"),
    severity: Severity::Should,
    group: Group::Validation,
    summary: "update_dependencies whose Args.allow_reboot is present and not exactly [\"true\"] or [\"false\"]; or whose Args.upgrade_os_to is present and is not exactly one non-empty string, or comes without allow_reboot: [\"true\"] -> ValidationException",
    source: "seed (\"You must also set the allow_reboot argument to true\")",
    doc: RuleDoc {
        condition: "`update_dependencies` whose `Args.allow_reboot` is present and not exactly `[\"true\"]` or `[\"false\"]`; or whose `Args.upgrade_os_to` is present and is not exactly one non-empty string, or comes without `allow_reboot: [\"true\"]`",
        expected: "`ValidationException`",
        why: "The documentation: `allow_reboot` is `true` or `false`, and `upgrade_os_to` needs `allow_reboot` set to true.",
    },
    facts: RuleFacts::USUAL,
};

/// `update_dependencies` with a bad `allow_reboot` or `upgrade_os_to`.
pub(super) fn family(f: &Families<'_>) -> Option<BoxedStrategy<Case>> {
    f.stack_args(
        CommandName::UpdateDependencies,
        bad_reboot().boxed(),
        "bad reboot",
    )
}

/// The oracle's part: `update_dependencies` with these `Args.allow_reboot` and
/// `Args.upgrade_os_to` (`None`: absent).
pub(crate) fn judge(
    reading: &mut Reading,
    allow_reboot: Option<Strings<'_>>,
    upgrade: Option<Strings<'_>>,
) {
    let reboot_bad = allow_reboot.is_some_and(|values| !is_boolean_arg(values));
    let upgrade_bad = upgrade.is_some_and(|values| {
        let mut elements = values.iter();
        let one = elements.next().filter(|_| elements.next().is_none());
        one.is_none_or(str::is_empty) || !allow_reboot.is_some_and(|values| values.is(&["true"]))
    });
    if reboot_bad || upgrade_bad {
        reading.finding(
            RULE.id,
            codes(&[ErrorCode::ValidationException]),
            Tier::Request,
            format!(
                "update_dependencies with upgrade_os_to {:?} and allow_reboot {:?}",
                upgrade.map(Strings::to_vec),
                allow_reboot.map(Strings::to_vec)
            ),
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
        fn bad_reboot_args_break_the_rule(args in crate::generate::args::bad_reboot()) {
            let verdict = judge_args(CommandName::UpdateDependencies, None, args);
            prop_assert_eq!(verdict.broken(), vec![RULE.id]);
            prop_assert!(verdict.may_cases().is_empty());
        }
    }
}
