//! The reference server under load: 64 keep-alive connections sending a mix of valid and
//! invalid requests back to back (recorded once up front from the generators: valid deploys
//! and the other commands, and every rule's family of broken requests) to
//! `opsworks-conformance serve`, run as a child process on 127.0.0.1 with a port the system
//! picks. Checks: no 5xx answer, no connection dropped, every accepted deployment has a
//! deployment id of its own.
//!
//! The CI-sized run lasts 3 seconds. The full run (see `docs/reliability.md`), with the
//! server's memory sampled from `/proc` (peak and resident size after warm-up and at the end):
//!
//! ```sh
//! OPSWORKS_LOAD_SECS=60 cargo test --release --test server_load -- --ignored --nocapture
//! ```
#![cfg(feature = "cli")]

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::header::{CONNECTION, HOST, HeaderMap, HeaderName, HeaderValue};
use http::{Method, Request};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use opsworks_conformance::contract::RawRequest;
use opsworks_conformance::generate::{server_rules, valid_request, violating};
use opsworks_conformance::world::World;
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use tokio::net::TcpStream;

const BINARY: &str = env!("CARGO_BIN_EXE_opsworks-conformance");

/// How many connections send at once.
const CONNECTIONS: usize = 64;

/// `opsworks-conformance serve` as a child process, killed when dropped.
struct Serving {
    child: Child,
    addr: SocketAddr,
}

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve() -> Serving {
    let mut child = Command::new(BINARY)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts");
    let stdout = child.stdout.take().expect("piped stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("serve prints its address");
    let addr = line
        .trim_end()
        .strip_prefix("listening on http://")
        .and_then(|addr| addr.parse().ok())
        .unwrap_or_else(|| panic!("expected `listening on http://127.0.0.1:PORT`, found {line:?}"));
    Serving { child, addr }
}

/// The resident set size and its peak (`VmRSS`, `VmHWM`) of a process, in KiB.
fn memory_kib(pid: &str) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|kib| kib.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// A request ready to send: its headers (framing left to the client) and body.
struct Prepared {
    headers: HeaderMap,
    body: Bytes,
}

/// The mix: 256 valid requests and 8 of every server rule's family, unsigned (the bundled
/// world has no users), in a fixed interleaving.
fn record_mix(authority: &str) -> Vec<Prepared> {
    let world = World::bundled();
    let mut runner = TestRunner::deterministic();
    let mut requests: Vec<RawRequest> = Vec::new();
    let mut draw = |strategy: &proptest::strategy::BoxedStrategy<_>, count: usize| {
        for _ in 0..count {
            if let Ok(tree) = strategy.new_tree(&mut runner) {
                let case: opsworks_conformance::generate::Case = tree.current();
                requests.push(case.request);
            }
        }
    };
    if let Some(strategy) = valid_request(&world) {
        draw(&strategy, 256);
    }
    for rule in server_rules() {
        if let Some(strategy) = violating(rule, &world) {
            draw(&strategy, 8);
        }
    }
    let len = requests.len();
    for index in 0..len {
        requests.swap(index, index.wrapping_mul(2_654_435_761) % len);
    }
    requests
        .iter()
        .map(|request| {
            let mut headers = HeaderMap::new();
            for (name, value) in &request.headers {
                if let (Ok(name), Ok(value)) = (
                    HeaderName::from_bytes(name.as_bytes()),
                    HeaderValue::from_bytes(value.as_bytes()),
                ) {
                    if name != http::header::CONTENT_LENGTH
                        && name != http::header::TRANSFER_ENCODING
                    {
                        headers.append(name, value);
                    }
                }
            }
            if !headers.contains_key(HOST) {
                headers.insert(HOST, HeaderValue::from_str(authority).expect("authority"));
            }
            Prepared {
                headers,
                body: Bytes::from(request.body.clone()),
            }
        })
        .collect()
}

/// What the connections saw.
#[derive(Debug, Default)]
struct Tally {
    requests: u64,
    accepted: u64,
    client_errors: u64,
    server_errors: u64,
    /// Connections that failed: refused, reset, or closed without an announced
    /// `Connection: close`.
    dropped: u64,
    /// Connections the server closed after announcing it (`Connection: close`); the client
    /// opens a new one.
    announced_closes: u64,
    /// Answers 200 without a readable `DeploymentId`.
    missing_ids: u64,
    /// Every deployment id received, as numbers.
    ids: Vec<u128>,
    /// A few examples of what went wrong.
    examples: Vec<String>,
}

impl Tally {
    fn merge(&mut self, other: Tally) {
        self.requests += other.requests;
        self.accepted += other.accepted;
        self.client_errors += other.client_errors;
        self.server_errors += other.server_errors;
        self.dropped += other.dropped;
        self.announced_closes += other.announced_closes;
        self.missing_ids += other.missing_ids;
        self.ids.extend(other.ids);
        if self.examples.len() < 5 {
            self.examples.extend(other.examples.into_iter().take(5));
        }
    }
}

/// The deployment id of a 200 answer's body, as a number.
fn deployment_id(body: &[u8]) -> Option<u128> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let id = value.get("DeploymentId")?.as_str()?;
    uuid::Uuid::parse_str(id).ok().map(|id| id.as_u128())
}

