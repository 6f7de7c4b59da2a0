//! The reference server against hostile and broken clients, over raw TCP: slow senders, bodies
//! too large, empty, cut short or not UTF-8, JSON nested 100,000 deep, 10,000 headers,
//! duplicate headers, HTTP/1.0, pipelining, clients that go away mid-request and bytes that
//! are not HTTP. Each test checks the answer (or the clean close) and that a normal request on
//! a new connection is still answered afterwards. Servers listen on 127.0.0.1 with a port the
//! system picks and are stopped by their test.
#![cfg(feature = "server")]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use opsworks_conformance::contract::{CommandName, CreateDeploymentInput, wire};
use opsworks_conformance::server::{MAX_BODY_BYTES, ReferenceServer, ServerOptions};
use opsworks_conformance::world::World;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The header and body read timeouts of the servers here: short, so that slow senders are
/// cut quickly.
const SHORT: Duration = Duration::from_millis(300);

/// The longest any exchange here may take before the test fails.
const PATIENCE: Duration = Duration::from_secs(10);

async fn start() -> ReferenceServer {
    let options = ServerOptions {
        header_read_timeout: SHORT,
        body_read_timeout: SHORT,
        ..ServerOptions::default()
    };
    ReferenceServer::start_with(World::bundled(), options)
        .await
        .expect("the reference server starts on 127.0.0.1")
}

/// A valid request body for the bundled world.
fn valid_body() -> String {
    let world = World::bundled();
    CreateDeploymentInput::new(&world.stacks[0].stack_id, CommandName::Configure).to_json()
}

/// A request with the standard headers and this body (its exact length announced).
fn request_bytes(body: &[u8], extra_headers: &str) -> Vec<u8> {
    let mut bytes = format!(
        "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: {}\r\n{}: {}\r\n{extra_headers}\
         Content-Length: {}\r\n\r\n",
        wire::CONTENT_TYPE,
        wire::TARGET_HEADER,
        wire::TARGET_VALUE,
        body.len()
    )
    .into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

/// An HTTP response read off a socket.
#[derive(Debug)]
struct Answer {
    status: u16,
    head: String,
    body: String,
}

impl Answer {
    /// The `__type` of an awsJson1_1 error body, if any.
    fn error_type(&self) -> Option<String> {
        let value: serde_json::Value = serde_json::from_str(&self.body).ok()?;
        value.get("__type")?.as_str().map(str::to_owned)
    }

    fn closes(&self) -> bool {
        self.head.to_ascii_lowercase().contains("connection: close")
    }
}

/// Reads one response (head, then a body of its `Content-Length`); `None` when the
/// connection is closed (or reset) before a whole head arrives.
async fn read_answer(stream: &mut TcpStream) -> Option<Answer> {
    let read = async {
        let mut buffer = Vec::new();
        let mut chunk = [0u8; 4096];
        let head_end = loop {
            if let Some(end) = buffer.windows(4).position(|window| window == b"\r\n\r\n") {
                break end + 4;
            }
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return None,
                Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            }
        };
        let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
        let status = head.split(' ').nth(1)?.parse().ok()?;
        let length: usize = head
            .lines()
            .find_map(|line| {
                let (name, value) = line.split_once(':')?;
                name.eq_ignore_ascii_case("content-length")
                    .then(|| value.trim().parse().ok())?
            })
            .unwrap_or(0);
        let mut body = buffer[head_end..].to_vec();
        while body.len() < length {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => body.extend_from_slice(&chunk[..n]),
            }
        }
        // What is past this body belongs to the next (pipelined) answer: put it back.
        let rest = body.split_off(length.min(body.len()));
        Some((
            Answer {
                status,
                head,
                body: String::from_utf8_lossy(&body).into_owned(),
            },
            rest,
        ))
    };
    let (answer, rest) = tokio::time::timeout(PATIENCE, read)
        .await
        .expect("an answer or a close within the patience")?;
    assert!(
        rest.is_empty(),
        "unexpected bytes after the answer: {rest:?}"
    );
    Some(answer)
}

