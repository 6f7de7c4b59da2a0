//! Which behaviour an implementation picks in each MAY case.

use crate::contract::{CATALOGUE, RuleId};

/// What an implementation does in one MAY case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MayChoice {
    /// Accept (or ignore) the case, where the rule allows it.
    Accept,
    /// Reject it with the case's first listed code.
    Reject,
}

/// A choice for each MAY rule: what the reference implementation (or a configured variant of
/// it) does where the contract leaves the behaviour open. The oracle accepts both behaviours
/// whatever the policy; the policy only decides the single answer of
/// [`Verdict::preferred`](crate::oracle::Verdict::preferred).
///
/// ```
/// use opsworks_conformance::contract::rules;
/// use opsworks_conformance::oracle::{MayChoice, MayPolicy};
/// let strict = MayPolicy::reference().with(rules::M_UNKNOWN_MEMBERS, MayChoice::Reject);
/// assert_eq!(strict.choice(rules::M_UNKNOWN_MEMBERS), MayChoice::Reject);
/// assert_eq!(MayPolicy::reference().choice(rules::M_UNKNOWN_MEMBERS), MayChoice::Accept);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MayPolicy {
    choices: Vec<(RuleId, MayChoice)>,
}

impl MayPolicy {
    /// The reference implementation's choices: lenient where the contract allows it (unknown
    /// members and Args ignored, `null` optional members treated as absent, empty and duplicate
    /// lists accepted, `AppId` on stack commands ignored, `migrate` on any app type accepted),
    /// strict where it is safer: `""` ids (ValidationException), `deny` beats an attached policy
    /// (AccessDeniedException), and JSON beyond the limits parsers agree on is refused.
    #[must_use]
    pub fn reference() -> Self {
        CATALOGUE
            .iter()
            .filter(|rule| rule.facts.reference_rejects)
            .fold(MayPolicy::accept_all(), |policy, rule| {
                policy.with(rule.id, MayChoice::Reject)
            })
    }

    /// Accept every MAY case the contract lets an implementation accept.
    #[must_use]
    pub fn accept_all() -> Self {
        MayPolicy {
            choices: Vec::new(),
        }
    }

    /// Reject every MAY case.
    #[must_use]
    pub fn reject_all() -> Self {
        crate::contract::CATALOGUE
            .iter()
            .filter(|rule| rule.severity == crate::contract::Severity::May)
            .fold(MayPolicy::accept_all(), |policy, rule| {
                policy.with(rule.id, MayChoice::Reject)
            })
    }

    /// The same policy with one choice changed.
    #[must_use]
    pub fn with(mut self, rule: RuleId, choice: MayChoice) -> Self {
        self.choices.retain(|(id, _)| *id != rule);
        self.choices.push((rule, choice));
        self
    }

    /// The choice for a MAY rule (`Accept` unless set otherwise).
    #[must_use]
    pub fn choice(&self, rule: RuleId) -> MayChoice {
        self.choices
            .iter()
            .find(|(id, _)| *id == rule)
            .map_or(MayChoice::Accept, |(_, choice)| *choice)
    }
}

impl Default for MayPolicy {
    fn default() -> Self {
        MayPolicy::reference()
    }
}
