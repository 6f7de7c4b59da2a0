//! Plain-HTTP connections straight on hyper: HTTP/1.1 keep-alive connections, a small pool of
//! idle ones, a request sent once.
//!
//! A connection is driven by whoever uses it (no task of its own): the exchange polls the
//! connection and its response together, so that writing the request, parsing the answer and
//! reading its body take no hop between tasks (or threads).

use std::fmt;
use std::future::{Future, poll_fn};
use std::io;
use std::net::SocketAddr;
use std::pin::{Pin, pin};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::client::conn::http1::{self, SendRequest};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use super::{error_chain, is_parse_error};
use crate::contract::{TransportFailure, TransportFailureKind};

/// How long a connection may sit idle before it is retired instead of reused: below the
/// reference server's 10 s idle limit, so that a connection the server is closing after a pause
/// is never picked for the next request.
pub(super) const IDLE_LIMIT: Duration = Duration::from_secs(5);

/// Where connections go: an IP address, or a host name looked up at each connect.
#[derive(Debug, Clone)]
pub(super) enum Address {
    /// An IP address and port.
    Socket(SocketAddr),
    /// A host name and port.
    Host(String, u16),
}

/// What drives a connection: reads and writes the socket, parses responses.
type Driver = Pin<Box<http1::Connection<TokioIo<TcpStream>, Full<Bytes>>>>;

/// One HTTP/1.1 connection: the handle requests go through and what drives it. Dropped (the
/// socket closed at once, never reused) when it is retired, failed, timed out or was left with
/// a response not read to the end.
pub(super) struct Connection {
    /// Sends requests over the connection.
    sender: SendRequest<Full<Bytes>>,
    /// Drives the connection, polled along with every exchange on it; `None` once it has
    /// finished (the connection closed), which closes `sender` too.
    driver: Option<Driver>,
    /// When the connection last went idle.
    idle_since: Instant,
    /// Whether it served a request before (taken from the pool).
    reused: bool,
}

impl fmt::Debug for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connection")
            .field("closed", &self.driver.is_none())
            .field("idle_since", &self.idle_since)
            .field("reused", &self.reused)
            .finish_non_exhaustive()
    }
}

impl Connection {
    /// Awaits `future` while driving the connection.
    pub(super) async fn drive<F: Future>(&mut self, future: F) -> F::Output {
        drive(&mut self.driver, future).await
    }
}

/// Awaits `future`, polling `driver` (until it finishes) before each poll of it.
async fn drive<F: Future>(driver: &mut Option<Driver>, future: F) -> F::Output {
    let mut future = pin!(future);
    poll_fn(|context| {
        // Its errors reach the request in flight. A finished driver is dropped: what it held
        // (the other end of the sender, the callbacks of requests in flight) is closed, so that
        // nothing waits on it.
        if driver
            .as_mut()
            .is_some_and(|running| running.as_mut().poll(context).is_ready())
        {
            *driver = None;
        }
        future.as_mut().poll(context)
    })
    .await
}

/// The pool: idle connections, the most recently used last.
#[derive(Debug)]
pub(super) struct Pool {
    /// Where connections go.
    address: Address,
    /// Idle connections ready for a request.
    idle: Mutex<Vec<Connection>>,
    /// The most idle connections kept.
    max_idle: usize,
}

impl Pool {
    /// An empty pool of connections to this address, keeping at most `max_idle` idle ones.
    pub(super) fn new(address: Address, max_idle: usize) -> Pool {
        Pool {
            address,
            idle: Mutex::new(Vec::with_capacity(max_idle)),
            max_idle,
        }
    }

