//! `opsworks-conformance run`: the conformance gate.

use std::path::PathBuf;
use std::time::Duration;

use crate::cli::progress::CliProgress;
use crate::generate::server_rules;
use crate::runner::{RunConfig, glob_match, run_with_progress};
use crate::server::{ReferenceServer, ServerOptions};
use crate::target::{HttpTarget, HttpTargetOptions, SdkTarget, Target};
use crate::world::World;

/// Exit code: the target conforms.
pub const EXIT_PASS: u8 = 0;
/// Exit code: the target does not conform.
pub const EXIT_FAIL: u8 = 1;
/// Exit code: the run could not be made.
pub const EXIT_ERROR: u8 = 2;

/// The flags of `opsworks-conformance run` (see `INTERFACES.md`).
#[derive(Debug, Clone, clap::Args)]
pub struct RunArgs {
    /// The implementation to test (`http://host:port`). Without it, the built-in reference
    /// server is started on 127.0.0.1 with the world and tested.
    #[arg(long, value_name = "URL")]
    pub endpoint: Option<String>,
    /// The world file: the target's state before the run (default: the bundled world).
    #[arg(long, value_name = "FILE")]
    pub world: Option<PathBuf>,
    /// The seed: the same seed against the same target state gives the same cases.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub seed: u64,
    /// The total number of cases, shared among the rules.
    #[arg(long, value_name = "N", default_value_t = 2048)]
    pub cases: usize,
    /// SHOULD rules fail the run instead of warning.
    #[arg(long)]
    pub strict: bool,
    /// The region requests are signed for.
    #[arg(long, value_name = "R", default_value = "us-east-1")]
    pub region: String,
    /// Per-request timeout in milliseconds.
    #[arg(long = "timeout-ms", value_name = "N", default_value_t = 5000)]
    pub timeout_ms: u64,
    /// Requests in flight at once.
    #[arg(long, value_name = "N", default_value_t = 8)]
    pub concurrency: usize,
    /// Only rules whose id matches GLOB (`*`, `?`; without a wildcard, a prefix).
    #[arg(long, value_name = "GLOB")]
    pub only: Option<String>,
    /// Write the JSON report here.
    #[arg(long, value_name = "PATH")]
    pub json: Option<PathBuf>,
    /// Write the JUnit XML report here.
    #[arg(long, value_name = "PATH")]
    pub junit: Option<PathBuf>,
    /// A TOML ledger of known failures.
    #[arg(long = "known-failures", value_name = "FILE")]
    pub known_failures: Option<PathBuf>,
    /// How the cases are sent: `http`, the exact bytes; `sdk`, through aws-sdk-opsworks (cases
    /// the SDK cannot express are not sent, and rules only they exercise are not applicable).
    #[arg(long, value_enum, value_name = "HOW", default_value_t = Via::Http)]
    pub via: Via,
}

/// How `run` sends its cases (`--via`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Via {
    /// The exact request bytes over HTTP (`HttpTarget`).
    #[default]
    Http,
    /// Through aws-sdk-opsworks (`SdkTarget`).
    Sdk,
}

/// Runs the gate; returns the exit code (0 conforms, 1 does not, 2 the run could not be made).
#[must_use]
pub fn run_main(args: &RunArgs) -> u8 {
    match crate::cli::runtime() {
        Ok(runtime) => runtime.block_on(run_async(args)),
        Err(code) => code,
    }
}

async fn run_async(args: &RunArgs) -> u8 {
    let world = match &args.world {
        Some(path) => match World::from_file(path) {
            Ok(world) => world,
            Err(error) => {
                eprintln!("error: {error}");
                return EXIT_ERROR;
            }
        },
        None => World::bundled(),
    };
    let ledger = match crate::cli::load_ledger(args.known_failures.as_deref()) {
        Ok(ledger) => ledger,
        Err(code) => return code,
    };
    if args.cases == 0 || args.concurrency == 0 || args.timeout_ms == 0 {
        eprintln!("error: expected --cases, --concurrency and --timeout-ms above 0");
        return EXIT_ERROR;
    }
    if let Some(glob) = &args.only {
        if !server_rules()
            .iter()
            .any(|rule| glob_match(glob, rule.as_str()))
        {
            eprintln!(
                "error: --only {glob:?}: expected a pattern matching server rule ids (see `opsworks-conformance rules --side server`), found none"
            );
            return EXIT_ERROR;
        }
    }

    // Without --endpoint: the built-in reference server, on 127.0.0.1.
    let mut server = None;
    let url = match &args.endpoint {
        Some(url) => url.clone(),
        None => {
            let options = ServerOptions {
                region: args.region.clone(),
                ..ServerOptions::default()
            };
            match ReferenceServer::start_with(world.clone(), options).await {
                Ok(started) => {
                    let url = started.url();
                    eprintln!("started the reference server at {url}");
                    server = Some(started);
                    url
                }
                Err(error) => {
                    eprintln!("error: {error}");
                    return EXIT_ERROR;
                }
            }
        }
    };
    let options = HttpTargetOptions {
        timeout: Duration::from_millis(args.timeout_ms),
        concurrency: args.concurrency,
        ..HttpTargetOptions::default()
    };
    let target = match HttpTarget::with_options(&url, options) {
        Ok(target) => target,
        Err(error) => {
            eprintln!("error: {error}");
            return EXIT_ERROR;
        }
    };
    if let Err(failure) = target.probe().await {
        eprintln!("error: expected an HTTP server at {url}, found {failure}");
        return EXIT_ERROR;
    }

    let target: Box<dyn Target> = match args.via {
        Via::Http => Box::new(target),
        Via::Sdk => match SdkTarget::new(&url, &world, args.region.clone()) {
            Ok(target) => Box::new(target),
            Err(error) => {
                eprintln!("error: {error}");
                return EXIT_ERROR;
            }
        },
    };
    let config = RunConfig {
        seed: args.seed,
        cases: args.cases,
        strict: args.strict,
        only: args.only.clone(),
        region: args.region.clone(),
        ..RunConfig::default()
    };
    let progress = CliProgress::new();
    let report = run_with_progress(&target, &world, &config, &progress).await;
    if let Some(server) = server {
        server.shutdown().await;
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
