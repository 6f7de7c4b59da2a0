//! The HTTP gate's speed (cases judged per second: `runner::run` with an `HttpTarget` against
//! `ReferenceServer::start`, as `opsworks-conformance run` does) next to a raw replay of the
//! very requests the gate sent (recorded on the way out), with a minimal hyper client and no
//! judging, against a fresh reference server in the same world. The ratio gate/raw is the
//! share of the time the gate spends talking to the server: 1.0 would mean generation, signing,
//! judging and shrinking cost nothing.
//!
//! ```sh
//! cargo bench --bench http_gate          # 8 connections (the HttpTarget default), 2048 cases
//! cargo bench --bench http_gate -- 1     # the connection count as an argument
//! BENCH_CONNS=64 BENCH_CASES=8192 BENCH_ROUNDS=3 cargo bench --bench http_gate
//! ```
//!
//! The gate runs with the server it tests on one current-thread runtime, as `opsworks-conformance
//! run` does; the raw replay gets the better of a current-thread runtime and a two-worker
//! multi-thread one.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use bytes::Bytes;
use http::header::{HOST, HeaderMap, HeaderName, HeaderValue};
use http::{Method, Request};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use opsworks_conformance::contract::{RawRequest, Response};
use opsworks_conformance::runner::{RunConfig, run};
use opsworks_conformance::server::ReferenceServer;
use opsworks_conformance::target::{BoxFuture, HttpTarget, HttpTargetOptions, Target};
use opsworks_conformance::world::World;
use tokio::net::TcpStream;

/// A target that records every request it passes on (as sent: signed, headers in order).
struct Recording<T> {
    inner: T,
    sent: Mutex<Vec<RawRequest>>,
}

impl<T: Target> Target for Recording<T> {
    fn send<'a>(&'a self, request: &'a RawRequest) -> BoxFuture<'a, Response> {
        self.sent
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(request.clone());
        self.inner.send(request)
    }

    fn describe(&self) -> String {
        self.inner.describe()
    }

    fn authority(&self) -> String {
        self.inner.authority()
    }

    fn can_send(&self, request: &RawRequest) -> bool {
        self.inner.can_send(request)
    }
}

/// A recorded request as the replaying client sends it.
#[derive(Clone)]
struct Prepared {
    headers: HeaderMap,
    body: Bytes,
}

fn prepare(request: &RawRequest, authority: &str) -> Prepared {
    let mut headers = HeaderMap::new();
    for (name, value) in &request.headers {
        let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_bytes(value.as_bytes()),
        ) else {
            continue;
        };
        if name == http::header::CONTENT_LENGTH || name == http::header::TRANSFER_ENCODING {
            continue;
        }
        headers.append(name, value);
    }
    if !headers.contains_key(HOST) {
        if let Ok(host) = HeaderValue::from_str(authority) {
            headers.insert(HOST, host);
        }
    }
    Prepared {
        headers,
        body: Bytes::from(request.body.clone()),
    }
}

/// Sends every request once, over `conns` keep-alive connections taking the next unsent
/// request in turn; returns how many were answered.
async fn replay(addr: SocketAddr, requests: Arc<Vec<Prepared>>, conns: usize) -> usize {
    let next = Arc::new(AtomicUsize::new(0));
    let answered = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..conns {
        let (requests, next, answered) = (
            Arc::clone(&requests),
            Arc::clone(&next),
            Arc::clone(&answered),
        );
        tasks.push(tokio::spawn(async move {
            let Ok(stream) = TcpStream::connect(addr).await else {
                return;
            };
            let _ = stream.set_nodelay(true);
            let Ok((mut sender, conn)) =
                hyper::client::conn::http1::handshake(TokioIo::new(stream)).await
            else {
                return;
            };
            let driver = tokio::spawn(conn);
            loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                let Some(prepared) = requests.get(index) else {
                    break;
                };
                let mut request = Request::new(Full::new(prepared.body.clone()));
                *request.method_mut() = Method::POST;
                *request.uri_mut() = http::Uri::from_static("/");
                *request.headers_mut() = prepared.headers.clone();
                if sender.ready().await.is_err() {
                    break;
                }
                let Ok(response) = sender.send_request(request).await else {
                    break;
                };
                if response.into_body().collect().await.is_ok() {
                    answered.fetch_add(1, Ordering::Relaxed);
                }
            }
            drop(sender);
            let _ = driver.await;
        }));
    }
    for task in tasks {
        let _ = task.await;
    }
    answered.load(Ordering::Relaxed)
}

/// One gate run against a fresh server: cases, requests sent, seconds, and the requests.
async fn gate(world: &World, config: &RunConfig, conns: usize) -> (usize, Vec<RawRequest>, f64) {
    let server = ReferenceServer::start(world.clone())
        .await
        .expect("the reference server starts");
    let options = HttpTargetOptions {
        concurrency: conns,
        ..HttpTargetOptions::default()
    };
    let http = HttpTarget::with_options(&server.url(), options).expect("the server's URL");
    let recording = Recording {
        inner: http,
        sent: Mutex::new(Vec::new()),
    };
    let started = Instant::now();
    let report = run(&recording, world, config).await;
    let seconds = started.elapsed().as_secs_f64();
    assert!(report.passed(), "the reference server fails its own gate");
    server.shutdown().await;
    let sent = recording
        .sent
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner);
    (report.cases, sent, seconds)
}

