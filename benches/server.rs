//! The reference server's throughput (requests per second over keep-alive HTTP/1.1
//! connections) next to a minimal hyper server that answers a fixed 200 JSON, both measured in
//! the same run on the same machine with the same load generator.
//!
//! ```sh
//! cargo bench --bench server                   # 1, 8 and 64 connections, 2 s each side
//! BENCH_MS=8000 cargo bench --bench server     # longer measurements (BENCH_ROUNDS slices)
//! BENCH_CONNS=1,64 cargo bench --bench server  # other connection counts
//! BENCH_LAYER=1 cargo bench --bench server      # also the server's HTTP layer alone
//! ```
//!
//! Three mixes: the gate's (every rule family, stress cases included), a typical one (the same
//! without bodies over 4 KiB), and the gate's signed by the users of a world that has some.
//! Each section also prints the reference target's answers per second in process (no HTTP, one
//! thread): the oracle's share of the cost. With `BENCH_LAYER=1`, the reference server's HTTP
//! layer serving a fixed answer (`ReferenceServer::serve_target`) is measured too: the
//! server's share.
//!
//! The load generator is a minimal hyper client (HTTP/1.1, one task per connection, each
//! sending its next request as soon as the previous answer is read) on a runtime of its own;
//! the servers run on another multi-thread runtime, as `opsworks-conformance serve` does. The
//! request mix is recorded once up front: valid deploys (and the other commands) and requests
//! of every rule's family (invalid JSON, missing members, unknown ids, wrong headers, ...), and
//! for the world with users the same mix SigV4-signed by the world's users. The minimal server
//! receives exactly the same bytes.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::header::{CONTENT_TYPE, HOST, HeaderMap, HeaderName, HeaderValue};
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use opsworks_conformance::contract::{Observation, RawRequest, Response as Answer};
use opsworks_conformance::generate::{server_rules, valid_request, violating};
use opsworks_conformance::runner::signed_request;
use opsworks_conformance::server::ReferenceServer;
use opsworks_conformance::server::ServerOptions;
use opsworks_conformance::target::{BoxFuture, Target};
use opsworks_conformance::world::World;
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use tokio::net::{TcpListener, TcpStream};
use tokio::runtime::Runtime;

/// One request of the mix, ready to send.
#[derive(Clone)]
struct Prepared {
    headers: HeaderMap,
    body: Bytes,
}

/// The request mix for `world`: `valid` valid requests and `per_rule` requests of every server
/// rule's family, signed as each case says (for `authority`), in a fixed shuffled order.
fn record_mix(world: &World, authority: &str, valid: usize, per_rule: usize) -> Vec<RawRequest> {
    let mut runner = TestRunner::deterministic();
    let mut cases = Vec::new();
    if let Some(strategy) = valid_request(world) {
        for _ in 0..valid {
            if let Ok(tree) = strategy.new_tree(&mut runner) {
                cases.push(tree.current());
            }
        }
    }
    for rule in server_rules() {
        let Some(strategy) = violating(rule, world) else {
            continue;
        };
        for _ in 0..per_rule {
            if let Ok(tree) = strategy.new_tree(&mut runner) {
                cases.push(tree.current());
            }
        }
    }
    let mut requests: Vec<RawRequest> = cases
        .iter()
        .filter_map(|case| signed_request(case, world, authority, "us-east-1"))
        .collect();
    // A fixed interleaving (valid and invalid mixed), the same on every run.
    let len = requests.len();
    for index in 0..len {
        let other = (index.wrapping_mul(2_654_435_761)) % len;
        requests.swap(index, other);
    }
    requests
}

/// The wire form of a recorded request: its headers (those HTTP can carry; framing headers
/// left to the client) and body; `Host` set to `authority` when the request has none.
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

