//! Exemplars kept between runs, in the snapshot folder: `DIR/.exemplars.json`.
//!
//! Finding the exemplars shrinks a few dozen cases per rule, which costs more than a default
//! run against a fast target. They depend only on the world, the selected rules and the
//! generators, so a run with `--snapshots DIR` keeps them in `DIR/.exemplars.json` under a key
//! made of those three (the generators stand in by the crate's version and the first case each
//! rule's family draws from its fixed source, so that a changed generator is a new key even
//! within one version), and later runs read them back instead of finding them again. A file that
//! is missing, unreadable or holds another key is ignored and rewritten: deleting it is always
//! safe, and committing it next to the `.snap` files makes CI runs as fast as local ones.

use std::collections::BTreeSet;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::Path;
use std::sync::{Mutex, OnceLock, PoisonError};

use proptest::strategy::{Strategy, ValueTree};
use serde::{Deserialize, Serialize};

use crate::contract::{CreateDeploymentInput, RawRequest, RuleId, Signing};
use crate::generate::{Case, family};
use crate::snapshot::{Exemplar, RuleExemplars, exemplars, runner_for};
use crate::world::World;

/// The file's name in the snapshot folder.
pub(crate) const FILE_NAME: &str = ".exemplars.json";

/// The version of the file's format; another version is ignored.
const FORMAT: u32 = 1;

/// The exemplars of `rules` in `world`, read from `dir`'s cache file when it holds them, else
/// found ([`exemplars`]) and, when `write`, written there (a failure to write is ignored: the
/// run is the same).
pub(crate) fn exemplars_cached(
    dir: &Path,
    world: &World,
    rules: &[RuleId],
    write: bool,
) -> Vec<RuleExemplars> {
    let path = dir.join(FILE_NAME);
    let key = key(world, rules);
    if let Some(found) = std::fs::read(&path)
        .ok()
        .and_then(|bytes| serde_json::from_slice::<CacheFile>(&bytes).ok())
        .filter(|file| file.format == FORMAT && file.key == key)
        .and_then(CacheFile::into_exemplars)
    {
        return found;
    }
    let found = exemplars(world, rules);
    if !write {
        return found;
    }
    let file = CacheFile::new(key, &found);
    if let Ok(text) = serde_json::to_vec(&file) {
        let temporary = dir.join(format!("{FILE_NAME}.{}.tmp", std::process::id()));
        let written = std::fs::create_dir_all(dir)
            .and_then(|()| std::fs::write(&temporary, text))
            .and_then(|()| std::fs::rename(&temporary, &path));
        if written.is_err() {
            let _ = std::fs::remove_file(&temporary);
        }
    }
    found
}

/// The key of a world and a rule selection, with the generators as they are in this build.
fn key(world: &World, rules: &[RuleId]) -> String {
    let mut hasher = DefaultHasher::new();
    env!("CARGO_PKG_VERSION").hash(&mut hasher);
    serde_json::to_string(world)
        .unwrap_or_default()
        .hash(&mut hasher);
    for rule in rules {
        rule.as_str().hash(&mut hasher);
        // The first case the rule's family draws from its fixed source: a changed generator
        // draws another one.
        if let Some(strategy) = family(*rule, world) {
            let mut runner = runner_for(*rule, 0);
            if let Ok(tree) = strategy.new_tree(&mut runner) {
                let case = tree.current();
                case.label.hash(&mut hasher);
                case.request.headers.hash(&mut hasher);
                case.request.body.hash(&mut hasher);
                case.signing.hash(&mut hasher);
            }
        }
    }
    format!("{FORMAT}-{:016x}", hasher.finish())
}

#[derive(Serialize, Deserialize)]
struct CacheFile {
    format: u32,
    key: String,
    rules: Vec<CachedRule>,
}

#[derive(Serialize, Deserialize)]
struct CachedRule {
    rule: String,
    exemplars: Vec<CachedExemplar>,
}

#[derive(Serialize, Deserialize)]
struct CachedExemplar {
    label: String,
    cases: Vec<CachedCase>,
}

#[derive(Serialize, Deserialize)]
struct CachedCase {
    rule: String,
    label: String,
    headers: Vec<(String, String)>,
    /// The body as text when it is UTF-8, else `None` and [`body_hex`](Self::body_hex).
    body: Option<String>,
    body_hex: Option<String>,
    signing: CachedSigning,
    input: Option<CreateDeploymentInput>,
}

#[derive(Serialize, Deserialize)]
enum CachedSigning {
    Unsigned,
    As(String),
    WrongSecret(String),
    UnknownKey(String),
}

impl CacheFile {
    fn new(key: String, found: &[RuleExemplars]) -> Self {
        CacheFile {
            format: FORMAT,
            key,
            rules: found
                .iter()
                .map(|set| CachedRule {
                    rule: set.rule.as_str().to_owned(),
                    exemplars: set
                        .exemplars
                        .iter()
                        .map(|exemplar| CachedExemplar {
                            label: exemplar.label.to_owned(),
                            cases: exemplar.cases.iter().map(CachedCase::new).collect(),
                        })
                        .collect(),
                })
                .collect(),
        }
    }

    /// The exemplars, or `None` when anything in the file is not what this build writes.
    fn into_exemplars(self) -> Option<Vec<RuleExemplars>> {
        self.rules
            .into_iter()
            .map(|set| {
                Some(RuleExemplars {
                    rule: RuleId::parse(&set.rule)?,
                    exemplars: set
                        .exemplars
                        .into_iter()
                        .map(|exemplar| {
                            Some(Exemplar {
                                label: intern(exemplar.label),
                                cases: exemplar
                                    .cases
                                    .into_iter()
                                    .map(CachedCase::into_case)
                                    .collect::<Option<_>>()?,
                            })
                        })
                        .collect::<Option<_>>()?,
                })
            })
            .collect()
    }
}

