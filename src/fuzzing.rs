//! The body of every cargo-fuzz target, as library functions over `&[u8]` (feature
//! `arbitrary`).
//!
//! Each function decodes the fuzzer's bytes, runs one case and panics (`assert!`) on a finding,
//! with a message that starts with the rule at fault: `[RULE] expected ..., found ...`, then the
//! case. The fuzz crate in `fuzz/` is one line per target around these functions, so the same
//! bodies run under libFuzzer (`cargo fuzz run -s none TARGET`) and as ordinary tests on stable
//! (`tests/fuzz_corpus.rs` replays every checked-in corpus file), and a downstream crate can
//! reuse them in its own fuzz targets and tests.
//!
//! | function | fuzz target | what it checks |
//! |---|---|---|
//! | [`oracle`] | `oracle` | hostile headers and body bytes, any world and caller: the oracle never panics, is deterministic, always allows an outcome, accepts its own preferred answer; the JSON scanner agrees with itself and with `serde_json` |
//! | `server_differential` | `server_differential` | bytes as an HTTP request to the reference server's handler in process (feature `server`): never a panic or a 5xx, and the answer is one the oracle accepts |
//! | [`world_file`] | `world_file` | bytes as a world file: parsed or refused with an error; a parsed world validates and round-trips through [`World::to_json_pretty`] |
//! | [`structured_case`] | `structured_case` | an [`Arbitrary`] world, request and signing through the [`ReferenceTarget`] and the oracle: the answer conforms strictly |
//! | [`check_target`] | `my_implementation_template` | the same with *your* handler in place of the reference target |
//!
//! ```
//! use opsworks_conformance::fuzzing;
//!
//! // Any bytes are an input; the empty input is the simplest case of each target.
//! fuzzing::oracle(b"");
//! fuzzing::world_file(br#"{"Stacks":[{"StackId":"s1"}]}"#);
//! fuzzing::structured_case(&[]);
//! ```
//!
//! # Input layouts
//!
//! [`structured_case`] and [`check_target`] read `(World, CreateDeploymentInput, Signing)` with
//! [`Arbitrary::arbitrary_take_rest`] ([`FuzzCase::from_bytes`]). [`oracle`] and
//! `server_differential` read a few choice bytes first, then the body is the rest of the input,
//! so that a seed is easy to write by hand: a seed of five zero bytes followed by a JSON body is
//! that body, unsigned, with the two correct awsJson1_1 headers, in [`World::bundled`].
//!
//! - `oracle`: world, caller, `Content-Type`, `X-Amz-Target`, extra headers, then the body.
//! - `server_differential`: world, method, path, `Content-Type`, `X-Amz-Target`, extra
//!   headers, signing, then the body.
//!
//! Each choice is one byte taken modulo the number of options, and byte 0 always picks the
//! ordinary option (the bundled world, an unsigned caller, the correct header, `POST`, `/`, no
//! extra header), which most values pick, so that mutations mostly keep it. The header bytes
//! (modulo 8): 0 to 4 the correct value, 5 a near miss (the next byte picks which), 6 no
//! header, 7 free text. The extra headers byte: 0 to 4 headers (modulo 5), each a name and a
//! value byte (modulo 4: 0 to 2 a known one, the next byte picks which; 3 free text). The
//! method and path bytes (modulo 12): 0 to 9 `POST` and `/`, 10 another known one (the next
//! byte picks which), 11 free text. The world byte: 0 [`World::bundled`], 1 [`World::bundled_with_users`], 2 an arbitrary world
//! read from the following bytes. The caller byte: 0 unsigned, 1 verified as the world's user
//! number *k* (the next byte), 2 a wrong signature by user *k*, 3 an arbitrary [`Signing`]. The
//! signing byte (`server_differential`): 0 none, 1 signed correctly as user *k* (the next byte),
//! 2 signed with a wrong secret by user *k*, 3 an arbitrary [`Signing`]; requests are signed for
//! `localhost`, region `us-east-1`, at a fixed time.

use std::sync::OnceLock;

use ::arbitrary::{Arbitrary, Unstructured};

