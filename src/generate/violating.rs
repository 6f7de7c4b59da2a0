//! For every server-side rule, a family of requests that exercise it: the violation, or for
//! MAY rules the implementation-defined case, or for response rules the requests that make the
//! target answer in that form.

use std::collections::BTreeMap;

use proptest::prelude::*;
use proptest::strategy::BoxedStrategy;
use serde_json::{Map, Value, json};

use crate::contract::{
    CATALOGUE, CommandName, CreateDeploymentInput, DeploymentCommand, INPUT_MEMBERS, RawRequest,
    RuleId, Side, Signing, rules, wire,
};
use crate::generate::args::{
    bad_migrate, bad_reboot, bad_recipes, unknown_arg, unused_args, wrong_shape_args,
};
use crate::generate::case::Case;
use crate::generate::command::{app_command, near_miss_name};
use crate::generate::custom_json::{
    custom_json_beyond_limits, invalid_custom_json, non_object_custom_json, valid_custom_json,
};
use crate::generate::ids::{absent_id, near_miss_id, numeric_ids};
use crate::generate::one_of::{OneOf, one_of};
use crate::generate::request::{allowed_pairs, valid_input, valid_pairs};
use crate::world::{AppType, PermissionLevel, Stack, World};

type Args = Option<BTreeMap<String, Vec<String>>>;

/// The server-side rules, in catalogue order: every rule a family can exercise.
#[must_use]
pub fn server_rules() -> Vec<RuleId> {
    CATALOGUE
        .iter()
        .filter(|rule| rule.side() == Side::Server)
        .map(|rule| rule.id)
        .collect()
}

/// The family of cases for a rule, whatever its kind: [`valid_request`](crate::generate::valid_request) for `S-ACCEPT-VALID`,
/// [`violating`] otherwise. `None` when the rule cannot be exercised in this world (A-* without
/// users, V-ROLLBACK-DEPTH without an app at its last version, client rules, ...).
#[must_use]
pub fn family(rule: RuleId, world: &World) -> Option<BoxedStrategy<Case>> {
    violating(rule, world)
}

/// Requests that exercise `rule` in `world`: for MUST and SHOULD rules, requests that break it
/// (and, for response rules, requests that make the target answer in the form the rule is
/// about); for MAY rules, requests that present the implementation-defined case. Each case is
/// labelled with the variant that made it. `None` when the world gives the rule no chance (see
/// [`family`]).
///
/// ```
/// use opsworks_conformance::contract::rules;
/// use opsworks_conformance::generate::violating;
/// use opsworks_conformance::world::World;
/// assert!(violating(rules::A_PERMISSION, &World::bundled()).is_none()); // no users
/// assert!(violating(rules::A_PERMISSION, &World::bundled_with_users()).is_some());
/// ```
#[must_use]
pub fn violating(rule: RuleId, world: &World) -> Option<BoxedStrategy<Case>> {
    let inputs = valid_pairs(world).map(|pairs| {
        pairs
            .prop_map(|(input, signing)| ValidInput {
                rule: rules::S_ACCEPT_VALID,
                label: "valid",
                input: Some(input),
                signing,
            })
            .boxed()
    });
    let families = Families { world, inputs };
    families.of(rule)
}

struct Families<'w> {
    world: &'w World,
    /// The cases of [`valid_request`](crate::generate::valid_request), before the request is
    /// serialised (most families change the input first).
    inputs: Option<BoxedStrategy<ValidInput>>,
}

/// A valid case before serialisation: the fields of a [`Case`] that the families use.
#[derive(Debug, Clone)]
struct ValidInput {
    rule: RuleId,
    label: &'static str,
    input: Option<CreateDeploymentInput>,
    signing: Signing,
}

/// Relabels the cases of a strategy for another rule.
fn relabel(strategy: BoxedStrategy<Case>, rule: RuleId) -> BoxedStrategy<Case> {
    strategy
        .prop_map(move |mut case| {
            case.rule = rule;
            case
        })
        .boxed()
}

fn union(strategies: Vec<BoxedStrategy<Case>>) -> Option<BoxedStrategy<Case>> {
    if strategies.is_empty() {
        None
    } else {
        Some(OneOf::uniform(strategies).boxed())
    }
}

/// The members of a body object as a JSON array, in the model's order (absent ones `null`):
/// the sequence form a derived serde `Deserialize` accepts for a structure.
fn positional(object: &Map<String, Value>) -> Vec<u8> {
    let values: Vec<Value> = INPUT_MEMBERS
        .iter()
        .map(|name| object.get(*name).cloned().unwrap_or(Value::Null))
        .collect();
    Value::Array(values).to_string().into_bytes()
}

/// The canonical body of a typed request as a JSON object, to break it at the JSON level.
fn body_object(input: &CreateDeploymentInput) -> Map<String, Value> {
    match serde_json::to_value(input) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    }
}

/// A case whose body is `object`, with the standard headers.
fn json_case(
    rule: RuleId,
    label: &'static str,
    object: Map<String, Value>,
    signing: Signing,
) -> Case {
    let body = Value::Object(object).to_string();
    Case::raw(rule, label, RawRequest::json(body), signing)
}

/// Sets the command of a typed request (and drops its Args).
fn with_command(mut input: CreateDeploymentInput, name: CommandName) -> CreateDeploymentInput {
    input.command = Some(DeploymentCommand::named(name));
    input
}

/// `NaN`, `Infinity` and `-Infinity`: numbers JavaScript and Python's `json` know, but no JSON
/// text (RFC 8259 section 6).
const NOT_JSON_NUMBERS: [&str; 3] = ["NaN", "Infinity", "-Infinity"];

/// Bytes that are never UTF-8 (RFC 3629): a continuation byte alone, a lead byte without its
/// continuation, bytes no UTF-8 has.
const NOT_UTF8_BYTES: [&[u8]; 4] = [b"\x80", b"\xc3(", b"\xff", b"\xfe"];

/// Surrogates (U+D800, U+DBFF, U+DC00, U+DFFF) encoded as UTF-8 would encode them: what CESU-8,
/// WTF-8 and Python's `surrogatepass` read, but no UTF-8 (RFC 3629 section 3).
const ENCODED_SURROGATES: [&[u8]; 4] = [
    b"\xed\xa0\x80",
    b"\xed\xaf\xbf",
    b"\xed\xb0\x80",
    b"\xed\xbf\xbf",
];

/// Overlong encodings of `A` and `/` (two, three and four bytes): what a decoder that only
/// masks the bits reads, but no UTF-8 (RFC 3629 section 3).
const OVERLONG: [&[u8]; 5] = [
    b"\xc1\x81",
    b"\xc0\xaf",
    b"\xe0\x81\x81",
    b"\xe0\x80\xaf",
    b"\xf0\x80\x81\x81",
];

