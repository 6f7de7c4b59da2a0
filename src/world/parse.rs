//! Reading, checking and writing world files.
//!
//! Reading goes in three steps: the text is parsed into a plain JSON tree (serde_json's
//! recursion limit refuses deep nesting; duplicate members are kept so that they can be
//! refused), the tree is checked against the world file's shape so that an error can name the
//! member, then it is turned into a [`World`] with serde and the world's rules are checked
//! ([`World::validate`]). Nothing here recurses over the input beyond serde_json's limit.

use std::collections::HashMap;
use std::fmt;
use std::io::Read;
use std::path::Path;
use std::str::FromStr;

use serde::de::value::{Error as ValueError, StrDeserializer};
use serde::de::{self, Deserialize, Deserializer, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Number, Value};

use super::error::{WorldError, quoted};
use super::model::{AppType, PermissionLevel, World};

/// How the top of the document is named in messages.
const ROOT: &str = "(top level)";

/// The largest world file [`World::from_file`] reads (256 MiB): `/dev/zero` is refused, not
/// read forever.
const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

impl World {
    /// Reads a world from the text of a world file (see `docs/contract/INTERFACES.md`, "World file"), then
    /// checks it ([`World::validate`]). A leading byte order mark is ignored.
    ///
    /// # Errors
    /// A [`WorldError`] naming the member at fault when the text is not JSON, does not have the
    /// shape of a world file, or breaks one of the world's rules.
    ///
    /// A user's `SecretAccessKey` may be `{"env": "VARIABLE"}`: the secret is then read from
    /// that environment variable now (see [`World::from_json_with_env`]).
    pub fn from_json(text: &str) -> Result<World, WorldError> {
        World::from_json_with_env(text, |name| std::env::var_os(name))
    }

