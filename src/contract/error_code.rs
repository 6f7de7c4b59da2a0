//! Error codes: the ones the catalogue names, and how a code is read off a response.

use std::fmt;

use crate::contract::wire;

/// An error code the catalogue names. Observed codes are plain strings (any code can be seen);
/// expected codes are always one of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ErrorCode {
    /// Modelled: the request is not valid (V-*).
    ValidationException,
    /// Modelled: a named resource does not exist (N-*).
    ResourceNotFoundException,
    /// The body could not be read as the input structure (P-MALFORMED-JSON, V-TYPE).
    SerializationException,
    /// `X-Amz-Target` names no operation this endpoint serves (P-UNKNOWN-OPERATION).
    UnknownOperationException,
    /// No `Authorization` header (A-SIGNATURE-REQUIRED).
    MissingAuthenticationTokenException,
    /// The access key id is not known (A-KEY-KNOWN).
    UnrecognizedClientException,
    /// The signature does not verify (A-SIGNATURE-VALID).
    InvalidSignatureException,
    /// The caller may not run the action on the stack (A-PERMISSION).
    AccessDeniedException,
}

impl ErrorCode {
    /// Every code the catalogue names.
    pub const ALL: [ErrorCode; 8] = [
        ErrorCode::ValidationException,
        ErrorCode::ResourceNotFoundException,
        ErrorCode::SerializationException,
        ErrorCode::UnknownOperationException,
        ErrorCode::MissingAuthenticationTokenException,
        ErrorCode::UnrecognizedClientException,
        ErrorCode::InvalidSignatureException,
        ErrorCode::AccessDeniedException,
    ];

    /// The code as sent in `__type`, for example `"ValidationException"`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::ValidationException => "ValidationException",
            ErrorCode::ResourceNotFoundException => "ResourceNotFoundException",
            ErrorCode::SerializationException => "SerializationException",
            ErrorCode::UnknownOperationException => "UnknownOperationException",
            ErrorCode::MissingAuthenticationTokenException => "MissingAuthenticationTokenException",
            ErrorCode::UnrecognizedClientException => "UnrecognizedClientException",
            ErrorCode::InvalidSignatureException => "InvalidSignatureException",
            ErrorCode::AccessDeniedException => "AccessDeniedException",
        }
    }

    /// The HTTP status the reference implementation sends with this code.
    #[must_use]
    pub const fn status(self) -> u16 {
        match self {
            ErrorCode::MissingAuthenticationTokenException
            | ErrorCode::UnrecognizedClientException
            | ErrorCode::InvalidSignatureException
            | ErrorCode::AccessDeniedException => 403,
            _ => 400,
        }
    }

    /// Parses a sanitised code; `None` for codes the catalogue does not name.
    #[must_use]
    pub fn parse(code: &str) -> Option<ErrorCode> {
        ErrorCode::ALL
            .into_iter()
            .find(|known| known.as_str() == code)
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for ErrorCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// Sanitises an error type as the awsJson1_1 rules say: keep what is before the first `:`,
/// then what is after the first `#`.
///
/// ```
/// use opsworks_conformance::contract::sanitize_error_code;
/// assert_eq!(sanitize_error_code("aws.protocoltests.json#FooError:http://internal"), "FooError");
/// assert_eq!(sanitize_error_code("FooError"), "FooError");
/// ```
#[must_use]
pub fn sanitize_error_code(raw: &str) -> &str {
    let before_colon = raw.split(':').next().unwrap_or(raw);
    match before_colon.split_once('#') {
        Some((_, after)) => after,
        None => before_colon,
    }
}

/// Reads the error code of a response by the smithy rules (P-ERROR-SHAPE): the
/// `X-Amzn-Errortype` header, else the body's top-level `code`, else its top-level `__type`;
/// sanitised. `None` when none of the three carries a non-empty string.
///
/// ```
/// use opsworks_conformance::contract::error_code_of;
/// let body = br#"{"__type":"com.amazonaws.opsworks#ValidationException","message":"no"}"#;
/// assert_eq!(error_code_of(&[], body).as_deref(), Some("ValidationException"));
/// let headers = [("X-Amzn-Errortype".to_owned(), "ResourceNotFoundException:http://x".to_owned())];
/// assert_eq!(error_code_of(&headers, body).as_deref(), Some("ResourceNotFoundException"));
/// ```
#[must_use]
pub fn error_code_of(headers: &[(String, String)], body: &[u8]) -> Option<String> {
    if let Some(value) = wire::header(headers, wire::ERROR_TYPE_HEADER) {
        let code = sanitize_error_code(value.trim());
        if !code.is_empty() {
            return Some(code.to_owned());
        }
    }
    let document: serde_json::Value = serde_json::from_slice(body).ok()?;
    let object = document.as_object()?;
    ["code", "__type"].into_iter().find_map(|member| {
        object
            .get(member)
            .and_then(serde_json::Value::as_str)
            .map(sanitize_error_code)
            .filter(|code| !code.is_empty())
            .map(str::to_owned)
    })
}
