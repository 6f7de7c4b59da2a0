//! A closure as a target.

use std::future::Future;

use crate::contract::{RawRequest, Response};
use crate::target::{BoxFuture, Target};

/// A [`Target`] made from an async closure; see [`from_fn`].
#[derive(Clone)]
pub struct FnTarget<F> {
    function: F,
    description: String,
}

/// Makes a target of an async closure from the raw request to the response.
///
/// ```
/// use opsworks_conformance::contract::{Observation, RawRequest};
/// use opsworks_conformance::target::from_fn;
///
/// let target = from_fn(|request: RawRequest| async move {
///     if request.body.is_empty() {
///         Ok(Observation::json(400, r#"{"__type":"ValidationException","message":"empty"}"#))
///     } else {
///         Ok(Observation::json(200, r#"{"DeploymentId":"d-1"}"#))
///     }
/// })
/// .described_as("my mock");
/// # let _ = target;
/// ```
pub fn from_fn<F, Fut>(function: F) -> FnTarget<F>
where
    F: Fn(RawRequest) -> Fut + Send + Sync,
    Fut: Future<Output = Response> + Send + 'static,
{
    FnTarget {
        function,
        description: "closure".to_owned(),
    }
}

impl<F> FnTarget<F> {
    /// Sets the description shown in reports.
    #[must_use]
    pub fn described_as(mut self, description: impl Into<String>) -> Self {
        self.description = description.into();
        self
    }
}

impl<F, Fut> Target for FnTarget<F>
where
    F: Fn(RawRequest) -> Fut + Send + Sync,
    Fut: Future<Output = Response> + Send + 'static,
{
    fn send<'a>(&'a self, request: &'a RawRequest) -> BoxFuture<'a, Response> {
        Box::pin((self.function)(request.clone()))
    }

    fn describe(&self) -> String {
        self.description.clone()
    }
}
