//! Any implementation over HTTP: the request sent as is, the response observed as is.

use std::future::Future;
use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use reqwest::header::{CONTENT_LENGTH, HeaderMap, HeaderName, HeaderValue, TRANSFER_ENCODING};
use reqwest::{Client, Url};
use tokio::sync::Semaphore;

use crate::contract::{Observation, RawRequest, Response, TransportFailure, TransportFailureKind};
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
/// - One shared connection pool (HTTP/1.1, keep-alive); no proxy from the environment, no
///   redirect followed, no retry: each request is sent once.
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
    /// Where requests go.
    url: Url,
    /// The URL as the user gave it (trimmed), for reports.
    given: String,
    /// `host:port` of the URL.
    authority: String,
    /// The shared client (connection pool).
    client: Client,
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
        let client = Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .retry(reqwest::retry::never())
            .http1_only()
            // No timeout of the client's own: `exchange` bounds the whole exchange, so that
            // every timeout reads the same ("no complete response within N ms").
            .pool_max_idle_per_host(options.concurrency)
            // Below the reference server's 10 s idle limit, so that a connection the server is
            // closing after a pause is never picked for the next request.
            .pool_idle_timeout(std::time::Duration::from_secs(5))
            .build()
            .map_err(|error| HttpTargetError::Client {
                message: error_chain(&error),
            })?;
        Ok(HttpTarget {
            url: parsed,
            given: url.trim().to_owned(),
            authority,
            client,
            permits: Arc::new(Semaphore::new(options.concurrency)),
            options,
            timeouts: Arc::new(Timeouts::default()),
        })
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
        let exchange = async {
            self.client
                .post(self.url.clone())
                .send()
                .await
                .map(drop)
                .map_err(|error| classify(&error))
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
            .bound(&self.options, self.exchange_unbounded(request))
            .await
    }

    /// Sends one request and reads the whole response.
    async fn exchange_unbounded(&self, request: &RawRequest) -> Response {
        let mut response = self
            .client
            .post(self.url.clone())
            .headers(header_map(request))
            .body(request.body.clone())
            .send()
            .await
            .map_err(|error| classify(&error))?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_owned(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect();
        let limit = self.options.max_response_bytes;
        let too_large = || {
            TransportFailure::new(
                TransportFailureKind::Unparsable,
                format!("response body over {limit} bytes"),
            )
        };
        if response
            .content_length()
            .is_some_and(|length| u64::try_from(limit).is_ok_and(|limit| length > limit))
        {
            return Err(too_large());
        }
        // Never more than the limit is kept: a 100 MiB answer costs at most `limit` bytes.
        let announced = response
            .content_length()
            .and_then(|length| usize::try_from(length).ok())
            .unwrap_or(0);
        let mut body = Vec::with_capacity(announced.min(limit));
        while let Some(chunk) = response.chunk().await.map_err(|error| classify(&error))? {
            if body.len().saturating_add(chunk.len()) > limit {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Observation {
            status,
            headers,
            body,
        })
    }
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

/// Checks the URL and works out its authority, `host:port`.
fn parse_url(text: &str) -> Result<(Url, String), HttpTargetError> {
    let invalid = |found: String| HttpTargetError::InvalidUrl {
        url: redact_password(text),
        expected: "an absolute http:// or https:// URL with a host, such as http://127.0.0.1:8080"
            .to_owned(),
        found,
    };
    let url = Url::parse(text)
        .map_err(|error| invalid(format!("a URL that does not parse ({error})")))?;
    if url.scheme() != "http" && url.scheme() != "https" {
        return Err(invalid(format!("the scheme {:?}", url.scheme())));
    }
    let Some(host) = url.host_str().filter(|host| !host.is_empty()) else {
        return Err(invalid("no host".to_owned()));
    };
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid(
            "a user name or password (requests are authenticated with SigV4, not in the URL)"
                .to_owned(),
        ));
    }
    let Some(port) = url.port_or_known_default() else {
        return Err(invalid("no port".to_owned()));
    };
    let authority = format!("{host}:{port}");
    Ok((url, authority))
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

/// The request's headers as the client sends them: in order, duplicates kept, framing headers
/// and what HTTP cannot carry left out.
fn header_map(request: &RawRequest) -> HeaderMap {
    let mut map = HeaderMap::with_capacity(request.headers.len());
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

/// The kind of a client error, and a message made of the error's causes (never the request's
/// headers or the URL).
fn classify(error: &reqwest::Error) -> TransportFailure {
    let message = error_chain(error);
    let io_kind =
        causes(error).find_map(|cause| cause.downcast_ref::<io::Error>().map(io::Error::kind));
    let kind = if error.is_timeout() || io_kind == Some(io::ErrorKind::TimedOut) {
        TransportFailureKind::Timeout
    } else if io_kind == Some(io::ErrorKind::ConnectionRefused) {
        TransportFailureKind::Refused
    } else if is_parse_error(&message) {
        TransportFailureKind::Unparsable
    } else if error.is_connect() {
        TransportFailureKind::Other
    } else if error.is_body()
        || error.is_decode()
        || error.is_request()
        || matches!(
            io_kind,
            Some(
                io::ErrorKind::ConnectionReset
                    | io::ErrorKind::ConnectionAborted
                    | io::ErrorKind::BrokenPipe
                    | io::ErrorKind::UnexpectedEof
            )
        )
    {
        TransportFailureKind::Dropped
    } else {
        TransportFailureKind::Other
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

/// `error: cause: cause`, without the URL, consecutive repeats removed.
fn error_chain(error: &reqwest::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in causes(error) {
        let text = if let Some(error) = cause.downcast_ref::<reqwest::Error>() {
            // The URL is left out: it is in the report already.
            let mut text = error.to_string();
            if let Some(url) = error.url() {
                text = text.replace(&format!(" for url ({url})"), "");
            }
            text
        } else {
            cause.to_string()
        };
        if parts.last().is_none_or(|last| !last.contains(&text)) {
            parts.push(text);
        }
    }
    parts.join(": ")
}
