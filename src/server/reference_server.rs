//! The running server: start, address, world, stop.

use std::convert::Infallible;
use std::fmt;
use std::io::ErrorKind;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper::Request;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::{JoinHandle, JoinSet};

use super::error::ServerError;
use super::handler::{ServerState, handle};
use super::options::ServerOptions;
use crate::contract::RawRequest;
use crate::oracle::CallerIdentity;
use crate::sigv4::SigV4Authenticator;
use crate::target::{ReferenceTarget, Target};
use crate::world::World;

/// How long [`ReferenceServer::shutdown`] waits for requests in flight before it stops the
/// server anyway.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// How long the server waits before accepting again when an accept failed for lack of
/// resources (for example too many open files).
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// The shortest header and body read timeouts: smaller ones are raised to it.
const MIN_TIMEOUT: Duration = Duration::from_millis(1);

/// The reference implementation over HTTP: a [`ReferenceTarget`] served by hyper on a TCP
/// socket, HTTP/1.1 (and 1.0) with keep-alive and pipelining. When the world has users, every
/// request's SigV4 signature is checked ([`SigV4Authenticator`], scoped to
/// [`ServerOptions::region`]); otherwise every caller counts as unsigned, which a world without
/// users accepts.
///
/// What it does with clients that misbehave (see `docs/reliability.md`): a head not received
/// within [`ServerOptions::header_read_timeout`] closes the connection, a body not received
/// within [`ServerOptions::body_read_timeout`] is answered 408; more than 100 headers or a head
/// over about 400 KiB is answered 431; bytes that are not HTTP are answered 400; a client that
/// goes away mid-request only ends its own connection. Every connection is served on a task of
/// its own, so none of this holds up other clients.
///
/// [`ReferenceServer::serve_target`] serves any other [`Target`] the same way (for example the
/// reference target with a defect injected, to check that a gate catches it over HTTP).
///
/// The server runs on the tokio runtime it was started on, until [`shutdown`](Self::shutdown)
/// or until it is dropped (which stops it too, without waiting).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), opsworks_conformance::server::ServerError> {
/// use opsworks_conformance::server::ReferenceServer;
/// use opsworks_conformance::world::World;
///
/// let server = ReferenceServer::start(World::bundled()).await?;
/// assert!(server.url().starts_with("http://127.0.0.1:"));
/// assert_eq!(server.target().world(), World::bundled());
/// server.shutdown().await;
/// # Ok(())
/// # }
/// ```
pub struct ReferenceServer {
    /// The address the socket is bound to.
    local_addr: SocketAddr,
    /// The reference target that answers (and holds the world); `None` when the server was
    /// started with [`ReferenceServer::serve_target`].
    reference: Option<Arc<ReferenceTarget>>,
    /// The target that answers (the reference one, or the one given to `serve_target`).
    served: Arc<dyn Target>,
    /// Tells the server to stop accepting and close its connections gracefully.
    shutdown: Option<oneshot::Sender<()>>,
    /// The task accepting connections.
    task: Option<JoinHandle<()>>,
}

impl fmt::Debug for ReferenceServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReferenceServer")
            .field("local_addr", &self.local_addr)
            .field("reference", &self.reference)
            .field("served", &self.served.describe())
            .finish_non_exhaustive()
    }
}

impl ReferenceServer {
    /// Starts a server for this world with the default options: 127.0.0.1 on a free port,
    /// region `us-east-1`, the reference MAY policy. Must be called within a tokio runtime
    /// (with I/O and timers enabled).
    ///
    /// # Errors
    /// [`ServerError::InvalidWorld`] when the world breaks one of its rules,
    /// [`ServerError::Bind`] when the socket cannot be bound.
    pub async fn start(world: World) -> Result<ReferenceServer, ServerError> {
        ReferenceServer::start_with(world, ServerOptions::default()).await
    }

    /// Starts a server for this world with these options; see [`ReferenceServer::start`].
    ///
    /// # Errors
    /// As [`ReferenceServer::start`].
    pub async fn start_with(
        world: World,
        options: ServerOptions,
    ) -> Result<ReferenceServer, ServerError> {
        let target = build_reference_target(world, &options)?;
        let served: Arc<dyn Target> = target.clone();
        ReferenceServer::listen(served, Some(target), &options).await
    }

