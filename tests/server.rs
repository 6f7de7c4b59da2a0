//! The HTTP reference server and the HTTP target, against each other and against small
//! misbehaving servers written here. Everything listens on 127.0.0.1 with a port the system
//! picks; every server is stopped by its test.
#![cfg(all(feature = "server", feature = "http"))]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use opsworks_conformance::contract::{
    CommandName, CreateDeploymentInput, Observation, RawRequest, Response, Signing,
    TransportFailureKind, error_code_of, wire,
};
use opsworks_conformance::oracle::{CallerIdentity, judge_request, judge_response};
use opsworks_conformance::server::{MAX_BODY_BYTES, ReferenceServer, ServerError, ServerOptions};
use opsworks_conformance::sigv4;
use opsworks_conformance::target::{HttpTarget, HttpTargetError, HttpTargetOptions, Target};
use opsworks_conformance::world::World;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

const DEPLOYER: &str = "AKIDDEPLOYER0000001";

async fn start(world: World) -> ReferenceServer {
    ReferenceServer::start(world)
        .await
        .expect("the reference server starts on 127.0.0.1")
}

fn target_for(server: &ReferenceServer) -> HttpTarget {
    HttpTarget::new(&server.url()).expect("the server's URL is valid")
}

fn short_timeout() -> HttpTargetOptions {
    HttpTargetOptions {
        timeout: Duration::from_millis(300),
        ..HttpTargetOptions::default()
    }
}

fn configure(world: &World) -> RawRequest {
    CreateDeploymentInput::new(&world.stacks[0].stack_id, CommandName::Configure).to_raw()
}

fn observed(response: &Response) -> &Observation {
    match response {
        Ok(observation) => observation,
        Err(failure) => panic!("expected an HTTP response, found {failure}"),
    }
}

fn code(observation: &Observation) -> Option<String> {
    error_code_of(&observation.headers, &observation.body)
}

/// Signs (or not) as `signing` says, sends through `target`, and checks that the oracle judges
/// the answer conforming for the identity a correct server establishes.
async fn send_judged(
    server: &ReferenceServer,
    target: &HttpTarget,
    request: &RawRequest,
    signing: &Signing,
) -> Observation {
    let world = server.target().world();
    let signed = sigv4::apply(
        request,
        signing,
        &world,
        &target.authority(),
        "us-east-1",
        SystemTime::now(),
    );
    let verdict = judge_request(&world, &signed, &CallerIdentity::from(signing));
    let response = target.send(&signed).await;
    let judgement = judge_response(&verdict, &response);
    assert!(
        judgement.conforms(true),
        "the oracle refuses the server's answer {response:?}: {:?}",
        judgement
            .failures()
            .chain(judgement.warnings())
            .collect::<Vec<_>>()
    );
    observed(&response).clone()
}

/// A port nothing listens on (bound, then released).
async fn closed_port() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("local address");
    drop(listener);
    addr
}

/// A one-connection-at-a-time server that hands each accepted socket to `serve`.
async fn raw_server<F, Fut>(serve: F) -> (SocketAddr, JoinHandle<()>)
where
    F: Fn(TcpStream) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("local address");
    let task = tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            tokio::spawn(serve(socket));
        }
    });
    (addr, task)
}

/// Reads a request head (up to the blank line) from a socket.
async fn read_head(socket: &mut TcpStream) -> String {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match socket.read(&mut byte).await {
            Ok(1) => head.push(byte[0]),
            _ => break,
        }
    }
    String::from_utf8_lossy(&head).into_owned()
}

#[tokio::test]
async fn a_valid_request_is_answered_200_with_a_deployment_id() {
    let server = start(World::bundled()).await;
    let target = target_for(&server);
    let request = configure(&server.target().world());
    let observation = send_judged(&server, &target, &request, &Signing::Unsigned).await;
    assert_eq!(observation.status, 200, "{observation:?}");
    let body: serde_json::Value = serde_json::from_slice(&observation.body).expect("JSON body");
    assert!(
        body["DeploymentId"]
            .as_str()
            .is_some_and(|id| !id.is_empty()),
        "{body}"
    );
    assert_eq!(observation.header("content-type"), Some(wire::CONTENT_TYPE));
    server.shutdown().await;
}