    /// [`World::from_json`], reading the secrets given as `{"env": "VARIABLE"}` through `env`
    /// instead of the process's environment (`env(name)` is `None` when the variable is not
    /// set). The secret's value never appears in an error.
    ///
    /// ```
    /// use opsworks_conformance::world::World;
    /// let text = r#"{"Users": [{"AccessKeyId": "AKIDDEPLOYER", "SecretAccessKey": {"env": "DEPLOYER_SECRET"}}]}"#;
    /// let world = World::from_json_with_env(text, |name| {
    ///     (name == "DEPLOYER_SECRET").then(|| "from-the-environment".into())
    /// })
    /// .unwrap();
    /// assert_eq!(world.users[0].secret_access_key, "from-the-environment");
    /// let unset = World::from_json_with_env(text, |_| None).unwrap_err();
    /// assert_eq!(unset.member(), Some("Users[0].SecretAccessKey.env"));
    /// ```
    ///
    /// # Errors
    /// As [`World::from_json`], and [`WorldError::SecretVariable`] when a variable a secret is
    /// read from is not set, empty or not UTF-8.
    pub fn from_json_with_env(
        text: &str,
        env: impl Fn(&str) -> Option<std::ffi::OsString>,
    ) -> Result<World, WorldError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        if text
            .bytes()
            .all(|byte| matches!(byte, b' ' | b'\t' | b'\n' | b'\r'))
        {
            return Err(json_error(
                "",
                "expected a JSON object, found no text".to_owned(),
            ));
        }
        let mut node: Node = serde_json::from_str(text).map_err(syntax_error)?;
        check_world(&node)?;
        resolve_secrets(&mut node, &env)?;
        let world: World =
            serde_json::from_value(node.into_value()).map_err(|error| WorldError::Json {
                path: ROOT.to_owned(),
                message: format!("expected a world, found an error: {error}"),
            })?;
        world.validate()?;
        Ok(world)
    }

    /// Reads a world from the bytes of a world file, which must be UTF-8; see
    /// [`World::from_json`].
    ///
    /// # Errors
    /// As [`World::from_json`], and when the bytes are not UTF-8.
    pub fn from_slice(bytes: &[u8]) -> Result<World, WorldError> {
        match std::str::from_utf8(bytes) {
            Ok(text) => World::from_json(text),
            Err(error) => Err(json_error(
                "",
                format!(
                    "expected UTF-8 text, found a byte that is not UTF-8 at offset {}",
                    error.valid_up_to()
                ),
            )),
        }
    }

    /// Reads a world from a world file; see [`World::from_json`].
    ///
    /// # Errors
    /// [`WorldError::Io`] when the file cannot be read (or is larger than 256 MiB), otherwise as
    /// [`World::from_slice`].
    pub fn from_file(path: impl AsRef<Path>) -> Result<World, WorldError> {
        let path = path.as_ref();
        let io_error = |message: String| WorldError::Io {
            path: path.to_path_buf(),
            message,
        };
        let file = std::fs::File::open(path).map_err(|error| io_error(error.to_string()))?;
        let mut bytes = Vec::new();
        file.take(MAX_FILE_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|error| io_error(error.to_string()))?;
        if u64::try_from(bytes.len()).map_or(true, |length| length > MAX_FILE_BYTES) {
            return Err(io_error(format!(
                "a file larger than {MAX_FILE_BYTES} bytes"
            )));
        }
        World::from_slice(&bytes)
    }

    /// Checks the world's rules: ids are not empty; stack, app, layer and instance ids are each
    /// unique across the whole world and access key ids across the users; `Versions` is 1 to 5;
    /// an instance's `LayerIds` are layers of its own stack, each named once; permissions name
    /// stacks of the world, each once per user; `PolicyAllowsCreateDeployment` entries are `"*"`
    /// or stacks of the world; secret access keys are not empty. The first problem in document
    /// order is reported (ids first, then references).
    ///
    /// # Errors
    /// A [`WorldError`] naming the member at fault.
    pub fn validate(&self) -> Result<(), WorldError> {
        let mut stack_ids: HashMap<&str, String> = HashMap::new();
        let mut app_ids: HashMap<&str, String> = HashMap::new();
        let mut layer_ids: HashMap<&str, String> = HashMap::new();
        let mut instance_ids: HashMap<&str, String> = HashMap::new();
        // Which stack each layer belongs to.
        let mut layer_stacks: HashMap<&str, &str> = HashMap::new();

        for (s, stack) in self.stacks.iter().enumerate() {
            let stack_path = format!("Stacks[{s}]");
            unique(
                &mut stack_ids,
                &stack.stack_id,
                format!("{stack_path}.StackId"),
            )?;
            for (a, app) in stack.apps.iter().enumerate() {
                let app_path = format!("{stack_path}.Apps[{a}]");
                unique(&mut app_ids, &app.app_id, format!("{app_path}.AppId"))?;
                if !(1..=5).contains(&app.versions) {
                    return Err(WorldError::VersionsOutOfRange {
                        member: format!("{app_path}.Versions"),
                        found: app.versions.to_string(),
                    });
                }
            }
            for (l, layer) in stack.layers.iter().enumerate() {
                unique(
                    &mut layer_ids,
                    &layer.layer_id,
                    format!("{stack_path}.Layers[{l}].LayerId"),
                )?;
                layer_stacks.insert(&layer.layer_id, &stack.stack_id);
            }
            for (i, instance) in stack.instances.iter().enumerate() {
                unique(
                    &mut instance_ids,
                    &instance.instance_id,
                    format!("{stack_path}.Instances[{i}].InstanceId"),
                )?;
            }
        }

        for (s, stack) in self.stacks.iter().enumerate() {
            for (i, instance) in stack.instances.iter().enumerate() {
                let mut named: HashMap<&str, String> = HashMap::new();
                for (l, layer_id) in instance.layer_ids.iter().enumerate() {
                    let member = format!("Stacks[{s}].Instances[{i}].LayerIds[{l}]");
                    unique(&mut named, layer_id, member.clone())?;
                    match layer_stacks.get(layer_id.as_str()) {
                        Some(&owner) if owner == stack.stack_id => {}
                        Some(&owner) => {
                            return Err(WorldError::InstanceLayerOfOtherStack {
                                member,
                                instance_id: instance.instance_id.clone(),
                                stack_id: stack.stack_id.clone(),
                                layer_id: layer_id.clone(),
                                layer_stack_id: owner.to_owned(),
                            });
                        }
                        None => {
                            return Err(WorldError::UnknownLayer {
                                member,
                                instance_id: instance.instance_id.clone(),
                                stack_id: stack.stack_id.clone(),
                                layer_id: layer_id.clone(),
                            });
                        }
                    }
                }
            }
        }

        let mut access_key_ids: HashMap<&str, String> = HashMap::new();
        for (u, user) in self.users.iter().enumerate() {
            let user_path = format!("Users[{u}]");
            unique(
                &mut access_key_ids,
                &user.access_key_id,
                format!("{user_path}.AccessKeyId"),
            )?;
            if user.secret_access_key.is_empty() {
                return Err(WorldError::EmptyId {
                    member: format!("{user_path}.SecretAccessKey"),
                });
            }
            let mut permitted: HashMap<&str, String> = HashMap::new();
            for (p, permission) in user.permissions.iter().enumerate() {
                let member = format!("{user_path}.Permissions[{p}].StackId");
                unique(&mut permitted, &permission.stack_id, member.clone())?;
                if !stack_ids.contains_key(permission.stack_id.as_str()) {
                    return Err(WorldError::UnknownStackInPermission {
                        member,
                        stack_id: permission.stack_id.clone(),
                    });
                }
            }
            for (g, granted) in user.policy_allows_create_deployment.iter().enumerate() {
                let member = format!("{user_path}.PolicyAllowsCreateDeployment[{g}]");
                if granted == "*" {
                    continue;
                }
                if granted.is_empty() {
                    return Err(WorldError::EmptyId { member });
                }
                if !stack_ids.contains_key(granted.as_str()) {
                    return Err(WorldError::UnknownStackInPolicy {
                        member,
                        stack_id: granted.clone(),
                    });
                }
            }
        }
        Ok(())
    }

    /// The world as a world file: pretty-printed JSON (two-space indent, no final newline) that
    /// [`World::from_json`] reads back as the same world.
    #[must_use]
    pub fn to_json_pretty(&self) -> String {
        // A World holds only strings, small integers and unit enum values, which serde_json
        // always serializes.
        serde_json::to_string_pretty(self).expect("a World always serializes to JSON")
    }
}

