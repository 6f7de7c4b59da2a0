//! What a target answered: an HTTP response, or a transport failure.

use std::fmt;

use crate::contract::wire;

/// A response as the gate observed it: status, headers and the exact body bytes.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Observation {
    /// HTTP status code.
    pub status: u16,
    /// Header names and values in the order received.
    pub headers: Vec<(String, String)>,
    /// The exact body bytes.
    pub body: Vec<u8>,
}

impl Observation {
    /// A response with this status, `Content-Type: application/x-amz-json-1.1` and this body.
    #[must_use]
    pub fn json(status: u16, body: impl Into<Vec<u8>>) -> Self {
        Observation {
            status,
            headers: vec![("Content-Type".to_owned(), wire::CONTENT_TYPE.to_owned())],
            body: body.into(),
        }
    }

    /// The first value of a header (case-insensitive name).
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&str> {
        wire::header(&self.headers, name)
    }

    /// The body as text, with invalid UTF-8 replaced (for reports and messages).
    #[must_use]
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// `status body`, the body cut to `limit` characters, for failure messages.
    #[must_use]
    pub fn brief(&self, limit: usize) -> String {
        format!(
            "{} {}",
            self.status,
            crate::contract::excerpt::excerpt(&self.body, limit)
        )
    }
}

impl fmt::Debug for Observation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Observation")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("body", &self.body_text())
            .finish()
    }
}

/// Why no HTTP response could be observed. Judged by P-NO-SERVER-ERROR, never a panic.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind}: {message}")]
pub struct TransportFailure {
    /// What went wrong.
    pub kind: TransportFailureKind,
    /// Details from the transport, without secrets.
    pub message: String,
}

impl TransportFailure {
    /// A failure of this kind with this message.
    #[must_use]
    pub fn new(kind: TransportFailureKind, message: impl Into<String>) -> Self {
        TransportFailure {
            kind,
            message: message.into(),
        }
    }
}

/// The kinds of transport failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransportFailureKind {
    /// The connection was refused.
    Refused,
    /// The connection was reset or closed before a whole response arrived.
    Dropped,
    /// No answer within the per-request timeout.
    Timeout,
    /// The bytes received are not an HTTP response.
    Unparsable,
    /// The target panicked or failed in another way.
    Other,
    /// The request was never sent: the target had been given up on (too many timeouts) or the
    /// run was stopped. Not an answer: the runner neither judges nor shrinks with it.
    NotSent,
}

impl fmt::Display for TransportFailureKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TransportFailureKind::Refused => "connection refused",
            TransportFailureKind::Dropped => "connection dropped",
            TransportFailureKind::Timeout => "timed out",
            TransportFailureKind::Unparsable => "unparsable response",
            TransportFailureKind::Other => "target failed",
            TransportFailureKind::NotSent => "not sent",
        })
    }
}

/// What a target answered to one request.
pub type Response = Result<Observation, TransportFailure>;
