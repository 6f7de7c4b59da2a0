//! Keeping secrets out of reports: signatures are redacted, secrets never written.

use crate::contract::RawRequest;

/// The header that carries a session token.
const SECURITY_TOKEN: &str = "X-Amz-Security-Token";

/// Headers as they may appear in a report: the `Authorization` signature and a session token
/// (`X-Amz-Security-Token`) replaced by `<redacted>` (the access key id and scope stay: they
/// are not secret).
#[must_use]
pub fn report_headers(request: &RawRequest) -> Vec<(String, String)> {
    request
        .headers
        .iter()
        .map(|(name, value)| {
            if name.eq_ignore_ascii_case("authorization") {
                (name.clone(), redact_authorization(value))
            } else if name.eq_ignore_ascii_case(SECURITY_TOKEN) {
                (name.clone(), "<redacted>".to_owned())
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

/// `text` with every signature of the request's `Authorization` headers (and its session
/// token, if any) replaced by `<redacted>`: for what the target answered (a target may echo the request back), which
/// reports quote.
///
/// ```
/// use opsworks_conformance::contract::RawRequest;
/// use opsworks_conformance::report::redact_signatures;
/// let signature = "0123456789abcdef".repeat(4);
/// let request = RawRequest::json("{}").with_header(
///     "Authorization",
///     format!("AWS4-HMAC-SHA256 Credential=AKID/20231114/us-east-1/opsworks/aws4_request, SignedHeaders=host;x-amz-date, Signature={signature}"),
/// );
/// let echoed = format!("400 {{\"message\":\"bad signature {signature}\"}}");
/// assert_eq!(redact_signatures(&echoed, &request), "400 {\"message\":\"bad signature <redacted>\"}");
/// ```
#[must_use]
pub fn redact_signatures(text: &str, request: &RawRequest) -> String {
    let mut text = text.to_owned();
    for (name, value) in &request.headers {
        if name.eq_ignore_ascii_case(SECURITY_TOKEN) {
            if value.trim().len() >= 16 {
                text = text.replace(value.trim(), "<redacted>");
            }
            continue;
        }
        if !name.eq_ignore_ascii_case("authorization") {
            continue;
        }
        let signature = value
            .find("Signature=")
            .map_or(value.as_str(), |at| &value[at + "Signature=".len()..])
            .trim();
        // A short value could occur by chance in any text: only real signatures (64 hex digits
        // when well formed) are looked for.
        if signature.len() >= 16 {
            text = text.replace(signature, "<redacted>");
        }
    }
    text
}
