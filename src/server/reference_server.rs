//! The running server: start, address, world, stop.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::error::ServerError;
use super::handler::{ServerState, router};
use super::options::ServerOptions;
use crate::sigv4::SigV4Authenticator;
use crate::target::ReferenceTarget;
use crate::world::World;

/// How long [`ReferenceServer::shutdown`] waits for requests in flight before it stops the
/// server anyway.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// The reference implementation over HTTP: a [`ReferenceTarget`] served by axum on a TCP
/// socket, HTTP/1.1 with keep-alive. When the world has users, every request's SigV4
/// signature is checked ([`SigV4Authenticator`], scoped to [`ServerOptions::region`]);
/// otherwise every caller counts as unsigned, which a world without users accepts.
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
#[derive(Debug)]
pub struct ReferenceServer {
    /// The address the socket is bound to.
    local_addr: SocketAddr,
    /// The target that answers (and holds the world).
    target: Arc<ReferenceTarget>,
    /// Tells the server to stop accepting and close its connections gracefully.
    shutdown: Option<oneshot::Sender<()>>,
    /// The task accepting connections.
    task: Option<JoinHandle<()>>,
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
        world.validate()?;
        let authenticator = world
            .has_users()
            .then(|| SigV4Authenticator::new(&world, options.region.clone()));
        let mut target = ReferenceTarget::new(world).with_policy(options.policy);
        if let Some(authenticator) = &authenticator {
            // So that `target().answer_request(..)` identifies callers as the server does.
            target = target.with_authenticator(authenticator.clone());
        }
        let target = Arc::new(target);
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
            target: Arc::clone(&target),
            authenticator,
        });
        let (shutdown, stop) = oneshot::channel::<()>();
        let serve = axum::serve(listener, router(state)).with_graceful_shutdown(async move {
            // A send or a dropped sender both mean stop.
            let _ = stop.await;
        });
        let task = tokio::spawn(async move {
            // `serve` only ends on shutdown; accept errors are retried inside.
            let _ = serve.await;
        });
        Ok(ReferenceServer {
            local_addr,
            target,
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
    #[must_use]
    pub fn target(&self) -> Arc<ReferenceTarget> {
        Arc::clone(&self.target)
    }

    /// Stops accepting connections, lets requests in flight finish (up to 5 seconds), closes
    /// idle keep-alive connections, and returns once the server has stopped.
    pub async fn shutdown(mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(task) = self.task.take() {
            let abort = task.abort_handle();
            if tokio::time::timeout(SHUTDOWN_GRACE, task).await.is_err() {
                abort.abort();
            }
        }
    }
}

impl Drop for ReferenceServer {
    /// Stops the server without waiting: no new connections are accepted and open ones are
    /// closed once their request in flight (if any) is answered.
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}