use crate::contract::{
    CreateDeploymentInput, Observation, RawRequest, Signing, could_be_taken_for_operation, wire,
};
use crate::oracle::json_text::{self, MAX_KEEP_DEPTH};
use crate::oracle::{CallerIdentity, Judgement, Status, judge_request, judge_response};
use crate::target::ReferenceTarget;
use crate::world::World;

/// One structured case: what [`structured_case`] and [`check_target`] run. Decode a crashing
/// input with [`FuzzCase::from_bytes`] to see what it was.
///
/// ```
/// use opsworks_conformance::fuzzing::FuzzCase;
///
/// let case = FuzzCase::from_bytes(&[]).unwrap();
/// assert_eq!(
///     case.request().body_text(),
///     r#"{"StackId":"stack-0","Command":{"Name":"install_dependencies"}}"#
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FuzzCase {
    /// The world the request is sent to (always valid).
    pub world: World,
    /// The request.
    pub input: CreateDeploymentInput,
    /// How it is signed; the handler is told the resulting [`CallerIdentity`].
    pub signing: Signing,
}

impl FuzzCase {
    /// Decodes a case from fuzzer bytes, as the structured targets do: `None` when the bytes
    /// do not make one (the input is then skipped).
    #[must_use]
    pub fn from_bytes(data: &[u8]) -> Option<FuzzCase> {
        let (world, input, signing) =
            <(World, CreateDeploymentInput, Signing)>::arbitrary_take_rest(Unstructured::new(data))
                .ok()?;
        Some(FuzzCase {
            world,
            input,
            signing,
        })
    }

    /// The raw request a conforming client sends for the input (unsigned: the handler is told
    /// the caller instead).
    #[must_use]
    pub fn request(&self) -> RawRequest {
        self.input.to_raw()
    }

    /// The caller a correct signature check establishes for the signing.
    #[must_use]
    pub fn caller(&self) -> CallerIdentity {
        CallerIdentity::from(&self.signing)
    }
}

/// The reference implementation's answer: a fresh [`ReferenceTarget`] in this world answering
/// this request from this caller. The handler [`structured_case`] checks, and the one the
/// `my_implementation_template` fuzz target starts with.
#[must_use]
pub fn reference_answer(
    world: &World,
    request: &RawRequest,
    caller: &CallerIdentity,
) -> Observation {
    ReferenceTarget::new(world.clone()).answer(request, caller)
}

/// Fuzz target `structured_case`: an [`Arbitrary`] world, request and signing
/// ([`FuzzCase::from_bytes`]) run through the [`ReferenceTarget`] and the oracle. They agree:
/// the reference answer conforms strictly (no failure, no warning).
///
/// # Panics
/// On a finding: `[RULE] expected ..., found ...`, then the case.
pub fn structured_case(data: &[u8]) {
    structured_case_with(data, reference_answer);
}

/// [`structured_case`] with another handler in place of the reference target, judged as
/// strictly (SHOULD rules too). This is the hook for a deliberately broken reference handler
/// in tests: wrap [`reference_answer`] with a defect and see that the target finds it.
///
/// # Panics
/// On a finding, or when the handler panics.
pub fn structured_case_with(
    data: &[u8],
    answer: impl Fn(&World, &RawRequest, &CallerIdentity) -> Observation,
) {
    run_case(data, answer, true);
}

/// The reusable body for fuzzing *your* implementation with this crate's generators and oracle:
/// each input is decoded into a world, a request and a caller ([`FuzzCase::from_bytes`]), your
/// handler answers it, and the oracle judges the answer. A MUST rule broken panics with
/// `[RULE] expected ..., found ...` and the case; SHOULD rules (reported as warnings by the
/// gate without `--strict`) do not.
///
/// The handler is given the world the request is sent to (set your implementation up with it,
/// or check that it holds the same stacks), the exact request, and who the caller is (as a
/// SigV4 check would establish it; the request itself is unsigned).
///
/// ```
/// use opsworks_conformance::contract::Observation;
/// use opsworks_conformance::fuzzing;
///
/// // A handler that accepts everything: right for the simplest case (a valid request),
/// // wrong for most others.
/// fuzzing::check_target(&[], |_world, _request, _caller| {
///     Observation::json(200, r#"{"DeploymentId":"d-1"}"#)
/// });
/// ```
///
/// # Panics
/// On a finding, or when the handler panics.
pub fn check_target(
    data: &[u8],
    answer: impl Fn(&World, &RawRequest, &CallerIdentity) -> Observation,
) {
    run_case(data, answer, false);
}

