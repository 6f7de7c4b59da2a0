//! What the oracle says of one request: the set of acceptable outcomes and why.

use std::fmt;

use crate::contract::{ErrorCode, RuleId};
use crate::world::World;

/// An outcome a correct implementation may produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Expectation {
    /// HTTP 200 with a non-empty `DeploymentId`.
    Success,
    /// A 4xx error with this code.
    Error(ErrorCode),
    /// A 4xx error with any code (the rule prefers one, but does not insist: A-*,
    /// P-UNKNOWN-OPERATION).
    AnyError {
        /// The code the rule prefers (what the reference implementation sends).
        preferred: ErrorCode,
    },
}

impl Expectation {
    /// Whether an observed outcome is this expectation.
    #[must_use]
    pub fn matches(&self, outcome: &Outcome) -> bool {
        match (self, outcome) {
            (Expectation::Success, Outcome::Success) => true,
            (Expectation::Error(code), Outcome::Error(Some(seen))) => code.as_str() == seen,
            (Expectation::AnyError { .. }, Outcome::Error(_)) => true,
            _ => false,
        }
    }

    /// Whether this is an error expectation.
    #[must_use]
    pub fn is_error(&self) -> bool {
        !matches!(self, Expectation::Success)
    }
}

impl fmt::Display for Expectation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expectation::Success => f.write_str("200 with a DeploymentId"),
            Expectation::Error(code) => write!(f, "{code}"),
            Expectation::AnyError { preferred } => {
                write!(f, "any 4xx error ({preferred} preferred)")
            }
        }
    }
}

/// An outcome as observed: success, or an error with the code read off the response (if any).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// The request was accepted (2xx).
    Success,
    /// The request was rejected; the code is `None` when the response carried none.
    Error(Option<String>),
}

impl Outcome {
    /// A rejection with this code.
    #[must_use]
    pub fn error(code: ErrorCode) -> Self {
        Outcome::Error(Some(code.as_str().to_owned()))
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Success => f.write_str("success"),
            Outcome::Error(Some(code)) => f.write_str(code),
            Outcome::Error(None) => f.write_str("an error without a code"),
        }
    }
}

/// The behaviour a target chose in a MAY case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Behaviour {
    /// Accepted (or ignored) the case.
    Accepted,
    /// Rejected it with this code.
    Rejected(ErrorCode),
}

impl fmt::Display for Behaviour {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Behaviour::Accepted => f.write_str("accepted"),
            Behaviour::Rejected(code) => write!(f, "rejected ({code})"),
        }
    }
}

/// One acceptable outcome and why it is acceptable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allowance {
    /// The outcome.
    pub expected: Expectation,
    /// The rules this outcome honours: the broken rules whose code it is, `S-ACCEPT-VALID` for
    /// the success of a valid request, or the MAY rule whose behaviour it is.
    pub decided_by: Vec<RuleId>,
    /// SHOULD rules this outcome breaks (including `O-PRECEDENCE` for a code of a lower group):
    /// acceptable by default, a failure with `--strict`.
    pub warns: Vec<RuleId>,
    /// The MAY behaviours this outcome amounts to.
    pub behaviours: Vec<(RuleId, Behaviour)>,
    /// Why the outcome is acceptable where no rule decides (for example a `Content-Type` the
    /// catalogue says nothing about).
    pub note: Option<&'static str>,
}

impl Allowance {
    /// Whether the outcome is acceptable with `--strict` (it breaks no SHOULD rule).
    #[must_use]
    pub fn is_strict(&self) -> bool {
        self.warns.is_empty()
    }
}

/// A rule the request breaks (or whose condition it meets), with the codes it asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The rule.
    pub rule: RuleId,
    /// What the rule asks the implementation to answer.
    pub expected: Vec<Expectation>,
    /// Where the rule stands in the `O-PRECEDENCE` order.
    pub tier: Tier,
    /// What in the request meets the rule's condition, for messages.
    pub detail: String,
}

/// The groups of `O-PRECEDENCE`, first decides: access (signature, key) > protocol and
/// validation > existence > permission > rollback depth.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Tier {
    /// A-SIGNATURE-REQUIRED, A-KEY-KNOWN, A-SIGNATURE-VALID.
    Access,
    /// P-* and V-* (except V-ROLLBACK-DEPTH), and MAY cases of the request's form.
    Request,
    /// N-* (and M-EMPTY-STRING-IDS).
    Existence,
    /// A-PERMISSION (and M-POLICY-VS-DENY).
    Permission,
    /// V-ROLLBACK-DEPTH.
    RollbackDepth,
}

