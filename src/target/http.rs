//! Any implementation over HTTP: the request sent as is, the response observed as is.

use std::future::Future;
use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http::header::{ACCEPT, CONTENT_LENGTH, HeaderMap, HeaderName, HeaderValue, TRANSFER_ENCODING};
use http::{Method, Uri};
use http_body_util::{BodyExt, Full};
use hyper::body::{Body as _, Incoming};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use tokio::sync::Semaphore;

use crate::contract::{
    Observation, RawRequest, Response, TransportFailure, TransportFailureKind, wire,
};
use crate::target::{BoxFuture, Target};

/// How an [`HttpTarget`] sends requests. [`Default`]: 5 s timeout, 8 requests in flight, 8 MiB
/// responses, giving up on a target after 3 timeouts in a row or 16 in all.
///
/// Giving up bounds what a hanging target costs a run: at most `max_timeouts` timeouts (plus
/// those already in flight), instead of one timeout for each of thousands of cases.
///
/// ```
/// use std::time::Duration;
/// use opsworks_conformance::target::HttpTargetOptions;
/// let options = HttpTargetOptions { timeout: Duration::from_millis(300), ..HttpTargetOptions::default() };
/// assert_eq!(options.concurrency, 8);
/// assert_eq!((options.max_consecutive_timeouts, options.max_timeouts), (3, 16));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpTargetOptions {
    /// The longest one request may take, from connecting to the last byte of the response
    /// (waiting for a free slot of `concurrency` does not count). Over it:
    /// [`TransportFailureKind::Timeout`]. At least 1 ms.
    pub timeout: Duration,
    /// How many requests may be in flight at once through this target (and its clones); more
    /// wait. At least 1.
    pub concurrency: usize,
    /// The largest response body read; a larger one is a [`TransportFailureKind::Unparsable`]
    /// failure (`response body over N bytes`), read no further than that (a larger
    /// `Content-Length` is refused before any of the body is read).
    pub max_response_bytes: usize,
    /// After this many timeouts in a row (no complete response in between), the target is
    /// given up on ([`HttpTarget::gave_up`]): every later request fails at once, unsent, with a
    /// [`TransportFailureKind::NotSent`] saying so. 0: never for this reason.
    pub max_consecutive_timeouts: usize,
    /// After this many timeouts in all, the target is given up on the same way (a target that
    /// hangs on every other request never has many in a row). 0: never for this reason.
    pub max_timeouts: usize,
}

impl Default for HttpTargetOptions {
    fn default() -> Self {
        HttpTargetOptions {
            timeout: Duration::from_secs(5),
            concurrency: 8,
            max_response_bytes: 8 * 1024 * 1024,
            max_consecutive_timeouts: 3,
            max_timeouts: 16,
        }
    }
}

/// Timeouts seen by an [`HttpTarget`] and its clones, and whether it was given up on.
#[derive(Debug, Default)]
struct Timeouts {
    /// Timeouts since the last complete response (or other failure).
    consecutive: AtomicUsize,
    /// Timeouts in all.
    total: AtomicUsize,
    /// Set once the limits are reached; never cleared.
    gave_up: AtomicBool,
}

impl Timeouts {
    /// Whether the limits were reached.
    fn gave_up(&self) -> bool {
        self.gave_up.load(Ordering::SeqCst)
    }

    /// Timeouts in all.
    fn total(&self) -> usize {
        self.total.load(Ordering::SeqCst)
    }

    /// Sends one request within `options.timeout` (unless given up on: then fails at once),
    /// and counts a timeout or resets the run of timeouts.
    async fn bound(
        &self,
        options: &HttpTargetOptions,
        exchange: impl Future<Output = Response>,
    ) -> Response {
        if self.gave_up() {
            return Err(self.given_up(options));
        }
        let response = tokio::time::timeout(options.timeout, exchange)
            .await
            .unwrap_or_else(|_| Err(timed_out(options.timeout)));
        match &response {
            Err(failure) if failure.kind == TransportFailureKind::Timeout => {
                let consecutive = self.consecutive.fetch_add(1, Ordering::SeqCst) + 1;
                let total = self.total.fetch_add(1, Ordering::SeqCst) + 1;
                let reached = |limit: usize, count: usize| limit > 0 && count >= limit;
                if reached(options.max_consecutive_timeouts, consecutive)
                    || reached(options.max_timeouts, total)
                {
                    self.gave_up.store(true, Ordering::SeqCst);
                }
            }
            _ => self.consecutive.store(0, Ordering::SeqCst),
        }
        response
    }

