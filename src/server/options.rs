//! How the reference server is set up.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use crate::oracle::MayPolicy;

/// The reference server's settings; [`Default`] gives 127.0.0.1 on a free port, region
/// `us-east-1`, the reference MAY policy, and 10 s to send a request's head and 10 s to send
/// its body.
///
/// ```
/// use std::time::Duration;
/// use opsworks_conformance::server::ServerOptions;
/// let options = ServerOptions { region: "eu-west-1".to_owned(), ..ServerOptions::default() };
/// assert_eq!(options.listen.to_string(), "127.0.0.1:0");
/// assert_eq!(options.header_read_timeout, Duration::from_secs(10));
/// ```
#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// The address to listen on; port 0 picks a free port. Default `127.0.0.1:0`: only this
    /// machine can connect.
    pub listen: SocketAddr,
    /// The region SigV4 signatures must be scoped to (when the world has users). Default
    /// `us-east-1`.
    pub region: String,
    /// What the server does in the cases the contract leaves open. Default
    /// [`MayPolicy::reference`].
    pub policy: MayPolicy,
    /// How long a client has to send a request's head (request line and headers), counted
    /// from the moment the server waits for it: on a new connection from the accept, on a
    /// keep-alive connection from the previous answer (so it is also how long an idle
    /// keep-alive connection is kept). Over it the connection is closed without an answer.
    /// Default 10 s; at least 1 ms (a smaller value counts as 1 ms).
    pub header_read_timeout: Duration,
    /// How long a client has to send a request's body once its head is read. Over it the
    /// server answers 408 `RequestTimeoutException` and closes the connection. Default 10 s;
    /// at least 1 ms (a smaller value counts as 1 ms).
    pub body_read_timeout: Duration,
}

impl Default for ServerOptions {
    fn default() -> Self {
        ServerOptions {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            region: "us-east-1".to_owned(),
            policy: MayPolicy::reference(),
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(10),
        }
    }
}
