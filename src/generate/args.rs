//! `Command.Args`: maps of argument names to lists of strings, valid for a command or broken in
//! the ways rules V-RECIPES, V-MIGRATE, V-REBOOT, V-TYPE, M-UNKNOWN-ARGS and M-ARGS-UNUSED
//! describe.
//!
//! `None` means no `Args` member at all; `Some({})` is an empty map, which no rule objects to.

use std::cell::RefCell;
use std::collections::BTreeMap;

use proptest::prelude::*;
use proptest::sample::{Index, select};
use serde_json::{Value, json};

use crate::contract::CommandName;
use crate::generate::cache::regex;
use crate::generate::one_of::one_of;
use crate::generate::text::{os_version, recipe_name};
use crate::world::AppType;

/// A map from `(name, values)` pairs.
fn args<const N: usize>(
    entries: [(&str, Vec<String>); N],
) -> Option<BTreeMap<String, Vec<String>>> {
    Some(
        entries
            .into_iter()
            .map(|(name, values)| (name.to_owned(), values))
            .collect(),
    )
}

/// `["true"]` or `["false"]`, as `flag` says.
fn boolean(flag: bool) -> Vec<String> {
    vec![flag.to_string()]
}

/// `None` or `Some({})`: no arguments, neither of which is a MAY case.
fn no_args() -> BoxedStrategy<Option<BTreeMap<String, Vec<String>>>> {
    one_of![Just(None), Just(Some(BTreeMap::new()))].boxed()
}

/// `Args` that break no MUST or SHOULD rule and present no MAY case, for a request with command
/// `name` on an app of type `app_type` (`None` for stack commands, or when the type is not
/// known): S-ACCEPT-VALID.
///
/// - `execute_recipes`: `{"recipes": [...]}` with 1 to 5 non-empty recipe names;
/// - `deploy`: `None` or `{}`, and for a rails app also `{"migrate": ["true"]}` or
///   `{"migrate": ["false"]}` (on another app type that would be M-MIGRATE-NON-RAILS);
/// - `update_dependencies`: `None`, `{}`, `{"allow_reboot": ["true"|"false"]}`, or
///   `{"upgrade_os_to": ["Amazon Linux 2016.09"], "allow_reboot": ["true"]}`;
/// - every other command: `None` or `{}` (an empty map is not M-ARGS-UNUSED).
#[must_use = "a strategy generates nothing until a runner draws from it"]
pub fn valid_args(
    name: CommandName,
    app_type: Option<AppType>,
) -> impl Strategy<Value = Option<BTreeMap<String, Vec<String>>>> {
    type Built = Vec<((CommandName, Option<AppType>), BoxedStrategy<Option<Args>>)>;
    thread_local! {
        static BUILT: RefCell<Built> = const { RefCell::new(Vec::new()) };
    }
    // Built once per thread and key: valid requests ask for these for every value.
    let key = (name, app_type);
    let cached = BUILT.try_with(|built| {
        let mut built = built.try_borrow_mut().ok()?;
        if let Some((_, strategy)) = built.iter().find(|(k, _)| *k == key) {
            return Some(strategy.clone());
        }
        let strategy = build_valid_args(name, app_type);
        built.push((key, strategy.clone()));
        Some(strategy)
    });
    cached
        .ok()
        .flatten()
        .unwrap_or_else(|| build_valid_args(name, app_type))
}

type Args = BTreeMap<String, Vec<String>>;

fn build_valid_args(name: CommandName, app_type: Option<AppType>) -> BoxedStrategy<Option<Args>> {
    match name {
        CommandName::ExecuteRecipes => proptest::collection::vec(recipe_name(), 1..=5)
            .prop_map(|recipes| args([("recipes", recipes)]))
            .boxed(),
        CommandName::Deploy if app_type == Some(AppType::Rails) => one_of![
            no_args(),
            any::<bool>().prop_map(|flag| args([("migrate", boolean(flag))])),
        ]
        .boxed(),
        CommandName::UpdateDependencies => one_of![
            no_args(),
            any::<bool>().prop_map(|flag| args([("allow_reboot", boolean(flag))])),
            os_version().prop_map(|os| args([
                ("upgrade_os_to", vec![os]),
                ("allow_reboot", boolean(true)),
            ])),
        ]
        .boxed(),
        _ => no_args(),
    }
}