    /// Serves any target over HTTP, exactly as the reference target is served: the same
    /// listener ([`ServerOptions::listen`]), the same 1 MiB body limit (413
    /// `SerializationException`), the same 404 `UnknownOperationException` for a method other
    /// than `POST` or a path other than `/`. Every other request is handed to
    /// `target.send(..)` with its headers (`Authorization` included) and body as received,
    /// and its [`Observation`](crate::contract::Observation) is answered as is (status, headers
    /// that HTTP can carry except framing ones, body; a status that is not valid HTTP becomes
    /// 500).
    ///
    /// The server itself checks no signature: the target decides (a
    /// [`ReferenceTarget::new`] verifies SigV4 for `us-east-1`; [`ServerOptions::region`] and
    /// [`ServerOptions::policy`] are not used here). When the target answers a
    /// [`TransportFailure`](crate::contract::TransportFailure), the client gets a 500
    /// `InternalFailure` whose message is the failure's text (never a dropped connection, so
    /// that the outcome is the same on every HTTP client).
    ///
    /// Meant for tests of gates and clients: a reference target with one defect injected, a
    /// canned mock. [`target`](Self::target) has no reference target to give for such a
    /// server; see [`reference_target`](Self::reference_target).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), opsworks_conformance::server::ServerError> {
    /// use std::sync::Arc;
    /// use opsworks_conformance::contract::{Observation, RawRequest};
    /// use opsworks_conformance::server::{ReferenceServer, ServerOptions};
    /// use opsworks_conformance::target::from_fn;
    ///
    /// let always_ok = from_fn(|_request: RawRequest| async {
    ///     Ok(Observation::json(200, r#"{"DeploymentId":"d-1"}"#))
    /// });
    /// let server =
    ///     ReferenceServer::serve_target(Arc::new(always_ok), ServerOptions::default()).await?;
    /// assert!(server.reference_target().is_none());
    /// server.shutdown().await;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`ServerError::Bind`] when the socket cannot be bound, [`ServerError::LocalAddr`] when
    /// its address cannot be read.
    pub async fn serve_target(
        target: Arc<dyn Target>,
        options: ServerOptions,
    ) -> Result<ReferenceServer, ServerError> {
        ReferenceServer::listen(target, None, &options).await
    }

    /// Binds the listener and serves `served` on it until shutdown or drop.
    async fn listen(
        served: Arc<dyn Target>,
        reference: Option<Arc<ReferenceTarget>>,
        options: &ServerOptions,
    ) -> Result<ReferenceServer, ServerError> {
        let listener =
            TcpListener::bind(options.listen)
                .await
                .map_err(|source| ServerError::Bind {
                    addr: options.listen,
                    source,
                })?;
        let local_addr = listener
            .local_addr()
            .map_err(|source| ServerError::LocalAddr { source })?;
        let state = Arc::new(ServerState {
            target: Arc::clone(&served),
            body_read_timeout: Some(options.body_read_timeout.max(MIN_TIMEOUT)),
        });
        let mut http = http1::Builder::new();
        http.timer(TokioTimer::new())
            .header_read_timeout(options.header_read_timeout.max(MIN_TIMEOUT))
            .keep_alive(true)
            // A client that shuts its sending side after a request still gets the answer.
            // (No `pipeline_flush`: with it, hyper keeps its automatic 400/431 answer to a head
            // it cannot parse in the buffer while unread bytes remain, and closes without
            // sending it.)
            .half_close(true);
        let (shutdown, stop) = oneshot::channel::<()>();
        let task = tokio::spawn(accept_loop(listener, http, state, stop));
        Ok(ReferenceServer {
            local_addr,
            reference,
            served,
            shutdown: Some(shutdown),
            task: Some(task),
        })
    }

    /// The base URL requests go to: `http://127.0.0.1:PORT` (`http://[::1]:PORT` for IPv6).
    #[must_use]
    pub fn url(&self) -> String {
        format!("http://{}", self.local_addr)
    }

    /// The address the server listens on (with the port the system picked for port 0).
    #[must_use]
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The reference target behind the server, to inspect the world as requests change it
    /// ([`ReferenceTarget::world`]).
    ///
    /// # Panics
    /// When the server was started with [`ReferenceServer::serve_target`], which has no
    /// reference target of its own: use [`reference_target`](Self::reference_target) (an
    /// `Option`) or [`served_target`](Self::served_target) for such servers.
    #[must_use]
    pub fn target(&self) -> Arc<ReferenceTarget> {
        match &self.reference {
            Some(reference) => Arc::clone(reference),
            None => panic!(
                "ReferenceServer::target: expected a server started with start or start_with, \
                 found one started with serve_target (use reference_target or served_target)"
            ),
        }
    }

