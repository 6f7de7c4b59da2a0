//! Reading a CreateDeployment request: its JSON shape, then the checks that need no state.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde::de::{DeserializeOwned, Deserializer, Error as _};
use serde_json::{Map, Value};

/// An awsJson1_1 error: the `__type` and the `message` of the answer (always HTTP 400).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The error code (`ValidationException`, ...).
    pub code: &'static str,
    /// A human-readable message.
    pub message: String,
}

impl ApiError {
    /// A `ValidationException`: a member is missing or has a value the operation refuses.
    pub fn validation(message: impl Into<String>) -> Self {
        ApiError {
            code: "ValidationException",
            message: message.into(),
        }
    }

    /// A `ResourceNotFoundException`: an id names nothing in the stack.
    pub fn not_found(message: impl Into<String>) -> Self {
        ApiError {
            code: "ResourceNotFoundException",
            message: message.into(),
        }
    }

    /// A `SerializationException`: the body is not the JSON shape of the operation's input.
    pub fn serialization(message: impl Into<String>) -> Self {
        ApiError {
            code: "SerializationException",
            message: message.into(),
        }
    }

    /// An `UnknownOperationException`: not a CreateDeployment request.
    pub fn unknown_operation(message: impl Into<String>) -> Self {
        ApiError {
            code: "UnknownOperationException",
            message: message.into(),
        }
    }
}

/// The request body as the service model describes it. Every member is optional here so that
/// a missing required member is a `ValidationException` (not a serialization error); `null` is
/// read as absent.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Body {
    stack_id: Option<String>,
    app_id: Option<String>,
    instance_ids: Option<Vec<String>>,
    layer_ids: Option<Vec<String>>,
    // serde would also read a structure from a JSON array, positionally: only objects here.
    #[serde(default, deserialize_with = "object")]
    command: Option<Command>,
    comment: Option<String>,
    custom_json: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Command {
    name: Option<String>,
    args: Option<BTreeMap<String, Vec<String>>>,
}

/// Reads a structure only from a JSON object (or `null`).
fn object<'de, D: Deserializer<'de>, T: DeserializeOwned>(d: D) -> Result<Option<T>, D::Error> {
    match Option::<Map<String, Value>>::deserialize(d)? {
        None => Ok(None),
        Some(map) => T::deserialize(Value::Object(map))
            .map(Some)
            .map_err(D::Error::custom),
    }
}

/// The 12 commands: six that act on the stack, six that act on an app.
pub const STACK_COMMANDS: [&str; 6] = [
    "install_dependencies",
    "update_dependencies",
    "update_custom_cookbooks",
    "execute_recipes",
    "configure",
    "setup",
];

/// The commands that need an `AppId`.
pub const APP_COMMANDS: [&str; 6] = ["deploy", "rollback", "start", "stop", "restart", "undeploy"];

/// A request that passed every check that needs no state. Existence (and rollback depth) is
/// checked against the store by the handler.
#[derive(Debug, Clone)]
pub struct Request {
    /// `StackId`.
    pub stack_id: String,
    /// `AppId`, for app commands only (ignored on stack commands).
    pub app_id: Option<String>,
    /// `Command.Name`, one of the 12 names.
    pub command: &'static str,
    /// `Command.Args`.
    pub args: BTreeMap<String, Vec<String>>,
    /// `InstanceIds`.
    pub instance_ids: Vec<String>,
    /// `LayerIds`.
    pub layer_ids: Vec<String>,
    /// `Comment`.
    pub comment: Option<String>,
    /// `CustomJson`, checked to be a JSON object.
    pub custom_json: Option<String>,
}

