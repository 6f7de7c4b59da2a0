//! AWS Signature Version 4 for CreateDeployment requests (service `opsworks`): signing a
//! [`RawRequest`] as a client does ([`sign`], [`apply`]), and checking a signature as the
//! service does ([`verify`], [`SigV4Authenticator`]). The cryptography is the `aws-sigv4`
//! crate's; this module only chooses what is signed.
//!
//! What is signed is always `POST /` with no query string, the exact body bytes and the
//! request's own headers: this is all an awsJson1_1 request is.
//!
//! ```
//! use std::time::SystemTime;
//! use opsworks_conformance::contract::{RawRequest, Signing};
//! use opsworks_conformance::oracle::CallerIdentity;
//! use opsworks_conformance::sigv4;
//! use opsworks_conformance::world::World;
//!
//! let world = World::bundled_with_users();
//! let signing = Signing::As("AKIDDEPLOYER0000001".to_owned());
//! let request = RawRequest::json("{}");
//! let signed = sigv4::apply(&request, &signing, &world, "127.0.0.1:8080", "us-east-1", SystemTime::now());
//! assert_eq!(signed.header("Host"), Some("127.0.0.1:8080"));
//! assert_eq!(
//!     sigv4::verify(&signed, &world, "us-east-1"),
//!     CallerIdentity::Verified("AKIDDEPLOYER0000001".to_owned())
//! );
//! ```
//!
//! Secrets never leave this module: no function returns, logs or formats one.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign as sign_v4};
use aws_sigv4::sign::v4;
use subtle::ConstantTimeEq;

use crate::contract::{RawRequest, Signing, wire};
use crate::oracle::CallerIdentity;
use crate::target::Authenticator;
use crate::world::{User, World};

/// The only algorithm: `AWS4-HMAC-SHA256`.
pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// The header that carries the signature.
const AUTHORIZATION: &str = "Authorization";
/// The header that carries the request time, `YYYYMMDDTHHMMSSZ`.
const X_AMZ_DATE: &str = "X-Amz-Date";
/// The header that names the authority; always signed.
const HOST: &str = "Host";

/// The secret used for access key ids the world does not list, and for [`Signing::UnknownKey`].
/// Any value works: the point is that the world has no such key.
const MADE_UP_SECRET: &str = "opsworks-conformance-made-up-secret";

/// The provider name recorded in the credentials handed to `aws-sigv4`.
const PROVIDER: &str = "opsworks-conformance";

/// The latest instant the signer can format (9999-12-31T23:59:59Z): later times are clamped.
const LATEST_SIGNABLE_SECS: u64 = 253_402_300_799;

/// Signs a request with SigV4 for service `opsworks` as a client does, and returns it with a
/// `Host` header (set to `authority` when the request has none; one it has is kept and signed
/// as is), `X-Amz-Date` (from `time`) and `Authorization` (replacing any the request had).
///
/// The signature covers `POST /`, the exact body bytes and every header of the request whose
/// name and value are valid HTTP (the same set `aws-sigv4` signs for an SDK: `User-Agent`,
/// `Transfer-Encoding` and `X-Amzn-Trace-Id` are left out). A header that is not valid HTTP is
/// kept in the request but not signed. If no valid `Host` can be signed (neither the request's
/// nor `authority` is a valid header value), or the signer refuses the request, the request is
/// returned with `Host` and `X-Amz-Date` but without `Authorization`, so it reads as unsigned.
/// Times outside 1970 to 9999 are clamped to that range.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use opsworks_conformance::contract::RawRequest;
/// use opsworks_conformance::sigv4;
///
/// let time = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
/// let signed = sigv4::sign(&RawRequest::json("{}"), "localhost:8080", "AKID", "secret", "us-east-1", time);
/// assert_eq!(signed.header("X-Amz-Date"), Some("20231114T221320Z"));
/// let authorization = signed.header("Authorization").unwrap();
/// assert!(authorization.starts_with("AWS4-HMAC-SHA256 Credential=AKID/20231114/us-east-1/opsworks/aws4_request, "));
/// ```
#[must_use]
pub fn sign(
    request: &RawRequest,
    authority: &str,
    access_key_id: &str,
    secret: &str,
    region: &str,
    time: SystemTime,
) -> RawRequest {
    let time = clamp(time);
    let mut signed = request
        .clone()
        .without_header(AUTHORIZATION)
        .without_header(X_AMZ_DATE);
    if signed.header(HOST).is_none() {
        signed = signed.with_header(HOST, authority);
    }
    let headers: Vec<(&str, &str)> = signed
        .headers
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .filter(|(name, value)| is_signable(name, value))
        .collect();
    let computed = compute(
        &headers,
        &signed.body,
        access_key_id,
        secret,
        region,
        time,
        SigningSettings::default(),
    );
    match computed {
        Some(computed) => signed
            .add_header(X_AMZ_DATE, computed.date_time)
            .add_header(AUTHORIZATION, computed.authorization),
        None => signed.add_header(X_AMZ_DATE, format_amz_date(time)),
    }
}