/// Whether the server closes the connection (EOF or reset) within `within`, reading and
/// discarding anything it sends first.
async fn closed_within(stream: &mut TcpStream, within: Duration) -> bool {
    let mut chunk = [0u8; 4096];
    tokio::time::timeout(within, async {
        loop {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
    .await
    .is_ok()
}

async fn connect(addr: SocketAddr) -> TcpStream {
    TcpStream::connect(addr).await.expect("connect")
}

/// Sends `bytes` on a new connection and reads one answer.
async fn exchange(addr: SocketAddr, bytes: &[u8]) -> Option<Answer> {
    let mut stream = connect(addr).await;
    // The server may close before all is written (a head too large): what it answers counts.
    let _ = stream.write_all(bytes).await;
    read_answer(&mut stream).await
}

/// A normal request on a new connection is answered 200 with a deployment id.
async fn still_serves(addr: SocketAddr) {
    let answer = exchange(addr, &request_bytes(valid_body().as_bytes(), ""))
        .await
        .expect("the server still answers a normal request");
    assert_eq!(answer.status, 200, "{answer:?}");
    assert!(answer.body.contains("DeploymentId"), "{answer:?}");
}

#[tokio::test]
async fn a_slow_head_is_cut_and_others_are_served_meanwhile() {
    let server = start().await;
    let addr = server.local_addr();
    let mut slow = connect(addr).await;
    slow.write_all(b"POST / HTTP/1.1\r\nHost: localhost\r\n")
        .await
        .expect("write");
    // While the slow client holds its connection, others are answered.
    still_serves(addr).await;
    let started = Instant::now();
    assert!(
        closed_within(&mut slow, PATIENCE).await,
        "the server keeps a connection whose head never ends"
    );
    assert!(started.elapsed() < SHORT * 10, "{:?}", started.elapsed());
    // An idle connection (no byte at all) is closed the same way.
    let mut idle = connect(addr).await;
    assert!(closed_within(&mut idle, PATIENCE).await);
    still_serves(addr).await;
    server.shutdown().await;
}

#[tokio::test]
async fn a_slow_body_is_answered_408_and_the_connection_closed() {
    let server = start().await;
    let addr = server.local_addr();
    let mut stream = connect(addr).await;
    let body = valid_body();
    let full = request_bytes(body.as_bytes(), "");
    // Everything but the last 10 bytes of the body, then nothing.
    stream
        .write_all(&full[..full.len() - 10])
        .await
        .expect("write");
    still_serves(addr).await;
    let answer = read_answer(&mut stream).await.expect("an answer");
    assert_eq!(answer.status, 408, "{answer:?}");
    assert_eq!(
        answer.error_type().as_deref(),
        Some("RequestTimeoutException")
    );
    assert!(answer.closes(), "{answer:?}");
    assert!(closed_within(&mut stream, PATIENCE).await);
    still_serves(addr).await;
    server.shutdown().await;
}

#[tokio::test]
async fn a_body_one_byte_over_the_limit_is_answered_413() {
    let server = start().await;
    let addr = server.local_addr();
    let body = vec![b' '; MAX_BODY_BYTES + 1];
    let answer = exchange(addr, &request_bytes(&body, ""))
        .await
        .expect("an answer");
    assert_eq!(answer.status, 413, "{answer:?}");
    assert_eq!(
        answer.error_type().as_deref(),
        Some("SerializationException")
    );
    // Exactly at the limit, the body is read (and judged: spaces are not JSON).
    let body = vec![b' '; MAX_BODY_BYTES];
    let answer = exchange(addr, &request_bytes(&body, ""))
        .await
        .expect("an answer");
    assert_eq!(answer.status, 400, "{answer:?}");
    still_serves(addr).await;
    server.shutdown().await;
}

#[tokio::test]
async fn empty_cut_and_non_utf8_bodies_are_answered_400() {
    let server = start().await;
    let addr = server.local_addr();

    // No body at all: read as `{}` (as the service does), so the required members are missing.
    let answer = exchange(addr, &request_bytes(b"", ""))
        .await
        .expect("answer");
    assert_eq!(answer.status, 400, "{answer:?}");
    assert_eq!(answer.error_type().as_deref(), Some("ValidationException"));

    // Bytes that are not UTF-8 inside a JSON string.
    let mut body = br#"{"StackId":""#.to_vec();
    body.extend_from_slice(b"\xff\xfe\xc3");
    body.extend_from_slice(br#"","Command":{"Name":"setup"}}"#);
    let answer = exchange(addr, &request_bytes(&body, ""))
        .await
        .expect("answer");
    assert_eq!(answer.status, 400, "{answer:?}");
    assert!(answer.error_type().is_some(), "{answer:?}");

    // A body cut short: half of what Content-Length announces, then the client stops sending.
    let body = valid_body();
    let full = request_bytes(body.as_bytes(), "");
    let mut stream = connect(addr).await;
    stream
        .write_all(&full[..full.len() - body.len() / 2])
        .await
        .expect("write");
    stream.shutdown().await.expect("half-close");
    let answer = read_answer(&mut stream).await.expect("an answer");
    assert_eq!(answer.status, 400, "{answer:?}");
    assert_eq!(
        answer.error_type().as_deref(),
        Some("SerializationException")
    );

    // A chunked body whose chunk sizes are not hexadecimal.
    let mut stream = connect(addr).await;
    stream
        .write_all(
            format!(
                "POST / HTTP/1.1\r\nHost: localhost\r\n{}: {}\r\n\
                 Transfer-Encoding: chunked\r\n\r\nzz\r\n{{}}\r\n0\r\n\r\n",
                wire::TARGET_HEADER,
                wire::TARGET_VALUE
            )
            .as_bytes(),
        )
        .await
        .expect("write");
    if let Some(answer) = read_answer(&mut stream).await {
        assert_eq!(answer.status, 400, "{answer:?}");
    }
    still_serves(addr).await;
    server.shutdown().await;
}

#[tokio::test]
async fn json_nested_100000_deep_is_a_clear_400_in_the_body_and_in_custom_json() {
    let server = start().await;
    let addr = server.local_addr();
    let depth = 100_000;

    // The body itself: an array nested 100,000 deep.
    let body = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    let answer = exchange(addr, &request_bytes(body.as_bytes(), ""))
        .await
        .expect("answer");
    assert_eq!(answer.status, 400, "{answer:?}");
    assert!(answer.error_type().is_some(), "{answer:?}");

    // An object nested 100,000 deep and never closed.
    let body = "{\"a\":".repeat(depth);
    let answer = exchange(addr, &request_bytes(body.as_bytes(), ""))
        .await
        .expect("answer");
    assert_eq!(answer.status, 400, "{answer:?}");

    // A valid request whose CustomJson is nested 100,000 deep.
    let world = World::bundled();
    let custom = format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth));
    let body = CreateDeploymentInput::new(&world.stacks[0].stack_id, CommandName::Configure)
        .with_custom_json(custom)
        .to_json();
    let answer = exchange(addr, &request_bytes(body.as_bytes(), ""))
        .await
        .expect("answer");
    assert_eq!(answer.status, 400, "{answer:?}");
    assert_eq!(
        answer.error_type().as_deref(),
        Some("ValidationException"),
        "{answer:?}"
    );
    still_serves(addr).await;
    server.shutdown().await;
}

#[tokio::test]
async fn ten_thousand_headers_are_answered_431_or_closed() {
    let server = start().await;
    let addr = server.local_addr();
    let headers: String = (0..10_000)
        .map(|n| format!("X-Many-{n}: {n}\r\n"))
        .collect();
    // The server answers 431 and closes as soon as it has read past the 100th header; the
    // close resets the connection while the client is still sending, which may destroy the
    // answer before it is read: a close without an answer is allowed.
    if let Some(answer) = exchange(addr, &request_bytes(valid_body().as_bytes(), &headers)).await {
        assert_eq!(answer.status, 431, "{answer:?}");
    }
    // 150 headers, small enough to be read whole before the answer: 431 every time.
    let headers: String = (0..150).map(|n| format!("X-Many-{n}: {n}\r\n")).collect();
    let answer = exchange(addr, &request_bytes(valid_body().as_bytes(), &headers))
        .await
        .expect("an answer");
    assert_eq!(answer.status, 431, "{answer:?}");
    // One header of 1 MiB: the head is over the buffer the server keeps.
    let huge = format!("X-Huge: {}\r\n", "h".repeat(1024 * 1024));
    if let Some(answer) = exchange(addr, &request_bytes(valid_body().as_bytes(), &huge)).await {
        assert_eq!(answer.status, 431, "{answer:?}");
    }
    still_serves(addr).await;
    server.shutdown().await;
}

#[tokio::test]
async fn duplicate_target_headers_are_answered_without_a_server_error() {
    let server = start().await;
    let addr = server.local_addr();
    for second in [wire::TARGET_VALUE, "OpsWorks_20130218.CreateDeploymentX"] {
        let extra = format!("{}: {second}\r\n", wire::TARGET_HEADER);
        let answer = exchange(addr, &request_bytes(valid_body().as_bytes(), &extra))
            .await
            .expect("answer");
        assert!(answer.status < 500, "{answer:?}");
        if answer.status != 200 {
            assert!(answer.error_type().is_some(), "{answer:?}");
        }
    }
    still_serves(addr).await;
    server.shutdown().await;
}

#[tokio::test]
async fn http_1_0_is_answered_and_closed() {
    let server = start().await;
    let addr = server.local_addr();
    let body = valid_body();
    let bytes = format!(
        "POST / HTTP/1.0\r\nContent-Type: {}\r\n{}: {}\r\nContent-Length: {}\r\n\r\n{body}",
        wire::CONTENT_TYPE,
        wire::TARGET_HEADER,
        wire::TARGET_VALUE,
        body.len()
    );
    let mut stream = connect(addr).await;
    stream.write_all(bytes.as_bytes()).await.expect("write");
    let answer = read_answer(&mut stream).await.expect("answer");
    assert_eq!(answer.status, 200, "{answer:?}");
    assert!(answer.head.starts_with("HTTP/1."), "{answer:?}");
    // HTTP/1.0 without keep-alive: the server closes after the answer.
    assert!(closed_within(&mut stream, PATIENCE).await);
    still_serves(addr).await;
    server.shutdown().await;
}

#[tokio::test]
async fn pipelined_requests_are_answered_in_order() {
    let server = start().await;
    let addr = server.local_addr();
    let valid = request_bytes(valid_body().as_bytes(), "");
    let invalid = request_bytes(b"{}", "");
    let mut bytes = Vec::new();
    for request in [&valid, &invalid, &valid, &valid] {
        bytes.extend_from_slice(request);
    }
    let mut stream = connect(addr).await;
    stream.write_all(&bytes).await.expect("write");
    let mut ids = Vec::new();
    for expected in [200, 400, 200, 200] {
        let answer = read_pipelined(&mut stream).await;
        assert_eq!(answer.status, expected, "{answer:?}");
        if expected == 200 {
            ids.push(answer.body);
        }
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 3, "deployment ids repeat: {ids:?}");
    still_serves(addr).await;
    server.shutdown().await;
}

/// Reads one answer of several sent back to back, byte by byte so that none of the next is
/// consumed.
async fn read_pipelined(stream: &mut TcpStream) -> Answer {
    let read = async {
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            let n = stream.read(&mut byte).await.expect("read");
            assert_eq!(n, 1, "closed mid-answer");
            head.push(byte[0]);
        }
        let head = String::from_utf8_lossy(&head).into_owned();
        let status = head
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .expect("status");
        let length: usize = head
            .lines()
            .find_map(|line| {
                let (name, value) = line.split_once(':')?;
                name.eq_ignore_ascii_case("content-length")
                    .then(|| value.trim().parse().ok())?
            })
            .expect("content-length");
        let mut body = vec![0u8; length];
        stream.read_exact(&mut body).await.expect("body");
        Answer {
            status,
            head,
            body: String::from_utf8_lossy(&body).into_owned(),
        }
    };
    tokio::time::timeout(PATIENCE, read).await.expect("in time")
}

#[tokio::test]
async fn clients_that_go_away_mid_request_do_not_disturb_others() {
    let server = start().await;
    let addr = server.local_addr();
    let full = request_bytes(valid_body().as_bytes(), "");
    // Gone mid-head, mid-body, and right after the request (before reading the answer).
    for cut in [10, full.len() - 5, full.len()] {
        let mut stream = connect(addr).await;
        stream.write_all(&full[..cut]).await.expect("write");
        drop(stream);
    }
    // Many at once, while normal requests go on.
    let mut quitters = Vec::new();
    for n in 0..50 {
        let part = full[..(n * 7) % full.len()].to_vec();
        quitters.push(tokio::spawn(async move {
            if let Ok(mut stream) = TcpStream::connect(addr).await {
                let _ = stream.write_all(&part).await;
            }
        }));
    }
    still_serves(addr).await;
    for quitter in quitters {
        quitter.await.expect("quitter task");
    }
    still_serves(addr).await;
    server.shutdown().await;
}

#[tokio::test]
async fn bytes_that_are_not_http_are_answered_400_or_closed() {
    let server = start().await;
    let addr = server.local_addr();
    for garbage in [
        &b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03garbage-tls-hello\r\n\r\n"[..],
        b"GET\r\n\r\n",
        b"POST / HTTP/9.9\r\n\r\n",
        b"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
        b"POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
        b"\0\0\0\0\r\n\r\n",
    ] {
        // Sent whole before the server reads: the 400 is always read before the close.
        let answer = exchange(addr, garbage).await;
        assert_eq!(answer.map(|a| a.status), Some(400), "{garbage:?}");
    }
    still_serves(addr).await;
    server.shutdown().await;
}
