//! `opsworks-conformance`: the command-line interface of the crate (feature `cli`); the
//! subcommands are in `opsworks_conformance::cli`.

use std::process::ExitCode;

fn main() -> ExitCode {
    opsworks_conformance::cli::main()
}
