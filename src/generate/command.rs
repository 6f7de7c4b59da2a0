//! Command names: the 12 real ones, by kind, and near misses that are none of them.

use proptest::prelude::*;
use proptest::sample::select;

use crate::contract::{CommandKind, CommandName};
use crate::generate::one_of::one_of;

/// The real names of a kind, in the model's order.
fn names_where(keep: fn(CommandName) -> bool) -> Vec<CommandName> {
    CommandName::ALL
        .into_iter()
        .filter(|name| keep(*name))
        .collect()
}

/// Any of the 12 command names (S-ACCEPT-VALID); shrinks towards `install_dependencies`.
#[must_use = "a strategy generates nothing until a runner draws from it"]
pub fn command_name() -> impl Strategy<Value = CommandName> {
    select(CommandName::ALL.to_vec())
}

/// One of the 6 stack commands (no `AppId`: M-APP-ON-STACK-COMMAND when one is given).
#[must_use = "a strategy generates nothing until a runner draws from it"]
pub fn stack_command() -> impl Strategy<Value = CommandName> {
    select(names_where(|name| name.kind() == CommandKind::Stack))
}

/// One of the 6 app commands (`AppId` required: V-APP-REQUIRED, N-APP).
#[must_use = "a strategy generates nothing until a runner draws from it"]
pub fn app_command() -> impl Strategy<Value = CommandName> {
    select(names_where(|name| name.kind() == CommandKind::App))
}

/// One of the 3 commands that take `Args` (`update_dependencies`, `execute_recipes`, `deploy`):
/// V-RECIPES, V-MIGRATE, V-REBOOT, M-UNKNOWN-ARGS.
#[must_use = "a strategy generates nothing until a runner draws from it"]
pub fn command_with_args() -> impl Strategy<Value = CommandName> {
    select(names_where(|name| !name.args().is_empty()))
}

/// Words that are no command name but sound like one.
const UNKNOWN_WORDS: [&str; 12] = [
    "reboot",
    "redeploy",
    "install",
    "update",
    "shutdown",
    "execute_recipe",
    "update_cookbooks",
    "create_deployment",
    "CreateDeployment",
    "deploy_app",
    "rollback_all",
    "null",
];

/// Command names that are NOT exactly one of the 12 (V-NAME-ENUM): `""`, unknown words
/// (`reboot`), a real name in another case (`Deploy`, `DEPLOY`, `ExecuteRecipes`), with
/// leading or trailing whitespace, with hyphens for underscores, truncated, in the plural, or
/// with a NUL or a zero-width space appended. None of them parses as a [`CommandName`].
#[must_use = "a strategy generates nothing until a runner draws from it"]
pub fn near_miss_name() -> impl Strategy<Value = String> {
    let real = || select(CommandName::ALL.to_vec()).prop_map(|name| name.as_str());
    one_of![
        Just(String::new()),
        select(&UNKNOWN_WORDS[..]).prop_map(str::to_owned),
        (real(), 0u8..3).prop_map(|(name, style)| match style {
            0 => capitalise(name),
            1 => name.to_uppercase(),
            _ => camel_case(name),
        }),
        (
            real(),
            select(vec![" ", "\t", "\n", "\u{a0}"]),
            any::<bool>()
        )
            .prop_map(|(name, pad, leading)| if leading {
                format!("{pad}{name}")
            } else {
                format!("{name}{pad}")
            }),
        select(names_where(|name| name.as_str().contains('_')))
            .prop_map(|name| name.as_str().replace('_', "-")),
        (real(), any::<prop::sample::Index>()).prop_map(|(name, at)| {
            // A non-empty proper prefix (every name is ASCII).
            name[..1 + at.index(name.len() - 1)].to_owned()
        }),
        real().prop_map(|name| format!("{name}s")),
        (real(), select(vec!["\0", "\u{200b}"])).prop_map(|(name, tail)| format!("{name}{tail}")),
    ]
    .prop_filter("not a command name", |text| {
        text.parse::<CommandName>().is_err()
    })
}

/// `deploy` -> `Deploy`.
fn capitalise(name: &str) -> String {
    let mut chars = name.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_ascii_uppercase().to_string() + chars.as_str()
    })
}

/// `execute_recipes` -> `ExecuteRecipes`.
fn camel_case(name: &str) -> String {
    name.split('_').map(capitalise).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::test_runner::Config;

    proptest! {
        #![proptest_config(Config::with_cases(256))]

        #[test]
        fn kinds_are_kept(
            stack in stack_command(),
            app in app_command(),
            with_args in command_with_args(),
            any in command_name(),
        ) {
            prop_assert_eq!(stack.kind(), CommandKind::Stack);
            prop_assert_eq!(app.kind(), CommandKind::App);
            prop_assert!(!with_args.args().is_empty());
            prop_assert!(CommandName::ALL.contains(&any));
        }
    }

    #[test]
    fn the_sets_are_complete() {
        assert_eq!(
            names_where(|name| name.kind() == CommandKind::Stack).len(),
            6
        );
        assert_eq!(names_where(|name| name.kind() == CommandKind::App).len(), 6);
        assert_eq!(
            names_where(|name| !name.args().is_empty()),
            vec![
                CommandName::UpdateDependencies,
                CommandName::ExecuteRecipes,
                CommandName::Deploy
            ]
        );
        assert_eq!(camel_case("execute_recipes"), "ExecuteRecipes");
        assert_eq!(capitalise("deploy"), "Deploy");
    }
}
