//! Worlds: random valid worlds, without users and with users.
//!
//! A world is generated as a shape first (how many stacks, apps, layers, instances, users; app
//! types and versions; which layers each instance is in; permissions) and then named: each id
//! embeds the position of its entity, so ids are unique across the whole world by
//! construction, whatever flavour each id is given:
//!
//! - plain: `stack-1`, `app-1-0`, `layer-1-2`, `instance-1-3`;
//! - mixed case (which near misses by case play with): `Stack-1-Prod`, `App-1-0-Web`;
//! - UUID-shaped, as OpsWorks issues them: the first four hex digits say kind, stack and
//!   index (`1a00…` is never the id of anything else), the rest is random.

use proptest::prelude::*;
use proptest::sample::select;

use crate::generate::cache::regex;
use crate::generate::one_of::{maybe, one_of};

use crate::world::{
    App, AppType, Instance, Layer, Permission, PermissionLevel, Stack, User, World,
};

/// What an id is made from besides the position of its entity.
#[derive(Debug, Clone)]
enum Flavour {
    /// `kind-stack-index`.
    Plain,
    /// `Kind-stack-index-Word`.
    Mixed(&'static str),
    /// UUID-shaped, with these random bytes.
    Uuid([u8; 16]),
}

fn flavour() -> impl Strategy<Value = Flavour> {
    one_of![
        3 => Just(Flavour::Plain),
        1 => select(vec!["Prod", "Web", "DB", "Api", "EU", "X"]).prop_map(Flavour::Mixed),
        2 => any::<[u8; 16]>().prop_map(Flavour::Uuid),
    ]
}

/// The kinds of ids, with their plain and mixed-case prefixes and their UUID nibble.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Stack,
    App,
    Layer,
    Instance,
}

impl Kind {
    fn words(self) -> (&'static str, &'static str, u8) {
        match self {
            Kind::Stack => ("stack", "Stack", 1),
            Kind::App => ("app", "App", 2),
            Kind::Layer => ("layer", "Layer", 3),
            Kind::Instance => ("instance", "Instance", 4),
        }
    }
}

/// The id of the entity of `kind` at `position` (the stack's index, then the entity's index in
/// its stack, for everything but stacks). Distinct positions or kinds give distinct ids: plain
/// ids start with a lower-case word, mixed ones with a capital, UUID-shaped ones with the
/// digit of their kind followed by the position in hex (every index is below 16).
fn name(kind: Kind, position: &[usize], flavour: &Flavour) -> String {
    let (plain, capital, nibble) = kind.words();
    let numbers: Vec<String> = position.iter().map(usize::to_string).collect();
    match flavour {
        Flavour::Plain => format!("{plain}-{}", numbers.join("-")),
        Flavour::Mixed(word) => format!("{capital}-{}-{word}", numbers.join("-")),
        Flavour::Uuid(bytes) => {
            let random = uuid::Builder::from_random_bytes(*bytes)
                .into_uuid()
                .to_string();
            let stack = position.first().copied().unwrap_or(0) & 0xf;
            let index = position.get(1).copied().unwrap_or(0) & 0xff;
            // Replace the first four hex digits: kind, stack, index.
            format!("{nibble:x}{stack:x}{index:02x}{}", &random[4..])
        }
    }
}

/// An app's shape: id flavour, type, stored versions.
type AppShape = (Flavour, AppType, u8);

/// An instance's shape: id flavour, and which of the stack's layers it is in (bit `l` for
/// layer `l`; bits beyond the stack's layers are ignored).
type InstanceShape = (Flavour, u8);

/// A stack's shape.
#[derive(Debug, Clone)]
struct StackShape {
    flavour: Flavour,
    apps: Vec<AppShape>,
    layers: Vec<Flavour>,
    instances: Vec<InstanceShape>,
}

