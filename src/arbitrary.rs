//! [`arbitrary::Arbitrary`](::arbitrary::Arbitrary) for requests, worlds and signing (feature
//! `arbitrary`), for structure-aware fuzzing with cargo-fuzz.
//!
//! Worlds are always valid ([`World::validate`] passes) and small (1 to 4 stacks). Their ids
//! follow one scheme (`stack-0`, `app-0-1`, `layer-0-2`, `instance-0-3`, access keys
//! `AKIA0000000000000001`), and the ids of requests and signings are drawn mostly from the same
//! scheme (with indices one past the largest, which name nothing), so a fuzzed request often
//! hits what a fuzzed world has, and sometimes misses it. Command names are mostly one of the
//! 12, sometimes free text or missing.
//!
//! Empty input gives the simplest values: a world with one empty stack `stack-0`, and the
//! request `{"StackId":"stack-0","Command":{"Name":"install_dependencies"}}`.

use std::collections::BTreeMap;

use ::arbitrary::{Arbitrary, Result, Unstructured};

use crate::contract::{CommandName, CreateDeploymentInput, DeploymentCommand, Signing};
use crate::world::{
    App, AppType, Instance, Layer, Permission, PermissionLevel, Stack, User, World,
};

/// The most stacks a world has.
const MAX_STACKS: usize = 4;
/// The most apps a stack has.
const MAX_APPS: usize = 5;
/// The most layers a stack has.
const MAX_LAYERS: usize = 4;
/// The most instances a stack has.
const MAX_INSTANCES: usize = 5;
/// The most users a world has.
const MAX_USERS: usize = 4;

fn stack_name(s: usize) -> String {
    format!("stack-{s}")
}

fn app_name(s: usize, a: usize) -> String {
    format!("app-{s}-{a}")
}

fn layer_name(s: usize, l: usize) -> String {
    format!("layer-{s}-{l}")
}

fn instance_name(s: usize, i: usize) -> String {
    format!("instance-{s}-{i}")
}

fn key_name(u: usize) -> String {
    format!("AKIA{u:016}")
}

/// Free text: any UTF-8 the input holds.
fn text(u: &mut Unstructured<'_>) -> Result<String> {
    <&str>::arbitrary(u).map(str::to_owned)
}

/// An id: mostly one of the scheme (indices up to one past the largest, so sometimes naming
/// nothing), sometimes free text.
fn id(u: &mut Unstructured<'_>, make: fn(usize, usize) -> String, most: usize) -> Result<String> {
    if u.int_in_range(0u8..=9)? < 9 {
        let stack = u.int_in_range(0..=MAX_STACKS)?;
        let index = u.int_in_range(0..=most)?;
        Ok(make(stack, index))
    } else {
        text(u)
    }
}

/// A list of 0 to 3 ids, or no list.
fn id_list(
    u: &mut Unstructured<'_>,
    make: fn(usize, usize) -> String,
    most: usize,
) -> Result<Option<Vec<String>>> {
    if u.int_in_range(0u8..=2)? == 0 {
        return Ok(None);
    }
    let length = u.int_in_range(0usize..=3)?;
    (0..length)
        .map(|_| id(u, make, most))
        .collect::<Result<_>>()
        .map(Some)
}

impl<'a> Arbitrary<'a> for CommandName {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        u.choose(&CommandName::ALL).copied()
    }
}

impl<'a> Arbitrary<'a> for AppType {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        u.choose(&AppType::ALL).copied()
    }
}

impl<'a> Arbitrary<'a> for PermissionLevel {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        u.choose(&PermissionLevel::ALL).copied()
    }
}

/// Argument names, the real ones first.
const ARG_NAMES: [&str; 6] = [
    "recipes",
    "migrate",
    "allow_reboot",
    "upgrade_os_to",
    "Recipes",
    "reboot",
];

/// Argument values, valid ones first.
const ARG_VALUES: [&str; 7] = [
    "true",
    "false",
    "phpapp::appsetup",
    "Amazon Linux 2016.09",
    "",
    "TRUE",
    "yes",
];

