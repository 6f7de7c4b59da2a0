//! Reading one raw request against the world, rule by rule.
//!
//! Each branch names the rule it implements; the comments quote the catalogue's condition.

use crate::contract::{CommandKind, CommandName, ErrorCode, RawRequest, api_operation, wire};
use crate::oracle::decide::Reading;
use crate::oracle::identity::CallerIdentity;
use crate::oracle::json_text::{self, Document, Item, JsonKind};
use crate::oracle::verdict::{Effect, Expectation, Verdict};
use crate::rules;
use crate::world::World;

use ErrorCode::{SerializationException as SERIALIZATION, ValidationException as VALIDATION};

/// How deep the lenient body reading keeps containers: the deepest member the contract looks
/// at is an `Args` value's element (body > Command > Args > list > string).
const KEEP_DEPTH: usize = 6;

use crate::contract::INPUT_MEMBERS as TOP_LEVEL_MEMBERS;

/// The top-level member whose string content the reading never looks at (a `Comment` is only
/// checked to be a string), so its escapes are not decoded.
const NOT_DECODED: [&str; 1] = ["Comment"];

/// The error codes of a finding, as expectations.
pub(crate) fn codes(list: &[ErrorCode]) -> Vec<Expectation> {
    list.iter().map(|code| Expectation::Error(*code)).collect()
}

/// A member as the contract sees it.
enum Member<'a> {
    Absent,
    Null,
    Present(Item<'a>),
}

/// The members of an object that the contract names, read in one pass.
struct Object<'a, const N: usize> {
    found: [Option<Item<'a>>; N],
    /// The first member with another name.
    unknown: Option<Item<'a>>,
}

impl<'a, const N: usize> Object<'a, N> {
    fn read(object: Item<'a>, names: &'static [&'static str; N]) -> Self {
        let mut found = [None; N];
        let mut unknown = None;
        for item in object.children() {
            let name = item.name_bytes();
            match names.iter().position(|known| known.as_bytes() == name) {
                // A document has no duplicate names.
                Some(index) => found[index] = Some(item),
                None => {
                    unknown.get_or_insert(item);
                }
            }
        }
        Object { found, unknown }
    }

    /// The member `self.names[index]`.
    fn member(&self, index: usize) -> Member<'a> {
        match self.found.get(index).copied().flatten() {
            None => Member::Absent,
            Some(value) if value.kind() == JsonKind::Null => Member::Null,
            Some(value) => Member::Present(value),
        }
    }
}

type Body<'a> = Object<'a, 7>;

/// The positions of the top-level members in [`TOP_LEVEL_MEMBERS`].
const STACK_ID: usize = 0;
const APP_ID: usize = 1;
const INSTANCE_IDS: usize = 2;
const LAYER_IDS: usize = 3;
const COMMAND: usize = 4;
const COMMENT: usize = 5;
const CUSTOM_JSON: usize = 6;

/// The members of `Command`, and their positions.
const COMMAND_MEMBERS: [&str; 2] = ["Name", "Args"];
const NAME: usize = 0;
const ARGS: usize = 1;

/// An id as read from the body: its text, and whether the JSON string had an unpaired
/// surrogate escape (`"s\ud800"`, read as `"s\u{fffd}"`). Such an id names nothing: ids are
/// compared exactly, no id of a world has a lone surrogate, and the text read is not the id
/// sent (the request is also an M-JSON-LIMITS case).
#[derive(Clone, Copy)]
pub(crate) struct Id<'a> {
    text: &'a str,
    unpaired: bool,
}

impl<'a> Id<'a> {
    /// The id of a string value (`None` for another kind, or an undecoded string).
    fn of(item: Item<'a>) -> Option<Self> {
        Some(Id {
            text: item.as_str()?,
            unpaired: item.has_unpaired_surrogate(),
        })
    }

    /// The id to look up in the world, `None` when it names nothing.
    pub(crate) fn key(self) -> Option<&'a str> {
        (!self.unpaired).then_some(self.text)
    }

    pub(crate) fn is_empty(self) -> bool {
        self.text.is_empty()
    }
}

impl std::fmt::Debug for Id<'_> {
    /// The text as a Rust string literal; one with an unpaired surrogate escape says so.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.text)?;
        if self.unpaired {
            f.write_str(" (an unpaired surrogate escape, read as U+FFFD: it names nothing)")?;
        }
        Ok(())
    }
}

