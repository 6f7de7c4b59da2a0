//! An in-process `tower::Service` (an axum `Router`, a hyper service function) as a target.

use std::fmt;
use std::future::poll_fn;

use bytes::Bytes;
use http_body::Body;
use http_body_util::{BodyExt, Full, Limited};
use tower_service::Service;

use crate::contract::{
    Observation, RawRequest, Response, TransportFailure, TransportFailureKind, wire,
};
use crate::target::{BoxFuture, Target};

/// The request type a [`ServiceTarget`] hands to its service: `http::Request<Full<Bytes>>`,
/// which an axum `Router` accepts as it is.
pub type ServiceRequest = http::Request<Full<Bytes>>;

/// The error type a response body may fail with.
type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A response a service may answer with: an `http::Response` of any body.
pub trait ServiceResponse {
    /// The body type.
    type Body: Body;
    /// The status, headers (and the rest) apart from the body.
    fn into_parts(self) -> (http::response::Parts, Self::Body);
}

impl<R: Body> ServiceResponse for http::Response<R> {
    type Body = R;

    fn into_parts(self) -> (http::response::Parts, R) {
        http::Response::into_parts(self)
    }
}

/// The most response body bytes a [`ServiceTarget`] reads (16 MiB); a longer body is a
/// transport failure, not an allocation without end.
pub const SERVICE_BODY_LIMIT: usize = 16 * 1024 * 1024;

/// A [`Target`] that hands each request to a `tower::Service` in process: no socket, no port,
/// no HTTP parsing. The request is `POST /` with the case's exact headers and body bytes; the
/// response's status, headers and body are observed as they come back.
///
/// Each request is sent to a clone of the service, as axum's `Router` expects; clones must share
/// the implementation's state (an `Arc` in the router's state), which is what a real server
/// does. Build one with [`from_service`].
///
#[cfg_attr(feature = "server", doc = "```")]
#[cfg_attr(not(feature = "server"), doc = "```ignore")]
/// use axum::Router;
/// use axum::routing::post;
/// use opsworks_conformance::target::{from_service, block_on, Target};
/// use opsworks_conformance::contract::RawRequest;
///
/// let app = Router::new().route("/", post(|| async { r#"{"DeploymentId":"d-1"}"# }));
/// let target = from_service(app);
/// let response = block_on(target.send(&RawRequest::json("{}")));
/// assert_eq!(response.map(|r| r.status).ok(), Some(200));
/// ```
pub struct ServiceTarget<S> {
    service: S,
    description: String,
}

/// Makes a target of a `tower::Service<`[`ServiceRequest`]`>`: an axum `Router` (with its
/// state applied), a `tower::service_fn`, or any service taking `http::Request<Full<Bytes>>`.
/// See [`ServiceTarget`].
pub fn from_service<S>(service: S) -> ServiceTarget<S> {
    ServiceTarget {
        service,
        description: "in-process service".to_owned(),
    }
}

impl<S> ServiceTarget<S> {
    /// Sets the description shown in reports.
    #[must_use]
    pub fn described_as(mut self, description: impl Into<String>) -> Self {
        self.description = description.into();
        self
    }
}

impl<S: Clone> Clone for ServiceTarget<S> {
    fn clone(&self) -> Self {
        ServiceTarget {
            service: self.service.clone(),
            description: self.description.clone(),
        }
    }
}

impl<S> fmt::Debug for ServiceTarget<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServiceTarget")
            .field("description", &self.description)
            .finish_non_exhaustive()
    }
}

/// The `http::Request` a raw request becomes: `POST /`, its headers in order, its body.
fn http_request(raw: &RawRequest) -> Result<ServiceRequest, TransportFailure> {
    let mut builder = http::Request::post("/");
    for (name, value) in &raw.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    builder
        .body(Full::new(Bytes::from(raw.body.clone())))
        .map_err(|error| {
            TransportFailure::new(
                TransportFailureKind::Other,
                format!("the request cannot be expressed as an http::Request: {error}"),
            )
        })
}

async fn call<S>(mut service: S, raw: &RawRequest) -> Response
where
    S: Service<ServiceRequest>,
    S::Response: ServiceResponse,
    S::Error: fmt::Display,
    <S::Response as ServiceResponse>::Body: Body,
    <<S::Response as ServiceResponse>::Body as Body>::Error: Into<BoxError>,
{
    let request = http_request(raw)?;
    let service_error = |error: S::Error| {
        TransportFailure::new(
            TransportFailureKind::Other,
            format!("the service failed: {error}"),
        )
    };
    poll_fn(|cx| service.poll_ready(cx))
        .await
        .map_err(service_error)?;
    let response = service.call(request).await.map_err(service_error)?;
    let (parts, body) = ServiceResponse::into_parts(response);
    let body = Limited::new(body, SERVICE_BODY_LIMIT)
        .collect()
        .await
        .map_err(|error| {
            TransportFailure::new(
                TransportFailureKind::Dropped,
                format!(
                    "the response body could not be read whole (at most {SERVICE_BODY_LIMIT} bytes): {error}"
                ),
            )
        })?
        .to_bytes();
    let headers = wire::header_pairs(&parts.headers);
    Ok(Observation {
        status: parts.status.as_u16(),
        headers,
        body: body.to_vec(),
    })
}

impl<S> Target for ServiceTarget<S>
where
    S: Service<ServiceRequest> + Clone + Send + Sync + 'static,
    S::Future: Send,
    S::Response: ServiceResponse + Send,
    S::Error: fmt::Display,
    <S::Response as ServiceResponse>::Body: Send,
    <<S::Response as ServiceResponse>::Body as Body>::Data: Send,
    <<S::Response as ServiceResponse>::Body as Body>::Error: Into<BoxError>,
{
    fn send<'a>(&'a self, request: &'a RawRequest) -> BoxFuture<'a, Response> {
        Box::pin(call(self.service.clone(), request))
    }

    fn describe(&self) -> String {
        self.description.clone()
    }
}
