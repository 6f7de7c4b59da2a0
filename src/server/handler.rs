//! The one HTTP handler: from an HTTP request to the served target's answer. The reference
//! server and [`ReferenceServer::serve_target`](super::ReferenceServer::serve_target) share it:
//! both serve a [`Target`], the reference one being a
//! [`ReferenceTarget`](crate::target::ReferenceTarget) that identifies callers
//! as the server does. The socket server calls [`handle`] straight from hyper; the in-process
//! server calls it through an axum [`Router`].

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{Request, State};
use axum::http::header::{CONNECTION, CONTENT_LENGTH, CONTENT_TYPE, TRANSFER_ENCODING};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode};
use axum::response::Response;
use http_body_util::{BodyExt, Full};
use tokio::time::Instant;

use crate::contract::{Observation, RawRequest, wire};
use crate::target::Target;

/// The largest request body the server reads (1 MiB). A larger body is answered with 413
/// `SerializationException` and never held in memory.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// How much of a refused body (too large, or sent to an unknown operation) is read and thrown
/// away so that the client, still sending, reads the answer instead of a reset connection.
/// Beyond this, the connection is closed.
const MAX_DRAIN_BYTES: usize = 16 * 1024 * 1024;

/// The `__type` of the 500 answered when the served target reports a transport failure.
pub(crate) const TARGET_FAILURE_CODE: &str = "InternalFailure";

/// The `__type` of the 408 answered when a body is not received in time.
pub(crate) const BODY_TIMEOUT_CODE: &str = "RequestTimeoutException";

/// What the handler needs: the target that answers every well-formed request. The target is
/// also who checks signatures (the reference one carries a SigV4 authenticator when the world
/// has users).
pub(crate) struct ServerState {
    /// The target that answers.
    pub(crate) target: Arc<dyn Target>,
    /// How long a request's body may take to arrive once the head is read; `None` for no
    /// limit (in process, where the executor may have no timer).
    pub(crate) body_read_timeout: Option<Duration>,
}

/// The router: one fallback handler for every method and path.
pub(crate) fn router(state: Arc<ServerState>) -> Router {
    Router::new().fallback(handle_routed).with_state(state)
}

/// [`handle`] as an axum handler.
async fn handle_routed(State(state): State<Arc<ServerState>>, request: Request) -> Response {
    handle(&state, request).await.map(Body::new)
}

/// An answer of the server: its body is always complete when it is made, so it is sent as is
/// (`Content-Length` framing), without boxing.
pub(crate) type Answer = axum::http::Response<Full<Bytes>>;

/// Answers one request, whatever its body type (hyper's, or axum's in process). Never panics
/// on what the client sent.
pub(crate) async fn handle<B>(state: &ServerState, request: axum::http::Request<B>) -> Answer
where
    B: HttpBody<Data = Bytes> + Unpin,
{
    let (parts, body) = request.into_parts();
    let deadline = state
        .body_read_timeout
        .map(|limit| Instant::now() + limit.max(Duration::from_millis(1)));
    if parts.method != Method::POST || parts.uri.path() != wire::PATH {
        let drained = drain(body, deadline).await;
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
    let body = match read_body(body, deadline).await {
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
        BodyRead::TimedOut => {
            let message = format!(
                "expected the request body within {} ms of its head, found it still arriving",
                state.body_read_timeout.unwrap_or_default().as_millis()
            );
            return error_response(
                StatusCode::REQUEST_TIMEOUT,
                BODY_TIMEOUT_CODE,
                &message,
                false,
            );
        }
    };
    let raw = RawRequest {
        headers: wire::header_pairs(&parts.headers),
        body,
    };
    match state.target.send(&raw).await {
        Ok(observation) => to_response(observation),
        // The served target could not answer (a foreign target over a transport of its own):
        // a 500 the client can see and a gate judges (P-NO-SERVER-ERROR). The failure's text
        // never holds request headers, so no signature leaks into the answer.
        Err(failure) => error_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            TARGET_FAILURE_CODE,
            &format!("expected the served target to answer, found {failure}"),
            true,
        ),
    }
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
    /// The connection failed while the body was read (cut, or a broken chunked encoding).
    Failed,
    /// The body did not arrive by the deadline.
    TimedOut,
}