/// A list of strings as read from the body (an array whose elements are all strings).
#[derive(Clone, Copy)]
pub(crate) struct Strings<'a>(Item<'a>);

impl<'a> Strings<'a> {
    /// The list, or `None` when the value is not an array of strings (V-TYPE).
    fn of(value: Item<'a>) -> Option<Self> {
        (value.kind() == JsonKind::Array
            && value
                .children()
                .all(|element| element.kind() == JsonKind::String))
        .then_some(Strings(value))
    }

    pub(crate) fn iter(self) -> impl Iterator<Item = &'a str> {
        self.0.children().filter_map(Item::as_str)
    }

    /// The elements as ids.
    pub(crate) fn ids(self) -> impl Iterator<Item = Id<'a>> {
        self.0.children().filter_map(Id::of)
    }

    pub(crate) fn is_empty(self) -> bool {
        self.0.children().next().is_none()
    }

    pub(crate) fn contains(self, wanted: &str) -> bool {
        self.0
            .children()
            .any(|element| element.as_bytes() == Some(wanted.as_bytes()))
    }

    /// Whether the list is exactly these strings.
    pub(crate) fn is(self, wanted: &[&str]) -> bool {
        let mut elements = self.0.children();
        wanted
            .iter()
            .all(|want| elements.next().and_then(Item::as_bytes) == Some(want.as_bytes()))
            && elements.next().is_none()
    }

    pub(crate) fn to_vec(self) -> Vec<&'a str> {
        self.iter().collect()
    }

    /// Whether two elements are equal.
    pub(crate) fn has_duplicates(self) -> bool {
        const PAIRWISE: usize = 16;
        if self.0.children().nth(PAIRWISE).is_none() {
            let mut seen = self.0.children();
            while let Some(element) = seen.next() {
                let bytes = element.as_bytes();
                if seen.clone().any(|later| later.as_bytes() == bytes) {
                    return true;
                }
            }
            return false;
        }
        let mut sorted = self.to_vec();
        sorted.sort_unstable();
        sorted.windows(2).any(|pair| pair[0] == pair[1])
    }
}

/// The oracle: what a correct implementation may answer to `request`, sent by `caller`, when
/// the target is in the state `world`.
///
/// Pure: no I/O, no clock, no randomness; it never panics, whatever the bytes.
///
/// ```
/// use opsworks_conformance::contract::{CommandName, CreateDeploymentInput, ErrorCode, rules};
/// use opsworks_conformance::oracle::{judge_request, CallerIdentity, Outcome};
/// use opsworks_conformance::world::World;
///
/// let world = World::from_json(r#"{"Stacks":[{"StackId":"s1"},{"StackId":"s2","Apps":[{"AppId":"a2","Type":"php"}]}]}"#).unwrap();
/// // An app of another stack: ResourceNotFoundException, or ValidationException.
/// let request = CreateDeploymentInput::new("s1", CommandName::Deploy).with_app("a2").to_raw();
/// let verdict = judge_request(&world, &request, &CallerIdentity::Unsigned);
/// assert_eq!(verdict.broken(), vec![rules::N_APP]);
/// assert!(verdict.allows(&Outcome::error(ErrorCode::ResourceNotFoundException)));
/// assert!(verdict.allows(&Outcome::error(ErrorCode::ValidationException)));
/// assert!(!verdict.allows(&Outcome::Success));
/// ```
#[must_use]
pub fn judge_request(world: &World, request: &RawRequest, caller: &CallerIdentity) -> Verdict {
    if let Some(operation) = other_api_operation(request) {
        // Not this contract's to judge (docs/rules.md, "What the suite sends").
        return Verdict::not_judged(operation);
    }
    let mut reading = Reading::default();
    let user = read_access(world, caller, &mut reading);
    read_headers(request, &mut reading);
    if reading
        .findings
        .iter()
        .any(|finding| finding.rule == rules::p_unknown_operation::RULE.id)
    {
        // A name the API does not have (or none): no operation, so the body's rules do not
        // apply. The effect the body would have had as a CreateDeployment is kept, so that a
        // target that acts on it anyway is caught by S-ERROR-NO-EFFECT.
        let mut as_if = Reading::default();
        read_body(world, user, request, &mut as_if);
        reading.effect = as_if.effect;
        return reading.into_verdict();
    }
    read_body(world, user, request, &mut reading);
    reading.into_verdict()
}