impl FromStr for World {
    type Err = WorldError;

    /// Same as [`World::from_json`].
    fn from_str(text: &str) -> Result<World, WorldError> {
        World::from_json(text)
    }
}

/// Records a use of an id: refuses it when empty or already used (naming the first use).
fn unique<'a>(
    seen: &mut HashMap<&'a str, String>,
    id: &'a str,
    member: String,
) -> Result<(), WorldError> {
    if id.is_empty() {
        return Err(WorldError::EmptyId { member });
    }
    if let Some(first) = seen.get(id) {
        return Err(WorldError::DuplicateId {
            member,
            id: id.to_owned(),
            first: first.clone(),
        });
    }
    seen.insert(id, member);
    Ok(())
}

/// A [`WorldError::Json`] at a member path (`""` is the top level).
fn json_error(path: &str, message: String) -> WorldError {
    WorldError::Json {
        path: if path.is_empty() {
            ROOT.to_owned()
        } else {
            path.to_owned()
        },
        message,
    }
}

/// A JSON syntax error (including nesting deeper than serde_json's recursion limit).
fn syntax_error(error: serde_json::Error) -> WorldError {
    let (line, column) = (error.line(), error.column());
    let full = error.to_string();
    let suffix = format!(" at line {line} column {column}");
    let what = full.strip_suffix(suffix.as_str()).unwrap_or(&full);
    let found = if error.is_eof() {
        format!("the end of the text ({what})")
    } else if what.contains("recursion limit") {
        format!("values nested too deep ({what})")
    } else {
        format!("a syntax error ({what})")
    };
    WorldError::Json {
        path: if line == 0 {
            ROOT.to_owned()
        } else {
            format!("line {line} column {column}")
        },
        message: format!("expected valid JSON, found {found}"),
    }
}

// ---------------------------------------------------------------------------------------------
// The JSON tree.