    /// Sends the request over an idle connection, or a new one; returns the connection (for
    /// [`Pool::put_back`] once the response is read) and the response head.
    ///
    /// A request is sent once. Only when a reused connection turns out closed before any of
    /// the request was written is it sent on a new connection instead.
    pub(super) async fn send(
        &self,
        request: http::Request<Full<Bytes>>,
    ) -> Result<(Connection, http::Response<Incoming>), TransportFailure> {
        let mut connection = self.checkout().await?;
        let mut request = request;
        loop {
            let Connection { sender, driver, .. } = &mut connection;
            match drive(driver, sender.try_send_request(request)).await {
                Ok(response) => return Ok((connection, response)),
                Err(mut error) => match error.take_message() {
                    Some(unsent) if connection.reused => {
                        request = unsent;
                        connection = self.connect().await?;
                    }
                    _ => {
                        return Err(exchange_failure(
                            &error.into_error(),
                            "error sending request",
                        ));
                    }
                },
            }
        }
    }

    /// Keeps a connection whose response was read to the end for the next request.
    pub(super) fn put_back(&self, mut connection: Connection) {
        if connection.driver.is_none() || connection.sender.is_closed() {
            return;
        }
        connection.idle_since = Instant::now();
        connection.reused = true;
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        if idle.len() < self.max_idle {
            idle.push(connection);
        }
    }

    /// An idle connection ready for a request, else a new one.
    async fn checkout(&self) -> Result<Connection, TransportFailure> {
        while let Some(mut connection) = self.take_idle() {
            // Driven once more, the connection notices a close by the server while it was idle.
            let Connection { sender, driver, .. } = &mut connection;
            if drive(driver, sender.ready()).await.is_ok() {
                return Ok(connection);
            }
        }
        self.connect().await
    }

    /// The most recently used idle connection that is neither closed nor idle too long;
    /// retires those that are.
    fn take_idle(&self) -> Option<Connection> {
        let usable = |connection: &Connection| {
            connection.driver.is_some()
                && !connection.sender.is_closed()
                && connection.idle_since.elapsed() < IDLE_LIMIT
        };
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        // The oldest come first: when the first is still usable, all are.
        if idle.first().is_some_and(|connection| !usable(connection)) {
            idle.retain(usable);
        }
        idle.pop()
    }

    /// A new connection (TCP_NODELAY, HTTP/1.1), its driving task spawned.
    async fn connect(&self) -> Result<Connection, TransportFailure> {
        let stream = match &self.address {
            Address::Socket(address) => TcpStream::connect(address).await,
            Address::Host(host, port) => TcpStream::connect((host.as_str(), *port)).await,
        }
        .map_err(|error| connect_failure(&error))?;
        // Requests are small and sent in one write; never wait for an acknowledgement.
        let _ = stream.set_nodelay(true);
        let (sender, driver) = http1::Builder::new()
            .handshake(TokioIo::new(stream))
            .await
            .map_err(|error| exchange_failure(&error, "cannot set up the connection"))?;
        Ok(Connection {
            sender,
            driver: Some(Box::pin(driver)),
            idle_since: Instant::now(),
            reused: false,
        })
    }
}

/// The failure to connect: refused, timed out, or another error (a host name that does not
/// resolve, an unreachable network).
fn connect_failure(error: &io::Error) -> TransportFailure {
    let kind = match error.kind() {
        io::ErrorKind::ConnectionRefused => TransportFailureKind::Refused,
        io::ErrorKind::TimedOut => TransportFailureKind::Timeout,
        _ => TransportFailureKind::Other,
    };
    TransportFailure::new(kind, format!("cannot connect: {}", error_chain(error)))
}

/// The failure of an exchange on a connection: bytes that are not HTTP are unparsable, a
/// timeout of the operating system's is a timeout, anything else (a reset, a connection closed
/// before the response was complete) is a dropped connection.
pub(super) fn exchange_failure(error: &hyper::Error, context: &str) -> TransportFailure {
    let message = format!("{context}: {}", error_chain(error));
    let timed_out = super::causes(error).any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|error| error.kind() == io::ErrorKind::TimedOut)
    });
    let kind = if error.is_parse() || is_parse_error(&message) {
        TransportFailureKind::Unparsable
    } else if error.is_timeout() || timed_out {
        TransportFailureKind::Timeout
    } else {
        TransportFailureKind::Dropped
    };
    TransportFailure::new(kind, message)
}