    /// The failure of a request not sent because the target was given up on.
    fn given_up(&self, options: &HttpTargetOptions) -> TransportFailure {
        TransportFailure::new(
            TransportFailureKind::NotSent,
            format!(
                "the gate gave up on the target after {} timeouts of {} ms (limits: {} in a row, {} in all)",
                self.total(),
                options.timeout.as_millis(),
                options.max_consecutive_timeouts,
                options.max_timeouts,
            ),
        )
    }
}

/// The failure for a request that took longer than the timeout.
fn timed_out(timeout: Duration) -> TransportFailure {
    TransportFailure::new(
        TransportFailureKind::Timeout,
        format!("no complete response within {} ms", timeout.as_millis()),
    )
}

/// Why an [`HttpTarget`] could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HttpTargetError {
    /// The URL is not an absolute `http://` or `https://` URL with a host, or carries a user
    /// name or password.
    #[error("endpoint URL {url:?}: expected {expected}, found {found}")]
    InvalidUrl {
        /// The URL as given, with any password replaced by `***`.
        url: String,
        /// What was expected.
        expected: String,
        /// What was found.
        found: String,
    },
    /// An option is out of range.
    #[error("HTTP target option {option}: expected {expected}, found {found}")]
    InvalidOption {
        /// The option's name (`timeout`, `concurrency`).
        option: &'static str,
        /// What was expected.
        expected: String,
        /// What was found.
        found: String,
    },
    /// The HTTP client could not be built (for example, no TLS backend could be set up).
    #[error("cannot build the HTTP client: expected a working client setup, found: {message}")]
    Client {
        /// What the HTTP client library said.
        message: String,
    },
}

/// A [`Target`] over HTTP: every request is a `POST` to the URL with exactly the request's body
/// bytes and headers, and the answer is observed as it came (status, headers in order, body).
///
/// - One client for `http://` and `https://`: hyper-util's (hyper 1), one shared pool of
///   HTTP/1.1 keep-alive connections, at most [`HttpTargetOptions::concurrency`] idle ones kept,
///   with `TCP_NODELAY`; a connection idle for 5 s is closed rather than reused (below the
///   reference server's 10 s). `https://` needs the feature `tls` (rustls on `ring`, the
///   system's trust roots, or [`HttpTarget::with_tls_config`]); without it such a URL is
///   refused when the target is made. No proxy from the environment, no redirect followed (a
///   3xx is an observation like any other), no retry: each request is sent once (only a
///   request that a reused connection closed before any of it was written goes out on a new
///   connection).
/// - Headers: duplicates are kept. A `Host` header in the request is sent as is (a SigV4
///   signature covers it; without one, the client sends the URL's authority).
///   `Content-Length` and `Transfer-Encoding` are not copied: the client frames the body itself
///   (`Content-Length` of the exact body). Names or values HTTP cannot carry (a newline in a
///   value) are left out. When the request has no `Accept` header, the client adds
///   `Accept: */*`.
/// - Transport failures never carry request headers, so no signature or secret ends up in a
///   report.
/// - Every request is bounded: [`HttpTargetOptions::timeout`] from connecting to the last byte,
///   [`HttpTargetOptions::max_response_bytes`] of body. After
///   [`HttpTargetOptions::max_consecutive_timeouts`] timeouts in a row or
///   [`HttpTargetOptions::max_timeouts`] in all, the target is given up on
///   ([`HttpTarget::gave_up`]): later requests fail at once without being sent, so that a
///   hanging target cannot make a run last thousands of timeouts.
///
/// Cloning is cheap and shares the pool, the concurrency limit and the timeout count.
///
/// ```no_run
/// # async fn example() -> Result<(), Box<dyn std::error::Error>> {
/// use opsworks_conformance::contract::RawRequest;
/// use opsworks_conformance::target::{HttpTarget, Target};
///
/// let target = HttpTarget::new("http://127.0.0.1:8080")?;
/// assert_eq!(target.authority(), "127.0.0.1:8080");
/// let response = target.send(&RawRequest::json("{}")).await;
/// # let _ = response;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct HttpTarget {
    /// The URL as the user gave it (trimmed), for reports.
    given: String,
    /// `host:port` of the URL.
    authority: String,
    /// How requests go out (shared by clones).
    transport: Transport,
    /// Bounds the requests in flight.
    permits: Arc<Semaphore>,
    /// The options.
    options: HttpTargetOptions,
    /// Timeouts so far, shared by clones.
    timeouts: Arc<Timeouts>,
}

