//! `C-SIGV4` (MUST): any call with credentials.

use super::prelude::*;
#[cfg(feature = "client")]
use crate::client::{ClientFailure, RecordedRequest};
#[cfg(feature = "client")]
use crate::oracle::CallerIdentity;
#[cfg(feature = "client")]
use crate::world::User;

/// The catalogue entry of `C-SIGV4`.
pub(crate) const RULE: Rule = Rule {
    id: RuleId::new("C-SIGV4"),
    severity: Severity::Must,
    group: Group::Client,
    summary: "any call with credentials -> Authorization: AWS4-HMAC-SHA256 with scope <date>/<region>/opsworks/aws4_request, an X-Amz-Date, and a signature that verifies with the secret",
    source: "model",
    doc: RuleDoc {
        condition: "any call with credentials",
        expected: "`Authorization: AWS4-HMAC-SHA256` with scope `<date>/<region>/opsworks/aws4_request`, an `X-Amz-Date`, and a signature that verifies with the secret",
        why: "AWS refuses requests that are not signed with SigV4 for the `opsworks` service.",
    },
    facts: RuleFacts::USUAL,
};

/// C-SIGV4: `Authorization: AWS4-HMAC-SHA256` with the client's access key id and the scope
/// `<date>/<region>/opsworks/aws4_request`, an `X-Amz-Date` whose date is the scope's, and a
/// signature that verifies with the secret (recomputed over the headers the client signed and
/// the exact body, with [`crate::sigv4::verify`]).
///
/// # Errors
/// No or another kind of `Authorization`, another key, region or service in the scope, no
/// `X-Amz-Date` or one of another day, or a signature that does not verify.
#[cfg(feature = "client")]
pub fn judge(
    request: &RecordedRequest,
    access_key_id: &str,
    secret_access_key: &str,
    region: &str,
) -> Result<(), ClientFailure> {
    let expected = format!(
        "Authorization: {} Credential={access_key_id}/<date>/{region}/{}/aws4_request with a signature that verifies with the secret, and an X-Amz-Date",
        crate::sigv4::ALGORITHM,
        wire::SIGNING_NAME
    );
    let fail = |found: String| Err(ClientFailure::new(RULE.id, expected.clone(), found));
    let Some(authorization) = request.header("Authorization") else {
        return fail("no Authorization header".to_owned());
    };
    let redacted = crate::report::redact_authorization(authorization);
    let Some(rest) = authorization
        .strip_prefix(crate::sigv4::ALGORITHM)
        .filter(|rest| rest.starts_with(' '))
    else {
        return fail(format!("Authorization: {redacted}"));
    };
    let Some(scope) = rest
        .split(',')
        .map(str::trim)
        .find_map(|part| part.strip_prefix("Credential="))
    else {
        return fail(format!("no Credential= in Authorization: {redacted}"));
    };
    let parts: Vec<&str> = scope.split('/').collect();
    let [key, date, scope_region, service, terminator] = parts.as_slice() else {
        return fail(format!("the credential scope {scope:?}"));
    };
    if *key != access_key_id
        || *scope_region != region
        || *service != wire::SIGNING_NAME
        || *terminator != "aws4_request"
    {
        return fail(format!("Credential={scope}"));
    }
    let Some(amz_date) = request.header("X-Amz-Date") else {
        return fail("no X-Amz-Date header".to_owned());
    };
    if amz_date.get(..8) != Some(*date) {
        return fail(format!("X-Amz-Date: {amz_date} with the scope date {date}"));
    }
    let world = World {
        stacks: Vec::new(),
        users: vec![User {
            access_key_id: access_key_id.to_owned(),
            secret_access_key: secret_access_key.to_owned(),
            permissions: Vec::new(),
            policy_allows_create_deployment: Vec::new(),
        }],
    };
    match crate::sigv4::verify(&request.to_raw(), &world, region) {
        CallerIdentity::Verified(_) => Ok(()),
        _ => fail(format!(
            "a signature that does not verify with the secret over the signed headers and the body (Authorization: {redacted})"
        )),
    }
}