/// A JSON value that keeps an object's members in order, duplicates included.
enum Node {
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    Array(Vec<Node>),
    Object(Vec<(String, Node)>),
}

impl Node {
    /// The same value as a `serde_json::Value` (called once the shape is checked, so it
    /// recurses at most as deep as a world file goes).
    fn into_value(self) -> Value {
        match self {
            Node::Null => Value::Null,
            Node::Bool(value) => Value::Bool(value),
            Node::Number(value) => Value::Number(value),
            Node::String(value) => Value::String(value),
            Node::Array(items) => Value::Array(items.into_iter().map(Node::into_value).collect()),
            Node::Object(members) => Value::Object(
                members
                    .into_iter()
                    .map(|(name, value)| (name, value.into_value()))
                    .collect(),
            ),
        }
    }

    /// What the value is, for a message (`the number 5`, `an array`).
    fn describe(&self) -> String {
        match self {
            Node::Null => "null".to_owned(),
            Node::Bool(value) => value.to_string(),
            Node::Number(value) => format!("the number {value}"),
            Node::String(value) => format!("the string {}", quoted(value)),
            Node::Array(_) => "an array".to_owned(),
            Node::Object(_) => "an object".to_owned(),
        }
    }

    /// What kind of value it is, without the value (for secrets).
    fn kind(&self) -> &'static str {
        match self {
            Node::Null => "null",
            Node::Bool(_) => "a boolean",
            Node::Number(_) => "a number",
            Node::String(_) => "a string",
            Node::Array(_) => "an array",
            Node::Object(_) => "an object",
        }
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Node, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }
}

/// Builds a [`Node`]; serde_json calls it through `deserialize_any`, which counts nesting.
struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("any JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<Node, E> {
        Ok(Node::Bool(value))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Node, E> {
        Ok(Node::Number(value.into()))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Node, E> {
        Ok(Node::Number(value.into()))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Node, E> {
        Number::from_f64(value)
            .map(Node::Number)
            .ok_or_else(|| E::custom("a number that is not finite"))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Node, E> {
        Ok(Node::String(value.to_owned()))
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<Node, E> {
        Ok(Node::String(value))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Node::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut members = Vec::new();
        while let Some(member) = map.next_entry::<String, Node>()? {
            members.push(member);
        }
        Ok(Node::Object(members))
    }
}

// ---------------------------------------------------------------------------------------------
// The shape of a world file, checked member by member so that errors name the member.

/// The path of a member of the object at `parent` (`""` is the top level).
fn member_path(parent: &str, name: &str) -> String {
    let plain = !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'_');
    match (parent.is_empty(), plain) {
        (true, true) => name.to_owned(),
        (false, true) => format!("{parent}.{name}"),
        (_, false) => format!("{parent}[{}]", quoted(name)),
    }
}

/// The members of an object whose member names must be among `allowed`, each given once.
fn object<'a>(
    node: &'a Node,
    path: &str,
    allowed: &[&str],
) -> Result<&'a [(String, Node)], WorldError> {
    let Node::Object(members) = node else {
        return Err(json_error(
            path,
            format!("expected an object, found {}", node.describe()),
        ));
    };
    for (position, (name, _)) in members.iter().enumerate() {
        if !allowed.contains(&name.as_str()) {
            let list = allowed
                .iter()
                .map(|allowed| format!("`{allowed}`"))
                .collect::<Vec<_>>()
                .join(", ");
            let hint = allowed
                .iter()
                .find(|allowed| allowed.eq_ignore_ascii_case(name))
                .map(|allowed| format!(" (member names are case-sensitive: `{allowed}`)"))
                .unwrap_or_default();
            return Err(json_error(
                &member_path(path, name),
                format!(
                    "expected one of the members {list}, found the unknown member {}{hint}",
                    quoted(name)
                ),
            ));
        }
        // The earlier names are distinct allowed names, so this looks at a handful at most.
        if members
            .get(..position)
            .unwrap_or_default()
            .iter()
            .any(|(earlier, _)| earlier == name)
        {
            return Err(json_error(
                &member_path(path, name),
                "expected the member once, found it twice".to_owned(),
            ));
        }
    }
    Ok(members)
}

/// The value of a member, if given.
fn get<'a>(members: &'a [(String, Node)], name: &str) -> Option<&'a Node> {
    members
        .iter()
        .find(|(member, _)| member == name)
        .map(|(_, value)| value)
}