/// How many times a replay sends the recorded requests, so that a measurement lasts long
/// enough to mean something; the time of one pass is kept.
const PASSES: u32 = 5;

/// Seconds of one pass of the raw replay of `sent` against a fresh server: over one
/// connection, and over `conns`.
async fn raw_replays(world: &World, sent: &[RawRequest], conns: usize) -> (f64, f64) {
    let server = ReferenceServer::start(world.clone())
        .await
        .expect("the reference server starts");
    let authority = server.local_addr().to_string();
    let many: Arc<Vec<Prepared>> = Arc::new(
        (0..PASSES)
            .flat_map(|_| sent.iter().map(|request| prepare(request, &authority)))
            .collect(),
    );
    let mut seconds = [0.0; 2];
    for (slot, replay_conns) in seconds.iter_mut().zip([1, conns]) {
        let started = Instant::now();
        let answered = replay(server.local_addr(), Arc::clone(&many), replay_conns).await;
        *slot = started.elapsed().as_secs_f64() / f64::from(PASSES);
        assert_eq!(answered, many.len(), "the replay lost requests");
    }
    server.shutdown().await;
    (seconds[0], seconds[1])
}

/// Seconds of one pass of `sent` through the gate's own HTTP client (`HttpTarget`), one
/// request at a time, no judging: what the transport costs the gate.
async fn http_target_alone(world: &World, sent: &[RawRequest], conns: usize) -> f64 {
    let server = ReferenceServer::start(world.clone())
        .await
        .expect("the reference server starts");
    let http = HttpTarget::with_options(
        &server.url(),
        HttpTargetOptions {
            concurrency: conns,
            ..HttpTargetOptions::default()
        },
    )
    .expect("the server's URL");
    let started = Instant::now();
    for _ in 0..PASSES {
        for request in sent {
            assert!(
                http.send(request).await.is_ok(),
                "HttpTarget lost a request"
            );
        }
    }
    let seconds = started.elapsed().as_secs_f64() / f64::from(PASSES);
    server.shutdown().await;
    seconds
}

fn main() {
    let conns: usize = std::env::args()
        .skip(1)
        .find(|arg| !arg.starts_with('-'))
        .or_else(|| std::env::var("BENCH_CONNS").ok())
        .and_then(|text| text.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(8);
    let cases: usize = std::env::var("BENCH_CASES")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(2048);
    let rounds: usize = std::env::var("BENCH_ROUNDS")
        .ok()
        .and_then(|text| text.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(3);
    // The gate runs as `opsworks-conformance run` runs it: on a current-thread runtime, with the
    // server it tests. The raw replay gets the better of a current-thread runtime and a
    // two-worker multi-thread one (client and server on the same runtime in both).
    let current = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let multi = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    // As `opsworks-conformance run --concurrency N` does: N requests in flight, N connections.
    let config = RunConfig::default()
        .with_cases(cases)
        .with_concurrency(conns);
    println!(
        "HTTP gate vs raw replay of the same requests: {cases} cases (seed 0), {conns} \
         connections and requests in flight (RunConfig::concurrency, as `run --concurrency \
         {conns}`); best of {rounds}; raw replay: the better of a current-thread and a \
         two-worker runtime"
    );
    for (label, world) in [
        ("bundled world (no users)", World::bundled()),
        ("world with users (signed)", World::bundled_with_users()),
    ] {
        // Warm-up: a small run (connections, caches, lazy statics).
        let warm_up = RunConfig::default().with_cases(200).with_concurrency(conns);
        let _ = current.block_on(gate(&world, &warm_up, conns));
        let mut best_gate = f64::MAX;
        let mut best_raw = f64::MAX;
        let mut best_raw_one = f64::MAX;
        let mut best_http = f64::MAX;
        let (mut cases_run, mut requests_sent) = (0, 0);
        for _ in 0..rounds {
            let (cases, sent, seconds) = current.block_on(gate(&world, &config, conns));
            best_gate = best_gate.min(seconds);
            cases_run = cases;
            requests_sent = sent.len();
            for runtime in [&current, &multi] {
                let (raw_one, raw) = runtime.block_on(raw_replays(&world, &sent, conns));
                best_raw_one = best_raw_one.min(raw_one);
                best_raw = best_raw.min(raw);
            }
            best_http = best_http.min(current.block_on(http_target_alone(&world, &sent, conns)));
        }
        let per_second = |seconds: f64| cases_run as f64 / seconds.max(f64::MIN_POSITIVE);
        println!(
            "\n{label}: {cases_run} cases, {requests_sent} requests sent (shrinking included)"
        );
        println!(
            "  gate             {:>8.3} s  {:>9.0} cases/s",
            best_gate,
            per_second(best_gate)
        );
        println!(
            "  raw replay ({conns:>2}) {:>8.3} s  {:>9.0} cases/s  ratio gate/raw {:.2}",
            best_raw,
            per_second(best_raw),
            best_raw / best_gate
        );
        if conns != 1 {
            println!(
                "  raw replay ( 1) {:>8.3} s  {:>9.0} cases/s  (one connection, for scale)",
                best_raw_one,
                per_second(best_raw_one),
            );
        }
        println!(
            "  HttpTarget alone {:>8.3} s  {:>9.0} cases/s  (the same requests, one at a \
             time, through the gate's client, no judging)",
            best_http,
            per_second(best_http)
        );
    }
}
