//! SigV4 verification against requests signed by other signers: botocore's `SigV4Auth`
//! (recorded as JSON fixtures by `tests/fixtures/sigv4/record.py`) and the `aws-sigv4` crate
//! used directly. Every recorded request verifies, at the fixture's time; every tampering with
//! it is refused, with the rule the oracle names and the error the reference implementation
//! answers.

use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use opsworks_conformance::contract::{RawRequest, RuleId, error_code_of, rules, wire};
use opsworks_conformance::oracle::{CallerIdentity, judge_request};
use opsworks_conformance::sigv4::{self, MAX_CLOCK_SKEW, SigV4Authenticator};
use opsworks_conformance::target::ReferenceTarget;
use opsworks_conformance::world::World;
use serde::Deserialize;

const REGION: &str = "us-east-1";
/// The fixtures' signing time, 2023-11-14T22:13:20Z.
const FIXTURE_SECONDS: u64 = 1_700_000_000;
const DEPLOYER: &str = "AKIDDEPLOYER0000001";
const MANAGER: &str = "AKIDMANAGER00000001";

/// One recorded request (see `record.py`).
#[derive(Debug, Deserialize)]
struct Fixture {
    name: String,
    signer: String,
    region: String,
    service: String,
    time: String,
    access_key_id: String,
    request: Recorded,
}

#[derive(Debug, Deserialize)]
struct Recorded {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: String,
}

impl Fixture {
    fn raw(&self) -> RawRequest {
        RawRequest {
            headers: self.request.headers.clone(),
            body: self.request.body.clone().into_bytes(),
        }
    }
}

fn fixtures() -> Vec<Fixture> {
    let text = include_str!("fixtures/sigv4/botocore.json");
    let fixtures: Vec<Fixture> = serde_json::from_str(text).expect("botocore.json parses");
    assert!(fixtures.len() >= 6, "{} fixtures", fixtures.len());
    fixtures
}

fn world() -> World {
    World::bundled_with_users()
}

fn fixture_time() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(FIXTURE_SECONDS)
}

fn verify(request: &RawRequest) -> CallerIdentity {
    sigv4::verify_at(request, &world(), REGION, fixture_time(), MAX_CLOCK_SKEW)
}

fn authorization(request: &RawRequest) -> String {
    request
        .header("Authorization")
        .unwrap_or_default()
        .to_owned()
}

/// A change to an `Authorization` value.
type Edit = fn(&str) -> String;

fn with_authorization(request: &RawRequest, edit: impl Fn(&str) -> String) -> RawRequest {
    let value = edit(&authorization(request));
    assert_ne!(value, authorization(request), "the edit changed nothing");
    request.clone().with_header("Authorization", value)
}

/// The error code the reference implementation answers, signatures checked as the server does.
fn reference_code(request: &RawRequest) -> Option<String> {
    let world = world();
    let target = ReferenceTarget::new(world.clone())
        .with_authenticator(SigV4Authenticator::new(&world, REGION));
    let answer = target.answer_request(request);
    error_code_of(&answer.headers, &answer.body)
}

/// Asserts a tampered request is refused: the verifier does not verify it (naming `key`), the
/// oracle says `rule` is what it breaks, and the reference implementation answers `code`.
#[track_caller]
fn assert_refused(what: &str, request: &RawRequest, key: &str, rule: RuleId, code: &str) {
    let identity = verify(request);
    assert_eq!(
        identity,
        CallerIdentity::InvalidSignature(key.to_owned()),
        "{what}"
    );
    let verdict = judge_request(&world(), request, &identity);
    assert!(
        verdict.broken().contains(&rule),
        "{what}: breaks {:?}, expected {rule}",
        verdict.broken()
    );
    assert_eq!(reference_code(request).as_deref(), Some(code), "{what}");
}