#[tokio::test]
async fn an_invalid_request_is_answered_400_validation_exception() {
    let server = start(World::bundled()).await;
    let target = target_for(&server);
    let world = server.target().world();
    // An app command without AppId (V-APP-REQUIRED).
    let request =
        CreateDeploymentInput::new(&world.stacks[0].stack_id, CommandName::Deploy).to_raw();
    let observation = send_judged(&server, &target, &request, &Signing::Unsigned).await;
    assert_eq!(observation.status, 400, "{observation:?}");
    assert_eq!(code(&observation).as_deref(), Some("ValidationException"));
    assert_eq!(observation.header("Content-Type"), Some(wire::CONTENT_TYPE));
    server.shutdown().await;
}

#[tokio::test]
async fn a_body_over_one_mebibyte_is_answered_413() {
    let server = start(World::bundled()).await;
    let target = target_for(&server);
    let request = RawRequest::json(vec![b' '; MAX_BODY_BYTES + 1]);
    let observation = observed(&target.send(&request).await).clone();
    assert_eq!(observation.status, 413, "{observation:?}");
    assert_eq!(observation.header("Content-Type"), Some(wire::CONTENT_TYPE));
    let body: serde_json::Value = serde_json::from_slice(&observation.body).expect("JSON body");
    assert_eq!(
        body,
        serde_json::json!({"__type": "SerializationException", "message": "request body over 1 MiB"})
    );
    // The connection is still usable, and exactly 1 MiB is read and judged like any body.
    let at_limit = RawRequest::json(vec![b' '; MAX_BODY_BYTES]);
    let observation = observed(&target.send(&at_limit).await).clone();
    assert_eq!(observation.status, 400, "{observation:?}");
    assert_ne!(
        code(&observation).as_deref(),
        Some("UnknownOperationException")
    );
    server.shutdown().await;
}

#[tokio::test]
async fn a_chunked_body_over_the_limit_is_answered_413() {
    // Without Content-Length the limit applies as the body arrives.
    let server = start(World::bundled()).await;
    let mut socket = TcpStream::connect(server.local_addr())
        .await
        .expect("connect");
    let head = format!(
        "POST / HTTP/1.1\r\nHost: {}\r\nContent-Type: {}\r\nX-Amz-Target: {}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        server.local_addr(),
        wire::CONTENT_TYPE,
        wire::TARGET_VALUE
    );
    socket.write_all(head.as_bytes()).await.expect("write head");
    let chunk = vec![b' '; 64 * 1024];
    for _ in 0..17 {
        socket
            .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
            .await
            .expect("write chunk size");
        socket.write_all(&chunk).await.expect("write chunk");
        socket.write_all(b"\r\n").await.expect("write chunk end");
    }
    socket
        .write_all(b"0\r\n\r\n")
        .await
        .expect("write last chunk");
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), socket.read_to_end(&mut answer)).await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("request body over 1 MiB"), "{answer}");
    server.shutdown().await;
}

#[tokio::test]
async fn other_methods_and_paths_are_answered_404() {
    let server = start(World::bundled()).await;
    let client = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client");
    let get = client.get(server.url()).send().await.expect("GET answered");
    assert_eq!(get.status().as_u16(), 404);
    let content_type = get
        .headers()
        .get("content-type")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    assert_eq!(content_type.as_deref(), Some(wire::CONTENT_TYPE));
    let bytes = get.bytes().await.expect("a body");
    let body: serde_json::Value = serde_json::from_slice(&bytes).expect("JSON body");
    assert_eq!(body["__type"], "UnknownOperationException");
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|message| message.contains("GET /")),
        "{body}"
    );
    let other_path = client
        .post(format!("{}/other", server.url()))
        .body("{}")
        .send()
        .await
        .expect("POST /other answered");
    assert_eq!(other_path.status().as_u16(), 404);
    server.shutdown().await;
}