/// Reads and checks a request body. An empty body is read as `{}`.
///
/// # Errors
/// `SerializationException` when the body is not a JSON object or a member has the wrong JSON
/// type; `ValidationException` when a member is missing or its value is refused.
pub fn parse(body: &[u8]) -> Result<Request, ApiError> {
    let body = if body.is_empty() {
        b"{}".as_slice()
    } else {
        body
    };
    // First a JSON object (serde would read a structure from an array too), then its members.
    let object: Map<String, Value> = serde_json::from_slice(body)
        .map_err(|error| ApiError::serialization(format!("expected a JSON object: {error}")))?;
    let body: Body = serde_json::from_value(Value::Object(object))
        .map_err(|error| ApiError::serialization(error.to_string()))?;

    let stack_id = body
        .stack_id
        .ok_or_else(|| ApiError::validation("StackId is required"))?;
    let command = body
        .command
        .ok_or_else(|| ApiError::validation("Command is required"))?;
    let name = command
        .name
        .ok_or_else(|| ApiError::validation("Command.Name is required"))?;
    let command_name = STACK_COMMANDS
        .iter()
        .chain(APP_COMMANDS.iter())
        .find(|known| **known == name)
        .copied()
        .ok_or_else(|| ApiError::validation(format!("Command.Name {name:?} is not a command")))?;
    let is_app_command = APP_COMMANDS.contains(&command_name);
    if is_app_command && body.app_id.is_none() {
        return Err(ApiError::validation(format!(
            "AppId is required for {command_name}"
        )));
    }
    if let Some(text) = &body.custom_json {
        check_custom_json(text)?;
    }
    let args = command.args.unwrap_or_default();
    check_args(command_name, &args)?;

    Ok(Request {
        stack_id,
        app_id: if is_app_command { body.app_id } else { None },
        command: command_name,
        args,
        instance_ids: body.instance_ids.unwrap_or_default(),
        layer_ids: body.layer_ids.unwrap_or_default(),
        comment: body.comment,
        custom_json: body.custom_json,
    })
}

/// `CustomJson` must be a JSON object, in text.
fn check_custom_json(text: &str) -> Result<(), ApiError> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(_)) => Ok(()),
        Ok(_) => Err(ApiError::validation("CustomJson must be a JSON object")),
        Err(error) => Err(ApiError::validation(format!(
            "CustomJson is not valid JSON: {error}"
        ))),
    }
}

/// Whether an argument is exactly `["true"]` or `["false"]`.
fn is_boolean(values: &[String]) -> bool {
    matches!(values, [value] if value == "true" || value == "false")
}

/// The arguments of the commands that take some. Arguments a command does not take are
/// ignored.
fn check_args(command: &str, args: &BTreeMap<String, Vec<String>>) -> Result<(), ApiError> {
    match command {
        "execute_recipes" => match args.get("recipes") {
            Some(recipes) if !recipes.is_empty() && recipes.iter().all(|r| !r.is_empty()) => Ok(()),
            _ => Err(ApiError::validation(
                "execute_recipes needs Args.recipes: a list of non-empty recipe names",
            )),
        },
        "deploy" => match args.get("migrate") {
            Some(migrate) if !is_boolean(migrate) => Err(ApiError::validation(
                "Args.migrate must be [\"true\"] or [\"false\"]",
            )),
            _ => Ok(()),
        },
        "update_dependencies" => {
            let allow_reboot = args.get("allow_reboot");
            if allow_reboot.is_some_and(|values| !is_boolean(values)) {
                return Err(ApiError::validation(
                    "Args.allow_reboot must be [\"true\"] or [\"false\"]",
                ));
            }
            match args.get("upgrade_os_to").map(Vec::as_slice) {
                None => Ok(()),
                Some([version]) if !version.is_empty() => {
                    if allow_reboot.is_some_and(|values| *values == ["true"]) {
                        Ok(())
                    } else {
                        Err(ApiError::validation(
                            "Args.upgrade_os_to needs Args.allow_reboot set to [\"true\"]",
                        ))
                    }
                }
                Some(_) => Err(ApiError::validation(
                    "Args.upgrade_os_to must be one non-empty version",
                )),
            }
        }
        _ => Ok(()),
    }
}