/// A-SIGNATURE-REQUIRED, A-KEY-KNOWN, A-SIGNATURE-VALID: only when the world declares users.
/// Returns the verified user, whose permissions A-PERMISSION checks later.
fn read_access<'w>(
    world: &'w World,
    caller: &CallerIdentity,
    reading: &mut Reading,
) -> Option<&'w crate::world::User> {
    if !world.has_users() {
        return None;
    }
    match caller {
        CallerIdentity::Unsigned => {
            rules::a_signature_required::judge(reading);
            None
        }
        CallerIdentity::Verified(key) | CallerIdentity::InvalidSignature(key)
            if world.user(key).is_none() =>
        {
            rules::a_key_known::judge(reading, key);
            None
        }
        CallerIdentity::InvalidSignature(key) => {
            rules::a_signature_valid::judge(reading, key);
            None
        }
        CallerIdentity::Verified(key) => world.user(key),
    }
}

/// The operation of the OpsWorks API other than CreateDeployment that an `X-Amz-Target` value
/// of the request names exactly (a server could take the request for it), if any.
fn other_api_operation(request: &RawRequest) -> Option<&'static str> {
    wire::header_values(&request.headers, wire::TARGET_HEADER)
        .filter_map(api_operation)
        .find(|operation| *operation != CREATE_DEPLOYMENT)
}

/// The operation of this contract, as the API names it.
const CREATE_DEPLOYMENT: &str = "CreateDeployment";

/// P-UNKNOWN-OPERATION and P-CONTENT-TYPE-PARAMS.
fn read_headers(request: &RawRequest, reading: &mut Reading) {
    // Leading and trailing spaces and tabs are not part of a field value (RFC 9110, 5.5).
    let targets = || {
        wire::header_values(&request.headers, wire::TARGET_HEADER)
            .map(|value| value.trim_matches([' ', '\t']))
    };
    let mut seen_any = false;
    let named = targets().all(|value| {
        seen_any = true;
        value == wire::TARGET_VALUE
    });
    if !seen_any || !named {
        rules::p_unknown_operation::judge(reading, &targets().collect::<Vec<_>>());
        return;
    }
    match request.header("Content-Type") {
        Some(value) if wire::is_json11_media_type(value) => {
            rules::p_content_type_params::judge(reading, value);
        }
        _ => {
            reading.open = Some(
                "the Content-Type is missing or not application/x-amz-json-1.1; the catalogue \
                 has no rule for it, so any 4xx is accepted besides what the rules give",
            );
        }
    }
}

/// P-EMPTY-BODY, P-MALFORMED-JSON, and M-JSON-LIMITS in the body; then the body's object is
/// read member by member.
fn read_body(
    world: &World,
    user: Option<&crate::world::User>,
    request: &RawRequest,
    reading: &mut Reading,
) {
    if request.body.is_empty() {
        rules::p_empty_body::judge(reading);
        read_members(world, user, Document::empty_object().root(), reading);
        return;
    }
    // M-JSON-LIMITS: a parser may ignore a byte order mark before the JSON text (RFC 8259
    // section 8.1); the rest is read as the body.
    let (body, marked) = match request.body.strip_prefix(BYTE_ORDER_MARK) {
        Some(rest) => (rest, true),
        None => (request.body.as_slice(), false),
    };
    let part = if marked {
        "body after its byte order mark"
    } else {
        "body"
    };
    json_text::read_document(body, KEEP_DEPTH, &NOT_DECODED, |read| match read {
        Err(error) => {
            rules::p_malformed_json::judge(reading, format!("{part}: {error}"));
        }
        Ok((document, scanned)) if document.root().kind() == JsonKind::Object => {
            rules::m_json_limits::judge(
                reading,
                "body",
                marked,
                scanned.limits,
                &[SERIALIZATION, VALIDATION],
            );
            read_members(world, user, document.root(), reading);
        }
        Ok((_, scanned)) => {
            rules::p_malformed_json::judge(
                reading,
                format!("{part} is JSON but a {:?}, not an object", scanned.kind),
            );
        }
    });
}

/// The members as read under the lenient interpretation of the MAY cases.
#[derive(Default)]
struct Members<'a> {
    stack_id: Option<Id<'a>>,
    app_id: Option<Id<'a>>,
    app_id_mistyped: bool,
    instance_ids: Option<Strings<'a>>,
    layer_ids: Option<Strings<'a>>,
    command: Option<CommandName>,
    /// An object whose every value is a list of strings.
    args: Option<Item<'a>>,
    args_mistyped: bool,
}