impl HttpTarget {
    /// A target at this URL with the default options.
    ///
    /// # Errors
    /// [`HttpTargetError::InvalidUrl`] when the URL is not an absolute `http://` or `https://`
    /// URL with a host (or carries a user name or password).
    pub fn new(url: &str) -> Result<HttpTarget, HttpTargetError> {
        HttpTarget::with_options(url, HttpTargetOptions::default())
    }

    /// A target at this URL with these options.
    ///
    /// # Errors
    /// As [`HttpTarget::new`]; [`HttpTargetError::InvalidOption`] for a zero timeout or
    /// concurrency.
    pub fn with_options(
        url: &str,
        options: HttpTargetOptions,
    ) -> Result<HttpTarget, HttpTargetError> {
        let (parsed, authority) = parse_url(url)?;
        check_options(&options)?;
        let transport = Transport::new(parsed, options.concurrency, None)?;
        Ok(HttpTarget::made(url, authority, transport, options))
    }

    /// A target at this URL with these options, speaking TLS with this rustls configuration
    /// (its trust roots, client certificates, versions) instead of the default one (the
    /// system's trust roots, `SSL_CERT_FILE` honoured). Plain `http://` URLs ignore it.
    ///
    /// # Errors
    /// As [`HttpTarget::with_options`].
    #[cfg(feature = "tls")]
    pub fn with_tls_config(
        url: &str,
        options: HttpTargetOptions,
        config: rustls::ClientConfig,
    ) -> Result<HttpTarget, HttpTargetError> {
        let (parsed, authority) = parse_url(url)?;
        check_options(&options)?;
        let transport = Transport::new(parsed, options.concurrency, Some(config))?;
        Ok(HttpTarget::made(url, authority, transport, options))
    }

    /// The target, once its parts are made.
    fn made(
        url: &str,
        authority: String,
        transport: Transport,
        options: HttpTargetOptions,
    ) -> HttpTarget {
        HttpTarget {
            given: url.trim().to_owned(),
            authority,
            transport,
            permits: Arc::new(Semaphore::new(options.concurrency)),
            options,
            timeouts: Arc::new(Timeouts::default()),
        }
    }

    /// Whether this target was given up on after too many timeouts
    /// ([`HttpTargetOptions::max_consecutive_timeouts`], [`HttpTargetOptions::max_timeouts`]):
    /// requests sent since then failed at once without reaching it.
    #[must_use]
    pub fn gave_up(&self) -> bool {
        self.timeouts.gave_up()
    }

    /// How many requests timed out so far (probes not counted).
    #[must_use]
    pub fn timeouts(&self) -> usize {
        self.timeouts.total()
    }

    /// The options this target was made with.
    #[must_use]
    pub fn options(&self) -> &HttpTargetOptions {
        &self.options
    }

    /// Checks that the endpoint answers HTTP at all: one `POST` with an empty body and no
    /// headers of its own. Any HTTP response, whatever its status, is success. Used to tell an
    /// unreachable endpoint (the run cannot be made) from a non-conforming one.
    ///
    /// # Errors
    /// The [`TransportFailure`] when no HTTP response came back within the timeout.
    pub async fn probe(&self) -> Result<(), TransportFailure> {
        let request = self.transport.request(&RawRequest {
            headers: Vec::new(),
            body: Vec::new(),
        });
        // Only the head is needed; the body is not read, so the connection is closed, not reused.
        let exchange = async {
            self.transport
                .client
                .request(request)
                .await
                .map(drop)
                .map_err(|error| client_failure(&error))
        };
        tokio::time::timeout(self.options.timeout, exchange)
            .await
            .unwrap_or_else(|_| Err(timed_out(self.options.timeout)))
    }

