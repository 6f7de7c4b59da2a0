//! One generated test case: a request, how to sign it, and the rule it targets.

use std::fmt;

use crate::contract::{CreateDeploymentInput, RawRequest, RuleId, Signing};
use crate::oracle::CallerIdentity;

/// A generated request with its purpose: the rule it targets (`S-ACCEPT-VALID` for a valid
/// request), a short label of the variant (for example `"trailing space"`), how to sign it, and
/// the typed form when the request fits it.
#[derive(Clone, PartialEq, Eq)]
pub struct Case {
    /// The rule the case is made to exercise.
    pub rule: RuleId,
    /// Which variant of the rule's family made it.
    pub label: &'static str,
    /// The request, unsigned.
    pub request: RawRequest,
    /// How to sign it when it is sent.
    pub signing: Signing,
    /// The typed request, when the raw one is its canonical serialisation plus header changes.
    pub input: Option<CreateDeploymentInput>,
}

impl Case {
    /// A valid case (of `S-ACCEPT-VALID`, the rule of valid requests) from a typed request, sent
    /// with the standard headers.
    #[must_use]
    pub fn valid(label: &'static str, input: CreateDeploymentInput, signing: Signing) -> Self {
        Case::typed(
            RuleId::acceptance(crate::contract::Side::Server),
            label,
            input,
            signing,
        )
    }

    /// A case from a typed request, sent with the standard headers.
    #[must_use]
    pub fn typed(
        rule: RuleId,
        label: &'static str,
        input: CreateDeploymentInput,
        signing: Signing,
    ) -> Self {
        Case {
            rule,
            label,
            request: input.to_raw(),
            signing,
            input: Some(input),
        }
    }

    /// A case from a raw request.
    #[must_use]
    pub fn raw(rule: RuleId, label: &'static str, request: RawRequest, signing: Signing) -> Self {
        Case {
            rule,
            label,
            request,
            signing,
            input: None,
        }
    }

    /// The caller identity a correct SigV4 check establishes for this case.
    #[must_use]
    pub fn caller(&self) -> CallerIdentity {
        CallerIdentity::from(&self.signing)
    }
}

impl fmt::Debug for Case {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Case")
            .field("rule", &self.rule)
            .field("label", &self.label)
            .field("signing", &self.signing)
            .field("headers", &self.request.headers)
            .field("body", &self.request.body_text())
            .finish()
    }
}