/// Runs `future` until `deadline` (`None`: no deadline); `None` when the deadline passed first.
async fn within<F: Future>(deadline: Option<Instant>, future: F) -> Option<F::Output> {
    match deadline {
        Some(deadline) => tokio::time::timeout_at(deadline, future).await.ok(),
        None => Some(future.await),
    }
}

/// Reads the body by `deadline`, keeping at most [`MAX_BODY_BYTES`]: a body announced larger
/// (`Content-Length`) is not read into memory at all, one that turns out larger is dropped as
/// soon as it does.
async fn read_body<B>(mut body: B, deadline: Option<Instant>) -> BodyRead
where
    B: HttpBody<Data = Bytes> + Unpin,
{
    let announced = HttpBody::size_hint(&body).lower();
    if usize::try_from(announced).map_or(true, |announced| announced > MAX_BODY_BYTES) {
        return BodyRead::TooLarge {
            drained: drain(body, deadline).await,
        };
    }
    // `announced` is at most MAX_BODY_BYTES here.
    let capacity = usize::try_from(announced).unwrap_or(0);
    let collected = within(deadline, async {
        let mut bytes = Vec::with_capacity(capacity);
        while let Some(frame) = body.frame().await {
            let Ok(frame) = frame else {
                return Err(BodyRead::Failed);
            };
            if let Ok(data) = frame.into_data() {
                if bytes.len() + data.len() > MAX_BODY_BYTES {
                    return Ok(None);
                }
                bytes.extend_from_slice(&data);
            }
        }
        Ok(Some(bytes))
    })
    .await;
    match collected {
        None => BodyRead::TimedOut,
        Some(Err(failed)) => failed,
        Some(Ok(Some(bytes))) => BodyRead::Complete(bytes),
        // Over the limit: what was read so far is dropped before the rest is drained.
        Some(Ok(None)) => BodyRead::TooLarge {
            drained: drain(body, deadline).await,
        },
    }
}

/// Reads and discards the rest of a body, up to [`MAX_DRAIN_BYTES`] and until `deadline`;
/// whether it reached the end (so that the connection can be kept).
async fn drain<B>(mut body: B, deadline: Option<Instant>) -> bool
where
    B: HttpBody<Data = Bytes> + Unpin,
{
    let drained = within(deadline, async {
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
    })
    .await;
    drained.unwrap_or(false)
}

/// An awsJson1_1 error answered by the server itself: `{"__type": .., "message": ..}`.
/// `keep_alive` false adds `Connection: close` (the request body was not read to its end).
fn error_response(status: StatusCode, code: &str, message: &str, keep_alive: bool) -> Answer {
    let body = serde_json::json!({ "__type": code, "message": message }).to_string();
    let mut response = Answer::new(Full::new(Bytes::from(body)));
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

/// The HTTP response for an observation: its status, headers (those that are valid HTTP,
/// framing headers left out: the server frames the body itself) and body.
fn to_response(observation: Observation) -> Answer {
    let mut response = Answer::new(Full::new(Bytes::from(observation.body)));
    *response.status_mut() =
        StatusCode::from_u16(observation.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    for (name, value) in &observation.headers {
        // The reference target's one header, without parsing or copying.
        if name.eq_ignore_ascii_case(CONTENT_TYPE.as_str()) && value == wire::CONTENT_TYPE {
            response
                .headers_mut()
                .append(CONTENT_TYPE, HeaderValue::from_static(wire::CONTENT_TYPE));
            continue;
        }
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            if name == CONTENT_LENGTH || name == TRANSFER_ENCODING || name == CONNECTION {
                continue;
            }
            response.headers_mut().append(name, value);
        }
    }
    response
}
