//! The rule catalogue as data agrees with `RULES.md`, and is internally consistent.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use opsworks_conformance::contract::{
    CATALOGUE, CATALOGUE_VERSION, Group, OPSWORKS_OPERATIONS, RuleId, Severity, Side,
    catalogue_markdown,
};

/// The copy of the contract's `RULES.md` in the repository (`docs/contract/`), which the
/// catalogue is compared with.
fn rules_md_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/contract/RULES.md")
}

/// The contract as the team keeps it, outside the repository: present in the project's
/// workspace only.
fn shared_contract() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/contract")
}

/// The repository's copies of the contract files are the team's contract, byte for byte, where
/// the team's copy is at hand (elsewhere, for example in a clone of the repository alone, the
/// copies are what the crate is checked against, and this test says so on its output).
#[test]
fn the_contract_in_the_repository_is_the_shared_contract() {
    let shared = shared_contract();
    if !shared.is_dir() {
        eprintln!(
            "\n*** SKIPPED the_contract_in_the_repository_is_the_shared_contract: {} is not \
             here, so the repository's copy of the contract (docs/contract/) is NOT compared \
             with the team's. The catalogue is still checked against that copy (the other \
             tests of tests/catalogue.rs). ***\n",
            shared.display()
        );
        return;
    }
    for name in ["RULES.md", "INTERFACES.md", "AWSJSON11.md"] {
        let ours = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("docs/contract")
            .join(name);
        let theirs = shared.join(name);
        let read = |path: &PathBuf| {
            std::fs::read(path)
                .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()))
        };
        assert!(
            read(&ours) == read(&theirs),
            "{} differs from {}: copy the contract's new version into docs/contract/",
            ours.display(),
            theirs.display()
        );
    }
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
        Err(error) => panic!("cannot read {} ({error})", path.display()),
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

/// What each rule row of `RULES.md` says, as the catalogue states it: `condition -> expected`
/// (the Validation and Existence tables name their code in the heading's text, not in a column;
/// V-TYPE names its codes in its condition), or the case of an M-* row; and the source (`catalogue`
/// for the M-* rows, which have no source column). Backquotes are dropped.
fn documented_texts(text: &str) -> BTreeMap<String, (String, String)> {
    let mut texts = BTreeMap::new();
    let mut section = "";
    for line in text.lines() {
        if let Some(heading) = line.strip_prefix("### ") {
            section = heading;
        }
        let Some(row) = line.trim().strip_prefix('|') else {
            continue;
        };
        let cells: Vec<String> = row
            .trim_end_matches('|')
            .split('|')
            .map(|cell| cell.trim().replace('`', ""))
            .collect();
        let Some(id) = cells.first().filter(|id| is_rule_id(id)) else {
            continue;
        };
        let (summary, source) = match cells.as_slice() {
            [_, case] if id.starts_with("M-") => (case.clone(), "catalogue".to_owned()),
            [_, _, condition, expected, source] => {
                (format!("{condition} -> {expected}"), source.clone())
            }
            [_, _, condition, source] => {
                let code = if section.contains("ResourceNotFoundException") {
                    "ResourceNotFoundException"
                } else {
                    "ValidationException"
                };
                let summary = match condition.split_once(". Code ") {
                    Some((condition, codes)) => format!("{condition} -> {codes}"),
                    None => format!("{condition} -> {code}"),
                };
                (summary, source.clone())
            }
            _ => panic!("RULES.md: unexpected row for {id}: {line}"),
        };
        texts.insert(id.clone(), (summary, source));
    }
    texts
}

#[test]
fn summaries_and_sources_match_rules_md() {
    let path = rules_md_path();
    let text = std::fs::read_to_string(&path).unwrap_or_else(|error| {
        panic!(
            "cannot read {} ({error}): the catalogue's texts are compared with RULES.md",
            path.display()
        )
    });
    let documented = documented_texts(&text);
    let mut differences = Vec::new();
    for rule in CATALOGUE {
        let Some((summary, source)) = documented.get(rule.id.as_str()) else {
            differences.push(format!("{}: not in RULES.md", rule.id));
            continue;
        };
        if rule.summary != summary {
            differences.push(format!(
                "{}: summary\n  RULES.md:  {summary}\n  CATALOGUE: {}",
                rule.id, rule.summary
            ));
        }
        if rule.source != source {
            differences.push(format!(
                "{}: source\n  RULES.md:  {source}\n  CATALOGUE: {}",
                rule.id, rule.source
            ));
        }
    }
    assert!(differences.is_empty(), "{}", differences.join("\n"));
}

#[test]
fn catalogue_version_is_the_version_of_rules_md() {
    let path = rules_md_path();
    let text = std::fs::read_to_string(&path).unwrap_or_else(|error| {
        panic!(
            "cannot read {} ({error}): the catalogue's version is compared with RULES.md",
            path.display()
        )
    });
    let title = text.lines().next().unwrap_or_default();
    assert!(
        title.ends_with(&format!("(version {CATALOGUE_VERSION})")),
        "RULES.md's title {title:?} is not of version {CATALOGUE_VERSION}"
    );
}