/// Starts a server with the bundled world with users, sends it `configure` signed as `signing`
/// (the answer judged by the oracle), stops it and returns the answer.
async fn configure_with_users(signing: Signing) -> Observation {
    let server = start(World::bundled_with_users()).await;
    let target = target_for(&server);
    let request = configure(&server.target().world());
    let observation = send_judged(&server, &target, &request, &signing).await;
    server.shutdown().await;
    observation
}

#[tokio::test]
async fn with_users_unsigned_is_403_missing_authentication_token() {
    let observation = configure_with_users(Signing::Unsigned).await;
    assert_eq!(observation.status, 403, "{observation:?}");
    assert_eq!(
        code(&observation).as_deref(),
        Some("MissingAuthenticationTokenException")
    );
}

#[tokio::test]
async fn with_users_a_correct_signature_is_accepted() {
    let observation = configure_with_users(Signing::As(DEPLOYER.to_owned())).await;
    assert_eq!(observation.status, 200, "{observation:?}");
}

#[tokio::test]
async fn with_users_a_wrong_secret_is_403_invalid_signature() {
    let observation = configure_with_users(Signing::WrongSecret(DEPLOYER.to_owned())).await;
    assert_eq!(observation.status, 403, "{observation:?}");
    assert_eq!(
        code(&observation).as_deref(),
        Some("InvalidSignatureException")
    );
}

#[tokio::test]
async fn with_users_an_unknown_key_is_refused() {
    let observation =
        configure_with_users(Signing::UnknownKey("AKIDUNKNOWN00000001".to_owned())).await;
    assert_eq!(observation.status, 403, "{observation:?}");
}

#[tokio::test]
async fn the_server_verifies_signatures_for_its_own_region() {
    let options = ServerOptions {
        region: "eu-west-1".to_owned(),
        ..ServerOptions::default()
    };
    let server = ReferenceServer::start_with(World::bundled_with_users(), options)
        .await
        .expect("server starts");
    let target = target_for(&server);
    let world = server.target().world();
    let request = configure(&world);
    let signing = Signing::As(DEPLOYER.to_owned());
    let for_us = sigv4::apply(
        &request,
        &signing,
        &world,
        &target.authority(),
        "us-east-1",
        SystemTime::now(),
    );
    let observation = observed(&target.send(&for_us).await).clone();
    assert_eq!(
        code(&observation).as_deref(),
        Some("InvalidSignatureException")
    );
    let for_eu = sigv4::apply(
        &request,
        &signing,
        &world,
        &target.authority(),
        "eu-west-1",
        SystemTime::now(),
    );
    assert_eq!(observed(&target.send(&for_eu).await).status, 200);
    server.shutdown().await;
}

#[tokio::test]
async fn fifty_concurrent_requests_are_all_answered() {
    let server = start(World::bundled()).await;
    let target = Arc::new(target_for(&server));
    let request = configure(&server.target().world());
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..50 {
        let target = Arc::clone(&target);
        let request = request.clone();
        tasks.spawn(async move { target.send(&request).await });
    }
    let mut ids = std::collections::HashSet::new();
    while let Some(result) = tasks.join_next().await {
        let response = result.expect("task finished");
        let observation = observed(&response);
        assert_eq!(observation.status, 200, "{observation:?}");
        let body: serde_json::Value = serde_json::from_slice(&observation.body).expect("JSON");
        ids.insert(body["DeploymentId"].as_str().unwrap_or_default().to_owned());
    }
    assert_eq!(ids.len(), 50, "every DeploymentId is fresh");
    server.shutdown().await;
}

