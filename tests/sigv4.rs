//! SigV4 signing and verification: round trips, every kind of tampering, garbage headers.

use std::time::{Duration, SystemTime};

use opsworks_conformance::contract::{
    CommandName, CreateDeploymentInput, RawRequest, Signing, wire,
};
use opsworks_conformance::oracle::{CallerIdentity, judge_request};
use opsworks_conformance::sigv4::{self, SigV4Authenticator};
use opsworks_conformance::target::Authenticator;
use opsworks_conformance::world::World;

const REGION: &str = "us-east-1";
const AUTHORITY: &str = "127.0.0.1:8080";
const DEPLOYER: &str = "AKIDDEPLOYER0000001";
const MANAGER: &str = "AKIDMANAGER00000001";

fn world() -> World {
    World::bundled_with_users()
}

fn time() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000)
}

fn request() -> RawRequest {
    let world = world();
    CreateDeploymentInput::new(&world.stacks[0].stack_id, CommandName::Configure).to_raw()
}

fn signed_as(key: &str) -> RawRequest {
    sigv4::apply(
        &request(),
        &Signing::As(key.to_owned()),
        &world(),
        AUTHORITY,
        REGION,
        time(),
    )
}

fn verify(request: &RawRequest) -> CallerIdentity {
    sigv4::verify(request, &world(), REGION)
}

fn invalid(key: &str) -> CallerIdentity {
    CallerIdentity::InvalidSignature(key.to_owned())
}

fn authorization(request: &RawRequest) -> String {
    request
        .header("Authorization")
        .unwrap_or_default()
        .to_owned()
}

/// The same request with its `Authorization` value changed by `edit`.
fn with_authorization(request: &RawRequest, edit: impl Fn(&str) -> String) -> RawRequest {
    let value = edit(&authorization(request));
    request.clone().with_header("Authorization", value)
}

#[test]
fn sign_then_verify_is_verified_for_every_user() {
    for user in world().users {
        let signed = signed_as(&user.access_key_id);
        assert_eq!(
            verify(&signed),
            CallerIdentity::Verified(user.access_key_id.clone()),
            "{signed:?}"
        );
    }
}

#[test]
fn sign_sets_host_date_and_authorization() {
    let signed = signed_as(DEPLOYER);
    assert_eq!(signed.header("Host"), Some(AUTHORITY));
    assert_eq!(signed.header("X-Amz-Date"), Some("20231114T221320Z"));
    let authorization = authorization(&signed);
    assert!(
        authorization.starts_with(
            "AWS4-HMAC-SHA256 Credential=AKIDDEPLOYER0000001/20231114/us-east-1/opsworks/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature="
        ),
        "{authorization}"
    );
    // The body and the original headers are untouched.
    assert_eq!(signed.body, request().body);
    assert_eq!(signed.header(wire::TARGET_HEADER), Some(wire::TARGET_VALUE));
}

#[test]
fn a_host_header_in_the_request_is_kept_and_signed() {
    let request = request().with_header("Host", "opsworks.us-east-1.amazonaws.com");
    let signed = sigv4::sign(
        &request,
        AUTHORITY,
        DEPLOYER,
        "deployer-secret",
        REGION,
        time(),
    );
    assert_eq!(
        signed.header("Host"),
        Some("opsworks.us-east-1.amazonaws.com")
    );
    assert_eq!(
        verify(&signed),
        CallerIdentity::Verified(DEPLOYER.to_owned())
    );
    let moved = signed.with_header("Host", AUTHORITY);
    assert_eq!(verify(&moved), invalid(DEPLOYER));
}

#[test]
fn signing_again_replaces_the_signature() {
    let twice = sigv4::apply(
        &signed_as(MANAGER),
        &Signing::As(DEPLOYER.to_owned()),
        &world(),
        AUTHORITY,
        REGION,
        time() + Duration::from_secs(60),
    );
    assert_eq!(
        wire::header_values(&twice.headers, "Authorization").count(),
        1
    );
    assert_eq!(wire::header_values(&twice.headers, "X-Amz-Date").count(), 1);
    assert_eq!(
        verify(&twice),
        CallerIdentity::Verified(DEPLOYER.to_owned())
    );
}

#[test]
fn recorded_requests_verify_whatever_the_clock() {
    // No clock-skew check: a request signed in 2001 still verifies.
    let old = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
    let signed = sigv4::apply(
        &request(),
        &Signing::As(DEPLOYER.to_owned()),
        &world(),
        AUTHORITY,
        REGION,
        old,
    );
    assert_eq!(
        verify(&signed),
        CallerIdentity::Verified(DEPLOYER.to_owned())
    );
}

