//! How the run signs the requests that no rule asks to be signed a particular way.
//!
//! Real endpoints and emulators route requests by their signature (moto sends an unsigned
//! request to S3), so every request is SigV4-signed by default, also in a world without users:
//! with `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` (and `AWS_SESSION_TOKEN`) when they are
//! set, else with a fixed, public test key ([`TEST_ACCESS_KEY_ID`]). Cases whose rule needs an
//! unsigned or badly signed request (A-SIGNATURE-REQUIRED, A-KEY-KNOWN, A-SIGNATURE-VALID and
//! their O-PRECEDENCE variants) still send exactly that; in a world with users every other case
//! is signed by a user of the world, as the world says.

use std::fmt;

/// The access key id of the fixed test key, used when the environment holds no credentials.
/// Public: it grants nothing anywhere, and a report may show it.
pub const TEST_ACCESS_KEY_ID: &str = "AKIDOPSWORKSGATETEST";

/// The secret of the fixed test key. Public (see [`TEST_ACCESS_KEY_ID`]): the `curl` line of a
/// counterexample signed with it spells it out, so that the line replays as it is.
pub const TEST_SECRET_ACCESS_KEY: &str = "opsworks-conformance-public-test-secret";

/// A key to sign requests with. Its [`Debug`] form never shows the secret or the session token.
///
/// ```
/// use opsworks_conformance::runner::Credentials;
/// let key = Credentials::new("AKIDEXAMPLE", "very-secret");
/// assert!(!format!("{key:?}").contains("very-secret"));
/// assert_eq!(key.access_key_id(), "AKIDEXAMPLE");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    access_key_id: String,
    secret_access_key: String,
    session_token: Option<String>,
}

impl Credentials {
    /// A key without a session token.
    #[must_use]
    pub fn new(access_key_id: impl Into<String>, secret_access_key: impl Into<String>) -> Self {
        Credentials {
            access_key_id: access_key_id.into(),
            secret_access_key: secret_access_key.into(),
            session_token: None,
        }
    }

    /// The same key with a session token (sent as `X-Amz-Security-Token`, signed).
    #[must_use]
    pub fn with_session_token(mut self, token: impl Into<String>) -> Self {
        self.session_token = Some(token.into());
        self
    }

    /// The fixed public test key ([`TEST_ACCESS_KEY_ID`], [`TEST_SECRET_ACCESS_KEY`]).
    #[must_use]
    pub fn test_key() -> Self {
        Credentials::new(TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY)
    }

    /// The key in `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` (with `AWS_SESSION_TOKEN` when
    /// set and not empty), or `None` unless both are set and not empty.
    #[must_use]
    pub fn from_env() -> Option<Self> {
        let read = |name: &str| std::env::var(name).ok().filter(|value| !value.is_empty());
        let key = Credentials::new(read("AWS_ACCESS_KEY_ID")?, read("AWS_SECRET_ACCESS_KEY")?);
        Some(match read("AWS_SESSION_TOKEN") {
            Some(token) => key.with_session_token(token),
            None => key,
        })
    }

    /// The access key id (not secret).
    #[must_use]
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    /// Whether this is the fixed public test key.
    #[must_use]
    pub fn is_test_key(&self) -> bool {
        self.access_key_id == TEST_ACCESS_KEY_ID && self.secret_access_key == TEST_SECRET_ACCESS_KEY
    }

    /// The secret; crate-private, so that no report can format it.
    pub(crate) fn secret_access_key(&self) -> &str {
        &self.secret_access_key
    }

    /// The session token, if any; crate-private like the secret.
    pub(crate) fn session_token(&self) -> Option<&str> {
        self.session_token.as_deref()
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// How the requests that no rule asks to be signed a particular way are sent
/// ([`RunConfig::signing`](crate::runner::RunConfig::signing)): in a world without users, every
/// request; in a world with users, none (they are signed as the world's users).
///
/// ```
/// use opsworks_conformance::runner::{Credentials, DefaultSigning, RunConfig};
/// assert_eq!(RunConfig::default().signing, DefaultSigning::Environment);
/// let config = RunConfig::default().with_signing(DefaultSigning::Unsigned);
/// assert_eq!(config.signing.credentials(), None);
/// let key = DefaultSigning::Key(Credentials::new("AKIDEXAMPLE", "secret"));
/// assert_eq!(key.credentials().unwrap().access_key_id(), "AKIDEXAMPLE");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum DefaultSigning {
    /// Sent unsigned (`run --unsigned`).
    Unsigned,
    /// Signed with the key of the environment (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
    /// `AWS_SESSION_TOKEN`), read when the run starts, or with the fixed test key when the
    /// environment holds none. The default.
    #[default]
    Environment,
    /// Signed with this key.
    Key(Credentials),
}

impl DefaultSigning {
    /// The key requests are signed with (the environment is read now), or `None` when they are
    /// sent unsigned.
    #[must_use]
    pub fn credentials(&self) -> Option<Credentials> {
        match self {
            DefaultSigning::Unsigned => None,
            DefaultSigning::Environment => {
                Some(Credentials::from_env().unwrap_or_else(Credentials::test_key))
            }
            DefaultSigning::Key(key) => Some(key.clone()),
        }
    }
}

/// The header that carries a session token.
pub(crate) const SECURITY_TOKEN_HEADER: &str = "X-Amz-Security-Token";

/// `request` signed with `key` (SigV4, service `opsworks`; see [`crate::sigv4::sign`]), with
/// the key's session token in `X-Amz-Security-Token` (signed) when it has one.
pub(crate) fn sign_with(
    request: &crate::contract::RawRequest,
    key: &Credentials,
    authority: &str,
    region: &str,
    time: std::time::SystemTime,
) -> crate::contract::RawRequest {
    let request = match key.session_token() {
        Some(token) => request
            .clone()
            .without_header(SECURITY_TOKEN_HEADER)
            .with_header(SECURITY_TOKEN_HEADER, token),
        None => request.clone(),
    };
    crate::sigv4::sign(
        &request,
        authority,
        key.access_key_id(),
        key.secret_access_key(),
        region,
        time,
    )
}
