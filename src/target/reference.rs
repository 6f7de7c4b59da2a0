//! The reference implementation: answers exactly what the oracle prefers.

use std::sync::{Mutex, PoisonError};

use crate::contract::{Observation, RawRequest, Response};
use crate::oracle::{CallerIdentity, Expectation, MayPolicy, judge_request};
use crate::target::{BoxFuture, Target};
use crate::world::World;

/// The region the default authenticator verifies signatures for.
pub const DEFAULT_REGION: &str = "us-east-1";

/// Tells who sent a request (see [`CallerIdentity`]). A closure
/// `Fn(&RawRequest) -> CallerIdentity` is an authenticator.
pub trait Authenticator: Send + Sync {
    /// The caller of this request.
    fn identify(&self, request: &RawRequest) -> CallerIdentity;
}

impl<F> Authenticator for F
where
    F: Fn(&RawRequest) -> CallerIdentity + Send + Sync,
{
    fn identify(&self, request: &RawRequest) -> CallerIdentity {
        self(request)
    }
}

/// Takes the access key id from the `Authorization` header's `Credential=` at its word, without
/// checking the signature: for in-process use, where the caller is the test itself. The HTTP
/// reference server verifies SigV4 instead. No `Authorization` header: [`CallerIdentity::Unsigned`];
/// a header without a readable credential: an invalid signature.
#[derive(Debug, Clone, Copy, Default)]
pub struct ClaimedKey;

impl Authenticator for ClaimedKey {
    fn identify(&self, request: &RawRequest) -> CallerIdentity {
        let Some(authorization) = request.header("Authorization") else {
            return CallerIdentity::Unsigned;
        };
        let key = authorization
            .split_once("Credential=")
            .and_then(|(_, rest)| rest.split('/').next())
            .map(str::trim)
            .filter(|key| !key.is_empty());
        match key {
            Some(key) => CallerIdentity::Verified(key.to_owned()),
            None => CallerIdentity::InvalidSignature(String::new()),
        }
    }
}

/// The executable statement of the contract: an in-process implementation of CreateDeployment
/// that answers exactly what the oracle prefers (the first group of `O-PRECEDENCE` decides, a
/// bare `__type`, a `message` naming the rule, fresh UUID `DeploymentId`s), with its world behind
/// a lock so that concurrent requests see a consistent state.
///
/// Behaviours it picks where the contract leaves a choice: those of
/// [`MayPolicy::reference`]; so a UTF-8 byte order mark before the JSON text (M-JSON-LIMITS) is
/// refused like the other JSON limits, with `SerializationException` before the body and
/// `ValidationException` at the start of `CustomJson`. A request that names another operation
/// of the OpsWorks API (`OpsWorks_20130218.DescribeStacks`) is answered 400
/// `UnknownOperationException`: it implements CreateDeployment only.
///
/// ```
/// use opsworks_conformance::contract::{CommandName, CreateDeploymentInput};
/// use opsworks_conformance::oracle::CallerIdentity;
/// use opsworks_conformance::target::ReferenceTarget;
/// use opsworks_conformance::world::World;
///
/// let world = World::bundled();
/// let stack = world.stacks[0].stack_id.clone();
/// let target = ReferenceTarget::new(world);
/// let request = CreateDeploymentInput::new(stack, CommandName::Configure).to_raw();
/// let response = target.answer(&request, &CallerIdentity::Unsigned);
/// assert_eq!(response.status, 200);
/// ```
pub struct ReferenceTarget {
    world: Mutex<World>,
    policy: MayPolicy,
    authenticator: Box<dyn Authenticator>,
}

impl std::fmt::Debug for ReferenceTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReferenceTarget")
            .field("world", &self.world)
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

impl ReferenceTarget {
    /// A reference target in this world, with the reference MAY policy. Callers are told by
    /// SigV4 verification for region `us-east-1`, whatever the crate's features;
    /// [`with_authenticator`](Self::with_authenticator) changes that (for example to
    /// [`ClaimedKey`]).
    #[must_use]
    pub fn new(world: World) -> Self {
        let authenticator: Box<dyn Authenticator> = Box::new(
            crate::sigv4::SigV4Authenticator::new(&world, DEFAULT_REGION),
        );
        ReferenceTarget {
            world: Mutex::new(world),
            policy: MayPolicy::reference(),
            authenticator,
        }
    }

