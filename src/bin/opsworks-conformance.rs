//! `opsworks-conformance`: the command-line interface of the crate.
//!
//! Subcommands (see `INTERFACES.md`, section "CLI"): `rules` prints the rule catalogue of
//! `RULES.md`; `serve` runs the reference implementation over HTTP. Exit codes: 0 success, 2 bad
//! arguments, output that could not be written, an unreadable world file or an address that
//! cannot be bound.

use std::io::{self, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use opsworks_conformance::contract::{CATALOGUE, Group, Rule, RuleId, Severity, Side};
use opsworks_conformance::server::{ReferenceServer, ServerOptions};
use opsworks_conformance::world::World;

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
    /// Run the conformance gate against an endpoint (or, without --endpoint, against the
    /// built-in reference server). Exit 0: conforms; 1: does not; 2: the run could not be made;
    /// 130: interrupted (Ctrl-C or SIGTERM; the partial reports are written).
    Run(opsworks_conformance::cli::RunArgs),
    /// Print the rule catalogue: id, severity, group, summary, source.
    Rules(RulesArgs),
    /// Run the reference implementation as an HTTP server until interrupted.
    Serve(ServeArgs),
    /// Run the client gate (rules C-*) over a driver: `client [OPTIONS] -- DRIVER CMD...`.
    /// Exit 0: the client conforms; 1: it does not; 2: the run could not be made.
    Client(opsworks_conformance::client::ClientArgs),
}

/// The options of `serve`.
#[derive(Debug, clap::Args)]
struct ServeArgs {
    /// The world file: what exists and who may do what (default: the bundled world).
    #[arg(long, value_name = "FILE")]
    world: Option<PathBuf>,

    /// The address to listen on; port 0 picks a free port.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
    listen: SocketAddr,

    /// The region SigV4 signatures must be scoped to (when the world has users).
    #[arg(long, value_name = "R", default_value = "us-east-1")]
    region: String,
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
    /// The catalogue document (`docs/rules.md`): tables and each rule's documentation; the
    /// whole catalogue, whatever the filters.
    Markdown,
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
        Command::Run(args) => return ExitCode::from(opsworks_conformance::cli::run_main(&args)),
        Command::Rules(args) => rules(&args),
        Command::Serve(args) => return serve(args),
        Command::Client(args) => {
            return ExitCode::from(opsworks_conformance::client::client_main(&args));
        }
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

/// Runs `serve`: loads the world, starts the reference server, prints
/// `listening on http://IP:PORT` as the first line of standard output, and serves until Ctrl-C
/// or SIGTERM. An unreadable or invalid world file, or an address that cannot be bound, exits
/// with 2 and a message on standard error.
fn serve(args: ServeArgs) -> ExitCode {
    let world = match &args.world {
        Some(path) => match World::from_file(path) {
            Ok(world) => world,
            Err(error) => {
                eprintln!("opsworks-conformance: {error}");
                return ExitCode::from(EXIT_USAGE);
            }
        },
        None => World::bundled(),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("opsworks-conformance: cannot start the async runtime: {error}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    runtime.block_on(async move {
        let (stacks, users) = (world.stacks.len(), world.users.len());
        let options = ServerOptions {
            listen: args.listen,
            region: args.region.clone(),
            ..ServerOptions::default()
        };
        let server = match ReferenceServer::start_with(world, options).await {
            Ok(server) => server,
            Err(error) => {
                eprintln!("opsworks-conformance: {error}");
                return ExitCode::from(EXIT_USAGE);
            }
        };
        // Listening for signals before the address is out: whoever reads it may stop us at once.
        let stop = stop_signal();
        let mut stdout = io::stdout().lock();
        if writeln!(stdout, "listening on {}", server.url())
            .and_then(|()| stdout.flush())
            .is_err()
        {
            // Whoever started us no longer reads the address: nobody can use the server.
            server.shutdown().await;
            return ExitCode::from(EXIT_USAGE);
        }
        drop(stdout);
        let source = args
            .world
            .as_ref()
            .map_or("the bundled world".to_owned(), |path| path.display().to_string());
        eprintln!("world: {stacks} stacks, {users} users (from {source})");
        if users == 0 {
            eprintln!("requests need no signature (the world has no users)");
        } else {
            eprintln!(
                "requests must be SigV4-signed by one of the users, for region {} and service opsworks",
                args.region
            );
        }
        if server.local_addr().ip().is_loopback() {
            eprintln!("only this machine can connect (the server binds 127.0.0.1 unless told otherwise with --listen)");
        } else {
            eprintln!(
                "warning: listening on {}, which other machines may reach",
                server.local_addr()
            );
        }
        eprintln!("serving until Ctrl-C or SIGTERM");
        stop.await;
        eprintln!("stopping");
        server.shutdown().await;
        ExitCode::SUCCESS
    })
}

/// Listens for Ctrl-C (SIGINT) and, on Unix, SIGTERM, from the moment it is called (within the
/// runtime); the future ends at the first of them. A signal that cannot be listened for is
/// ignored (the other still works; SIGKILL always does).
#[cfg(unix)]
fn stop_signal() -> impl Future<Output = ()> {
    use tokio::signal::unix::{Signal, SignalKind, signal};
    async fn first(signal: io::Result<Signal>) {
        match signal {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    }
    let interrupt = first(signal(SignalKind::interrupt()));
    let terminate = first(signal(SignalKind::terminate()));
    async move {
        tokio::select! {
            () = interrupt => {}
            () = terminate => {}
        }
    }
}

/// Listens for Ctrl-C; the future ends when it comes. If it cannot be listened for, it never
/// ends.
#[cfg(not(unix))]
fn stop_signal() -> impl Future<Output = ()> {
    async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
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
        Format::Markdown => writeln!(
            out,
            "{}",
            opsworks_conformance::contract::catalogue_markdown()
        )?,
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