use rules::m_null_optional::judge as null_optional;
use rules::v_type::judge as type_error;

/// An optional string member: the string value (if present and a string), and whether it is
/// present with another type.
fn optional_string<'a>(
    object: &Body<'a>,
    index: usize,
    reading: &mut Reading,
) -> (Option<Item<'a>>, bool) {
    let name = TOP_LEVEL_MEMBERS[index];
    match object.member(index) {
        Member::Absent => (None, false),
        Member::Null => {
            null_optional(reading, name);
            (None, false)
        }
        Member::Present(text) if text.kind() == JsonKind::String => (Some(text), false),
        Member::Present(other) => {
            type_error(
                reading,
                format!("{name} is {}, not a string", kind_of(other)),
            );
            (None, true)
        }
    }
}

fn optional_list<'a>(
    object: &Body<'a>,
    index: usize,
    reading: &mut Reading,
) -> Option<Strings<'a>> {
    let name = TOP_LEVEL_MEMBERS[index];
    match object.member(index) {
        Member::Absent => None,
        Member::Null => {
            null_optional(reading, name);
            None
        }
        Member::Present(value) => match Strings::of(value) {
            Some(list) => {
                rules::m_empty_lists::judge(reading, name, list.is_empty());
                rules::m_duplicate_ids::judge(reading, name, list.has_duplicates());
                Some(list)
            }
            None => {
                type_error(
                    reading,
                    format!("{name} is {}, not an array of strings", kind_of(value)),
                );
                None
            }
        },
    }
}

fn kind_of(value: Item<'_>) -> &'static str {
    match value.kind() {
        JsonKind::Null => "null",
        JsonKind::Bool => "a boolean",
        JsonKind::Number => "a number",
        JsonKind::String => "a string",
        JsonKind::Array => "an array",
        JsonKind::Object => "an object",
    }
}

fn read_members(
    world: &World,
    user: Option<&crate::world::User>,
    object: Item<'_>,
    reading: &mut Reading,
) {
    let mut members = Members::default();
    let item = object;
    let object = &Body::read(item, &TOP_LEVEL_MEMBERS);

    // M-UNKNOWN-MEMBERS: an unknown top-level member (ignored, or rejected).
    if let Some(unknown) = object.unknown.map(Item::name) {
        rules::m_unknown_members::judge(reading, format!("unknown member {unknown:?}"));
    }

    // V-STACK-REQUIRED: StackId missing or null.
    match object.member(STACK_ID) {
        Member::Absent | Member::Null => rules::v_stack_required::judge(reading),
        Member::Present(text) if text.kind() == JsonKind::String => {
            members.stack_id = Id::of(text);
        }
        Member::Present(other) => {
            type_error(
                reading,
                format!("StackId is {}, not a string", kind_of(other)),
            );
        }
    }

    let (app_id, app_mistyped) = optional_string(object, APP_ID, reading);
    members.app_id = app_id.and_then(Id::of);
    members.app_id_mistyped = app_mistyped;
    members.instance_ids = optional_list(object, INSTANCE_IDS, reading);
    members.layer_ids = optional_list(object, LAYER_IDS, reading);
    let _ = optional_string(object, COMMENT, reading);
    read_command(object, &mut members, reading);
    read_custom_json(object, reading);

    if let Some(command) = members.command {
        read_command_rules(world, command, &members, reading);
    }
    if let Some(stack_id) = members.stack_id {
        read_existence(world, stack_id, &members, reading);
    }
    // The rules the registry marks `(after_members)`: each judges the request from this view.
    let read = ReadRequest {
        world,
        user,
        stack_id: members.stack_id,
        app_id: members.app_id,
        command: members.command,
        object: item,
    };
    rules::judge_after_members(reading, &read);
}

/// What the reading pass has read of a request whose body is a JSON object, as the rules the
/// registry marks `(after_members)` see it (`__for_each_rule!`): their `judge(reading, &read)`
/// is called once every member has been read. A rule judged this way is added by its file and
/// its registry line alone.
#[allow(dead_code)] // each rule reads what it needs
pub(crate) struct ReadRequest<'r, 'a> {
    /// The state the target should be in.
    pub world: &'r World,
    /// The verified caller, when the world declares users.
    pub user: Option<&'r crate::world::User>,
    /// `StackId`, when it is a string.
    pub stack_id: Option<Id<'a>>,
    /// `AppId`, when it is a string.
    pub app_id: Option<Id<'a>>,
    /// `Command.Name`, when it is a command of the API.
    pub command: Option<CommandName>,
    /// The body's object, for what the fields above do not give ([`ReadRequest::member`]).
    pub object: Item<'a>,
}

#[allow(dead_code)] // each rule reads what it needs
impl<'a> ReadRequest<'_, 'a> {
    /// The top-level member `name` of the body, whatever its kind; `None` when it is absent
    /// or `null`.
    pub(crate) fn member(&self, name: &str) -> Option<Item<'a>> {
        self.object
            .children()
            .find(|item| item.name_bytes() == name.as_bytes())
            .filter(|item| item.kind() != JsonKind::Null)
    }

    /// The top-level member `name` when it is a string, decoded.
    pub(crate) fn string(&self, name: &str) -> Option<&'a str> {
        self.member(name).and_then(Item::as_str)
    }
}

