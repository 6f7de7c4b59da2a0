//! The one HTTP handler: from an HTTP request to the reference target's answer.

use std::sync::Arc;

use axum::Router;
use axum::body::{Body, HttpBody};
use axum::extract::{Request, State};
use axum::http::header::{CONNECTION, CONTENT_TYPE};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode};
use axum::response::Response;
use http_body_util::BodyExt;

use crate::contract::{Observation, RawRequest, wire};
use crate::oracle::CallerIdentity;
use crate::sigv4::SigV4Authenticator;
use crate::target::{Authenticator, ReferenceTarget};

/// The largest request body the server reads (1 MiB). A larger body is answered with 413
/// `SerializationException` and never held in memory.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// How much of a refused body (too large, or sent to an unknown operation) is read and thrown
/// away so that the client, still sending, reads the answer instead of a reset connection.
/// Beyond this, the connection is closed.
const MAX_DRAIN_BYTES: usize = 16 * 1024 * 1024;

/// What the handler needs: the target, and who checks signatures.
pub(crate) struct ServerState {
    /// The reference target that answers.
    pub(crate) target: Arc<ReferenceTarget>,
    /// Checks SigV4 when the world has users; `None`: every caller is unsigned.
    pub(crate) authenticator: Option<SigV4Authenticator>,
}

/// The router: one fallback handler for every method and path.
pub(crate) fn router(state: Arc<ServerState>) -> Router {
    Router::new().fallback(handle).with_state(state)
}

/// Answers one request. Never panics on what the client sent.
async fn handle(State(state): State<Arc<ServerState>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    if parts.method != Method::POST || parts.uri.path() != wire::PATH {
        let drained = drain(body).await;
        let message = format!(
            "expected POST {}, found {} {}",
            wire::PATH,
            parts.method,
            parts.uri.path()
        );
        return error_response(
            StatusCode::NOT_FOUND,
            "UnknownOperationException",
            &message,
            drained,
        );
    }
    let body = match read_body(body).await {
        BodyRead::Complete(bytes) => bytes,
        BodyRead::TooLarge { drained } => {
            return error_response(
                StatusCode::PAYLOAD_TOO_LARGE,
                "SerializationException",
                "request body over 1 MiB",
                drained,
            );
        }
        BodyRead::Failed => {
            return error_response(
                StatusCode::BAD_REQUEST,
                "SerializationException",
                "expected a complete request body, found a body that could not be read",
                false,
            );
        }
    };
    let raw = RawRequest {
        headers: parts
            .headers
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_owned(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body,
    };
    let caller = match &state.authenticator {
        Some(authenticator) => authenticator.identify(&raw),
        None => CallerIdentity::Unsigned,
    };
    to_response(state.target.answer(&raw, &caller))
}

/// The outcome of reading a request body.
enum BodyRead {
    /// The whole body, at most [`MAX_BODY_BYTES`].
    Complete(Vec<u8>),
    /// Over [`MAX_BODY_BYTES`]; `drained` tells whether the rest was read to its end.
    TooLarge {
        /// Whether the connection can be kept (the body was read to its end).
        drained: bool,
    },
    /// The connection failed while the body was read.
    Failed,
}

/// Reads the body, keeping at most [`MAX_BODY_BYTES`]: a body announced larger
/// (`Content-Length`) is not read into memory at all, one that turns out larger is dropped as
/// soon as it does.
async fn read_body(mut body: Body) -> BodyRead {
    let announced = HttpBody::size_hint(&body).lower();
    if usize::try_from(announced).map_or(true, |announced| announced > MAX_BODY_BYTES) {
        return BodyRead::TooLarge {
            drained: drain(body).await,
        };
    }
    // `announced` is at most MAX_BODY_BYTES here.
    let mut bytes = Vec::with_capacity(usize::try_from(announced).unwrap_or(0));
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else {
            return BodyRead::Failed;
        };
        if let Ok(data) = frame.into_data() {
            if bytes.len() + data.len() > MAX_BODY_BYTES {
                drop(bytes);
                return BodyRead::TooLarge {
                    drained: drain(body).await,
                };
            }
            bytes.extend_from_slice(&data);
        }
    }
    BodyRead::Complete(bytes)
}

/// Reads and discards the rest of a body, up to [`MAX_DRAIN_BYTES`]; whether it reached the end.
async fn drain(mut body: Body) -> bool {
    let mut seen = 0usize;
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else {
            return false;
        };
        if let Ok(data) = frame.into_data() {
            seen = seen.saturating_add(data.len());
            if seen > MAX_DRAIN_BYTES {
                return false;
            }
        }
    }
    true
}

/// An awsJson1_1 error answered by the server itself: `{"__type": .., "message": ..}`.
/// `keep_alive` false adds `Connection: close` (the request body was not read to its end).
fn error_response(status: StatusCode, code: &str, message: &str, keep_alive: bool) -> Response {
    let body = serde_json::json!({ "__type": code, "message": message }).to_string();
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(wire::CONTENT_TYPE));
    if !keep_alive {
        response
            .headers_mut()
            .insert(CONNECTION, HeaderValue::from_static("close"));
    }
    response
}

/// The HTTP response for an observation: its status, headers (those that are valid HTTP) and
/// body.
fn to_response(observation: Observation) -> Response {
    let mut response = Response::new(Body::from(observation.body));
    *response.status_mut() =
        StatusCode::from_u16(observation.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    for (name, value) in &observation.headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            response.headers_mut().append(name, value);
        }
    }
    response
}