    /// The same target with another MAY policy (both behaviours conform; this picks one).
    #[must_use]
    pub fn with_policy(mut self, policy: MayPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// The same target with another way to tell who sent a request.
    #[must_use]
    pub fn with_authenticator(mut self, authenticator: impl Authenticator + 'static) -> Self {
        self.authenticator = Box::new(authenticator);
        self
    }

    /// A copy of the current world (app versions change as rollbacks succeed).
    #[must_use]
    pub fn world(&self) -> World {
        self.world
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Answers a request from a caller whose identity is already known.
    #[must_use]
    pub fn answer(&self, request: &RawRequest, caller: &CallerIdentity) -> Observation {
        let mut world = self.world.lock().unwrap_or_else(PoisonError::into_inner);
        let verdict = judge_request(&world, request, caller);
        let decision = verdict.preferred(&self.policy);
        match decision.expected {
            Expectation::Success => {
                verdict.effect().apply(&mut world);
                drop(world);
                // `{"DeploymentId":"<uuid>"}` (a UUID needs no escaping).
                Observation::json(200, format!(r#"{{"DeploymentId":"{}"}}"#, fresh_uuid()))
            }
            Expectation::Error(code) | Expectation::AnyError { preferred: code } => {
                drop(world);
                let message = match decision.rule {
                    Some(rule) => format!("[{rule}] {}", worded(&decision.detail)),
                    None => decision.detail,
                };
                // `{"__type":"<code>","message":"<message>"}` (codes need no escaping).
                let message = serde_json::Value::String(message).to_string();
                let body = format!(r#"{{"__type":"{}","message":{message}}}"#, code.as_str());
                Observation::json(code.status(), body)
            }
        }
    }

    /// Answers a request, telling the caller with the authenticator.
    #[must_use]
    pub fn answer_request(&self, request: &RawRequest) -> Observation {
        let caller = self.authenticator.identify(request);
        self.answer(request, &caller)
    }
}

/// A detail of the oracle's with the Rust `Debug` text it may hold (not for the wire) put in
/// words: `JsonLimits { flag: bool, .. }` as what of M-JSON-LIMITS the JSON text presents, an
/// `Option` as its value or `absent`.
fn worded(detail: &str) -> String {
    let detail = without_options(detail);
    let Some(start) = detail.find("JsonLimits {") else {
        return detail;
    };
    let Some(length) = detail[start..].find('}') else {
        return detail;
    };
    let flags = &detail[start + "JsonLimits {".len()..start + length];
    let words: Vec<&str> = flags
        .split(',')
        .filter_map(|flag| match flag.trim() {
            "number_out_of_range: true" => Some("a number beyond the range of a double"),
            "unpaired_surrogate: true" => Some("an unpaired surrogate escape"),
            "duplicate_names: true" => Some("a member name twice in one object"),
            "deeper_than_128: true" => Some("nesting deeper than 128 levels"),
            _ => None,
        })
        .collect();
    format!(
        "{}{}{}",
        &detail[..start],
        words.join(" and "),
        &detail[start + length + 1..]
    )
}

/// `Some(x)` as `x` and a `None` word as `absent`, outside quoted strings.
fn without_options(detail: &str) -> String {
    let mut out = String::with_capacity(detail.len());
    let mut closing: Vec<bool> = Vec::new();
    let mut quoted = false;
    let mut escaped = false;
    let mut rest = detail;
    while let Some(c) = rest.chars().next() {
        let word_start = !out.ends_with(|c: char| c.is_alphanumeric() || c == '_');
        if quoted {
            quoted = escaped || c != '"';
            escaped = !escaped && c == '\\';
        } else if c == '"' {
            quoted = true;
        } else if word_start && rest.starts_with("Some(") {
            closing.push(true);
            rest = &rest["Some(".len()..];
            continue;
        } else if word_start
            && rest.starts_with("None")
            && !rest[4..].starts_with(|c: char| c.is_alphanumeric() || c == '_')
        {
            out.push_str("absent");
            rest = &rest[4..];
            continue;
        } else if c == '(' {
            closing.push(false);
        } else if c == ')' && closing.pop() == Some(true) {
            rest = &rest[1..];
            continue;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// A fresh version 4 UUID. The random bytes come from a per-thread generator seeded from the
/// operating system once (a SipHash of a counter under a random key), not from a system call
/// per id.
fn fresh_uuid() -> uuid::Uuid {
    use std::cell::Cell;
    use std::hash::{BuildHasher, RandomState};
    thread_local! {
        static STATE: (RandomState, Cell<u64>) = (RandomState::new(), Cell::new(0));
    }
    let bytes = STATE
        .try_with(|(key, counter)| {
            let n = counter.get();
            counter.set(n.wrapping_add(1));
            let high = key.hash_one((n, 0u8));
            let low = key.hash_one((n, 1u8));
            let mut bytes = [0u8; 16];
            bytes[..8].copy_from_slice(&high.to_le_bytes());
            bytes[8..].copy_from_slice(&low.to_le_bytes());
            bytes
        })
        .ok();
    match bytes {
        Some(bytes) => uuid::Builder::from_random_bytes(bytes).into_uuid(),
        // The thread is being torn down: ask the system.
        None => uuid::Uuid::new_v4(),
    }
}

impl Target for ReferenceTarget {
    fn send<'a>(&'a self, request: &'a RawRequest) -> BoxFuture<'a, Response> {
        let response = Ok(self.answer_request(request));
        Box::pin(std::future::ready(response))
    }

    fn describe(&self) -> String {
        "reference (in process)".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::worded;

    #[test]
    fn debug_text_is_put_in_words() {
        assert_eq!(
            worded(
                "body: JsonLimits { number_out_of_range: false, unpaired_surrogate: false, duplicate_names: true, deeper_than_128: false }"
            ),
            "body: a member name twice in one object"
        );
        assert_eq!(
            worded(
                r#"update_dependencies with upgrade_os_to None and allow_reboot Some(["x)"]) (sic)"#
            ),
            r#"update_dependencies with upgrade_os_to absent and allow_reboot ["x)"] (sic)"#
        );
        assert_eq!(worded(r#"no stack "None""#), r#"no stack "None""#);
    }
}