/// What a successful request does to the world.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Effect {
    /// Nothing changes.
    #[default]
    None,
    /// `rollback`: one stored version of the app is used up (none when only one is left).
    RollBack {
        /// The stack.
        stack_id: String,
        /// The app.
        app_id: String,
    },
}

impl Effect {
    /// Applies the effect to a world.
    pub fn apply(&self, world: &mut World) {
        if let Effect::RollBack { stack_id, app_id } = self {
            world.roll_back(stack_id, app_id);
        }
    }
}

/// The oracle's answer for one request in one world: the set of acceptable outcomes, each with
/// the rules that decide it, the rules the request breaks, and the effect of a success.
///
/// Without `--strict`, every [`Allowance`] is acceptable (those with
/// [`warns`](Allowance::warns) are reported as `warned`); with `--strict`, only those without.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub(crate) allowances: Vec<Allowance>,
    pub(crate) findings: Vec<Finding>,
    pub(crate) may_cases: Vec<MayCase>,
    pub(crate) exercised: Vec<RuleId>,
    pub(crate) effect: Effect,
    /// The operation of the API, other than CreateDeployment, that the request names.
    pub(crate) other_operation: Option<&'static str>,
}

/// A MAY case the request presents, and what a target may do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MayCase {
    /// The MAY rule.
    pub rule: RuleId,
    /// Whether accepting (ignoring) the case is one of the allowed behaviours.
    pub may_accept: bool,
    /// The codes a rejection may carry.
    pub rejections: Vec<ErrorCode>,
    /// Where a rejection stands in the `O-PRECEDENCE` order.
    pub tier: Tier,
    /// What in the request is the case, for messages.
    pub detail: String,
}

/// The note of the allowances of a request that names another operation of the API.
pub const NOT_JUDGED: &str = "another operation of the API: not judged";

impl Verdict {
    /// The verdict for a request whose `X-Amz-Target` names `operation`, an operation of the
    /// OpsWorks API other than CreateDeployment: not this contract's to judge (docs/rules.md, "What
    /// the suite sends"). Any answer is acceptable (a success or an error, each with the note
    /// [`NOT_JUDGED`] and no rule deciding it), no rule is broken or exercised, and it has no
    /// effect on the world the contract models.
    pub(crate) fn not_judged(operation: &'static str) -> Verdict {
        let any = |expected| Allowance {
            expected,
            decided_by: Vec::new(),
            warns: Vec::new(),
            behaviours: Vec::new(),
            note: Some(NOT_JUDGED),
        };
        Verdict {
            allowances: vec![
                any(Expectation::Success),
                any(Expectation::AnyError {
                    preferred: ErrorCode::UnknownOperationException,
                }),
            ],
            findings: Vec::new(),
            may_cases: Vec::new(),
            exercised: Vec::new(),
            effect: Effect::None,
            other_operation: Some(operation),
        }
    }