/// Signs a request the way a generated case asks ([`Signing`]), with the secrets of the
/// world's users:
/// - [`Signing::Unsigned`]: the request without any `Authorization` header;
/// - [`Signing::As`]: signed correctly with that user's secret (with a made-up secret when the
///   world has no such user, which a verifier refuses);
/// - [`Signing::WrongSecret`]: signed with that access key id and a secret that differs from the
///   user's;
/// - [`Signing::UnknownKey`]: signed with that access key id and a made-up secret.
///
/// See [`sign`] for what is signed.
///
/// ```
/// use std::time::SystemTime;
/// use opsworks_conformance::contract::{RawRequest, Signing};
/// use opsworks_conformance::oracle::CallerIdentity;
/// use opsworks_conformance::sigv4;
/// use opsworks_conformance::world::World;
///
/// let world = World::bundled_with_users();
/// let key = "AKIDDEPLOYER0000001".to_owned();
/// let wrong = sigv4::apply(&RawRequest::json("{}"), &Signing::WrongSecret(key.clone()), &world,
///     "localhost", "us-east-1", SystemTime::now());
/// assert_eq!(sigv4::verify(&wrong, &world, "us-east-1"), CallerIdentity::InvalidSignature(key));
/// ```
#[must_use]
pub fn apply(
    request: &RawRequest,
    signing: &Signing,
    world: &World,
    authority: &str,
    region: &str,
    time: SystemTime,
) -> RawRequest {
    let secret_of = |key: &str| {
        world.user(key).map_or(MADE_UP_SECRET.to_owned(), |user| {
            user.secret_access_key.clone()
        })
    };
    let (key, secret) = match signing {
        Signing::Unsigned => return request.clone().without_header(AUTHORIZATION),
        Signing::As(key) => (key, secret_of(key)),
        // Appending to the secret makes it differ from the user's whatever the secret is.
        Signing::WrongSecret(key) => (key, format!("{}-wrong", secret_of(key))),
        Signing::UnknownKey(key) => (key, MADE_UP_SECRET.to_owned()),
    };
    sign(request, authority, key, &secret, region, time)
}

