//! `opsworks-conformance serve`: the address on the first line, requests answered, exit 2 for
//! what cannot be served, a clean stop on SIGTERM.
#![cfg(feature = "cli")]

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStderr, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use opsworks_conformance::contract::{CommandName, CreateDeploymentInput, wire};
use opsworks_conformance::world::World;

const BINARY: &str = env!("CARGO_BIN_EXE_opsworks-conformance");

/// A `serve` child, killed when dropped.
struct Serving {
    child: Child,
    url: String,
}

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `serve` with these arguments and reads the first line of its standard output.
fn serve(args: &[&str]) -> Serving {
    let mut child = Command::new(BINARY)
        .arg("serve")
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let stdout = child.stdout.take().expect("piped stdout");
    let (line_tx, line_rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = line_tx.send(line);
    });
    let Ok(line) = line_rx.recv_timeout(Duration::from_secs(20)) else {
        let _ = child.kill();
        panic!("serve printed no line within 20 s");
    };
    let Some(url) = line.strip_prefix("listening on ") else {
        let _ = child.kill();
        panic!("expected `listening on http://127.0.0.1:PORT`, found {line:?}");
    };
    let url = url.trim_end().to_owned();
    Serving { child, url }
}

/// Checks that `url` is `http://127.0.0.1:PORT` with a port that is not 0.
fn assert_loopback_url(url: &str) {
    let port = url
        .strip_prefix("http://127.0.0.1:")
        .unwrap_or_else(|| panic!("expected http://127.0.0.1:PORT, found {url:?}"));
    let port: u16 = port
        .parse()
        .unwrap_or_else(|_| panic!("expected a port, found {port:?}"));
    assert_ne!(port, 0);
}

/// Runs `serve` with arguments that must make it fail; its exit code and standard error.
fn serve_fails(args: &[&str]) -> (Option<i32>, String) {
    let output = Command::new(BINARY)
        .arg("serve")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Reads standard error up to and including the line `serving until ...`, the last line
/// `serve` writes before it serves (or up to its end, or 20 s).
fn startup_messages(stderr: Option<ChildStderr>) -> String {
    let Some(stderr) = stderr else {
        return String::new();
    };
    let (text_tx, text_rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut text = String::new();
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            text.push_str(&line);
            text.push('\n');
            if line.starts_with("serving until") {
                break;
            }
        }
        let _ = text_tx.send(text);
    });
    text_rx
        .recv_timeout(Duration::from_secs(20))
        .unwrap_or_else(|_| "(no startup messages within 20 s)".to_owned())
}

#[tokio::test]
async fn serve_prints_its_address_and_answers() {
    let serving = serve(&["--listen", "127.0.0.1:0"]);
    assert_loopback_url(&serving.url);
    let world = World::bundled();
    let body =
        CreateDeploymentInput::new(&world.stacks[0].stack_id, CommandName::Configure).to_json();
    let client = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client");
    let response = client
        .post(&serving.url)
        .header("Content-Type", wire::CONTENT_TYPE)
        .header(wire::TARGET_HEADER, wire::TARGET_VALUE)
        .body(body)
        .send()
        .await
        .expect("the server answers");
    assert_eq!(response.status().as_u16(), 200);
    let bytes = response.bytes().await.expect("a body");
    let answer: serde_json::Value = serde_json::from_slice(&bytes).expect("JSON");
    assert!(answer["DeploymentId"].is_string(), "{answer}");
}

#[test]
fn serve_listens_on_a_free_port_by_default_and_tells_what_it_serves() {
    let mut serving = serve(&[]);
    assert_loopback_url(&serving.url);
    let stderr = startup_messages(serving.child.stderr.take());
    let stacks = World::bundled().stacks.len();
    assert!(
        stderr.contains(&format!("world: {stacks} stacks, 0 users")),
        "{stderr}"
    );
    assert!(stderr.contains("127.0.0.1"), "{stderr}");
}

#[test]
fn serve_reads_a_world_file() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/worlds/with-users.json");
    let mut serving = serve(&["--world", path, "--region", "eu-west-1"]);
    assert_loopback_url(&serving.url);
    let stderr = startup_messages(serving.child.stderr.take());
    let users = World::bundled_with_users().users.len();
    assert!(stderr.contains(&format!("{users} users")), "{stderr}");
    assert!(stderr.contains("eu-west-1"), "{stderr}");
    assert!(!stderr.contains("deployer-secret"), "{stderr}");
}

#[test]
fn a_missing_world_file_exits_2_naming_it() {
    let (code, stderr) = serve_fails(&["--world", "/nonexistent/world.json"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("/nonexistent/world.json"), "{stderr}");
}

#[test]
fn an_invalid_world_file_exits_2_naming_the_member() {
    let path = std::env::temp_dir().join(format!(
        "opsworks-conformance-cli-serve-{}.json",
        std::process::id()
    ));
    std::fs::write(
        &path,
        r#"{"Stacks":[{"StackId":"s","Apps":[{"AppId":"a","Type":"php","Versions":9}]}]}"#,
    )
    .expect("write a temporary world file");
    let (code, stderr) = serve_fails(&["--world", &path.to_string_lossy()]);
    let _ = std::fs::remove_file(&path);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("Stacks[0].Apps[0].Versions"), "{stderr}");
}

#[test]
fn an_address_in_use_exits_2_naming_it() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = taken.local_addr().expect("local address").to_string();
    let (code, stderr) = serve_fails(&["--listen", &addr]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains(&addr), "{stderr}");
    let (code, stderr) = serve_fails(&["--listen", "not-an-address"]);
    assert_eq!(code, Some(2), "{stderr}");
}

#[cfg(unix)]
#[test]
fn sigterm_stops_the_server_cleanly() {
    let mut serving = serve(&[]);
    let status = Command::new("kill")
        .args(["-TERM", &serving.child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let exit = loop {
        if let Some(exit) = serving.child.try_wait().expect("try_wait works") {
            break exit;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "serve still runs 10 s after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(exit.code(), Some(0));
}
