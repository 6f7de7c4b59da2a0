//! `rules`: the rule catalogue, filtered, as text or JSON.

use std::io::{self, Write};

use clap::ValueEnum;

use crate::contract::{CATALOGUE, Group, Rule, RuleId, Severity, Side};
use crate::runner::glob_match;

/// The width of the severity column in the text listing (`SHOULD` is the longest keyword).
const SEVERITY_WIDTH: usize = 6;

/// The options of `rules`.
#[derive(Debug, clap::Args)]
pub struct RulesArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// Only the rules that constrain this side of the wire.
    #[arg(long, value_enum)]
    pub side: Option<SideArg>,

    /// Only the rules whose id matches GLOB (`*` any run of characters, `?` one character);
    /// without a wildcard, the rules whose id starts with GLOB.
    #[arg(long, value_name = "GLOB")]
    pub only: Option<String>,
}

/// The output formats of `rules`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned columns, one rule per line.
    Text,
    /// A JSON array of objects `{"id","severity","group","summary","source","side"}`.
    Json,
    /// The catalogue document (`docs/rules.md`): tables and each rule's documentation; the
    /// whole catalogue, whatever the filters.
    Markdown,
}

/// The `--side` filter values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SideArg {
    /// Rules for an implementation of the operation (groups P, V, N, A, S, O, M).
    Server,
    /// Rules for a client or SDK (group C).
    Client,
}

impl SideArg {
    /// The library's [`Side`] this value selects.
    fn side(self) -> Side {
        match self {
            SideArg::Server => Side::Server,
            SideArg::Client => Side::Client,
        }
    }
}

/// One rule as printed by `rules --format json`.
#[derive(Debug, serde::Serialize)]
struct RuleEntry {
    /// The stable id.
    id: RuleId,
    /// `MUST`, `SHOULD` or `MAY`.
    severity: Severity,
    /// The group, in `snake_case`.
    group: Group,
    /// The condition and what is expected.
    summary: &'static str,
    /// Where the rule comes from.
    source: &'static str,
    /// `server` or `client`.
    side: Side,
}

impl From<&Rule> for RuleEntry {
    fn from(rule: &Rule) -> Self {
        RuleEntry {
            id: rule.id,
            severity: rule.severity,
            group: rule.group,
            summary: rule.summary,
            source: rule.source,
            side: rule.side(),
        }
    }
}

/// Runs `rules`: filters the catalogue and prints it to standard output.
pub fn rules_main(args: &RulesArgs) -> io::Result<()> {
    let selected = select(args);
    if selected.is_empty() {
        eprintln!("opsworks-conformance: no rule matches the filters");
    }
    let stdout = io::stdout();
    let mut out = stdout.lock();
    match args.format {
        Format::Text => out.write_all(format_text(&selected).as_bytes())?,
        Format::Json => {
            let entries: Vec<RuleEntry> =
                selected.iter().map(|rule| RuleEntry::from(*rule)).collect();
            serde_json::to_writer_pretty(&mut out, &entries)?;
            out.write_all(b"\n")?;
        }
        Format::Markdown => writeln!(out, "{}", crate::contract::catalogue_markdown())?,
    }
    out.flush()
}

/// The rules of the catalogue that pass the `--side` and `--only` filters, in catalogue order.
fn select(args: &RulesArgs) -> Vec<&'static Rule> {
    CATALOGUE
        .iter()
        .filter(|rule| args.side.is_none_or(|side| rule.side() == side.side()))
        .filter(|rule| {
            args.only
                .as_deref()
                .is_none_or(|pattern| glob_match(pattern, rule.id.as_str()))
        })
        .collect()
}

/// The text listing: one line per rule, `ID  SEVERITY  GROUP  SUMMARY  [SOURCE]`, with the
/// id, severity and group columns padded so that the columns line up. The widths come from the
/// whole catalogue, so a rule's line is the same whatever the filters.
fn format_text(rules: &[&Rule]) -> String {
    let id_width = CATALOGUE
        .iter()
        .map(|rule| rule.id.as_str().len())
        .max()
        .unwrap_or(0);
    let group_width = CATALOGUE
        .iter()
        .map(|rule| rule.group.as_str().len())
        .max()
        .unwrap_or(0);
    let mut text = String::new();
    for rule in rules {
        let line = format!(
            "{id:<id_width$}  {severity:<SEVERITY_WIDTH$}  {group:<group_width$}  {summary}  [{source}]",
            id = rule.id.as_str(),
            severity = rule.severity.as_str(),
            group = rule.group.as_str(),
            summary = rule.summary,
            source = rule.source,
        );
        text.push_str(&line);
        text.push('\n');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_and_prefix() {
        let id_matches = glob_match;
        assert!(id_matches("V-*", "V-ONE-REQUIRED"));
        assert!(id_matches("V-", "V-ONE-REQUIRED"));
        assert!(id_matches("*-REQUIRED", "V-ONE-REQUIRED"));
        assert!(id_matches("?-ONE-*", "N-ONE-X"));
        assert!(id_matches("N-O?E", "N-ONE"));
        assert!(id_matches("*", "C-WORD"));
        assert!(id_matches("*W*R*", "C-WORD"));
        assert!(!id_matches("V-*", "N-ONE"));
        assert!(!id_matches("N-O?E", "N-ONES"));
        assert!(!id_matches("?", "AB"));
        assert!(!id_matches("v-*", "V-KIND"));
        assert!(!id_matches("*-X", "V-KIND"));
    }

    #[test]
    fn text_columns_line_up() {
        let all: Vec<&Rule> = CATALOGUE.iter().collect();
        let text = format_text(&all);
        let id_width = CATALOGUE
            .iter()
            .map(|r| r.id.as_str().len())
            .max()
            .unwrap_or(0);
        let group_width = CATALOGUE
            .iter()
            .map(|r| r.group.as_str().len())
            .max()
            .unwrap_or(0);
        let severity_at = id_width + 2;
        let group_at = severity_at + SEVERITY_WIDTH + 2;
        let summary_at = group_at + group_width + 2;
        assert_eq!(text.lines().count(), CATALOGUE.len());
        for (line, rule) in text.lines().zip(CATALOGUE) {
            assert!(line.starts_with(rule.id.as_str()), "{line}");
            assert!(
                line[severity_at..].starts_with(rule.severity.as_str()),
                "{line}"
            );
            assert!(line[group_at..].starts_with(rule.group.as_str()), "{line}");
            assert!(line[summary_at..].starts_with(rule.summary), "{line}");
            assert!(line.ends_with(&format!("  [{}]", rule.source)), "{line}");
        }
    }
}
