//! Transcripts as insta `.snap` files (`run --snapshots DIR`): `DIR/<RULE-ID>.snap`, a YAML
//! header between `---` lines and the transcript, as insta writes them, so `cargo insta review`
//! reads them too. Compared as insta compares file snapshots (trailing whitespace and `\r\n`
//! line ends ignored).

use std::io;
use std::path::{Path, PathBuf};

use crate::snapshot::Transcript;

/// What became of one rule's snapshot file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SnapshotStatus {
    /// The file holds this transcript.
    Unchanged,
    /// The file holds another transcript: the unified diff, old (`-`, the file) to new (`+`,
    /// this run). Rewritten when `updated` (`--update-snapshots`); otherwise the new one is put
    /// beside it as `<RULE-ID>.snap.new` for `cargo insta review` (except with `CI=true`).
    Changed {
        /// The unified diff.
        diff: String,
        /// The file was rewritten.
        updated: bool,
    },
    /// There was no file. `written`: it was written now; not written with `CI=true`, where a
    /// missing snapshot is a failure.
    New {
        /// The file was written.
        written: bool,
    },
}

impl SnapshotStatus {
    /// The word of the JSON report: `unchanged`, `changed` or `new`.
    #[must_use]
    pub fn as_str(&self) -> &'static str {
        match self {
            SnapshotStatus::Unchanged => "unchanged",
            SnapshotStatus::Changed { .. } => "changed",
            SnapshotStatus::New { .. } => "new",
        }
    }

    /// Whether it fails the run: a change not accepted, or a missing file in CI.
    #[must_use]
    pub fn fails(&self) -> bool {
        matches!(
            self,
            SnapshotStatus::Changed { updated: false, .. } | SnapshotStatus::New { written: false }
        )
    }
}

/// The text of `DIR/<RULE-ID>.snap` for a transcript: insta's header (`source`, `description`)
/// between `---` lines, then the transcript, ending with one newline.
///
/// ```
/// use opsworks_conformance::contract::rules;
/// use opsworks_conformance::snapshot::{Transcript, snap_file_text};
/// let transcript = Transcript { rule: rules::V_TYPE, text: "V-TYPE: ...\n".to_owned() };
/// assert_eq!(
///     snap_file_text(&transcript),
///     "---\nsource: opsworks-conformance\ndescription: the answers to the exemplars of V-TYPE\n---\nV-TYPE: ...\n"
/// );
/// ```
#[must_use]
pub fn snap_file_text(transcript: &Transcript) -> String {
    format!(
        "---\nsource: opsworks-conformance\ndescription: the answers to the exemplars of {}\n---\n{}\n",
        transcript.rule,
        normalize(&transcript.text)
    )
}

/// The snapshot of a `.snap` file's text: what follows the header (all of it when there is
/// none), normalised as insta normalises file snapshots.
#[must_use]
pub fn snapshot_of(file_text: &str) -> String {
    let text = file_text.replace("\r\n", "\n");
    if let Some(rest) = text.strip_prefix("---\n") {
        if let Some(end) = rest.find("\n---\n") {
            return normalize(&rest[end + "\n---\n".len()..]);
        }
        if let Some(body) = rest.strip_prefix("---\n") {
            return normalize(body);
        }
    }
    normalize(&text)
}

fn normalize(text: &str) -> String {
    text.trim_end().replace("\r\n", "\n")
}

/// A folder of snapshot files (`--snapshots DIR`).
#[derive(Debug, Clone)]
pub struct SnapshotStore {
    dir: PathBuf,
    update: bool,
    ci: bool,
}

impl SnapshotStore {
    /// The folder `dir`; `update`: rewrite files that differ (`--update-snapshots`); `ci`: a
    /// missing file is a failure and nothing is written (`CI=true`, see [`ci_from_env`]).
    #[must_use]
    pub fn new(dir: impl Into<PathBuf>, update: bool, ci: bool) -> Self {
        SnapshotStore {
            dir: dir.into(),
            update,
            ci,
        }
    }

    /// The exemplars of `rules` in `world` ([`exemplars`](crate::snapshot::exemplars)), kept
    /// in the folder's `.exemplars.json` between runs: read from it when it holds them for this
    /// world, these rules and this build's generators, else found and written there (not with
    /// `ci` unless `update`: then nothing is written). A missing or stale file only costs the
    /// time to find them again (about a tenth of a second for every rule); it may be deleted at
    /// any time, and committed with the `.snap` files so that CI runs read it.
    #[must_use]
    pub fn exemplars(
        &self,
        world: &crate::world::World,
        rules: &[crate::contract::RuleId],
    ) -> Vec<crate::snapshot::RuleExemplars> {
        let write = self.update || !self.ci;
        crate::snapshot::cache::exemplars_cached(&self.dir, world, rules, write)
    }

    /// The file of a rule's snapshot.
    #[must_use]
    pub fn path(&self, transcript: &Transcript) -> PathBuf {
        self.dir.join(format!("{}.snap", transcript.rule))
    }