#[test]
fn unsigned_has_no_authorization_and_verifies_as_unsigned() {
    let request = signed_as(DEPLOYER);
    let unsigned = sigv4::apply(
        &request,
        &Signing::Unsigned,
        &world(),
        AUTHORITY,
        REGION,
        time(),
    );
    assert_eq!(unsigned.header("Authorization"), None);
    assert_eq!(verify(&unsigned), CallerIdentity::Unsigned);
}

#[test]
fn an_altered_body_is_invalid() {
    let mut tampered = signed_as(DEPLOYER);
    tampered.body.push(b' ');
    assert_eq!(verify(&tampered), invalid(DEPLOYER));
    let mut emptied = signed_as(DEPLOYER);
    emptied.body.clear();
    assert_eq!(verify(&emptied), invalid(DEPLOYER));
}

#[test]
fn an_altered_signed_header_is_invalid() {
    let tampered =
        signed_as(DEPLOYER).with_header(wire::TARGET_HEADER, "OpsWorks_20130218.Nonexistent");
    assert_eq!(verify(&tampered), invalid(DEPLOYER));
    let date = signed_as(DEPLOYER).with_header("X-Amz-Date", "20231114T221321Z");
    assert_eq!(verify(&date), invalid(DEPLOYER));
    let dropped = signed_as(DEPLOYER).without_header(wire::TARGET_HEADER);
    assert_eq!(verify(&dropped), invalid(DEPLOYER));
}

#[test]
fn an_unsigned_header_may_be_added() {
    let added = signed_as(DEPLOYER).add_header("User-Agent", "test/1.0");
    assert_eq!(
        verify(&added),
        CallerIdentity::Verified(DEPLOYER.to_owned())
    );
}

#[test]
fn another_region_in_the_scope_is_invalid() {
    let signed = sigv4::apply(
        &request(),
        &Signing::As(DEPLOYER.to_owned()),
        &world(),
        AUTHORITY,
        "eu-west-1",
        time(),
    );
    assert_eq!(verify(&signed), invalid(DEPLOYER));
    let edited = with_authorization(&signed_as(DEPLOYER), |value| {
        value.replace("/us-east-1/", "/eu-west-1/")
    });
    assert_eq!(verify(&edited), invalid(DEPLOYER));
}

#[test]
fn another_service_in_the_scope_is_invalid() {
    let edited = with_authorization(&signed_as(DEPLOYER), |value| {
        value.replace("/opsworks/", "/ec2/")
    });
    assert_eq!(verify(&edited), invalid(DEPLOYER));
}

#[test]
fn a_scope_date_other_than_x_amz_date_is_invalid() {
    let edited = with_authorization(&signed_as(DEPLOYER), |value| {
        value.replace("/20231114/", "/20231115/")
    });
    assert_eq!(verify(&edited), invalid(DEPLOYER));
    // Moving X-Amz-Date to another day while the scope keeps the old one.
    let moved = signed_as(DEPLOYER).with_header("X-Amz-Date", "20231115T221320Z");
    assert_eq!(verify(&moved), invalid(DEPLOYER));
}

#[test]
fn an_altered_signature_is_invalid() {
    let signed = signed_as(DEPLOYER);
    let value = authorization(&signed);
    let (head, signature) = value.split_at(value.len() - 64);
    let flipped: String = signature
        .chars()
        .enumerate()
        .map(|(index, c)| match (index, c) {
            (0, '0') => '1',
            (0, _) => '0',
            (_, c) => c,
        })
        .collect();
    let tampered = signed
        .clone()
        .with_header("Authorization", format!("{head}{flipped}"));
    assert_eq!(verify(&tampered), invalid(DEPLOYER));
    let upper = signed.clone().with_header(
        "Authorization",
        format!("{head}{}", signature.to_uppercase()),
    );
    assert_eq!(verify(&upper), invalid(DEPLOYER));
    let short = signed.with_header("Authorization", format!("{head}{}", &signature[1..]));
    assert_eq!(verify(&short), invalid(DEPLOYER));
}

#[test]
fn a_wrong_secret_is_invalid() {
    let signed = sigv4::apply(
        &request(),
        &Signing::WrongSecret(DEPLOYER.to_owned()),
        &world(),
        AUTHORITY,
        REGION,
        time(),
    );
    assert!(authorization(&signed).contains("Credential=AKIDDEPLOYER0000001/"));
    assert_eq!(verify(&signed), invalid(DEPLOYER));
}

