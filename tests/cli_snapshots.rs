//! `opsworks-conformance run --snapshots DIR`, the built binary: two runs against a fresh correct
//! target write identical files whatever the seed and the number of cases; a target whose only
//! change is a MAY choice passes the rules but fails the snapshots, naming the rule with its
//! diff; `--update-snapshots` accepts the change; with `CI=true` a missing snapshot fails and
//! nothing is written; the JSON report gives each rule's `"snapshot"`.
#![cfg(feature = "cli")]

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};

use opsworks_conformance::contract::rules;
use opsworks_conformance::oracle::{MayChoice, MayPolicy};
use opsworks_conformance::target::ReferenceTarget;
use opsworks_conformance::world::World;
use serde_json::Value;

#[path = "support/served.rs"]
mod served;
use served::Served;
#[path = "support/temp_dir.rs"]
mod temp_dir;
use temp_dir::TempDir;

const BINARY: &str = env!("CARGO_BIN_EXE_opsworks-conformance");

/// What a run of the binary left behind.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// Runs `opsworks-conformance run ARGS...` with `CI` set or removed.
fn run(args: &[&str], ci: bool) -> Run {
    let mut command = Command::new(BINARY);
    command.arg("run").args(args).stdin(Stdio::null());
    if ci {
        command.env("CI", "true");
    } else {
        command.env_remove("CI");
    }
    let output = command.output().expect("the binary runs");
    Run {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// The files of a folder, by name.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|entry| {
                    (
                        entry.file_name().to_string_lossy().into_owned(),
                        std::fs::read(entry.path()).expect("readable"),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Each rule's `"snapshot"` in a JSON report.
fn snapshot_statuses(path: &Path) -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(path).expect("the JSON report was written");
    let report: Value = serde_json::from_str(&text).expect("JSON");
    report["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .filter_map(|rule| {
            Some((
                rule["id"].as_str()?.to_owned(),
                rule["snapshot"].as_str()?.to_owned(),
            ))
        })
        .collect()
}

/// The reference with another MAY policy, served over HTTP on 127.0.0.1 by a thread with a
/// runtime of its own; stopped when dropped.
type Server = Served;

impl Server {
    fn with_policy(policy: MayPolicy) -> Server {
        let target = ReferenceTarget::new(World::bundled()).with_policy(policy);
        Served::start(target)
    }
}

#[test]
fn two_runs_against_a_fresh_correct_target_write_identical_files() {
    let dir = TempDir::new("cli-snapshots");
    let (first, second) = (dir.path("first"), dir.path("second"));
    let json = dir.path("report.json");
    let a = run(
        &[
            "--seed",
            "1",
            "--cases",
            "300",
            "--snapshots",
            first.to_str().expect("UTF-8"),
            "--json",
            json.to_str().expect("UTF-8"),
        ],
        false,
    );
    assert_eq!(a.code, Some(0), "{a}");
    let statuses = snapshot_statuses(&json);
    assert!(statuses.len() >= 35, "{statuses:?}");
    assert!(
        statuses.values().all(|status| status == "new"),
        "{statuses:?}"
    );
    let b = run(
        &[
            "--seed",
            "99",
            "--cases",
            "900",
            "--snapshots",
            second.to_str().expect("UTF-8"),
        ],
        false,
    );
    assert_eq!(b.code, Some(0), "{b}");
    let (first_files, second_files) = (files(&first), files(&second));
    // One file per rule, and the exemplars kept for the next run (the same whatever the seed).
    assert_eq!(first_files.len(), statuses.len() + 1);
    assert!(
        first_files
            .keys()
            .all(|name| name.ends_with(".snap") || name == ".exemplars.json"),
        "{:?}",
        first_files.keys()
    );
    assert!(
        first_files == second_files,
        "two runs wrote different snapshot files"
    );
    // A third run, in CI, against the files of the first: every rule unchanged.
    let c = run(
        &[
            "--seed",
            "5",
            "--snapshots",
            first.to_str().expect("UTF-8"),
            "--json",
            json.to_str().expect("UTF-8"),
        ],
        true,
    );
    assert_eq!(c.code, Some(0), "{c}");
    let statuses = snapshot_statuses(&json);
    assert!(
        statuses.values().all(|status| status == "unchanged"),
        "{statuses:?}"
    );
    assert!(c.stdout.contains(&format!(
        "snapshots: {} unchanged, 0 changed, 0 new",
        statuses.len()
    )));
}

#[test]
fn a_flipped_may_choice_passes_the_rules_but_fails_the_snapshots() {
    let dir = TempDir::new("cli-snapshots");
    let snapshots = dir.path("snapshots");
    let json = dir.path("report.json");
    let snapshots_arg = snapshots.to_str().expect("UTF-8");
    let json_arg = json.to_str().expect("UTF-8");
    // Written against the reference as it is.
    let before = Server::with_policy(MayPolicy::reference());
    let written = run(
        &["--endpoint", &before.url, "--snapshots", snapshots_arg],
        false,
    );
    assert_eq!(written.code, Some(0), "{written}");
    drop(before);

    // The same reference, now refusing unknown members (a MAY choice of M-UNKNOWN-MEMBERS);
    // a fresh one for every run, as every run needs a target in the world's state.
    let changed_reference = || {
        Server::with_policy(
            MayPolicy::reference().with(rules::M_UNKNOWN_MEMBERS, MayChoice::Reject),
        )
    };
    let after = changed_reference();
    let changed = run(
        &[
            "--endpoint",
            &after.url,
            "--snapshots",
            snapshots_arg,
            "--json",
            json_arg,
        ],
        true,
    );
    assert_eq!(changed.code, Some(1), "{changed}");
    assert!(
        changed.stdout.contains("verdict: pass"),
        "the rules pass: {changed}"
    );
    assert!(
        changed
            .stdout
            .contains("FAIL snapshot M-UNKNOWN-MEMBERS: changed"),
        "{changed}"
    );
    assert!(
        changed
            .stdout
            .contains("+=> 400 application/x-amz-json-1.1"),
        "the diff shows the new answer: {changed}"
    );
    assert!(
        changed
            .stdout
            .contains("-=> 200 application/x-amz-json-1.1"),
        "the diff shows the old answer: {changed}"
    );
    let statuses = snapshot_statuses(&json);
    assert_eq!(
        statuses.get("M-UNKNOWN-MEMBERS").map(String::as_str),
        Some("changed")
    );
    assert_eq!(
        statuses.get("V-APP-REQUIRED").map(String::as_str),
        Some("unchanged")
    );
    assert!(
        !snapshots.join("M-UNKNOWN-MEMBERS.snap.new").exists(),
        "nothing written in CI"
    );

    // Outside CI the new snapshot is put beside the old one for `cargo insta review`.
    let after = changed_reference();
    let pending = run(
        &["--endpoint", &after.url, "--snapshots", snapshots_arg],
        false,
    );
    assert_eq!(pending.code, Some(1), "{pending}");
    assert!(pending.stdout.contains("verdict: pass"), "{pending}");
    assert!(
        pending
            .stdout
            .contains("FAIL snapshot M-UNKNOWN-MEMBERS: changed"),
        "{pending}"
    );
    assert!(snapshots.join("M-UNKNOWN-MEMBERS.snap.new").exists());

    // Accepted: rewritten, then unchanged.
    let after = changed_reference();
    let updated = run(
        &[
            "--endpoint",
            &after.url,
            "--snapshots",
            snapshots_arg,
            "--update-snapshots",
        ],
        false,
    );
    assert_eq!(updated.code, Some(0), "{updated}");
    assert!(!snapshots.join("M-UNKNOWN-MEMBERS.snap.new").exists());
    let after = changed_reference();
    let again = run(
        &["--endpoint", &after.url, "--snapshots", snapshots_arg],
        true,
    );
    assert_eq!(again.code, Some(0), "{again}");
}

#[test]
fn in_ci_a_missing_snapshot_fails_and_nothing_is_written() {
    let dir = TempDir::new("cli-snapshots");
    let snapshots = dir.path("snapshots");
    let missing = run(
        &[
            "--cases",
            "200",
            "--snapshots",
            snapshots.to_str().expect("UTF-8"),
        ],
        true,
    );
    assert_eq!(missing.code, Some(1), "{missing}");
    assert!(
        missing
            .stdout
            .contains("FAIL snapshot S-UNIQUE-ID: missing (CI=true"),
        "{missing}"
    );
    assert!(files(&snapshots).is_empty());
}
