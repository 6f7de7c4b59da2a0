//! For every server-side rule, a family of requests that exercise it: the violation, or for
//! MAY rules the implementation-defined case, or for response rules the requests that make the
//! target answer in that form.

use std::collections::BTreeMap;

use proptest::prelude::*;
use proptest::strategy::BoxedStrategy;
use serde_json::{Map, Value};

use crate::contract::{
    CATALOGUE, CommandName, CreateDeploymentInput, DeploymentCommand, INPUT_MEMBERS, RawRequest,
    RuleId, Side, Signing, wire,
};
use crate::generate::args::bad_migrate;
use crate::generate::case::Case;
use crate::generate::ids::{absent_id, near_miss_id};
use crate::generate::one_of::OneOf;
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
                rule: RuleId::acceptance(Side::Server),
                label: "valid",
                input: Some(input),
                signing,
            })
            .boxed()
    });
    let families = Families { world, inputs };
    families.of(rule)
}

pub(crate) struct Families<'w> {
    /// The world the requests are made for.
    pub(crate) world: &'w World,
    /// The cases of [`valid_request`](crate::generate::valid_request), before the request is
    /// serialised (most families change the input first).
    inputs: Option<BoxedStrategy<ValidInput>>,
}

/// A rule's family of requests, as its file under `src/rules/` defines it.
pub(crate) type Family = fn(&Families<'_>) -> Option<BoxedStrategy<Case>>;

/// A valid case before serialisation: the fields of a [`Case`] that the families use.
#[derive(Debug, Clone)]
pub(crate) struct ValidInput {
    pub(crate) rule: RuleId,
    pub(crate) label: &'static str,
    pub(crate) input: Option<CreateDeploymentInput>,
    pub(crate) signing: Signing,
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
pub(crate) fn positional(object: &Map<String, Value>) -> Vec<u8> {
    let values: Vec<Value> = INPUT_MEMBERS
        .iter()
        .map(|name| object.get(*name).cloned().unwrap_or(Value::Null))
        .collect();
    Value::Array(values).to_string().into_bytes()
}

/// The canonical body of a typed request as a JSON object, to break it at the JSON level.
pub(crate) fn body_object(input: &CreateDeploymentInput) -> Map<String, Value> {
    match serde_json::to_value(input) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    }
}

/// A case whose body is `object`, with the standard headers.
pub(crate) fn json_case(
    rule: RuleId,
    label: &'static str,
    object: Map<String, Value>,
    signing: Signing,
) -> Case {
    let body = Value::Object(object).to_string();
    Case::raw(rule, label, RawRequest::json(body), signing)
}

/// Sets the command of a typed request (and drops its Args).
pub(crate) fn with_command(
    mut input: CreateDeploymentInput,
    name: CommandName,
) -> CreateDeploymentInput {
    input.command = Some(DeploymentCommand::named(name));
    input
}

/// `NaN`, `Infinity` and `-Infinity`: numbers JavaScript and Python's `json` know, but no JSON
/// text (RFC 8259 section 6).
pub(crate) const NOT_JSON_NUMBERS: [&str; 3] = ["NaN", "Infinity", "-Infinity"];

/// Bytes that are never UTF-8 (RFC 3629): a continuation byte alone, a lead byte without its
/// continuation, bytes no UTF-8 has.
pub(crate) const NOT_UTF8_BYTES: [&[u8]; 4] = [b"\x80", b"\xc3(", b"\xff", b"\xfe"];

/// Surrogates (U+D800, U+DBFF, U+DC00, U+DFFF) encoded as UTF-8 would encode them: what CESU-8,
/// WTF-8 and Python's `surrogatepass` read, but no UTF-8 (RFC 3629 section 3).
pub(crate) const ENCODED_SURROGATES: [&[u8]; 4] = [
    b"\xed\xa0\x80",
    b"\xed\xaf\xbf",
    b"\xed\xb0\x80",
    b"\xed\xbf\xbf",
];

/// Overlong encodings of `A` and `/` (two, three and four bytes): what a decoder that only
/// masks the bits reads, but no UTF-8 (RFC 3629 section 3).
pub(crate) const OVERLONG: [&[u8]; 5] = [
    b"\xc1\x81",
    b"\xc0\xaf",
    b"\xe0\x81\x81",
    b"\xe0\x80\xaf",
    b"\xf0\x80\x81\x81",
];

/// The valid body with its `Comment` replaced by one holding `bytes` between two letters.
pub(crate) fn in_comment(input: &CreateDeploymentInput, bytes: &[u8]) -> Vec<u8> {
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
pub(crate) type WideEncoding = (&'static str, fn(&[u8]) -> Vec<u8>);

pub(crate) const WIDE_ENCODINGS: [WideEncoding; 8] = [
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
pub(crate) const NOT_API_OPERATIONS: [&str; 3] = [
    "OpsWorks_20130218.CreateDeployments",
    "OpsWorks_20130218.CreateDeploymentX",
    "OpsWorks_20130218.Nonexistent",
];

/// `X-Amz-Target` values naming CreateDeployment in another version of the API.
pub(crate) const OTHER_API_VERSIONS: [&str; 2] = [
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
    pub(crate) fn valid(&self) -> Option<BoxedStrategy<Case>> {
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
    pub(crate) fn inputs(&self) -> Option<BoxedStrategy<ValidInput>> {
        self.inputs.clone()
    }

    /// Valid requests reduced to a plain stack command (no AppId, no Args), so that a single
    /// change makes exactly one case.
    pub(crate) fn plain(&self) -> Option<BoxedStrategy<ValidInput>> {
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
    pub(crate) fn pairs(&self, keep: impl Fn(&Stack) -> bool) -> Vec<(Stack, Signing)> {
        allowed_pairs(self.world)
            .into_iter()
            .filter_map(|(stack_id, signing)| {
                let stack = self.world.stack(&stack_id)?;
                keep(stack).then(|| (stack.clone(), signing))
            })
            .collect()
    }

    /// One strategy per allowed pair (whose stack satisfies `keep`), built by `make`.
    pub(crate) fn per_pair(
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

    /// The family of `rule` (its file's `family`, see [`crate::rules`]), labelled with it.
    fn of(&self, rule: RuleId) -> Option<BoxedStrategy<Case>> {
        crate::rules::family(rule, self).map(|strategy| relabel(strategy, rule))
    }

    /// The union of several rules' families (those the world offers).
    pub(crate) fn union_of(&self, families: &[Family]) -> Option<BoxedStrategy<Case>> {
        union(families.iter().filter_map(|family| family(self)).collect())
    }

    /// V-STACK-REQUIRED, V-COMMAND-REQUIRED: the member missing, or null.
    pub(crate) fn without_member(&self, member: &'static str) -> Option<BoxedStrategy<Case>> {
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

    pub(crate) fn custom_json(
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
    pub(crate) fn stack_args(
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
    pub(crate) fn migrate(&self, rule: RuleId, bad: bool) -> Option<BoxedStrategy<Case>> {
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
                            Case::typed(rule, label, input, signing.clone())
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
    pub(crate) fn rollback(
        &self,
        rule: RuleId,
        versions: fn(u8) -> bool,
        rejected: bool,
    ) -> Option<BoxedStrategy<Case>> {
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
                                return Case::typed(rule, label, input, signing);
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
                                    return Case::typed(rule, label, input, signing);
                                }
                            };
                            let mut case = Case::typed(rule, label, input, signing);
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

    /// N-INSTANCE (`instances`) or N-LAYER: a list with one id the stack does not have.
    pub(crate) fn missing_target(
        &self,
        rule: RuleId,
        instances: bool,
    ) -> Option<BoxedStrategy<Case>> {
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
                            Case::typed(rule, label, input, signing.clone())
                        })
                        .boxed(),
                )
            },
        )
    }

    /// A-SIGNATURE-REQUIRED, A-KEY-KNOWN, A-SIGNATURE-VALID: valid requests signed otherwise.
    pub(crate) fn signed(&self, resign: fn(&Signing) -> Signing) -> Option<BoxedStrategy<Case>> {
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
    pub(crate) fn permission(
        &self,
        rule: RuleId,
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
                                    rule,
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
}