impl CachedCase {
    fn new(case: &Case) -> Self {
        let (body, body_hex) = match std::str::from_utf8(&case.request.body) {
            Ok(text) => (Some(text.to_owned()), None),
            Err(_) => (None, Some(hex(&case.request.body))),
        };
        CachedCase {
            rule: case.rule.as_str().to_owned(),
            label: case.label.to_owned(),
            headers: case.request.headers.clone(),
            body,
            body_hex,
            signing: match &case.signing {
                Signing::Unsigned => CachedSigning::Unsigned,
                Signing::As(key) => CachedSigning::As(key.clone()),
                Signing::WrongSecret(key) => CachedSigning::WrongSecret(key.clone()),
                Signing::UnknownKey(key) => CachedSigning::UnknownKey(key.clone()),
            },
            input: case.input.clone(),
        }
    }

    fn into_case(self) -> Option<Case> {
        let body = match (self.body, self.body_hex) {
            (Some(text), None) => text.into_bytes(),
            (None, Some(digits)) => unhex(&digits)?,
            _ => return None,
        };
        Some(Case {
            rule: RuleId::parse(&self.rule)?,
            label: intern(self.label),
            request: RawRequest {
                headers: self.headers,
                body,
            },
            signing: match self.signing {
                CachedSigning::Unsigned => Signing::Unsigned,
                CachedSigning::As(key) => Signing::As(key),
                CachedSigning::WrongSecret(key) => Signing::WrongSecret(key),
                CachedSigning::UnknownKey(key) => Signing::UnknownKey(key),
            },
            input: self.input,
        })
    }
}

/// A label read back as the `&'static str` cases carry: each distinct label is kept once for
/// the life of the process (the generators have a few hundred).
fn intern(label: String) -> &'static str {
    static LABELS: OnceLock<Mutex<BTreeSet<&'static str>>> = OnceLock::new();
    let mut labels = LABELS
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    if let Some(known) = labels.get(label.as_str()) {
        return known;
    }
    let kept: &'static str = Box::leak(label.into_boxed_str());
    labels.insert(kept);
    kept
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut text, byte| {
        let _ = write!(text, "{byte:02x}");
        text
    })
}

fn unhex(digits: &str) -> Option<Vec<u8>> {
    if digits.len() % 2 != 0 {
        return None;
    }
    (0..digits.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(digits.get(at..at + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::Severity;
    use crate::rules::testing::plain_rule;

    /// A server rule one of whose exemplars has a body that is not UTF-8.
    fn with_binary_body(world: &World) -> RuleId {
        let all = crate::generate::server_rules();
        exemplars(world, &all)
            .into_iter()
            .find(|set| {
                set.exemplars.iter().any(|exemplar| {
                    exemplar
                        .cases
                        .iter()
                        .any(|case| std::str::from_utf8(&case.request.body).is_err())
                })
            })
            .map(|set| set.rule)
            .expect("a rule whose exemplar has a body that is not UTF-8")
    }

    fn temp_dir(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "opsworks-exemplar-cache-{name}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn read_back_exemplars_are_the_found_ones() {
        let dir = temp_dir("round-trip");
        let world = World::bundled();
        let all = crate::generate::server_rules();
        let found = exemplars_cached(&dir, &world, &all, true);
        assert!(dir.join(FILE_NAME).exists(), "the cache is written");
        let again = exemplars_cached(&dir, &world, &all, true);
        assert_eq!(format!("{found:?}"), format!("{again:?}"));
        assert_eq!(
            format!("{found:?}"),
            format!("{:?}", exemplars(&world, &all))
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_file_with_another_key_or_damaged_is_not_used() {
        let dir = temp_dir("other-key");
        let world = World::bundled();
        let selected = [plain_rule(0, Severity::Must), with_binary_body(&world)];
        let expected = format!("{:?}", exemplars(&world, &selected));
        // The exemplars of other rules, under this file name: another key.
        let _ = exemplars_cached(&dir, &world, &[plain_rule(1, Severity::Must)], true);
        assert_eq!(
            format!("{:?}", exemplars_cached(&dir, &world, &selected, true)),
            expected
        );
        // The right key with a damaged body: found again, not read.
        let path = dir.join(FILE_NAME);
        let text = std::fs::read_to_string(&path).expect("written");
        let damaged = text.replacen("\"body_hex\":\"", "\"body_hex\":\"z", 1);
        assert_ne!(
            text, damaged,
            "the second rule has a body that is not UTF-8"
        );
        std::fs::write(&path, damaged).expect("writable");
        assert_eq!(
            format!("{:?}", exemplars_cached(&dir, &world, &selected, true)),
            expected
        );
        // Another world: another key.
        let other = crate::world::World::bundled_with_users();
        assert_ne!(key(&world, &selected), key(&other, &selected));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn nothing_is_written_when_writing_is_off() {
        let dir = temp_dir("read-only");
        let world = World::bundled();
        let found = exemplars_cached(&dir, &world, &[plain_rule(0, Severity::Must)], false);
        assert!(!found.is_empty());
        assert!(
            !dir.exists(),
            "CI without --update-snapshots writes nothing"
        );
    }

    #[test]
    fn hex_round_trips() {
        let bytes = [0u8, 0xff, 0x7f, 0x80, b'a'];
        assert_eq!(unhex(&hex(&bytes)).as_deref(), Some(&bytes[..]));
        assert_eq!(unhex("0"), None);
        assert_eq!(unhex("zz"), None);
    }
}