#[tokio::test]
async fn a_closed_port_is_refused_quickly() {
    let addr = closed_port().await;
    let target =
        HttpTarget::with_options(&format!("http://{addr}"), short_timeout()).expect("valid URL");
    let started = Instant::now();
    let failure = target
        .send(&RawRequest::json("{}"))
        .await
        .expect_err("nothing listens");
    assert_eq!(failure.kind, TransportFailureKind::Refused, "{failure}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    let probe = target.probe().await.expect_err("nothing listens");
    assert_eq!(probe.kind, TransportFailureKind::Refused, "{probe}");
}

#[tokio::test]
async fn a_server_that_never_answers_times_out() {
    let (addr, task) = raw_server(|mut socket| async move {
        let _ = read_head(&mut socket).await;
        tokio::time::sleep(Duration::from_secs(30)).await;
        drop(socket);
    })
    .await;
    let target =
        HttpTarget::with_options(&format!("http://{addr}"), short_timeout()).expect("valid URL");
    let started = Instant::now();
    let failure = target
        .send(&RawRequest::json("{}"))
        .await
        .expect_err("no answer");
    let elapsed = started.elapsed();
    assert_eq!(failure.kind, TransportFailureKind::Timeout, "{failure}");
    assert!(elapsed >= Duration::from_millis(250), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(2), "{elapsed:?}");
    let probe = target.probe().await.expect_err("no answer");
    assert_eq!(probe.kind, TransportFailureKind::Timeout, "{probe}");
    task.abort();
}

#[tokio::test]
async fn a_twenty_mebibyte_answer_is_unparsable() {
    const SIZE: usize = 20 * 1024 * 1024;
    // Announced with Content-Length, and streamed without it (until the connection closes).
    for announced in [true, false] {
        let (addr, task) = raw_server(move |mut socket| async move {
            let _ = read_head(&mut socket).await;
            let head = if announced {
                format!("HTTP/1.1 200 OK\r\nContent-Length: {SIZE}\r\n\r\n")
            } else {
                "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n".to_owned()
            };
            let _ = socket.write_all(head.as_bytes()).await;
            let chunk = vec![b'x'; 1024 * 1024];
            for _ in 0..20 {
                if socket.write_all(&chunk).await.is_err() {
                    return;
                }
            }
        })
        .await;
        let target = HttpTarget::new(&format!("http://{addr}")).expect("valid URL");
        let failure = target
            .send(&RawRequest::json("{}"))
            .await
            .expect_err("too large");
        assert_eq!(failure.kind, TransportFailureKind::Unparsable, "{failure}");
        assert_eq!(failure.message, "response body over 8388608 bytes");
        // A probe only needs the status line.
        target.probe().await.expect("an HTTP response came back");
        task.abort();
    }
}

#[tokio::test]
async fn bytes_that_are_not_http_are_unparsable_and_a_cut_connection_is_dropped() {
    let (garbage, garbage_task) = raw_server(|mut socket| async move {
        let _ = read_head(&mut socket).await;
        let _ = socket.write_all(b"SSH-2.0-OpenSSH_9.6\r\n\r\n").await;
    })
    .await;
    let target =
        HttpTarget::with_options(&format!("http://{garbage}"), short_timeout()).expect("valid URL");
    let failure = target
        .send(&RawRequest::json("{}"))
        .await
        .expect_err("not HTTP");
    assert_eq!(failure.kind, TransportFailureKind::Unparsable, "{failure}");
    garbage_task.abort();

    let (closing, closing_task) = raw_server(|mut socket| async move {
        let _ = read_head(&mut socket).await;
        drop(socket);
    })
    .await;
    let target =
        HttpTarget::with_options(&format!("http://{closing}"), short_timeout()).expect("valid URL");
    let failure = target
        .send(&RawRequest::json("{}"))
        .await
        .expect_err("closed");
    assert_eq!(failure.kind, TransportFailureKind::Dropped, "{failure}");
    closing_task.abort();

    let (truncating, truncating_task) = raw_server(|mut socket| async move {
        let _ = read_head(&mut socket).await;
        let _ = socket
            .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"Dep")
            .await;
    })
    .await;
    let target = HttpTarget::with_options(&format!("http://{truncating}"), short_timeout())
        .expect("valid URL");
    let failure = target
        .send(&RawRequest::json("{}"))
        .await
        .expect_err("truncated");
    assert_eq!(failure.kind, TransportFailureKind::Dropped, "{failure}");
    truncating_task.abort();
}

