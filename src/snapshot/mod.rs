//! Snapshots of what a target answers, rule by rule, to be reviewed like code.
//!
//! For every rule, [`exemplars`] picks a small fixed set of canonical cases in the run's world:
//! the simplest case of every variant of the rule's family (and, for `S-UNIQUE-ID` and
//! `S-ERROR-NO-EFFECT`, the sequences the rules are about). They do not depend on the run's
//! seed or case count. The runner ([`run_with_snapshots`](crate::runner::run_with_snapshots))
//! sends them before the cases, and each rule's [`Transcript`] is one readable document: every
//! request (headers without `Authorization`, `X-Amz-Date` and `Host`, how it was signed, the
//! body) and every answer (status, `Content-Type`, error code as found, body), with
//! `DeploymentId`s and other ids the target generated redacted (`[deployment id 1]`, ...;
//! the same id twice gets the same placeholder), so that two runs against a correct target
//! give the same bytes, and a change of behaviour reads as a diff, whether a rule forbids it or
//! not (a MAY choice that flipped, a new message, a moved precedence).
//!
//! [`file`](mod@file) writes and compares them as insta `.snap` files (`run --snapshots DIR`);
//! [`conformance_tests!`](crate::conformance_tests) asserts them with insta itself.

mod cache;
pub mod file;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::Value;

use crate::contract::Exemplar as ExemplarShape;
use crate::contract::{
    CommandName, CreateDeploymentInput, Response, RuleId, Signing, error_code_of, wire,
};
use crate::generate::{Case, family};
use crate::report::{visible, visible_bytes};
use crate::world::World;

pub use file::{SnapshotStatus, SnapshotStore, snap_file_text};

/// How many draws of a family are made to find its variants.
const DRAWS: u32 = 24;

/// How many simplification steps one exemplar takes at most.
const SIMPLIFY_STEPS: usize = 4000;

/// One exemplar: a request, or a sequence of requests whose answers together show the rule.
#[derive(Debug, Clone)]
pub struct Exemplar {
    /// The variant of the rule's family it shows.
    pub label: &'static str,
    /// The requests, sent in this order.
    pub cases: Vec<Case>,
}

/// A rule's exemplars.
#[derive(Debug, Clone)]
pub struct RuleExemplars {
    /// The rule.
    pub rule: RuleId,
    /// Its exemplars, in a fixed order.
    pub exemplars: Vec<Exemplar>,
}

/// The exemplars of `rules` in `world`: for each rule with a family in this world, the
/// simplest case of each variant (label) its family makes, found from 24 draws of a
/// random source fixed per rule (never the run's seed), each shrunk while it keeps its label.
/// `S-UNIQUE-ID` sends its valid request twice; `S-ERROR-NO-EFFECT` follows its rejected
/// rollback with the valid rollback of the same app.
///
/// ```
/// use opsworks_conformance::contract::rules;
/// use opsworks_conformance::snapshot::exemplars;
/// use opsworks_conformance::world::World;
///
/// let world = World::bundled();
/// let first = exemplars(&world, &[rules::V_APP_REQUIRED, rules::S_UNIQUE_ID]);
/// let again = exemplars(&world, &[rules::V_APP_REQUIRED, rules::S_UNIQUE_ID]);
/// assert_eq!(format!("{first:?}"), format!("{again:?}"));
/// assert_eq!(first[1].exemplars[0].cases.len(), 2); // the same valid request, twice
/// ```
///
/// The rules are shared among threads (one per core): each rule's exemplars depend on nothing
/// but the rule and the world, so the result does not depend on the number of cores.
#[must_use]
pub fn exemplars(world: &World, rules: &[RuleId]) -> Vec<RuleExemplars> {
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .min(rules.len());
    if threads <= 1 {
        return rules
            .iter()
            .filter_map(|rule| rule_exemplars(*rule, world))
            .collect();
    }
    let next = AtomicUsize::new(0);
    let found: Mutex<Vec<Option<RuleExemplars>>> = Mutex::new(vec![None; rules.len()]);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(rule) = rules.get(index) else {
                        break;
                    };
                    let exemplars = rule_exemplars(*rule, world);
                    if let Some(slot) = found
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .get_mut(index)
                    {
                        *slot = exemplars;
                    }
                }
            });
        }
    });
    found
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner)
        .into_iter()
        .flatten()
        .collect()
}

