//! The defects: each function is the reference target with one thing done wrong, the way a
//! hand-written mock gets it wrong.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use opsworks_conformance::contract::{
    CommandName, ErrorCode, INPUT_MEMBERS, Observation, RawRequest, Response, RuleId,
    TransportFailure, TransportFailureKind, error_code_of, rules, wire,
};
use opsworks_conformance::oracle::{CallerIdentity, judge_request};
use opsworks_conformance::sigv4::SigV4Authenticator;
use opsworks_conformance::target::{
    Authenticator, BoxFuture, ClaimedKey, DEFAULT_REGION, ReferenceTarget, Target, from_fn,
};
use opsworks_conformance::world::{PermissionLevel, World};
use serde_json::{Map, Value, json};

use super::Defect;

// ---------------------------------------------------------------------------------------------
// The wrapper and helpers
// ---------------------------------------------------------------------------------------------

/// The reference target of a world with a defect answering in its place.
pub struct Defective {
    name: &'static str,
    inner: ReferenceTarget,
    defect: Defect,
}

impl Defective {
    /// A fresh reference target of `world`, broken by `defect`.
    pub fn new(name: &'static str, world: &World, defect: Defect) -> Self {
        Defective {
            name,
            inner: ReferenceTarget::new(world.clone()),
            defect,
        }
    }
}

impl Target for Defective {
    fn send<'a>(&'a self, request: &'a RawRequest) -> BoxFuture<'a, Response> {
        Box::pin(std::future::ready((self.defect)(request, &self.inner)))
    }

    fn describe(&self) -> String {
        format!("mutant {}", self.name)
    }
}

/// The reference answer.
fn reference(request: &RawRequest, inner: &ReferenceTarget) -> Response {
    Ok(inner.answer_request(request))
}

/// The body as a JSON object, when it is one.
fn object(request: &RawRequest) -> Option<Map<String, Value>> {
    match serde_json::from_slice(&request.body) {
        Ok(Value::Object(object)) => Some(object),
        _ => None,
    }
}

/// The request with this body.
fn with_object(request: &RawRequest, object: Map<String, Value>) -> RawRequest {
    let mut rewritten = request.clone();
    rewritten.body = Value::Object(object).to_string().into_bytes();
    rewritten
}

/// The reference answer to the request as the mock reads it: `reading` changes the body object
/// (and says whether it changed anything); an unchanged request is answered as it is.
fn reads_as(
    request: &RawRequest,
    inner: &ReferenceTarget,
    reading: impl FnOnce(&mut Map<String, Value>, &World) -> bool,
) -> Response {
    if let Some(mut body) = object(request) {
        if reading(&mut body, &inner.world()) {
            return reference(&with_object(request, body), inner);
        }
    }
    reference(request, inner)
}

/// The reference answer, changed by `change` when it is an error (4xx).
fn on_errors(
    request: &RawRequest,
    inner: &ReferenceTarget,
    change: impl FnOnce(Observation) -> Observation,
) -> Response {
    let answer = inner.answer_request(request);
    Ok(if (400..500).contains(&answer.status) {
        change(answer)
    } else {
        answer
    })
}

/// The reference answer, changed by `change` when it is a success.
fn on_success(
    request: &RawRequest,
    inner: &ReferenceTarget,
    change: impl FnOnce(Observation) -> Observation,
) -> Response {
    let answer = inner.answer_request(request);
    Ok(if answer.status == 200 {
        change(answer)
    } else {
        answer
    })
}

/// An awsJson1_1 error.
fn error(status: u16, code: &str, message: &str) -> Observation {
    Observation::json(
        status,
        json!({ "__type": code, "message": message }).to_string(),
    )
}

/// A `ValidationException` (HTTP 400).
fn validation(message: &str) -> Observation {
    error(400, ErrorCode::ValidationException.as_str(), message)
}

/// A 500 `InternalFailure`.
fn internal_failure(message: &str) -> Observation {
    error(500, "InternalFailure", message)
}

/// A success with a fresh DeploymentId.
fn fresh_success() -> Observation {
    Observation::json(
        200,
        json!({ "DeploymentId": uuid::Uuid::new_v4().to_string() }).to_string(),
    )
}

/// The error code of an answer (smithy rules).
fn code_of(answer: &Observation) -> Option<String> {
    error_code_of(&answer.headers, &answer.body)
}