/// Decodes a structured case, lets the handler answer, judges the answer.
fn run_case(
    data: &[u8],
    answer: impl Fn(&World, &RawRequest, &CallerIdentity) -> Observation,
    strict: bool,
) {
    let Some(case) = FuzzCase::from_bytes(data) else {
        return;
    };
    let request = case.request();
    let caller = case.caller();
    let verdict = judge_request(&case.world, &request, &caller);
    let observation = answer(&case.world, &request, &caller);
    let judgement = judge_response(&verdict, &Ok(observation));
    assert_conforms(&judgement, strict, || {
        describe_case(&case.world, &request, &caller)
    });
}

/// Fuzz target `oracle`: hostile headers and body bytes, in any world, from any caller (see the
/// [input layout](self#input-layouts)). The oracle never panics and is deterministic (the same
/// verdict twice), always allows at least one outcome, and accepts the reference answer (its own
/// preferred outcome) strictly. The JSON scanner ([`json_text`]) agrees with itself and with
/// `serde_json` on the body and on a `CustomJson` string.
///
/// # Panics
/// On a finding: `[RULE] expected ..., found ...`, then the case.
pub fn oracle(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let Ok(world) = pick_world(&mut u) else {
        return;
    };
    let Ok(caller) = pick_caller(&mut u, &world) else {
        return;
    };
    let Ok(headers) = pick_headers(&mut u) else {
        return;
    };
    let body = u.take_rest().to_vec();
    let request = RawRequest { headers, body };
    let context = || describe_case(&world, &request, &caller);

    let first = judge_request(&world, &request, &caller);
    let second = judge_request(&world, &request, &caller);
    assert!(
        first == second,
        "[ORACLE-DETERMINISTIC] expected the same verdict twice, found {first:?} then \
         {second:?}\n{}",
        context()
    );
    assert!(
        !first.allowances().is_empty(),
        "[ORACLE-TOTAL] expected at least one acceptable outcome, found none: {first:?}\n{}",
        context()
    );
    let response = Ok(reference_answer(&world, &request, &caller));
    let judgement = judge_response(&first, &response);
    assert_conforms(&judgement, true, context);
    let again = judge_response(&first, &response);
    assert!(
        judgement == again,
        "[ORACLE-DETERMINISTIC] expected the same judgement twice, found {judgement:?} then \
         {again:?}\n{}",
        context()
    );

    json_text_agrees(&request.body);
    let custom_json = serde_json::from_slice::<serde_json::Value>(&request.body)
        .ok()
        .and_then(|body| {
            body.get("CustomJson")
                .and_then(serde_json::Value::as_str)
                .map(str::to_owned)
        });
    if let Some(custom_json) = custom_json {
        json_text_agrees(custom_json.as_bytes());
    }
}

/// Fuzz target `world_file`: the bytes as a world file. [`World::from_slice`] parses them or
/// refuses them with an error (whose message can be formatted), never panics; a parsed world
/// validates, and [`World::to_json_pretty`] reads back as the same world and the same text.
/// The reader is only stricter than serde: what it accepts, serde reads as the same world.
///
/// # Panics
/// On a finding: `[WORLD-FILE] expected ..., found ...`.
pub fn world_file(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let parsed = World::from_slice(data);
    match &parsed {
        Err(error) => {
            let message = error.to_string();
            assert!(
                !message.is_empty(),
                "[WORLD-FILE] expected an error message, found an empty one for {text:?}"
            );
            let _ = error.member();
        }
        Ok(world) => {
            assert!(
                world.validate().is_ok(),
                "[WORLD-FILE] expected a parsed world to validate, found {:?} for {text:?}",
                world.validate()
            );
            let pretty = world.to_json_pretty();
            match World::from_json(&pretty) {
                Ok(again) => {
                    assert!(
                        &again == world,
                        "[WORLD-FILE] expected to_json_pretty to read back as the same world, \
                         found {again:?} for {world:?}"
                    );
                    assert_eq!(
                        again.to_json_pretty(),
                        pretty,
                        "[WORLD-FILE] expected to_json_pretty to be stable"
                    );
                }
                Err(error) => panic!(
                    "[WORLD-FILE] expected to_json_pretty to read back, found {error}\n{pretty}"
                ),
            }
        }
    }
    // The reader is serde's reading with stricter checks: what it accepts, serde reads as the
    // same world (after the byte order mark the reader skips).
    if let Ok(world) = &parsed {
        let unmarked = data.strip_prefix("\u{feff}".as_bytes()).unwrap_or(data);
        let by_serde = serde_json::from_slice::<World>(unmarked);
        assert!(
            by_serde.as_ref().ok() == Some(world),
            "[WORLD-FILE] expected serde to read the same world, found {by_serde:?} for {text:?}"
        );
    }
}

