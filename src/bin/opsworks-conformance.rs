//! `opsworks-conformance`: the command-line interface of the crate.
//!
//! For now it has one subcommand, `rules`, which prints the rule catalogue of `RULES.md`
//! (see `INTERFACES.md`, section "CLI"). Exit codes: 0 success, 2 bad arguments or output
//! that could not be written.

use std::io::{self, Write};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use opsworks_conformance::contract::{CATALOGUE, Group, Rule, RuleId, Severity, Side};

/// The exit code for a run that could not be made (bad arguments, unwritable output).
const EXIT_USAGE: u8 = 2;

/// The width of the severity column in the text listing (`SHOULD` is the longest keyword).
const SEVERITY_WIDTH: usize = 6;

/// Conformance suite for AWS OpsWorks Stacks CreateDeployment.
#[derive(Debug, Parser)]
#[command(name = "opsworks-conformance", version, arg_required_else_help = true)]
struct Cli {
    /// The subcommand to run.
    #[command(subcommand)]
    command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
enum Command {
    /// Print the rule catalogue: id, severity, group, summary, source.
    Rules(RulesArgs),
}

/// The options of `rules`.
#[derive(Debug, clap::Args)]
struct RulesArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,

    /// Only the rules that constrain this side of the wire.
    #[arg(long, value_enum)]
    side: Option<SideArg>,

    /// Only the rules whose id matches GLOB (`*` any run of characters, `?` one character);
    /// without a wildcard, the rules whose id starts with GLOB.
    #[arg(long, value_name = "GLOB")]
    only: Option<String>,
}

/// The output formats of `rules`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// Aligned columns, one rule per line.
    Text,
    /// A JSON array of objects `{"id","severity","group","summary","source","side"}`.
    Json,
}

/// The `--side` filter values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum SideArg {
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

fn main() -> ExitCode {
    // Usage errors exit with clap's code 2; `--help` and `--version` exit with 0.
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Rules(args) => rules(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // A closed pipe (`opsworks-conformance rules | head`) is not an error.
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("opsworks-conformance: cannot write the output: {error}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}

/// Runs `rules`: filters the catalogue and prints it to standard output.
fn rules(args: &RulesArgs) -> io::Result<()> {
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
                .is_none_or(|pattern| id_matches(pattern, rule.id.as_str()))
        })
        .collect()
}

/// Whether a rule id matches an `--only` pattern: a glob when the pattern holds `*` or `?`,
/// else a prefix. Matching is case-sensitive, like the ids themselves.
fn id_matches(pattern: &str, id: &str) -> bool {
    if pattern.contains(['*', '?']) {
        glob_matches(pattern, id)
    } else {
        id.starts_with(pattern)
    }
}

/// Whether `text` matches all of `pattern`, where `*` matches any run of characters (also
/// none) and `?` exactly one character. Linear backtracking on the last `*`.
fn glob_matches(pattern: &str, text: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let text: Vec<char> = text.chars().collect();
    let (mut p, mut t) = (0, 0);
    // Position of the last `*` seen in the pattern, and the text position it was tried at.
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some('*') => {
                star = Some((p, t));
                p += 1;
            }
            Some(&c) if c == '?' || c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match star {
                // Let the last `*` swallow one more character and retry.
                Some((star_p, star_t)) => {
                    p = star_p + 1;
                    t = star_t + 1;
                    star = Some((star_p, star_t + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == '*')
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
        assert!(id_matches("V-*", "V-APP-REQUIRED"));
        assert!(id_matches("V-", "V-APP-REQUIRED"));
        assert!(id_matches("*-REQUIRED", "V-APP-REQUIRED"));
        assert!(id_matches("?-APP-*", "N-APP-X"));
        assert!(id_matches("N-A?P", "N-APP"));
        assert!(id_matches("*", "C-BODY"));
        assert!(id_matches("*B*D*", "C-BODY"));
        assert!(!id_matches("V-*", "N-APP"));
        assert!(!id_matches("N-A?P", "N-APPS"));
        assert!(!id_matches("?", "AB"));
        assert!(!id_matches("v-*", "V-TYPE"));
        assert!(!id_matches("*-X", "V-TYPE"));
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
