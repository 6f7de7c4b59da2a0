//! The mock's state: stacks with their apps, layers and instances, and the deployments made.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// The most versions OpsWorks Stacks stores for an app (the current one included).
pub const MAX_STORED_VERSIONS: u32 = 5;

/// The mock's in-memory state, shared by every clone: the router's handlers and the test that
/// built it see the same stacks and deployments.
///
/// ```
/// let store = axum_mock::Store::new();
/// store.add_stack("s1");
/// store.add_app("s1", "a1", "rails", 3).unwrap();
/// store.add_layer("s1", "l1").unwrap();
/// store.add_instance("s1", "i1", &["l1"]).unwrap();
/// assert_eq!(store.stored_versions("s1", "a1"), Some(3));
/// assert!(store.deployments().is_empty());
/// ```
#[derive(Debug, Clone, Default)]
pub struct Store {
    state: Arc<Mutex<State>>,
}

/// Everything behind the store's lock.
#[derive(Debug, Default)]
pub(crate) struct State {
    pub(crate) stacks: BTreeMap<String, Stack>,
    pub(crate) deployments: Vec<Deployment>,
}

/// A stack.
#[derive(Debug, Default)]
pub(crate) struct Stack {
    pub(crate) apps: BTreeMap<String, App>,
    pub(crate) layers: BTreeSet<String>,
    /// Instance id to the layers it belongs to.
    pub(crate) instances: BTreeMap<String, Vec<String>>,
}

/// An app and the versions stored for it.
#[derive(Debug)]
pub(crate) struct App {
    /// `rails`, `php`, `nodejs`, ...
    pub(crate) app_type: String,
    /// Stored version numbers, oldest first; the last one is the current version. A `rollback`
    /// drops the current one, so it needs at least one earlier version.
    pub(crate) versions: Vec<u32>,
}

/// A deployment the mock accepted, as it recorded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deployment {
    /// The id answered to the caller.
    pub deployment_id: String,
    /// The stack.
    pub stack_id: String,
    /// The app, for app commands (ignored on stack commands).
    pub app_id: Option<String>,
    /// The command name (`deploy`, `execute_recipes`, ...).
    pub command: String,
    /// The command's arguments.
    pub args: BTreeMap<String, Vec<String>>,
    /// The instances targeted (empty: the whole stack).
    pub instance_ids: Vec<String>,
    /// The layers targeted.
    pub layer_ids: Vec<String>,
    /// The user's comment.
    pub comment: Option<String>,
    /// The custom JSON, as sent.
    pub custom_json: Option<String>,
}

/// Why the store refused to add something.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreError {
    /// No stack with this id.
    UnknownStack(String),
    /// No layer with this id in the stack.
    UnknownLayer(String),
    /// An app must have between 1 and [`MAX_STORED_VERSIONS`] stored versions.
    VersionCount(u32),
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::UnknownStack(id) => write!(f, "no stack {id:?}"),
            StoreError::UnknownLayer(id) => write!(f, "no layer {id:?} in that stack"),
            StoreError::VersionCount(count) => write!(
                f,
                "an app stores 1 to {MAX_STORED_VERSIONS} versions, not {count}"
            ),
        }
    }
}

impl std::error::Error for StoreError {}

impl Store {
    /// An empty store.
    #[must_use]
    pub fn new() -> Self {
        Store::default()
    }

    /// Locks the state. A handler that panicked while holding the lock changed nothing (every
    /// check runs before the first change), so a poisoned lock is still usable.
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Adds a stack (nothing happens if it exists).
    pub fn add_stack(&self, stack_id: &str) {
        self.lock().stacks.entry(stack_id.to_owned()).or_default();
    }

    /// Adds an app of type `app_type` to a stack, with `stored_versions` versions stored (the
    /// current one included: 1 means nothing to roll back to).
    ///
    /// # Errors
    /// When the stack does not exist or the version count is not 1 to 5.
    pub fn add_app(
        &self,
        stack_id: &str,
        app_id: &str,
        app_type: &str,
        stored_versions: u32,
    ) -> Result<(), StoreError> {
        if !(1..=MAX_STORED_VERSIONS).contains(&stored_versions) {
            return Err(StoreError::VersionCount(stored_versions));
        }
        let mut state = self.lock();
        let stack = stack_mut(&mut state, stack_id)?;
        let app = App {
            app_type: app_type.to_owned(),
            versions: (1..=stored_versions).collect(),
        };
        stack.apps.insert(app_id.to_owned(), app);
        Ok(())
    }

    /// Adds a layer to a stack.
    ///
    /// # Errors
    /// When the stack does not exist.
    pub fn add_layer(&self, stack_id: &str, layer_id: &str) -> Result<(), StoreError> {
        let mut state = self.lock();
        stack_mut(&mut state, stack_id)?
            .layers
            .insert(layer_id.to_owned());
        Ok(())
    }

    /// Adds an instance to a stack, in some of the stack's layers.
    ///
    /// # Errors
    /// When the stack, or one of the layers in it, does not exist.
    pub fn add_instance(
        &self,
        stack_id: &str,
        instance_id: &str,
        layer_ids: &[&str],
    ) -> Result<(), StoreError> {
        let mut state = self.lock();
        let stack = stack_mut(&mut state, stack_id)?;
        if let Some(missing) = layer_ids.iter().find(|id| !stack.layers.contains(**id)) {
            return Err(StoreError::UnknownLayer((*missing).to_owned()));
        }
        let layers = layer_ids.iter().map(|id| (*id).to_owned()).collect();
        stack.instances.insert(instance_id.to_owned(), layers);
        Ok(())
    }

    /// How many versions of an app are stored, the current one included.
    #[must_use]
    pub fn stored_versions(&self, stack_id: &str, app_id: &str) -> Option<usize> {
        let state = self.lock();
        let app = state.stacks.get(stack_id)?.apps.get(app_id)?;
        Some(app.versions.len())
    }

    /// The type an app was added with.
    #[must_use]
    pub fn app_type(&self, stack_id: &str, app_id: &str) -> Option<String> {
        let state = self.lock();
        let app = state.stacks.get(stack_id)?.apps.get(app_id)?;
        Some(app.app_type.clone())
    }

    /// The deployments accepted so far, oldest first.
    #[must_use]
    pub fn deployments(&self) -> Vec<Deployment> {
        self.lock().deployments.clone()
    }
}

fn stack_mut<'s>(state: &'s mut State, stack_id: &str) -> Result<&'s mut Stack, StoreError> {
    state
        .stacks
        .get_mut(stack_id)
        .ok_or_else(|| StoreError::UnknownStack(stack_id.to_owned()))
}