/// Fuzz target `server_differential` (features `arbitrary` and `server`): the bytes as an HTTP
/// request (see the [input layout](self#input-layouts)) to the reference server's handler, in
/// process ([`InProcessServer`](crate::server::in_process::InProcessServer)): never a panic or a
/// 5xx, a method or path other than `POST /` is answered 404 `UnknownOperationException`, and
/// any other answer is one the oracle accepts strictly for the request as the handler saw it,
/// from the caller SigV4 verification establishes.
///
/// # Panics
/// On a finding: `[RULE] expected ..., found ...`, then the case.
#[cfg(feature = "server")]
pub fn server_differential(data: &[u8]) {
    server::differential(data);
}

#[cfg(feature = "server")]
mod server {
    //! The in-process HTTP half of [`super::server_differential`].

    use std::time::{Duration, SystemTime};

    use ::arbitrary::{Arbitrary, Unstructured};
    use axum::body::Body;
    use axum::http::{HeaderName, HeaderValue, Method, Request, Uri};
    use http_body_util::BodyExt;

    use super::{
        Choice, assert_conforms, describe_case, pick_headers, pick_index, pick_world, text,
    };
    use crate::contract::{Observation, RawRequest, Signing, rules, wire};
    use crate::oracle::{CallerIdentity, judge_request, judge_response};
    use crate::server::ServerOptions;
    use crate::server::in_process::InProcessServer;
    use crate::world::World;

    /// The time requests are signed at (2023-11-14T22:13:20Z): the server checks no clock skew.
    const SIGNED_AT: Duration = Duration::from_secs(1_700_000_000);

    /// Methods other than `POST`.
    const METHODS: [&str; 6] = ["GET", "PUT", "HEAD", "OPTIONS", "DELETE", "post"];
    /// Paths other than `/` (some of which are `/` to the handler).
    const PATHS: [&str; 6] = [
        "/?Action=CreateDeployment",
        "//",
        "/x",
        "*",
        "http://localhost/",
        "/%2F",
    ];

    thread_local! {
        /// One current-thread runtime per thread, to drive the handler's future.
        static RUNTIME: tokio::runtime::Runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a current-thread tokio runtime");
    }

    pub(super) fn differential(data: &[u8]) {
        let Ok((world, request, body)) = read_request(data) else {
            return;
        };
        let method = request.method().clone();
        let uri = request.uri().clone();
        // The request exactly as the handler reads it.
        let seen = RawRequest {
            headers: crate::contract::wire::header_pairs(request.headers()),
            body,
        };
        let region = ServerOptions::default().region;
        let caller = if world.has_users() {
            crate::sigv4::verify(&seen, &world, &region)
        } else {
            CallerIdentity::Unsigned
        };
        let context = || {
            format!(
                "  request line: {method} {uri}\n{}",
                describe_case(&world, &seen, &caller)
            )
        };
        let Ok(server) = InProcessServer::new(world.clone()) else {
            panic!("[WORLD-FILE] expected a valid world, found {world:?}");
        };
        let observation = RUNTIME.with(|runtime| runtime.block_on(observe(&server, request)));
        assert!(
            observation.status < 500,
            "[{}] expected a status below 500, found {}\n{}",
            rules::P_NO_SERVER_ERROR,
            observation.brief(200),
            context()
        );
        if method != Method::POST || uri.path() != wire::PATH {
            if let Err(failure) = crate::rules::p_unknown_operation::judge_elsewhere(
                method.as_str(),
                uri.path(),
                &observation,
            ) {
                panic!("{failure}\n{}", context());
            }
            return;
        }
        let verdict = judge_request(&world, &seen, &caller);
        let judgement = judge_response(&verdict, &Ok(observation));
        assert_conforms(&judgement, true, context);
    }