/// One rule's exemplars; `None` when it has no family in this world.
fn rule_exemplars(rule: RuleId, world: &World) -> Option<RuleExemplars> {
    let strategy = family(rule, world)?;
    let exemplars = simplest_per_label(rule, &strategy)
        .into_iter()
        .map(|case| sequence(rule, case, world))
        .collect::<Vec<_>>();
    (!exemplars.is_empty()).then_some(RuleExemplars { rule, exemplars })
}

/// A random source fixed by the rule and the draw.
fn runner_for(rule: RuleId, draw: u32) -> TestRunner {
    let mut bytes = [0x5au8; 32];
    for (index, byte) in rule.as_str().bytes().enumerate() {
        bytes[index % 32] ^= byte;
    }
    for (index, byte) in draw.to_le_bytes().into_iter().enumerate() {
        bytes[28 + index] ^= byte;
    }
    let config = Config {
        failure_persistence: None,
        ..Config::default()
    };
    TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &bytes))
}

/// The simplest case of each label the family makes, in the order the labels were found.
fn simplest_per_label(rule: RuleId, strategy: &impl Strategy<Value = Case>) -> Vec<Case> {
    let mut found: Vec<Case> = Vec::new();
    for draw in 0..DRAWS {
        let mut runner = runner_for(rule, draw);
        let Ok(mut tree) = strategy.new_tree(&mut runner) else {
            continue;
        };
        let label = tree.current().label;
        if found.iter().any(|case| case.label == label) {
            continue;
        }
        // Shrink while the case keeps its label, as proptest shrinks while a test fails.
        let mut steps = 0;
        let mut last_kept = tree.current();
        if tree.simplify() {
            loop {
                steps += 1;
                let current = tree.current();
                let keep = current.label == label;
                if keep {
                    last_kept = current;
                }
                if steps >= SIMPLIFY_STEPS {
                    break;
                }
                let moved = if keep {
                    tree.simplify()
                } else {
                    tree.complicate()
                };
                if !moved {
                    break;
                }
            }
        }
        found.push(last_kept);
    }
    found
}

/// A case as the exemplar it is part of: alone, or the sequence its rule is about.
fn sequence(rule: RuleId, case: Case, world: &World) -> Exemplar {
    let label = case.label;
    let cases = match rule.rule().facts.exemplar {
        ExemplarShape::Twice => vec![case.clone(), case],
        ExemplarShape::ThenValidRollback => match valid_rollback_after(&case, world) {
            Some(valid) => vec![case, valid],
            None => vec![case],
        },
        ExemplarShape::Alone => vec![case],
    };
    Exemplar { label, cases }
}

/// The valid rollback of the app a rejected rollback names, signed as a valid request of the
/// world is: accepted only if the rejected one used up no version.
fn valid_rollback_after(case: &Case, world: &World) -> Option<Case> {
    let body: Value = serde_json::from_slice(&case.request.body).ok()?;
    let app_id = body.get("AppId")?.as_str()?;
    let stack = world
        .stacks
        .iter()
        .find(|stack| stack.apps.iter().any(|app| app.app_id == app_id))?;
    let input = CreateDeploymentInput::new(&stack.stack_id, CommandName::Rollback).with_app(app_id);
    let signing = match &case.signing {
        Signing::As(key) => Signing::As(key.clone()),
        _ => world.users.first().map_or(Signing::Unsigned, |user| {
            Signing::As(user.access_key_id.clone())
        }),
    };
    Some(Case::valid(
        "the valid rollback of the same app, after it",
        input,
        signing,
    ))
}

