//! Ctrl-C during `opsworks-conformance run`, the built binary: SIGINT (sent with `kill -INT`)
//! or SIGTERM stops the run after the case in flight (no further case, no shrinking); the
//! partial JSON and JUnit reports are written (`"interrupted": true`, verdict fail), the human
//! report says so, and the exit code is 130. A second SIGINT quits at once, without reports.
#![cfg(all(unix, feature = "cli"))]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use opsworks_conformance::contract::{RawRequest, wire};
use opsworks_conformance::runner::PROBE_REQUESTS;
use opsworks_conformance::server::{ReferenceServer, ServerOptions};
use opsworks_conformance::target::{ReferenceTarget, Target, from_fn};
use opsworks_conformance::world::World;
use serde_json::Value;

#[path = "support/temp_dir.rs"]
mod temp_dir;
use temp_dir::TempDir;

const BINARY: &str = env!("CARGO_BIN_EXE_opsworks-conformance");

/// The exit code of an interrupted run.
const EXIT_INTERRUPTED: i32 = 130;

/// A running `opsworks-conformance run`, its standard error read line by line; killed if the
/// test ends before it does.
struct Running {
    child: Child,
    stderr: Receiver<String>,
    seen: Vec<String>,
}

impl Running {
    fn start(args: &[&str]) -> Running {
        let mut child = Command::new(BINARY)
            .arg("run")
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the binary starts");
        let (sender, stderr) = channel();
        let pipe = child.stderr.take().expect("standard error is piped");
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines() {
                let Ok(line) = line else { break };
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        Running {
            child,
            stderr,
            seen: Vec::new(),
        }
    }

    /// Waits (at most `limit`) for a line of standard error that contains `text`.
    fn wait_for(&mut self, text: &str, limit: Duration) {
        let deadline = Instant::now() + limit;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.stderr.recv_timeout(left) {
                Ok(line) => {
                    let found = line.contains(text);
                    self.seen.push(line);
                    if found {
                        return;
                    }
                }
                Err(RecvTimeoutError::Timeout) => {
                    panic!(
                        "no {text:?} on standard error within {limit:?}: {:?}",
                        self.seen
                    )
                }
                Err(RecvTimeoutError::Disconnected) => {
                    panic!("the run ended before {text:?}: {:?}", self.seen)
                }
            }
        }
    }

    /// Sends SIGINT, as Ctrl-C in a terminal does.
    fn interrupt(&self) {
        self.signal("-INT");
    }

    /// Sends a signal (`-INT`, `-TERM`) with `kill`.
    fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill {signal} failed: {status}");
    }

    /// Waits (at most `limit`) for the process to end; its exit code and standard output.
    fn finish(mut self, limit: Duration) -> (Option<i32>, String, Vec<String>) {
        let deadline = Instant::now() + limit;
        loop {
            match self.child.try_wait().expect("the child can be waited for") {
                Some(status) => {
                    let mut stdout = String::new();
                    if let Some(mut pipe) = self.child.stdout.take() {
                        let _ = std::io::Read::read_to_string(&mut pipe, &mut stdout);
                    }
                    while let Ok(line) = self.stderr.recv_timeout(Duration::from_millis(200)) {
                        self.seen.push(line);
                    }
                    return (status.code(), stdout, std::mem::take(&mut self.seen));
                }
                None if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
                None => panic!(
                    "still running {limit:?} after the interrupt: {:?}",
                    self.seen
                ),
            }
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|error| panic!("{} is readable: {error}", path.display()));
    serde_json::from_str(&text).expect("the JSON report is JSON")
}

/// A runtime with a server for the test process's own targets.
fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime")
}

