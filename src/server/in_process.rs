//! The reference server's HTTP handler in process: the same router [`ReferenceServer`] serves,
//! called directly with an [`http::Request`](axum::extract::Request), without a socket.
//!
//! [`ReferenceServer`]: super::ReferenceServer

use std::fmt;
use std::sync::Arc;

use axum::Router;
use axum::extract::Request;
use axum::handler::Handler;
use axum::response::Response;
use axum::routing::{MethodRouter, any_service};

use super::error::ServerError;
use super::handler::{ServerState, router};
use super::options::ServerOptions;
use crate::contract::RawRequest;
use crate::oracle::CallerIdentity;
use crate::sigv4::SigV4Authenticator;
use crate::target::{ReferenceTarget, Target};
use crate::world::World;

/// The reference server without its socket: every request goes through the very handler the
/// HTTP server runs (method and path checks, the 1 MiB body limit, SigV4 verification when the
/// world has users, the reference target), but is handed over as an `http::Request` and the
/// `http::Response` comes straight back. For fuzzing and tests: no port, no connection, no
/// HTTP parsing, and no read timeouts (the body is whatever the request holds).
///
/// The answer future needs no I/O: it can be driven by any executor (a current-thread tokio
/// runtime, `futures::executor::block_on`, ...). Clones share the target and its world.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), opsworks_conformance::server::ServerError> {
/// use axum::body::Body;
/// use axum::http::Request;
/// use opsworks_conformance::contract::wire;
/// use opsworks_conformance::server::in_process::InProcessServer;
/// use opsworks_conformance::world::World;
///
/// let world = World::bundled();
/// let body = format!(r#"{{"StackId":"{}","Command":{{"Name":"setup"}}}}"#, world.stacks[0].stack_id);
/// let server = InProcessServer::new(world)?;
/// let request = Request::post("/")
///     .header("Content-Type", wire::CONTENT_TYPE)
///     .header(wire::TARGET_HEADER, wire::TARGET_VALUE)
///     .body(Body::from(body))
///     .unwrap();
/// let response = server.handle(request).await;
/// assert_eq!(response.status(), 200);
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct InProcessServer {
    /// The server's router, as a method router so that it can be called as an axum handler.
    service: MethodRouter,
    /// The router itself, for callers who drive it as a `tower::Service`.
    router: Router,
    /// The target that answers (and holds the world).
    target: Arc<ReferenceTarget>,
}

impl InProcessServer {
    /// The handler for this world with the default options (region `us-east-1`, the reference
    /// MAY policy).
    ///
    /// # Errors
    /// [`ServerError::InvalidWorld`] when the world breaks one of its rules.
    pub fn new(world: World) -> Result<InProcessServer, ServerError> {
        InProcessServer::with_options(world, &ServerOptions::default())
    }

    /// The handler for this world with these options; [`ServerOptions::listen`] is not used.
    ///
    /// # Errors
    /// [`ServerError::InvalidWorld`] when the world breaks one of its rules.
    pub fn with_options(
        world: World,
        options: &ServerOptions,
    ) -> Result<InProcessServer, ServerError> {
        world.validate()?;
        // As `ReferenceServer::start_with` sets it up: the target identifies callers as the
        // server does (SigV4 when the world has users, otherwise everyone is unsigned).
        let authenticator = world
            .has_users()
            .then(|| SigV4Authenticator::new(&world, options.region.clone()));
        let target = ReferenceTarget::new(world).with_policy(options.policy.clone());
        let target = Arc::new(match authenticator {
            Some(authenticator) => target.with_authenticator(authenticator),
            None => target.with_authenticator(|_: &RawRequest| CallerIdentity::Unsigned),
        });
        let served: Arc<dyn Target> = target.clone();
        // No body deadline: the answer future must not need a timer (any executor drives it).
        let router = router(Arc::new(ServerState {
            target: served,
            body_read_timeout: None,
        }));
        Ok(InProcessServer {
            service: any_service(router.clone()),
            router,
            target,
        })
    }

    /// Answers one request as the HTTP server would (the response before hyper writes it to
    /// the connection). Never panics on what the request holds.
    pub async fn handle(&self, request: Request) -> Response {
        Handler::call(self.service.clone(), request, ()).await
    }

    /// The router the HTTP server serves, for use as a `tower::Service` (for example with
    /// `tower::ServiceExt::oneshot`).
    pub fn router(&self) -> Router {
        self.router.clone()
    }

    /// The reference target behind the handler, to inspect the world as requests change it.
    #[must_use]
    pub fn target(&self) -> Arc<ReferenceTarget> {
        Arc::clone(&self.target)
    }
}

impl fmt::Debug for InProcessServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InProcessServer")
            .field("target", &self.target)
            .finish_non_exhaustive()
    }
}