/// The Python that has botocore: `OPSWORKS_CONFORMANCE_PYTHON` (CI sets it to its botocore
/// virtual environment), else that environment's usual place.
fn botocore_python() -> String {
    std::env::var("OPSWORKS_CONFORMANCE_PYTHON")
        .unwrap_or_else(|_| "/tmp/opsworks-conformance-botocore/bin/python".to_owned())
}

#[test]
fn operations_are_those_of_the_botocore_model() {
    let python = botocore_python();
    let script = "import json, botocore, botocore.session\n\
        model = botocore.session.get_session().get_service_model('opsworks')\n\
        print(json.dumps({'version': botocore.__version__, \
        'prefix': model.metadata['targetPrefix'], \
        'operations': list(model.operation_names)}))";
    let output = std::process::Command::new(&python)
        .args(["-c", script])
        .output()
        .unwrap_or_else(|error| {
            panic!(
                "cannot run {python:?} ({error}): this test needs a Python with botocore 1.40.18 \
                 (set OPSWORKS_CONFORMANCE_PYTHON, or run .ci/run, which makes \
                 /tmp/opsworks-conformance-botocore)"
            )
        });
    assert!(
        output.status.success(),
        "{python:?} has no botocore: this test needs botocore 1.40.18 (set \
         OPSWORKS_CONFORMANCE_PYTHON to a Python that has it): {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let model: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("the script prints JSON");
    assert_eq!(
        model["prefix"],
        opsworks_conformance::contract::OPSWORKS_TARGET_PREFIX
    );
    let operations: Vec<&str> = model["operations"]
        .as_array()
        .expect("a list of operations")
        .iter()
        .filter_map(serde_json::Value::as_str)
        .collect();
    assert_eq!(
        operations,
        OPSWORKS_OPERATIONS.to_vec(),
        "OPSWORKS_OPERATIONS (from botocore 1.40.18) differs from the model of botocore {} at \
         {python:?}",
        model["version"]
    );
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

/// The catalogue document of the repository.
fn rules_doc_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/rules.md")
}

/// `docs/rules.md` is what the rule files say: the document `rules --format markdown` prints.
#[test]
fn the_checked_in_catalogue_document_is_generated_from_the_rule_files() {
    let path = rules_doc_path();
    let regenerate = "cargo run -- rules --format markdown > docs/rules.md";
    let checked_in = std::fs::read_to_string(&path).unwrap_or_else(|error| {
        panic!(
            "cannot read {} ({error}): make it with `{regenerate}`",
            path.display()
        )
    });
    let generated = format!("{}\n", catalogue_markdown());
    if checked_in != generated {
        let first = checked_in
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| checked_in.lines().count().min(generated.lines().count()));
        panic!(
            "{} differs from the rule files, first at line {}:\n  checked in: {:?}\n  generated:  {:?}\nregenerate it: {regenerate}",
            path.display(),
            first + 1,
            checked_in.lines().nth(first).unwrap_or("(end of file)"),
            generated.lines().nth(first).unwrap_or("(end of file)"),
        );
    }
}

/// Every table row of the contract's `RULES.md` (header rows too) is a line of the generated
/// document, word for word: the rule files carry the catalogue's texts, not a paraphrase.
#[test]
fn the_catalogue_document_has_every_row_of_rules_md() {
    let path = rules_md_path();
    let contract = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("cannot read {} ({error})", path.display()));
    let document = catalogue_markdown();
    let lines: BTreeSet<&str> = document.lines().collect();
    let rows: Vec<&str> = contract
        .lines()
        .filter(|line| line.starts_with("| "))
        .collect();
    assert!(
        rows.len() > CATALOGUE.len(),
        "no table rows in {}",
        path.display()
    );
    let missing: Vec<&&str> = rows.iter().filter(|row| !lines.contains(**row)).collect();
    assert!(
        missing.is_empty(),
        "rows of {} that the rule files do not reproduce:\n{}",
        path.display(),
        missing
            .iter()
            .map(|row| format!("  {row}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// Every rule has its documentation, and every server rule an example request drawn from its
/// family in the bundled world.
#[test]
fn every_rule_is_documented_with_an_example() {
    let document = catalogue_markdown();
    for rule in CATALOGUE {
        assert!(
            !rule.doc.condition.trim().is_empty(),
            "{}: no condition",
            rule.id
        );
        assert!(
            !rule.doc.expected.trim().is_empty(),
            "{}: no expected answer",
            rule.id
        );
        assert!(!rule.doc.why.trim().is_empty(), "{}: no why", rule.id);
        let heading = format!("### `{}`", rule.id);
        let section = document
            .split_once(&heading)
            .map(|(_, rest)| rest.split("\n### ").next().unwrap_or(rest))
            .unwrap_or_else(|| panic!("{}: no section in the catalogue document", rule.id));
        if rule.side() == Side::Server {
            assert!(
                section.contains("- **Example**") && section.contains("```text"),
                "{}: no example request:{section}",
                rule.id
            );
        }
    }
}