fn stack_shape() -> impl Strategy<Value = StackShape> {
    let app = (flavour(), select(AppType::ALL.to_vec()), 1u8..=5);
    (
        flavour(),
        proptest::collection::vec(app, 0..=5),
        proptest::collection::vec(flavour(), 0..=4),
        proptest::collection::vec((flavour(), any::<u8>()), 0..=5),
    )
        .prop_map(|(flavour, apps, layers, instances)| StackShape {
            flavour,
            apps,
            layers,
            instances,
        })
}

/// The stacks of a shape, named.
fn build_stacks(shapes: Vec<StackShape>) -> Vec<Stack> {
    shapes
        .into_iter()
        .enumerate()
        .map(|(s, shape)| {
            let layers: Vec<Layer> = shape
                .layers
                .iter()
                .enumerate()
                .map(|(l, flavour)| Layer {
                    layer_id: name(Kind::Layer, &[s, l], flavour),
                })
                .collect();
            let instances = shape
                .instances
                .iter()
                .enumerate()
                .map(|(i, (flavour, mask))| Instance {
                    instance_id: name(Kind::Instance, &[s, i], flavour),
                    layer_ids: layers
                        .iter()
                        .enumerate()
                        .filter(|(l, _)| mask & (1 << l) != 0)
                        .map(|(_, layer)| layer.layer_id.clone())
                        .collect(),
                })
                .collect();
            Stack {
                stack_id: name(Kind::Stack, &[s], &shape.flavour),
                apps: shape
                    .apps
                    .iter()
                    .enumerate()
                    .map(|(a, (flavour, app_type, versions))| App {
                        app_id: name(Kind::App, &[s, a], flavour),
                        app_type: *app_type,
                        versions: *versions,
                    })
                    .collect(),
                layers,
                instances,
            }
        })
        .collect()
}

/// Random valid worlds without users (so no A-* rule applies), for every server-side rule: 1 to
/// 4 stacks, each with 0 to 5 apps (any type, 1 to 5 stored versions), 0 to 4 layers and 0 to
/// 5 instances in some of the stack's layers. Ids are unique across the world; some are
/// UUID-shaped, some mixed-case. Every world passes [`World::validate`].
#[must_use = "a strategy generates nothing until a runner draws from it"]
pub fn world() -> impl Strategy<Value = World> {
    proptest::collection::vec(stack_shape(), 1..=4).prop_map(|shapes| World {
        stacks: build_stacks(shapes),
        users: Vec::new(),
    })
}

/// The policy a user has attached.
#[derive(Debug, Clone)]
enum Policy {
    /// None.
    Nothing,
    /// `"*"`: every stack.
    Everywhere,
    /// The stacks whose bit is set (bits beyond the world's stacks are ignored).
    Stacks(u8),
}

/// A user's shape: access key suffix, secret, a level (or none) per stack, policy.
type UserShape = (String, String, Vec<Option<PermissionLevel>>, Policy);

fn user_shape() -> impl Strategy<Value = UserShape> {
    let policy = one_of![
        Just(Policy::Nothing),
        Just(Policy::Everywhere),
        any::<u8>().prop_map(Policy::Stacks),
    ];
    (
        regex!("[A-Z0-9]{14}"),
        regex!("[A-Za-z0-9/+]{40}"),
        proptest::collection::vec(maybe(select(PermissionLevel::ALL.to_vec())), 4),
        policy,
    )
}

/// The users of a shape, over these stacks. Access key ids are `AKIA`, the user's index in two
/// digits, then random capitals and digits: unique by construction.
fn build_users(shapes: Vec<UserShape>, stacks: &[Stack]) -> Vec<User> {
    shapes
        .into_iter()
        .enumerate()
        .map(|(u, (suffix, secret, levels, policy))| User {
            access_key_id: format!("AKIA{u:02}{suffix}"),
            secret_access_key: secret,
            permissions: stacks
                .iter()
                .zip(levels)
                .filter_map(|(stack, level)| {
                    level.map(|level| Permission {
                        stack_id: stack.stack_id.clone(),
                        level,
                    })
                })
                .collect(),
            policy_allows_create_deployment: match policy {
                Policy::Nothing => Vec::new(),
                Policy::Everywhere => vec!["*".to_owned()],
                Policy::Stacks(mask) => stacks
                    .iter()
                    .enumerate()
                    .filter(|(s, _)| mask & (1 << s) != 0)
                    .map(|(_, stack)| stack.stack_id.clone())
                    .collect(),
            },
        })
        .collect()
}

