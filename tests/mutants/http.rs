//! A hand-written HTTP/1.1 server (keep-alive, `Content-Length` bodies) answering as the
//! reference target, except that it resets the connection, without an answer, when a predicate
//! holds for the request: a defect `ReferenceServer::serve_target` cannot show, since it turns
//! a failing target into a 500.

use std::net::SocketAddr;
use std::sync::Arc;

use opsworks_conformance::contract::RawRequest;
use opsworks_conformance::target::ReferenceTarget;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// The server; stopped when dropped.
pub struct ResettingServer {
    addr: SocketAddr,
    task: JoinHandle<()>,
}

impl ResettingServer {
    /// Starts the server on 127.0.0.1 (a free port), on the current tokio runtime.
    pub async fn start(target: ReferenceTarget, resets: fn(&RawRequest) -> bool) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free port on 127.0.0.1");
        let addr = listener.local_addr().expect("the bound address");
        let target = Arc::new(target);
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, Arc::clone(&target), resets));
            }
        });
        ResettingServer { addr, task }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for ResettingServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Serves the requests of one connection until the client closes it, or until a request makes
/// the server reset it.
async fn serve(stream: TcpStream, target: Arc<ReferenceTarget>, resets: fn(&RawRequest) -> bool) {
    let mut reader = BufReader::new(stream);
    while let Some(request) = read_request(&mut reader).await {
        if resets(&request) {
            // SO_LINGER 0: closing sends a TCP reset instead of a graceful FIN.
            let _ = reader.get_ref().set_zero_linger();
            return;
        }
        let answer = target.answer_request(&request);
        let mut head = format!("HTTP/1.1 {} Answer\r\n", answer.status);
        for (name, value) in &answer.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str(&format!("Content-Length: {}\r\n\r\n", answer.body.len()));
        let stream = reader.get_mut();
        if stream.write_all(head.as_bytes()).await.is_err()
            || stream.write_all(&answer.body).await.is_err()
            || stream.flush().await.is_err()
        {
            return;
        }
    }
}

/// Reads one request (headers, then a `Content-Length` body); `None` at the end of the
/// connection or on anything this small server does not read.
async fn read_request(reader: &mut BufReader<TcpStream>) -> Option<RawRequest> {
    let mut line = Vec::new();
    if reader.read_until(b'\n', &mut line).await.ok()? == 0 {
        return None;
    }
    let mut headers = Vec::new();
    let mut length = 0usize;
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line).await.ok()? == 0 {
            return None;
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            break;
        }
        let (name, value) = text.split_once(':')?;
        let (name, value) = (name.trim().to_owned(), value.trim().to_owned());
        if name.eq_ignore_ascii_case("Content-Length") {
            length = value.parse().ok()?;
        }
        headers.push((name, value));
    }
    let mut body = vec![0u8; length];
    reader.read_exact(&mut body).await.ok()?;
    Some(RawRequest { headers, body })
}