    /// Sends one request, within the concurrency limit and the timeout; fails at once when the
    /// target was given up on.
    async fn exchange(&self, request: &RawRequest) -> Response {
        if self.gave_up() {
            return Err(self.timeouts.given_up(&self.options));
        }
        let _permit = self.permits.acquire().await.map_err(|_| {
            TransportFailure::new(TransportFailureKind::Other, "the HTTP target was closed")
        })?;
        // Checked again: it may have been given up on while this request waited for a slot.
        self.timeouts
            .bound(
                &self.options,
                self.transport.exchange(request, &self.options),
            )
            .await
    }
}

/// Checks the options an [`HttpTarget`] is made with.
fn check_options(options: &HttpTargetOptions) -> Result<(), HttpTargetError> {
    if options.timeout < Duration::from_millis(1) {
        return Err(HttpTargetError::InvalidOption {
            option: "timeout",
            expected: "at least 1 ms".to_owned(),
            found: format!("{:?}", options.timeout),
        });
    }
    if options.concurrency == 0 {
        return Err(HttpTargetError::InvalidOption {
            option: "concurrency",
            expected: "at least 1 request in flight".to_owned(),
            found: "0".to_owned(),
        });
    }
    Ok(())
}

/// How long a connection may sit idle before it is retired instead of reused: below the
/// reference server's 10 s idle limit, so that a connection the server is closing after a pause
/// is never picked for the next request.
const IDLE_LIMIT: Duration = Duration::from_secs(5);

/// What makes connections: TCP, and TLS over it for `https://` (feature `tls`).
#[cfg(feature = "tls")]
type Connector = hyper_rustls::HttpsConnector<HttpConnector>;
/// What makes connections: TCP (`https://` needs the feature `tls`).
#[cfg(not(feature = "tls"))]
type Connector = HttpConnector;

/// How an [`HttpTarget`] sends requests: hyper-util's client (HTTP/1.1, a pool of keep-alive
/// connections) for `http://` and `https://` alike.
#[derive(Debug, Clone)]
struct Transport {
    /// The client (shared by clones).
    client: Client<Connector, Full<Bytes>>,
    /// Where requests go: the URL, absolute.
    uri: Uri,
}

impl Transport {
    /// The transport for this URL (already checked: http or https, a host, a port), with
    /// this TLS configuration for `https://` (the default one when `None`).
    fn new(
        uri: Uri,
        concurrency: usize,
        #[cfg(feature = "tls")] tls: Option<rustls::ClientConfig>,
        #[cfg(not(feature = "tls"))] tls: Option<std::convert::Infallible>,
    ) -> Result<Transport, HttpTargetError> {
        let mut tcp = HttpConnector::new();
        // Requests are small and sent in one write; never wait for an acknowledgement.
        tcp.set_nodelay(true);
        #[cfg(feature = "tls")]
        let connector = {
            tcp.enforce_http(false);
            let config = match tls {
                Some(config) => config,
                None if uri.scheme_str() == Some("https") => default_tls_config()?,
                // Never used for `http://`; made without reading the system's certificates.
                None => tls_config_builder()?
                    .with_root_certificates(rustls::RootCertStore::empty())
                    .with_no_client_auth(),
            };
            hyper_rustls::HttpsConnectorBuilder::new()
                .with_tls_config(config)
                .https_or_http()
                .enable_http1()
                .wrap_connector(tcp)
        };
        #[cfg(not(feature = "tls"))]
        let connector = {
            let _ = tls;
            if uri.scheme_str() == Some("https") {
                return Err(HttpTargetError::InvalidUrl {
                    url: redact_password(&uri.to_string()),
                    expected:
                        "an http:// URL (https:// needs the feature `tls` of opsworks-conformance)"
                            .to_owned(),
                    found: "the scheme \"https\"".to_owned(),
                });
            }
            tcp
        };
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(IDLE_LIMIT)
            .pool_max_idle_per_host(concurrency)
            .pool_timer(TokioTimer::new())
            .build(connector);
        Ok(Transport { client, uri })
    }

    /// The request as it is sent: `POST`, the request's headers in order (duplicates kept;
    /// framing headers and what HTTP cannot carry left out), then `Accept`, and the body's exact
    /// `Content-Length` (the client adds `Host`, the URL's authority, when the request has none).
    fn request(&self, request: &RawRequest) -> http::Request<Full<Bytes>> {
        let mut headers = header_map(request, 2);
        if !headers.contains_key(ACCEPT) {
            headers.insert(ACCEPT, HeaderValue::from_static("*/*"));
        }
        headers.insert(CONTENT_LENGTH, HeaderValue::from(request.body.len()));
        let mut sent = http::Request::new(Full::new(Bytes::copy_from_slice(&request.body)));
        *sent.method_mut() = Method::POST;
        *sent.uri_mut() = self.uri.clone();
        *sent.headers_mut() = headers;
        sent
    }