/// V-COMMAND-REQUIRED, V-NAME-REQUIRED, V-NAME-ENUM, V-TYPE for Command, Name and Args.
fn read_command<'a>(object: &Body<'a>, members: &mut Members<'a>, reading: &mut Reading) {
    let command = match object.member(COMMAND) {
        Member::Absent | Member::Null => {
            rules::v_command_required::judge(reading);
            return;
        }
        Member::Present(command) if command.kind() == JsonKind::Object => command,
        Member::Present(other) => {
            type_error(
                reading,
                format!("Command is {}, not an object", kind_of(other)),
            );
            return;
        }
    };
    let command = &Object::read(command, &COMMAND_MEMBERS);
    if let Some(unknown) = command.unknown.map(Item::name) {
        rules::m_unknown_members::judge(reading, format!("unknown member Command.{unknown}"));
    }
    match command.member(NAME) {
        Member::Absent | Member::Null => rules::v_name_required::judge(reading),
        Member::Present(name) if name.kind() == JsonKind::String => {
            match name.as_str().unwrap_or_default().parse::<CommandName>() {
                Ok(command) => members.command = Some(command),
                Err(_) => rules::v_name_enum::judge(reading, name.as_str().unwrap_or_default()),
            }
        }
        Member::Present(other) => {
            type_error(
                reading,
                format!("Command.Name is {}, not a string", kind_of(other)),
            );
        }
    }
    match command.member(ARGS) {
        Member::Absent => {}
        Member::Null => null_optional(reading, "Command.Args"),
        Member::Present(args) if args.kind() == JsonKind::Object => {
            if args.children().all(|value| Strings::of(value).is_some()) {
                members.args = Some(args);
            } else {
                members.args_mistyped = true;
                type_error(
                    reading,
                    "Command.Args has a value that is not an array of strings".to_owned(),
                );
            }
        }
        Member::Present(other) => {
            members.args_mistyped = true;
            type_error(
                reading,
                format!("Command.Args is {}, not an object", kind_of(other)),
            );
        }
    }
}

/// V-CUSTOM-JSON, V-CUSTOM-JSON-OBJECT, M-JSON-LIMITS (and V-TYPE, M-NULL-OPTIONAL). A byte
/// order mark at the start of the text is M-JSON-LIMITS (a parser may ignore it, RFC 8259
/// section 8.1); the rest is read as the text.
fn read_custom_json(object: &Body<'_>, reading: &mut Reading) {
    let (Some(text), _) = optional_string(object, CUSTOM_JSON, reading) else {
        return;
    };
    let text = text.as_bytes().unwrap_or_default();
    let (text, marked) = match text.strip_prefix(BYTE_ORDER_MARK) {
        Some(rest) => (rest, true),
        None => (text, false),
    };
    match json_text::scan(text) {
        Err(error) => rules::v_custom_json::judge(reading, marked, error),
        Ok(scanned) => {
            rules::v_custom_json_object::judge(reading, scanned.kind);
            rules::m_json_limits::judge(
                reading,
                "CustomJson",
                marked,
                scanned.limits,
                &[VALIDATION, SERIALIZATION],
            );
        }
    }
}

/// The UTF-8 encoding of U+FEFF, the byte order mark.
const BYTE_ORDER_MARK: &[u8] = b"\xef\xbb\xbf";

/// The values of one Args entry.
fn arg<'a>(args: Option<Item<'a>>, name: &str) -> Option<Strings<'a>> {
    args?.get(name).and_then(Strings::of)
}