#[test]
fn an_unknown_key_is_invalid_and_the_oracle_says_key_unknown() {
    let key = "AKIDUNKNOWN00000001";
    let signed = sigv4::apply(
        &request(),
        &Signing::UnknownKey(key.to_owned()),
        &world(),
        AUTHORITY,
        REGION,
        time(),
    );
    let identity = verify(&signed);
    assert_eq!(identity, invalid(key));
    let verdict = judge_request(&world(), &signed, &identity);
    assert!(
        verdict
            .broken()
            .iter()
            .any(|rule| rule.as_str() == "A-KEY-KNOWN"),
        "{:?}",
        verdict.broken()
    );
    // Signing "as" a key the world does not list cannot verify either.
    assert_eq!(verify(&signed_as(key)), invalid(key));
}

#[test]
fn replaying_a_signature_under_another_key_is_invalid() {
    let replayed = with_authorization(&signed_as(DEPLOYER), |value| {
        value.replace(DEPLOYER, MANAGER)
    });
    assert_eq!(verify(&replayed), invalid(MANAGER));
}

#[test]
fn signed_headers_must_include_host_and_date_and_match() {
    let signed = signed_as(DEPLOYER);
    for (from, to) in [
        (
            "SignedHeaders=content-type;host;x-amz-date;x-amz-target",
            "SignedHeaders=content-type;x-amz-date;x-amz-target",
        ),
        (
            "SignedHeaders=content-type;host;x-amz-date;x-amz-target",
            "SignedHeaders=content-type;host;x-amz-target",
        ),
        (
            "SignedHeaders=content-type;host;x-amz-date;x-amz-target",
            "SignedHeaders=host;x-amz-date",
        ),
        (
            "SignedHeaders=content-type;host;x-amz-date;x-amz-target",
            "SignedHeaders=content-type;host;;x-amz-date;x-amz-target",
        ),
        (
            "SignedHeaders=content-type;host;x-amz-date;x-amz-target",
            "SignedHeaders=content-type;host;user-agent;x-amz-date;x-amz-target",
        ),
        (
            "SignedHeaders=content-type;host;x-amz-date;x-amz-target",
            "SignedHeaders=x-amz-target;host;x-amz-date;content-type",
        ),
        (
            "SignedHeaders=content-type;host;x-amz-date;x-amz-target",
            "SignedHeaders=content-type;Host;x-amz-date;x-amz-target",
        ),
        (
            "SignedHeaders=content-type;host;x-amz-date;x-amz-target",
            "SignedHeaders=content-type;host;host;x-amz-date;x-amz-target",
        ),
    ] {
        let edited = with_authorization(&signed, |value| value.replace(from, to));
        assert_ne!(authorization(&edited), authorization(&signed));
        assert_eq!(verify(&edited), invalid(DEPLOYER), "{to}");
    }
}

#[test]
fn the_date_header_must_be_there_once_and_well_formed() {
    let signed = signed_as(DEPLOYER);
    assert_eq!(
        verify(&signed.clone().without_header("X-Amz-Date")),
        invalid(DEPLOYER)
    );
    let twice = signed.clone().add_header("X-Amz-Date", "20231114T221320Z");
    assert_eq!(verify(&twice), invalid(DEPLOYER));
    for bad in [
        "2023-11-14T22:13:20Z",
        "20231114T221320",
        "20231114t221320z",
        "",
        "20231114T256100Z",
    ] {
        let edited = signed.clone().with_header("X-Amz-Date", bad);
        assert_eq!(verify(&edited), invalid(DEPLOYER), "{bad}");
    }
}

#[test]
fn two_authorization_headers_are_invalid() {
    let signed = signed_as(DEPLOYER);
    let value = authorization(&signed);
    let twice = signed.add_header("Authorization", value);
    assert_eq!(verify(&twice), invalid(DEPLOYER));
}