    /// Decodes the world and the HTTP request (signed as the input asks, for `localhost` in
    /// the server's region), with a copy of its body.
    fn read_request(data: &[u8]) -> ::arbitrary::Result<(World, Request<Body>, Vec<u8>)> {
        let mut u = Unstructured::new(data);
        let world = pick_world(&mut u)?;
        let method = pick_method(&mut u)?;
        let uri = pick_uri(&mut u)?;
        let headers = pick_headers(&mut u)?;
        let signing = pick_signing(&mut u, &world)?;
        let mut raw = RawRequest {
            headers,
            body: u.take_rest().to_vec(),
        };
        if let Some(signing) = signing {
            raw = crate::sigv4::apply(
                &raw,
                &signing,
                &world,
                "localhost",
                &ServerOptions::default().region,
                SystemTime::UNIX_EPOCH + SIGNED_AT,
            );
        }
        let mut request = Request::new(Body::from(raw.body.clone()));
        *request.method_mut() = method;
        *request.uri_mut() = uri;
        for (name, value) in &raw.headers {
            // Headers that are not valid HTTP cannot be sent; the rest go as they are (UTF-8
            // beyond ASCII as obs-text bytes).
            if let (Ok(name), Ok(value)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_bytes(value.as_bytes()),
            ) {
                request.headers_mut().append(name, value);
            }
        }
        Ok((world, request, raw.body))
    }

    /// Sends the request to the handler and reads the whole answer.
    async fn observe(server: &InProcessServer, request: Request<Body>) -> Observation {
        let (parts, body) = server.handle(request).await.into_parts();
        let body = match body.collect().await {
            Ok(collected) => collected.to_bytes().to_vec(),
            Err(error) => {
                panic!("[P-NO-SERVER-ERROR] expected a complete response body, found {error}")
            }
        };
        Observation {
            status: parts.status.as_u16(),
            headers: crate::contract::wire::header_pairs(&parts.headers),
            body,
        }
    }

    fn pick_method(u: &mut Unstructured<'_>) -> ::arbitrary::Result<Method> {
        Ok(match pick_index(u, 12)? {
            0..=9 => Method::POST,
            10 => Method::from_bytes(u.choose(&METHODS)?.as_bytes()).unwrap_or(Method::GET),
            _ => Method::from_bytes(text(u)?.as_bytes()).unwrap_or(Method::PATCH),
        })
    }

    fn pick_uri(u: &mut Unstructured<'_>) -> ::arbitrary::Result<Uri> {
        Ok(match pick_index(u, 12)? {
            0..=9 => Uri::from_static(wire::PATH),
            10 => Uri::from_static(u.choose(&PATHS)?),
            _ => Uri::try_from(text(u)?).unwrap_or_else(|_| Uri::from_static("/y")),
        })
    }

    /// How the request is signed, if at all.
    fn pick_signing(
        u: &mut Unstructured<'_>,
        world: &World,
    ) -> ::arbitrary::Result<Option<Signing>> {
        Ok(match Choice::read(u, 4, world)? {
            Choice::Plain => None,
            Choice::User(key) => Some(Signing::As(key)),
            Choice::WrongUser(key) => Some(Signing::WrongSecret(key)),
            Choice::Arbitrary => Some(Signing::arbitrary(u)?),
        })
    }
}

/// One byte read as a choice among `count` options (0 for no data).
fn pick_index(u: &mut Unstructured<'_>, count: u8) -> ::arbitrary::Result<u8> {
    Ok(u8::arbitrary(u).unwrap_or(0) % count)
}

/// Free text: any UTF-8 the input holds.
fn text(u: &mut Unstructured<'_>) -> ::arbitrary::Result<String> {
    <&str>::arbitrary(u).map(str::to_owned)
}