#[test]
fn every_botocore_request_verifies_at_its_time() {
    for fixture in fixtures() {
        assert!(
            fixture.signer.starts_with("botocore 1.40.18"),
            "{}",
            fixture.name
        );
        assert_eq!(
            (
                fixture.request.method.as_str(),
                fixture.request.path.as_str()
            ),
            (wire::METHOD, wire::PATH)
        );
        assert_eq!(
            (fixture.region.as_str(), fixture.service.as_str()),
            (REGION, wire::SIGNING_NAME)
        );
        assert_eq!(fixture.time, "20231114T221320Z");
        let request = fixture.raw();
        let verified = CallerIdentity::Verified(fixture.access_key_id.clone());
        assert_eq!(verify(&request), verified, "{}", fixture.name);
        assert_eq!(
            sigv4::verify(&request, &world(), REGION),
            verified,
            "{}",
            fixture.name
        );
        // The reference implementation takes them (none of the users is refused the stack).
        let answer = ReferenceTarget::new(world())
            .with_authenticator(SigV4Authenticator::new(&world(), REGION))
            .answer_request(&request);
        assert!(
            answer.status == 200
                || error_code_of(&answer.headers, &answer.body).as_deref()
                    == Some("ValidationException"),
            "{}: {answer:?}",
            fixture.name
        );
    }
}

#[test]
fn the_crate_signs_what_botocore_signs() {
    // Signing the same request (without the signature) at the same time gives the same
    // Authorization header, byte for byte: both signers canonicalise alike.
    let world = world();
    for fixture in fixtures() {
        let unsigned = fixture
            .raw()
            .without_header("Authorization")
            .without_header("X-Amz-Date");
        let secret = world
            .user(&fixture.access_key_id)
            .map(|user| user.secret_access_key.clone())
            .expect("a user of the world");
        let ours = sigv4::sign(
            &unsigned,
            "unused: the request has a Host header",
            &fixture.access_key_id,
            &secret,
            REGION,
            fixture_time(),
        );
        assert_eq!(
            authorization(&ours),
            authorization(&fixture.raw()),
            "{}",
            fixture.name
        );
    }
}

#[test]
fn a_request_too_far_from_the_clock_is_refused() {
    for fixture in fixtures() {
        let request = fixture.raw();
        let key = fixture.access_key_id.clone();
        for offset in [Duration::from_secs(14 * 60), Duration::from_secs(15 * 60)] {
            for now in [fixture_time() + offset, fixture_time() - offset] {
                assert_eq!(
                    sigv4::verify_at(&request, &world(), REGION, now, MAX_CLOCK_SKEW),
                    CallerIdentity::Verified(key.clone())
                );
            }
        }
        for offset in [
            Duration::from_secs(15 * 60 + 1),
            Duration::from_secs(86_400 * 365),
        ] {
            for now in [fixture_time() + offset, fixture_time() - offset] {
                assert_eq!(
                    sigv4::verify_at(&request, &world(), REGION, now, MAX_CLOCK_SKEW),
                    CallerIdentity::InvalidSignature(key.clone()),
                    "{}: replayed {offset:?} away",
                    fixture.name
                );
            }
        }
    }
    // The authenticator with AWS's skew refuses them now (they were signed in 2023).
    let skewed = SigV4Authenticator::new(&world(), REGION).with_max_skew(MAX_CLOCK_SKEW);
    let request = fixtures()[0].raw();
    assert!(matches!(
        opsworks_conformance::target::Authenticator::identify(&skewed, &request),
        CallerIdentity::InvalidSignature(_)
    ));
}

#[test]
fn a_changed_body_is_refused() {
    for fixture in fixtures() {
        let key = fixture.access_key_id.as_str();
        let mut appended = fixture.raw();
        appended.body.push(b' ');
        assert_refused(
            &fixture.name,
            &appended,
            key,
            rules::A_SIGNATURE_VALID,
            "InvalidSignatureException",
        );
        let mut replaced = fixture.raw();
        if replaced.body.is_empty() {
            replaced.body = b"{}".to_vec();
        } else {
            let last = replaced.body.len() - 1;
            replaced.body[last] ^= 0x01;
        }
        assert_refused(
            &fixture.name,
            &replaced,
            key,
            rules::A_SIGNATURE_VALID,
            "InvalidSignatureException",
        );
    }
}