    /// The reference target behind the server, or `None` for a server started with
    /// [`ReferenceServer::serve_target`].
    #[must_use]
    pub fn reference_target(&self) -> Option<Arc<ReferenceTarget>> {
        self.reference.clone()
    }

    /// The target that answers the server's requests: the reference target, or the one given
    /// to [`ReferenceServer::serve_target`].
    #[must_use]
    pub fn served_target(&self) -> Arc<dyn Target> {
        Arc::clone(&self.served)
    }

    /// Stops accepting connections, lets requests in flight finish (up to 5 seconds), closes
    /// idle keep-alive connections, and returns once the server has stopped (connections still
    /// busy after 5 seconds are cut).
    pub async fn shutdown(mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(task) = self.task.take() {
            let abort = task.abort_handle();
            // The accept loop bounds the grace itself; this is a backstop.
            if tokio::time::timeout(SHUTDOWN_GRACE + Duration::from_secs(1), task)
                .await
                .is_err()
            {
                abort.abort();
            }
        }
    }
}

impl Drop for ReferenceServer {
    /// Stops the server without waiting: no new connections are accepted (the socket is
    /// closed as soon as the runtime runs the server's task), idle keep-alive connections are
    /// closed and busy ones once their request in flight is answered (up to 5 seconds).
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

/// Accepts connections until `stop` fires (or its sender is dropped), serving each on a task
/// of its own; then closes the listener and shuts the connections down gracefully, cutting
/// those still busy after [`SHUTDOWN_GRACE`].
///
/// A failed accept never ends the loop: a connection reset before it was accepted is skipped,
/// and a lack of resources (too many open files) is waited out for [`ACCEPT_BACKOFF`], so that
/// connections already open keep being served.
async fn accept_loop(
    listener: TcpListener,
    http: http1::Builder,
    state: Arc<ServerState>,
    mut stop: oneshot::Receiver<()>,
) {
    let graceful = GracefulShutdown::new();
    let mut connections = JoinSet::new();
    loop {
        let accepted = tokio::select! {
            biased;
            _ = &mut stop => break,
            accepted = listener.accept() => accepted,
        };
        // Finished connections are reaped as new ones come, so the set stays small.
        while connections.try_join_next().is_some() {}
        let stream = match accepted {
            Ok((stream, _peer)) => stream,
            Err(error) if is_per_connection(&error) => continue,
            Err(_) => {
                tokio::select! {
                    biased;
                    _ = &mut stop => break,
                    () = tokio::time::sleep(ACCEPT_BACKOFF) => continue,
                }
            }
        };
        // Answers are small and written whole: no need to wait for more to send.
        let _ = stream.set_nodelay(true);
        let state = Arc::clone(&state);
        let service = service_fn(move |request: Request<Incoming>| {
            let state = Arc::clone(&state);
            async move { Ok::<_, Infallible>(handle(&state, request).await) }
        });
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        connections.spawn(async move {
            // A connection that fails (the client went away, sent bytes that are not HTTP,
            // took too long to send its head) only ends itself.
            let _ = connection.await;
        });
    }
    drop(listener);
    if tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown())
        .await
        .is_err()
    {
        connections.abort_all();
    }
    while connections.join_next().await.is_some() {}
}

/// Whether an accept error concerns only the connection being accepted (the next accept may
/// well succeed at once), as opposed to the process running out of something.
fn is_per_connection(error: &std::io::Error) -> bool {
    matches!(
        error.kind(),
        ErrorKind::ConnectionRefused
            | ErrorKind::ConnectionAborted
            | ErrorKind::ConnectionReset
            | ErrorKind::Interrupted
            | ErrorKind::WouldBlock
    )
}

/// The reference target a server serves for this world and these options: the world checked,
/// the options' MAY policy, and callers identified as the server does (SigV4 for
/// [`ServerOptions::region`] when the world has users, otherwise everyone unsigned), so that
/// `target().answer_request(..)` answers what the server answers.
///
/// # Errors
/// [`ServerError::InvalidWorld`] when the world breaks one of its rules.
pub(crate) fn build_reference_target(
    world: World,
    options: &ServerOptions,
) -> Result<Arc<ReferenceTarget>, ServerError> {
    world.validate()?;
    let authenticator = world
        .has_users()
        .then(|| SigV4Authenticator::new(&world, options.region.clone()));
    let target = ReferenceTarget::new(world).with_policy(options.policy.clone());
    Ok(Arc::new(match authenticator {
        Some(authenticator) => target.with_authenticator(authenticator),
        None => target.with_authenticator(|_: &RawRequest| CallerIdentity::Unsigned),
    }))
}
