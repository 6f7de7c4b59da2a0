//! Keeping secrets out of reports: signatures are redacted, secrets never written.

use crate::contract::RawRequest;

/// Headers as they may appear in a report: the `Authorization` signature replaced by
/// `<redacted>` (the access key id and scope stay: they are not secret).
#[must_use]
pub fn report_headers(request: &RawRequest) -> Vec<(String, String)> {
    request
        .headers
        .iter()
        .map(|(name, value)| {
            if name.eq_ignore_ascii_case("authorization") {
                (name.clone(), redact_authorization(value))
            } else {
                (name.clone(), value.clone())
            }
        })
        .collect()
}

/// `AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=<redacted>`.
#[must_use]
pub fn redact_authorization(value: &str) -> String {
    match value.find("Signature=") {
        Some(at) => format!("{}Signature=<redacted>", &value[..at]),
        None => "<redacted>".to_owned(),
    }
}