/// The valid body with its `Comment` replaced by one holding `bytes` between two letters.
fn in_comment(input: &CreateDeploymentInput, bytes: &[u8]) -> Vec<u8> {
    // A placeholder no id or comment of a generated request holds, replaced by the bytes.
    const PLACEHOLDER: &str = "\u{1}comment\u{1}";
    let mut object = body_object(input);
    object.insert("Comment".to_owned(), Value::String(PLACEHOLDER.to_owned()));
    let text = Value::Object(object).to_string();
    let written = "\"\\u0001comment\\u0001\"";
    let at = text.find(written).unwrap_or(text.len());
    let mut bad = text.as_bytes().get(..at).unwrap_or_default().to_vec();
    bad.extend_from_slice(b"\"x");
    bad.extend_from_slice(bytes);
    bad.extend_from_slice(b"y\"");
    bad.extend_from_slice(
        text.as_bytes()
            .get(at + written.len()..)
            .unwrap_or_default(),
    );
    bad
}

/// The UTF-8 body as UTF-16 or UTF-32 (what Python's `json.loads(bytes)` detects and decodes),
/// with or without the byte order mark, and a label saying which.
type WideEncoding = (&'static str, fn(&[u8]) -> Vec<u8>);

const WIDE_ENCODINGS: [WideEncoding; 8] = [
    ("the JSON text in UTF-16LE", |body| {
        utf16(body, false, u16::to_le_bytes)
    }),
    ("the JSON text in UTF-16BE", |body| {
        utf16(body, false, u16::to_be_bytes)
    }),
    ("the JSON text in UTF-16LE with a byte order mark", |body| {
        utf16(body, true, u16::to_le_bytes)
    }),
    ("the JSON text in UTF-16BE with a byte order mark", |body| {
        utf16(body, true, u16::to_be_bytes)
    }),
    ("the JSON text in UTF-32LE", |body| {
        utf32(body, false, u32::to_le_bytes)
    }),
    ("the JSON text in UTF-32BE", |body| {
        utf32(body, false, u32::to_be_bytes)
    }),
    ("the JSON text in UTF-32LE with a byte order mark", |body| {
        utf32(body, true, u32::to_le_bytes)
    }),
    ("the JSON text in UTF-32BE with a byte order mark", |body| {
        utf32(body, true, u32::to_be_bytes)
    }),
];

fn utf16(body: &[u8], marked: bool, bytes: fn(u16) -> [u8; 2]) -> Vec<u8> {
    let text = String::from_utf8_lossy(body);
    let mark = marked.then_some(0xfeff_u16);
    mark.into_iter()
        .chain(text.encode_utf16())
        .flat_map(bytes)
        .collect()
}

fn utf32(body: &[u8], marked: bool, bytes: fn(u32) -> [u8; 4]) -> Vec<u8> {
    let text = String::from_utf8_lossy(body);
    let mark = marked.then_some(0xfeff_u32);
    mark.into_iter()
        .chain(text.chars().map(u32::from))
        .flat_map(bytes)
        .collect()
}

/// `X-Amz-Target` values with the API's prefix and a name the API does not have
/// (P-UNKNOWN-OPERATION). None is an operation of the API, nor could a lenient server take one
/// for an operation other than CreateDeployment (the generators' tests check it).
const NOT_API_OPERATIONS: [&str; 3] = [
    "OpsWorks_20130218.CreateDeployments",
    "OpsWorks_20130218.CreateDeploymentX",
    "OpsWorks_20130218.Nonexistent",
];

/// `X-Amz-Target` values naming CreateDeployment in another version of the API.
const OTHER_API_VERSIONS: [&str; 2] = [
    "OpsWorks_20120101.CreateDeployment",
    "OpsWorks_20130219.CreateDeployment",
];

/// The commands that take no Args and act on the stack.
const PLAIN_STACK_COMMANDS: [CommandName; 4] = [
    CommandName::InstallDependencies,
    CommandName::UpdateCustomCookbooks,
    CommandName::Configure,
    CommandName::Setup,
];

impl Families<'_> {
    /// Valid requests ([`valid_request`](crate::generate::valid_request)).
    fn valid(&self) -> Option<BoxedStrategy<Case>> {
        Some(
            self.inputs()?
                .prop_map(|valid| {
                    Case::typed(
                        valid.rule,
                        valid.label,
                        valid.input.unwrap_or_default(),
                        valid.signing,
                    )
                })
                .boxed(),
        )
    }

    /// Valid requests, not serialised yet.
    fn inputs(&self) -> Option<BoxedStrategy<ValidInput>> {
        self.inputs.clone()
    }

    /// Valid requests reduced to a plain stack command (no AppId, no Args), so that a single
    /// change makes exactly one case.
    fn plain(&self) -> Option<BoxedStrategy<ValidInput>> {
        Some(
            (
                self.inputs()?,
                proptest::sample::select(&PLAIN_STACK_COMMANDS[..]),
            )
                .prop_map(|(case, name)| {
                    let mut input = with_command(case.input.unwrap_or_default(), name);
                    input.app_id = None;
                    ValidInput {
                        input: Some(input),
                        ..case
                    }
                })
                .boxed(),
        )
    }

    /// Allowed (stack, signing) pairs whose stack satisfies `keep`.
    fn pairs(&self, keep: impl Fn(&Stack) -> bool) -> Vec<(Stack, Signing)> {
        allowed_pairs(self.world)
            .into_iter()
            .filter_map(|(stack_id, signing)| {
                let stack = self.world.stack(&stack_id)?;
                keep(stack).then(|| (stack.clone(), signing))
            })
            .collect()
    }

    /// One strategy per allowed pair (whose stack satisfies `keep`), built by `make`.
    fn per_pair(
        &self,
        keep: impl Fn(&Stack) -> bool,
        make: impl Fn(&Stack, Signing) -> Option<BoxedStrategy<Case>>,
    ) -> Option<BoxedStrategy<Case>> {
        union(
            self.pairs(keep)
                .into_iter()
                .filter_map(|(stack, signing)| make(&stack, signing))
                .collect(),
        )
    }

    fn of(&self, rule: RuleId) -> Option<BoxedStrategy<Case>> {
        let family = match rule.as_str() {
            "P-SUCCESS-SHAPE" | "S-ACCEPT-VALID" | "S-UNIQUE-ID" => self.valid(),
            "P-ERROR-SHAPE" | "P-ERROR-MESSAGE" => union(
                [
                    rules::V_STACK_REQUIRED,
                    rules::V_NAME_ENUM,
                    rules::N_STACK,
                    rules::P_MALFORMED_JSON,
                ]
                .into_iter()
                .filter_map(|rule| self.of(rule))
                .collect(),
            ),
            "P-RESPONSE-CONTENT-TYPE" => union(
                [
                    rules::S_ACCEPT_VALID,
                    rules::V_COMMAND_REQUIRED,
                    rules::N_APP,
                ]
                .into_iter()
                .filter_map(|rule| self.of(rule))
                .collect(),
            ),
            "P-NO-SERVER-ERROR" => Some(self.hostile()),
            "P-CONTENT-TYPE-PARAMS" => self.content_type_params(),
            "P-EMPTY-BODY" => self.empty_body(),
            "P-MALFORMED-JSON" => self.malformed_json(),
            "P-UNKNOWN-OPERATION" => self.unknown_operation(),
            "V-STACK-REQUIRED" => self.without_member("StackId"),
            "V-COMMAND-REQUIRED" => self.without_member("Command"),
            "V-NAME-REQUIRED" => self.without_name(),
            "V-NAME-ENUM" => self.name_enum(),
            "V-TYPE" => self.wrong_type(),
            "V-APP-REQUIRED" => self.app_required(),
            "V-CUSTOM-JSON" => self.custom_json(invalid_custom_json().boxed(), "invalid JSON text"),
            "V-CUSTOM-JSON-OBJECT" => {
                self.custom_json(non_object_custom_json().boxed(), "JSON but not an object")
            }
            "V-RECIPES" => self.stack_args(
                CommandName::ExecuteRecipes,
                bad_recipes().boxed(),
                "bad recipes",
            ),
            "V-REBOOT" => self.stack_args(
                CommandName::UpdateDependencies,
                bad_reboot().boxed(),
                "bad reboot",
            ),
            "V-MIGRATE" => self.migrate(true),
            "V-ROLLBACK-DEPTH" => self.rollback(|versions| versions <= 1, false),
            "N-STACK" => self.missing_stack(),
            "N-APP" => self.missing_app(),
            "N-INSTANCE" => self.missing_target(true),
            "N-LAYER" => self.missing_target(false),
            "A-SIGNATURE-REQUIRED" => self.signed(|_| Signing::Unsigned),
            "A-KEY-KNOWN" => {
                self.signed(|_| Signing::UnknownKey("AKIDUNKNOWN000000000".to_owned()))
            }
            "A-SIGNATURE-VALID" => self.signed(|signing| match signing {
                Signing::As(key) => Signing::WrongSecret(key.clone()),
                other => other.clone(),
            }),
            "A-PERMISSION" => self.permission(|level, policy| {
                !level.is_some_and(PermissionLevel::allows_deploy) && !policy
            }),
            "M-POLICY-VS-DENY" => {
                self.permission(|level, policy| level == Some(PermissionLevel::Deny) && policy)
            }
            "S-ERROR-NO-EFFECT" => self.rollback(|versions| versions > 1, true),
            "O-PRECEDENCE" => self.precedence(),
            "M-UNKNOWN-ARGS" => self.unknown_args(),
            "M-ARGS-UNUSED" => self.args_unused(),
            "M-APP-ON-STACK-COMMAND" => self.app_on_stack_command(),
            "M-EMPTY-STRING-IDS" => self.empty_string_ids(),
            "M-EMPTY-LISTS" => self.empty_lists(),
            "M-NULL-OPTIONAL" => self.null_optional(),
            "M-UNKNOWN-MEMBERS" => self.unknown_members(),
            "M-MIGRATE-NON-RAILS" => self.migrate(false),
            "M-DUPLICATE-IDS" => self.duplicate_ids(),
            "M-JSON-LIMITS" => self.json_limits(),
            _ => None,
        };
        family.map(|strategy| relabel(strategy, rule))
    }

    /// P-NO-SERVER-ERROR: bytes no parser expects.
    fn hostile(&self) -> BoxedStrategy<Case> {
        let signing = self
            .pairs(|_| true)
            .first()
            .map_or(Signing::Unsigned, |(_, signing)| signing.clone());
        let raw = |body: Vec<u8>| RawRequest::json(body);
        let random = proptest::collection::vec(any::<u8>(), 0..2048).prop_map(raw);
        let deep = (129usize..20_000).prop_map(move |depth| {
            RawRequest::json(format!("{}{}", "[".repeat(depth), "]".repeat(depth)))
        });
        let deep_custom = (129usize..20_000).prop_map(move |depth| {
            // The body of `{"StackId":"s","Command":{"Name":"setup"},"CustomJson":custom}` with
            // custom = `{"a":` * depth + `1` + `}` * depth, written directly (its only
            // character to escape is the quote).
            let mut body = Vec::with_capacity(64 + depth * 8);
            body.extend_from_slice(br#"{"StackId":"s","Command":{"Name":"setup"},"CustomJson":""#);
            body.extend_from_slice(&br#"{\"a\":"#.repeat(depth));
            body.push(b'1');
            body.resize(body.len() + depth, b'}');
            body.extend_from_slice(br#""}"#);
            RawRequest::json(body)
        });
        let invalid_utf8 = proptest::collection::vec(128u8..=255, 1..16).prop_map(|bytes| {
            let mut body = br#"{"StackId":""#.to_vec();
            body.extend(bytes);
            body.extend(br#"","Command":{"Name":"setup"}}"#);
            RawRequest::json(body)
        });
        let big = (1usize..200).prop_map(|kib| {
            // `{"StackId":"s","Command":{"Name":"setup"},"Comment":"xx…"}`, written directly.
            let mut body = Vec::with_capacity(64 + kib * 1024);
            body.extend_from_slice(br#"{"StackId":"s","Command":{"Name":"setup"},"Comment":""#);
            body.resize(body.len() + kib * 1024, b'x');
            body.extend_from_slice(br#""}"#);
            RawRequest::json(body)
        });
        one_of![random, deep, deep_custom, invalid_utf8, big]
            .prop_map(move |request| {
                Case::raw(
                    rules::P_NO_SERVER_ERROR,
                    "hostile bytes",
                    request,
                    signing.clone(),
                )
            })
            .boxed()
    }

    fn content_type_params(&self) -> Option<BoxedStrategy<Case>> {
        let values = [
            "application/x-amz-json-1.1; charset=utf-8",
            "application/x-amz-json-1.1;charset=UTF-8",
            "application/x-amz-json-1.1; charset=\"utf-8\"",
            "application/x-amz-json-1.1; charset=utf-8; q=1",
        ];
        Some(
            (self.valid()?, proptest::sample::select(values.to_vec()))
                .prop_map(|(mut case, value)| {
                    case.request = case.request.with_header("Content-Type", value);
                    case.label = "Content-Type with parameters";
                    case
                })
                .boxed(),
        )
    }

    fn empty_body(&self) -> Option<BoxedStrategy<Case>> {
        Some(
            self.inputs()?
                .prop_map(|case| {
                    Case::raw(
                        rules::P_EMPTY_BODY,
                        "empty body",
                        RawRequest::json(""),
                        case.signing,
                    )
                })
                .boxed(),
        )
    }

    /// P-MALFORMED-JSON: bodies that are not JSON text, or JSON but not an object. None starts
    /// with a byte order mark (a parser may ignore one: M-JSON-LIMITS).
    ///
    /// Sixteen slots drawn uniformly, simplest first: not JSON; a truncated object; a JSON
    /// array (or, half the time, the members as a positional array); a JSON string, `null`, or
    /// `NaN` / `Infinity` alone; trailing garbage; a byte order mark after the text; the
    /// members as a positional array (what serde's derived `Deserialize` reads as the
    /// structure); a byte that is not UTF-8 between tokens or in the `Comment`. Then, two
    /// slots each (so that the ~50 cases of a
    /// default run draw each about six times), what a lenient reader takes for a valid
    /// request: `NaN` / `Infinity` as the value of an unknown member; a UTF-8-encoded
    /// surrogate (`ED A0 80`) in the `Comment`; an overlong encoding (`C1 81`) in the
    /// `Comment`; the JSON text in UTF-16 or UTF-32, with or without its byte order mark
    /// (RFC 8259 section 8.1: JSON text exchanged between systems MUST be UTF-8).
    fn malformed_json(&self) -> Option<BoxedStrategy<Case>> {
        Some(
            (
                self.valid()?,
                0usize..16,
                any::<prop::sample::Index>(),
                any::<prop::sample::Index>(),
            )
                .prop_map(|(case, kind, index, pick)| {
                    let body = case.request.body.clone();
                    let input = case.input.unwrap_or_default();
                    let (label, bad): (&'static str, Vec<u8>) = match kind {
                        0 => ("not JSON", b"not json".to_vec()),
                        // A strict, non-empty prefix of a JSON object text is never JSON.
                        1 => (
                            "truncated",
                            body[..1 + index.index(body.len().saturating_sub(1).max(1))].to_vec(),
                        ),
                        2 if pick.index(2) == 0 => {
                            ("JSON array", [b"[".as_slice(), &body, b"]"].concat())
                        }
                        3 => match pick.index(3) {
                            0 => ("JSON string", b"\"StackId\"".to_vec()),
                            1 => ("JSON null", b"null".to_vec()),
                            // Not JSON, though JavaScript and Python's `json` know them.
                            _ => (
                                "NaN or Infinity",
                                NOT_JSON_NUMBERS[index.index(NOT_JSON_NUMBERS.len())]
                                    .as_bytes()
                                    .to_vec(),
                            ),
                        },
                        4 => ("trailing garbage", [body.as_slice(), b" x"].concat()),
                        // After the JSON text it is no byte order mark, and not whitespace.
                        5 => (
                            "byte order mark after the JSON text",
                            [body.as_slice(), b"\xef\xbb\xbf"].concat(),
                        ),
                        // What a derived serde `Deserialize` reads as the structure,
                        // positionally: the members' values in the model's order.
                        2 | 6 => ("members as a positional array", {
                            positional(&body_object(&input))
                        }),
                        7 if pick.index(2) == 0 => ("invalid UTF-8", {
                            let mut bad = body.clone();
                            let at = bad.len().saturating_sub(2);
                            bad.splice(at..at, [0xffu8]);
                            bad
                        }),
                        7 => (
                            "a byte that is not UTF-8 in the Comment",
                            in_comment(&input, NOT_UTF8_BYTES[index.index(NOT_UTF8_BYTES.len())]),
                        ),
                        // An unknown member is ignored by most implementations: one that reads
                        // these numbers accepts the request.
                        8 | 9 => ("NaN or Infinity as a member value", {
                            let number = NOT_JSON_NUMBERS[index.index(NOT_JSON_NUMBERS.len())];
                            let value = match pick.index(3) {
                                0 => number.to_owned(),
                                1 => format!("[{number}]"),
                                _ => format!(r#"{{"weight":{number}}}"#),
                            };
                            let mut bad = format!(r#"{{"Extra":{value},"#).into_bytes();
                            bad.extend_from_slice(body.get(1..).unwrap_or_default());
                            bad
                        }),
                        10 | 11 => (
                            "a UTF-8-encoded surrogate in the Comment",
                            in_comment(
                                &input,
                                ENCODED_SURROGATES[index.index(ENCODED_SURROGATES.len())],
                            ),
                        ),
                        12 | 13 => (
                            "an overlong UTF-8 encoding in the Comment",
                            in_comment(&input, OVERLONG[index.index(OVERLONG.len())]),
                        ),
                        _ => {
                            let (label, encoding) =
                                WIDE_ENCODINGS[index.index(WIDE_ENCODINGS.len())];
                            (label, encoding(&body))
                        }
                    };
                    Case::raw(
                        rules::P_MALFORMED_JSON,
                        label,
                        RawRequest::json(bad),
                        case.signing,
                    )
                })
                .boxed(),
        )
    }

    /// P-UNKNOWN-OPERATION: no `X-Amz-Target`, or one that names no operation of the OpsWorks
    /// API. Never an operation the API has (a full implementation would carry it out, and may
    /// destroy the world the run depends on), nor anything a lenient server could take for one
    /// other than CreateDeployment ([`could_be_taken_for_operation`](crate::contract::could_be_taken_for_operation)).
    fn unknown_operation(&self) -> Option<BoxedStrategy<Case>> {
        Some(
            (self.valid()?, 0usize..6, any::<prop::sample::Index>())
                .prop_map(|(mut case, kind, index)| {
                    let request = case.request.clone();
                    let pick = |names: &[&'static str]| names[index.index(names.len())];
                    let (label, request) = match kind {
                        0 => (
                            "no X-Amz-Target",
                            request.without_header(wire::TARGET_HEADER),
                        ),
                        1 => (
                            "a name the API does not have",
                            request.with_header(wire::TARGET_HEADER, pick(&NOT_API_OPERATIONS)),
                        ),
                        2 => (
                            "other case",
                            request.with_header(
                                wire::TARGET_HEADER,
                                "opsworks_20130218.createdeployment",
                            ),
                        ),
                        3 => (
                            "another API version",
                            request.with_header(wire::TARGET_HEADER, pick(&OTHER_API_VERSIONS)),
                        ),
                        4 => (
                            "another service's prefix",
                            request.with_header(
                                wire::TARGET_HEADER,
                                "DynamoDB_20120810.CreateDeployment",
                            ),
                        ),
                        _ => (
                            "a second, different X-Amz-Target",
                            request.add_header(wire::TARGET_HEADER, pick(&NOT_API_OPERATIONS)),
                        ),
                    };
                    case.request = request;
                    case.label = label;
                    case.input = None;
                    case
                })
                .boxed(),
        )
    }

    /// V-STACK-REQUIRED, V-COMMAND-REQUIRED: the member missing, or null.
    fn without_member(&self, member: &'static str) -> Option<BoxedStrategy<Case>> {
        Some(
            (self.inputs()?, any::<bool>())
                .prop_map(move |(case, null)| {
                    let mut object = body_object(&case.input.unwrap_or_default());
                    if null {
                        object.insert(member.to_owned(), Value::Null);
                        json_case(case.rule, "null", object, case.signing)
                    } else {
                        object.remove(member);
                        json_case(case.rule, "missing", object, case.signing)
                    }
                })
                .boxed(),
        )
    }

    fn without_name(&self) -> Option<BoxedStrategy<Case>> {
        Some(
            (self.inputs()?, 0usize..3)
                .prop_map(|(case, kind)| {
                    let mut object = body_object(&case.input.unwrap_or_default());
                    let (label, command) = match kind {
                        0 => ("Command {}", json!({})),
                        1 => ("Name null", json!({"Name": null})),
                        _ => ("Args without Name", json!({"Args": {"recipes": ["a::b"]}})),
                    };
                    object.insert("Command".to_owned(), command);
                    json_case(case.rule, label, object, case.signing)
                })
                .boxed(),
        )
    }

    fn name_enum(&self) -> Option<BoxedStrategy<Case>> {
        Some(
            (self.plain()?, near_miss_name())
                .prop_map(|(case, name)| {
                    let mut input = case.input.unwrap_or_default();
                    input.command = Some(DeploymentCommand {
                        name: Some(name),
                        args: None,
                    });
                    Case::typed(case.rule, "near-miss command name", input, case.signing)
                })
                .boxed(),
        )
    }

    fn wrong_type(&self) -> Option<BoxedStrategy<Case>> {
        let wrong_scalar = one_of![
            Just(json!(1)),
            Just(json!(true)),
            Just(json!(["s"])),
            Just(json!({"s": "s"})),
        ];
        let wrong_list = one_of![
            Just(json!("i")),
            Just(json!([1])),
            Just(json!(["i", null])),
            Just(json!([["i"]])),
            Just(json!({"0": "i"})),
        ];
        let members = [
            "StackId",
            "AppId",
            "Comment",
            "CustomJson",
            "Name",
            "InstanceIds",
            "LayerIds",
            "Command",
            "Args",
            "Command[]",
            "StackId#",
            "AppId#",
            "InstanceIds#",
            "LayerIds#",
        ];
        // Numbers in an id's place: an implementation that coerces `123` into `"123"` and looks
        // it up answers ResourceNotFoundException (or finds an id of the world), where V-TYPE
        // asks for ValidationException or SerializationException.
        let numbers = proptest::sample::select(numeric_ids(&self.world.ids()));
        Some(
            (
                self.plain()?,
                proptest::sample::select(members.to_vec()),
                wrong_scalar,
                wrong_list,
                wrong_shape_args(),
                (numbers, any::<prop::sample::Index>()),
            )
                .prop_map(|(case, member, scalar, list, args, (number, at))| {
                    let mut object = body_object(&case.input.unwrap_or_default());
                    let label = match member {
                        "StackId#" | "AppId#" => {
                            object.insert(member.trim_end_matches('#').to_owned(), number);
                            "a number as an id"
                        }
                        "InstanceIds#" | "LayerIds#" => {
                            let name = member.trim_end_matches('#');
                            let mut ids = match object.remove(name) {
                                Some(Value::Array(ids)) => ids,
                                _ => Vec::new(),
                            };
                            ids.insert(at.index(ids.len() + 1), number);
                            object.insert(name.to_owned(), Value::Array(ids));
                            "a number in a list of ids"
                        }
                        "Name" => {
                            if let Some(Value::Object(command)) = object.get_mut("Command") {
                                command.insert("Name".to_owned(), scalar);
                            }
                            "Name not a string"
                        }
                        "Args" => {
                            if let Some(Value::Object(command)) = object.get_mut("Command") {
                                command.insert("Args".to_owned(), args);
                            }
                            "Args of the wrong shape"
                        }
                        "InstanceIds" | "LayerIds" => {
                            object.insert(member.to_owned(), list);
                            "not an array of strings"
                        }
                        "Command" => {
                            object.insert(member.to_owned(), json!("setup"));
                            "Command not an object"
                        }
                        "Command[]" => {
                            // Name and Args positionally: what a derived serde `Deserialize`
                            // reads as the structure.
                            if let Some(Value::Object(command)) = object.get("Command") {
                                let name = command.get("Name").cloned().unwrap_or(Value::Null);
                                let args = command.get("Args").cloned().unwrap_or(Value::Null);
                                object.insert("Command".to_owned(), json!([name, args]));
                            }
                            "Command as a positional array"
                        }
                        _ => {
                            object.insert(member.to_owned(), scalar);
                            "not a string"
                        }
                    };
                    json_case(case.rule, label, object, case.signing)
                })
                .boxed(),
        )
    }

    fn app_required(&self) -> Option<BoxedStrategy<Case>> {
        Some(
            (self.inputs()?, app_command())
                .prop_map(|(case, name)| {
                    let mut input = with_command(case.input.unwrap_or_default(), name);
                    input.app_id = None;
                    Case::typed(case.rule, "app command without AppId", input, case.signing)
                })
                .boxed(),
        )
    }

    fn custom_json(
        &self,
        texts: BoxedStrategy<String>,
        label: &'static str,
    ) -> Option<BoxedStrategy<Case>> {
        Some(
            (self.inputs()?, texts)
                .prop_map(move |(case, text)| {
                    let mut input = case.input.unwrap_or_default();
                    input.custom_json = Some(text);
                    Case::typed(case.rule, label, input, case.signing)
                })
                .boxed(),
        )
    }

    /// A stack command with these Args.
    fn stack_args(
        &self,
        name: CommandName,
        args: BoxedStrategy<Args>,
        label: &'static str,
    ) -> Option<BoxedStrategy<Case>> {
        Some(
            (self.inputs()?, args)
                .prop_map(move |(case, args)| {
                    let mut input = with_command(case.input.unwrap_or_default(), name);
                    input.app_id = None;
                    if let Some(command) = input.command.as_mut() {
                        command.args = args;
                    }
                    Case::typed(case.rule, label, input, case.signing)
                })
                .boxed(),
        )
    }

    /// V-MIGRATE (`bad`: a migrate value other than true/false, on a rails app where there is
    /// one) or M-MIGRATE-NON-RAILS (a valid migrate value on an app that is not rails).
    fn migrate(&self, bad: bool) -> Option<BoxedStrategy<Case>> {
        let has_rails = !self
            .pairs(|stack| stack.apps.iter().any(|app| app.app_type == AppType::Rails))
            .is_empty();
        self.per_pair(
            |stack| !stack.apps.is_empty(),
            |stack, signing| {
                let apps: Vec<String> = stack
                    .apps
                    .iter()
                    .filter(|app| (app.app_type == AppType::Rails) == (bad && has_rails))
                    .filter(|app| bad || app.app_type != AppType::Rails)
                    .map(|app| app.app_id.clone())
                    .collect();
                if apps.is_empty() {
                    return None;
                }
                let values: BoxedStrategy<Vec<String>> = if bad {
                    bad_migrate().boxed()
                } else {
                    proptest::sample::select(vec!["true", "false"])
                        .prop_map(|value| vec![value.to_owned()])
                        .boxed()
                };
                let base = valid_input(stack);
                Some(
                    (base, proptest::sample::select(apps), values)
                        .prop_map(move |(input, app_id, values)| {
                            let mut input = with_command(input, CommandName::Deploy);
                            input.app_id = Some(app_id);
                            if let Some(command) = input.command.as_mut() {
                                command.args =
                                    Some(BTreeMap::from([("migrate".to_owned(), values)]));
                            }
                            let label = if bad {
                                "bad migrate value"
                            } else {
                                "migrate on a non-rails app"
                            };
                            Case::typed(rules::V_MIGRATE, label, input, signing.clone())
                        })
                        .boxed(),
                )
            },
        )
    }

    /// A rollback of an app whose stored versions satisfy `versions`; with `rejected`
    /// (S-ERROR-NO-EFFECT), made to fail for another reason (an instance that does not exist,
    /// an operation the API does not have, no operation), and one case in four a valid rollback
    /// of the same apps:
    /// once a rejected rollback has used up a version anyway, a valid one is refused too early,
    /// which reveals it.
    fn rollback(&self, versions: fn(u8) -> bool, rejected: bool) -> Option<BoxedStrategy<Case>> {
        let everything: Vec<String> = self.world.ids();
        self.per_pair(
            |stack| stack.apps.iter().any(|app| versions(app.versions)),
            |stack, signing| {
                let apps: Vec<String> = stack
                    .apps
                    .iter()
                    .filter(|app| versions(app.versions))
                    .map(|app| app.app_id.clone())
                    .collect();
                let absent = absent_id(everything.clone());
                let kinds = if rejected { 0usize..4 } else { 0usize..1 };
                Some(
                    (
                        valid_input(stack),
                        proptest::sample::select(apps),
                        absent,
                        kinds,
                    )
                        .prop_map(move |(input, app_id, absent, kind)| {
                            let mut input = with_command(input, CommandName::Rollback);
                            input.app_id = Some(app_id);
                            let signing = signing.clone();
                            if !rejected {
                                let label = "rollback at the last stored version";
                                return Case::typed(rules::V_ROLLBACK_DEPTH, label, input, signing);
                            }
                            let (label, target) = match kind {
                                0 => {
                                    input.instance_ids = Some(vec![absent]);
                                    ("rollback rejected for an unknown instance", None)
                                }
                                1 => (
                                    "rollback sent to an operation the API does not have",
                                    Some(NOT_API_OPERATIONS[0]),
                                ),
                                2 => ("rollback sent without X-Amz-Target", Some("")),
                                _ => {
                                    let label = "valid rollback, revealing an earlier one";
                                    return Case::typed(
                                        rules::S_ACCEPT_VALID,
                                        label,
                                        input,
                                        signing,
                                    );
                                }
                            };
                            let mut case =
                                Case::typed(rules::V_ROLLBACK_DEPTH, label, input, signing);
                            case.request = match target {
                                Some("") => case.request.without_header(wire::TARGET_HEADER),
                                Some(other) => case.request.with_header(wire::TARGET_HEADER, other),
                                None => case.request,
                            };
                            case
                        })
                        .boxed(),
                )
            },
        )
    }

    fn missing_stack(&self) -> Option<BoxedStrategy<Case>> {
        let stacks: Vec<String> = self
            .world
            .stacks
            .iter()
            .map(|s| s.stack_id.clone())
            .collect();
        let taken = stacks.clone();
        let near = proptest::sample::select(stacks)
            .prop_flat_map(|id| near_miss_id(&id))
            .boxed();
        let candidates = one_of![absent_id(taken.clone()), near]
            .prop_filter("names no stack", move |id| !taken.contains(id));
        Some(
            (self.plain()?, candidates)
                .prop_map(|(case, stack_id)| {
                    let mut input = case.input.unwrap_or_default();
                    input.stack_id = Some(stack_id);
                    input.instance_ids = None;
                    input.layer_ids = None;
                    Case::typed(
                        case.rule,
                        "unknown or near-miss StackId",
                        input,
                        case.signing,
                    )
                })
                .boxed(),
        )
    }

    fn missing_app(&self) -> Option<BoxedStrategy<Case>> {
        let all_apps: Vec<String> = self
            .world
            .stacks
            .iter()
            .flat_map(|stack| stack.apps.iter().map(|app| app.app_id.clone()))
            .collect();
        self.per_pair(
            |_| true,
            |stack, signing| {
                let own: Vec<String> = stack.apps.iter().map(|app| app.app_id.clone()).collect();
                let mut sources = all_apps.clone();
                if sources.is_empty() {
                    sources.push(stack.stack_id.clone());
                }
                let near = proptest::sample::select(sources)
                    .prop_flat_map(|id| near_miss_id(&id))
                    .boxed();
                let others: Vec<String> = all_apps
                    .iter()
                    .filter(|id| !own.contains(id))
                    .cloned()
                    .collect();
                let mut arms = vec![absent_id(all_apps.clone()).boxed(), near];
                if !own.is_empty() {
                    // Near misses of the stack's own apps (other case, padding, a prefix): what
                    // a lax lookup in the right stack would wrongly match.
                    arms.push(
                        proptest::sample::select(own.clone())
                            .prop_flat_map(|id| near_miss_id(&id))
                            .boxed(),
                    );
                }
                if !others.is_empty() {
                    arms.push(proptest::sample::select(others).boxed());
                }
                let own_filter = own.clone();
                let candidates = OneOf::uniform(arms)
                    .prop_filter("not an app of the stack", move |id| {
                        !own_filter.contains(id)
                    });
                Some(
                    (valid_input(stack), app_command(), candidates)
                        .prop_map(move |(input, name, app_id)| {
                            let mut input = with_command(input, name);
                            input.app_id = Some(app_id);
                            Case::typed(
                                rules::N_APP,
                                "AppId of no app of the stack",
                                input,
                                signing.clone(),
                            )
                        })
                        .boxed(),
                )
            },
        )
    }

    /// N-INSTANCE (`instances`) or N-LAYER: a list with one id the stack does not have.
    fn missing_target(&self, instances: bool) -> Option<BoxedStrategy<Case>> {
        let world = self.world.clone();
        let everything = self.world.ids();
        self.per_pair(
            |_| true,
            |stack, signing| {
                let own: Vec<String> = if instances {
                    stack
                        .instances
                        .iter()
                        .map(|i| i.instance_id.clone())
                        .collect()
                } else {
                    stack.layers.iter().map(|l| l.layer_id.clone()).collect()
                };
                let elsewhere: Vec<String> = world
                    .stacks
                    .iter()
                    .filter(|other| other.stack_id != stack.stack_id)
                    .flat_map(|other| {
                        if instances {
                            other
                                .instances
                                .iter()
                                .map(|i| i.instance_id.clone())
                                .collect::<Vec<_>>()
                        } else {
                            other.layers.iter().map(|l| l.layer_id.clone()).collect()
                        }
                    })
                    .collect();
                let mut arms = vec![absent_id(everything.clone()).boxed()];
                if let Some(first) = own.first() {
                    arms.push(near_miss_id(first).boxed());
                    arms.push(
                        proptest::sample::select(own.clone())
                            .prop_flat_map(|id| near_miss_id(&id))
                            .boxed(),
                    );
                }
                if !elsewhere.is_empty() {
                    arms.push(proptest::sample::select(elsewhere).boxed());
                }
                let own_filter = own.clone();
                let bad = OneOf::uniform(arms)
                    .prop_filter("not of the stack", move |id| !own_filter.contains(id));
                let keep = proptest::sample::subsequence(own.clone(), 0..=own.len());
                Some(
                    (valid_input(stack), keep, bad, any::<prop::sample::Index>())
                        .prop_map(move |(mut input, mut list, bad, at)| {
                            list.insert(at.index(list.len() + 1), bad);
                            let label = if instances {
                                input.instance_ids = Some(list);
                                "InstanceIds with an id not of the stack"
                            } else {
                                input.layer_ids = Some(list);
                                "LayerIds with an id not of the stack"
                            };
                            let rule = if instances {
                                rules::N_INSTANCE
                            } else {
                                rules::N_LAYER
                            };
                            Case::typed(rule, label, input, signing.clone())
                        })
                        .boxed(),
                )
            },
        )
    }

    /// A-SIGNATURE-REQUIRED, A-KEY-KNOWN, A-SIGNATURE-VALID: valid requests signed otherwise.
    fn signed(&self, resign: fn(&Signing) -> Signing) -> Option<BoxedStrategy<Case>> {
        if !self.world.has_users() {
            return None;
        }
        Some(
            self.valid()?
                .prop_map(move |mut case| {
                    case.signing = resign(&case.signing);
                    case.label = "valid request, signed otherwise";
                    case
                })
                .boxed(),
        )
    }

    /// A-PERMISSION and M-POLICY-VS-DENY: requests by users whose (level, policy) on the stack
    /// satisfy `select`.
    fn permission(
        &self,
        select: fn(Option<PermissionLevel>, bool) -> bool,
    ) -> Option<BoxedStrategy<Case>> {
        let mut strategies = Vec::new();
        for stack in &self.world.stacks {
            for user in &self.world.users {
                let level = user.level_on(&stack.stack_id);
                if select(level, user.policy_allows(&stack.stack_id)) {
                    let signing = Signing::As(user.access_key_id.clone());
                    strategies.push(
                        valid_input(stack)
                            .prop_map(move |input| {
                                Case::typed(
                                    rules::A_PERMISSION,
                                    "user without the permission",
                                    input,
                                    signing.clone(),
                                )
                            })
                            .boxed(),
                    );
                }
            }
        }
        union(strategies)
    }

    /// O-PRECEDENCE: rules of several groups broken at once.
    fn precedence(&self) -> Option<BoxedStrategy<Case>> {
        let taken: Vec<String> = self
            .world
            .stacks
            .iter()
            .map(|s| s.stack_id.clone())
            .collect();
        let users = self.world.has_users();
        Some(
            (self.plain()?, absent_id(taken), 0usize..3)
                .prop_map(move |(case, stack_id, kind)| {
                    let mut object = body_object(&case.input.unwrap_or_default());
                    match kind {
                        0 => {
                            object.insert("StackId".to_owned(), Value::String(stack_id));
                            object.insert("Comment".to_owned(), json!(5));
                            json_case(
                                case.rule,
                                "wrong type and unknown stack",
                                object,
                                case.signing,
                            )
                        }
                        1 if users => {
                            object.remove("Command");
                            json_case(
                                case.rule,
                                "unsigned and no Command",
                                object,
                                Signing::Unsigned,
                            )
                        }
                        _ => {
                            object.insert("StackId".to_owned(), Value::String(stack_id));
                            object.insert(
                                "Command".to_owned(),
                                json!({"Name": "execute_recipes", "Args": {"recipes": []}}),
                            );
                            json_case(
                                case.rule,
                                "no recipes and unknown stack",
                                object,
                                case.signing,
                            )
                        }
                    }
                })
                .boxed(),
        )
    }

    fn unknown_args(&self) -> Option<BoxedStrategy<Case>> {
        let names = [CommandName::ExecuteRecipes, CommandName::UpdateDependencies];
        Some(
            (self.inputs()?, proptest::sample::select(names.to_vec()))
                .prop_flat_map(|(case, name)| (Just(case), Just(name), unknown_arg(name)))
                .prop_map(|(case, name, args)| {
                    let mut input = with_command(case.input.unwrap_or_default(), name);
                    input.app_id = None;
                    if let Some(command) = input.command.as_mut() {
                        command.args = args;
                    }
                    Case::typed(
                        case.rule,
                        "an Args key the command does not take",
                        input,
                        case.signing,
                    )
                })
                .boxed(),
        )
    }

    fn args_unused(&self) -> Option<BoxedStrategy<Case>> {
        Some(
            (self.plain()?, unused_args())
                .prop_map(|(case, args)| {
                    let mut input = case.input.unwrap_or_default();
                    if let Some(command) = input.command.as_mut() {
                        command.args = args;
                    }
                    Case::typed(
                        case.rule,
                        "Args on a command that takes none",
                        input,
                        case.signing,
                    )
                })
                .boxed(),
        )
    }

    fn app_on_stack_command(&self) -> Option<BoxedStrategy<Case>> {
        let apps: Vec<String> = self
            .world
            .stacks
            .iter()
            .flat_map(|stack| stack.apps.iter().map(|app| app.app_id.clone()))
            .chain(std::iter::once(
                "a1d2c3e4-0000-4000-8000-00000000ffff".to_owned(),
            ))
            .collect();
        Some(
            (self.plain()?, proptest::sample::select(apps))
                .prop_map(|(case, app_id)| {
                    let mut input = case.input.unwrap_or_default();
                    input.app_id = Some(app_id);
                    Case::typed(case.rule, "AppId with a stack command", input, case.signing)
                })
                .boxed(),
        )
    }

    fn empty_string_ids(&self) -> Option<BoxedStrategy<Case>> {
        Some(
            (self.inputs()?, 0usize..4)
                .prop_map(|(case, kind)| {
                    let mut input = case.input.unwrap_or_default();
                    let label = match kind {
                        0 => {
                            input.stack_id = Some(String::new());
                            "StackId \"\""
                        }
                        1 => {
                            input = with_command(input, CommandName::Deploy);
                            input.app_id = Some(String::new());
                            "AppId \"\""
                        }
                        2 => {
                            input
                                .instance_ids
                                .get_or_insert_with(Vec::new)
                                .push(String::new());
                            "\"\" in InstanceIds"
                        }
                        _ => {
                            input
                                .layer_ids
                                .get_or_insert_with(Vec::new)
                                .insert(0, String::new());
                            "\"\" in LayerIds"
                        }
                    };
                    Case::typed(case.rule, label, input, case.signing)
                })
                .boxed(),
        )
    }

    fn empty_lists(&self) -> Option<BoxedStrategy<Case>> {
        Some(
            (self.inputs()?, any::<bool>())
                .prop_map(|(case, instances)| {
                    let mut input = case.input.unwrap_or_default();
                    if instances {
                        input.instance_ids = Some(Vec::new());
                    } else {
                        input.layer_ids = Some(Vec::new());
                    }
                    Case::typed(case.rule, "an empty list", input, case.signing)
                })
                .boxed(),
        )
    }

    fn null_optional(&self) -> Option<BoxedStrategy<Case>> {
        let members = [
            "AppId",
            "InstanceIds",
            "LayerIds",
            "Comment",
            "CustomJson",
            "Args",
        ];
        Some(
            (self.plain()?, proptest::sample::select(members.to_vec()))
                .prop_map(|(case, member)| {
                    let mut object = body_object(&case.input.unwrap_or_default());
                    if member == "Args" {
                        if let Some(Value::Object(command)) = object.get_mut("Command") {
                            command.insert("Args".to_owned(), Value::Null);
                        }
                    } else {
                        object.insert(member.to_owned(), Value::Null);
                    }
                    json_case(case.rule, "null optional member", object, case.signing)
                })
                .boxed(),
        )
    }

    fn unknown_members(&self) -> Option<BoxedStrategy<Case>> {
        let names = [
            "stackId",
            "Extra",
            "DeploymentId",
            "Region",
            "Command.Foo",
            "x-amz-meta",
        ];
        Some(
            (self.inputs()?, proptest::sample::select(names.to_vec()))
                .prop_map(|(case, name)| {
                    let mut object = body_object(&case.input.unwrap_or_default());
                    if let Some(inner) = name.strip_prefix("Command.") {
                        if let Some(Value::Object(command)) = object.get_mut("Command") {
                            command.insert(inner.to_owned(), json!("x"));
                        }
                    } else {
                        object.insert(name.to_owned(), json!("x"));
                    }
                    json_case(case.rule, "an unknown member", object, case.signing)
                })
                .boxed(),
        )
    }

    fn duplicate_ids(&self) -> Option<BoxedStrategy<Case>> {
        self.per_pair(
            |stack| !stack.instances.is_empty() || !stack.layers.is_empty(),
            |stack, signing| {
                let instances: Vec<String> = stack
                    .instances
                    .iter()
                    .map(|i| i.instance_id.clone())
                    .collect();
                let layers: Vec<String> = stack.layers.iter().map(|l| l.layer_id.clone()).collect();
                let mut arms: Vec<BoxedStrategy<(bool, String)>> = Vec::new();
                if !instances.is_empty() {
                    arms.push(
                        proptest::sample::select(instances)
                            .prop_map(|id| (true, id))
                            .boxed(),
                    );
                }
                if !layers.is_empty() {
                    arms.push(
                        proptest::sample::select(layers)
                            .prop_map(|id| (false, id))
                            .boxed(),
                    );
                }
                Some(
                    (valid_input(stack), OneOf::uniform(arms))
                        .prop_map(move |(mut input, (instance, id))| {
                            let list = vec![id.clone(), id];
                            if instance {
                                input.instance_ids = Some(list);
                            } else {
                                input.layer_ids = Some(list);
                            }
                            Case::typed(
                                rules::M_DUPLICATE_IDS,
                                "the same id twice",
                                input,
                                signing.clone(),
                            )
                        })
                        .boxed(),
                )
            },
        )
    }

    /// M-JSON-LIMITS: JSON that the grammar allows but parsers may refuse, in the body (duplicate
    /// names) or in CustomJson ([`custom_json_beyond_limits`]), and a UTF-8 byte order mark
    /// before the JSON text of the body or of CustomJson (RFC 8259 section 8.1), the rest of
    /// the request valid (so a target that ignores the mark acts on it).
    fn json_limits(&self) -> Option<BoxedStrategy<Case>> {
        Some(
            (
                self.inputs()?,
                custom_json_beyond_limits(),
                0usize..6,
                valid_custom_json(),
            )
                .prop_map(|(case, custom, kind, valid_custom)| {
                    let mut input = case.input.unwrap_or_default();
                    if kind == 4 {
                        let body =
                            [b"\xef\xbb\xbf".as_slice(), input.to_json().as_bytes()].concat();
                        return Case::raw(
                            case.rule,
                            "byte order mark before the body",
                            RawRequest::json(body),
                            case.signing,
                        );
                    }
                    if kind == 5 {
                        input.custom_json = Some(format!("\u{feff}{valid_custom}"));
                        return Case::typed(
                            case.rule,
                            "byte order mark at the start of CustomJson",
                            input,
                            case.signing,
                        );
                    }
                    if kind == 0 {
                        // Duplicate member names in the body itself.
                        let body = input.to_json();
                        let body = format!(r#"{{"Comment":"first",{}"#, &body[1..]);
                        let body = body.replacen('{', r#"{"Comment":"second","#, 1);
                        return Case::raw(
                            case.rule,
                            "duplicate names in the body",
                            RawRequest::json(body),
                            case.signing,
                        );
                    }
                    input.custom_json = Some(custom);
                    Case::typed(
                        case.rule,
                        "CustomJson beyond parser limits",
                        input,
                        case.signing,
                    )
                })
                .boxed(),
        )
    }
}