/// `Args` for `execute_recipes` that break V-RECIPES: no `Args` at all (`None`), `{}`,
/// `{"recipes": []}`, or recipes with an empty name among them. No other key, so no MAY case
/// comes along.
#[must_use = "a strategy generates nothing until a runner draws from it"]
pub fn bad_recipes() -> impl Strategy<Value = Option<BTreeMap<String, Vec<String>>>> {
    one_of![
        Just(None),
        Just(Some(BTreeMap::new())),
        Just(args([("recipes", Vec::new())])),
        (
            proptest::collection::vec(recipe_name(), 0..4),
            any::<Index>()
        )
            .prop_map(|(mut recipes, at)| {
                recipes.insert(at.index(recipes.len() + 1), String::new());
                args([("recipes", recipes)])
            }),
    ]
}

/// Values that are not exactly `["true"]` or `["false"]`.
fn bad_boolean() -> impl Strategy<Value = Vec<String>> {
    let word = select(vec![
        "", "yes", "no", "TRUE", "True", "FALSE", "False", "1", "0", "t", " true", "false ", "on",
    ])
    .prop_map(str::to_owned);
    one_of![
        Just(Vec::new()),
        word.clone().prop_map(|word| vec![word]),
        (any::<bool>(), any::<bool>()).prop_map(|(a, b)| vec![a.to_string(), b.to_string()]),
        proptest::collection::vec(one_of![word, regex!(".{0,8}")], 1..4),
    ]
    .prop_filter("not exactly [\"true\"] or [\"false\"]", |values| {
        values != &["true"] && values != &["false"]
    })
}

/// `migrate` values for `deploy` that break V-MIGRATE (the value list, to put under
/// `"migrate"`; use it on a rails app so that M-MIGRATE-NON-RAILS does not come along):
/// `["yes"]`, `["TRUE"]`, `["true", "false"]`, `[]`, `[""]`, and other lists that are not
/// exactly `["true"]` or `["false"]`.
#[must_use = "a strategy generates nothing until a runner draws from it"]
pub fn bad_migrate() -> impl Strategy<Value = Vec<String>> {
    bad_boolean()
}

/// `Args` for `update_dependencies` that break V-REBOOT: `allow_reboot` not exactly `["true"]`
/// or `["false"]`; `upgrade_os_to` without `allow_reboot: ["true"]` (absent, or `["false"]`);
/// or `upgrade_os_to` not exactly one non-empty string (`[]`, `[""]`, two versions).
#[must_use = "a strategy generates nothing until a runner draws from it"]
pub fn bad_reboot() -> impl Strategy<Value = Option<BTreeMap<String, Vec<String>>>> {
    let bad_os = one_of![
        Just(Vec::new()),
        Just(vec![String::new()]),
        (os_version(), os_version()).prop_map(|(first, second)| vec![first, second]),
    ];
    one_of![
        bad_boolean().prop_map(|values| args([("allow_reboot", values)])),
        os_version().prop_map(|os| args([("upgrade_os_to", vec![os])])),
        os_version().prop_map(|os| args([
            ("upgrade_os_to", vec![os]),
            ("allow_reboot", boolean(false)),
        ])),
        bad_os
            .prop_map(|values| args([("upgrade_os_to", values), ("allow_reboot", boolean(true)),])),
    ]
}

/// Argument names that some command takes, and near misses of them.
const ARG_NAMES: [&str; 13] = [
    "recipes",
    "migrate",
    "allow_reboot",
    "upgrade_os_to",
    "Recipes",
    "recipe",
    "MIGRATE",
    "allow-reboot",
    "upgrade_os",
    "reboot",
    "force",
    "x",
    "",
];

/// Values for an argument nobody judges: lists of strings (so never V-TYPE).
fn any_values() -> impl Strategy<Value = Vec<String>> {
    one_of![
        Just(vec!["true".to_owned()]),
        Just(Vec::new()),
        proptest::collection::vec(recipe_name(), 1..3),
        proptest::collection::vec(regex!(".{0,8}"), 1..3),
    ]
}

/// `Args` for `name` with one key it does not take (M-UNKNOWN-ARGS): the command's valid args
/// (those of a non-rails app for `deploy`, so without `migrate`) plus a key such as `reboot`,
/// `Recipes` or another command's argument. Meant for the 3 commands that take args; for the
/// others any key is unknown and the map is M-ARGS-UNUSED instead.
#[must_use = "a strategy generates nothing until a runner draws from it"]
pub fn unknown_arg(
    name: CommandName,
) -> impl Strategy<Value = Option<BTreeMap<String, Vec<String>>>> {
    thread_local! {
        static BUILT: RefCell<Vec<(CommandName, BoxedStrategy<Option<Args>>)>> =
            const { RefCell::new(Vec::new()) };
    }
    // Built once per thread and command: M-UNKNOWN-ARGS asks for one for every value.
    let cached = BUILT.try_with(|built| {
        let mut built = built.try_borrow_mut().ok()?;
        if let Some((_, strategy)) = built.iter().find(|(k, _)| *k == name) {
            return Some(strategy.clone());
        }
        let strategy = build_unknown_arg(name);
        built.push((name, strategy.clone()));
        Some(strategy)
    });
    cached
        .ok()
        .flatten()
        .unwrap_or_else(|| build_unknown_arg(name))
}