/// `Args` that suit the command (for the three that take some), else none.
fn fitting_args(
    u: &mut Unstructured<'_>,
    name: Option<CommandName>,
) -> Result<Option<BTreeMap<String, Vec<String>>>> {
    let boolean = |u: &mut Unstructured<'_>| -> Result<Vec<String>> {
        Ok(vec![bool::arbitrary(u)?.to_string()])
    };
    Ok(match name {
        Some(CommandName::ExecuteRecipes) => {
            let count = u.int_in_range(1usize..=3)?;
            let recipes = (0..count)
                .map(|_| {
                    Ok(if u.ratio(7u8, 8)? {
                        "phpapp::appsetup".to_owned()
                    } else {
                        text(u)?
                    })
                })
                .collect::<Result<Vec<String>>>()?;
            Some(BTreeMap::from([("recipes".to_owned(), recipes)]))
        }
        Some(CommandName::Deploy) => Some(BTreeMap::from([("migrate".to_owned(), boolean(u)?)])),
        Some(CommandName::UpdateDependencies) => {
            let mut args = BTreeMap::from([("allow_reboot".to_owned(), boolean(u)?)]);
            if bool::arbitrary(u)? {
                args.insert("allow_reboot".to_owned(), vec!["true".to_owned()]);
                args.insert(
                    "upgrade_os_to".to_owned(),
                    vec!["Amazon Linux 2016.09".to_owned()],
                );
            }
            Some(args)
        }
        _ => None,
    })
}

/// Any `Args` map: 1 to 3 entries of (mostly) real names and values.
fn any_args(u: &mut Unstructured<'_>) -> Result<BTreeMap<String, Vec<String>>> {
    let count = u.int_in_range(1usize..=3)?;
    let mut args = BTreeMap::new();
    for _ in 0..count {
        let name = if u.ratio(5u8, 6)? {
            (*u.choose(&ARG_NAMES)?).to_owned()
        } else {
            text(u)?
        };
        let length = u.int_in_range(0usize..=2)?;
        let values = (0..length)
            .map(|_| {
                Ok(if u.ratio(5u8, 6)? {
                    (*u.choose(&ARG_VALUES)?).to_owned()
                } else {
                    text(u)?
                })
            })
            .collect::<Result<Vec<String>>>()?;
        args.insert(name, values);
    }
    Ok(args)
}

impl<'a> Arbitrary<'a> for DeploymentCommand {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        // Mostly one of the 12 names; sometimes free text, sometimes missing.
        let name = match u.int_in_range(0u8..=19)? {
            0..=16 => Some(CommandName::arbitrary(u)?.as_str().to_owned()),
            17 | 18 => Some(text(u)?),
            _ => None,
        };
        let command = name.as_deref().and_then(|name| name.parse().ok());
        let args = match u.int_in_range(0u8..=9)? {
            0..=2 => None,
            3 => Some(BTreeMap::new()),
            4..=7 => fitting_args(u, command)?,
            _ => Some(any_args(u)?),
        };
        Ok(DeploymentCommand { name, args })
    }
}

/// `CustomJson` samples: valid objects first, then what breaks V-CUSTOM-JSON,
/// V-CUSTOM-JSON-OBJECT and M-JSON-LIMITS.
const CUSTOM_JSON: [&str; 9] = [
    "{}",
    r#"{"key1":"value1","key2":[1,2.5,null,true]}"#,
    r#"{"é":{"中文":"🚀"}}"#,
    "[]",
    "\"text\"",
    "{",
    "{'a':1}",
    r#"{"a":1e400}"#,
    r#"{"a":1,"a":2}"#,
];

