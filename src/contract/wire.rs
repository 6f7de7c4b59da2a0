//! Wire constants of CreateDeployment over awsJson1_1 (see `AWSJSON11.md`).

/// The only method: `POST`.
pub const METHOD: &str = "POST";
/// The only path: `/`.
pub const PATH: &str = "/";
/// The request header that names the operation.
pub const TARGET_HEADER: &str = "X-Amz-Target";
/// `<service shape name>.<operation name>` for this operation.
pub const TARGET_VALUE: &str = "OpsWorks_20130218.CreateDeployment";
/// The prefix of every OpsWorks operation's target (`OpsWorks_20130218.`).
pub const TARGET_PREFIX: &str = "OpsWorks_20130218.";
/// The media type of requests and responses.
pub const CONTENT_TYPE: &str = "application/x-amz-json-1.1";
/// The header that may carry the error type (it wins over the body).
pub const ERROR_TYPE_HEADER: &str = "X-Amzn-Errortype";
/// The SigV4 signing name of the service.
pub const SIGNING_NAME: &str = "opsworks";

/// Whether a `Content-Type` value is the awsJson1_1 media type, with or without parameters
/// (P-CONTENT-TYPE-PARAMS). The comparison of the type itself is case-insensitive (RFC 9110).
///
/// ```
/// use opsworks_conformance::contract::wire::is_json11_media_type;
/// assert!(is_json11_media_type("application/x-amz-json-1.1; charset=utf-8"));
/// assert!(!is_json11_media_type("application/json"));
/// ```
#[must_use]
pub fn is_json11_media_type(value: &str) -> bool {
    let essence = value.split(';').next().unwrap_or("").trim();
    essence.eq_ignore_ascii_case(CONTENT_TYPE)
}

/// Finds the first value of a header by case-insensitive name.
#[must_use]
pub fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .map(|(_, value)| value.as_str())
}

/// All values of a header by case-insensitive name, in order.
pub fn header_values<'a>(
    headers: &'a [(String, String)],
    name: &'a str,
) -> impl Iterator<Item = &'a str> + 'a {
    headers
        .iter()
        .filter(move |(key, _)| key.eq_ignore_ascii_case(name))
        .map(|(_, value)| value.as_str())
}

/// Headers as observed: in order, duplicates kept, names as `http` gives them (lower case),
/// values that are not UTF-8 read lossily.
#[cfg(any(
    feature = "http",
    feature = "server",
    feature = "tower",
    feature = "client"
))]
pub(crate) fn header_pairs(headers: &http::HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect()
}