/// The world byte: the bundled world, the bundled world with users, or an arbitrary world.
fn pick_world(u: &mut Unstructured<'_>) -> ::arbitrary::Result<World> {
    // Parsed once: reading a world file costs more than the rest of a case.
    static BUNDLED: OnceLock<World> = OnceLock::new();
    static BUNDLED_WITH_USERS: OnceLock<World> = OnceLock::new();
    Ok(match pick_index(u, 3)? {
        0 => BUNDLED.get_or_init(World::bundled).clone(),
        1 => BUNDLED_WITH_USERS
            .get_or_init(World::bundled_with_users)
            .clone(),
        _ => World::arbitrary(u)?,
    })
}

/// A choice of caller or signing: none, a user of the world (the next byte picks which), a user
/// with a wrong signature, or an arbitrary [`Signing`].
enum Choice {
    /// Unsigned.
    Plain,
    /// Signed correctly by this user.
    User(String),
    /// Signed by this user, but wrongly.
    WrongUser(String),
    /// Read an arbitrary [`Signing`] from the input.
    Arbitrary,
}

impl Choice {
    fn read(u: &mut Unstructured<'_>, count: u8, world: &World) -> ::arbitrary::Result<Choice> {
        let user = |u: &mut Unstructured<'_>| -> ::arbitrary::Result<String> {
            let index = usize::from(u8::arbitrary(u).unwrap_or(0));
            Ok(match world.users.get(index % world.users.len().max(1)) {
                Some(user) => user.access_key_id.clone(),
                None => "AKIANOUSERSINTHEWORLD".to_owned(),
            })
        };
        Ok(match pick_index(u, count)? {
            0 => Choice::Plain,
            1 => Choice::User(user(u)?),
            2 => Choice::WrongUser(user(u)?),
            _ => Choice::Arbitrary,
        })
    }
}

/// The caller byte (and its user byte).
fn pick_caller(u: &mut Unstructured<'_>, world: &World) -> ::arbitrary::Result<CallerIdentity> {
    Ok(match Choice::read(u, 4, world)? {
        Choice::Plain => CallerIdentity::Unsigned,
        Choice::User(key) => CallerIdentity::Verified(key),
        Choice::WrongUser(key) => CallerIdentity::InvalidSignature(key),
        Choice::Arbitrary => CallerIdentity::from(&Signing::arbitrary(u)?),
    })
}

/// `Content-Type` values other than the awsJson1_1 media type (or with parameters).
const CONTENT_TYPES: [&str; 7] = [
    "application/x-amz-json-1.1; charset=utf-8",
    "APPLICATION/X-AMZ-JSON-1.1",
    "application/json",
    "application/x-amz-json-1.0",
    "text/plain",
    "",
    " application/x-amz-json-1.1 ;",
];

/// `X-Amz-Target` values other than `OpsWorks_20130218.CreateDeployment`: none names another
/// operation of the API (the suite never sends one; see [`pick_headers`]).
const TARGETS: [&str; 7] = [
    "OpsWorks_20130218.CreateDeploymentX",
    "OpsWorks_20130218.createdeployment",
    "OpsWorks_20130218.",
    "CreateDeployment",
    "OpsWorks_20130218.CreateDeployment ",
    "",
    "opsworks_20130218.CreateDeployment",
];

/// Names of extra headers.
const HEADER_NAMES: [&str; 8] = [
    "Authorization",
    "X-Amz-Date",
    "Host",
    "Content-Type",
    "X-Amz-Target",
    "Content-Length",
    "X-Amz-Security-Token",
    "Accept",
];

/// Values of extra headers.
const HEADER_VALUES: [&str; 6] = [
    "AWS4-HMAC-SHA256 Credential=AKIA0000000000000000/20231114/us-east-1/opsworks/aws4_request, SignedHeaders=host;x-amz-date, Signature=0000000000000000000000000000000000000000000000000000000000000000",
    "20231114T221320Z",
    "localhost",
    wire::CONTENT_TYPE,
    wire::TARGET_VALUE,
    "0",
];