impl<'a> Arbitrary<'a> for CreateDeploymentInput {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let stack_id = match u.int_in_range(0u8..=19)? {
            0..=17 => Some(id(u, |s, _| stack_name(s), 0)?),
            18 => Some(text(u)?),
            _ => None,
        };
        let command = match u.int_in_range(0u8..=19)? {
            0..=18 => Some(DeploymentCommand::arbitrary(u)?),
            _ => None,
        };
        let wants_app = command
            .as_ref()
            .and_then(DeploymentCommand::command_name)
            .is_some_and(CommandName::needs_app);
        // Usually an AppId exactly when the command needs one.
        let app_id = if wants_app != (u.int_in_range(0u8..=9)? == 9) {
            Some(id(u, app_name, MAX_APPS)?)
        } else {
            None
        };
        let instance_ids = id_list(u, instance_name, MAX_INSTANCES)?;
        let layer_ids = id_list(u, layer_name, MAX_LAYERS)?;
        let comment = match u.int_in_range(0u8..=2)? {
            0 => None,
            1 => Some("deployed by the fuzzer".to_owned()),
            _ => Some(text(u)?),
        };
        let custom_json = match u.int_in_range(0u8..=3)? {
            0 | 1 => None,
            2 => Some((*u.choose(&CUSTOM_JSON)?).to_owned()),
            _ => Some(text(u)?),
        };
        Ok(CreateDeploymentInput {
            stack_id,
            app_id,
            instance_ids,
            layer_ids,
            command,
            comment,
            custom_json,
        })
    }
}

impl<'a> Arbitrary<'a> for Signing {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let key = |u: &mut Unstructured<'_>| -> Result<String> {
            Ok(key_name(u.int_in_range(0..=MAX_USERS)?))
        };
        Ok(match u.int_in_range(0u8..=5)? {
            0 => Signing::Unsigned,
            1..=3 => Signing::As(key(u)?),
            4 => Signing::WrongSecret(key(u)?),
            _ => Signing::UnknownKey(if bool::arbitrary(u)? {
                text(u)?
            } else {
                "AKIAUNKNOWNUNKNOWN00".to_owned()
            }),
        })
    }
}

/// A stack of the world, the `s`-th.
fn stack(u: &mut Unstructured<'_>, s: usize) -> Result<Stack> {
    let apps = (0..u.int_in_range(0..=MAX_APPS)?)
        .map(|a| {
            Ok(App {
                app_id: app_name(s, a),
                app_type: AppType::arbitrary(u)?,
                versions: u.int_in_range(1u8..=5)?,
            })
        })
        .collect::<Result<Vec<App>>>()?;
    let layers: Vec<Layer> = (0..u.int_in_range(0..=MAX_LAYERS)?)
        .map(|l| Layer {
            layer_id: layer_name(s, l),
        })
        .collect();
    let instances = (0..u.int_in_range(0..=MAX_INSTANCES)?)
        .map(|i| {
            let mask = u8::arbitrary(u)?;
            Ok(Instance {
                instance_id: instance_name(s, i),
                layer_ids: layers
                    .iter()
                    .enumerate()
                    .filter(|(l, _)| mask & (1 << l) != 0)
                    .map(|(_, layer)| layer.layer_id.clone())
                    .collect(),
            })
        })
        .collect::<Result<Vec<Instance>>>()?;
    Ok(Stack {
        stack_id: stack_name(s),
        apps,
        layers,
        instances,
    })
}

/// The `n`-th user over these stacks: a level (or none) per stack, a policy, a secret.
fn user(u: &mut Unstructured<'_>, n: usize, stacks: &[Stack]) -> Result<User> {
    let mut permissions = Vec::new();
    for stack in stacks {
        let choice = u.int_in_range(0..=PermissionLevel::ALL.len())?;
        if let Some(level) = choice
            .checked_sub(1)
            .and_then(|l| PermissionLevel::ALL.get(l))
        {
            permissions.push(Permission {
                stack_id: stack.stack_id.clone(),
                level: *level,
            });
        }
    }
    let policy_allows_create_deployment = match u.int_in_range(0u8..=2)? {
        0 => Vec::new(),
        1 => vec!["*".to_owned()],
        _ => {
            let mask = u8::arbitrary(u)?;
            stacks
                .iter()
                .enumerate()
                .filter(|(s, _)| mask & (1 << s) != 0)
                .map(|(_, stack)| stack.stack_id.clone())
                .collect()
        }
    };
    let secret = text(u)?;
    Ok(User {
        access_key_id: key_name(n),
        secret_access_key: if secret.is_empty() {
            format!("secret-{n}")
        } else {
            secret
        },
        permissions,
        policy_allows_create_deployment,
    })
}

