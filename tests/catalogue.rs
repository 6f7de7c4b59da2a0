//! The rule catalogue as data agrees with `RULES.md`, and is internally consistent.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use opsworks_conformance::contract::{CATALOGUE, Group, RuleId, Severity, Side};

/// Where `RULES.md` lives, relative to the crate (present in the project's workspace only).
fn rules_md_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/contract/RULES.md")
}

/// Whether a table cell looks like a rule id: a capital letter, `-`, then capitals, digits, `-`.
fn is_rule_id(cell: &str) -> bool {
    let bytes = cell.as_bytes();
    bytes.len() > 2
        && bytes[0].is_ascii_uppercase()
        && bytes[1] == b'-'
        && bytes[2..]
            .iter()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'-')
}

/// The severity keyword of a table cell, if it is one.
fn severity_of(cell: &str) -> Option<Severity> {
    match cell {
        "MUST" => Some(Severity::Must),
        "SHOULD" => Some(Severity::Should),
        "MAY" => Some(Severity::May),
        _ => None,
    }
}

/// The rules of the tables of `RULES.md`: id → severity. Rows look like
/// `| V-APP-REQUIRED | MUST | ... |`; the `M-*` rows have no severity column and are MAY.
fn parse_rules_md(text: &str) -> BTreeMap<String, Severity> {
    let mut rules = BTreeMap::new();
    for (number, line) in text.lines().enumerate() {
        let Some(row) = line.trim().strip_prefix('|') else {
            continue;
        };
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        let Some(&id) = cells.first() else { continue };
        if !is_rule_id(id) {
            continue; // header row (`| id | sev |`) or separator (`|---|`)
        }
        let column = cells.get(1).copied().and_then(severity_of);
        let severity = if id.starts_with("M-") {
            assert_eq!(
                column,
                None,
                "RULES.md line {}: M-* rows have no severity column",
                number + 1
            );
            Severity::May
        } else {
            column.unwrap_or_else(|| {
                panic!(
                    "RULES.md line {}: {id} has no MUST/SHOULD/MAY column",
                    number + 1
                )
            })
        };
        let previous = rules.insert(id.to_owned(), severity);
        assert!(previous.is_none(), "RULES.md lists {id} twice");
    }
    rules
}

#[test]
fn catalogue_matches_rules_md() {
    let path = rules_md_path();
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(error) => {
            eprintln!(
                "skipped: cannot read {} ({error}); the catalogue is compared with RULES.md \
                 only in the project's workspace",
                path.display()
            );
            return;
        }
    };
    let documented = parse_rules_md(&text);
    assert!(
        !documented.is_empty(),
        "no rule rows found in {}",
        path.display()
    );

    let encoded: BTreeMap<String, Severity> = CATALOGUE
        .iter()
        .map(|rule| (rule.id.as_str().to_owned(), rule.severity))
        .collect();

    let documented_ids: BTreeSet<&String> = documented.keys().collect();
    let encoded_ids: BTreeSet<&String> = encoded.keys().collect();
    let missing: Vec<_> = documented_ids.difference(&encoded_ids).collect();
    let extra: Vec<_> = encoded_ids.difference(&documented_ids).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "in RULES.md but not in CATALOGUE: {missing:?}; in CATALOGUE but not in RULES.md: {extra:?}"
    );

    let mismatched: Vec<String> = documented
        .iter()
        .filter(|(id, severity)| encoded.get(*id) != Some(severity))
        .map(|(id, severity)| format!("{id}: RULES.md {severity}, CATALOGUE {}", encoded[id]))
        .collect();
    assert!(mismatched.is_empty(), "severities differ: {mismatched:#?}");
}

#[test]
fn ids_are_unique() {
    let mut seen = BTreeSet::new();
    for rule in CATALOGUE {
        assert!(
            seen.insert(rule.id),
            "{} appears twice in CATALOGUE",
            rule.id
        );
    }
}

#[test]
fn id_prefix_matches_group() {
    for rule in CATALOGUE {
        let id = rule.id.as_str();
        let expected = match id.split('-').next() {
            Some("P") => Group::Protocol,
            Some("V") => Group::Validation,
            Some("N") => Group::Existence,
            Some("A") => Group::Access,
            Some("S" | "O") => Group::Behaviour,
            Some("M") => Group::ImplementationDefined,
            Some("C") => Group::Client,
            _ => panic!("{id}: unknown prefix"),
        };
        assert_eq!(rule.group, expected, "{id}");
        let side = if expected == Group::Client {
            Side::Client
        } else {
            Side::Server
        };
        assert_eq!(rule.side(), side, "{id}");
        if expected == Group::ImplementationDefined {
            assert_eq!(rule.severity, Severity::May, "{id}: M-* rules are MAY");
        }
    }
}

#[test]
fn summaries_and_sources_are_filled() {
    for rule in CATALOGUE {
        assert!(
            !rule.summary.trim().is_empty(),
            "{}: empty summary",
            rule.id
        );
        assert!(!rule.source.trim().is_empty(), "{}: empty source", rule.id);
    }
}

#[test]
fn ids_round_trip() {
    for rule in CATALOGUE {
        let id = rule.id;
        assert_eq!(RuleId::parse(id.as_str()), Some(id));
        assert_eq!(id.rule().id, id);
        assert_eq!(id.rule(), rule);
    }
    assert_eq!(RuleId::parse("V-NO-SUCH-RULE"), None);
    assert_eq!(RuleId::parse("v-app-required"), None);
}