/// One client: keep-alive requests back to back until `stop`, reconnecting only when the
/// server announced a close.
async fn client(
    addr: SocketAddr,
    mix: Arc<Vec<Prepared>>,
    start: usize,
    stop: Arc<AtomicBool>,
    sent: Arc<AtomicU64>,
) -> Tally {
    let mut tally = Tally::default();
    let mut index = start;
    'connections: while !stop.load(Ordering::Relaxed) {
        let stream = match TcpStream::connect(addr).await {
            Ok(stream) => stream,
            Err(error) => {
                tally.dropped += 1;
                tally.examples.push(format!("connect: {error}"));
                return tally;
            }
        };
        let _ = stream.set_nodelay(true);
        let (mut sender, connection) =
            match hyper::client::conn::http1::handshake(TokioIo::new(stream)).await {
                Ok(pair) => pair,
                Err(error) => {
                    tally.dropped += 1;
                    tally.examples.push(format!("handshake: {error}"));
                    return tally;
                }
            };
        let driver = tokio::spawn(connection);
        while !stop.load(Ordering::Relaxed) {
            let prepared = &mix[index % mix.len()];
            index += 1;
            let mut request = Request::new(Full::new(prepared.body.clone()));
            *request.method_mut() = Method::POST;
            *request.uri_mut() = http::Uri::from_static("/");
            *request.headers_mut() = prepared.headers.clone();
            let answer = async {
                sender.ready().await?;
                let response = sender.send_request(request).await?;
                let (parts, body) = response.into_parts();
                let body = body.collect().await?.to_bytes();
                Ok::<_, hyper::Error>((parts, body))
            };
            let (parts, body) = match answer.await {
                Ok(answer) => answer,
                Err(error) => {
                    tally.dropped += 1;
                    tally.examples.push(format!("exchange: {error}"));
                    break 'connections;
                }
            };
            tally.requests += 1;
            sent.fetch_add(1, Ordering::Relaxed);
            let status = parts.status.as_u16();
            if status >= 500 {
                tally.server_errors += 1;
                tally
                    .examples
                    .push(format!("{status}: {}", String::from_utf8_lossy(&body)));
            } else if status == 200 {
                tally.accepted += 1;
                match deployment_id(&body) {
                    Some(id) => tally.ids.push(id),
                    None => tally.missing_ids += 1,
                }
            } else {
                tally.client_errors += 1;
            }
            let closing = parts
                .headers
                .get(CONNECTION)
                .is_some_and(|value| value.as_bytes().eq_ignore_ascii_case(b"close"));
            if closing {
                tally.announced_closes += 1;
                continue 'connections;
            }
        }
        drop(sender);
        let _ = driver.await;
    }
    tally
}