/// The `message` of an error body.
fn message_of(answer: &Observation) -> String {
    serde_json::from_slice::<Value>(&answer.body)
        .ok()
        .and_then(|body| {
            body.get("message")
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .unwrap_or_default()
}

/// Accepts a request whose only problem (in the target's current state) is `rule`, as a mock
/// that never checks that rule would; answers everything else as the reference does.
fn ignores(rule: RuleId, request: &RawRequest, inner: &ReferenceTarget) -> Response {
    let verdict = judge_request(&inner.world(), request, &CallerIdentity::Unsigned);
    if verdict.broken() == [rule] && verdict.may_cases().is_empty() {
        Ok(fresh_success())
    } else {
        reference(request, inner)
    }
}

/// The command name of a body.
fn command_name(body: &Map<String, Value>) -> Option<&str> {
    body.get("Command")?.get("Name")?.as_str()
}

/// The `Command.Args` object of a body, created when the command has none.
fn args_mut(body: &mut Map<String, Value>) -> Option<&mut Map<String, Value>> {
    let Value::Object(command) = body.get_mut("Command")? else {
        return None;
    };
    match command
        .entry("Args")
        .or_insert_with(|| Value::Object(Map::new()))
    {
        Value::Object(args) => Some(args),
        _ => None,
    }
}

/// How deeply arrays and objects nest in a JSON text (outside strings).
fn nesting(bytes: &[u8]) -> usize {
    let (mut depth, mut deepest, mut in_string, mut escaped) = (0usize, 0usize, false, false);
    for byte in bytes {
        if in_string {
            match (escaped, byte) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// The stack a request names, in `world`.
fn stack_of<'w>(
    body: &Map<String, Value>,
    world: &'w World,
) -> Option<&'w opsworks_conformance::world::Stack> {
    world.stack(body.get("StackId")?.as_str()?)
}

/// Replaces the string member `member` by what `lookup` finds for it, if it finds something
/// else.
fn relookup(
    body: &mut Map<String, Value>,
    member: &str,
    lookup: impl FnOnce(&str) -> Option<String>,
) -> bool {
    let Some(Value::String(id)) = body.get(member) else {
        return false;
    };
    match lookup(id) {
        Some(found) if &found != id => {
            body.insert(member.to_owned(), Value::String(found));
            true
        }
        _ => false,
    }
}

// ---------------------------------------------------------------------------------------------
// P-SUCCESS-SHAPE
// ---------------------------------------------------------------------------------------------

pub fn success_without_deployment_id(request: &RawRequest, inner: &ReferenceTarget) -> Response {
    on_success(request, inner, |_| Observation::json(200, "{}"))
}

pub fn wrong_status_201_on_success(request: &RawRequest, inner: &ReferenceTarget) -> Response {
    on_success(request, inner, |mut answer| {
        answer.status = 201;
        answer
    })
}

pub fn error_payload_in_200(request: &RawRequest, inner: &ReferenceTarget) -> Response {
    on_errors(request, inner, |mut answer| {
        answer.status = 200;
        answer
    })
}

// ---------------------------------------------------------------------------------------------
// P-ERROR-SHAPE, P-ERROR-MESSAGE, P-RESPONSE-CONTENT-TYPE
// ---------------------------------------------------------------------------------------------

pub fn error_without_type(request: &RawRequest, inner: &ReferenceTarget) -> Response {
    on_errors(request, inner, |answer| {
        Observation::json(
            answer.status,
            json!({ "message": message_of(&answer) }).to_string(),
        )
    })
}

pub fn error_without_message(request: &RawRequest, inner: &ReferenceTarget) -> Response {
    on_errors(request, inner, |answer| {
        let code = code_of(&answer).unwrap_or_default();
        Observation::json(answer.status, json!({ "__type": code }).to_string())
    })
}

pub fn content_type_application_json(request: &RawRequest, inner: &ReferenceTarget) -> Response {
    let mut answer = inner.answer_request(request);
    answer.headers = vec![("Content-Type".to_owned(), "application/json".to_owned())];
    Ok(answer)
}

// ---------------------------------------------------------------------------------------------
// P-NO-SERVER-ERROR
// ---------------------------------------------------------------------------------------------

pub fn deep_json_500(request: &RawRequest, inner: &ReferenceTarget) -> Response {
    if nesting(&request.body) > 128 {
        return Ok(internal_failure("stack overflow while parsing the request"));
    }
    reference(request, inner)
}

/// Over 100 KiB: the hang mutants' trigger.
fn big(request: &RawRequest) -> bool {
    request.body.len() > 100 * 1024
}

pub fn big_body_times_out(request: &RawRequest, inner: &ReferenceTarget) -> Response {
    if big(request) {
        return Err(TransportFailure::new(
            TransportFailureKind::Timeout,
            "no answer within 5000 ms",
        ));
    }
    reference(request, inner)
}

/// The reference target of `world`, served over HTTP, hanging on big bodies.
pub fn hangs_on_big_body(world: &World) -> Arc<dyn Target> {
    let inner = Arc::new(ReferenceTarget::new(world.clone()));
    Arc::new(
        from_fn(move |request: RawRequest| {
            let inner = Arc::clone(&inner);
            async move {
                if big(&request) {
                    // Longer than any run: the client's timeout decides.
                    tokio::time::sleep(Duration::from_secs(3600)).await;
                }
                Ok(inner.answer_request(&request))
            }
        })
        .described_as("mutant http_hang_on_big_body"),
    )
}

/// A body that is not UTF-8: the reset mutant's trigger.
pub fn not_utf8(request: &RawRequest) -> bool {
    std::str::from_utf8(&request.body).is_err()
}

// ---------------------------------------------------------------------------------------------
// P-CONTENT-TYPE-PARAMS, P-EMPTY-BODY, P-MALFORMED-JSON, P-UNKNOWN-OPERATION
// ---------------------------------------------------------------------------------------------

pub fn content_type_exact_match(request: &RawRequest, inner: &ReferenceTarget) -> Response {
    if request.header("Content-Type") != Some(wire::CONTENT_TYPE) {
        return Ok(error(
            400,
            ErrorCode::SerializationException.as_str(),
            "unsupported Content-Type",
        ));
    }
    reference(request, inner)
}

pub fn empty_body_serialization_error(request: &RawRequest, inner: &ReferenceTarget) -> Response {
    if request.body.is_empty() {
        return Ok(error(
            400,
            ErrorCode::SerializationException.as_str(),
            "EOF while parsing a value",
        ));
    }
    reference(request, inner)
}

pub fn trailing_garbage_accepted(request: &RawRequest, inner: &ReferenceTarget) -> Response {
    if serde_json::from_slice::<Value>(&request.body).is_err() {
        let first = serde_json::Deserializer::from_slice(&request.body)
            .into_iter::<Value>()
            .next();
        if let Some(Ok(Value::Object(body))) = first {
            return reference(&with_object(request, body), inner);
        }
    }
    reference(request, inner)
}

/// `names` paired with `items` in order, `null`s left out, as an object.
fn positionally(names: &[&str], items: Vec<Value>) -> Map<String, Value> {
    names
        .iter()
        .zip(items)
        .filter(|(_, value)| !value.is_null())
        .map(|(name, value)| ((*name).to_owned(), value))
        .collect()
}

pub fn top_level_array_read_positionally(
    request: &RawRequest,
    inner: &ReferenceTarget,
) -> Response {
    match serde_json::from_slice::<Value>(&request.body) {
        Ok(Value::Array(items)) if items.len() <= INPUT_MEMBERS.len() => reference(
            &with_object(request, positionally(&INPUT_MEMBERS, items)),
            inner,
        ),
        _ => reference(request, inner),
    }
}

pub fn command_array_read_positionally(request: &RawRequest, inner: &ReferenceTarget) -> Response {
    reads_as(request, inner, |body, _| {
        let Some(Value::Array(items)) = body.get("Command") else {
            return false;
        };
        if items.len() > 2 {
            return false;
        }
        let command = positionally(&["Name", "Args"], items.clone());
        body.insert("Command".to_owned(), Value::Object(command));
        true
    })
}

/// What a reader that treats U+FEFF as whitespace does: a byte order mark is ignored at either
/// end of the body, not only before the JSON text (RFC 8259 section 8.1 allows only that).
pub fn byte_order_mark_trimmed_at_either_end(
    request: &RawRequest,
    inner: &ReferenceTarget,
) -> Response {
    const MARK: &[u8] = b"\xef\xbb\xbf";
    let mut body = request.body.as_slice();
    body = body.strip_prefix(MARK).unwrap_or(body);
    body = body.strip_suffix(MARK).unwrap_or(body);
    if body.len() == request.body.len() {
        return reference(request, inner);
    }
    let mut trimmed = request.clone();
    trimmed.body = body.to_vec();
    reference(&trimmed, inner)
}

/// The reference answer to the request with `body` in place of its body, when `decode` reads
/// the body otherwise than as it is (a lenient reader); else the reference answer.
fn body_read_as(
    request: &RawRequest,
    inner: &ReferenceTarget,
    decode: impl FnOnce(&[u8]) -> Option<Vec<u8>>,
) -> Response {
    match decode(&request.body) {
        Some(body) if body != request.body => {
            let mut read = request.clone();
            read.body = body;
            reference(&read, inner)
        }
        _ => reference(request, inner),
    }
}

/// What Python's `json.loads` does without `parse_constant` (and JavaScript's `JSON5`, and
/// lenient readers in general): `NaN`, `Infinity` and `-Infinity` outside strings are numbers.
pub fn nan_and_infinity_accepted(request: &RawRequest, inner: &ReferenceTarget) -> Response {
    body_read_as(request, inner, |body| {
        let (mut out, mut in_string, mut escaped, mut i) = (Vec::new(), false, false, 0);
        while let Some(&byte) = body.get(i) {
            if in_string {
                match (escaped, byte) {
                    (true, _) => escaped = false,
                    (false, b'\\') => escaped = true,
                    (false, b'"') => in_string = false,
                    _ => {}
                }
            } else if byte == b'"' {
                in_string = true;
            } else if let Some(word) = [b"NaN".as_slice(), b"Infinity"]
                .into_iter()
                .find(|word| body[i..].starts_with(word))
            {
                out.push(b'0');
                i += word.len();
                continue;
            }
            out.push(byte);
            i += 1;
        }
        Some(out)
    })
}

/// What Python's `json.loads(bytes)` does: a body with a UTF-16 or UTF-32 byte order mark, or
/// with NUL bytes among its first four, is decoded as UTF-16 or UTF-32 (`json.detect_encoding`).
pub fn utf16_and_utf32_bodies_decoded(request: &RawRequest, inner: &ReferenceTarget) -> Response {
    body_read_as(request, inner, |body| {
        let (wide, little, skip) = match body {
            [0xff, 0xfe, 0, 0, ..] => (4, true, 4),
            [0, 0, 0xfe, 0xff, ..] => (4, false, 4),
            [0xff, 0xfe, ..] => (2, true, 2),
            [0xfe, 0xff, ..] => (2, false, 2),
            [0, 0, _, _, ..] => (4, false, 0),
            [0, _, _, _, ..] => (2, false, 0),
            [_, 0, 0, 0, ..] => (4, true, 0),
            [_, 0, _, _, ..] => (2, true, 0),
            _ => return None,
        };
        let body = body.get(skip..)?;
        let text: String = if wide == 2 {
            let units: Vec<u16> = body
                .chunks_exact(2)
                .map(|pair| {
                    let pair = [pair[0], pair[1]];
                    if little {
                        u16::from_le_bytes(pair)
                    } else {
                        u16::from_be_bytes(pair)
                    }
                })
                .collect();
            String::from_utf16(&units).ok()?
        } else {
            body.chunks_exact(4)
                .map(|quad| {
                    let quad = [quad[0], quad[1], quad[2], quad[3]];
                    char::from_u32(if little {
                        u32::from_le_bytes(quad)
                    } else {
                        u32::from_be_bytes(quad)
                    })
                })
                .collect::<Option<String>>()?
        };
        Some(text.into_bytes())
    })
}

/// What a CESU-8 or WTF-8 reader (or Python's `surrogatepass`) does: a surrogate encoded as
/// UTF-8 (`ED A0 80` to `ED BF BF`) is read as a character (here U+FFFD).
pub fn encoded_surrogates_accepted(request: &RawRequest, inner: &ReferenceTarget) -> Response {
    body_read_as(request, inner, |body| {
        let mut out = Vec::with_capacity(body.len());
        let mut i = 0;
        while let Some(&byte) = body.get(i) {
            match body.get(i..i + 3) {
                Some([0xed, 0xa0..=0xbf, 0x80..=0xbf]) => {
                    out.extend_from_slice("\u{fffd}".as_bytes());
                    i += 3;
                }
                _ => {
                    out.push(byte);
                    i += 1;
                }
            }
        }
        Some(out)
    })
}

/// What a UTF-8 decoder that only masks the bits does: an overlong encoding (`C1 81`,
/// `E0 81 81`, `F0 80 81 81` for `A`) is read as the character it spells.
pub fn overlong_utf8_accepted(request: &RawRequest, inner: &ReferenceTarget) -> Response {
    body_read_as(request, inner, |body| {
        let mut out = Vec::with_capacity(body.len());
        let mut i = 0;
        let low = |byte: u8| u32::from(byte & 0x3f);
        while let Some(&byte) = body.get(i) {
            let decoded = match body.get(i..) {
                Some([lead @ 0xc0..=0xc1, b, ..]) if b & 0xc0 == 0x80 => {
                    Some((2, (u32::from(lead & 0x1f) << 6) | low(*b)))
                }
                Some([0xe0, b @ 0x80..=0x9f, c, ..]) if c & 0xc0 == 0x80 => {
                    Some((3, (low(*b) << 6) | low(*c)))
                }
                Some([0xf0, b @ 0x80..=0x8f, c, d, ..]) if c & 0xc0 == 0x80 && d & 0xc0 == 0x80 => {
                    Some((4, (low(*b) << 12) | (low(*c) << 6) | low(*d)))
                }
                _ => None,
            };
            match decoded.and_then(|(width, unit)| Some((width, char::from_u32(unit)?))) {
                Some((width, ch)) => {
                    out.extend_from_slice(ch.encode_utf8(&mut [0; 4]).as_bytes());
                    i += width;
                }
                None => {
                    out.push(byte);
                    i += 1;
                }
            }
        }
        Some(out)
    })
}

/// What `String::from_utf8_lossy`, Node's `buffer.toString()` and most lenient decoders do:
/// bytes that are not UTF-8 are read as U+FFFD.
pub fn invalid_utf8_read_lossily(request: &RawRequest, inner: &ReferenceTarget) -> Response {
    body_read_as(request, inner, |body| {
        Some(String::from_utf8_lossy(body).into_owned().into_bytes())
    })
}

/// The request as CreateDeployment when every X-Amz-Target value passes `accepts`.
fn target_header_read_as(
    request: &RawRequest,
    inner: &ReferenceTarget,
    accepts: fn(&str) -> bool,
) -> Response {
    let values: Vec<&str> = wire::header_values(&request.headers, wire::TARGET_HEADER).collect();
    if !values.is_empty() && values.iter().all(|value| accepts(value)) {
        let exact = request
            .clone()
            .with_header(wire::TARGET_HEADER, wire::TARGET_VALUE);
        return reference(&exact, inner);
    }
    reference(request, inner)
}

pub fn ignores_target_header(request: &RawRequest, inner: &ReferenceTarget) -> Response {
    let exact = request
        .clone()
        .with_header(wire::TARGET_HEADER, wire::TARGET_VALUE);
    reference(&exact, inner)
}

pub fn target_header_case_insensitive(request: &RawRequest, inner: &ReferenceTarget) -> Response {
    target_header_read_as(request, inner, |value| {
        value.eq_ignore_ascii_case(wire::TARGET_VALUE)
    })
}

// ---------------------------------------------------------------------------------------------
// V-*
// ---------------------------------------------------------------------------------------------

pub fn missing_stack_not_found(request: &RawRequest, inner: &ReferenceTarget) -> Response {
    if let Some(body) = object(request) {
        if body.get("StackId").is_none_or(Value::is_null) {
            return Ok(error(
                400,
                ErrorCode::ResourceNotFoundException.as_str(),
                "Unable to find stack with ID None",
            ));
        }
    }
    reference(request, inner)
}

pub fn missing_command_defaults_to_configure(
    request: &RawRequest,
    inner: &ReferenceTarget,
) -> Response {
    reads_as(request, inner, |body, _| {
        if body.get("Command").is_none_or(Value::is_null) {
            body.insert("Command".to_owned(), json!({ "Name": "configure" }));
            return true;
        }
        false
    })
}

pub fn unknown_command_not_found(request: &RawRequest, inner: &ReferenceTarget) -> Response {
    let unknown = object(request).is_some_and(|body| {
        command_name(&body).is_some_and(|name| name.parse::<CommandName>().is_err())
    });
    if unknown {
        return Ok(error(
            400,
            ErrorCode::ResourceNotFoundException.as_str(),
            "Unable to find command",
        ));
    }
    reference(request, inner)
}

pub fn missing_name_serialization_error(request: &RawRequest, inner: &ReferenceTarget) -> Response {
    if let Some(Value::Object(command)) = object(request).and_then(|mut b| b.remove("Command")) {
        if command.get("Name").is_none_or(Value::is_null) {
            return Ok(error(
                400,
                ErrorCode::SerializationException.as_str(),
                "missing field `Name`",
            ));
        }
    }
    reference(request, inner)
}

/// The request with `Command.Name` changed by `change`.
fn name_read_as(
    request: &RawRequest,
    inner: &ReferenceTarget,
    change: fn(&str) -> String,
) -> Response {
    reads_as(request, inner, |body, _| {
        let Some(Value::Object(command)) = body.get_mut("Command") else {
            return false;
        };
        let Some(Value::String(name)) = command.get_mut("Name") else {
            return false;
        };
        let changed = change(name);
        if changed == *name {
            return false;
        }
        *name = changed;
        true
    })
}

pub fn command_name_case_insensitive(request: &RawRequest, inner: &ReferenceTarget) -> Response {
    name_read_as(request, inner, str::to_ascii_lowercase)
}

pub fn scalars_coerced_to_strings(request: &RawRequest, inner: &ReferenceTarget) -> Response {
    fn coerce(value: &mut Value) -> bool {
        let text = match value {
            Value::Number(number) => number.to_string(),
            Value::Bool(flag) => flag.to_string(),
            _ => return false,
        };
        *value = Value::String(text);
        true
    }
    reads_as(request, inner, |body, _| {
        let mut changed = false;
        for member in ["StackId", "AppId", "Comment", "CustomJson"] {
            if let Some(value) = body.get_mut(member) {
                changed |= coerce(value);
            }
        }
        if let Some(Value::Object(command)) = body.get_mut("Command") {
            if let Some(name) = command.get_mut("Name") {
                changed |= coerce(name);
            }
        }
        changed
    })
}

/// What a lookup that takes any JSON scalar as an id's text does: a number where a string id
/// belongs (StackId, AppId, an element of InstanceIds or LayerIds) is read as its decimal text
/// and looked up, so `123` is answered ResourceNotFoundException as `"123"` would be.
pub fn non_string_ids_coerced(request: &RawRequest, inner: &ReferenceTarget) -> Response {
    fn coerce(value: &mut Value) -> bool {
        match value {
            Value::Number(number) => {
                *value = Value::String(number.to_string());
                true
            }
            _ => false,
        }
    }
    reads_as(request, inner, |body, _| {
        let mut changed = false;
        for member in ["StackId", "AppId"] {
            if let Some(value) = body.get_mut(member) {
                changed |= coerce(value);
            }
        }
        for member in ["InstanceIds", "LayerIds"] {
            if let Some(Value::Array(ids)) = body.get_mut(member) {
                for id in ids {
                    changed |= coerce(id);
                }
            }
        }
        changed
    })
}

pub fn app_command_without_app(request: &RawRequest, inner: &ReferenceTarget) -> Response {
    ignores(rules::V_APP_REQUIRED, request, inner)
}

pub fn custom_json_unparsed(request: &RawRequest, inner: &ReferenceTarget) -> Response {
    reads_as(request, inner, |body, _| match body.get_mut("CustomJson") {
        Some(Value::String(text)) if text != "{}" => {
            *text = "{}".to_owned();
            true
        }
        _ => false,
    })
}

pub fn custom_json_any_value(request: &RawRequest, inner: &ReferenceTarget) -> Response {
    reads_as(request, inner, |body, _| match body.get_mut("CustomJson") {
        Some(Value::String(text))
            if serde_json::from_str::<Value>(text).is_ok_and(|value| !value.is_object()) =>
        {
            *text = "{}".to_owned();
            true
        }
        _ => false,
    })
}

pub fn recipes_not_required(request: &RawRequest, inner: &ReferenceTarget) -> Response {
    reads_as(request, inner, |body, _| {
        if command_name(body) != Some(CommandName::ExecuteRecipes.as_str()) {
            return false;
        }
        let Some(args) = args_mut(body) else {
            return false;
        };
        let recipes: Option<Vec<String>> = match args.get("recipes") {
            None => Some(Vec::new()),
            Some(Value::Array(values)) => values
                .iter()
                .map(|value| value.as_str().map(str::to_owned))
                .collect(),
            Some(_) => None,
        };
        let Some(recipes) = recipes else {
            return false;
        };
        if !recipes.is_empty() && recipes.iter().all(|recipe| !recipe.is_empty()) {
            return false;
        }
        // The mock runs the default recipe instead.
        args.insert("recipes".to_owned(), json!(["default"]));
        true
    })
}

pub fn migrate_any_value(request: &RawRequest, inner: &ReferenceTarget) -> Response {
    reads_as(request, inner, |body, _| {
        if command_name(body) != Some(CommandName::Deploy.as_str()) {
            return false;
        }
        let Some(Value::Object(args)) = body.get_mut("Command").and_then(|c| c.get_mut("Args"))
        else {
            return false;
        };
        let valid = args.get("migrate").is_none()
            || [json!(["true"]), json!(["false"])]
                .iter()
                .any(|valid| args.get("migrate") == Some(valid));
        if valid {
            return false;
        }
        args.remove("migrate");
        true
    })
}

pub fn upgrade_implies_reboot(request: &RawRequest, inner: &ReferenceTarget) -> Response {
    reads_as(request, inner, |body, _| {
        if command_name(body) != Some(CommandName::UpdateDependencies.as_str()) {
            return false;
        }
        let Some(Value::Object(args)) = body.get_mut("Command").and_then(|c| c.get_mut("Args"))
        else {
            return false;
        };
        if !args.contains_key("upgrade_os_to") || args.get("allow_reboot") == Some(&json!(["true"]))
        {
            return false;
        }
        args.insert("allow_reboot".to_owned(), json!(["true"]));
        true
    })
}

pub fn rollback_without_versions(request: &RawRequest, inner: &ReferenceTarget) -> Response {
    ignores(rules::V_ROLLBACK_DEPTH, request, inner)
}

// ---------------------------------------------------------------------------------------------
// N-*
// ---------------------------------------------------------------------------------------------

pub fn stack_ids_trimmed(request: &RawRequest, inner: &ReferenceTarget) -> Response {
    reads_as(request, inner, |body, _| {
        relookup(body, "StackId", |id| Some(id.trim().to_owned()))
    })
}

pub fn stack_ids_case_insensitive(request: &RawRequest, inner: &ReferenceTarget) -> Response {
    reads_as(request, inner, |body, world| {
        relookup(body, "StackId", |id| {
            world
                .stacks
                .iter()
                .find(|stack| stack.stack_id.eq_ignore_ascii_case(id))
                .map(|stack| stack.stack_id.clone())
        })
    })
}

pub fn stack_ids_by_prefix(request: &RawRequest, inner: &ReferenceTarget) -> Response {
    reads_as(request, inner, |body, world| {
        relookup(body, "StackId", |id| {
            if id.is_empty() {
                return None;
            }
            world
                .stacks
                .iter()
                .find(|stack| stack.stack_id.starts_with(id))
                .map(|stack| stack.stack_id.clone())
        })
    })
}

/// The stack whose id the StackId starts with: a lookup that reads only as many characters as
/// the stored ids have (a fixed-width column), so an id with characters appended still matches.
pub fn stack_ids_matched_by_their_start(request: &RawRequest, inner: &ReferenceTarget) -> Response {
    reads_as(request, inner, |body, world| {
        relookup(body, "StackId", |id| {
            world
                .stacks
                .iter()
                .find(|stack| !stack.stack_id.is_empty() && id.starts_with(&stack.stack_id))
                .map(|stack| stack.stack_id.clone())
        })
    })
}

/// What NFKC normalisation does to the characters of an id: fullwidth forms (U+FF01 to U+FF5E)
/// and mathematical alphanumerics (U+1D400 to U+1D7FF) become their ASCII letters and digits,
/// and a letter followed by a combining acute, grave, tilde, diaeresis or cedilla is composed.
/// A hand-written part of NFKC, enough for the ids the gate sends.
fn nfkc(id: &str) -> String {
    let mut folded = String::with_capacity(id.len());
    for c in id.chars() {
        let code = u32::from(c);
        let ascii = match code {
            0xff01..=0xff5e => char::from_u32(code - 0xff01 + 0x21),
            0x1_d400..=0x1_d6a3 => {
                // Mathematical letters: 13 alphabets of 52 (A-Z, a-z).
                let index = (code - 0x1_d400) % 52;
                char::from_u32(if index < 26 {
                    0x41 + index
                } else {
                    0x61 + index - 26
                })
            }
            0x1_d7ce..=0x1_d7ff => char::from_u32(0x30 + (code - 0x1_d7ce) % 10),
            _ => None,
        };
        folded.push(ascii.unwrap_or(c));
    }
    for (letter, mark, composed) in [
        ('e', '\u{301}', 'é'),
        ('e', '\u{300}', 'è'),
        ('a', '\u{301}', 'á'),
        ('a', '\u{300}', 'à'),
        ('a', '\u{308}', 'ä'),
        ('o', '\u{308}', 'ö'),
        ('u', '\u{308}', 'ü'),
        ('n', '\u{303}', 'ñ'),
        ('c', '\u{327}', 'ç'),
        ('E', '\u{301}', 'É'),
        ('A', '\u{308}', 'Ä'),
        ('O', '\u{308}', 'Ö'),
    ] {
        let sequence: String = [letter, mark].iter().collect();
        folded = folded.replace(&sequence, &composed.to_string());
    }
    folded
}

/// StackId NFKC-normalised before the lookup (as a store that normalises its keys does).
pub fn stack_ids_normalised(request: &RawRequest, inner: &ReferenceTarget) -> Response {
    reads_as(request, inner, |body, world| {
        relookup(body, "StackId", |id| {
            let normalised = nfkc(id);
            world
                .stacks
                .iter()
                .find(|stack| nfkc(&stack.stack_id) == normalised)
                .map(|stack| stack.stack_id.clone())
        })
    })
}

pub fn app_of_any_stack(request: &RawRequest, inner: &ReferenceTarget) -> Response {
    let world = inner.world();
    let foreign_app = object(request).is_some_and(|body| {
        body.get("AppId")
            .and_then(Value::as_str)
            .and_then(|app_id| world.stack_of_app(app_id))
            .is_some()
    });
    if foreign_app {
        return ignores(rules::N_APP, request, inner);
    }
    reference(request, inner)
}

pub fn app_ids_case_insensitive(request: &RawRequest, inner: &ReferenceTarget) -> Response {
    reads_as(request, inner, |body, world| {
        let apps: Vec<String> = stack_of(body, world)
            .map(|stack| stack.apps.iter().map(|app| app.app_id.clone()).collect())
            .unwrap_or_default();
        relookup(body, "AppId", |id| {
            apps.iter()
                .find(|app| app.eq_ignore_ascii_case(id))
                .cloned()
        })
    })
}

pub fn first_instance_only(request: &RawRequest, inner: &ReferenceTarget) -> Response {
    reads_as(request, inner, |body, world| {
        let Some(stack) = stack_of(body, world) else {
            return false;
        };
        let Some(Value::Array(ids)) = body.get("InstanceIds") else {
            return false;
        };
        let first_known = ids.first().and_then(Value::as_str).is_some_and(|first| {
            stack
                .instances
                .iter()
                .any(|instance| instance.instance_id == first)
        });
        if ids.len() < 2 || !first_known || !ids.iter().all(Value::is_string) {
            return false;
        }
        let first = ids[0].clone();
        body.insert("InstanceIds".to_owned(), Value::Array(vec![first]));
        true
    })
}

pub fn layers_of_any_stack(request: &RawRequest, inner: &ReferenceTarget) -> Response {
    reads_as(request, inner, |body, world| {
        let Some(stack_id) = stack_of(body, world).map(|stack| stack.stack_id.clone()) else {
            return false;
        };
        let Some(Value::Array(ids)) = body.get("LayerIds") else {
            return false;
        };
        if !ids.iter().all(Value::is_string) {
            return false;
        }
        // Layers of other stacks pass the check; the deployment then leaves them out.
        let kept: Vec<Value> = ids
            .iter()
            .filter(|id| {
                id.as_str()
                    .and_then(|id| world.stack_of_layer(id))
                    .is_none_or(|owner| owner.stack_id == stack_id)
            })
            .cloned()
            .collect();
        if kept.len() == ids.len() {
            return false;
        }
        if kept.is_empty() {
            body.remove("LayerIds");
        } else {
            body.insert("LayerIds".to_owned(), Value::Array(kept));
        }
        true
    })
}

// ---------------------------------------------------------------------------------------------
// A-* (the world with users)
// ---------------------------------------------------------------------------------------------

/// The user a lax mock falls back to: it may manage every stack of the bundled world.
const DEFAULT_USER: &str = "AKIDMANAGER00000001";

/// The reference target with an authenticator that checks signatures, then changes what it
/// found with `lax`.
fn authenticated_as(
    world: &World,
    lax: fn(CallerIdentity, &World) -> CallerIdentity,
) -> Box<dyn Target> {
    let verifier = SigV4Authenticator::new(world, DEFAULT_REGION);
    let users = world.clone();
    Box::new(
        ReferenceTarget::new(world.clone()).with_authenticator(move |request: &RawRequest| {
            lax(verifier.identify(request), &users)
        }),
    )
}

pub fn unsigned_as_default_user(world: &World) -> Box<dyn Target> {
    authenticated_as(world, |caller, _| match caller {
        CallerIdentity::Unsigned => CallerIdentity::Verified(DEFAULT_USER.to_owned()),
        other => other,
    })
}

pub fn unknown_key_as_default_user(world: &World) -> Box<dyn Target> {
    authenticated_as(world, |caller, users| match caller {
        CallerIdentity::InvalidSignature(key) if users.user(&key).is_none() => {
            CallerIdentity::Verified(DEFAULT_USER.to_owned())
        }
        other => other,
    })
}

pub fn signature_not_verified(world: &World) -> Box<dyn Target> {
    Box::new(ReferenceTarget::new(world.clone()).with_authenticator(ClaimedKey))
}

/// The reference target deciding permissions in `lax` (a changed copy of the world), with
/// signatures checked against the real users.
fn permissions_from(world: &World, lax: World) -> Box<dyn Target> {
    Box::new(
        ReferenceTarget::new(lax)
            .with_authenticator(SigV4Authenticator::new(world, DEFAULT_REGION)),
    )
}

pub fn show_level_may_deploy(world: &World) -> Box<dyn Target> {
    let mut lax = world.clone();
    for permission in lax.users.iter_mut().flat_map(|user| &mut user.permissions) {
        if permission.level == PermissionLevel::Show {
            permission.level = PermissionLevel::Deploy;
        }
    }
    permissions_from(world, lax)
}

// ---------------------------------------------------------------------------------------------
// S-ACCEPT-VALID
// ---------------------------------------------------------------------------------------------

/// Refuses (ValidationException) the otherwise valid requests for which `refuse` holds of the
/// body: the check runs last, when the deployment is stored (a column too short, a charset that
/// cannot hold the text), so every invalid request still gets the answer it should.
fn refuses_when_stored(
    request: &RawRequest,
    inner: &ReferenceTarget,
    refuse: impl FnOnce(&Map<String, Value>) -> bool,
) -> Response {
    let Some(mut body) = object(request) else {
        return reference(request, inner);
    };
    if !refuse(&body) {
        return reference(request, inner);
    }
    // Any string is a valid Comment: judge the request without its text (cheaper for long
    // comments).
    if let Some(Value::String(comment)) = body.get_mut("Comment") {
        comment.clear();
    }
    let verdict = judge_request(
        &inner.world(),
        &with_object(request, body),
        &CallerIdentity::Unsigned,
    );
    if verdict.is_valid() {
        return Ok(validation("1 validation error detected"));
    }
    reference(request, inner)
}

pub fn non_ascii_comment_refused(request: &RawRequest, inner: &ReferenceTarget) -> Response {
    refuses_when_stored(request, inner, |body| {
        body.get("Comment")
            .and_then(Value::as_str)
            .is_some_and(|comment| !comment.is_ascii())
    })
}

pub fn many_instances_refused(request: &RawRequest, inner: &ReferenceTarget) -> Response {
    refuses_when_stored(request, inner, |body| {
        body.get("InstanceIds")
            .and_then(Value::as_array)
            .is_some_and(|ids| ids.len() > 2)
    })
}

pub fn long_comment_refused(request: &RawRequest, inner: &ReferenceTarget) -> Response {
    refuses_when_stored(request, inner, |body| {
        body.get("Comment")
            .and_then(Value::as_str)
            .is_some_and(|comment| comment.len() > 4096)
    })
}

// ---------------------------------------------------------------------------------------------
// S-UNIQUE-ID
// ---------------------------------------------------------------------------------------------

pub fn deployment_id_per_stack_counter(world: &World) -> Box<dyn Target> {
    let inner = Arc::new(ReferenceTarget::new(world.clone()));
    let counters: Arc<Mutex<HashMap<String, u64>>> = Arc::default();
    Box::new(
        from_fn(move |request: RawRequest| {
            let answer = on_success(&request, &inner, |_| {
                let stack = object(&request)
                    .and_then(|body| {
                        body.get("StackId")
                            .and_then(Value::as_str)
                            .map(str::to_owned)
                    })
                    .unwrap_or_default();
                let mut counters = counters.lock().unwrap_or_else(PoisonError::into_inner);
                let counter = counters.entry(stack).or_default();
                *counter += 1;
                Observation::json(
                    200,
                    json!({ "DeploymentId": format!("d-{counter}") }).to_string(),
                )
            });
            std::future::ready(answer)
        })
        .described_as("mutant deployment_id_per_stack_counter"),
    )
}

// ---------------------------------------------------------------------------------------------
// S-ERROR-NO-EFFECT
// ---------------------------------------------------------------------------------------------

/// A plain rollback of the app the body names, on its stack: what a leaky mock carries out.
fn plain_rollback(body: &Map<String, Value>) -> Option<RawRequest> {
    if command_name(body) != Some(CommandName::Rollback.as_str()) {
        return None;
    }
    let stack = body.get("StackId")?.as_str()?;
    let app = body.get("AppId")?.as_str()?;
    Some(RawRequest::json(
        json!({ "StackId": stack, "AppId": app, "Command": { "Name": "rollback" } }).to_string(),
    ))
}

pub fn rejected_rollback_uses_version(request: &RawRequest, inner: &ReferenceTarget) -> Response {
    let answer = inner.answer_request(request);
    if (400..500).contains(&answer.status) {
        if let Some(rollback) = object(request).as_ref().and_then(plain_rollback) {
            let _ = inner.answer_request(&rollback);
        }
    }
    Ok(answer)
}

pub fn unknown_operation_still_acts(request: &RawRequest, inner: &ReferenceTarget) -> Response {
    let values: Vec<&str> = wire::header_values(&request.headers, wire::TARGET_HEADER).collect();
    if values != [wire::TARGET_VALUE] {
        // The body is processed first, the operation checked afterwards.
        let as_create = request
            .clone()
            .with_header(wire::TARGET_HEADER, wire::TARGET_VALUE);
        let _ = inner.answer_request(&as_create);
    }
    reference(request, inner)
}

// ---------------------------------------------------------------------------------------------
// O-PRECEDENCE
// ---------------------------------------------------------------------------------------------

pub fn existence_before_validation(request: &RawRequest, inner: &ReferenceTarget) -> Response {
    let world = inner.world();
    let unknown_stack = object(request).is_some_and(|body| {
        body.get("StackId")
            .and_then(Value::as_str)
            .is_some_and(|stack_id| world.stack(stack_id).is_none())
    });
    if unknown_stack {
        return Ok(error(
            400,
            ErrorCode::ResourceNotFoundException.as_str(),
            "Unable to find stack",
        ));
    }
    reference(request, inner)
}