/// Checks a request's SigV4 signature as the service does, and says who sent it:
/// - no `Authorization` header: [`CallerIdentity::Unsigned`];
/// - a signature that verifies with the secret of the world's user whose access key id it
///   names: [`CallerIdentity::Verified`] with that key;
/// - anything else: [`CallerIdentity::InvalidSignature`] with the access key id the header names
///   (`""` when none can be read). That covers a header that does not parse as
///   `AWS4-HMAC-SHA256 Credential=KEY/YYYYMMDD/REGION/opsworks/aws4_request,
///   SignedHeaders=a;b;c, Signature=<64 hex digits>`, an access key id the world does not list
///   (the oracle then applies A-KEY-KNOWN), a scope for another region or service, a scope date
///   that is not the date of `X-Amz-Date`, an `X-Amz-Date` missing, repeated or not of the form
///   `YYYYMMDDTHHMMSSZ`, `SignedHeaders` without `host` or `x-amz-date` or other than the
///   sorted, lowercase list of the named headers the request has, a repeated `Authorization`
///   header, and a signature that does not match.
///
/// The signature is recomputed with `aws-sigv4` over `POST /`, the exact body and only the
/// headers `SignedHeaders` names, and compared in constant time. The request time is the one in
/// `X-Amz-Date`: there is deliberately **no clock-skew check** (AWS refuses requests more than 15
/// minutes off), so that recorded requests verify when replayed; [`verify_at`] adds one.
///
/// Never panics, whatever the request holds.
///
/// ```
/// use opsworks_conformance::contract::RawRequest;
/// use opsworks_conformance::oracle::CallerIdentity;
/// use opsworks_conformance::sigv4;
/// use opsworks_conformance::world::World;
///
/// let world = World::bundled_with_users();
/// let request = RawRequest::json("{}").with_header("Authorization", "AWS4-HMAC-SHA256 garbage");
/// assert_eq!(sigv4::verify(&request, &world, "us-east-1"), CallerIdentity::InvalidSignature(String::new()));
/// ```
#[must_use]
pub fn verify(request: &RawRequest, world: &World, region: &str) -> CallerIdentity {
    let mut authorizations = wire::header_values(&request.headers, AUTHORIZATION);
    let Some(authorization) = authorizations.next() else {
        return CallerIdentity::Unsigned;
    };
    let key = claimed_key(authorization);
    let invalid = || CallerIdentity::InvalidSignature(key.to_owned());
    if authorizations.next().is_some() {
        return invalid();
    }
    let Some(parsed) = Authorization::parse(authorization) else {
        return invalid();
    };
    let Some(user) = world.user(parsed.key) else {
        return invalid();
    };
    if parsed.region != region || parsed.service != wire::SIGNING_NAME {
        return invalid();
    }
    let mut dates = wire::header_values(&request.headers, X_AMZ_DATE);
    let (Some(date_time), None) = (dates.next(), dates.next()) else {
        return invalid();
    };
    let Some(time) = parse_amz_date(date_time) else {
        return invalid();
    };
    if date_time.get(..8) != Some(parsed.date) {
        return invalid();
    }
    let signed_names: Vec<&str> = parsed.signed_headers.split(';').collect();
    let required = [HOST, X_AMZ_DATE];
    if signed_names.iter().any(|name| name.is_empty())
        || !required.iter().all(|needed| {
            signed_names
                .iter()
                .any(|name| name.eq_ignore_ascii_case(needed))
        })
    {
        return invalid();
    }
    let mut headers: Vec<(&str, &str)> = Vec::new();
    for (name, value) in &request.headers {
        if signed_names
            .iter()
            .any(|signed| signed.eq_ignore_ascii_case(name))
        {
            if !is_signable(name, value) {
                return invalid();
            }
            headers.push((name.as_str(), value.as_str()));
        }
    }
    // Sign exactly the named headers: none of the signer's default exclusions.
    let mut settings = SigningSettings::default();
    settings.excluded_headers = None;
    let Some(expected) = compute(
        &headers,
        &request.body,
        parsed.key,
        &user.secret_access_key,
        region,
        time,
        settings,
    ) else {
        return invalid();
    };
    // The canonical request embeds the SignedHeaders list: the one recomputed (sorted,
    // lowercase, of the headers present) must be the one the client sent, as AWS requires.
    let same_list = Authorization::parse(&expected.authorization)
        .is_some_and(|recomputed| recomputed.signed_headers == parsed.signed_headers);
    let same_signature: bool = expected
        .signature
        .as_bytes()
        .ct_eq(parsed.signature.as_bytes())
        .into();
    if same_list && same_signature {
        CallerIdentity::Verified(parsed.key.to_owned())
    } else {
        invalid()
    }
}

/// How far AWS lets a request's `X-Amz-Date` be from the service's clock: 15 minutes.
pub const MAX_CLOCK_SKEW: Duration = Duration::from_secs(15 * 60);

