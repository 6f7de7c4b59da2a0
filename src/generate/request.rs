//! Valid requests: ones that break no MUST or SHOULD rule and are none of the MAY cases.

use proptest::prelude::*;
use proptest::sample::subsequence;
use proptest::strategy::BoxedStrategy;

use crate::contract::{CommandKind, CommandName, CreateDeploymentInput, Signing};
use crate::generate::args::valid_args;
use crate::generate::case::Case;
use crate::generate::custom_json::valid_custom_json;
use crate::generate::one_of::{OneOf, maybe};
use crate::generate::text::comment;
use crate::world::{AppType, PermissionLevel, Stack, World};

/// The (stack, signing) pairs that may deploy: every stack, unsigned, in a world without users;
/// in a world with users, each user whose level (`deploy`, `manage`) or attached policy (unless
/// the level is `deny`: M-POLICY-VS-DENY) allows CreateDeployment on the stack.
#[must_use]
pub fn allowed_pairs(world: &World) -> Vec<(String, Signing)> {
    let mut pairs = Vec::new();
    for stack in &world.stacks {
        if !world.has_users() {
            pairs.push((stack.stack_id.clone(), Signing::Unsigned));
            continue;
        }
        for user in &world.users {
            let level = user.level_on(&stack.stack_id);
            let by_level = level.is_some_and(PermissionLevel::allows_deploy);
            let by_policy =
                user.policy_allows(&stack.stack_id) && level != Some(PermissionLevel::Deny);
            if by_level || by_policy {
                pairs.push((
                    stack.stack_id.clone(),
                    Signing::As(user.access_key_id.clone()),
                ));
            }
        }
    }
    pairs
}

/// The commands a valid request on this stack can carry, with the app (and its type) for app
/// commands. `rollback` only for apps with an earlier stored version (V-ROLLBACK-DEPTH).
fn command_choices(stack: &Stack) -> Vec<(CommandName, Option<(String, AppType)>)> {
    let mut choices = Vec::new();
    for name in CommandName::ALL {
        match name.kind() {
            CommandKind::Stack => choices.push((name, None)),
            CommandKind::App => {
                for app in &stack.apps {
                    if name == CommandName::Rollback && app.versions <= 1 {
                        continue;
                    }
                    choices.push((name, Some((app.app_id.clone(), app.app_type))));
                }
            }
        }
    }
    choices
}

/// Valid typed requests on one stack: all commands the stack allows, every optional member
/// present and absent, several instances and layers at once, comments and custom JSON with
/// multi-byte text and nesting. Shrinks towards fewer members.
pub fn valid_input(stack: &Stack) -> BoxedStrategy<CreateDeploymentInput> {
    let stack_id = stack.stack_id.clone();
    let instances: Vec<String> = stack
        .instances
        .iter()
        .map(|instance| instance.instance_id.clone())
        .collect();
    let layers: Vec<String> = stack
        .layers
        .iter()
        .map(|layer| layer.layer_id.clone())
        .collect();
    let choices = command_choices(stack);
    // Built once, not for every value: the same values, far cheaper.
    let instances = non_empty_subset(instances);
    let layers = non_empty_subset(layers);
    let comments = maybe(comment()).boxed();
    let custom_json = maybe(valid_custom_json()).boxed();
    proptest::sample::select(choices)
        .prop_flat_map(move |(name, app)| {
            let app_type = app.as_ref().map(|(_, app_type)| *app_type);
            (
                Just((name, app.map(|(app_id, _)| app_id))),
                valid_args(name, app_type),
                instances.clone(),
                layers.clone(),
                comments.clone(),
                custom_json.clone(),
            )
        })
        .prop_map(
            move |((name, app_id), args, instance_ids, layer_ids, comment, custom_json)| {
                let mut input = CreateDeploymentInput::new(stack_id.clone(), name);
                input.app_id = app_id;
                if let Some(command) = input.command.as_mut() {
                    command.args = args;
                }
                input.instance_ids = instance_ids;
                input.layer_ids = layer_ids;
                input.comment = comment;
                input.custom_json = custom_json;
                input
            },
        )
        .boxed()
}

/// `None`, or a non-empty subset of the ids (no duplicates: M-DUPLICATE-IDS; never empty:
/// M-EMPTY-LISTS), in random order.
fn non_empty_subset(ids: Vec<String>) -> BoxedStrategy<Option<Vec<String>>> {
    if ids.is_empty() {
        return Just(None).boxed();
    }
    let size = ids.len();
    maybe(subsequence(ids, 1..=size).prop_shuffle()).boxed()
}

/// Valid requests in this world (`S-ACCEPT-VALID`), signed by a user allowed on the stack when
/// the world has users. `None` when no valid request exists (a world with users of whom none
/// may deploy anywhere).
///
/// ```
/// use opsworks_conformance::generate::valid_request;
/// use opsworks_conformance::oracle::judge_request;
/// use opsworks_conformance::world::World;
/// use proptest::strategy::{Strategy, ValueTree};
/// use proptest::test_runner::TestRunner;
///
/// let world = World::bundled_with_users();
/// let mut runner = TestRunner::deterministic();
/// let strategy = valid_request(&world).unwrap();
/// for _ in 0..20 {
///     let case = strategy.new_tree(&mut runner).unwrap().current();
///     assert!(judge_request(&world, &case.request, &case.caller()).is_valid());
/// }
/// ```
#[must_use]
pub fn valid_request(world: &World) -> Option<BoxedStrategy<Case>> {
    Some(
        valid_pairs(world)?
            .prop_map(|(input, signing)| Case::valid("valid", input, signing))
            .boxed(),
    )
}

/// The typed requests of [`valid_request`] with their signing, not serialised yet (the same
/// draws, so the same values).
pub(crate) fn valid_pairs(
    world: &World,
) -> Option<BoxedStrategy<(CreateDeploymentInput, Signing)>> {
    let pairs = allowed_pairs(world);
    if pairs.is_empty() {
        return None;
    }
    let strategies: Vec<BoxedStrategy<(CreateDeploymentInput, Signing)>> = pairs
        .into_iter()
        .filter_map(|(stack_id, signing)| {
            let stack = world.stack(&stack_id)?;
            Some(
                valid_input(stack)
                    .prop_map(move |input| (input, signing.clone()))
                    .boxed(),
            )
        })
        .collect();
    Some(OneOf::uniform(strategies).boxed())
}
