//! Who sent a request, as the transport established it.

/// The caller of a request, as established by the transport (a server that verified a SigV4
/// signature, or a generator that knows what it signed). The oracle stays pure: it never does
/// cryptography, it is told the outcome of the signature check.
///
/// Only consulted when the world declares users (rules A-*); in a world without users every
/// request is accepted whoever sent it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CallerIdentity {
    /// No `Authorization` header (A-SIGNATURE-REQUIRED).
    Unsigned,
    /// Signed with this access key id, and the signature verifies with its secret.
    Verified(String),
    /// Signed with this access key id, but the signature does not verify (wrong secret, altered
    /// body or header): A-SIGNATURE-VALID, or A-KEY-KNOWN when the key is not known either.
    InvalidSignature(String),
}

impl CallerIdentity {
    /// The access key id the request claims, if signed.
    #[must_use]
    pub fn access_key_id(&self) -> Option<&str> {
        match self {
            CallerIdentity::Unsigned => None,
            CallerIdentity::Verified(key) | CallerIdentity::InvalidSignature(key) => Some(key),
        }
    }
}

impl From<&crate::contract::Signing> for CallerIdentity {
    /// The identity a correct signature check establishes for a request signed this way.
    fn from(signing: &crate::contract::Signing) -> Self {
        use crate::contract::Signing;
        match signing {
            Signing::Unsigned => CallerIdentity::Unsigned,
            Signing::As(key) => CallerIdentity::Verified(key.clone()),
            Signing::WrongSecret(key) | Signing::UnknownKey(key) => {
                CallerIdentity::InvalidSignature(key.clone())
            }
        }
    }
}