/// [`verify`], and the request time checked against a clock as AWS does: an `X-Amz-Date` more
/// than `max_skew` before or after `now` makes the signature invalid
/// ([`CallerIdentity::InvalidSignature`]), however well it verifies. This refuses a signed
/// request replayed later than `max_skew` ([`MAX_CLOCK_SKEW`] for AWS's 15 minutes).
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use opsworks_conformance::contract::{RawRequest, Signing};
/// use opsworks_conformance::oracle::CallerIdentity;
/// use opsworks_conformance::sigv4::{self, MAX_CLOCK_SKEW};
/// use opsworks_conformance::world::World;
///
/// let world = World::bundled_with_users();
/// let key = "AKIDDEPLOYER0000001";
/// let signed_at = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
/// let signed = sigv4::apply(&RawRequest::json("{}"), &Signing::As(key.to_owned()), &world,
///     "localhost", "us-east-1", signed_at);
/// let verified = CallerIdentity::Verified(key.to_owned());
/// assert_eq!(sigv4::verify_at(&signed, &world, "us-east-1", signed_at, MAX_CLOCK_SKEW), verified);
/// let replayed = signed_at + Duration::from_secs(16 * 60);
/// assert_eq!(
///     sigv4::verify_at(&signed, &world, "us-east-1", replayed, MAX_CLOCK_SKEW),
///     CallerIdentity::InvalidSignature(key.to_owned())
/// );
/// ```
#[must_use]
pub fn verify_at(
    request: &RawRequest,
    world: &World,
    region: &str,
    now: SystemTime,
    max_skew: Duration,
) -> CallerIdentity {
    let identity = verify(request, world, region);
    let CallerIdentity::Verified(key) = identity else {
        return identity;
    };
    // A verified request has exactly one well-formed X-Amz-Date.
    let time = wire::header_values(&request.headers, X_AMZ_DATE)
        .next()
        .and_then(parse_amz_date);
    let skew = time.map(|time| {
        time.duration_since(now)
            .unwrap_or_else(|earlier| earlier.duration())
    });
    if skew.is_some_and(|skew| skew <= max_skew) {
        CallerIdentity::Verified(key)
    } else {
        CallerIdentity::InvalidSignature(key)
    }
}

/// An [`Authenticator`] that checks SigV4 signatures against a set of users ([`verify`]): what
/// the HTTP reference server uses when its world has users. By default without a clock-skew
/// check (see [`verify`]); [`SigV4Authenticator::with_max_skew`] adds AWS's.
///
/// ```
/// use opsworks_conformance::contract::RawRequest;
/// use opsworks_conformance::oracle::CallerIdentity;
/// use opsworks_conformance::sigv4::SigV4Authenticator;
/// use opsworks_conformance::target::Authenticator;
/// use opsworks_conformance::world::World;
///
/// let authenticator = SigV4Authenticator::new(&World::bundled_with_users(), "us-east-1");
/// assert_eq!(authenticator.identify(&RawRequest::json("{}")), CallerIdentity::Unsigned);
/// ```
#[derive(Clone)]
pub struct SigV4Authenticator {
    /// A world holding only the users (no stacks), so that [`verify`] can look them up.
    users: World,
    /// The region signatures must be scoped to.
    region: String,
    /// How far the request time may be from this machine's clock; `None`: no check.
    max_skew: Option<Duration>,
}

impl SigV4Authenticator {
    /// An authenticator for the users of this world, expecting signatures scoped to `region`.
    #[must_use]
    pub fn new(world: &World, region: impl Into<String>) -> Self {
        SigV4Authenticator {
            users: World {
                stacks: Vec::new(),
                users: world.users.clone(),
            },
            region: region.into(),
            max_skew: None,
        }
    }

    /// The same authenticator, refusing requests whose `X-Amz-Date` is more than `max_skew`
    /// from this machine's clock ([`verify_at`]; [`MAX_CLOCK_SKEW`] is AWS's 15 minutes).
    #[must_use]
    pub fn with_max_skew(mut self, max_skew: Duration) -> Self {
        self.max_skew = Some(max_skew);
        self
    }

    /// The region signatures must be scoped to.
    #[must_use]
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The users whose signatures verify.
    #[must_use]
    pub fn users(&self) -> &[User] {
        &self.users.users
    }
}

impl fmt::Debug for SigV4Authenticator {
    /// Access key ids and the region; never a secret.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let keys: Vec<&str> = self
            .users
            .users
            .iter()
            .map(|user| user.access_key_id.as_str())
            .collect();
        f.debug_struct("SigV4Authenticator")
            .field("access_key_ids", &keys)
            .field("region", &self.region)
            .field("max_skew", &self.max_skew)
            .finish()
    }
}

impl Authenticator for SigV4Authenticator {
    fn identify(&self, request: &RawRequest) -> CallerIdentity {
        match self.max_skew {
            None => verify(request, &self.users, &self.region),
            Some(max_skew) => verify_at(
                request,
                &self.users,
                &self.region,
                SystemTime::now(),
                max_skew,
            ),
        }
    }
}

