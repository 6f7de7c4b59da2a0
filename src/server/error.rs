//! Why the reference server could not start.

use std::io;
use std::net::SocketAddr;

use crate::world::WorldError;

/// Why [`ReferenceServer::start`](super::ReferenceServer::start) failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServerError {
    /// The listening socket could not be bound.
    #[error("cannot listen on {addr}: expected a free address of this machine, found: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// What the operating system said.
        #[source]
        source: io::Error,
    },
    /// The bound socket's address could not be read.
    #[error(
        "cannot read the address the server listens on: expected a bound socket, found: {source}"
    )]
    LocalAddr {
        /// What the operating system said.
        #[source]
        source: io::Error,
    },
    /// The world is not valid (see [`World::validate`](crate::world::World::validate)).
    #[error("cannot serve this world: {0}")]
    InvalidWorld(#[from] WorldError),
}
