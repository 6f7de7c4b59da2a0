//! The 12 deployment command names, which are stack and which are app commands, and their Args.

use std::fmt;
use std::str::FromStr;

/// Whether a command acts on the stack or on one app (which then needs an `AppId`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CommandKind {
    /// `install_dependencies`, `update_dependencies`, `update_custom_cookbooks`,
    /// `execute_recipes`, `configure`, `setup`.
    Stack,
    /// `deploy`, `rollback`, `start`, `stop`, `restart`, `undeploy`: `AppId` is required
    /// (V-APP-REQUIRED).
    App,
}

/// One of the 12 values of `DeploymentCommandName` (seed, model). Names are case-sensitive
/// (V-NAME-ENUM): `Deploy` or `deploy ` are not command names.
///
/// ```
/// use opsworks_conformance::contract::{CommandKind, CommandName};
/// let name: CommandName = "execute_recipes".parse().unwrap();
/// assert_eq!(name.kind(), CommandKind::Stack);
/// assert_eq!(name.args(), &["recipes"]);
/// assert!("Deploy".parse::<CommandName>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CommandName {
    /// Stack command: install the stack's dependencies.
    InstallDependencies,
    /// Stack command: update the stack's dependencies (Args `upgrade_os_to`, `allow_reboot`).
    UpdateDependencies,
    /// Stack command: update the stack's custom cookbooks.
    UpdateCustomCookbooks,
    /// Stack command: execute recipes (Args `recipes`).
    ExecuteRecipes,
    /// Stack command: run the configure lifecycle event.
    Configure,
    /// Stack command: run the setup lifecycle event.
    Setup,
    /// App command: deploy the app (Args `migrate`).
    Deploy,
    /// App command: roll the app back to its previous stored version (V-ROLLBACK-DEPTH).
    Rollback,
    /// App command: start the app's server.
    Start,
    /// App command: stop the app's server.
    Stop,
    /// App command: restart the app's server.
    Restart,
    /// App command: undeploy the app.
    Undeploy,
}

impl CommandName {
    /// All 12 names, stack commands first, in the model's order.
    pub const ALL: [CommandName; 12] = [
        CommandName::InstallDependencies,
        CommandName::UpdateDependencies,
        CommandName::UpdateCustomCookbooks,
        CommandName::ExecuteRecipes,
        CommandName::Configure,
        CommandName::Setup,
        CommandName::Deploy,
        CommandName::Rollback,
        CommandName::Start,
        CommandName::Stop,
        CommandName::Restart,
        CommandName::Undeploy,
    ];

    /// The name on the wire, for example `"update_custom_cookbooks"`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            CommandName::InstallDependencies => "install_dependencies",
            CommandName::UpdateDependencies => "update_dependencies",
            CommandName::UpdateCustomCookbooks => "update_custom_cookbooks",
            CommandName::ExecuteRecipes => "execute_recipes",
            CommandName::Configure => "configure",
            CommandName::Setup => "setup",
            CommandName::Deploy => "deploy",
            CommandName::Rollback => "rollback",
            CommandName::Start => "start",
            CommandName::Stop => "stop",
            CommandName::Restart => "restart",
            CommandName::Undeploy => "undeploy",
        }
    }

    /// Stack or app command.
    #[must_use]
    pub const fn kind(self) -> CommandKind {
        match self {
            CommandName::InstallDependencies
            | CommandName::UpdateDependencies
            | CommandName::UpdateCustomCookbooks
            | CommandName::ExecuteRecipes
            | CommandName::Configure
            | CommandName::Setup => CommandKind::Stack,
            CommandName::Deploy
            | CommandName::Rollback
            | CommandName::Start
            | CommandName::Stop
            | CommandName::Restart
            | CommandName::Undeploy => CommandKind::App,
        }
    }

    /// The `Args` keys the command takes (seed): `execute_recipes` takes `recipes`, `deploy`
    /// takes `migrate`, `update_dependencies` takes `upgrade_os_to` and `allow_reboot`; the
    /// others take none (M-ARGS-UNUSED, M-UNKNOWN-ARGS).
    #[must_use]
    pub const fn args(self) -> &'static [&'static str] {
        match self {
            CommandName::ExecuteRecipes => &["recipes"],
            CommandName::Deploy => &["migrate"],
            CommandName::UpdateDependencies => &["upgrade_os_to", "allow_reboot"],
            _ => &[],
        }
    }

    /// Whether `AppId` is required (an app command).
    #[must_use]
    pub const fn needs_app(self) -> bool {
        matches!(self.kind(), CommandKind::App)
    }
}

impl fmt::Display for CommandName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text is not exactly one of the 12 command names (V-NAME-ENUM).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("[V-NAME-ENUM] expected one of the 12 command names (case-sensitive), found {found:?}")]
pub struct UnknownCommandName {
    /// The text that was seen.
    pub found: String,
}

impl FromStr for CommandName {
    type Err = UnknownCommandName;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        CommandName::ALL
            .into_iter()
            .find(|name| name.as_str() == text)
            .ok_or_else(|| UnknownCommandName {
                found: text.to_owned(),
            })
    }
}

impl serde::Serialize for CommandName {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for CommandName {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}