#[tokio::test]
async fn headers_are_sent_as_given_host_included() {
    let (heads_tx, mut heads_rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    let (addr, task) = raw_server(move |mut socket| {
        let heads_tx = heads_tx.clone();
        async move {
            let head = read_head(&mut socket).await;
            let _ = heads_tx.send(head);
            let _ = socket
                .write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Twice: a\r\nX-Twice: b\r\n\r\n{}",
                )
                .await;
        }
    })
    .await;
    let target = HttpTarget::new(&format!("http://{addr}")).expect("valid URL");
    let request = RawRequest::json("{}")
        .with_header("Host", "opsworks.us-east-1.amazonaws.com")
        .add_header("X-Dup", "one")
        .add_header("X-Dup", "two")
        .add_header("Content-Length", "999")
        .add_header("X-Bad", "line\nbreak");
    let observation = observed(&target.send(&request).await).clone();
    assert_eq!(observation.status, 200);
    let twice: Vec<&str> = wire::header_values(&observation.headers, "x-twice").collect();
    assert_eq!(twice, ["a", "b"]);
    let head = heads_rx
        .recv()
        .await
        .expect("the request head")
        .to_ascii_lowercase();
    assert!(head.starts_with("post / http/1.1\r\n"), "{head}");
    assert!(
        head.contains("\r\nhost: opsworks.us-east-1.amazonaws.com\r\n"),
        "{head}"
    );
    assert_eq!(head.matches("\r\nhost:").count(), 1, "{head}");
    assert!(
        head.contains("\r\nx-dup: one\r\n") && head.contains("\r\nx-dup: two\r\n"),
        "{head}"
    );
    assert!(head.contains("\r\ncontent-length: 2\r\n"), "{head}");
    assert!(!head.contains("x-bad"), "{head}");
    assert!(
        head.contains(&format!(
            "\r\nx-amz-target: {}\r\n",
            wire::TARGET_VALUE.to_ascii_lowercase()
        )),
        "{head}"
    );
    // Without a Host header, the URL's authority is sent.
    let _ = target.send(&RawRequest::json("{}")).await;
    let head = heads_rx
        .recv()
        .await
        .expect("the request head")
        .to_ascii_lowercase();
    assert!(head.contains(&format!("\r\nhost: {addr}\r\n")), "{head}");
    task.abort();
}

#[tokio::test]
async fn header_values_that_are_not_utf8_are_read_lossily() {
    let server = start(World::bundled()).await;
    let mut socket = TcpStream::connect(server.local_addr())
        .await
        .expect("connect");
    let mut request = format!(
        "POST / HTTP/1.1\r\nHost: {}\r\nContent-Type: {}\r\nX-Amz-Target: ",
        server.local_addr(),
        wire::CONTENT_TYPE
    )
    .into_bytes();
    request.extend_from_slice(
        b"OpsWorks_20130218.Create\xff\xfe\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}",
    );
    socket.write_all(&request).await.expect("write");
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), socket.read_to_end(&mut answer)).await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("UnknownOperationException"), "{answer}");
    server.shutdown().await;
}

#[tokio::test]
async fn probe_succeeds_on_any_http_answer() {
    let server = start(World::bundled_with_users()).await;
    let target = target_for(&server);
    target.probe().await.expect("the server answers");
    server.shutdown().await;
}

#[tokio::test]
async fn shutdown_and_drop_stop_the_server() {
    let server = start(World::bundled()).await;
    let addr = server.local_addr();
    let target = HttpTarget::with_options(&server.url(), short_timeout()).expect("valid URL");
    assert!(target.send(&RawRequest::json("{}")).await.is_ok());
    server.shutdown().await;
    let failure = target
        .send(&RawRequest::json("{}"))
        .await
        .expect_err("stopped");
    assert!(
        matches!(
            failure.kind,
            TransportFailureKind::Refused | TransportFailureKind::Dropped
        ),
        "{failure}"
    );
    assert!(TcpStream::connect(addr).await.is_err());

    let server = start(World::bundled()).await;
    let addr = server.local_addr();
    drop(server);
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(
        TcpStream::connect(addr).await.is_err(),
        "the dropped server still accepts"
    );
}