/// A member that must be a string.
fn required_string<'a>(
    members: &'a [(String, Node)],
    path: &str,
    name: &str,
) -> Result<&'a str, WorldError> {
    match get(members, name) {
        Some(Node::String(value)) => Ok(value),
        Some(other) => Err(json_error(
            &member_path(path, name),
            format!("expected a string, found {}", other.describe()),
        )),
        None => Err(json_error(
            &member_path(path, name),
            "expected a string, found no such member".to_owned(),
        )),
    }
}

/// The member of a secret that names the environment variable holding it.
const SECRET_ENV: &str = "env";

/// A member that must be a string whose value is never shown, or `{"env": "VARIABLE"}`.
fn required_secret(members: &[(String, Node)], path: &str, name: &str) -> Result<(), WorldError> {
    let secret_path = member_path(path, name);
    match get(members, name) {
        Some(Node::String(_)) => Ok(()),
        Some(node @ Node::Object(_)) => {
            let reference = object(node, &secret_path, &[SECRET_ENV])?;
            let variable = required_string(reference, &secret_path, SECRET_ENV)?;
            if variable.is_empty() || variable.contains(['=', '\0']) {
                return Err(json_error(
                    &member_path(&secret_path, SECRET_ENV),
                    format!(
                        "expected the name of an environment variable, found {}",
                        quoted(variable)
                    ),
                ));
            }
            Ok(())
        }
        Some(other) => Err(json_error(
            &secret_path,
            format!(
                "expected a string or {{\"env\": \"VARIABLE\"}}, found {}",
                other.kind()
            ),
        )),
        None => Err(json_error(
            &member_path(path, name),
            "expected a string, found no such member".to_owned(),
        )),
    }
}

/// A member that may be omitted and otherwise must be an array.
fn optional_array<'a>(
    members: &'a [(String, Node)],
    path: &str,
    name: &str,
) -> Result<&'a [Node], WorldError> {
    match get(members, name) {
        None => Ok(&[]),
        Some(Node::Array(items)) => Ok(items),
        Some(other) => Err(json_error(
            &member_path(path, name),
            format!("expected an array, found {}", other.describe()),
        )),
    }
}

/// The elements of an optional array member, each with its path (`Stacks[3]`).
fn elements<'a>(
    members: &'a [(String, Node)],
    path: &str,
    name: &str,
) -> Result<impl Iterator<Item = (String, &'a Node)>, WorldError> {
    let array_path = member_path(path, name);
    let items = optional_array(members, path, name)?;
    Ok(items
        .iter()
        .enumerate()
        .map(move |(index, item)| (format!("{array_path}[{index}]"), item)))
}

/// An optional array member whose elements must be strings.
fn optional_strings(members: &[(String, Node)], path: &str, name: &str) -> Result<(), WorldError> {
    for (item_path, item) in elements(members, path, name)? {
        if !matches!(item, Node::String(_)) {
            return Err(json_error(
                &item_path,
                format!("expected a string, found {}", item.describe()),
            ));
        }
    }
    Ok(())
}

/// Replaces every user's `SecretAccessKey` given as `{"env": "VARIABLE"}` (the shape is
/// checked already) with the variable's value, read through `env`.
fn resolve_secrets(
    node: &mut Node,
    env: &impl Fn(&str) -> Option<std::ffi::OsString>,
) -> Result<(), WorldError> {
    let Node::Object(members) = node else {
        return Ok(());
    };
    let Some(Node::Array(users)) = members
        .iter_mut()
        .find(|(name, _)| name == "Users")
        .map(|(_, value)| value)
    else {
        return Ok(());
    };
    for (index, user) in users.iter_mut().enumerate() {
        let Node::Object(user) = user else { continue };
        let Some(secret) = user
            .iter_mut()
            .find(|(name, _)| name == "SecretAccessKey")
            .map(|(_, value)| value)
        else {
            continue;
        };
        let Node::Object(reference) = secret else {
            continue;
        };
        let Some(Node::String(variable)) = reference
            .iter()
            .find(|(name, _)| name == SECRET_ENV)
            .map(|(_, value)| value)
        else {
            continue;
        };
        let problem = |found: &'static str| WorldError::SecretVariable {
            member: format!("Users[{index}].SecretAccessKey.{SECRET_ENV}"),
            variable: variable.clone(),
            found,
        };
        let value = match env(variable) {
            None => return Err(problem("it is not set")),
            Some(value) => value
                .into_string()
                .map_err(|_| problem("a value that is not UTF-8"))?,
        };
        if value.is_empty() {
            return Err(problem("it is empty"));
        }
        *secret = Node::String(value);
    }
    Ok(())
}

