//! The end of a gate run, shared by `run` and `client`: print the human report, apply the
//! known-failures ledger, write the JSON and JUnit reports, choose the exit code.

use std::path::PathBuf;

use crate::cli::run::{EXIT_ERROR, EXIT_FAIL, EXIT_INTERRUPTED, EXIT_PASS};
use crate::contract::RuleId;
use crate::report::{human_report, json_report, junit_report, with_snapshot_statuses};
use crate::runner::{KnownFailures, LedgerFinding, RunReport, today};
use crate::snapshot::SnapshotStatus;

/// Where the reports go.
#[derive(Debug, Clone, Default)]
pub struct ReportPaths {
    /// The JSON report (`--json`).
    pub json: Option<PathBuf>,
    /// The JUnit XML report (`--junit`).
    pub junit: Option<PathBuf>,
}

/// Prints the human report and the ledger's findings, writes the reports, and returns the exit
/// code: 0 conforms (failures all excused by the ledger), 1 does not, 2 a report could not be
/// written, 130 the run was interrupted ([`RunReport::interrupted`]; its partial reports are
/// written, and the ledger is not reviewed: a partial run cannot tell that a failure was fixed).
#[must_use]
pub fn finish(report: &RunReport, ledger: &KnownFailures, paths: &ReportPaths, region: &str) -> u8 {
    finish_with_snapshots(report, ledger, paths, region, &[])
}

/// [`finish`], with what became of each rule's snapshot (`run --snapshots DIR`): printed after
/// the report (a change with its unified diff), given in the JSON report as each rule's
/// `"snapshot"`, and failing the run (exit 1) when a snapshot changed and was not updated, or
/// is missing with `CI=true`.
#[must_use]
pub fn finish_with_snapshots(
    report: &RunReport,
    ledger: &KnownFailures,
    paths: &ReportPaths,
    region: &str,
    snapshots: &[(RuleId, SnapshotStatus)],
) -> u8 {
    finish_with_additions(
        report,
        ledger,
        paths,
        region,
        snapshots,
        &ReportAdditions::default(),
    )
}

/// What a run adds to its reports from outside the runner (`run --provision`'s calls and
/// cleanup, for example).
#[derive(Debug, Clone, Default)]
pub struct ReportAdditions {
    /// Printed right after the human report's verdict.
    pub human: String,
    /// Members added to the top level of the JSON report.
    pub json: Vec<(String, serde_json::Value)>,
}

/// [`finish_with_snapshots`], with [`ReportAdditions`] in the human and JSON reports.
#[must_use]
pub fn finish_with_additions(
    report: &RunReport,
    ledger: &KnownFailures,
    paths: &ReportPaths,
    region: &str,
    snapshots: &[(RuleId, SnapshotStatus)],
    additions: &ReportAdditions,
) -> u8 {
    print!("{}", human_report(report, region));
    print!("{}", additions.human);
    let today = today();
    let mut code = if report.interrupted {
        if !ledger.entries().is_empty() {
            println!("ledger: not reviewed: the run was interrupted");
        }
        EXIT_INTERRUPTED
    } else {
        for finding in ledger.review(report, &today) {
            match finding {
                LedgerFinding::Excused { .. } => println!("known failure: {finding}"),
                _ => println!("ledger: {finding}"),
            }
        }
        if ledger.gate(report, &today) {
            EXIT_PASS
        } else {
            EXIT_FAIL
        }
    };
    if !snapshots.is_empty() {
        print_snapshots(snapshots);
        if code == EXIT_PASS && snapshots.iter().any(|(_, status)| status.fails()) {
            code = EXIT_FAIL;
        }
    }
    if let Some(path) = &paths.json {
        let mut json = json_report(report, region);
        let statuses: Vec<(RuleId, &str)> = snapshots
            .iter()
            .map(|(rule, status)| (*rule, status.as_str()))
            .collect();
        with_snapshot_statuses(&mut json, &statuses);
        if let serde_json::Value::Object(object) = &mut json {
            for (name, value) in &additions.json {
                object.insert(name.clone(), value.clone());
            }
        }
        let text = match serde_json::to_string_pretty(&json) {
            Ok(text) => text,
            Err(error) => format!("{{\"error\":\"{error}\"}}"),
        };
        if let Err(error) = std::fs::write(path, text + "\n") {
            eprintln!(
                "error: expected to write the JSON report to {}, found {error}",
                path.display()
            );
            code = EXIT_ERROR;
        }
    }
    if let Some(path) = &paths.junit {
        if let Err(error) = std::fs::write(path, junit_report(report, region)) {
            eprintln!(
                "error: expected to write the JUnit report to {}, found {error}",
                path.display()
            );
            code = EXIT_ERROR;
        }
    }
    code
}

/// The async runtime of `run`: one thread, on which the gate, its HTTP client and the embedded
/// reference server take turns (cases are generated on a thread of their own), or the exit
/// code 2 with a message when it cannot start. A request and its answer never hop between
/// threads: on small machines that doubles the requests a gate gets through (see
/// `BENCHMARKS.md`).
pub fn runtime() -> Result<tokio::runtime::Runtime, u8> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| {
            eprintln!("error: expected to start an async runtime, found {error}");
            EXIT_ERROR
        })
}

/// The known-failures ledger of `--known-failures` (empty without one), or the exit code 2 with
/// the reason when the file cannot be used.
pub fn load_ledger(path: Option<&std::path::Path>) -> Result<KnownFailures, u8> {
    match path {
        None => Ok(KnownFailures::new()),
        Some(path) => KnownFailures::from_file(path).map_err(|error| {
            eprintln!("error: {error}");
            EXIT_ERROR
        }),
    }
}

/// The snapshots' part of the human report: each changed or new one, then the counts.
fn print_snapshots(snapshots: &[(RuleId, SnapshotStatus)]) {
    let mut counts = [0usize; 3];
    for (rule, status) in snapshots {
        match status {
            SnapshotStatus::Unchanged => counts[0] += 1,
            SnapshotStatus::Changed { diff, updated } => {
                counts[1] += 1;
                if *updated {
                    println!("snapshot {rule}: changed, updated (--update-snapshots)");
                } else {
                    println!(
                        "FAIL snapshot {rule}: changed (review: `cargo insta review`, or rerun with --update-snapshots)"
                    );
                }
                print!("{diff}");
            }
            SnapshotStatus::New { written: true } => {
                counts[2] += 1;
                println!("snapshot {rule}: new, written");
            }
            SnapshotStatus::New { written: false } => {
                counts[2] += 1;
                println!(
                    "FAIL snapshot {rule}: missing (CI=true: a snapshot is not written in CI; write it with --update-snapshots and commit it)"
                );
            }
        }
    }
    println!(
        "snapshots: {} unchanged, {} changed, {} new",
        counts[0], counts[1], counts[2]
    );
}