/// What `aws-sigv4` produced for one request.
struct Computed {
    /// The `X-Amz-Date` value.
    date_time: String,
    /// The `Authorization` value.
    authorization: String,
    /// The signature, 64 lowercase hex digits.
    signature: String,
}

/// Signs `POST /` with these headers and body; `None` when there is no `host` header among
/// them, or the signer refuses (a header it cannot read, which callers filter out beforehand).
fn compute(
    headers: &[(&str, &str)],
    body: &[u8],
    access_key_id: &str,
    secret: &str,
    region: &str,
    time: SystemTime,
    settings: SigningSettings,
) -> Option<Computed> {
    // Without a `host` header the signer would take it from the URI, and `/` has none: it
    // would panic.
    if !headers
        .iter()
        .any(|(name, _)| name.eq_ignore_ascii_case(HOST))
    {
        return None;
    }
    let identity = Credentials::new(access_key_id, secret, None, None, PROVIDER).into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name(wire::SIGNING_NAME)
        .time(time)
        .settings(settings)
        .build()
        .ok()?
        .into();
    let signable = SignableRequest::new(
        wire::METHOD,
        wire::PATH,
        headers.iter().copied(),
        SignableBody::Bytes(body),
    )
    .ok()?;
    let (instructions, signature) = sign_v4(signable, &params).ok()?.into_parts();
    let mut date_time = None;
    let mut authorization = None;
    for (name, value) in instructions.headers() {
        if name.eq_ignore_ascii_case(X_AMZ_DATE) {
            date_time = Some(value.to_owned());
        } else if name.eq_ignore_ascii_case(AUTHORIZATION) {
            authorization = Some(value.to_owned());
        }
    }
    Some(Computed {
        date_time: date_time?,
        authorization: authorization?,
        signature,
    })
}

/// Whether `aws-sigv4` can take this header: a valid HTTP header name and value (it refuses the
/// whole request otherwise).
fn is_signable(name: &str, value: &str) -> bool {
    http::HeaderName::from_bytes(name.to_ascii_lowercase().as_bytes()).is_ok()
        && http::HeaderValue::from_str(value).is_ok()
}

/// The access key id an `Authorization` value names after `Credential=`, up to the first `/`,
/// `,` or whitespace; `""` when there is none.
fn claimed_key(authorization: &str) -> &str {
    authorization
        .split_once("Credential=")
        .map_or("", |(_, rest)| {
            let end = rest
                .find(|c: char| c == '/' || c == ',' || c.is_whitespace())
                .unwrap_or(rest.len());
            &rest[..end]
        })
}

/// The parts of an `Authorization` header value.
struct Authorization<'a> {
    /// The access key id.
    key: &'a str,
    /// The scope date, `YYYYMMDD`.
    date: &'a str,
    /// The scope region.
    region: &'a str,
    /// The scope service.
    service: &'a str,
    /// `a;b;c`.
    signed_headers: &'a str,
    /// The claimed signature, 64 hex digits.
    signature: &'a str,
}

impl<'a> Authorization<'a> {
    /// Parses `AWS4-HMAC-SHA256 Credential=KEY/DATE/REGION/SERVICE/aws4_request,
    /// SignedHeaders=..., Signature=...`, allowing any whitespace around the components and any
    /// order of them; `None` for anything else (a missing, repeated or unknown component).
    fn parse(value: &'a str) -> Option<Self> {
        let rest = value.trim().strip_prefix(ALGORITHM)?;
        if !rest.starts_with(|c: char| c.is_ascii_whitespace()) {
            return None;
        }
        let (mut credential, mut signed_headers, mut signature) = (None, None, None);
        for component in rest.split(',') {
            let (name, value) = component.trim().split_once('=')?;
            let slot = match name {
                "Credential" => &mut credential,
                "SignedHeaders" => &mut signed_headers,
                "Signature" => &mut signature,
                _ => return None,
            };
            if slot.replace(value).is_some() {
                return None;
            }
        }
        let signature: &str = signature?;
        if signature.len() != 64
            || !signature
                .bytes()
                .all(|byte| byte.is_ascii_digit() || (b'a'..=b'f').contains(&byte))
        {
            return None;
        }
        let mut scope = credential?.split('/');
        let parsed = Authorization {
            key: scope.next()?,
            date: scope.next()?,
            region: scope.next()?,
            service: scope.next()?,
            signed_headers: signed_headers?,
            signature,
        };
        if scope.next()? != "aws4_request" || scope.next().is_some() || parsed.key.is_empty() {
            return None;
        }
        Some(parsed)
    }
}