#[test]
fn garbage_authorization_values_never_panic() {
    let long_a = "A".repeat(1 << 20);
    let long_credential = format!("AWS4-HMAC-SHA256 Credential={}", "/".repeat(100_000));
    let many_commas = format!("AWS4-HMAC-SHA256 {}", ",".repeat(100_000));
    let random: String = (0u32..4096)
        .map(|index| char::from_u32(index.wrapping_mul(2_654_435_761) % 0x2FFF).unwrap_or('?'))
        .collect();
    let values: Vec<String> = vec![
        String::new(),
        " ".to_owned(),
        "AWS4-HMAC-SHA256".to_owned(),
        "AWS4-HMAC-SHA256 ".to_owned(),
        "AWS4-HMAC-SHA256 Credential=".to_owned(),
        "AWS4-HMAC-SHA256 Credential=/////, SignedHeaders=, Signature=".to_owned(),
        "AWS4-HMAC-SHA256 Credential=AKIDDEPLOYER0000001".to_owned(),
        "AWS4-HMAC-SHA256 Credential=AKIDDEPLOYER0000001/20231114/us-east-1/opsworks/aws4_request".to_owned(),
        "AWS4-HMAC-SHA256 Credential=AKIDDEPLOYER0000001/20231114/us-east-1/opsworks/aws4_request, SignedHeaders=host;x-amz-date, Signature=zz".to_owned(),
        "AWS4-HMAC-SHA256 Credential=AKIDDEPLOYER0000001/20231114/us-east-1/opsworks/aws4_request/extra, SignedHeaders=host;x-amz-date, Signature=0000000000000000000000000000000000000000000000000000000000000000".to_owned(),
        "AWS4-HMAC-SHA256 Credential=AKIDDEPLOYER0000001/20231114/us-east-1/opsworks/aws4_request, SignedHeaders=host;x-amz-date, Signature=0000000000000000000000000000000000000000000000000000000000000000, Signature=0000000000000000000000000000000000000000000000000000000000000000".to_owned(),
        "Bearer token".to_owned(),
        "AWS4-HMAC-SHA512 Credential=AKIDDEPLOYER0000001/20231114/us-east-1/opsworks/aws4_request".to_owned(),
        "AWS4-HMAC-SHA256 Credential=é/20231114/us-east-1/opsworks/aws4_request, SignedHeaders=host;x-amz-date;é, Signature=0000000000000000000000000000000000000000000000000000000000000000".to_owned(),
        "AWS4-HMAC-SHA256\u{0}Credential=\u{0}".to_owned(),
        long_a,
        long_credential,
        many_commas,
        random,
    ];
    let base = signed_as(DEPLOYER);
    for value in values {
        let request = base.clone().with_header("Authorization", value.clone());
        match verify(&request) {
            CallerIdentity::InvalidSignature(_) => {}
            other => panic!("{other:?} for {:?}", value.get(..80)),
        }
    }
}

#[test]
fn garbage_headers_and_bodies_never_panic() {
    let signed = signed_as(DEPLOYER);
    let requests = vec![
        signed.clone().with_header("Host", "bad\nhost"),
        signed.clone().with_header("Host", ""),
        signed.clone().without_header("Host"),
        signed.clone().add_header("Host", "second.example"),
        signed
            .clone()
            .with_header(wire::TARGET_HEADER, "line\r\nbreak"),
        signed.clone().with_header(wire::TARGET_HEADER, "naïve é"),
        RawRequest {
            headers: signed.headers.clone(),
            body: vec![0xff, 0xfe, 0x00],
        },
    ];
    for request in requests {
        assert!(
            matches!(verify(&request), CallerIdentity::InvalidSignature(_)),
            "{request:?}"
        );
    }
    // A header that is not valid HTTP but not signed either changes nothing.
    let unsigned_junk = signed.clone().add_header("bad header name", "value\n");
    assert_eq!(
        verify(&unsigned_junk),
        CallerIdentity::Verified(DEPLOYER.to_owned())
    );
    // Signing odd requests does not panic either; a Host that is not valid HTTP cannot be
    // signed, so the request reads as unsigned.
    let odd = request()
        .with_header("Host", "bad\nhost")
        .add_header("bad name", "x");
    let signed = sigv4::sign(
        &odd,
        "bad\nauthority",
        DEPLOYER,
        "deployer-secret",
        REGION,
        time(),
    );
    assert_eq!(signed.header("Authorization"), None);
    let signed = sigv4::sign(
        &request(),
        "bad\nauthority",
        DEPLOYER,
        "deployer-secret",
        REGION,
        time(),
    );
    assert_eq!(signed.header("Authorization"), None);
    let far = SystemTime::UNIX_EPOCH + Duration::from_secs(u64::from(u32::MAX) * 1_000);
    let signed = sigv4::sign(
        &request(),
        AUTHORITY,
        DEPLOYER,
        "deployer-secret",
        REGION,
        far,
    );
    assert_eq!(signed.header("X-Amz-Date"), Some("99991231T235959Z"));
    assert_eq!(
        verify(&signed),
        CallerIdentity::Verified(DEPLOYER.to_owned())
    );
}