/// Whether an Args value is exactly `["true"]` or `["false"]`.
pub(crate) fn is_boolean_arg(values: Strings<'_>) -> bool {
    values.is(&["true"]) || values.is(&["false"])
}

/// V-APP-REQUIRED, M-APP-ON-STACK-COMMAND, V-RECIPES, V-MIGRATE, V-REBOOT, M-ARGS-UNUSED,
/// M-UNKNOWN-ARGS, M-MIGRATE-NON-RAILS, V-ROLLBACK-DEPTH.
fn read_command_rules(
    world: &World,
    command: CommandName,
    members: &Members<'_>,
    reading: &mut Reading,
) {
    let stack = members
        .stack_id
        .and_then(Id::key)
        .and_then(|id| world.stack(id));
    let app = match (stack, members.app_id.and_then(Id::key)) {
        (Some(stack), Some(app_id)) => stack.app(app_id),
        _ => None,
    };
    match command.kind() {
        CommandKind::App => {
            let given = members.app_id.is_some() || members.app_id_mistyped;
            rules::v_app_required::judge(reading, command, given);
        }
        CommandKind::Stack => {
            if let Some(app_id) = members.app_id {
                rules::m_app_on_stack_command::judge(reading, command, app_id, app.is_some());
            }
        }
    }

    let args = members.args;
    let names = || args.into_iter().flat_map(Item::children).map(Item::name);
    let taken = command.args();
    if taken.is_empty() {
        if names().next().is_some() {
            rules::m_args_unused::judge(reading, command);
        }
    } else if let Some(unknown) = names().find(|key| !taken.contains(key)) {
        rules::m_unknown_args::judge(reading, command, unknown);
    }
    // When Args was mistyped (V-TYPE), its content is not judged again here.
    if command == CommandName::Rollback {
        read_rollback(stack, app, reading);
    }
    if members.args_mistyped {
        return;
    }
    match command {
        CommandName::ExecuteRecipes => {
            rules::v_recipes::judge(reading, arg(args, "recipes"));
        }
        CommandName::Deploy => {
            if let Some(migrate) = arg(args, "migrate") {
                rules::v_migrate::judge(reading, migrate);
                rules::m_migrate_non_rails::judge(reading, app);
            }
        }
        CommandName::UpdateDependencies => {
            rules::v_reboot::judge(
                reading,
                arg(args, "allow_reboot"),
                arg(args, "upgrade_os_to"),
            );
        }
        _ => {}
    }
}

/// V-ROLLBACK-DEPTH, and the effect of a successful `rollback`.
fn read_rollback(
    stack: Option<&crate::world::Stack>,
    app: Option<&crate::world::App>,
    reading: &mut Reading,
) {
    if let (Some(stack), Some(app)) = (stack, app) {
        rules::v_rollback_depth::judge(reading, app);
        reading.effect = Effect::RollBack {
            stack_id: stack.stack_id.clone(),
            app_id: app.app_id.clone(),
        };
    }
}

/// N-STACK, N-APP, N-INSTANCE, N-LAYER and M-EMPTY-STRING-IDS. IDs are compared exactly.
fn read_existence(world: &World, stack_id: Id<'_>, members: &Members<'_>, reading: &mut Reading) {
    let empty_id = rules::m_empty_string_ids::judge;
    if stack_id.is_empty() {
        empty_id(reading, "StackId");
    }
    let Some(stack) = stack_id.key().and_then(|id| world.stack(id)) else {
        rules::n_stack::judge(reading, stack_id);
        return;
    };
    let app_command = members.command.is_some_and(CommandName::needs_app);
    if let (true, Some(app_id)) = (app_command, members.app_id) {
        if app_id.is_empty() {
            empty_id(reading, "AppId");
        }
        if app_id.key().and_then(|id| stack.app(id)).is_none() {
            let elsewhere = app_id.key().and_then(|id| world.stack_of_app(id)).is_some();
            rules::n_app::judge(reading, app_id, stack_id, elsewhere);
        }
    }
    if let Some(list) = members.instance_ids {
        if list.contains("") {
            empty_id(reading, "an element of InstanceIds");
        }
        rules::n_instance::judge(reading, world, (stack, stack_id), list);
    }
    if let Some(list) = members.layer_ids {
        if list.contains("") {
            empty_id(reading, "an element of LayerIds");
        }
        rules::n_layer::judge(reading, world, (stack, stack_id), list);
    }
}