#[test]
fn a_changed_signed_header_is_refused() {
    for fixture in fixtures() {
        let key = fixture.access_key_id.as_str();
        let request = fixture.raw();
        let signed: Vec<String> = authorization(&request)
            .split("SignedHeaders=")
            .nth(1)
            .and_then(|rest| rest.split(',').next())
            .map(|list| list.split(';').map(str::to_owned).collect())
            .unwrap_or_default();
        assert!(signed.len() >= 4, "{}: {signed:?}", fixture.name);
        for name in &signed {
            let (original, _) = request
                .headers
                .iter()
                .find(|(header, _)| header.eq_ignore_ascii_case(name))
                .cloned()
                .expect("a signed header is in the request");
            // Another value, the header dropped, and the header twice.
            let changed = request.clone().with_header(&original, "changed");
            assert_refused(
                &format!("{}: {name} changed", fixture.name),
                &changed,
                key,
                rules::A_SIGNATURE_VALID,
                "InvalidSignatureException",
            );
            let dropped = request.clone().without_header(&original);
            assert!(
                matches!(verify(&dropped), CallerIdentity::InvalidSignature(_)),
                "{}: {name} dropped",
                fixture.name
            );
        }
        // Headers that are not signed may change: a proxy's, a User-Agent.
        let added = request
            .clone()
            .add_header("X-Forwarded-For", "10.0.0.1")
            .with_header("User-Agent", "another/1.0");
        assert_eq!(
            verify(&added),
            CallerIdentity::Verified(key.to_owned()),
            "{}",
            fixture.name
        );
    }
}

#[test]
fn a_wrong_region_service_or_date_scope_is_refused() {
    for fixture in fixtures() {
        let key = fixture.access_key_id.as_str();
        let request = fixture.raw();
        // The server expects another region.
        assert_eq!(
            sigv4::verify(&request, &world(), "eu-west-1"),
            CallerIdentity::InvalidSignature(key.to_owned())
        );
        let edits: [(&str, Edit); 5] = [
            ("region", |value| {
                value.replace("/us-east-1/", "/eu-west-1/")
            }),
            ("service", |value| value.replace("/opsworks/", "/ec2/")),
            ("date scope", |value| {
                value.replace("/20231114/", "/20231115/")
            }),
            ("terminator", |value| {
                value.replace("/aws4_request", "/aws4_requesT")
            }),
            ("algorithm", |value| {
                value.replace("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA512")
            }),
        ];
        for (what, edit) in edits {
            let edited = with_authorization(&request, edit);
            assert_refused(
                &format!("{}: {what}", fixture.name),
                &edited,
                key,
                rules::A_SIGNATURE_VALID,
                "InvalidSignatureException",
            );
        }
        // X-Amz-Date moved by a second, or by a day (away from the scope date).
        for date in ["20231114T221321Z", "20231115T221320Z"] {
            let moved = request.clone().with_header("X-Amz-Date", date);
            assert_refused(
                &format!("{}: X-Amz-Date {date}", fixture.name),
                &moved,
                key,
                rules::A_SIGNATURE_VALID,
                "InvalidSignatureException",
            );
        }
    }
}

#[test]
fn a_signature_replayed_under_another_key_is_refused() {
    for fixture in fixtures() {
        let request = fixture.raw();
        let key = fixture.access_key_id.as_str();
        let other = if key == DEPLOYER { MANAGER } else { DEPLOYER };
        // Another user of the world: the signature does not verify with that user's secret.
        let replayed = with_authorization(&request, |value| value.replace(key, other));
        assert_refused(
            &fixture.name,
            &replayed,
            other,
            rules::A_SIGNATURE_VALID,
            "InvalidSignatureException",
        );
        // A key the world does not know.
        let unknown = "AKIDNOTINTHEWORLD01";
        let replayed = with_authorization(&request, |value| value.replace(key, unknown));
        assert_refused(
            &fixture.name,
            &replayed,
            unknown,
            rules::A_KEY_KNOWN,
            "UnrecognizedClientException",
        );
        // The signature of one fixture on another's request.
        for other in fixtures().iter().filter(|other| other.name != fixture.name) {
            let transplanted = other
                .raw()
                .with_header("Authorization", authorization(&request));
            assert!(
                matches!(verify(&transplanted), CallerIdentity::InvalidSignature(_)),
                "{} on {}",
                fixture.name,
                other.name
            );
        }
        // No signature at all.
        let unsigned = request.clone().without_header("Authorization");
        assert_eq!(verify(&unsigned), CallerIdentity::Unsigned);
        let verdict = judge_request(&world(), &unsigned, &CallerIdentity::Unsigned);
        assert!(verdict.broken().contains(&rules::A_SIGNATURE_REQUIRED));
        assert_eq!(
            reference_code(&unsigned).as_deref(),
            Some("MissingAuthenticationTokenException")
        );
    }
}