/// The reference implementation, `delay` slower on every CreateDeployment request; requests
/// without `X-Amz-Target` (the gate's probe) are answered at once. Counts the requests.
fn slow_reference(delay: Duration, count: Arc<AtomicUsize>) -> impl Target + 'static {
    let reference = Arc::new(ReferenceTarget::new(World::bundled()));
    from_fn(move |request: RawRequest| {
        let reference = Arc::clone(&reference);
        let count = Arc::clone(&count);
        async move {
            if request.header(wire::TARGET_HEADER).is_some() {
                count.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(delay).await;
            }
            reference.send(&request).await
        }
    })
}

/// Asserts what an interrupted run leaves: exit 130, the partial JSON and JUnit reports, the
/// human report saying so.
fn assert_interrupted(code: Option<i32>, stdout: &str, stderr: &[String], dir: &TempDir) -> Value {
    assert_eq!(code, Some(EXIT_INTERRUPTED), "{stdout}\n{stderr:?}");
    assert!(
        stderr
            .iter()
            .any(|line| line.starts_with("interrupted: no further request is sent")),
        "{stderr:?}"
    );
    assert!(stdout.contains("\nnote: interrupted after "), "{stdout}");
    assert!(
        stdout.contains("\nverdict: FAIL, interrupted ("),
        "{stdout}"
    );
    let json = read_json(&dir.path("report.json"));
    assert_eq!(json["interrupted"], true, "{json}");
    assert_eq!(json["verdict"], "fail", "{json}");
    let notes = json["notes"].as_array().expect("notes");
    assert!(
        notes.iter().any(|note| note
            .as_str()
            .is_some_and(|note| note.starts_with("interrupted after"))),
        "{notes:?}"
    );
    let junit = std::fs::read_to_string(dir.path("report.xml")).expect("the JUnit report");
    assert!(junit.contains("name=\"interrupted\""), "{junit}");
    json
}

#[test]
fn ctrl_c_stops_the_run_and_writes_the_partial_reports() {
    let runtime = runtime();
    let count = Arc::new(AtomicUsize::new(0));
    let server = runtime
        .block_on(ReferenceServer::serve_target(
            Arc::new(slow_reference(
                Duration::from_millis(20),
                Arc::clone(&count),
            )),
            ServerOptions::default(),
        ))
        .expect("the server starts on 127.0.0.1");
    let dir = TempDir::new("cli-interrupt-slow");
    let json = dir.path("report.json");
    let junit = dir.path("report.xml");
    let url = server.url();
    let mut running = Running::start(&[
        "--endpoint",
        &url,
        "--cases",
        "100000",
        "--json",
        json.to_str().expect("UTF-8 path"),
        "--junit",
        junit.to_str().expect("UTF-8 path"),
    ]);
    running.wait_for("running about", Duration::from_secs(60));
    // Some cases, then Ctrl-C.
    let started = Instant::now();
    while count.load(Ordering::SeqCst) < 10 && started.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(20));
    }
    running.interrupt();
    let interrupted = Instant::now();
    let (code, stdout, stderr) = running.finish(Duration::from_secs(20));
    let took = interrupted.elapsed();
    eprintln!("interrupted run ended {took:?} after SIGINT");
    let json = assert_interrupted(code, &stdout, &stderr, &dir);
    // The cases sent before the interrupt are in the report, far fewer than planned.
    let cases = json["summary"]["cases"].as_u64().expect("a case count");
    assert!((1..5_000).contains(&cases), "{cases}");
    assert!(took < Duration::from_secs(5), "{took:?}");
    // Nothing is sent once the run has stopped.
    let after = count.load(Ordering::SeqCst);
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(count.load(Ordering::SeqCst), after);
    runtime.block_on(server.shutdown());
}

