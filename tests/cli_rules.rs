//! `opsworks-conformance rules`, run as a process.
#![cfg(feature = "cli")]

use std::process::{Command, Output};

use opsworks_conformance::contract::{CATALOGUE, Side};

/// Runs the built binary with `args` and returns what it did.
fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_opsworks-conformance"))
        .args(args)
        .output()
        .expect("the binary starts")
}

/// Standard output of a successful run, as text.
fn stdout_ok(args: &[&str]) -> String {
    let output = run(args);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8 output")
}

/// The ids at the start of each line of a text listing.
fn listed_ids(text: &str) -> Vec<String> {
    text.lines()
        .map(|line| line.split_whitespace().next().unwrap_or("").to_owned())
        .collect()
}

#[test]
fn rules_lists_the_catalogue_as_text() {
    let text = stdout_ok(&["rules"]);
    let expected: Vec<String> = CATALOGUE.iter().map(|r| r.id.to_string()).collect();
    assert_eq!(listed_ids(&text), expected);
    for (line, rule) in text.lines().zip(CATALOGUE) {
        let mut words = line.split_whitespace();
        words.next();
        assert_eq!(words.next(), Some(rule.severity.as_str()), "{line}");
        assert_eq!(words.next(), Some(rule.group.as_str()), "{line}");
        assert!(line.contains(rule.summary), "{line}");
        assert!(line.ends_with(&format!("[{}]", rule.source)), "{line}");
    }
}

#[test]
fn rules_json_is_an_array_of_rule_objects() {
    let text = stdout_ok(&["rules", "--format", "json"]);
    let value: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    let entries = value.as_array().expect("a JSON array");
    assert_eq!(entries.len(), 53);
    assert_eq!(entries.len(), CATALOGUE.len());
    for (entry, rule) in entries.iter().zip(CATALOGUE) {
        let object = entry.as_object().expect("an object");
        let keys: Vec<&str> = object.keys().map(String::as_str).collect();
        let mut sorted = keys.clone();
        sorted.sort_unstable();
        assert_eq!(
            sorted,
            ["group", "id", "severity", "side", "source", "summary"]
        );
        assert_eq!(entry["id"], rule.id.as_str());
        assert_eq!(entry["severity"], rule.severity.as_str());
        assert_eq!(entry["group"], rule.group.as_str());
        assert_eq!(entry["summary"], rule.summary);
        assert_eq!(entry["source"], rule.source);
        let side = match rule.side() {
            Side::Server => "server",
            Side::Client => "client",
        };
        assert_eq!(entry["side"], side);
    }
}

#[test]
fn rules_only_glob_filters_ids() {
    let ids = listed_ids(&stdout_ok(&["rules", "--only", "V-*"]));
    let expected = CATALOGUE
        .iter()
        .filter(|r| r.id.as_str().starts_with("V-"))
        .count();
    assert_eq!(ids.len(), expected);
    assert!(expected > 0);
    assert!(ids.iter().all(|id| id.starts_with("V-")), "{ids:?}");

    let ids = listed_ids(&stdout_ok(&["rules", "--only", "*-REQUIRED"]));
    assert!(!ids.is_empty());
    assert!(ids.iter().all(|id| id.ends_with("-REQUIRED")), "{ids:?}");

    let ids = listed_ids(&stdout_ok(&["rules", "--only", "N-"]));
    assert_eq!(ids, ["N-STACK", "N-APP", "N-INSTANCE", "N-LAYER"]);

    // A rule's line does not depend on the filters.
    let all = stdout_ok(&["rules"]);
    let line = stdout_ok(&["rules", "--only", "V-APP-REQUIRED"]);
    assert_eq!(line.lines().count(), 1);
    assert!(
        all.lines().any(|l| l == line.trim_end_matches('\n')),
        "{line}"
    );
}

#[test]
fn rules_side_client_lists_only_client_rules() {
    let ids = listed_ids(&stdout_ok(&["rules", "--side", "client"]));
    let expected = CATALOGUE
        .iter()
        .filter(|r| r.side() == Side::Client)
        .count();
    assert_eq!(ids.len(), expected);
    assert!(expected > 0);
    assert!(ids.iter().all(|id| id.starts_with("C-")), "{ids:?}");

    let ids = listed_ids(&stdout_ok(&["rules", "--side", "server"]));
    assert_eq!(ids.len(), CATALOGUE.len() - expected);
    assert!(ids.iter().all(|id| !id.starts_with("C-")), "{ids:?}");
}

#[test]
fn bad_arguments_exit_with_2() {
    for args in [
        &["rules", "--no-such-flag"][..],
        &["rules", "--format", "yaml"],
        &["rules", "--side", "both"],
        &["no-such-subcommand"],
        &[],
    ] {
        let output = run(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(
            output.stdout.is_empty(),
            "{args:?}: usage errors go to stderr"
        );
        assert!(!output.stderr.is_empty(), "{args:?}: a message on stderr");
    }
}

#[test]
fn rules_markdown_prints_the_catalogue_document() {
    let text = stdout_ok(&["rules", "--format", "markdown"]);
    assert_eq!(
        text,
        format!("{}\n", opsworks_conformance::contract::catalogue_markdown())
    );
    for rule in CATALOGUE {
        assert!(text.contains(&format!("### `{}`", rule.id)), "{}", rule.id);
    }
}