/// Random valid worlds with 1 to 6 users (so rules A-* apply: A-SIGNATURE-REQUIRED,
/// A-KEY-KNOWN, A-SIGNATURE-VALID, A-PERMISSION, M-POLICY-VS-DENY): the stacks of [`world`],
/// and users with a random level on each stack (any of the five, or no entry), an attached
/// policy that grants CreateDeployment on `"*"`, on some stacks or on none, and a non-empty
/// secret. Every world passes [`World::validate`].
#[must_use = "a strategy generates nothing until a runner draws from it"]
pub fn world_with_users() -> impl Strategy<Value = World> {
    (
        proptest::collection::vec(stack_shape(), 1..=4),
        proptest::collection::vec(user_shape(), 1..=6),
    )
        .prop_map(|(stack_shapes, user_shapes)| {
            let stacks = build_stacks(stack_shapes);
            let users = build_users(user_shapes, &stacks);
            World { stacks, users }
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::test_runner::Config;
    use std::collections::HashSet;

    proptest! {
        #![proptest_config(Config::with_cases(256))]

        #[test]
        fn worlds_are_valid(world in world()) {
            prop_assert!(world.validate().is_ok(), "{:?}", world.validate());
            prop_assert!(!world.has_users());
            prop_assert!((1..=4).contains(&world.stacks.len()));
            let ids = world.ids();
            let unique: HashSet<&String> = ids.iter().collect();
            prop_assert_eq!(unique.len(), ids.len());
            // The world file round-trips.
            prop_assert_eq!(World::from_json(&world.to_json_pretty()).unwrap(), world);
        }

        #[test]
        fn worlds_with_users_are_valid(world in world_with_users()) {
            prop_assert!(world.validate().is_ok(), "{:?}", world.validate());
            prop_assert!((1..=6).contains(&world.users.len()));
            for user in &world.users {
                prop_assert!(!user.secret_access_key.is_empty());
            }
            prop_assert_eq!(World::from_json(&world.to_json_pretty()).unwrap(), world);
        }
    }

    #[test]
    fn every_feature_appears() {
        use proptest::strategy::ValueTree;
        use proptest::test_runner::TestRunner;
        let mut runner = TestRunner::deterministic();
        let strategy = world_with_users();
        let worlds: Vec<World> = (0..200)
            .map(|_| strategy.new_tree(&mut runner).unwrap().current())
            .collect();
        let stacks = || worlds.iter().flat_map(|world| &world.stacks);
        let users = || worlds.iter().flat_map(|world| &world.users);
        assert!(stacks().any(|stack| stack.stack_id.starts_with("stack-")));
        assert!(stacks().any(|stack| stack.stack_id.starts_with("Stack-")));
        assert!(stacks().any(|stack| stack.stack_id.len() == 36));
        assert!(stacks().any(|stack| stack.apps.iter().any(|app| app.versions == 1)));
        assert!(stacks().any(|stack| stack.apps.iter().any(|app| app.app_type == AppType::Rails)));
        assert!(stacks().any(|stack| {
            stack
                .instances
                .iter()
                .any(|instance| instance.layer_ids.len() >= 2)
        }));
        for level in PermissionLevel::ALL {
            assert!(users().any(|user| user.permissions.iter().any(|p| p.level == level)));
        }
        assert!(users().any(|user| user.policy_allows_create_deployment == ["*"]));
        assert!(users().any(|user| user.policy_allows_create_deployment.is_empty()));
        assert!(users().any(|user| {
            user.policy_allows_create_deployment
                .first()
                .is_some_and(|granted| granted != "*")
        }));
        assert!(users().any(|user| user.permissions.len() < 2));
    }
}