#[test]
fn ctrl_c_during_a_hang_waits_for_the_case_in_flight_only() {
    let runtime = runtime();
    let count = Arc::new(AtomicUsize::new(0));
    let server = runtime
        .block_on(ReferenceServer::serve_target(
            Arc::new(slow_reference(Duration::from_secs(5), Arc::clone(&count))),
            ServerOptions::default(),
        ))
        .expect("the server starts on 127.0.0.1");
    let dir = TempDir::new("cli-interrupt-hang");
    let json = dir.path("report.json");
    let junit = dir.path("report.xml");
    let url = server.url();
    let mut running = Running::start(&[
        "--endpoint",
        &url,
        "--timeout-ms",
        "1500",
        // One request in flight (the default keeps 8), so exactly one case hangs.
        "--concurrency",
        "1",
        "--json",
        json.to_str().expect("UTF-8 path"),
        "--junit",
        junit.to_str().expect("UTF-8 path"),
    ]);
    running.wait_for("running about", Duration::from_secs(60));
    // The run's probe (two requests, each timing out here) comes before the first case.
    let first_case = PROBE_REQUESTS + 1;
    let started = Instant::now();
    while count.load(Ordering::SeqCst) < first_case && started.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(20));
    }
    running.interrupt();
    let interrupted = Instant::now();
    let (code, stdout, stderr) = running.finish(Duration::from_secs(20));
    let took = interrupted.elapsed();
    eprintln!("interrupted during a hang: ended {took:?} after SIGINT");
    let json = assert_interrupted(code, &stdout, &stderr, &dir);
    // The timeout of the case in flight, and no shrinking after it (each step would be
    // another 1.5 s timeout).
    assert!(took < Duration::from_millis(2_900), "{took:?}");
    assert_eq!(count.load(Ordering::SeqCst), first_case);
    assert_eq!(json["summary"]["cases"], 1);
    drop(server);
}

#[test]
fn sigterm_against_the_built_in_server_writes_the_reports() {
    let dir = TempDir::new("cli-interrupt-built-in");
    let json = dir.path("report.json");
    let junit = dir.path("report.xml");
    let mut running = Running::start(&[
        "--cases",
        "1000000",
        "--json",
        json.to_str().expect("UTF-8 path"),
        "--junit",
        junit.to_str().expect("UTF-8 path"),
    ]);
    running.wait_for("running about", Duration::from_secs(60));
    std::thread::sleep(Duration::from_millis(300));
    running.signal("-TERM");
    let (code, stdout, stderr) = running.finish(Duration::from_secs(20));
    assert_interrupted(code, &stdout, &stderr, &dir);
}

#[test]
fn a_second_ctrl_c_quits_at_once_without_reports() {
    let runtime = runtime();
    // Answers the probe, then never answers a CreateDeployment request (within the test).
    let count = Arc::new(AtomicUsize::new(0));
    let server = runtime
        .block_on(ReferenceServer::serve_target(
            Arc::new(slow_reference(Duration::from_secs(600), Arc::clone(&count))),
            ServerOptions::default(),
        ))
        .expect("the server starts on 127.0.0.1");
    let dir = TempDir::new("cli-interrupt-twice");
    let json = dir.path("report.json");
    let url = server.url();
    let mut running = Running::start(&[
        "--endpoint",
        &url,
        "--timeout-ms",
        "60000",
        "--json",
        json.to_str().expect("UTF-8 path"),
    ]);
    running.wait_for("running about", Duration::from_secs(60));
    let started = Instant::now();
    while count.load(Ordering::SeqCst) < 1 && started.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(20));
    }
    running.interrupt();
    // The first Ctrl-C waits for the case in flight (here up to 60 s).
    running.wait_for(
        "interrupted: no further request is sent",
        Duration::from_secs(10),
    );
    running.interrupt();
    let interrupted = Instant::now();
    let (code, _, stderr) = running.finish(Duration::from_secs(10));
    assert_eq!(code, Some(EXIT_INTERRUPTED), "{stderr:?}");
    assert!(interrupted.elapsed() < Duration::from_secs(5));
    assert!(
        stderr
            .iter()
            .any(|line| line.contains("interrupted again: quitting without reports")),
        "{stderr:?}"
    );
    assert!(!json.exists(), "a report was written");
    drop(server);
}
