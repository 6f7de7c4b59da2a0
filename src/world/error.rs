//! Why a world file was refused.

use std::path::PathBuf;

use serde::Serialize;

use super::model::{AppType, PermissionLevel};

/// Why a world file (or a [`World`](super::World) built in code) was refused.
///
/// Every message has the form `world file: <member>: expected <what>, found <what>`, where
/// `<member>` is the path of the member in the world file, such as
/// `Stacks[1].Apps[0].Versions` (or, for a JSON syntax error, the line and column; for an
/// unreadable file, the file's path). Ids longer than 64 bytes are shortened in messages, and
/// secrets never appear in them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WorldError {
    /// The text is not JSON (`path` is then `line L column C`, or `(top level)`), or a member
    /// is missing, unknown, given twice or of the wrong type (`path` is the member's path).
    #[error("world file: {path}: {message}")]
    Json {
        /// Where: the member path (`Stacks[0].Apps[1].AppId`), `line L column C` for a syntax
        /// error, or `(top level)`.
        path: String,
        /// What was expected and what was found.
        message: String,
    },
    /// The world file could not be read.
    #[error("world file: {}: expected a readable file, found {message}", .path.display())]
    Io {
        /// The file's path.
        path: PathBuf,
        /// Why it could not be read.
        message: String,
    },
    /// An id is used twice: stack, app, layer and instance ids must each be unique across the
    /// whole world, access key ids across the users, and a stack may be named only once in an
    /// instance's `LayerIds` or a user's `Permissions`.
    #[error(
        "world file: {member}: expected an id not used before, found {} (already used at {first})",
        quoted(.id)
    )]
    DuplicateId {
        /// The member holding the second use, such as `Stacks[2].StackId`.
        member: String,
        /// The id.
        id: String,
        /// The member holding the first use.
        first: String,
    },
    /// An app's `Versions` is not an integer from 1 to 5.
    #[error("world file: {member}: expected an integer from 1 to 5, found {found}")]
    VersionsOutOfRange {
        /// The member, such as `Stacks[0].Apps[1].Versions`.
        member: String,
        /// The value found, as written in JSON.
        found: String,
    },
    /// An instance's `LayerIds` entry is a layer of another stack.
    #[error(
        "world file: {member}: expected a layer of the instance's own stack {}, found {}, a layer of stack {}",
        quoted(.stack_id),
        quoted(.layer_id),
        quoted(.layer_stack_id)
    )]
    InstanceLayerOfOtherStack {
        /// The member, such as `Stacks[0].Instances[1].LayerIds[0]`.
        member: String,
        /// The instance.
        instance_id: String,
        /// The instance's stack.
        stack_id: String,
        /// The layer named.
        layer_id: String,
        /// The stack that has the layer.
        layer_stack_id: String,
    },
    /// An instance's `LayerIds` entry is a layer of no stack of the world.
    #[error(
        "world file: {member}: expected a layer of the instance's own stack {}, found {}, a layer of no stack",
        quoted(.stack_id),
        quoted(.layer_id)
    )]
    UnknownLayer {
        /// The member, such as `Stacks[0].Instances[1].LayerIds[0]`.
        member: String,
        /// The instance.
        instance_id: String,
        /// The instance's stack.
        stack_id: String,
        /// The layer named.
        layer_id: String,
    },
    /// A user's permission names a stack that is not in the world.
    #[error(
        "world file: {member}: expected the id of a stack of the world, found {}",
        quoted(.stack_id)
    )]
    UnknownStackInPermission {
        /// The member, such as `Users[0].Permissions[1].StackId`.
        member: String,
        /// The stack id named.
        stack_id: String,
    },
    /// A `PolicyAllowsCreateDeployment` entry is neither `"*"` nor a stack of the world.
    #[error(
        "world file: {member}: expected \"*\" or the id of a stack of the world, found {}",
        quoted(.stack_id)
    )]
    UnknownStackInPolicy {
        /// The member, such as `Users[0].PolicyAllowsCreateDeployment[0]`.
        member: String,
        /// The entry found.
        stack_id: String,
    },
    /// An id (or a secret access key) is the empty string.
    #[error("world file: {member}: expected a non-empty string, found an empty string")]
    EmptyId {
        /// The member, such as `Stacks[0].StackId`.
        member: String,
    },
    /// A permission's `Level` is not one of the OpsWorks permission levels.
    #[error(
        "world file: {member}: expected one of {}, found {}",
        names(&PermissionLevel::ALL),
        quoted(.found)
    )]
    UnknownLevel {
        /// The member, such as `Users[0].Permissions[0].Level`.
        member: String,
        /// The level found.
        found: String,
    },
    /// An app's `Type` is not one of the OpsWorks app types.
    #[error(
        "world file: {member}: expected one of {}, found {}",
        names(&AppType::ALL),
        quoted(.found)
    )]
    UnknownAppType {
        /// The member, such as `Stacks[0].Apps[0].Type`.
        member: String,
        /// The type found.
        found: String,
    },
    /// A user's `SecretAccessKey` is read from an environment variable (`{"env": "VARIABLE"}`)
    /// that is not set, is empty or is not UTF-8. The value never appears in the message.
    #[error(
        "world file: {member}: expected the environment variable {} to hold the secret access key, found {found}",
        quoted(.variable)
    )]
    SecretVariable {
        /// The member, such as `Users[0].SecretAccessKey.env`.
        member: String,
        /// The variable's name.
        variable: String,
        /// What was found: `it is not set`, `it is empty`, `a value that is not UTF-8`.
        found: &'static str,
    },
}

impl WorldError {
    /// The path of the member the error is about (`Stacks[1].Apps[0].Versions`), or for a
    /// syntax error its line and column; `None` for an unreadable file.
    #[must_use]
    pub fn member(&self) -> Option<&str> {
        match self {
            WorldError::Json { path, .. } => Some(path),
            WorldError::Io { .. } => None,
            WorldError::DuplicateId { member, .. }
            | WorldError::VersionsOutOfRange { member, .. }
            | WorldError::InstanceLayerOfOtherStack { member, .. }
            | WorldError::UnknownLayer { member, .. }
            | WorldError::UnknownStackInPermission { member, .. }
            | WorldError::UnknownStackInPolicy { member, .. }
            | WorldError::EmptyId { member }
            | WorldError::UnknownLevel { member, .. }
            | WorldError::UnknownAppType { member, .. }
            | WorldError::SecretVariable { member, .. } => Some(member),
        }
    }
}

/// The longest text (in bytes) shown whole in a message.
const SHOWN_BYTES: usize = 64;

/// A text as shown in a message: quoted and escaped (no control characters reach a terminal),
/// shortened when longer than [`SHOWN_BYTES`].
pub(crate) fn quoted(text: &str) -> String {
    if text.len() <= SHOWN_BYTES {
        return format!("{text:?}");
    }
    let mut end = SHOWN_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let shown = text.get(..end).unwrap_or_default();
    format!("{shown:?}... ({} bytes)", text.len())
}

/// The JSON spellings of enum values, as `` `a`, `b`, `c` ``.
pub(crate) fn names<T: Serialize>(values: &[T]) -> String {
    values
        .iter()
        .filter_map(|value| match serde_json::to_value(value) {
            Ok(serde_json::Value::String(name)) => Some(format!("`{name}`")),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join(", ")
}
