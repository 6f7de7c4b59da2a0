//! How a request is to be signed when it is sent (rules A-*).

/// How the sender signs a request (SigV4, service `opsworks`). Part of a generated case: the
/// runner (or an HTTP target) applies it with the world's users' secrets, so that a case can
/// deliberately be unsigned or mis-signed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum Signing {
    /// No `Authorization` header.
    #[default]
    Unsigned,
    /// Signed correctly with this user's access key id and secret.
    As(String),
    /// Signed with this access key id but a wrong secret (A-SIGNATURE-VALID).
    WrongSecret(String),
    /// Signed with an access key id the world does not list (A-KEY-KNOWN).
    UnknownKey(String),
}

impl Signing {
    /// The access key id the request will carry, if signed.
    #[must_use]
    pub fn access_key_id(&self) -> Option<&str> {
        match self {
            Signing::Unsigned => None,
            Signing::As(key) | Signing::WrongSecret(key) | Signing::UnknownKey(key) => Some(key),
        }
    }
}