/// Runs the load for `duration`, samples the server's memory, checks and prints the figures;
/// returns how much the server's resident memory grew between the warm-up and the end, in KiB.
fn run_load(duration: Duration) -> i128 {
    let server = serve();
    let pid = server.child.id().to_string();
    let authority = server.addr.to_string();
    let mix = Arc::new(record_mix(&authority));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let started_kib = memory_kib(&pid).0;
    let warm_up = (duration / 10)
        .max(Duration::from_secs(1))
        .min(duration / 2);
    let (tally, after_warm_up, at_end, peak, elapsed) = runtime.block_on(async {
        let stop = Arc::new(AtomicBool::new(false));
        let sent = Arc::new(AtomicU64::new(0));
        let started = Instant::now();
        let clients: Vec<_> = (0..CONNECTIONS)
            .map(|n| {
                tokio::spawn(client(
                    server.addr,
                    Arc::clone(&mix),
                    n * 7919,
                    Arc::clone(&stop),
                    Arc::clone(&sent),
                ))
            })
            .collect();
        tokio::time::sleep(warm_up).await;
        let after_warm_up = memory_kib(&pid).0;
        tokio::time::sleep(duration.saturating_sub(warm_up)).await;
        let (at_end, peak) = memory_kib(&pid);
        stop.store(true, Ordering::Relaxed);
        let mut tally = Tally::default();
        for client in clients {
            tally.merge(client.await.expect("client task"));
        }
        (tally, after_warm_up, at_end, peak, started.elapsed())
    });
    let mut ids = tally.ids.clone();
    ids.sort_unstable();
    ids.dedup();
    let repeated = tally.ids.len() - ids.len();
    let (_, own_peak) = memory_kib("self");
    println!(
        "load: {CONNECTIONS} connections for {:.1} s: {} requests ({:.0}/s), {} accepted, {} \
         refused (4xx), {} 5xx, {} connections dropped, {} closes announced by the server, \
         {} repeated deployment ids",
        elapsed.as_secs_f64(),
        tally.requests,
        tally.requests as f64 / elapsed.as_secs_f64(),
        tally.accepted,
        tally.client_errors,
        tally.server_errors,
        tally.dropped,
        tally.announced_closes,
        repeated
    );
    println!(
        "server memory: {} KiB at start, {} KiB after {:.0} s of warm-up, {} KiB at the end \
         ({:+} KiB), peak {} KiB; this test process peaked at {} KiB",
        started_kib,
        after_warm_up,
        warm_up.as_secs_f64(),
        at_end,
        i128::from(at_end) - i128::from(after_warm_up),
        peak,
        own_peak
    );
    assert!(tally.requests > 0, "no request was answered");
    assert_eq!(tally.server_errors, 0, "5xx answers: {:?}", tally.examples);
    assert_eq!(
        tally.dropped, 0,
        "dropped connections: {:?}",
        tally.examples
    );
    assert_eq!(tally.missing_ids, 0, "200 answers without a DeploymentId");
    assert!(tally.accepted > 0, "no deployment was accepted");
    assert_eq!(repeated, 0, "deployment ids were given twice");
    i128::from(at_end) - i128::from(after_warm_up)
}

#[test]
fn sixty_four_connections_of_mixed_requests_for_three_seconds() {
    let _growth = run_load(Duration::from_secs(3));
}

/// The full run: `OPSWORKS_LOAD_SECS` seconds (default 60), with the server's memory required
/// to stay flat (at most 16 MiB more at the end than after the warm-up).
#[test]
#[ignore = "a minute of load: run it with OPSWORKS_LOAD_SECS=60 cargo test --release --test server_load -- --ignored"]
fn sixty_four_connections_for_a_minute_with_flat_memory() {
    let secs = std::env::var("OPSWORKS_LOAD_SECS")
        .ok()
        .and_then(|secs| secs.parse().ok())
        .unwrap_or(60);
    let server_growth = run_load(Duration::from_secs(secs));
    assert!(
        server_growth <= 16 * 1024,
        "the server's resident memory grew by {server_growth} KiB under load"
    );
}