    /// The operation of the OpsWorks API other than CreateDeployment that the request's
    /// `X-Amz-Target` names (`DescribeStacks`, `DeleteStack`, ...), if it names one. Such a
    /// request is not judged: the suite never sends one, and the answer to it is not this
    /// contract's to judge. Its verdict allows every answer with the note [`NOT_JUDGED`], breaks
    /// no rule, exercises none, and has no effect; [`judge_response`](crate::oracle::judge_response)
    /// makes no check of its answer.
    ///
    /// ```
    /// use opsworks_conformance::contract::{RawRequest, wire};
    /// use opsworks_conformance::oracle::{judge_request, CallerIdentity, Outcome};
    /// use opsworks_conformance::world::World;
    ///
    /// let request = RawRequest::json(r#"{"StackId":"s1"}"#)
    ///     .with_header(wire::TARGET_HEADER, "OpsWorks_20130218.DescribeStacks");
    /// let verdict = judge_request(&World::bundled(), &request, &CallerIdentity::Unsigned);
    /// assert_eq!(verdict.other_operation(), Some("DescribeStacks"));
    /// assert!(verdict.broken().is_empty() && verdict.rules().is_empty());
    /// assert!(verdict.allows(&Outcome::Success) && verdict.allows(&Outcome::Error(None)));
    /// ```
    #[must_use]
    pub fn other_operation(&self) -> Option<&'static str> {
        self.other_operation
    }

    /// Whether the answer is this contract's to judge: false for a request that names another
    /// operation of the API ([`other_operation`](Self::other_operation)).
    #[must_use]
    pub fn is_judged(&self) -> bool {
        self.other_operation.is_none()
    }

    /// Every acceptable outcome (without `--strict`).
    #[must_use]
    pub fn allowances(&self) -> &[Allowance] {
        &self.allowances
    }

    /// The outcomes acceptable with `--strict`: SHOULD rules and `O-PRECEDENCE` followed.
    pub fn strict_allowances(&self) -> impl Iterator<Item = &Allowance> {
        self.allowances
            .iter()
            .filter(|allowance| allowance.is_strict())
    }

    /// Whether an outcome is acceptable without `--strict`.
    #[must_use]
    pub fn allows(&self, outcome: &Outcome) -> bool {
        self.allowance_for(outcome).is_some()
    }

    /// Whether an outcome is acceptable with `--strict`.
    #[must_use]
    pub fn allows_strict(&self, outcome: &Outcome) -> bool {
        self.allowance_for(outcome)
            .is_some_and(Allowance::is_strict)
    }

    /// The best allowance an outcome matches: the fewest warnings, then rule-decided before
    /// open, then the fewest MAY rejections (the simplest explanation).
    #[must_use]
    pub fn allowance_for(&self, outcome: &Outcome) -> Option<&Allowance> {
        self.allowances
            .iter()
            .filter(|allowance| allowance.expected.matches(outcome))
            .min_by_key(|allowance| {
                let rejections = allowance
                    .behaviours
                    .iter()
                    .filter(|(_, behaviour)| *behaviour != Behaviour::Accepted)
                    .count();
                (allowance.warns.len(), allowance.note.is_some(), rejections)
            })
    }

    /// The MUST and SHOULD rules the request breaks (under the lenient reading of its MAY cases),
    /// in the order of `O-PRECEDENCE`.
    #[must_use]
    pub fn broken(&self) -> Vec<RuleId> {
        self.findings.iter().map(|finding| finding.rule).collect()
    }

    /// The broken rules with their details.
    #[must_use]
    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }

    /// The MAY cases the request presents.
    #[must_use]
    pub fn may_cases(&self) -> &[MayCase] {
        &self.may_cases
    }

    /// Rules whose condition the request meets without breaking them (for example
    /// P-CONTENT-TYPE-PARAMS): a refusal of an otherwise valid request is blamed on them.
    #[must_use]
    pub fn exercised(&self) -> &[RuleId] {
        &self.exercised
    }

    /// Whether the request breaks no MUST or SHOULD rule and is none of the MAY cases
    /// (S-ACCEPT-VALID: it must succeed). False for a request that is not judged
    /// ([`other_operation`](Self::other_operation)).
    #[must_use]
    pub fn is_valid(&self) -> bool {
        self.is_judged() && self.findings.is_empty() && self.may_cases.is_empty()
    }

    /// Every rule id the verdict mentions: findings, MAY cases, exercised rules, and the rules
    /// deciding its allowances.
    #[must_use]
    pub fn rules(&self) -> Vec<RuleId> {
        let mut ids: Vec<RuleId> = self
            .findings
            .iter()
            .map(|finding| finding.rule)
            .chain(self.may_cases.iter().map(|case| case.rule))
            .chain(self.exercised.iter().copied())
            .chain(
                self.allowances
                    .iter()
                    .flat_map(|allowance| allowance.decided_by.iter().copied()),
            )
            .collect();
        ids.sort();
        ids.dedup();
        ids
    }

    /// What a success does to the world.
    #[must_use]
    pub fn effect(&self) -> &Effect {
        &self.effect
    }

    /// The one outcome the reference implementation gives, under a MAY policy: the first group
    /// of `O-PRECEDENCE` decides; within it a MAY case the policy rejects, else the first rule
    /// of the catalogue; and its preferred code.
    #[must_use]
    pub fn preferred(&self, policy: &crate::oracle::MayPolicy) -> crate::oracle::Decision {
        crate::oracle::decide::preferred(self, policy)
    }
}