    /// Compares a transcript with its file, writes what is to be written, and says what became
    /// of it.
    ///
    /// # Errors
    /// When the folder or a file cannot be read or written.
    pub fn check(&self, transcript: &Transcript) -> io::Result<SnapshotStatus> {
        let path = self.path(transcript);
        let pending = pending_path(&path);
        let new_text = snap_file_text(transcript);
        let old = match std::fs::read_to_string(&path) {
            Ok(text) => Some(text),
            Err(error) if error.kind() == io::ErrorKind::NotFound => None,
            Err(error) => return Err(error),
        };
        let Some(old) = old else {
            if self.ci && !self.update {
                return Ok(SnapshotStatus::New { written: false });
            }
            std::fs::create_dir_all(&self.dir)?;
            std::fs::write(&path, new_text)?;
            remove_if_present(&pending)?;
            return Ok(SnapshotStatus::New { written: true });
        };
        let old_snapshot = snapshot_of(&old);
        let new_snapshot = normalize(&transcript.text);
        if old_snapshot == new_snapshot {
            remove_if_present(&pending)?;
            return Ok(SnapshotStatus::Unchanged);
        }
        let diff = unified_diff(&old_snapshot, &new_snapshot, &path);
        if self.update {
            std::fs::write(&path, new_text)?;
            remove_if_present(&pending)?;
        } else if !self.ci {
            std::fs::write(&pending, new_text)?;
        }
        Ok(SnapshotStatus::Changed {
            diff,
            updated: self.update,
        })
    }
}

/// Whether `CI` is set to something other than `false`/`0`/empty, as insta reads it.
#[must_use]
pub fn ci_from_env() -> bool {
    std::env::var("CI").is_ok_and(|value| !matches!(value.as_str(), "" | "0" | "false"))
}

fn pending_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".new");
    PathBuf::from(name)
}

fn remove_if_present(path: &Path) -> io::Result<()> {
    match std::fs::remove_file(path) {
        Err(error) if error.kind() != io::ErrorKind::NotFound => Err(error),
        _ => Ok(()),
    }
}

/// The unified diff from the snapshot in the file to this run's, three lines of context.
#[must_use]
pub fn unified_diff(old: &str, new: &str, path: &Path) -> String {
    let old = format!("{old}\n");
    let new = format!("{new}\n");
    similar::TextDiff::from_lines(&old, &new)
        .unified_diff()
        .context_radius(3)
        .header(
            &format!("{} (snapshot)", path.display()),
            &format!("{} (this run)", path.display()),
        )
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::{RuleId, Severity};
    use crate::rules::testing::plain_rule;

    /// The rule of the sample transcripts, and the name of its snapshot file.
    fn sample() -> RuleId {
        plain_rule(0, Severity::Must)
    }

    fn snap(extension: &str) -> String {
        format!("{}.{extension}", sample().as_str())
    }

    fn transcript(text: &str) -> Transcript {
        Transcript {
            rule: sample(),
            text: text.to_owned(),
        }
    }

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "opsworks-snapshot-{name}-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn new_then_unchanged_then_changed_with_a_diff_then_updated() {
        let dir = temp_dir("cycle");
        let store = SnapshotStore::new(&dir, false, false);
        let first = transcript(&format!("{}\n=> 400 ValidationException\n", sample()));
        assert_eq!(
            store.check(&first).unwrap(),
            SnapshotStatus::New { written: true }
        );
        assert_eq!(store.check(&first).unwrap(), SnapshotStatus::Unchanged);
        let second = transcript(&format!("{}\n=> 400 SerializationException\n", sample()));
        let SnapshotStatus::Changed { diff, updated } = store.check(&second).unwrap() else {
            panic!("expected changed");
        };
        assert!(!updated);
        assert!(diff.contains("-=> 400 ValidationException"), "{diff}");
        assert!(diff.contains("+=> 400 SerializationException"), "{diff}");
        assert!(
            dir.join(snap("snap.new")).exists(),
            "for cargo insta review"
        );
        assert!(
            store.check(&second).unwrap().fails(),
            "still changed: the file was kept"
        );
        let update = SnapshotStore::new(&dir, true, false);
        assert!(!update.check(&second).unwrap().fails());
        assert!(!dir.join(snap("snap.new")).exists());
        assert_eq!(store.check(&second).unwrap(), SnapshotStatus::Unchanged);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn in_ci_a_missing_file_fails_and_nothing_is_written() {
        let dir = temp_dir("ci");
        let store = SnapshotStore::new(&dir, false, true);
        let status = store.check(&transcript("x")).unwrap();
        assert_eq!(status, SnapshotStatus::New { written: false });
        assert!(status.fails());
        assert!(!dir.join(snap("snap")).exists());
    }

    #[test]
    fn insta_files_are_read_past_their_header() {
        let file = "---\nsource: tests/x.rs\nexpression: text\n---\nline 1\r\nline 2\n\n";
        assert_eq!(snapshot_of(file), "line 1\nline 2");
        assert_eq!(snapshot_of(&snap_file_text(&transcript("a\nb\n"))), "a\nb");
    }
}
