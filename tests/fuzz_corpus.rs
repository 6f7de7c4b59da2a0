//! Replays every checked-in fuzz corpus (`fuzz/corpus/<target>/`) and every saved finding
//! (`fuzz/regressions/<target>/`) through the fuzz targets' bodies on the stable toolchain, no
//! fuzzer needed; and shows that `structured_case` finds a deliberately broken reference
//! handler.
#![cfg(all(feature = "arbitrary", feature = "server"))]

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use opsworks_conformance::contract::{Observation, RawRequest};
use opsworks_conformance::fuzzing::{self, FuzzCase};
use opsworks_conformance::oracle::CallerIdentity;
use opsworks_conformance::world::World;

/// The files of `fuzz/<kind>/<target>/`, sorted; none if the folder does not exist.
fn inputs(kind: &str, target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz")
        .join(kind)
        .join(target);
    let Ok(entries) = std::fs::read_dir(&folder) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries
        .map(|entry| entry.expect("a readable corpus folder").path())
        .filter(|path| path.is_file())
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let bytes = std::fs::read(&path).expect("a readable corpus file");
            (path, bytes)
        })
        .collect()
}

/// Runs a target body on every corpus file (at least one) and every regression, naming the
/// file that fails.
fn replay(target: &str, body: fn(&[u8])) {
    let corpus = inputs("corpus", target);
    assert!(
        !corpus.is_empty(),
        "fuzz/corpus/{target}/ is empty or missing: expected a checked-in seed corpus"
    );
    for (path, bytes) in corpus.iter().chain(&inputs("regressions", target)) {
        if catch_unwind(|| body(bytes)).is_err() {
            panic!("{target}: {} fails (the panic is above)", path.display());
        }
    }
}

#[test]
fn oracle_corpus() {
    replay("oracle", fuzzing::oracle);
}

#[test]
fn server_differential_corpus() {
    replay("server_differential", fuzzing::server_differential);
}

#[test]
fn world_file_corpus() {
    replay("world_file", fuzzing::world_file);
}

#[test]
fn structured_case_corpus() {
    replay("structured_case", fuzzing::structured_case);
}

/// The template target, as checked in (the reference implementation in place of yours), runs
/// clean on the structured corpus: its inputs decode the same way.
#[test]
fn template_runs_clean_on_the_structured_corpus() {
    replay("structured_case", |data| {
        fuzzing::check_target(data, fuzzing::reference_answer);
    });
}

/// The empty input is the simplest case of every target.
#[test]
fn empty_inputs_pass() {
    fuzzing::oracle(&[]);
    fuzzing::server_differential(&[]);
    fuzzing::world_file(&[]);
    fuzzing::structured_case(&[]);
}

/// The `Command.Name` a request body carries, if it has one.
fn command_name(request: &RawRequest) -> Option<String> {
    let body: serde_json::Value = serde_json::from_slice(&request.body).ok()?;
    body.pointer("/Command/Name")?.as_str().map(str::to_owned)
}

/// The deliberately broken reference handler: panics on a command name with a trailing space
/// (as a handler that trims, looks up and `unwrap`s might), otherwise the reference answer.
fn broken_handler(world: &World, request: &RawRequest, caller: &CallerIdentity) -> Observation {
    if command_name(request).is_some_and(|name| name.ends_with(' ')) {
        panic!("deliberate defect: a command name with a trailing space");
    }
    fuzzing::reference_answer(world, request, caller)
}

/// A fixed xorshift generator of byte buffers up to 600 bytes: the same inputs every run.
fn random_buffers() -> impl Iterator<Item = Vec<u8>> {
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    std::iter::from_fn(move || {
        let length = usize::try_from(next() % 600).expect("below 600");
        Some((0..length).map(|_| next().to_le_bytes()[0]).collect())
    })
}

/// How many random inputs the broken handler gets before `structured_case_with` finds it.
const BUDGET: usize = 200_000;

#[test]
fn structured_case_finds_the_broken_handler() {
    let mut found = None;
    for (tried, bytes) in random_buffers().take(BUDGET).enumerate() {
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            fuzzing::structured_case_with(&bytes, broken_handler);
        }));
        if outcome.is_err() {
            found = Some((tried + 1, bytes));
            break;
        }
    }
    let (tried, bytes) = found.expect("structured_case finds the broken handler");
    let case = FuzzCase::from_bytes(&bytes).expect("the finding decodes");
    let name = command_name(&case.request()).expect("the finding has a command name");
    assert!(name.ends_with(' '), "{name:?}");
    // The same input passes with the reference handler: the defect, not the oracle, panicked.
    fuzzing::structured_case(&bytes);
    println!("found the broken handler after {tried} random inputs: command name {name:?}");
    // Pinned so that a change in the generators that makes the defect harder to reach shows.
    assert!(tried <= 20_000, "{tried} inputs");
}

/// A rule broken by an implementation is reported with the rule's id first.
#[test]
fn check_target_names_the_rule() {
    // Accepts everything: the first input with an invalid request is a finding.
    let always_ok = |_: &World, _: &RawRequest, _: &CallerIdentity| {
        Observation::json(200, r#"{"DeploymentId":"d-1"}"#)
    };
    let finding = random_buffers()
        .take(1000)
        .find_map(|bytes| {
            catch_unwind(AssertUnwindSafe(|| {
                fuzzing::check_target(&bytes, always_ok);
            }))
            .err()
        })
        .expect("an implementation that accepts everything is caught");
    let message = finding
        .downcast_ref::<String>()
        .expect("a formatted panic message");
    assert!(
        message.starts_with('[') && message.contains("] expected "),
        "{message}"
    );
}
