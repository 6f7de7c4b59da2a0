//! Targets: the one small abstraction over "any implementation" of CreateDeployment.

mod block_on;
mod from_fn;
#[cfg(feature = "http")]
mod http;
mod reference;
#[cfg(feature = "sdk")]
mod sdk;
#[cfg(feature = "tower")]
mod service;
#[cfg(feature = "http")]
mod url;

pub use block_on::block_on;
pub use from_fn::{FnTarget, from_fn};
#[cfg(feature = "http")]
pub use http::{HttpTarget, HttpTargetError, HttpTargetOptions};
pub use reference::{Authenticator, ClaimedKey, DEFAULT_REGION, ReferenceTarget};
#[cfg(feature = "sdk")]
pub use sdk::{SDK_TARGET_ACCESS_KEY_ID, SdkTarget, SdkTargetError};
#[cfg(feature = "sdk")]
pub(crate) use sdk::{SdkResult, sdk_client, sdk_http_client, sdk_send};
#[cfg(feature = "tower")]
pub use service::{
    SERVICE_BODY_LIMIT, ServiceRequest, ServiceResponse, ServiceTarget, from_service,
};

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::contract::{RawRequest, Response};

/// A boxed future, so that [`Target`] is object-safe.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Any implementation of CreateDeployment: given the exact request, the observed response (or a
/// transport failure). In process, over HTTP, or through an SDK.
///
/// Object-safe, so a runner can hold a `Box<dyn Target>` chosen at run time; a closure becomes a
/// target with [`from_fn`].
///
/// ```
/// use opsworks_conformance::contract::{Observation, RawRequest};
/// use opsworks_conformance::target::{from_fn, Target};
///
/// let always_ok = from_fn(|_request: RawRequest| async {
///     Ok(Observation::json(200, r#"{"DeploymentId":"d-1"}"#))
/// });
/// let boxed: Box<dyn Target> = Box::new(always_ok);
/// # let _ = boxed;
/// ```
pub trait Target: Send + Sync {
    /// Sends one request and returns what came back.
    fn send<'a>(&'a self, request: &'a RawRequest) -> BoxFuture<'a, Response>;

    /// A short description for reports, for example a URL.
    fn describe(&self) -> String {
        "target".to_owned()
    }

    /// The `Host` (authority) requests are sent to, which a SigV4 signature covers:
    /// `127.0.0.1:8080` for an HTTP target, `localhost` for one in process.
    fn authority(&self) -> String {
        "localhost".to_owned()
    }

    /// Whether the target can send this (signed) request as it is. A target that goes through
    /// a typed API (an SDK) cannot express every raw request: the runner skips the cases it
    /// refuses, and a rule only such cases exercise is reported not applicable, never passed.
    fn can_send(&self, _request: &RawRequest) -> bool {
        true
    }
}

impl<T: Target + ?Sized> Target for Box<T> {
    fn send<'a>(&'a self, request: &'a RawRequest) -> BoxFuture<'a, Response> {
        (**self).send(request)
    }

    fn describe(&self) -> String {
        (**self).describe()
    }

    fn authority(&self) -> String {
        (**self).authority()
    }

    fn can_send(&self, request: &RawRequest) -> bool {
        (**self).can_send(request)
    }
}

impl<T: Target + ?Sized> Target for Arc<T> {
    fn send<'a>(&'a self, request: &'a RawRequest) -> BoxFuture<'a, Response> {
        (**self).send(request)
    }

    fn describe(&self) -> String {
        (**self).describe()
    }

    fn authority(&self) -> String {
        (**self).authority()
    }

    fn can_send(&self, request: &RawRequest) -> bool {
        (**self).can_send(request)
    }
}

impl<T: Target + ?Sized> Target for &T {
    fn send<'a>(&'a self, request: &'a RawRequest) -> BoxFuture<'a, Response> {
        (**self).send(request)
    }

    fn describe(&self) -> String {
        (**self).describe()
    }

    fn authority(&self) -> String {
        (**self).authority()
    }

    fn can_send(&self, request: &RawRequest) -> bool {
        (**self).can_send(request)
    }
}