#[test]
fn non_ascii_signed_header_values_round_trip() {
    let request = request().with_header("X-Custom", "café");
    let signed = sigv4::sign(
        &request,
        AUTHORITY,
        DEPLOYER,
        "deployer-secret",
        REGION,
        time(),
    );
    assert!(authorization(&signed).contains("x-custom"));
    assert_eq!(
        verify(&signed),
        CallerIdentity::Verified(DEPLOYER.to_owned())
    );
}

#[test]
fn the_authenticator_verifies_like_verify() {
    let authenticator = SigV4Authenticator::new(&world(), REGION);
    assert_eq!(
        authenticator.identify(&signed_as(DEPLOYER)),
        CallerIdentity::Verified(DEPLOYER.to_owned())
    );
    assert_eq!(authenticator.identify(&request()), CallerIdentity::Unsigned);
    let other_region = SigV4Authenticator::new(&world(), "eu-west-1");
    assert_eq!(
        other_region.identify(&signed_as(DEPLOYER)),
        invalid(DEPLOYER)
    );
}

#[test]
fn nothing_printable_holds_a_secret() {
    let world = world();
    let secrets: Vec<String> = world
        .users
        .iter()
        .map(|user| user.secret_access_key.clone())
        .collect();
    let authenticator = SigV4Authenticator::new(&world, REGION);
    let mut printed = vec![format!("{authenticator:?}")];
    for signing in [
        Signing::As(DEPLOYER.to_owned()),
        Signing::WrongSecret(DEPLOYER.to_owned()),
        Signing::UnknownKey("AKIDUNKNOWN".to_owned()),
        Signing::Unsigned,
    ] {
        let signed = sigv4::apply(&request(), &signing, &world, AUTHORITY, REGION, time());
        let identity = authenticator.identify(&signed);
        printed.push(format!("{signed:?}"));
        printed.push(format!("{identity:?}"));
    }
    for text in printed {
        for secret in &secrets {
            assert!(!text.contains(secret.as_str()), "{text} holds a secret");
        }
    }
}

#[test]
fn verify_at_adds_a_clock_skew_check_and_nothing_else() {
    let world = world();
    let signed = signed_as(DEPLOYER);
    let at = |offset: i64| {
        let magnitude = Duration::from_secs(offset.unsigned_abs());
        let now = if offset < 0 {
            time() - magnitude
        } else {
            time() + magnitude
        };
        sigv4::verify_at(&signed, &world, REGION, now, sigv4::MAX_CLOCK_SKEW)
    };
    let verified = CallerIdentity::Verified(DEPLOYER.to_owned());
    for offset in [0, 1, -1, 900, -900] {
        assert_eq!(at(offset), verified, "{offset} s");
    }
    for offset in [901, -901, 86_400, -86_400_000] {
        assert_eq!(at(offset), invalid(DEPLOYER), "{offset} s");
    }
    // What does not verify stays so; an unsigned request stays unsigned.
    let mut tampered = signed.clone();
    tampered.body.push(b' ');
    assert_eq!(
        sigv4::verify_at(&tampered, &world, REGION, time(), sigv4::MAX_CLOCK_SKEW),
        invalid(DEPLOYER)
    );
    assert_eq!(
        sigv4::verify_at(&request(), &world, REGION, time(), sigv4::MAX_CLOCK_SKEW),
        CallerIdentity::Unsigned
    );
    // The authenticator with a skew takes what is signed now, and refuses the 2023 request.
    let authenticator =
        SigV4Authenticator::new(&world, REGION).with_max_skew(sigv4::MAX_CLOCK_SKEW);
    let fresh = sigv4::apply(
        &request(),
        &Signing::As(DEPLOYER.to_owned()),
        &world,
        AUTHORITY,
        REGION,
        SystemTime::now(),
    );
    assert_eq!(authenticator.identify(&fresh), verified);
    assert_eq!(authenticator.identify(&signed), invalid(DEPLOYER));
    let debug = format!("{authenticator:?}");
    assert!(debug.contains("max_skew"), "{debug}");
    for user in &world.users {
        assert!(!debug.contains(&user.secret_access_key), "{debug}");
    }
}