/// Parses `YYYYMMDDTHHMMSSZ` (UTC, 1970 to 9999); `None` for anything else.
fn parse_amz_date(text: &str) -> Option<SystemTime> {
    let bytes = text.as_bytes();
    if bytes.len() != 16 || bytes[8] != b'T' || bytes[15] != b'Z' {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<u64> {
        let digits = bytes.get(range)?;
        if !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        Some(
            digits
                .iter()
                .fold(0, |total, digit| total * 10 + u64::from(digit - b'0')),
        )
    };
    let (year, month, day) = (number(0..4)?, number(4..6)?, number(6..8)?);
    let (hour, minute, second) = (number(9..11)?, number(11..13)?, number(13..15)?);
    if year < 1970 || !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let seconds = days_since_epoch(year, month, day) * 86_400 + hour * 3_600 + minute * 60 + second;
    Some(UNIX_EPOCH + Duration::from_secs(seconds))
}

/// Formats a time as `YYYYMMDDTHHMMSSZ` (UTC); the time must be from 1970 to 9999.
fn format_amz_date(time: SystemTime) -> String {
    let seconds = time
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs());
    let (days, of_day) = (seconds / 86_400, seconds % 86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}{month:02}{day:02}T{:02}{:02}{:02}Z",
        of_day / 3_600,
        of_day % 3_600 / 60,
        of_day % 60
    )
}

/// Clamps a time to what the signer can format: 1970-01-01 to 9999-12-31.
fn clamp(time: SystemTime) -> SystemTime {
    let seconds = time
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs());
    if seconds > LATEST_SIGNABLE_SECS {
        UNIX_EPOCH + Duration::from_secs(LATEST_SIGNABLE_SECS)
    } else if time < UNIX_EPOCH {
        UNIX_EPOCH
    } else {
        time
    }
}

/// Whether a year of the Gregorian calendar is a leap year.
fn is_leap(year: u64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// The number of days of a month (1 to 12).
fn days_in_month(year: u64, month: u64) -> u64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to this date (from 1970 on).
fn days_since_epoch(year: u64, month: u64, day: u64) -> u64 {
    let before_year: u64 = (1970..year)
        .map(|y| if is_leap(y) { 366 } else { 365 })
        .sum();
    let before_month: u64 = (1..month).map(|m| days_in_month(year, m)).sum();
    before_year + before_month + day - 1
}

/// The date `days` days after 1970-01-01.
fn civil_from_days(mut days: u64) -> (u64, u64, u64) {
    let mut year = 1970;
    loop {
        let length = if is_leap(year) { 366 } else { 365 };
        if days < length {
            break;
        }
        days -= length;
        year += 1;
    }
    let mut month = 1;
    while days >= days_in_month(year, month) {
        days -= days_in_month(year, month);
        month += 1;
    }
    (year, month, days + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip() {
        for seconds in [
            0,
            951_782_400,
            1_700_000_000,
            4_102_444_800,
            LATEST_SIGNABLE_SECS,
        ] {
            let time = UNIX_EPOCH + Duration::from_secs(seconds);
            assert_eq!(parse_amz_date(&format_amz_date(time)), Some(time));
        }
        assert_eq!(
            format_amz_date(UNIX_EPOCH + Duration::from_secs(951_782_400)),
            "20000229T000000Z"
        );
        for bad in [
            "",
            "20230229T000000Z",
            "20231301T000000Z",
            "20231114T240000Z",
            "19691231T235959Z",
            "2023111XT000000Z",
            "20231114 000000Z",
            "+0231114T000000Z",
            "20231114T000000ZZ",
            "２0231114T00000Z",
        ] {
            assert_eq!(parse_amz_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn claimed_key_reads_up_to_the_slash() {
        assert_eq!(claimed_key("AWS4-HMAC-SHA256 Credential=AKID/2023"), "AKID");
        assert_eq!(claimed_key("AWS4-HMAC-SHA256 Credential=AKID, x"), "AKID");
        assert_eq!(claimed_key("AWS4-HMAC-SHA256"), "");
    }
}
