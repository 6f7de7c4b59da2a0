//! The HTTP reference server: the [`ReferenceTarget`](crate::target::ReferenceTarget) behind a
//! real socket, speaking awsJson1_1 (`POST /`), with SigV4 verification when the world has
//! users. It is what `opsworks-conformance serve` runs, and what `run` starts when it is given
//! no endpoint.
//!
//! ```no_run
//! # async fn example() -> Result<(), opsworks_conformance::server::ServerError> {
//! use opsworks_conformance::server::ReferenceServer;
//! use opsworks_conformance::world::World;
//!
//! let server = ReferenceServer::start(World::bundled()).await?;
//! println!("listening on {}", server.url());
//! // ... send requests to server.url() ...
//! server.shutdown().await;
//! # Ok(())
//! # }
//! ```
//!
//! What the server answers besides what the reference target answers:
//! - a method other than `POST` or a path other than `/`: 404 `UnknownOperationException`;
//! - a body over 1 MiB ([`MAX_BODY_BYTES`]): 413 `SerializationException`, without the body
//!   ever being held in memory;
//! - a body that stops arriving ([`ServerOptions::body_read_timeout`]): 408
//!   `RequestTimeoutException`, and the connection is closed;
//! - a body cut short by the client (a broken chunked encoding, a connection closed early):
//!   400 `SerializationException` when the client can still read it;
//! - a head that is not HTTP: 400, a head with more than 100 headers or over about 400 KiB:
//!   431 (both from hyper, without a body), and the connection is closed; a head that does not
//!   arrive within [`ServerOptions::header_read_timeout`]: the connection is closed.

mod error;
mod handler;
pub mod in_process;
mod options;
mod reference_server;

pub use error::ServerError;
pub use handler::MAX_BODY_BYTES;
pub use options::ServerOptions;
pub use reference_server::ReferenceServer;
