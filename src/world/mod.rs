//! The world: what exists in the target before a run, who may do what, and the state that
//! requests change.

mod bundled;
mod error;
mod model;
mod parse;

pub use bundled::{DEFAULT_WORLD_JSON, WITH_USERS_WORLD_JSON};
pub use error::WorldError;
pub use model::{App, AppType, Instance, Layer, Permission, PermissionLevel, Stack, User, World};
