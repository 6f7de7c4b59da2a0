//! The gate against targets that misbehave below the contract: they hang, answer slowly, reset
//! connections, close after the headers, answer bytes that are not JSON or not HTTP, answer
//! 100 MiB, or redirect. Each is a failure of the rule that covers it, reported in a bounded
//! time; never a hang or a panic of the gate.
//!
//! | fault                                  | rule failed                              |
//! |----------------------------------------|------------------------------------------|
//! | no answer (hang), answer too slow      | P-NO-SERVER-ERROR (`timed out`)          |
//! | connection reset, closed after headers | P-NO-SERVER-ERROR (`connection dropped`) |
//! | bytes that are not HTTP, huge head     | P-NO-SERVER-ERROR (`unparsable response`)|
//! | body over the limit (100 MiB)          | P-NO-SERVER-ERROR (`unparsable response`)|
//! | 200 with a body that is not JSON       | P-SUCCESS-SHAPE                          |
//! | 400 with a body that is not JSON       | P-ERROR-SHAPE                            |
//! | 3xx redirect (never followed)          | P-ERROR-SHAPE (and S-ACCEPT-VALID)       |
//!
//! Every server listens on 127.0.0.1 (a port picked by the system) and is stopped by its test;
//! every test is bounded in time (`within`).
#![cfg(all(feature = "server", feature = "http", feature = "junit"))]

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use opsworks_conformance::contract::{
    Observation, RawRequest, RuleId, TransportFailureKind, rules,
};
use opsworks_conformance::report::{human_report, json_report, junit_report};
use opsworks_conformance::runner::{RuleStatus, RunConfig, RunReport, run};
use opsworks_conformance::server::{ReferenceServer, ServerOptions};
use opsworks_conformance::target::{
    HttpTarget, HttpTargetOptions, ReferenceTarget, Target, from_fn,
};
use opsworks_conformance::world::World;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// The region every run signs for.
const REGION: &str = "us-east-1";

/// The per-request timeout of these runs.
const TIMEOUT: Duration = Duration::from_millis(200);

/// How many requests the gate may have in flight at once (`HttpTargetOptions::concurrency`):
/// those already sent when the target is given up on may time out too.
const IN_FLIGHT: usize = 8;

/// The longest a run against a hanging or slow target may take here (debug build, tests in
/// parallel): seconds, where one timeout per case would be 2,048 x 200 ms, almost 7 minutes.
const BOUND: Duration = Duration::from_secs(15);

/// Cases per run, for the faults that do not need the full budget to show: the least the
/// runner gives each rule (8) times the 9 protocol rules.
const CASES: usize = 72;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// Fails the test when `future` takes longer than `limit`: no test here may hang.
async fn within<T>(limit: Duration, what: &str, future: impl Future<Output = T>) -> T {
    match tokio::time::timeout(limit, future).await {
        Ok(value) => value,
        Err(_) => panic!("{what}: still running after {limit:?}"),
    }
}

/// A raw TCP server on 127.0.0.1 that hands each accepted connection to `serve`; aborted (and
/// its connections dropped) when dropped.
struct RawServer {
    addr: SocketAddr,
    task: JoinHandle<()>,
}