    /// Sends one request and reads the whole response (at most `max_response_bytes` of body).
    async fn exchange(&self, request: &RawRequest, options: &HttpTargetOptions) -> Response {
        let response = self
            .client
            .request(self.request(request))
            .await
            .map_err(|error| client_failure(&error))?;
        let (head, body) = response.into_parts();
        let headers = wire::header_pairs(&head.headers);
        let limit = options.max_response_bytes;
        let announced = body.size_hint().exact();
        if announced.is_some_and(|length| u64::try_from(limit).is_ok_and(|limit| length > limit)) {
            return Err(too_large(limit));
        }
        // Never more than the limit is kept: a 100 MiB answer costs at most `limit` bytes.
        let announced = announced
            .and_then(|length| usize::try_from(length).ok())
            .unwrap_or(0);
        let bytes = read_body(body, Vec::with_capacity(announced.min(limit)), limit).await?;
        Ok(Observation {
            status: head.status.as_u16(),
            headers,
            body: bytes,
        })
    }
}

/// The rustls configuration for `https://` unless one is given: the system's trust roots
/// (`rustls-native-certs`, which honours `SSL_CERT_FILE` and `SSL_CERT_DIR`).
#[cfg(feature = "tls")]
fn default_tls_config() -> Result<rustls::ClientConfig, HttpTargetError> {
    let found = rustls_native_certs::load_native_certs();
    let mut roots = rustls::RootCertStore::empty();
    let (added, _ignored) = roots.add_parsable_certificates(found.certs);
    if added == 0 {
        let errors: Vec<String> = found.errors.iter().map(ToString::to_string).collect();
        return Err(HttpTargetError::Client {
            message: format!(
                "no trusted root certificate on this system ({}); set SSL_CERT_FILE or use HttpTarget::with_tls_config",
                if errors.is_empty() {
                    "none found".to_owned()
                } else {
                    errors.join("; ")
                }
            ),
        });
    }
    Ok(tls_config_builder()?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

/// A rustls configuration builder on `ring` with the default protocol versions.
#[cfg(feature = "tls")]
fn tls_config_builder()
-> Result<rustls::ConfigBuilder<rustls::ClientConfig, rustls::WantsVerifier>, HttpTargetError> {
    rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|error| HttpTargetError::Client {
            message: error.to_string(),
        })
}

/// Reads a response body to the end into `bytes`, failing past `limit` bytes.
async fn read_body(
    mut body: Incoming,
    mut bytes: Vec<u8>,
    limit: usize,
) -> Result<Vec<u8>, TransportFailure> {
    while let Some(frame) = body.frame().await {
        let frame =
            frame.map_err(|error| exchange_failure(&error, "error reading the response body"))?;
        if let Ok(chunk) = frame.into_data() {
            if bytes.len().saturating_add(chunk.len()) > limit {
                return Err(too_large(limit));
            }
            bytes.extend_from_slice(&chunk);
        }
    }
    Ok(bytes)
}

impl Target for HttpTarget {
    fn send<'a>(&'a self, request: &'a RawRequest) -> BoxFuture<'a, Response> {
        Box::pin(self.exchange(request))
    }

    /// The URL, as given.
    fn describe(&self) -> String {
        self.given.clone()
    }

    /// `host:port` of the URL, with the scheme's default port when the URL names none.
    fn authority(&self) -> String {
        self.authority.clone()
    }

    /// Every request, until the target is given up on ([`HttpTarget::gave_up`]); none after.
    /// A runner then skips the remaining cases instead of judging failures of requests that
    /// were never sent, and never shrinks a counterexample to such a request.
    fn can_send(&self, _request: &RawRequest) -> bool {
        !self.gave_up()
    }
}

/// Checks the URL and works out its authority, `host:port`; the URL with a path (`/` when it
/// has none).
fn parse_url(text: &str) -> Result<(Uri, String), HttpTargetError> {
    let text = text.trim();
    let invalid = |found: String| HttpTargetError::InvalidUrl {
        url: redact_password(text),
        expected: "an absolute http:// or https:// URL with a host, such as http://127.0.0.1:8080"
            .to_owned(),
        found,
    };
    let (host, port, uri) = crate::target::url::parse_http_url(text).map_err(invalid)?;
    Ok((uri, format!("{host}:{port}")))
}

/// The URL text with whatever is between `://` and `@` (user name and password) replaced by
/// `***`, for error messages.
fn redact_password(text: &str) -> String {
    let Some((scheme, rest)) = text.split_once("://") else {
        return text.to_owned();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}://***{}", &rest[at..]),
        None => text.to_owned(),
    }
}