impl<'a> Arbitrary<'a> for World {
    /// A valid world: 1 to 4 stacks with 0 to 5 apps, 0 to 4 layers and 0 to 5 instances each;
    /// no users, or 1 to 4 users.
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let stacks = (0..u.int_in_range(1..=MAX_STACKS)?)
            .map(|s| stack(u, s))
            .collect::<Result<Vec<Stack>>>()?;
        // Half the worlds have no users (no A-* rule applies), half 1 to 4.
        let count = if u.int_in_range(0u8..=1)? == 0 {
            0
        } else {
            u.int_in_range(1..=MAX_USERS)?
        };
        let users = (0..count)
            .map(|n| user(u, n, &stacks))
            .collect::<Result<Vec<User>>>()?;
        Ok(World { stacks, users })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oracle::{CallerIdentity, judge_request};

    /// A fixed xorshift generator: the same 1,000 buffers every run.
    fn buffers() -> Vec<Vec<u8>> {
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        (0..1000)
            .map(|_| {
                let length = (next() % 600) as usize;
                (0..length).map(|_| next().to_le_bytes()[0]).collect()
            })
            .collect()
    }

    #[test]
    fn random_bytes_give_valid_worlds_and_judgeable_requests() {
        let mut with_users = 0;
        let mut hits = 0;
        for bytes in buffers() {
            let mut u = Unstructured::new(&bytes);
            let world = World::arbitrary(&mut u).expect("a world from any bytes");
            assert!(
                world.validate().is_ok(),
                "{world:?}: {:?}",
                world.validate()
            );
            assert!((1..=MAX_STACKS).contains(&world.stacks.len()));
            with_users += usize::from(world.has_users());
            let Ok((input, signing)) = <(CreateDeploymentInput, Signing)>::arbitrary(&mut u) else {
                continue;
            };
            let verdict = judge_request(&world, &input.to_raw(), &CallerIdentity::from(&signing));
            hits += usize::from(verdict.is_valid());
            let _ = CommandName::arbitrary(&mut u);
            let _ = DeploymentCommand::arbitrary(&mut u);
            let _ = AppType::arbitrary(&mut u);
            let _ = PermissionLevel::arbitrary(&mut u);
        }
        assert!(with_users > 100, "{with_users}");
        // The shared id scheme makes some fuzzed requests valid in their fuzzed world.
        assert!(hits > 0, "{hits}");
    }

    #[test]
    fn empty_input_gives_the_simplest_values() {
        let mut u = Unstructured::new(&[]);
        let world = World::arbitrary(&mut u).unwrap();
        assert_eq!(
            world,
            World::from_json(r#"{"Stacks":[{"StackId":"stack-0"}]}"#).unwrap()
        );
        let input = CreateDeploymentInput::arbitrary(&mut u).unwrap();
        assert_eq!(
            input.to_json(),
            r#"{"StackId":"stack-0","Command":{"Name":"install_dependencies"}}"#
        );
        assert_eq!(Signing::arbitrary(&mut u).unwrap(), Signing::Unsigned);
        let verdict = judge_request(&world, &input.to_raw(), &CallerIdentity::Unsigned);
        assert!(verdict.is_valid());
    }

    #[test]
    fn take_rest_gives_valid_worlds() {
        for bytes in buffers().iter().take(100) {
            let world = World::arbitrary_take_rest(Unstructured::new(bytes)).unwrap();
            assert!(world.validate().is_ok());
        }
    }
}