/// What a load run counted.
#[derive(Debug, Default, Clone, Copy)]
struct LoadResult {
    /// Requests answered in the measured window.
    answered: u64,
    /// The length of the measured window.
    seconds: f64,
    /// Answers with a 5xx status (over the whole run, warm-up included).
    server_errors: u64,
    /// Connections that failed (could not connect, or broke mid-exchange).
    failed_connections: u64,
}

/// Load results added up over several slices.
#[derive(Debug, Default)]
struct Totals {
    answered: f64,
    seconds: f64,
    server_errors: u64,
    failed_connections: u64,
}

impl Totals {
    fn add(&mut self, result: LoadResult) {
        self.answered += result.answered as f64;
        self.seconds += result.seconds;
        self.server_errors += result.server_errors;
        self.failed_connections += result.failed_connections;
    }

    fn per_second(&self) -> f64 {
        if self.seconds > 0.0 {
            self.answered / self.seconds
        } else {
            0.0
        }
    }
}

/// Shared counters of a load run.
#[derive(Default)]
struct Counters {
    answered: AtomicU64,
    server_errors: AtomicU64,
    failed_connections: AtomicU64,
    stop: AtomicBool,
}

/// One keep-alive connection sending the mix back to back, from `start`, until told to stop.
async fn connection(
    addr: SocketAddr,
    mix: Arc<Vec<Prepared>>,
    start: usize,
    counters: Arc<Counters>,
) {
    let Ok(stream) = TcpStream::connect(addr).await else {
        counters.failed_connections.fetch_add(1, Ordering::Relaxed);
        return;
    };
    let _ = stream.set_nodelay(true);
    let Ok((mut sender, conn)) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await
    else {
        counters.failed_connections.fetch_add(1, Ordering::Relaxed);
        return;
    };
    let driver = tokio::spawn(conn);
    let mut index = start;
    while !counters.stop.load(Ordering::Relaxed) {
        let prepared = &mix[index % mix.len()];
        index += 1;
        let mut request = Request::new(Full::new(prepared.body.clone()));
        *request.method_mut() = Method::POST;
        *request.uri_mut() = http::Uri::from_static("/");
        *request.headers_mut() = prepared.headers.clone();
        if sender.ready().await.is_err() {
            counters.failed_connections.fetch_add(1, Ordering::Relaxed);
            break;
        }
        let response = match sender.send_request(request).await {
            Ok(response) => response,
            Err(_) => {
                counters.failed_connections.fetch_add(1, Ordering::Relaxed);
                break;
            }
        };
        let status = response.status();
        if response.into_body().collect().await.is_err() {
            counters.failed_connections.fetch_add(1, Ordering::Relaxed);
            break;
        }
        if status.is_server_error() {
            counters.server_errors.fetch_add(1, Ordering::Relaxed);
        }
        counters.answered.fetch_add(1, Ordering::Relaxed);
    }
    drop(sender);
    let _ = driver.await;
}

/// Runs `conns` connections against `addr` on `client`: `warmup`, then counts for `measure`.
fn load(
    client: &Runtime,
    addr: SocketAddr,
    mix: &Arc<Vec<Prepared>>,
    conns: usize,
    warmup: Duration,
    measure: Duration,
) -> LoadResult {
    client.block_on(async {
        let counters = Arc::new(Counters::default());
        let tasks: Vec<_> = (0..conns)
            .map(|n| {
                tokio::spawn(connection(
                    addr,
                    Arc::clone(mix),
                    n * 7919,
                    Arc::clone(&counters),
                ))
            })
            .collect();
        tokio::time::sleep(warmup).await;
        let (first, started) = (counters.answered.load(Ordering::Relaxed), Instant::now());
        tokio::time::sleep(measure).await;
        let (last, elapsed) = (counters.answered.load(Ordering::Relaxed), started.elapsed());
        counters.stop.store(true, Ordering::Relaxed);
        for task in tasks {
            let _ = task.await;
        }
        LoadResult {
            answered: last - first,
            seconds: elapsed.as_secs_f64(),
            server_errors: counters.server_errors.load(Ordering::Relaxed),
            failed_connections: counters.failed_connections.load(Ordering::Relaxed),
        }
    })
}