impl RawServer {
    async fn start<F, Fut>(serve: F) -> RawServer
    where
        F: Fn(TcpStream) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local address");
        let task = tokio::spawn(async move {
            let mut connections = tokio::task::JoinSet::new();
            while let Ok((socket, _)) = listener.accept().await {
                connections.spawn(serve(socket));
            }
        });
        RawServer { addr, task }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for RawServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Reads one request (head, then as many body bytes as `Content-Length` says); `false` when the
/// connection ended first.
async fn read_request(socket: &mut TcpStream) -> bool {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match socket.read(&mut byte).await {
            Ok(1) => head.push(byte[0]),
            _ => return false,
        }
    }
    let head = String::from_utf8_lossy(&head).to_ascii_lowercase();
    let length = head
        .lines()
        .find_map(|line| line.strip_prefix("content-length:"))
        .and_then(|value| value.trim().parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    socket.read_exact(&mut body).await.is_ok()
}

/// A server that answers every request with these bytes, then closes the connection.
async fn answering(bytes: &'static [u8]) -> RawServer {
    RawServer::start(move |mut socket| async move {
        if read_request(&mut socket).await {
            let _ = socket.write_all(bytes).await;
            let _ = socket.shutdown().await;
        }
    })
    .await
}

fn options() -> HttpTargetOptions {
    HttpTargetOptions {
        timeout: TIMEOUT,
        ..HttpTargetOptions::default()
    }
}

/// A run of `cases` cases of the rules `only` selects, with a short shrinking budget (every
/// rule a fault breaks is shrunk, each step re-asking the target).
fn config(only: Option<&str>, cases: usize) -> RunConfig {
    let mut config = RunConfig::default().with_cases(cases);
    config.only = only.map(str::to_owned);
    config.max_shrink_steps = 8;
    config
}

/// Runs the gate against `url` in `world`; returns the report, the target (for its timeout
/// count) and how long the run took.
async fn gate_with(
    url: &str,
    world: &World,
    options: HttpTargetOptions,
    config: &RunConfig,
) -> (RunReport, HttpTarget, Duration) {
    let target = HttpTarget::with_options(url, options).expect("a 127.0.0.1 URL is valid");
    let started = Instant::now();
    let report = run(&target, world, config).await;
    let elapsed = started.elapsed();
    eprintln!(
        "gate {url}: {} cases sent in {elapsed:?}, {} timeouts, gave up: {}",
        report.cases,
        target.timeouts(),
        target.gave_up()
    );
    (report, target, elapsed)
}

/// The rules `only` selects (P-* by default: every fault here breaks one of them), in the
/// bundled world.
async fn gate(url: &str, only: Option<&str>) -> (RunReport, Duration) {
    let only = only.unwrap_or("P-");
    let (report, _, elapsed) = gate_with(
        url,
        &World::bundled(),
        options(),
        &config(Some(only), CASES),
    )
    .await;
    (report, elapsed)
}

/// A full run: every rule, 2048 cases, the default shrinking budget.
fn full() -> RunConfig {
    RunConfig::default()
}

/// Asserts the run failed `rule` (and so the verdict), and returns its counterexample's
/// failure text (`found`).
fn assert_failed(report: &RunReport, rule: RuleId) -> String {
    assert!(!report.passed(), "{}", human_report(report, REGION));
    let entry = report.rule(rule).expect("the rule was run");
    assert_eq!(
        entry.status,
        RuleStatus::Failed,
        "{rule}\n{}",
        human_report(report, REGION)
    );
    let example = entry
        .counterexample
        .as_ref()
        .expect("a failed rule has a counterexample");
    // The reports are written whatever the fault.
    let json = json_report(report, REGION);
    assert_eq!(json["verdict"], "fail");
    let _ = junit_report(report, REGION);
    example.found.clone()
}

/// The kind of the transport failure of a rule's counterexample.
fn failure_kind(report: &RunReport, rule: RuleId) -> Option<TransportFailureKind> {
    report
        .rule(rule)
        .and_then(|rule| rule.counterexample.as_ref())
        .and_then(|example| example.failure.as_ref())
        .map(|failure| failure.kind)
}

/// Asserts that P-NO-SERVER-ERROR failed with a transport failure of `kind`; its text.
fn assert_transport_failure(report: &RunReport, kind: TransportFailureKind) -> String {
    let found = assert_failed(report, rules::P_NO_SERVER_ERROR);
    assert_eq!(
        failure_kind(report, rules::P_NO_SERVER_ERROR),
        Some(kind),
        "{found}"
    );
    found
}

/// Serves `target` over HTTP on 127.0.0.1.
async fn serve(target: impl Target + 'static) -> ReferenceServer {
    ReferenceServer::serve_target(Arc::new(target), ServerOptions::default())
        .await
        .expect("serve_target starts on 127.0.0.1")
}

// ---------------------------------------------------------------------------------------------
// Hangs and slowness: P-NO-SERVER-ERROR (timed out), and the run ends within its budget
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_hanging_target_is_given_up_on_and_a_full_run_ends_in_about_three_timeouts() {
    // Reads the request, then holds the connection open without a byte of answer.
    let server = RawServer::start(|mut socket| async move {
        let _ = read_request(&mut socket).await;
        tokio::time::sleep(Duration::from_secs(600)).await;
        drop(socket);
    })
    .await;
    let (report, target, elapsed) = within(
        Duration::from_secs(20),
        "a full run against a hanging target",
        gate_with(&server.url(), &World::bundled(), options(), &full()),
    )
    .await;
    let found = assert_failed(&report, rules::P_NO_SERVER_ERROR);
    assert_eq!(
        failure_kind(&report, rules::P_NO_SERVER_ERROR),
        Some(TransportFailureKind::Timeout)
    );
    // The counterexample is a request that was sent and timed out, not one left unsent.
    assert_eq!(
        found, "timed out: no complete response within 200 ms",
        "{found}"
    );
    assert!(target.gave_up());
    // Sequential runs give exactly 3 timeouts and 1 case; a runner with requests in flight
    // at once may see the ones already sent time out too.
    assert!(
        (3..3 + IN_FLIGHT).contains(&target.timeouts()),
        "{}",
        target.timeouts()
    );
    assert!(
        (1..=IN_FLIGHT).contains(&report.cases),
        "{}",
        human_report(&report, REGION)
    );
    // Three timeouts (the first case, two shrinking steps), then nothing is sent.
    assert!(elapsed < BOUND, "{elapsed:?}");
    assert!(elapsed >= TIMEOUT * 3, "{elapsed:?}");
    // The rules no case reached are not applicable, never passed.
    assert_eq!(report.count(RuleStatus::Passed), 0);
    assert!(
        report
            .notes
            .iter()
            .any(|note| note.contains("were not sent")),
        "{:?}",
        report.notes
    );
    // A request sent after giving up fails at once, saying why.
    let started = Instant::now();
    let failure = target
        .send(&RawRequest::json("{}"))
        .await
        .expect_err("given up");
    assert!(started.elapsed() < Duration::from_millis(100));
    assert_eq!(failure.kind, TransportFailureKind::NotSent);
    assert!(
        failure
            .to_string()
            .starts_with("not sent: the gate gave up on the target after 3 timeouts of 200 ms"),
        "{failure}"
    );
}

/// A target that answers like the reference implementation, except for the requests
/// `hangs(n)` picks (n counts from 0), which it never answers.
fn hanging_when(hangs: impl Fn(usize) -> bool + Send + Sync + 'static) -> impl Target + 'static {
    let reference = Arc::new(ReferenceTarget::new(World::bundled()));
    let count = Arc::new(AtomicUsize::new(0));
    from_fn(move |request: RawRequest| {
        let reference = Arc::clone(&reference);
        let hang = hangs(count.fetch_add(1, Ordering::SeqCst));
        async move {
            if hang {
                tokio::time::sleep(Duration::from_secs(600)).await;
            }
            reference.send(&request).await
        }
    })
}

#[tokio::test]
async fn a_target_that_hangs_after_forty_answers_fails_and_the_run_ends_quickly() {
    let server = serve(hanging_when(|n| n >= 40)).await;
    let (report, target, elapsed) = within(
        Duration::from_secs(20),
        "a run against a target that stops answering",
        gate_with(
            &server.url(),
            &World::bundled(),
            options(),
            &config(None, CASES),
        ),
    )
    .await;
    drop(server);
    assert_failed(&report, rules::P_NO_SERVER_ERROR);
    assert_eq!(
        failure_kind(&report, rules::P_NO_SERVER_ERROR),
        Some(TransportFailureKind::Timeout)
    );
    assert!(target.gave_up());
    // The probe's two requests come first (runner::PROBE_UNKNOWN_OPERATION): 38 cases are
    // answered, then the target hangs.
    assert!(
        (39..39 + IN_FLIGHT).contains(&report.cases),
        "{}",
        human_report(&report, REGION)
    );
    // Rules the first forty answers exercised keep their results.
    assert!(report.count(RuleStatus::Passed) > 0);
    assert!(elapsed < BOUND, "{elapsed:?}");
}

#[tokio::test]
async fn a_target_that_hangs_on_every_other_request_is_given_up_on_after_sixteen_timeouts() {
    let server = serve(hanging_when(|n| n % 2 == 1)).await;
    let options = HttpTargetOptions {
        timeout: Duration::from_millis(100),
        ..HttpTargetOptions::default()
    };
    let (report, target, elapsed) = within(
        Duration::from_secs(20),
        "a run against a target that hangs on every other request",
        gate_with(
            &server.url(),
            &World::bundled(),
            options,
            &config(None, CASES),
        ),
    )
    .await;
    drop(server);
    assert_failed(&report, rules::P_NO_SERVER_ERROR);
    assert!(target.gave_up());
    assert!(
        (16..16 + IN_FLIGHT).contains(&target.timeouts()),
        "{}",
        target.timeouts()
    );
    // 16 timeouts of 100 ms, and the answers in between.
    assert!(elapsed < BOUND, "{elapsed:?}");
}

#[tokio::test]
async fn limits_of_zero_never_give_up() {
    let server = serve(hanging_when(|n| n < 5)).await;
    let options = HttpTargetOptions {
        timeout: Duration::from_millis(100),
        max_consecutive_timeouts: 0,
        max_timeouts: 0,
        ..HttpTargetOptions::default()
    };
    let (report, target, _) = within(
        Duration::from_secs(20),
        "a run that never gives up",
        gate_with(
            &server.url(),
            &World::bundled(),
            options,
            &config(None, CASES),
        ),
    )
    .await;
    drop(server);
    assert_failed(&report, rules::P_NO_SERVER_ERROR);
    assert!(!target.gave_up());
    assert_eq!(target.timeouts(), 5);
    // After the five hangs, the target answered the rest.
    assert_eq!(
        report.rule(rules::S_ACCEPT_VALID).map(|rule| rule.status),
        Some(RuleStatus::Passed)
    );
}

#[tokio::test]
async fn an_answer_slower_than_the_timeout_times_out() {
    // A whole, correct answer, 500 ms after the request: beyond the 200 ms timeout.
    let slow = RawServer::start(|mut socket| async move {
        if read_request(&mut socket).await {
            tokio::time::sleep(Duration::from_millis(500)).await;
            let _ = socket
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: 21\r\nConnection: close\r\n\r\n{\"DeploymentId\":\"d1\"}")
                .await;
        }
    })
    .await;
    // Headers at once, then the body one byte every 100 ms (slowloris): the timeout covers
    // the whole exchange, not only the wait for the headers.
    let dripping = RawServer::start(|mut socket| async move {
        if read_request(&mut socket).await {
            let _ = socket
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: 21\r\nConnection: close\r\n\r\n")
                .await;
            for byte in b"{\"DeploymentId\":\"d1\"}" {
                tokio::time::sleep(Duration::from_millis(100)).await;
                if socket.write_all(&[*byte]).await.is_err() {
                    return;
                }
            }
        }
    })
    .await;
    for server in [slow, dripping] {
        let (report, _, elapsed) = within(
            Duration::from_secs(20),
            "a run against a slow target",
            gate_with(
                &server.url(),
                &World::bundled(),
                options(),
                &config(Some("P-"), CASES),
            ),
        )
        .await;
        let found = assert_failed(&report, rules::P_NO_SERVER_ERROR);
        assert_eq!(found, "timed out: no complete response within 200 ms");
        assert!(elapsed < BOUND, "{elapsed:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// Connections cut: P-NO-SERVER-ERROR (connection dropped)
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn reset_connections_are_dropped() {
    // Read the request, then reset (RST, not FIN): SO_LINGER 0 and close.
    let after_request = RawServer::start(|mut socket| async move {
        let _ = read_request(&mut socket).await;
        let _ = socket.set_zero_linger();
        drop(socket);
    })
    .await;
    // Reset before reading anything.
    let at_once = RawServer::start(|socket| async move {
        let _ = socket.set_zero_linger();
        drop(socket);
    })
    .await;
    for server in [after_request, at_once] {
        // A filter that leaves P-NO-SERVER-ERROR out does not hide the failure.
        for only in [None, Some("V-*")] {
            let (report, elapsed) = within(
                Duration::from_secs(20),
                "a run against a resetting target",
                gate(&server.url(), only),
            )
            .await;
            let found = assert_transport_failure(&report, TransportFailureKind::Dropped);
            assert!(found.starts_with("connection dropped: "), "{found}");
            assert!(elapsed < Duration::from_secs(10), "{elapsed:?}");
        }
    }
}

#[tokio::test]
async fn a_connection_closed_after_the_headers_is_dropped() {
    let server = answering(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: 100\r\n\r\n",
    )
    .await;
    let (report, _) = within(
        Duration::from_secs(20),
        "a run against a target closing after the headers",
        gate(&server.url(), None),
    )
    .await;
    assert_transport_failure(&report, TransportFailureKind::Dropped);
}

// ---------------------------------------------------------------------------------------------
// Answers that are not JSON, or not HTTP
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_success_that_is_not_json_breaks_the_success_shape() {
    let server = answering(
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 21\r\nConnection: close\r\n\r\n<html>deployed</html>",
    )
    .await;
    let (report, _) = within(
        Duration::from_secs(20),
        "a run against an HTML target",
        gate(&server.url(), None),
    )
    .await;
    let found = assert_failed(&report, rules::P_SUCCESS_SHAPE);
    assert_eq!(found, "200 <html>deployed</html>");
    assert_eq!(
        report
            .rule(rules::P_RESPONSE_CONTENT_TYPE)
            .map(|rule| rule.status),
        Some(RuleStatus::Warned)
    );
    // An HTTP answer came back every time: no transport failure.
    assert_eq!(
        report
            .rule(rules::P_NO_SERVER_ERROR)
            .map(|rule| rule.status),
        Some(RuleStatus::Passed)
    );
}

#[tokio::test]
async fn an_error_that_is_not_json_breaks_the_error_shape() {
    let server = answering(
        b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: 11\r\nConnection: close\r\n\r\nbad request",
    )
    .await;
    let (report, _) = within(
        Duration::from_secs(20),
        "a run against a plain-text target",
        gate(&server.url(), Some("P-ERROR-")),
    )
    .await;
    let found = assert_failed(&report, rules::P_ERROR_SHAPE);
    assert_eq!(found, "400 bad request");
    assert_eq!(
        report.rule(rules::P_ERROR_MESSAGE).map(|rule| rule.status),
        Some(RuleStatus::Warned)
    );
}

#[tokio::test]
async fn bytes_that_are_not_http_are_unparsable() {
    let garbage = answering(b"SSH-2.0-OpenSSH_9.6\r\n\r\n").await;
    // A head that never ends: header lines until the client gives up reading.
    let endless_head = RawServer::start(|mut socket| async move {
        if read_request(&mut socket).await {
            let _ = socket.write_all(b"HTTP/1.1 200 OK\r\n").await;
            let line = format!("X-Filler: {}\r\n", "f".repeat(1000));
            for _ in 0..100_000 {
                if socket.write_all(line.as_bytes()).await.is_err() {
                    return;
                }
            }
        }
    })
    .await;
    for server in [garbage, endless_head] {
        let (report, elapsed) = within(
            Duration::from_secs(20),
            "a run against a target that does not speak HTTP",
            gate(&server.url(), Some("P-NO-SERVER-ERROR")),
        )
        .await;
        assert_transport_failure(&report, TransportFailureKind::Unparsable);
        assert!(elapsed < Duration::from_secs(10), "{elapsed:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// 100 MiB answers: read no further than the limit
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_hundred_mebibyte_answer_is_cut_at_the_limit() {
    const SIZE: usize = 100 * 1024 * 1024;
    for announced in [true, false] {
        let written = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&written);
        let server = RawServer::start(move |mut socket| {
            let written = Arc::clone(&counter);
            async move {
                if !read_request(&mut socket).await {
                    return;
                }
                let head = if announced {
                    format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: {SIZE}\r\n\r\n"
                    )
                } else {
                    "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\nConnection: close\r\n\r\n"
                        .to_owned()
                };
                if socket.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let chunk = vec![b' '; 64 * 1024];
                for _ in 0..SIZE / chunk.len() {
                    if socket.write_all(&chunk).await.is_err() {
                        return;
                    }
                    written.fetch_add(chunk.len(), Ordering::SeqCst);
                }
            }
        })
        .await;
        let options = HttpTargetOptions {
            max_response_bytes: 1024 * 1024,
            ..options()
        };
        let (report, _, elapsed) = within(
            Duration::from_secs(20),
            "a run against a target answering 100 MiB",
            gate_with(
                &server.url(),
                &World::bundled(),
                options,
                &config(Some("P-"), 40),
            ),
        )
        .await;
        let found = assert_failed(&report, rules::P_NO_SERVER_ERROR);
        assert_eq!(
            found, "unparsable response: response body over 1048576 bytes",
            "announced {announced}"
        );
        // Every case was answered 100 MiB; far less was taken from the sockets, and it took
        // no time.
        let sent = report.cases;
        let total = written.load(Ordering::SeqCst);
        eprintln!(
            "100 MiB answers (announced {announced}): {sent} cases, {} MiB written by the server in all, {elapsed:?}",
            total / (1024 * 1024)
        );
        assert!(
            total < sent * SIZE / 4,
            "{total} bytes written for {sent} cases"
        );
        assert!(elapsed < Duration::from_secs(10), "{elapsed:?}");
        drop(server);
    }
}

// ---------------------------------------------------------------------------------------------
// Redirects: what the target answered, never followed
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn redirects_are_not_followed_and_break_the_error_shape() {
    // Where the redirects point: a correct implementation, counting what reaches it.
    let reached = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&reached);
    let reference = Arc::new(ReferenceTarget::new(World::bundled()));
    let elsewhere = serve(from_fn(move |request: RawRequest| {
        counter.fetch_add(1, Ordering::SeqCst);
        let reference = Arc::clone(&reference);
        async move { reference.send(&request).await }
    }))
    .await;
    for status in [
        "301 Moved Permanently",
        "302 Found",
        "307 Temporary Redirect",
        "308 Permanent Redirect",
    ] {
        let location = elsewhere.url();
        let server = RawServer::start(move |mut socket| {
            let answer = format!(
                "HTTP/1.1 {status}\r\nLocation: {location}/\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
            async move {
                if read_request(&mut socket).await {
                    let _ = socket.write_all(answer.as_bytes()).await;
                }
            }
        })
        .await;
        let (report, _) = within(
            Duration::from_secs(20),
            "a run against a redirecting target",
            gate(&server.url(), Some("P-ERROR-SHAPE")),
        )
        .await;
        let found = assert_failed(&report, rules::P_ERROR_SHAPE);
        assert!(found.starts_with(&status[..3]), "{status}: {found}");
        let observed = report
            .rule(rules::P_ERROR_SHAPE)
            .and_then(|rule| rule.counterexample.as_ref())
            .and_then(|example| example.observed.clone())
            .unwrap_or_else(Observation::default);
        assert_eq!(observed.status.to_string(), status[..3]);
    }
    assert_eq!(reached.load(Ordering::SeqCst), 0, "a redirect was followed");
    elsewhere.shutdown().await;
}

// ---------------------------------------------------------------------------------------------
// Secrets stay out of every report and error, whatever the target does
// ---------------------------------------------------------------------------------------------

/// The bundled world with users, with secrets no text could hold by chance.
fn world_with_distinctive_secrets() -> World {
    let mut world = World::bundled_with_users();
    for (index, user) in world.users.iter_mut().enumerate() {
        user.secret_access_key = format!("wJalrXUtnFEMI/K7MDENG/bPxRfiCY{index:02}SECRETKEY");
    }
    world
}

#[tokio::test]
async fn no_secret_or_signature_in_reports_whatever_the_target_does() {
    let world = world_with_distinctive_secrets();
    let secrets: Vec<String> = world
        .users
        .iter()
        .map(|user| user.secret_access_key.clone())
        .collect();
    // A target that echoes every request header back in a 400 error (signature included).
    let echo = serve(from_fn(|request: RawRequest| async move {
        let headers: Vec<String> = request
            .headers
            .iter()
            .map(|(name, value)| format!("{name}: {value}"))
            .collect();
        let body = serde_json::json!({
            "__type": "InvalidSignatureException",
            "message": headers.join("; "),
        });
        Ok(Observation::json(400, body.to_string()))
    }))
    .await;
    let hanging = RawServer::start(|mut socket| async move {
        let _ = read_request(&mut socket).await;
        tokio::time::sleep(Duration::from_secs(600)).await;
    })
    .await;
    let resetting = RawServer::start(|mut socket| async move {
        let _ = read_request(&mut socket).await;
        let _ = socket.set_zero_linger();
    })
    .await;
    let reference = ReferenceServer::start(world.clone())
        .await
        .expect("the reference server starts");
    // The access rules for the servers that answer; the transport rule for those that do not.
    let runs = [
        (echo.url(), "A-"),
        (hanging.url(), "P-NO-SERVER-ERROR"),
        (resetting.url(), "P-NO-SERVER-ERROR"),
        (reference.url(), "A-"),
    ];
    for (url, only) in runs {
        let (report, target, _) = within(
            Duration::from_secs(25),
            "a run in a world with users",
            gate_with(&url, &world, options(), &config(Some(only), CASES)),
        )
        .await;
        assert!(
            report
                .rules
                .iter()
                .any(|rule| rule.counterexample.is_some())
                || url == reference.url(),
            "{url}: no counterexample to look into"
        );
        let signatures: Vec<String> = report
            .rules
            .iter()
            .filter_map(|rule| rule.counterexample.as_ref())
            .filter_map(|example| example.request.header("Authorization"))
            .filter_map(|value| value.split("Signature=").nth(1))
            .map(str::to_owned)
            .collect();
        let texts = [
            ("human", human_report(&report, REGION)),
            (
                "JSON",
                serde_json::to_string(&json_report(&report, REGION)).unwrap_or_default(),
            ),
            ("JUnit", junit_report(&report, REGION)),
            ("Debug of the report", format!("{report:?}")),
            ("Debug of the target", format!("{target:?}")),
        ];
        for (name, text) in &texts {
            for secret in &secrets {
                assert!(
                    !text.contains(secret.as_str()),
                    "{url}: a secret in the {name}"
                );
            }
        }
        // Signatures are left out of the reports (the Debug output of a request shows them:
        // it is for the developer at the keyboard, not for a report).
        for (name, text) in &texts[..3] {
            for signature in &signatures {
                assert!(
                    !text.contains(signature.as_str()),
                    "{url}: a signature in the {name} report:\n{text}"
                );
            }
        }
        for rule in &report.rules {
            if let Some(failure) = rule
                .counterexample
                .as_ref()
                .and_then(|e| e.failure.as_ref())
            {
                let text = format!("{failure:?} {failure}");
                for secret in &secrets {
                    assert!(!text.contains(secret.as_str()), "{text}");
                }
                for signature in &signatures {
                    assert!(!text.contains(signature.as_str()), "{text}");
                }
            }
        }
    }
    echo.shutdown().await;
    reference.shutdown().await;
}