/// One request of an exemplar and what came back.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// The exemplar's variant.
    pub label: &'static str,
    /// The case (its request unsigned, and how it is signed).
    pub case: Case,
    /// Whether the request sent carried an `Authorization` header.
    pub signed: bool,
    /// The answer; `None` when the request was not sent (the target cannot express it, or it
    /// needs a signature the build cannot make).
    pub response: Option<Response>,
}

/// A rule's transcript: what the target answered to the rule's exemplars, as one readable,
/// redacted document ([`Transcript::text`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transcript {
    /// The rule.
    pub rule: RuleId,
    /// The document.
    pub text: String,
}

impl Transcript {
    /// The transcript of `rule` from its exchanges, in the order sent: ids the target generated
    /// are redacted, numbered in the order they first appear.
    #[must_use]
    pub fn new(rule: RuleId, exchanges: &[Exchange]) -> Self {
        let mut ids = Redactions::default();
        for exchange in exchanges {
            ids.known_from(&String::from_utf8_lossy(&exchange.case.request.body));
        }
        let mut text = String::new();
        let _ = writeln!(
            text,
            "{rule}: the answers to its exemplars (same on every run; ids the target made are redacted)"
        );
        let mut previous: Option<&'static str> = None;
        for (index, exchange) in exchanges.iter().enumerate() {
            text.push('\n');
            if previous == Some(exchange.label) {
                let _ = writeln!(text, "## {}. then", index + 1);
            } else {
                let _ = writeln!(text, "## {}. {}", index + 1, exchange.label);
            }
            previous = Some(exchange.label);
            write_request(&mut text, exchange);
            text.push('\n');
            match &exchange.response {
                None => text.push_str("=> not sent (the target cannot take this request)\n"),
                Some(Err(failure)) => {
                    let _ = writeln!(text, "=> no answer: {:?}", failure.kind);
                }
                Some(Ok(observation)) => {
                    let content_type = observation
                        .header("content-type")
                        .map_or_else(|| "(no Content-Type)".to_owned(), visible);
                    let code = error_code_of(&observation.headers, &observation.body)
                        .map_or_else(|| "(no error code)".to_owned(), |code| visible(&code));
                    let _ = writeln!(text, "=> {} {content_type} {code}", observation.status);
                    text.push_str(&ids.body(&observation.body));
                    text.push('\n');
                }
            }
        }
        Transcript { rule, text }
    }
}

fn write_request(text: &mut String, exchange: &Exchange) {
    let _ = writeln!(text, "{} {}", wire::METHOD, wire::PATH);
    for (name, value) in &exchange.case.request.headers {
        if ["authorization", "x-amz-date", "host"]
            .iter()
            .any(|left_out| name.eq_ignore_ascii_case(left_out))
        {
            continue;
        }
        let _ = writeln!(text, "{}: {}", visible(name), visible(value));
    }
    let signing = match (&exchange.case.signing, exchange.signed) {
        (_, false) => "unsigned".to_owned(),
        (Signing::Unsigned, true) => "signed with the run's key".to_owned(),
        (Signing::As(key), true) => format!("signed as {key}"),
        (Signing::WrongSecret(key), true) => format!("signed as {key} with a wrong secret"),
        (Signing::UnknownKey(key), true) => format!("signed with the unknown key {key}"),
    };
    let _ = writeln!(text, "({signing}; Authorization and X-Amz-Date left out)");
    text.push('\n');
    text.push_str(&visible_bytes(&exchange.case.request.body));
    text.push('\n');
}

/// The ids a target generated, each with its placeholder.
#[derive(Default)]
struct Redactions {
    /// Ids the requests hold: not the target's.
    known: BTreeSet<String>,
    seen: BTreeMap<String, String>,
    deployments: usize,
    others: usize,
}

