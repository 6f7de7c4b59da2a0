//! The world's types: stacks with apps, layers and instances, and users with permissions.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The state of a target: what exists and who may do what. Read from a world file
/// (see `docs/contract/INTERFACES.md`) with [`World::from_json`], or one of the bundled worlds
/// ([`World::bundled`], [`World::bundled_with_users`]).
///
/// It also holds the state that requests change: how many versions of each app are stored
/// (a successful `rollback` uses one up).
///
/// ```
/// use opsworks_conformance::world::World;
/// let world = World::from_json(r#"{"Stacks":[{"StackId":"s1","Apps":[{"AppId":"a1","Type":"php","Versions":2}]}]}"#).unwrap();
/// assert_eq!(world.stack("s1").and_then(|s| s.app("a1")).map(|a| a.versions), Some(2));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct World {
    /// The stacks, with their apps, layers and instances.
    #[serde(default)]
    pub stacks: Vec<Stack>,
    /// The users. Empty: requests need no signature. Not empty: rules A-* apply.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub users: Vec<User>,
}

/// A stack.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct Stack {
    /// The stack id.
    pub stack_id: String,
    /// The stack's apps.
    #[serde(default)]
    pub apps: Vec<App>,
    /// The stack's layers.
    #[serde(default)]
    pub layers: Vec<Layer>,
    /// The stack's instances.
    #[serde(default)]
    pub instances: Vec<Instance>,
}

/// An app of a stack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct App {
    /// The app id.
    pub app_id: String,
    /// The app type (`migrate` is for `rails` apps: M-MIGRATE-NON-RAILS).
    #[serde(rename = "Type")]
    pub app_type: AppType,
    /// How many versions are stored, the current one included (1 to 5, default 1).
    #[serde(default = "one")]
    pub versions: u8,
}

fn one() -> u8 {
    1
}

/// The OpsWorks app types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AppType {
    /// `aws-flow-ruby`
    #[serde(rename = "aws-flow-ruby")]
    AwsFlowRuby,
    /// `java`
    #[serde(rename = "java")]
    Java,
    /// `rails`
    #[serde(rename = "rails")]
    Rails,
    /// `php`
    #[serde(rename = "php")]
    Php,
    /// `nodejs`
    #[serde(rename = "nodejs")]
    Nodejs,
    /// `static`
    #[serde(rename = "static")]
    Static,
    /// `other`
    #[serde(rename = "other")]
    Other,
}

impl AppType {
    /// All seven app types.
    pub const ALL: [AppType; 7] = [
        AppType::AwsFlowRuby,
        AppType::Java,
        AppType::Rails,
        AppType::Php,
        AppType::Nodejs,
        AppType::Static,
        AppType::Other,
    ];

    /// The type's name as the service (and the world file) spells it.
    ///
    /// ```
    /// use opsworks_conformance::world::AppType;
    /// assert_eq!(AppType::AwsFlowRuby.as_str(), "aws-flow-ruby");
    /// assert_eq!(AppType::Rails.to_string(), "rails");
    /// ```
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            AppType::AwsFlowRuby => "aws-flow-ruby",
            AppType::Java => "java",
            AppType::Rails => "rails",
            AppType::Php => "php",
            AppType::Nodejs => "nodejs",
            AppType::Static => "static",
            AppType::Other => "other",
        }
    }
}

impl std::fmt::Display for AppType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A layer of a stack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct Layer {
    /// The layer id.
    pub layer_id: String,
}

/// An instance of a stack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct Instance {
    /// The instance id.
    pub instance_id: String,
    /// The layers (of the same stack) the instance belongs to.
    #[serde(default)]
    pub layer_ids: Vec<String>,
}

/// A user that signs requests (SigV4) with an access key.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct User {
    /// The access key id.
    pub access_key_id: String,
    /// The secret access key. Never printed: `Debug` redacts it.
    pub secret_access_key: String,
    /// The user's permission level per stack; no entry means no access.
    #[serde(default)]
    pub permissions: Vec<Permission>,
    /// Stack ids (or `"*"`) on which an attached policy grants CreateDeployment whatever the level.
    #[serde(default)]
    pub policy_allows_create_deployment: Vec<String>,
}

impl fmt::Debug for User {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("User")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .field("permissions", &self.permissions)
            .field(
                "policy_allows_create_deployment",
                &self.policy_allows_create_deployment,
            )
            .finish()
    }
}

/// A user's permission level on one stack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct Permission {
    /// The stack.
    pub stack_id: String,
    /// The level.
    pub level: PermissionLevel,
}

/// OpsWorks permission levels. Only `deploy` and `manage` allow CreateDeployment by themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PermissionLevel {
    /// `deny`: explicitly no access.
    Deny,
    /// `show`: read-only.
    Show,
    /// `deploy`: may deploy.
    Deploy,
    /// `manage`: full control.
    Manage,
    /// `iam_only`: only attached policies decide.
    IamOnly,
}