fn check_world(node: &Node) -> Result<(), WorldError> {
    let members = object(node, "", &["Stacks", "Users"])?;
    for (path, stack) in elements(members, "", "Stacks")? {
        check_stack(stack, &path)?;
    }
    for (path, user) in elements(members, "", "Users")? {
        check_user(user, &path)?;
    }
    Ok(())
}

fn check_stack(node: &Node, path: &str) -> Result<(), WorldError> {
    let members = object(node, path, &["StackId", "Apps", "Layers", "Instances"])?;
    required_string(members, path, "StackId")?;
    for (app_path, app) in elements(members, path, "Apps")? {
        check_app(app, &app_path)?;
    }
    for (layer_path, layer) in elements(members, path, "Layers")? {
        let layer_members = object(layer, &layer_path, &["LayerId"])?;
        required_string(layer_members, &layer_path, "LayerId")?;
    }
    for (instance_path, instance) in elements(members, path, "Instances")? {
        let instance_members = object(instance, &instance_path, &["InstanceId", "LayerIds"])?;
        required_string(instance_members, &instance_path, "InstanceId")?;
        optional_strings(instance_members, &instance_path, "LayerIds")?;
    }
    Ok(())
}

fn check_app(node: &Node, path: &str) -> Result<(), WorldError> {
    let members = object(node, path, &["AppId", "Type", "Versions"])?;
    required_string(members, path, "AppId")?;
    let app_type = required_string(members, path, "Type")?;
    let deserializer: StrDeserializer<'_, ValueError> = app_type.into_deserializer();
    if AppType::deserialize(deserializer).is_err() {
        return Err(WorldError::UnknownAppType {
            member: member_path(path, "Type"),
            found: app_type.to_owned(),
        });
    }
    match get(members, "Versions") {
        None => Ok(()),
        Some(Node::Number(number)) => match number.as_u64() {
            Some(1..=5) => Ok(()),
            _ => Err(WorldError::VersionsOutOfRange {
                member: member_path(path, "Versions"),
                found: number.to_string(),
            }),
        },
        Some(other) => Err(json_error(
            &member_path(path, "Versions"),
            format!(
                "expected an integer from 1 to 5, found {}",
                other.describe()
            ),
        )),
    }
}

fn check_user(node: &Node, path: &str) -> Result<(), WorldError> {
    let members = object(
        node,
        path,
        &[
            "AccessKeyId",
            "SecretAccessKey",
            "Permissions",
            "PolicyAllowsCreateDeployment",
        ],
    )?;
    required_string(members, path, "AccessKeyId")?;
    required_secret(members, path, "SecretAccessKey")?;
    for (permission_path, permission) in elements(members, path, "Permissions")? {
        let permission_members = object(permission, &permission_path, &["StackId", "Level"])?;
        required_string(permission_members, &permission_path, "StackId")?;
        let level = required_string(permission_members, &permission_path, "Level")?;
        let deserializer: StrDeserializer<'_, ValueError> = level.into_deserializer();
        if PermissionLevel::deserialize(deserializer).is_err() {
            return Err(WorldError::UnknownLevel {
                member: member_path(&permission_path, "Level"),
                found: level.to_owned(),
            });
        }
    }
    optional_strings(members, path, "PolicyAllowsCreateDeployment")?;
    Ok(())
}
