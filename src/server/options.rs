//! How the reference server is set up.

use std::net::{Ipv4Addr, SocketAddr};

use crate::oracle::MayPolicy;

/// The reference server's settings; [`Default`] gives 127.0.0.1 on a free port, region
/// `us-east-1` and the reference MAY policy.
///
/// ```
/// use opsworks_conformance::server::ServerOptions;
/// let options = ServerOptions { region: "eu-west-1".to_owned(), ..ServerOptions::default() };
/// assert_eq!(options.listen.to_string(), "127.0.0.1:0");
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
}

impl Default for ServerOptions {
    fn default() -> Self {
        ServerOptions {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            region: "us-east-1".to_owned(),
            policy: MayPolicy::reference(),
        }
    }
}