/// The baseline: a hyper HTTP/1.1 server that reads each request body and answers a fixed
/// 200 JSON, served as the reference server serves (one task per connection, keep-alive).
async fn minimal_server() -> (SocketAddr, tokio::task::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1");
    let addr = listener.local_addr().expect("local address");
    let task = tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let _ = stream.set_nodelay(true);
            tokio::spawn(async move {
                let service = hyper::service::service_fn(|request: Request<Incoming>| async move {
                    let _ = request.into_body().collect().await;
                    let mut response = Response::new(Full::new(Bytes::from_static(
                        br#"{"DeploymentId":"00000000-0000-4000-8000-000000000000"}"#,
                    )));
                    *response.status_mut() = StatusCode::OK;
                    response.headers_mut().insert(
                        CONTENT_TYPE,
                        HeaderValue::from_static("application/x-amz-json-1.1"),
                    );
                    Ok::<_, std::convert::Infallible>(response)
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .timer(TokioTimer::new())
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    (addr, task)
}

/// Answers per second of the server's reference target called directly (no HTTP) over the
/// mix, on this thread. The target is a fresh one in the server's world, so the server's state
/// is left alone.
fn in_process_rate(server: &ReferenceServer, mix: &[RawRequest], budget: Duration) -> f64 {
    let target = server.target();
    let started = Instant::now();
    let mut answered = 0u64;
    while started.elapsed() < budget {
        for request in mix {
            std::hint::black_box(target.answer_request(std::hint::black_box(request)));
        }
        answered += mix.len() as u64;
    }
    answered as f64 / started.elapsed().as_secs_f64()
}

/// A target that answers every request with a fixed 200, served by the reference server's own
/// HTTP layer (`ReferenceServer::serve_target`): the server's cost without the oracle's.
struct FixedAnswer;

impl Target for FixedAnswer {
    fn send<'a>(&'a self, _request: &'a RawRequest) -> BoxFuture<'a, Answer> {
        Box::pin(std::future::ready(Ok(Observation::json(
            200,
            r#"{"DeploymentId":"00000000-0000-4000-8000-000000000000"}"#,
        ))))
    }
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let measure = Duration::from_millis(env_number("BENCH_MS", 2000));
    let warmup = Duration::from_millis(env_number("BENCH_WARMUP_MS", 200));
    let rounds = u32::try_from(env_number("BENCH_ROUNDS", 4).max(1)).unwrap_or(4);
    let conn_counts: Vec<usize> = std::env::var("BENCH_CONNS")
        .ok()
        .map(|text| {
            text.split(',')
                .filter_map(|n| n.trim().parse().ok())
                .collect()
        })
        .filter(|counts: &Vec<usize>| !counts.is_empty())
        .unwrap_or_else(|| vec![1, 8, 64]);
    let threads = std::thread::available_parallelism().map_or(2, usize::from);

    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .thread_name("server")
        .enable_all()
        .build()
        .expect("server runtime");
    let client_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .thread_name("client")
        .enable_all()
        .build()
        .expect("client runtime");

    println!(
        "reference server vs minimal hyper server: {threads} cores, server and load generator \
         {threads} worker threads each; {} ms per point in {rounds} slices taken in turns, \
         each after {} ms of warm-up",
        measure.as_millis(),
        warmup.as_millis()
    );

    let (minimal_addr, minimal_task) = server_rt.block_on(minimal_server());
    // BENCH_LAYER=1: also the reference server's HTTP layer serving a fixed answer.
    let layer = (std::env::var("BENCH_LAYER").as_deref() == Ok("1")).then(|| {
        server_rt
            .block_on(ReferenceServer::serve_target(
                Arc::new(FixedAnswer),
                ServerOptions::default(),
            ))
            .expect("the fixed-answer server starts")
    });
    let mut failures = 0u64;
    // The gate's mix has every family's stress cases (64 KiB texts, deep JSON, 150 KiB
    // bodies); the typical mix leaves out bodies over 4 KiB, as an API client's traffic would.
    for (label, world, largest_body) in [
        (
            "bundled world (no users), gate mix",
            World::bundled(),
            usize::MAX,
        ),
        (
            "bundled world (no users), typical mix (bodies up to 4 KiB)",
            World::bundled(),
            4096,
        ),
        (
            "world with users, signed gate mix",
            World::bundled_with_users(),
            usize::MAX,
        ),
    ] {
        let server = server_rt
            .block_on(ReferenceServer::start(world.clone()))
            .expect("the reference server starts");
        let authority = server.local_addr().to_string();
        let mut recorded = record_mix(&world, &authority, 256, 8);
        recorded.retain(|request| request.body.len() <= largest_body);
        let bytes: usize = recorded.iter().map(|r| r.body.len()).sum();
        let mix: Arc<Vec<Prepared>> =
            Arc::new(recorded.iter().map(|r| prepare(r, &authority)).collect());
        println!(
            "\n{label}: {} requests recorded up front (of 256 valid, 8 per rule family; \
             mean body {} bytes)",
            mix.len(),
            bytes / mix.len().max(1)
        );
        let in_process = in_process_rate(&server, &recorded, measure);
        println!(
            "  in process, one thread, no HTTP: {in_process:.0} answers/s \
             (ReferenceTarget::answer_request over the same mix: the oracle's verdict, \
             signature check, answer)"
        );
        let largest = recorded.iter().map(|r| r.body.len()).max().unwrap_or(0);
        let over_4k = recorded.iter().filter(|r| r.body.len() > 4096).count();
        println!("  bodies over 4 KiB: {over_4k}, largest {largest} bytes");
        println!(
            "  {:>5}  {:>12}  {:>12}  {:>7}",
            "conns", "reference/s", "minimal/s", "ratio"
        );
        for &conns in &conn_counts {
            // BENCH_ONLY=reference or minimal measures one side (for profiling). The two
            // sides take turns in `rounds` slices, so that a change in the machine's load
            // weighs on both alike.
            let only = std::env::var("BENCH_ONLY").unwrap_or_default();
            let slice = measure / rounds;
            let (mut reference, mut minimal) = (Totals::default(), Totals::default());
            for _ in 0..rounds {
                if only != "minimal" {
                    reference.add(load(
                        &client_rt,
                        server.local_addr(),
                        &mix,
                        conns,
                        warmup,
                        slice,
                    ));
                }
                if only != "reference" {
                    minimal.add(load(&client_rt, minimal_addr, &mix, conns, warmup, slice));
                }
            }
            println!(
                "  {conns:>5}  {:>12.0}  {:>12.0}  {:>7.2}",
                reference.per_second(),
                minimal.per_second(),
                reference.per_second() / minimal.per_second().max(1.0)
            );
            if let Some(layer) = &layer {
                let mut totals = Totals::default();
                for _ in 0..rounds {
                    totals.add(load(
                        &client_rt,
                        layer.local_addr(),
                        &mix,
                        conns,
                        warmup,
                        slice,
                    ));
                }
                println!(
                    "         the server's HTTP layer alone (fixed answer): {:>9.0}/s  ratio {:.2}",
                    totals.per_second(),
                    totals.per_second() / minimal.per_second().max(1.0)
                );
            }
            for (who, totals) in [("reference", &reference), ("minimal", &minimal)] {
                if totals.server_errors > 0 || totals.failed_connections > 0 {
                    failures += totals.server_errors + totals.failed_connections;
                    println!(
                        "    {who}: {} 5xx answers, {} failed connections",
                        totals.server_errors, totals.failed_connections
                    );
                }
            }
        }
        server_rt.block_on(server.shutdown());
    }
    minimal_task.abort();
    if failures > 0 {
        println!("\n{failures} 5xx answers or failed connections (see above)");
        std::process::exit(1);
    }
}
