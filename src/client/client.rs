//! The one abstraction over "any client": given a call, the outcome it reports.

use std::future::Future;

use crate::client::outcome::{ClientCall, ClientOutcome};
use crate::target::BoxFuture;

/// Any client of CreateDeployment under test: an SDK, a hand-written client, a driver process.
/// Given where to send, the credentials and the logical request, it makes the call and reports
/// what it understood.
///
/// Object-safe; an async closure `Fn(ClientCall) -> impl Future<Output = ClientOutcome>` is a
/// client (its future must own what it uses: `move |call| async move { .. }`).
///
/// ```
/// use opsworks_conformance::client::{Client, ClientCall, ClientOutcome};
///
/// let refuses_everything = |_call: ClientCall| async {
///     ClientOutcome::client_error("not implemented")
/// };
/// let boxed: Box<dyn Client> = Box::new(refuses_everything);
/// # let _ = boxed;
/// ```
pub trait Client: Send + Sync {
    /// Makes one call and reports its outcome.
    fn call(&self, call: ClientCall) -> BoxFuture<'_, ClientOutcome>;

    /// A short description for reports (the report's `target`).
    fn describe(&self) -> String {
        "client".to_owned()
    }
}

impl<F, Fut> Client for F
where
    F: Fn(ClientCall) -> Fut + Send + Sync,
    Fut: Future<Output = ClientOutcome> + Send + 'static,
{
    fn call(&self, call: ClientCall) -> BoxFuture<'_, ClientOutcome> {
        Box::pin(self(call))
    }

    fn describe(&self) -> String {
        "closure client".to_owned()
    }
}

/// A client with the description reports show for it.
///
/// ```
/// use opsworks_conformance::client::{Client, ClientCall, ClientOutcome, Described};
/// let client = Described::new("my client 1.0", |_call: ClientCall| async {
///     ClientOutcome::client_error("not implemented")
/// });
/// assert_eq!(client.describe(), "my client 1.0");
/// ```
#[derive(Debug, Clone)]
pub struct Described<C> {
    description: String,
    client: C,
}

impl<C: Client> Described<C> {
    /// `client`, described as `description`.
    #[must_use]
    pub fn new(description: impl Into<String>, client: C) -> Self {
        Described {
            description: description.into(),
            client,
        }
    }
}

impl<C: Client> Client for Described<C> {
    fn call(&self, call: ClientCall) -> BoxFuture<'_, ClientOutcome> {
        self.client.call(call)
    }

    fn describe(&self) -> String {
        self.description.clone()
    }
}