impl Redactions {
    /// Keeps the ids of a request's body as they are.
    fn known_from(&mut self, text: &str) {
        let bytes = text.as_bytes();
        for start in 0..bytes.len().saturating_sub(35) {
            if is_uuid(&bytes[start..start + 36]) {
                self.known.insert(text[start..start + 36].to_owned());
            }
        }
    }

    /// An answer's body: JSON pretty-printed with the ids redacted, other bytes as the human
    /// report shows them (cut at 2 KiB).
    fn body(&mut self, body: &[u8]) -> String {
        if body.is_empty() {
            return "(empty body)".to_owned();
        }
        match serde_json::from_slice::<Value>(body) {
            Ok(mut value) => {
                self.value(&mut value, None);
                serde_json::to_string_pretty(&value).map_or_else(
                    |_| visible_bytes(body),
                    |text| text.lines().map(visible).collect::<Vec<_>>().join("\n"),
                )
            }
            Err(_) => {
                let limit = 2048;
                if body.len() > limit {
                    format!(
                        "{}... ({} bytes more)",
                        self.text(&visible_bytes(&body[..limit])),
                        body.len() - limit
                    )
                } else {
                    self.text(&visible_bytes(body))
                }
            }
        }
    }

    fn value(&mut self, value: &mut Value, member: Option<&str>) {
        match value {
            Value::String(text) if member == Some("DeploymentId") && !text.is_empty() => {
                *text = self.placeholder(text, true);
            }
            Value::String(text) => *text = self.text(text),
            Value::Array(items) => {
                for item in items {
                    self.value(item, None);
                }
            }
            Value::Object(map) => {
                for (name, item) in map.iter_mut() {
                    self.value(item, Some(name.as_str()));
                }
            }
            _ => {}
        }
    }

    fn placeholder(&mut self, id: &str, deployment: bool) -> String {
        if let Some(known) = self.seen.get(id) {
            return known.clone();
        }
        let placeholder = if deployment {
            self.deployments += 1;
            format!("[deployment id {}]", self.deployments)
        } else {
            self.others += 1;
            format!("[id {}]", self.others)
        };
        self.seen.insert(id.to_owned(), placeholder.clone());
        placeholder
    }

    /// A text with every id of the form of a generated one (a UUID, lower or upper case)
    /// replaced: ids the world names are not UUIDs made at run time, but their shape is the
    /// same, so those already seen as `DeploymentId`s keep their placeholder and the others get
    /// `[id N]` unless the world knows them.
    fn text(&mut self, text: &str) -> String {
        let bytes = text.as_bytes();
        let mut out = String::with_capacity(text.len());
        let mut index = 0;
        let mut copied = 0;
        while index + 36 <= bytes.len() {
            if is_uuid(&bytes[index..index + 36])
                && (index == 0 || !bytes[index - 1].is_ascii_hexdigit())
                && bytes.get(index + 36).is_none_or(|b| !b.is_ascii_hexdigit())
            {
                let id = &text[index..index + 36];
                out.push_str(&text[copied..index]);
                if let Some(known) = self.seen.get(id) {
                    out.push_str(&known.clone());
                } else if is_world_id(id) || self.known.contains(id) {
                    out.push_str(id);
                } else {
                    let placeholder = self.placeholder(id, false);
                    out.push_str(&placeholder);
                }
                index += 36;
                copied = index;
            } else {
                index += 1;
            }
        }
        out.push_str(&text[copied..]);
        out
    }
}

/// The ids of the bundled worlds and of generated worlds follow `xxxxxxxx-0000-4000-8000-…`:
/// zeros where a random UUID has random digits.
fn is_world_id(id: &str) -> bool {
    id.get(8..28) == Some("-0000-4000-8000-0000")
}