fn build_unknown_arg(name: CommandName) -> BoxedStrategy<Option<Args>> {
    let keys: Vec<&'static str> = ARG_NAMES
        .into_iter()
        .filter(|key| !name.args().contains(key))
        .collect();
    (valid_args(name, None), select(keys), any_values())
        .prop_map(|(valid, key, values)| {
            let mut map = valid.unwrap_or_default();
            map.insert(key.to_owned(), values);
            Some(map)
        })
        .boxed()
}

/// Non-empty `Args` for a command that takes none (M-ARGS-UNUSED): one to three entries, with
/// other commands' argument names or made-up ones, whose values are lists of strings.
#[must_use = "a strategy generates nothing until a runner draws from it"]
pub fn unused_args() -> impl Strategy<Value = Option<BTreeMap<String, Vec<String>>>> {
    let key = one_of![
        select(&ARG_NAMES[..]).prop_map(str::to_owned),
        regex!("[a-z_]{1,12}"),
    ];
    proptest::collection::btree_map(key, any_values(), 1..=3).prop_map(Some)
}

/// `Args` values that are not an object whose values are arrays of strings (V-TYPE), as JSON:
/// an array, a string, a number, a boolean, an object with a non-array value, an object with an
/// array holding a non-string (or `null`), an object whose value is `null`. Never a top-level
/// `null` (that is M-NULL-OPTIONAL).
#[must_use = "a strategy generates nothing until a runner draws from it"]
pub fn wrong_shape_args() -> impl Strategy<Value = Value> {
    let key = || {
        one_of![
            select(vec!["recipes", "migrate", "allow_reboot", "upgrade_os_to"])
                .prop_map(str::to_owned),
            regex!("[a-z_]{1,12}"),
        ]
    };
    let not_a_string = one_of![
        Just(Value::Null),
        any::<i32>().prop_map(Value::from),
        any::<bool>().prop_map(Value::Bool),
        Just(json!([])),
        Just(json!(["nested"])),
        Just(json!({})),
    ];
    let not_an_array = one_of![
        regex!(".{0,8}").prop_map(Value::String),
        any::<i32>().prop_map(Value::from),
        any::<bool>().prop_map(Value::Bool),
        Just(json!({"0": "phpapp::appsetup"})),
    ];
    one_of![
        Just(json!([])),
        Just(json!(["phpapp::appsetup"])),
        regex!(".{0,12}").prop_map(Value::String),
        any::<i64>().prop_map(Value::from),
        any::<bool>().prop_map(Value::Bool),
        (key(), not_an_array).prop_map(|(key, value)| json!({ key: value })),
        (
            key(),
            proptest::collection::vec(recipe_name(), 0..3),
            not_a_string,
            any::<Index>()
        )
            .prop_map(|(key, recipes, odd, at)| {
                let mut values: Vec<Value> = recipes.into_iter().map(Value::String).collect();
                values.insert(at.index(values.len() + 1), odd);
                json!({ key: values })
            }),
        key().prop_map(|key| json!({ key: null })),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::CommandKind;
    use crate::generate::command::command_name;
    use crate::rules::testing::judge_args as judge;
    use proptest::test_runner::Config;

    fn with_values(name: CommandName) -> impl Strategy<Value = (CommandName, Option<AppType>)> {
        let app_type = match name.kind() {
            CommandKind::App => {
                crate::generate::one_of::maybe(select(AppType::ALL.to_vec())).boxed()
            }
            CommandKind::Stack => Just(None).boxed(),
        };
        (Just(name), app_type)
    }

    proptest! {
        #![proptest_config(Config::with_cases(256))]

        #[test]
        fn valid_args_make_valid_requests(
            ((name, app_type), args) in command_name()
                .prop_flat_map(with_values)
                .prop_flat_map(|(name, app_type)| (Just((name, app_type)), valid_args(name, app_type)))
        ) {
            let verdict = judge(name, app_type, args.clone());
            prop_assert!(verdict.is_valid(), "{} {:?}: {:?}", name, args, verdict);
        }
    }
}
