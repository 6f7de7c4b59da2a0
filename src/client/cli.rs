//! `opsworks-conformance client -- DRIVER CMD...`: the client gate over a driver process.

use std::path::PathBuf;
use std::time::Duration;

use crate::cli::EXIT_ERROR;
use crate::client::driver::DriverClient;
use crate::client::runner::{ClientRunConfig, run_client};

/// The flags of `opsworks-conformance client` (see `INTERFACES.md`).
#[derive(Debug, Clone, clap::Args)]
pub struct ClientArgs {
    /// The seed: the same seed gives the same requests and answers.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub seed: u64,
    /// How many calls to make (at least one per answer and missing member: 96).
    #[arg(long, value_name = "N", default_value_t = 64)]
    pub cases: usize,
    /// The region the driver is told to sign for.
    #[arg(long, value_name = "R", default_value = "us-east-1")]
    pub region: String,
    /// How long the driver may take over one call, in milliseconds.
    #[arg(long = "timeout-ms", value_name = "N", default_value_t = 20_000)]
    pub timeout_ms: u64,
    /// Write the JSON report here.
    #[arg(long, value_name = "PATH")]
    pub json: Option<PathBuf>,
    /// Write the JUnit XML report here.
    #[arg(long, value_name = "PATH")]
    pub junit: Option<PathBuf>,
    /// A TOML ledger of known failures of this client.
    #[arg(long = "known-failures", value_name = "FILE")]
    pub known_failures: Option<PathBuf>,
    /// The driver to start, and its arguments (after `--`).
    #[arg(last = true, required = true, value_name = "DRIVER CMD")]
    pub driver: Vec<String>,
}

/// Runs the client gate; returns the exit code (0 the client conforms, 1 it does not, 2 the
/// run could not be made: bad arguments, a driver that fails to start or answers nothing, a
/// report that cannot be written).
#[must_use]
pub fn client_main(args: &ClientArgs) -> u8 {
    match crate::cli::runtime() {
        Ok(runtime) => runtime.block_on(client_async(args)),
        Err(code) => code,
    }
}

async fn client_async(args: &ClientArgs) -> u8 {
    if args.cases == 0 || args.timeout_ms == 0 {
        eprintln!("error: expected --cases and --timeout-ms above 0");
        return EXIT_ERROR;
    }
    let ledger = match crate::cli::load_ledger(args.known_failures.as_deref()) {
        Ok(ledger) => ledger,
        Err(code) => return code,
    };
    let timeout = Duration::from_millis(args.timeout_ms);
    let driver = match DriverClient::spawn(&args.driver) {
        Ok(driver) => driver.with_timeout(timeout),
        Err(error) => {
            eprintln!("error: {error}");
            return EXIT_ERROR;
        }
    };
    let config = ClientRunConfig {
        seed: args.seed,
        cases: args.cases,
        region: args.region.clone(),
        case_timeout: timeout + Duration::from_secs(1),
        ..ClientRunConfig::default()
    };
    let report = match run_client(&driver, &config).await {
        Ok(report) => report,
        Err(error) => {
            eprintln!("error: {error}");
            return EXIT_ERROR;
        }
    };
    if driver.answered().await == 0 {
        let reason = driver
            .stopped()
            .await
            .unwrap_or_else(|| "no answer".to_owned());
        eprintln!(
            "error: driver {:?}: expected a driver that answers the protocol of INTERFACES.md, found one that answered no call ({reason})",
            args.driver.join(" ")
        );
        let _ = driver.shutdown().await;
        return EXIT_ERROR;
    }
    if let Some(status) = driver.shutdown().await {
        if !status.success() {
            eprintln!("note: the driver exited with {status}");
        }
    }

    crate::cli::finish(
        &report,
        &ledger,
        &crate::cli::ReportPaths {
            json: args.json.clone(),
            junit: args.junit.clone(),
        },
        &args.region,
    )
}