fn is_uuid(bytes: &[u8]) -> bool {
    bytes.len() == 36
        && bytes.iter().enumerate().all(|(index, byte)| match index {
            8 | 13 | 18 | 23 => *byte == b'-',
            _ => byte.is_ascii_hexdigit(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::{Observation, RawRequest, Severity};
    use crate::rules::testing::{nth_rule_with, plain_rule};

    /// A rule whose exemplar is its case sent twice.
    fn repeated() -> RuleId {
        nth_rule_with(0, |rule| rule.facts.exemplar == ExemplarShape::Twice)
    }

    fn exchange(label: &'static str, body: &str) -> Exchange {
        Exchange {
            label,
            case: Case::raw(
                repeated(),
                label,
                RawRequest::json(r#"{"StackId":"s","Command":{"Name":"setup"}}"#),
                Signing::Unsigned,
            ),
            signed: true,
            response: Some(Ok(Observation::json(200, body.to_owned()))),
        }
    }

    #[test]
    fn generated_ids_are_numbered_in_order_and_the_same_id_keeps_its_placeholder() {
        let first = "0f8b1c2e-9a3d-4e5f-8a7b-6c5d4e3f2a1b";
        let second = "aa8b1c2e-9a3d-4e5f-8a7b-6c5d4e3f2a1b";
        let text = |a: &str, b: &str| {
            Transcript::new(
                repeated(),
                &[
                    exchange("valid", &format!(r#"{{"DeploymentId":"{a}"}}"#)),
                    exchange("valid", &format!(r#"{{"DeploymentId":"{b}"}}"#)),
                ],
            )
            .text
        };
        let distinct = text(first, second);
        assert!(distinct.contains("[deployment id 1]"), "{distinct}");
        assert!(distinct.contains("[deployment id 2]"), "{distinct}");
        assert!(!distinct.contains(first) && !distinct.contains(second));
        assert_eq!(
            distinct,
            text(second, first),
            "two correct runs, the same bytes"
        );
        let repeated = text(first, first);
        assert!(!repeated.contains("[deployment id 2]"), "{repeated}");
        assert_ne!(distinct, repeated, "a repeated id shows");
    }

    #[test]
    fn ids_in_messages_are_redacted_but_the_worlds_are_not() {
        let made = "0f8b1c2e-9a3d-4e5f-8a7b-6c5d4e3f2a1b";
        let world = "6f2c3a1e-0000-4000-8000-000000000001";
        let body =
            format!(r#"{{"__type":"ValidationException","message":"request {made} on {world}"}}"#);
        let text = Transcript::new(plain_rule(0, Severity::Must), &[exchange("v", &body)]).text;
        assert!(
            text.contains("request [id 1] on 6f2c3a1e-0000-4000-8000-000000000001"),
            "{text}"
        );
        assert!(
            text.contains("=> 200 application/x-amz-json-1.1 ValidationException"),
            "{text}"
        );
    }

    #[test]
    fn exemplars_do_not_depend_on_anything_but_the_world() {
        let world = World::bundled();
        let all = crate::generate::server_rules();
        let first = exemplars(&world, &all);
        let again = exemplars(&world, &all);
        assert_eq!(format!("{first:?}"), format!("{again:?}"));
        for set in &first {
            let mut labels: Vec<_> = set.exemplars.iter().map(|e| e.label).collect();
            let count = labels.len();
            labels.dedup();
            assert_eq!(
                labels.len(),
                count,
                "{}: one exemplar per variant",
                set.rule
            );
        }
        let no_effect = first
            .iter()
            .find(|set| set.rule.rule().facts.exemplar == ExemplarShape::ThenValidRollback)
            .expect("the bundled world has an app to roll back");
        assert!(no_effect.exemplars.iter().all(|e| e.cases.len() == 2));
        let twice = first
            .iter()
            .find(|set| set.rule == repeated())
            .expect("the bundled world has cases of the repeated rule");
        assert!(twice.exemplars.iter().all(|e| e.cases.len() == 2));
    }
}
