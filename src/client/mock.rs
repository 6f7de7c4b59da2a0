//! The recording server: a wiremock server on 127.0.0.1 (a port the OS picks) that gives the
//! programmed answer to whatever it receives and keeps every request for the checks.

use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::contract::{Observation, RawRequest, wire};

/// A request as the recording server received it.
#[derive(Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    /// The method, for example `POST`.
    pub method: String,
    /// The path with the query string, if any (`/`, `/x?y=1`).
    pub path: String,
    /// Header names (lowercase, as HTTP/1.1 servers see them) and values, in order.
    pub headers: Vec<(String, String)>,
    /// The exact body bytes.
    pub body: Vec<u8>,
}

impl RecordedRequest {
    /// The first value of a header (case-insensitive name).
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&str> {
        wire::header(&self.headers, name)
    }

    /// The headers and body as a [`RawRequest`] (for reports and SigV4 verification).
    #[must_use]
    pub fn to_raw(&self) -> RawRequest {
        RawRequest {
            headers: self.headers.clone(),
            body: self.body.clone(),
        }
    }

    /// The body as text, with invalid UTF-8 replaced.
    #[must_use]
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

impl std::fmt::Debug for RecordedRequest {
    /// The request with the signature redacted.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let headers = crate::report::report_headers(&self.to_raw());
        f.debug_struct("RecordedRequest")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("headers", &headers)
            .field("body", &self.body_text())
            .finish()
    }
}

impl From<&wiremock::Request> for RecordedRequest {
    fn from(request: &wiremock::Request) -> Self {
        let mut path = request.url.path().to_owned();
        if let Some(query) = request.url.query() {
            path.push('?');
            path.push_str(query);
        }
        RecordedRequest {
            method: request.method.as_str().to_owned(),
            path,
            headers: wire::header_pairs(&request.headers),
            body: request.body.clone(),
        }
    }
}

/// The recording mock server of a client run: one per run, programmed again for every case.
///
/// ```
/// use opsworks_conformance::client::RecordingServer;
/// use opsworks_conformance::contract::Observation;
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let server = RecordingServer::start().await.unwrap();
/// server.answer_with(&Observation::json(200, r#"{"DeploymentId":"d-1"}"#)).await;
/// assert!(server.endpoint().starts_with("http://127.0.0.1:"));
/// assert!(server.received().await.is_empty());
/// # });
/// ```
pub struct RecordingServer {
    server: MockServer,
}

impl std::fmt::Debug for RecordingServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordingServer")
            .field("endpoint", &self.endpoint())
            .finish()
    }
}

impl RecordingServer {
    /// Starts a server on 127.0.0.1, on a port the operating system picks. Must be called
    /// within a tokio runtime.
    ///
    /// # Errors
    /// When no port can be bound on 127.0.0.1.
    pub async fn start() -> std::io::Result<Self> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        let server = MockServer::builder().listener(listener).start().await;
        Ok(RecordingServer { server })
    }

    /// The base URL, `http://127.0.0.1:PORT`.
    #[must_use]
    pub fn endpoint(&self) -> String {
        self.server.uri()
    }

    /// Forgets earlier requests and answers and answers every request with `response` from now
    /// on (status, headers in order, exact body). Headers HTTP cannot carry are left out.
    pub async fn answer_with(&self, response: &Observation) {
        self.server.reset().await;
        let mut template =
            ResponseTemplate::new(response.status).set_body_bytes(response.body.clone());
        for (name, value) in &response.headers {
            let (Ok(name), Ok(value)) = (
                http::HeaderName::from_bytes(name.as_bytes()),
                http::HeaderValue::from_str(value),
            ) else {
                continue;
            };
            template = template.append_header(name, value);
        }
        Mock::given(any())
            .respond_with(template)
            .mount(&self.server)
            .await;
    }

    /// The requests received since the last [`answer_with`](Self::answer_with), in order.
    pub async fn received(&self) -> Vec<RecordedRequest> {
        self.server
            .received_requests()
            .await
            .unwrap_or_default()
            .iter()
            .map(RecordedRequest::from)
            .collect()
    }
}