/// The failure for a response body over the limit.
fn too_large(limit: usize) -> TransportFailure {
    TransportFailure::new(
        TransportFailureKind::Unparsable,
        format!("response body over {limit} bytes"),
    )
}

/// The request's headers as the client sends them: in order, duplicates kept, framing headers
/// and what HTTP cannot carry left out; room for `extra` more.
fn header_map(request: &RawRequest, extra: usize) -> HeaderMap {
    let mut map = HeaderMap::with_capacity(request.headers.len() + extra);
    for (name, value) in &request.headers {
        let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_bytes(value.as_bytes()),
        ) else {
            continue;
        };
        if name == CONTENT_LENGTH || name == TRANSFER_ENCODING {
            continue;
        }
        map.append(name, value);
    }
    map
}

/// The failure of a request the client could not complete: connecting (refused, timed out,
/// or another error such as a name that does not resolve or a TLS handshake that failed), or
/// the exchange (see [`exchange_failure`]).
fn client_failure(error: &hyper_util::client::legacy::Error) -> TransportFailure {
    // The client's own words ("client error (Connect)") add nothing to its causes.
    let inner = std::error::Error::source(error).unwrap_or(error);
    let io_kind =
        causes(inner).find_map(|cause| cause.downcast_ref::<io::Error>().map(io::Error::kind));
    if error.is_connect() {
        let kind = match io_kind {
            Some(io::ErrorKind::ConnectionRefused) => TransportFailureKind::Refused,
            Some(io::ErrorKind::TimedOut) => TransportFailureKind::Timeout,
            _ => TransportFailureKind::Other,
        };
        return TransportFailure::new(kind, format!("cannot connect: {}", error_chain(inner)));
    }
    match causes(inner).find_map(|cause| cause.downcast_ref::<hyper::Error>()) {
        Some(hyper_error) => exchange_failure(hyper_error, "error sending request"),
        None => TransportFailure::new(
            TransportFailureKind::Other,
            format!("error sending request: {}", error_chain(inner)),
        ),
    }
}

/// The failure of an exchange on a connection: bytes that are not HTTP are unparsable, a
/// timeout of the operating system's is a timeout, anything else (a reset, a connection closed
/// before the response was complete) is a dropped connection.
fn exchange_failure(error: &hyper::Error, context: &str) -> TransportFailure {
    let message = format!("{context}: {}", error_chain(error));
    let timed_out = causes(error).any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|error| error.kind() == io::ErrorKind::TimedOut)
    });
    let kind = if error.is_parse() || is_parse_error(&message) {
        TransportFailureKind::Unparsable
    } else if error.is_timeout() || timed_out {
        TransportFailureKind::Timeout
    } else {
        TransportFailureKind::Dropped
    };
    TransportFailure::new(kind, message)
}

/// Whether the causes say the bytes received are not HTTP (hyper's parse errors).
fn is_parse_error(message: &str) -> bool {
    [
        "invalid HTTP",
        "message head is too large",
        "invalid content-length parsed",
        "unexpected transfer-encoding parsed",
        "received unexpected message from connection",
    ]
    .iter()
    .any(|marker| message.contains(marker))
}

/// The error and its causes, outermost first.
fn causes<'e>(
    error: &'e (dyn std::error::Error + 'static),
) -> impl Iterator<Item = &'e (dyn std::error::Error + 'static)> {
    std::iter::successors(Some(error), |&error| error.source())
}

/// `error: cause: cause`, consecutive repeats removed.
fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in causes(error) {
        let text = cause.to_string();
        if parts.last().is_none_or(|last| !last.contains(&text)) {
            parts.push(text);
        }
    }
    parts.join(": ")
}
