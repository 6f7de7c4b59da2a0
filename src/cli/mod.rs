//! The command line's subcommands as library functions (feature `cli`), so they can be tested
//! and reused.

mod finish;
mod progress;
mod rules;
mod run;
mod serve;
mod signals;
mod targets;

use std::io;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub use finish::{
    ReportAdditions, ReportPaths, finish, finish_with_additions, finish_with_snapshots,
    load_ledger, runtime,
};
pub use progress::CliProgress;
pub use rules::{Format, RulesArgs, SideArg, rules_main};
pub use run::{
    EXIT_ERROR, EXIT_FAIL, EXIT_INTERRUPTED, EXIT_PASS, MAX_RESPONSE_BYTES, RunArgs, Via, run_main,
};
pub use serve::{ServeArgs, serve_main};

/// Conformance suite for AWS OpsWorks Stacks CreateDeployment.
#[derive(Debug, Parser)]
#[command(name = "opsworks-conformance", version, arg_required_else_help = true)]
pub struct Cli {
    /// The subcommand to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands (see `INTERFACES.md`, section "CLI").
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the conformance gate against an endpoint (or, without --endpoint, against the
    /// built-in reference server). Exit 0: conforms; 1: does not; 2: the run could not be made;
    /// 130: interrupted (Ctrl-C or SIGTERM; the partial reports are written).
    Run(Box<RunArgs>),
    /// Print the rule catalogue: id, severity, group, summary, source.
    Rules(RulesArgs),
    /// Run the reference implementation as an HTTP server until interrupted.
    Serve(ServeArgs),
    /// Run the client gate (rules C-*) over a driver: `client [OPTIONS] -- DRIVER CMD...`.
    /// Exit 0: the client conforms; 1: it does not; 2: the run could not be made.
    #[cfg(feature = "client")]
    Client(crate::client::ClientArgs),
    /// The client gate (rules C-*), not in this build: install with `--features client`.
    #[cfg(not(feature = "client"))]
    Client(NotBuilt),
}

/// The arguments of a subcommand whose feature this build leaves out: taken as they come.
#[cfg(not(feature = "client"))]
#[derive(Debug, clap::Args)]
pub struct NotBuilt {
    /// Whatever was given.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub rest: Vec<String>,
}

/// The command line: parses the arguments and runs the subcommand. Usage errors exit with
/// clap's code 2; `--help` and `--version` with 0; `rules` with 2 when its output cannot be
/// written (a closed pipe, as in `rules | head`, is not an error).
#[must_use]
pub fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Run(args) => ExitCode::from(run_main(&args)),
        Command::Rules(args) => match rules_main(&args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) if error.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("opsworks-conformance: cannot write the output: {error}");
                ExitCode::from(EXIT_ERROR)
            }
        },
        Command::Serve(args) => serve_main(args),
        #[cfg(feature = "client")]
        Command::Client(args) => ExitCode::from(crate::client::client_main(&args)),
        #[cfg(not(feature = "client"))]
        Command::Client(_) => {
            eprintln!(
                "error: client: expected a build with the client gate, found none (install with `--features client`)"
            );
            ExitCode::from(EXIT_ERROR)
        }
    }
}