impl PermissionLevel {
    /// All five levels.
    pub const ALL: [PermissionLevel; 5] = [
        PermissionLevel::Deny,
        PermissionLevel::Show,
        PermissionLevel::Deploy,
        PermissionLevel::Manage,
        PermissionLevel::IamOnly,
    ];

    /// Whether the level by itself allows CreateDeployment (`deploy`, `manage`).
    #[must_use]
    pub const fn allows_deploy(self) -> bool {
        matches!(self, PermissionLevel::Deploy | PermissionLevel::Manage)
    }
}

impl World {
    /// The stack with exactly this id (no trimming, no case folding).
    #[must_use]
    pub fn stack(&self, stack_id: &str) -> Option<&Stack> {
        self.stacks.iter().find(|stack| stack.stack_id == stack_id)
    }

    /// The stack that has an app with exactly this id, if any.
    #[must_use]
    pub fn stack_of_app(&self, app_id: &str) -> Option<&Stack> {
        self.stacks.iter().find(|stack| stack.app(app_id).is_some())
    }

    /// The stack that has a layer with exactly this id, if any.
    #[must_use]
    pub fn stack_of_layer(&self, layer_id: &str) -> Option<&Stack> {
        self.stacks
            .iter()
            .find(|stack| stack.layer(layer_id).is_some())
    }

    /// The stack that has an instance with exactly this id, if any.
    #[must_use]
    pub fn stack_of_instance(&self, instance_id: &str) -> Option<&Stack> {
        self.stacks
            .iter()
            .find(|stack| stack.instance(instance_id).is_some())
    }

    /// Every id of the world (stacks, apps, layers, instances), in order.
    #[must_use]
    pub fn ids(&self) -> Vec<String> {
        self.stacks
            .iter()
            .flat_map(|stack| {
                std::iter::once(stack.stack_id.clone())
                    .chain(stack.apps.iter().map(|app| app.app_id.clone()))
                    .chain(stack.layers.iter().map(|layer| layer.layer_id.clone()))
                    .chain(
                        stack
                            .instances
                            .iter()
                            .map(|instance| instance.instance_id.clone()),
                    )
            })
            .collect()
    }

    /// Whether the world declares users (then every request must be signed: rules A-*).
    #[must_use]
    pub fn has_users(&self) -> bool {
        !self.users.is_empty()
    }

    /// The user with exactly this access key id.
    #[must_use]
    pub fn user(&self, access_key_id: &str) -> Option<&User> {
        self.users
            .iter()
            .find(|user| user.access_key_id == access_key_id)
    }

    /// The app with these ids, mutable (the state that requests change).
    pub fn app_mut(&mut self, stack_id: &str, app_id: &str) -> Option<&mut App> {
        self.stacks
            .iter_mut()
            .find(|stack| stack.stack_id == stack_id)?
            .apps
            .iter_mut()
            .find(|app| app.app_id == app_id)
    }

    /// Uses up one stored version of the app, as a successful `rollback` does. Returns whether a
    /// version was used up (`false` when only the current version is left, or no such app).
    pub fn roll_back(&mut self, stack_id: &str, app_id: &str) -> bool {
        match self.app_mut(stack_id, app_id) {
            Some(app) if app.versions > 1 => {
                app.versions -= 1;
                true
            }
            _ => false,
        }
    }
}

impl Stack {
    /// The app of this stack with exactly this id.
    #[must_use]
    pub fn app(&self, app_id: &str) -> Option<&App> {
        self.apps.iter().find(|app| app.app_id == app_id)
    }

    /// The layer of this stack with exactly this id.
    #[must_use]
    pub fn layer(&self, layer_id: &str) -> Option<&Layer> {
        self.layers.iter().find(|layer| layer.layer_id == layer_id)
    }

    /// The instance of this stack with exactly this id.
    #[must_use]
    pub fn instance(&self, instance_id: &str) -> Option<&Instance> {
        self.instances
            .iter()
            .find(|instance| instance.instance_id == instance_id)
    }
}

impl User {
    /// The user's level on a stack; `None` when there is no entry (no access).
    #[must_use]
    pub fn level_on(&self, stack_id: &str) -> Option<PermissionLevel> {
        self.permissions
            .iter()
            .find(|permission| permission.stack_id == stack_id)
            .map(|permission| permission.level)
    }

    /// Whether an attached policy grants CreateDeployment on the stack (its id or `"*"` listed).
    #[must_use]
    pub fn policy_allows(&self, stack_id: &str) -> bool {
        self.policy_allows_create_deployment
            .iter()
            .any(|granted| granted == "*" || granted == stack_id)
    }
}
