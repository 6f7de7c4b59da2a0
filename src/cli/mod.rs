//! The command line's subcommands as library functions (feature `cli`), so they can be tested
//! and reused.

mod finish;
mod progress;
mod run;
mod targets;

pub use finish::{
    ReportAdditions, ReportPaths, finish, finish_with_additions, finish_with_snapshots,
    load_ledger, runtime,
};
pub use progress::CliProgress;
pub use run::{
    EXIT_ERROR, EXIT_FAIL, EXIT_INTERRUPTED, EXIT_PASS, MAX_RESPONSE_BYTES, RunArgs, Via, run_main,
};