/// A header value: usually `correct`, else one of `others`, absent, or free text.
fn pick_header(
    u: &mut Unstructured<'_>,
    name: &str,
    correct: &str,
    others: &[&str],
    headers: &mut Vec<(String, String)>,
) -> ::arbitrary::Result<()> {
    let value = match pick_index(u, 8)? {
        0..=4 => correct.to_owned(),
        5 => (*u.choose(others)?).to_owned(),
        6 => return Ok(()),
        _ => text(u)?,
    };
    headers.push((name.to_owned(), value));
    Ok(())
}

/// `Content-Type`, `X-Amz-Target` and up to 4 extra headers. An `X-Amz-Target` value that a
/// lenient server could take for an operation of the API other than CreateDeployment
/// ([`could_be_taken_for_operation`]: free text can spell one) is replaced by
/// `OpsWorks_20130218.CreateDeploymentX`, a name the API does not have: the fuzz targets, like
/// the suite, never send another operation of the API.
fn pick_headers(u: &mut Unstructured<'_>) -> ::arbitrary::Result<Vec<(String, String)>> {
    let mut headers = pick_any_headers(u)?;
    for (name, value) in &mut headers {
        if name.eq_ignore_ascii_case(wire::TARGET_HEADER)
            && could_be_taken_for_operation(value).is_some_and(|op| op != "CreateDeployment")
        {
            *value = TARGETS[0].to_owned();
        }
    }
    Ok(headers)
}

/// [`pick_headers`] before its `X-Amz-Target` values are made safe.
fn pick_any_headers(u: &mut Unstructured<'_>) -> ::arbitrary::Result<Vec<(String, String)>> {
    let mut headers = Vec::new();
    pick_header(
        u,
        "Content-Type",
        wire::CONTENT_TYPE,
        &CONTENT_TYPES,
        &mut headers,
    )?;
    pick_header(
        u,
        wire::TARGET_HEADER,
        wire::TARGET_VALUE,
        &TARGETS,
        &mut headers,
    )?;
    for _ in 0..pick_index(u, 5)? {
        let name = if pick_index(u, 4)? < 3 {
            (*u.choose(&HEADER_NAMES)?).to_owned()
        } else {
            text(u)?
        };
        let value = if pick_index(u, 4)? < 3 {
            (*u.choose(&HEADER_VALUES)?).to_owned()
        } else {
            text(u)?
        };
        headers.push((name, value));
    }
    Ok(headers)
}

/// The scanner agrees with itself ([`json_text::scan`] and [`json_text::parse_lenient`]) and
/// with `serde_json` on what is JSON text and, without limit flags, on the value.
fn json_text_agrees(bytes: &[u8]) {
    let shown = || {
        String::from_utf8_lossy(bytes)
            .chars()
            .take(300)
            .collect::<String>()
    };
    let scanned = json_text::scan(bytes);
    let lenient = json_text::parse_lenient(bytes, MAX_KEEP_DEPTH);
    match (&scanned, &lenient) {
        (Ok(scanned), Ok((_, again))) => assert!(
            scanned == again,
            "[M-JSON-LIMITS] expected scan and parse_lenient to agree, found {scanned:?} and \
             {again:?} for {:?}",
            shown()
        ),
        (Err(error), Err(again)) => assert!(
            error == again,
            "[M-JSON-LIMITS] expected scan and parse_lenient to fail alike, found {error:?} and \
             {again:?} for {:?}",
            shown()
        ),
        _ => panic!(
            "[M-JSON-LIMITS] expected scan and parse_lenient to agree, found {scanned:?} and \
             {:?} for {:?}",
            lenient.as_ref().map(|(_, scanned)| scanned),
            shown()
        ),
    }
    let serde = serde_json::from_slice::<serde_json::Value>(bytes);
    match (&scanned, &lenient, &serde) {
        // Not JSON text for the scanner: not for serde_json either.
        (Err(error), _, Ok(value)) => panic!(
            "[M-JSON-LIMITS] expected serde_json to refuse what the scanner refuses ({error}), \
             found {value} for {:?}",
            shown()
        ),
        // Ordinary JSON text, shallow enough to be kept whole: serde_json reads the same value.
        (Ok(scanned), Ok((value, _)), serde)
            if !scanned.limits.any() && scanned.max_depth <= MAX_KEEP_DEPTH =>
        {
            assert!(
                serde.as_ref().ok() == Some(value),
                "[M-JSON-LIMITS] expected serde_json to read {value} as parse_lenient does, \
                 found {serde:?} for {:?}",
                shown()
            );
        }
        _ => {}
    }
}

