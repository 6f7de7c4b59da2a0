//! `V-NAME-ENUM` (MUST): `Command.Name` is not exactly (case-sensitive) one of the 12 names.

use super::prelude::*;

/// The catalogue entry of `V-NAME-ENUM`.
pub(crate) const RULE: Rule = Rule {
    id: RuleId::new("V-NAME-ENUM"),
    severity: Severity::Must,
    group: Group::Validation,
    summary: "Command.Name is not exactly (case-sensitive) one of the 12 names -> ValidationException",
    source: "seed, model",
    doc: RuleDoc {
        condition: "`Command.Name` is not exactly (case-sensitive) one of the 12 names",
        expected: "`ValidationException`",
        why: "The command names are an enumeration of the model; a near miss (`Deploy`, `deploy `) is no command.",
    },
    facts: RuleFacts::USUAL,
};

/// The requests that exercise the rule.
pub(super) fn family(f: &Families<'_>) -> Option<BoxedStrategy<Case>> {
    Some(
        (f.plain()?, near_miss_name())
            .prop_map(|(case, name)| {
                let mut input = case.input.unwrap_or_default();
                input.command = Some(DeploymentCommand {
                    name: Some(name),
                    args: None,
                });
                Case::typed(case.rule, "near-miss command name", input, case.signing)
            })
            .boxed(),
    )
}

/// The oracle's part: `Command.Name` is the string `name`, which no command has.
pub(crate) fn judge(reading: &mut Reading, name: &str) {
    reading.finding(
        RULE.id,
        codes(&[ErrorCode::ValidationException]),
        Tier::Request,
        format!("Command.Name {name:?} is not one of the 12 names"),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::CreateDeploymentInput;
    use crate::oracle::{CallerIdentity, judge_request};
    use proptest::test_runner::Config;

    proptest! {
        #![proptest_config(Config::with_cases(256))]

        #[test]
        fn near_miss_names_never_parse_and_break_the_rule(name in near_miss_name()) {
            prop_assert!(name.parse::<CommandName>().is_err(), "{:?} parsed", name);
            let world = crate::rules::testing::apps_world();
            let mut input = CreateDeploymentInput::new("s1", CommandName::Setup);
            input.command = Some(DeploymentCommand { name: Some(name), args: None });
            let verdict = judge_request(&world, &input.to_raw(), &CallerIdentity::Unsigned);
            prop_assert_eq!(verdict.broken(), vec![RULE.id]);
        }
    }
}