#[tokio::test]
async fn the_server_reports_what_it_cannot_do() {
    let taken = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = taken.local_addr().expect("local address");
    let options = ServerOptions {
        listen: addr,
        ..ServerOptions::default()
    };
    let error = ReferenceServer::start_with(World::bundled(), options)
        .await
        .expect_err("the port is taken");
    assert!(matches!(error, ServerError::Bind { .. }), "{error:?}");
    let message = error.to_string();
    assert!(
        message.contains(&addr.to_string()) && message.contains("expected"),
        "{message}"
    );

    let mut world = World::bundled();
    let duplicate = world.stacks[0].clone();
    world.stacks.push(duplicate);
    let error = ReferenceServer::start(world)
        .await
        .expect_err("invalid world");
    assert!(matches!(error, ServerError::InvalidWorld(_)), "{error:?}");
}

#[test]
fn http_target_urls_are_checked() {
    for (url, found) in [
        ("ftp://127.0.0.1/", "the scheme \"ftp\""),
        ("127.0.0.1:8080", "does not parse"),
        ("not a url", "does not parse"),
        ("http://", "does not parse"),
        ("unix:/tmp/socket", "scheme"),
    ] {
        let error = HttpTarget::new(url).expect_err(url);
        let message = error.to_string();
        assert!(
            matches!(error, HttpTargetError::InvalidUrl { .. }),
            "{error:?}"
        );
        assert!(
            message.contains("expected an absolute http:// or https:// URL"),
            "{message}"
        );
        assert!(message.contains(found), "{url}: {message}");
    }
    let error = HttpTarget::new("http://user:hunter2@127.0.0.1:8080/").expect_err("password");
    assert!(!error.to_string().contains("hunter2"), "{error}");
    assert!(!format!("{error:?}").contains("hunter2"), "{error:?}");
    let error = HttpTarget::with_options(
        "http://127.0.0.1:8080",
        HttpTargetOptions {
            concurrency: 0,
            ..HttpTargetOptions::default()
        },
    )
    .expect_err("no concurrency");
    assert!(error.to_string().contains("expected at least 1"), "{error}");
}

#[test]
fn http_target_authority_has_a_port() {
    let mut cases = vec![
        ("http://127.0.0.1:8080", "127.0.0.1:8080"),
        ("http://localhost", "localhost:80"),
        ("http://[::1]:9000/", "[::1]:9000"),
    ];
    if cfg!(feature = "tls") {
        cases.push((
            "https://opsworks.us-east-1.amazonaws.com",
            "opsworks.us-east-1.amazonaws.com:443",
        ));
    }
    for (url, authority) in cases {
        let target = HttpTarget::new(url).expect(url);
        assert_eq!(target.authority(), authority, "{url}");
        assert_eq!(target.describe(), url);
    }
}

/// Without the feature `tls`, an `https://` URL is refused when the target is made, naming the
/// feature (never sent in plain text).
#[cfg(not(feature = "tls"))]
#[test]
fn https_needs_the_tls_feature() {
    let error = HttpTarget::new("https://127.0.0.1:8443").expect_err("no TLS in this build");
    assert!(
        matches!(error, HttpTargetError::InvalidUrl { .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("feature `tls`"), "{error}");
}

#[tokio::test]
async fn transport_failures_hold_no_secret() {
    let addr = closed_port().await;
    let world = World::bundled_with_users();
    let target =
        HttpTarget::with_options(&format!("http://{addr}"), short_timeout()).expect("valid URL");
    let signed = sigv4::apply(
        &configure(&world),
        &Signing::As(DEPLOYER.to_owned()),
        &world,
        &target.authority(),
        "us-east-1",
        SystemTime::now(),
    );
    let authorization = signed
        .header("Authorization")
        .unwrap_or_default()
        .to_owned();
    let signature = authorization
        .rsplit('=')
        .next()
        .unwrap_or_default()
        .to_owned();
    let failure = target.send(&signed).await.expect_err("nothing listens");
    for text in [failure.to_string(), format!("{failure:?}")] {
        assert!(!text.contains("deployer-secret"), "{text}");
        assert!(!text.contains(&signature), "{text}");
        assert!(!text.contains(DEPLOYER), "{text}");
    }
}
