//! The bundled worlds: `worlds/default.json` and `worlds/with-users.json`.

use std::sync::OnceLock;

use super::model::World;

/// The text of the bundled default world (`worlds/default.json`): three stacks, apps of every
/// type with 1 to 5 stored versions, several layers per stack, instances in one or two layers
/// and one in none, a stack without apps, and no users (requests need no signature).
pub const DEFAULT_WORLD_JSON: &str = include_str!("../../worlds/default.json");

/// The text of the bundled world with users (`worlds/with-users.json`): the stacks of
/// [`DEFAULT_WORLD_JSON`] plus users covering every permission level, a missing entry, and
/// policies granting CreateDeployment on one stack, on `"*"`, and on a stack where the level is
/// `deny`.
pub const WITH_USERS_WORLD_JSON: &str = include_str!("../../worlds/with-users.json");

impl World {
    /// The bundled default world ([`DEFAULT_WORLD_JSON`]): what `run` uses without `--world`.
    #[must_use]
    pub fn bundled() -> World {
        static PARSED: OnceLock<World> = OnceLock::new();
        PARSED
            .get_or_init(|| {
                // The file is ours and tests/world.rs proves it valid.
                World::from_json(DEFAULT_WORLD_JSON).expect("worlds/default.json is a valid world")
            })
            .clone()
    }

    /// The bundled world with users ([`WITH_USERS_WORLD_JSON`]): every request must be signed.
    #[must_use]
    pub fn bundled_with_users() -> World {
        static PARSED: OnceLock<World> = OnceLock::new();
        PARSED
            .get_or_init(|| {
                // The file is ours and tests/world.rs proves it valid.
                World::from_json(WITH_USERS_WORLD_JSON)
                    .expect("worlds/with-users.json is a valid world")
            })
            .clone()
    }
}