/// Panics with the first failed check (or warned, if `strict`): `[RULE] expected ..., found
/// ...`, then the context.
fn assert_conforms(judgement: &Judgement, strict: bool, context: impl FnOnce() -> String) {
    let finding = judgement.checks.iter().find(|check| match check.status {
        Status::Failed => true,
        Status::Warned => strict,
        Status::Passed | Status::Informational => false,
    });
    if let Some(check) = finding {
        panic!("{check}\n{}", context());
    }
}

/// The case, for a finding's message: the request, the caller and the world file.
fn describe_case(world: &World, request: &RawRequest, caller: &CallerIdentity) -> String {
    let headers: Vec<String> = request
        .headers
        .iter()
        .map(|(name, value)| format!("{name}: {value}"))
        .collect();
    let world_text = serde_json::to_string(world).unwrap_or_default();
    format!(
        "  headers: {headers:?}\n  body: {:?}\n  caller: {caller:?}\n  world: {world_text}",
        request.body_text()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Inputs for the header picker: random bytes, and bytes that spell operations of the API
    /// as free text (the picker's free-text choice is byte 7 of 8).
    fn inputs() -> Vec<Vec<u8>> {
        let mut inputs = Vec::new();
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        for _ in 0..4000 {
            let length = usize::try_from(state % 96).unwrap_or(0);
            let bytes: Vec<u8> = (0..length)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    state.to_le_bytes()[0]
                })
                .collect();
            inputs.push(bytes);
        }
        for operation in crate::contract::OPSWORKS_OPERATIONS {
            for spelled in [
                format!("OpsWorks_20130218.{operation}"),
                format!(" opsworks_20130218.{} ", operation.to_lowercase()),
                operation.to_owned(),
            ] {
                // Content-Type correct, X-Amz-Target free text, then the same as an extra
                // header (one header, name and value free text).
                let mut bytes = vec![0, 7];
                bytes.extend(text_bytes(&spelled));
                bytes.extend([1, 3]);
                bytes.extend(text_bytes("x-amz-target"));
                bytes.push(3);
                bytes.extend(text_bytes(&spelled));
                inputs.push(bytes);
            }
        }
        inputs
    }

    /// The bytes `Unstructured` reads as this `&str` (its length first, then its bytes).
    fn text_bytes(text: &str) -> Vec<u8> {
        let mut bytes = u32::try_from(text.len())
            .unwrap_or(0)
            .to_le_bytes()
            .to_vec();
        bytes.extend(text.as_bytes());
        bytes
    }

    #[test]
    fn no_header_names_another_operation_of_the_api() {
        let mut free_text_operations = 0;
        for input in inputs() {
            let mut u = Unstructured::new(&input);
            let Ok(raw) = pick_any_headers(&mut Unstructured::new(&input)) else {
                continue;
            };
            let Ok(headers) = pick_headers(&mut u) else {
                continue;
            };
            free_text_operations += raw
                .iter()
                .filter(|(name, value)| {
                    name.eq_ignore_ascii_case(wire::TARGET_HEADER)
                        && could_be_taken_for_operation(value)
                            .is_some_and(|op| op != "CreateDeployment")
                })
                .count();
            for (name, value) in &headers {
                if name.eq_ignore_ascii_case(wire::TARGET_HEADER) {
                    let taken = could_be_taken_for_operation(value);
                    assert!(
                        taken.is_none_or(|op| op == "CreateDeployment"),
                        "X-Amz-Target {value:?} could be taken for {taken:?}"
                    );
                }
            }
        }
        // The test can fail: free text does spell operations of the API before the picker
        // replaces them.
        assert!(free_text_operations > 0, "no input spelled an operation");
        for target in TARGETS {
            assert!(
                could_be_taken_for_operation(target).is_none_or(|op| op == "CreateDeployment"),
                "{target}"
            );
        }
    }
}
