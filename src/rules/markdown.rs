//! The catalogue document (`docs/rules.md`), rendered from the rule files.

use std::fmt::Write as _;

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;

use crate::contract::{CATALOGUE, CATALOGUE_VERSION, Group, RawRequest, Rule, Severity};
use crate::world::World;

/// The text before the tables: sources, severities, wire facts.
const PREAMBLE: &str = include_str!("text/preamble.md").trim_ascii_end();

/// The text of the server side before its tables: the commands and their arguments.
const SERVER_INTRO: &str = include_str!("text/server_intro.md").trim_ascii_end();

/// The text after the validation table.
const AFTER_VALIDATION: &str = include_str!("text/after_validation.md").trim_ascii_end();

/// The text after the existence table.
const AFTER_EXISTENCE: &str = include_str!("text/after_existence.md").trim_ascii_end();

/// The text of the client side before its table.
const CLIENT_INTRO: &str = include_str!("text/client_intro.md").trim_ascii_end();

/// What the suite sends, and what it does not judge.
const SENDS: &str = include_str!("text/sends.md").trim_ascii_end();

/// The longest example body shown, in bytes (longer ones end with `…`).
const EXAMPLE_BYTES: usize = 320;

/// The catalogue document: the tables of the catalogue (the same sections and rows as
/// `docs/contract/RULES.md`), then every rule with its documentation and an example request
/// drawn from its family. It is checked in as `docs/rules.md`;
/// `opsworks-conformance rules --format markdown` prints it, and a test fails when the file
/// differs from what the rule files say.
///
/// ```
/// let text = opsworks_conformance::contract::catalogue_markdown();
/// assert!(text.contains("| V-APP-REQUIRED | MUST |"));
/// assert!(text.contains("### `V-APP-REQUIRED`"));
/// ```
#[must_use]
pub fn catalogue_markdown() -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# The CreateDeployment rule catalogue (version {CATALOGUE_VERSION})\n\n\
         <!-- Generated from the rule files (src/rules/) by \
         `opsworks-conformance rules --format markdown > docs/rules.md`: edit a rule's file, \
         not this document. -->\n\n{PREAMBLE}\n"
    );
    let _ = writeln!(
        out,
        "## Server side: what an implementation of the operation must do\n\n{SERVER_INTRO}\n"
    );
    table(&mut out, "### Protocol", Group::Protocol, Columns::Full);
    table(
        &mut out,
        "### Validation (`ValidationException`)",
        Group::Validation,
        Columns::Condition,
    );
    let _ = writeln!(out, "{AFTER_VALIDATION}\n");
    table(
        &mut out,
        "### Existence (`ResourceNotFoundException`)",
        Group::Existence,
        Columns::Condition,
    );
    let _ = writeln!(out, "{AFTER_EXISTENCE}\n");
    table(
        &mut out,
        "### Access (only when the world declares `Users`)",
        Group::Access,
        Columns::Full,
    );
    table(
        &mut out,
        "### Behaviour across requests",
        Group::Behaviour,
        Columns::Full,
    );
    table(
        &mut out,
        "### Implementation-defined (MAY: both behaviours pass, the report records which)",
        Group::ImplementationDefined,
        Columns::Case,
    );
    let _ = writeln!(
        out,
        "## Client side: what an SDK or client library must do\n{CLIENT_INTRO}"
    );
    table(&mut out, "", Group::Client, Columns::Full);
    let _ = writeln!(
        out,
        "## What the suite sends, and what it does not judge\n{SENDS}\n"
    );
    let _ = writeln!(out, "## The rules one by one\n");
    let world = World::bundled_with_users();
    for rule in CATALOGUE {
        details(&mut out, rule, &world);
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

/// The columns of a table of the catalogue.
#[derive(Clone, Copy)]
enum Columns {
    /// `| id | sev | condition | expected | source |`
    Full,
    /// `| id | sev | condition | source |` (the code is in the heading)
    Condition,
    /// `| id | case |` (MAY rules)
    Case,
}

/// One table: its heading, its header, a row per rule of `group` in catalogue order.
fn table(out: &mut String, heading: &str, group: Group, columns: Columns) {
    if !heading.is_empty() {
        let _ = writeln!(out, "{heading}");
    }
    let _ = writeln!(
        out,
        "{}",
        match columns {
            Columns::Full => "| id | sev | condition | expected | source |\n|---|---|---|---|---|",
            Columns::Condition => "| id | sev | condition | source |\n|---|---|---|---|",
            Columns::Case => "| id | case |\n|---|---|",
        }
    );
    for rule in CATALOGUE.iter().filter(|rule| rule.group == group) {
        let (id, severity, doc) = (rule.id, rule.severity, &rule.doc);
        let _ = match columns {
            Columns::Full => writeln!(
                out,
                "| {id} | {severity} | {} | {} | {} |",
                doc.condition, doc.expected, rule.source
            ),
            Columns::Condition => writeln!(
                out,
                "| {id} | {severity} | {} | {} |",
                doc.condition, rule.source
            ),
            Columns::Case => writeln!(out, "| {id} | {} |", doc.condition),
        };
    }
    out.push('\n');
}

/// A rule's section: its metadata, documentation and an example request.
fn details(out: &mut String, rule: &Rule, world: &World) {
    let file = rule.id.as_str().to_ascii_lowercase().replace('-', "_");
    let _ = writeln!(
        out,
        "### `{}`\n\n**{}** · {} · source: {} · `src/rules/{file}.rs`\n",
        rule.id,
        rule.severity,
        rule.group.as_str(),
        rule.source
    );
    let expected = if rule.severity == Severity::May {
        "either behaviour passes; the report records which one the target chose"
    } else {
        rule.doc.expected
    };
    let _ = writeln!(
        out,
        "- **Condition:** {}\n- **Expected:** {expected}\n- **Why:** {}",
        rule.doc.condition, rule.doc.why
    );
    if rule.facts.across_requests {
        let _ = writeln!(
            out,
            "- **Judged across requests:** its counterexamples are sequences, not shrunk"
        );
    }
    if let Some(needs) = rule.facts.needs {
        let _ = writeln!(out, "- **Not applicable when:** {needs}");
    }
    match example(rule, world) {
        Some((label, request)) => {
            let _ = writeln!(
                out,
                "- **Example** (the first case of its family in the bundled world with users, \
                 \"{label}\"):\n\n```text\n{request}\n```\n"
            );
        }
        None if rule.group == Group::Client => {
            let _ = writeln!(
                out,
                "- **Exercised by** the client gate (`opsworks-conformance client`), which \
                 answers the client's calls in every form the rule names\n"
            );
        }
        None => {
            let _ = writeln!(out, "- **Example:** none in the bundled world\n");
        }
    }
}

/// The first case of a rule's family in `world`, with a deterministic seed: its label and its
/// request as text (headers that differ from the standard ones, then the body).
fn example(rule: &Rule, world: &World) -> Option<(&'static str, String)> {
    let family = crate::generate::violating(rule.id, world)?;
    let mut runner = TestRunner::deterministic();
    let case = family.new_tree(&mut runner).ok()?.current();
    Some((case.label, request_text(&case.request)))
}

/// A request as text: the headers that differ from a standard request's, then the body, with
/// bytes that are not printable ASCII (and backquotes) written `\xNN` and a long body cut.
fn request_text(request: &RawRequest) -> String {
    let standard = RawRequest::json("");
    let mut text = String::new();
    for (name, value) in &request.headers {
        if !standard.headers.contains(&(name.clone(), value.clone())) {
            let _ = writeln!(text, "{name}: {}", escape(value.as_bytes(), usize::MAX));
        }
    }
    for (name, _) in &standard.headers {
        if !request.headers.iter().any(|(other, _)| other == name) {
            let _ = writeln!(text, "(no {name} header)");
        }
    }
    if request.body.is_empty() {
        text.push_str("(empty body)");
    } else {
        text.push_str(&escape(&request.body, EXAMPLE_BYTES));
    }
    text
}

/// Bytes as text: printable ASCII as itself, anything else (and a backquote) as `\xNN`; cut
/// after `limit` bytes with `…` and the full length.
fn escape(bytes: &[u8], limit: usize) -> String {
    let mut text = String::new();
    for byte in bytes.iter().take(limit) {
        if (0x20..0x7f).contains(byte) && *byte != b'`' {
            text.push(char::from(*byte));
        } else {
            let _ = write!(text, "\\x{byte:02x}");
        }
    }
    if bytes.len() > limit {
        let _ = write!(text, "… ({} bytes)", bytes.len());
    }
    text
}