#[test]
fn a_flipped_signature_digit_is_refused() {
    for fixture in fixtures() {
        let key = fixture.access_key_id.as_str();
        let value = authorization(&fixture.raw());
        let at = value.len() - 64;
        for index in [0, 31, 63] {
            let mut bytes = value.clone().into_bytes();
            bytes[at + index] = if bytes[at + index] == b'0' {
                b'1'
            } else {
                b'0'
            };
            let flipped = String::from_utf8(bytes).expect("ASCII");
            let request = fixture.raw().with_header("Authorization", flipped);
            assert_refused(
                &fixture.name,
                &request,
                key,
                rules::A_SIGNATURE_VALID,
                "InvalidSignatureException",
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The aws-sigv4 crate, used directly (as an SDK does), not through `sigv4::sign`
// ---------------------------------------------------------------------------------------------

/// Signs `POST uri` for `service` with aws-sigv4's own API (the host taken from the URI) and
/// returns the request as it goes on the wire.
fn aws_sigv4_signed(
    uri: &str,
    headers: &[(&str, &str)],
    body: &str,
    (key, secret): (&str, &str),
    service: &str,
) -> RawRequest {
    let identity = Credentials::new(key, secret, None, None, "fixtures").into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(REGION)
        .name(service)
        .time(fixture_time())
        .settings(SigningSettings::default())
        .build()
        .expect("signing parameters")
        .into();
    let mut request = http::Request::builder().method("POST").uri(uri);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let mut request = request.body(body.to_owned()).expect("an http request");
    let signable = SignableRequest::new(
        "POST",
        uri,
        headers.iter().copied(),
        SignableBody::Bytes(body.as_bytes()),
    )
    .expect("signable");
    let (instructions, _) = sign(signable, &params).expect("signed").into_parts();
    instructions.apply_to_request_http1x(&mut request);
    let authority = request
        .uri()
        .authority()
        .map(ToString::to_string)
        .unwrap_or_default();
    let mut raw = RawRequest {
        headers: vec![("Host".to_owned(), authority)],
        body: body.as_bytes().to_vec(),
    };
    for (name, value) in request.headers() {
        raw.headers.push((
            name.as_str().to_owned(),
            value.to_str().unwrap_or_default().to_owned(),
        ));
    }
    raw
}

#[test]
fn aws_sigv4_signed_requests_verify_and_match_botocore() {
    let world = world();
    let headers = [
        ("content-type", wire::CONTENT_TYPE),
        ("x-amz-target", wire::TARGET_VALUE),
    ];
    for fixture in fixtures()
        .iter()
        .filter(|fixture| fixture.name == "deploy-local" || fixture.name == "configure-aws-host")
    {
        let host = fixture.raw().header("Host").unwrap_or_default().to_owned();
        let scheme = if host.ends_with("amazonaws.com") {
            "https"
        } else {
            "http"
        };
        let uri = format!("{scheme}://{host}/");
        let secret = world
            .user(&fixture.access_key_id)
            .map(|user| user.secret_access_key.clone())
            .expect("a user");
        let credentials = (fixture.access_key_id.as_str(), secret.as_str());
        let body = &fixture.request.body;
        let signed = aws_sigv4_signed(&uri, &headers, body, credentials, wire::SIGNING_NAME);
        assert_eq!(
            verify(&signed),
            CallerIdentity::Verified(fixture.access_key_id.clone()),
            "{signed:?}"
        );
        // Two independent signers, one signature.
        assert_eq!(
            authorization(&signed),
            authorization(&fixture.raw()),
            "{}",
            fixture.name
        );
        let mut tampered = signed.clone();
        tampered.body.extend_from_slice(b" ");
        assert_refused(
            "aws-sigv4, body changed",
            &tampered,
            &fixture.access_key_id,
            rules::A_SIGNATURE_VALID,
            "InvalidSignatureException",
        );
        // A signature computed correctly, with the right secret, for another service.
        let other_service = aws_sigv4_signed(&uri, &headers, body, credentials, "ec2");
        assert!(authorization(&other_service).contains("/us-east-1/ec2/aws4_request"));
        assert_refused(
            "aws-sigv4, signed for ec2",
            &other_service,
            &fixture.access_key_id,
            rules::A_SIGNATURE_VALID,
            "InvalidSignatureException",
        );
    }
}
