//! `opsworks-conformance run`: the conformance gate.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::cli::progress::CliProgress;
use crate::cli::signals::Interrupts;
#[cfg(feature = "sdk")]
use crate::cli::targets::Bounded;
use crate::cli::targets::Interruptible;
use crate::generate::server_rules;
use crate::runner::{
    DefaultSigning, RunConfig, glob_match, run_with_progress, run_with_snapshot_store,
};
use crate::server::{ReferenceServer, ServerOptions};
use crate::snapshot::SnapshotStore;
use crate::snapshot::file::ci_from_env;
use crate::target::{HttpTarget, HttpTargetOptions, Target};
use crate::world::World;

/// Exit code: the target conforms.
pub const EXIT_PASS: u8 = 0;
/// Exit code: the target does not conform.
pub const EXIT_FAIL: u8 = 1;
/// Exit code: the run could not be made.
pub const EXIT_ERROR: u8 = 2;
/// Exit code: the run was interrupted (Ctrl-C or SIGTERM) and its partial reports were written
/// (128 + SIGINT, the shell's code for a command stopped by Ctrl-C). The partial results decide
/// nothing: the JSON report says `"interrupted": true` and `"verdict": "fail"`.
pub const EXIT_INTERRUPTED: u8 = 130;

/// The largest answer `run` reads: 1 MiB. A CreateDeployment answer is well under 1 KiB; a
/// larger one is a P-NO-SERVER-ERROR failure (`response body over 1048576 bytes`), read no
/// further, so that a target answering 100 MiB costs each case 1 MiB at most.
pub const MAX_RESPONSE_BYTES: usize = 1024 * 1024;

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
    /// Per-request timeout in milliseconds. After 3 timeouts in a row or 16 in all, the target
    /// is given up on: the cases left are not sent (P-NO-SERVER-ERROR fails).
    #[arg(long = "timeout-ms", value_name = "N", default_value_t = 5000)]
    pub timeout_ms: u64,
    /// Requests in flight at once.
    #[arg(long, value_name = "N", default_value_t = 8)]
    pub concurrency: usize,
    /// At most N requests spent on shrinking counterexamples in the whole run (0: none;
    /// default: a quarter of the cases, so that a run sends at most 1.25 times its cases).
    #[arg(long = "shrink-budget", value_name = "N")]
    pub shrink_budget: Option<usize>,
    /// Only rules whose id matches GLOB (`*`, `?`; without a wildcard, a prefix). A rule
    /// outside the filter that the selected cases fail (P-NO-SERVER-ERROR for a 5xx, a dropped
    /// connection or a timeout) is reported too, and a run that exercised no rule fails.
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
    /// Send requests unsigned. By default every request is SigV4-signed (service `opsworks`,
    /// `--region`), also when the world declares no users: with `AWS_ACCESS_KEY_ID` /
    /// `AWS_SECRET_ACCESS_KEY` (and `AWS_SESSION_TOKEN`) when set, else with the fixed public
    /// test key `AKIDOPSWORKSGATETEST`. Cases whose rule needs an unsigned or badly signed
    /// request send one either way; in a world with users, cases are signed as its users.
    #[arg(long)]
    pub unsigned: bool,
    /// Snapshot each rule's transcript (the target's answers to the rule's fixed exemplar
    /// cases, ids redacted) in `DIR/<RULE-ID>.snap`, insta's file format. A file that differs
    /// fails the run (exit 1) with its diff, the new one put beside it as `.snap.new` for
    /// `cargo insta review`; a missing one is written (with `CI=true`, a failure).
    #[arg(long, value_name = "DIR")]
    pub snapshots: Option<PathBuf>,
    /// With --snapshots: rewrite the snapshots that changed (and write the missing ones, also
    /// with `CI=true`).
    #[arg(long = "update-snapshots", requires = "snapshots")]
    pub update_snapshots: bool,
    /// How the cases are sent: `http`, the exact bytes; `sdk`, through aws-sdk-opsworks (cases
    /// the SDK cannot express are not sent, and rules only they exercise are not applicable).
    #[arg(long, value_enum, value_name = "HOW", default_value_t = Via::Http)]
    pub via: Via,
    /// Create the world through the target's own OpsWorks API (CreateStack, CreateLayer,
    /// CreateApp, CreateInstance, signed with the gate's key) instead of reading a world file;
    /// the calls are listed in the report. Needs --endpoint and the `sdk` feature.
    #[arg(long, requires = "endpoint", conflicts_with_all = ["world", "discover"])]
    pub provision: bool,
    /// With --provision: after the run, delete what was created (DeleteApp, DeleteInstance,
    /// DeleteLayer, DeleteStack; nothing else); the report lists what the target could not
    /// delete.
    #[arg(long, requires = "provision")]
    pub cleanup: bool,
    /// Read the world from the target's Describe* answers for these stacks (their apps, layers
    /// and instances; nothing is created or changed). Needs --endpoint and the `sdk` feature.
    #[arg(long, value_name = "STACK_ID", num_args = 1.., requires = "endpoint", conflicts_with = "world")]
    pub discover: Vec<String>,
    /// Write the world the run used to PATH, as a world file (a world with users is not
    /// written: their secrets stay where they are).
    #[arg(long = "world-out", value_name = "PATH")]
    pub world_out: Option<PathBuf>,
}

