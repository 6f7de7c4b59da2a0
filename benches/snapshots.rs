//! What `--snapshots` adds to a run: the default run (2,048 cases, bundled world) over HTTP
//! against a fresh reference server, as `opsworks-conformance run` makes it, without snapshots
//! and with them (exemplars read from the folder's `.exemplars.json`, sent and transcribed, every
//! `.snap` file compared with the one of the previous round and written), alternately, rounds of
//! each; the ratio of the medians. Also the parts: finding the exemplars without the file (a
//! first run, or a world or build the file does not hold), reading them from it, and comparing
//! and writing the files alone.
//!
//! ```sh
//! cargo bench --bench snapshots
//! BENCH_ROUNDS=9 BENCH_CASES=8192 cargo bench --bench snapshots
//! ```

use std::time::Instant;

use opsworks_conformance::generate::server_rules;
use opsworks_conformance::runner::{NoProgress, RunConfig, run, run_with_snapshot_store};
use opsworks_conformance::server::ReferenceServer;
use opsworks_conformance::snapshot::{SnapshotStore, Transcript, exemplars};
use opsworks_conformance::target::HttpTarget;
use opsworks_conformance::world::World;

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Seconds of one run over HTTP against a fresh server; with snapshots, compared with and
/// written to `store`.
async fn one_run(
    world: &World,
    config: &RunConfig,
    store: Option<&SnapshotStore>,
) -> (f64, Vec<Transcript>) {
    let server = ReferenceServer::start(world.clone())
        .await
        .expect("the reference server starts");
    let target = HttpTarget::new(&server.url()).expect("the server's URL");
    let started = Instant::now();
    let (report, transcripts) = match store {
        Some(store) => {
            let (report, transcripts) =
                run_with_snapshot_store(&target, world, config, &NoProgress, store).await;
            for transcript in &transcripts {
                let status = store
                    .check(transcript)
                    .expect("the snapshot folder is writable");
                assert!(!status.fails(), "{}: {status:?}", transcript.rule);
            }
            (report, transcripts)
        }
        None => (run(&target, world, config).await, Vec::new()),
    };
    let seconds = started.elapsed().as_secs_f64();
    assert!(report.passed(), "the reference fails its own gate");
    server.shutdown().await;
    (seconds, transcripts)
}

fn main() {
    let rounds = env_number("BENCH_ROUNDS", 5).max(1);
    let cases = env_number("BENCH_CASES", 2048);
    let world = World::bundled();
    let config = RunConfig::default().with_cases(cases);
    let dir = std::env::temp_dir().join(format!("opsworks-bench-snapshots-{}", std::process::id()));
    let store = SnapshotStore::new(&dir, false, false);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");

    let (mut plain, mut snapshotted) = (Vec::new(), Vec::new());
    let mut transcripts = Vec::new();
    // One round of each first, not measured: the files exist from then on, as in CI.
    runtime.block_on(one_run(&world, &config, None));
    runtime.block_on(one_run(&world, &config, Some(&store)));
    for _ in 0..rounds {
        plain.push(runtime.block_on(one_run(&world, &config, None)).0);
        let (seconds, found) = runtime.block_on(one_run(&world, &config, Some(&store)));
        snapshotted.push(seconds);
        transcripts = found;
    }

    let rules = server_rules();
    let mut finding = Vec::new();
    for _ in 0..rounds {
        let started = Instant::now();
        let found = exemplars(&world, &rules);
        finding.push(started.elapsed().as_secs_f64());
        assert!(!found.is_empty());
    }
    let mut reading = Vec::new();
    for _ in 0..rounds {
        let started = Instant::now();
        let found = store.exemplars(&world, &rules);
        reading.push(started.elapsed().as_secs_f64());
        assert!(!found.is_empty());
    }
    let mut writing = Vec::new();
    for _ in 0..rounds {
        let started = Instant::now();
        for transcript in &transcripts {
            let status = store.check(transcript).expect("writable");
            assert!(!status.fails());
        }
        writing.push(started.elapsed().as_secs_f64());
    }
    let _ = std::fs::remove_dir_all(&dir);

    let (plain, snapshotted) = (median(&mut plain), median(&mut snapshotted));
    let exchanges: usize = transcripts
        .iter()
        .map(|t| t.text.matches("\n## ").count())
        .sum();
    println!(
        "snapshots: default run over HTTP, {cases} cases, {rounds} rounds, medians; {} transcripts, {exchanges} exemplar requests",
        transcripts.len()
    );
    println!("  run without --snapshots   {plain:>8.3} s");
    println!(
        "  run with --snapshots      {snapshotted:>8.3} s   ratio {:.3} (+{:.1}%)",
        snapshotted / plain,
        (snapshotted / plain - 1.0) * 100.0
    );
    println!(
        "  finding the exemplars     {:>8.3} s   ({:.1}% of the run without; a first run)",
        median(&mut finding),
        median(&mut finding) / plain * 100.0
    );
    println!(
        "  reading them from the file{:>8.4} s   ({:.2}% of the run without)",
        median(&mut reading),
        median(&mut reading) / plain * 100.0
    );
    println!(
        "  comparing + writing files {:>8.4} s   ({:.2}% of the run without)",
        median(&mut writing),
        median(&mut writing) / plain * 100.0
    );
}