/// How `run` sends its cases (`--via`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Via {
    /// The exact request bytes over HTTP (`HttpTarget`).
    #[default]
    Http,
    /// Through aws-sdk-opsworks (`SdkTarget`; the feature `sdk`).
    Sdk,
}

/// Runs the gate; returns the exit code (0 conforms, 1 does not, 2 the run could not be made,
/// 130 interrupted).
///
/// Ctrl-C (SIGINT) or SIGTERM during the run stops it: no further case is sent, the case in
/// flight finishes (within `--timeout-ms`), the partial reports are printed and written
/// (`"interrupted": true`, verdict fail) and the exit code is 130. A second Ctrl-C or SIGTERM
/// exits with 130 at once, without reports.
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
    if args.snapshots.is_some() && args.provision {
        // Each provisioning makes new ids, so every transcript would differ from the last:
        // snapshots that fail every run are a false alarm.
        eprintln!(
            "error: --snapshots with --provision: expected a world whose ids are the same on every run, found one created anew by each run (every snapshot would differ); provision once (--provision --world-out FILE, without --cleanup), then run --world FILE --snapshots DIR"
        );
        return EXIT_ERROR;
    }
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

    // The gate's own key: a profile named by AWS_PROFILE that cannot be used stops the run.
    if !args.unsigned || args.provision || !args.discover.is_empty() {
        if let Err(error) = crate::runner::Credentials::from_chain() {
            eprintln!("error: {error}");
            return EXIT_ERROR;
        }
    }
    if args.world_out.is_some() && !world.users.is_empty() {
        eprintln!(
            "error: --world-out: expected a world without users, found {} users (their secrets are not written to files)",
            world.users.len()
        );
        return EXIT_ERROR;
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
        max_response_bytes: MAX_RESPONSE_BYTES,
        ..HttpTargetOptions::default()
    };
    let target = match HttpTarget::with_options(&url, options.clone()) {
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
    // Ctrl-C from here on stops provisioning (what it created is deleted, with --cleanup) and
    // then the run.
    let stop = Arc::new(AtomicBool::new(false));
    let interrupts = watch_interrupts(
        Arc::clone(&stop),
        Duration::from_millis(args.timeout_ms),
        args.provision && args.cleanup,
    );
    // --provision, --discover: the world from the target's own API.
    #[cfg(feature = "sdk")]
    let mut provisioning = None;
    #[cfg(feature = "sdk")]
    let world = match provisioned_world(args, &url, Arc::clone(&stop)).await {
        Ok(Some((provided, provided_world))) => {
            provisioning = Some(provided);
            provided_world
        }
        Ok(None) => world,
        Err(_) if stop.load(Ordering::SeqCst) => return EXIT_INTERRUPTED,
        Err(code) => return code,
    };
    #[cfg(not(feature = "sdk"))]
    if args.provision || !args.discover.is_empty() {
        eprintln!(
            "error: --provision and --discover need the `sdk` feature, which this build of opsworks-conformance does not have"
        );
        return EXIT_ERROR;
    }
    if let (Some(path), false) = (&args.world_out, args.provision || !args.discover.is_empty()) {
        if let Err(error) = std::fs::write(path, world.to_json_pretty() + "\n") {
            eprintln!(
                "error: expected to write the world to {}, found {error}",
                path.display()
            );
            return EXIT_ERROR;
        }
    }

    // Whether the target was given up on after too many timeouts (and after how many), read
    // once the run is over.
    type GaveUp = Box<dyn Fn() -> Option<usize> + Send + Sync>;
    let (target, gave_up): (Box<dyn Target>, GaveUp) = match args.via {
        Via::Http => {
            // A clone shares the timeout count.
            let http = target.clone();
            let gave_up = move || http.gave_up().then(|| http.timeouts());
            (Box::new(target), Box::new(gave_up))
        }
        #[cfg(not(feature = "sdk"))]
        Via::Sdk => {
            eprintln!(
                "error: --via sdk: expected a build with aws-sdk-opsworks, found none (install with `--features sdk`)"
            );
            return EXIT_ERROR;
        }
        #[cfg(feature = "sdk")]
        Via::Sdk => match crate::target::SdkTarget::new(&url, &world, args.region.clone()) {
            Ok(target) => {
                // The SDK has no timeout of its own: bounded here as HttpTarget bounds itself.
                let bounded = Arc::new(Bounded::new(target, options));
                let watched = Arc::clone(&bounded);
                let gave_up = move || watched.gave_up().then(|| watched.timeouts());
                (Box::new(bounded), Box::new(gave_up))
            }
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
        concurrency: args.concurrency,
        shrink_budget: args.shrink_budget,
        signing: if args.unsigned {
            DefaultSigning::Unsigned
        } else {
            DefaultSigning::Environment
        },
        ..RunConfig::default()
    };
    let progress = CliProgress::with_stop_flag(stop);
    let target = Interruptible::new(target, progress.stop_flag());
    let store = args
        .snapshots
        .as_ref()
        .map(|dir| SnapshotStore::new(dir, args.update_snapshots, ci_from_env()));
    let (mut report, transcripts) = if let Some(store) = &store {
        run_with_snapshot_store(&target, &world, &config, &progress, store).await
    } else {
        (
            run_with_progress(&target, &world, &config, &progress).await,
            Vec::new(),
        )
    };
    if let Some(server) = server {
        server.shutdown().await;
    }
    if let Some(timeouts) = gave_up() {
        report.notes.push(format!(
            "the gate gave up on the target after {timeouts} requests got no complete response within {} ms: the cases after that were not sent, and rules only they would have exercised are reported not applicable",
            args.timeout_ms
        ));
    }

    #[cfg_attr(not(feature = "sdk"), allow(unused_mut))]
    let mut additions = crate::cli::ReportAdditions::default();
    #[cfg(feature = "sdk")]
    if let Some(provisioning) = provisioning {
        let provided = provisioning.finish(&mut report).await;
        additions.human = provided.human();
        additions
            .json
            .push(("provisioning".to_owned(), provided.to_json()));
    }

    let mut snapshots = Vec::new();
    if let Some(store) = &store {
        if !report.interrupted {
            for transcript in &transcripts {
                match store.check(transcript) {
                    Ok(status) => snapshots.push((transcript.rule, status)),
                    Err(error) => {
                        eprintln!(
                            "error: expected to read and write the snapshot {}, found {error}",
                            store.path(transcript).display()
                        );
                        return EXIT_ERROR;
                    }
                }
            }
        }
    }
    let code = crate::cli::finish_with_additions(
        &report,
        &ledger,
        &crate::cli::ReportPaths {
            json: args.json.clone(),
            junit: args.junit.clone(),
        },
        &args.region,
        &snapshots,
        &additions,
    );
    if let Some(interrupts) = interrupts {
        interrupts.abort();
    }
    code
}

/// The world of `--provision` or `--discover` ([`crate::provision`]), written to `--world-out`;
/// `None` without them; the exit code 2 (the reason printed) when it cannot be had.
#[cfg(feature = "sdk")]
async fn provisioned_world(
    args: &RunArgs,
    url: &str,
    stop: Arc<AtomicBool>,
) -> Result<Option<(crate::provision::GateProvisioning, World)>, u8> {
    use crate::provision::{GateProvisioning, ProvisionConfig, WorldSource};
    let source = if args.provision {
        WorldSource::Provision {
            cleanup: args.cleanup,
        }
    } else if !args.discover.is_empty() {
        WorldSource::Discover(args.discover.clone())
    } else {
        return Ok(None);
    };
    let config = ProvisionConfig::new(url)
        .with_region(args.region.clone())
        .with_timeout(Duration::from_millis(args.timeout_ms))
        .with_stop(stop);
    match GateProvisioning::start(config, source, args.world_out.as_deref()).await {
        Ok(provided) => Ok(Some(provided)),
        Err(message) => {
            eprintln!("error: {message}");
            Err(EXIT_ERROR)
        }
    }
}

/// Installs the run's Ctrl-C handler: the first Ctrl-C (SIGINT) or SIGTERM sets `stop`, which
/// the runner reads before each case ([`Progress::stopped`](crate::runner::Progress::stopped));
/// the second exits with [`EXIT_INTERRUPTED`] at once. `None` (and a warning) when no signal
/// can be listened for: the default action of the signals (ending the process) stays.
fn watch_interrupts(
    stop: Arc<AtomicBool>,
    in_flight: Duration,
    cleanup: bool,
) -> Option<tokio::task::JoinHandle<()>> {
    let mut signals = Interrupts::listen(
        "warning: cannot listen for Ctrl-C: an interrupted run writes no report",
    )?;
    Some(tokio::spawn(async move {
        signals.next().await;
        stop.store(true, Ordering::SeqCst);
        let then = if cleanup {
            "then what was provisioned is deleted and the partial reports are written (interrupt again to quit at once, without cleanup or reports)"
        } else {
            "then the partial reports are written (interrupt again to quit at once, without reports)"
        };
        eprintln!(
            "interrupted: no further request is sent; the one in flight ends within {} ms, {then}",
            in_flight.as_millis()
        );
        signals.next().await;
        eprintln!(
            "interrupted again: quitting without {}",
            if cleanup {
                "cleanup or reports"
            } else {
                "reports"
            }
        );
        std::process::exit(i32::from(EXIT_INTERRUPTED));
    }))
}
