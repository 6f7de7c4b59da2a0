//! What a run found: a result per rule, with the smallest counterexample for each broken rule.

use std::collections::BTreeMap;

use crate::contract::{Observation, RawRequest, RuleId, Severity, Side, Signing, TransportFailure};
use crate::runner::evidence::{EndpointCheck, FailureGroup};

/// How a rule fared over a whole run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleStatus {
    /// Exercised, never broken.
    Passed,
    /// A MUST rule broken (or a MAY rule answered outside both allowed behaviours).
    Failed,
    /// A SHOULD rule (or `O-PRECEDENCE`) broken: fails the run only with `--strict`.
    Warned,
    /// A MAY rule: the target chose one of the allowed behaviours (see `behaviours`).
    Informational,
    /// Not exercised: the world gives the rule no chance (A-* without users, ...), the filter
    /// left it out, or no answer could decide it (answers that were no OpsWorks answers: see
    /// [`RunReport::endpoint`]). Never counted as passed.
    NotApplicable,
}

impl RuleStatus {
    /// The status as written in reports: `passed`, `failed`, `warned`, `informational`,
    /// `not_applicable`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            RuleStatus::Passed => "passed",
            RuleStatus::Failed => "failed",
            RuleStatus::Warned => "warned",
            RuleStatus::Informational => "informational",
            RuleStatus::NotApplicable => "not_applicable",
        }
    }
}

/// The smallest request found that shows a rule broken, and what the target answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counterexample {
    /// The variant of the family that made the case.
    pub label: &'static str,
    /// The exact request sent (signed; reports redact the signature).
    pub request: RawRequest,
    /// How it was signed.
    pub signing: Signing,
    /// What the rule expected.
    pub expected: String,
    /// What was found, in words.
    pub found: String,
    /// The response, if one came back.
    pub observed: Option<Observation>,
    /// The transport failure, if none came back.
    pub failure: Option<TransportFailure>,
    /// How many shrinking steps were accepted to get here.
    pub shrink_steps: usize,
    /// Cases to kill: how many cases the run had sent when this rule was first seen broken,
    /// that one included (1 when the first case broke it).
    pub found_after: usize,
}

/// One rule's result over a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleReport {
    /// The rule.
    pub id: RuleId,
    /// Its severity.
    pub severity: Severity,
    /// Its status.
    pub status: RuleStatus,
    /// How many cases exercised it.
    pub cases: usize,
    /// For a failed or warned rule, the smallest counterexample found.
    pub counterexample: Option<Counterexample>,
    /// For MAY rules, how often each behaviour was seen (`accepted`, `rejected (Code)`).
    pub behaviours: BTreeMap<String, usize>,
    /// Why the rule is not applicable, or another remark.
    pub note: Option<String>,
}

impl RuleReport {
    /// The behaviour a MAY rule showed: the one seen, or `mixed: ...` when several were.
    #[must_use]
    pub fn behaviour(&self) -> Option<String> {
        match self.behaviours.len() {
            0 => None,
            1 => self.behaviours.keys().next().cloned(),
            _ => Some(format!(
                "mixed: {}",
                self.behaviours
                    .iter()
                    .map(|(behaviour, count)| format!("{behaviour} x{count}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
    }
}

/// The result of a run: the target's verdict and a result per rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunReport {
    /// What was tested (a URL, or a description).
    pub target: String,
    /// The seed.
    pub seed: u64,
    /// Whether SHOULD rules failed the run.
    pub strict: bool,
    /// How many cases were sent (shrinking steps not counted).
    pub cases: usize,
    /// How many requests shrinking sent (within [`RunConfig::shrink_budget`]).
    ///
    /// [`RunConfig::shrink_budget`]: crate::runner::RunConfig::shrink_budget
    pub shrink_requests: usize,
    /// One entry per server-side rule, in catalogue order.
    pub rules: Vec<RuleReport>,
    /// Remarks on the run as a whole (for example the vacuity guard).
    pub notes: Vec<String>,
    /// The run was stopped before its budget was spent ([`Progress::stopped`]); the results
    /// cover the cases sent until then, and the verdict is fail.
    ///
    /// [`Progress::stopped`]: crate::runner::Progress::stopped
    pub interrupted: bool,
    /// The endpoint check: what the probe's answers and the run's answers show as a whole
    /// (`None` when nothing answered, and for client runs). When its finding is not
    /// [`EndpointFinding::AwsJson`](crate::runner::EndpointFinding::AwsJson), the reports say
    /// so first.
    pub endpoint: Option<EndpointCheck>,
    /// Failed rules that share one cause (the same answer to every request, or to every valid
    /// request), which the human report shows as one group.
    pub groups: Vec<FailureGroup>,
}

impl RunReport {
    /// The rule whose passing shows the run was not vacuous: `C-SUCCESS` (a success was
    /// understood) for a client run, whose rules are all client-side; `S-ACCEPT-VALID` (a valid
    /// request was accepted) otherwise.
    #[must_use]
    pub fn acceptance_rule(&self) -> RuleId {
        let client = !self.rules.is_empty()
            && self
                .rules
                .iter()
                .all(|rule| rule.id.rule().side() == Side::Client);
        RuleId::acceptance(if client { Side::Client } else { Side::Server })
    }

    /// Whether the target conforms: no rule failed, no warned rule under `--strict`, and the
    /// run was not vacuous: its [`acceptance_rule`](Self::acceptance_rule) passed (a valid
    /// request was accepted, or for a client run a success was understood), or, when a rule
    /// filter left the acceptance rule out of the run, some rule was
    /// [`exercised`](Self::exercised).
    #[must_use]
    pub fn passed(&self) -> bool {
        // The acceptance guard applies when the acceptance rule was run; a filter (`--only V-*`)
        // that leaves it out still needs a rule the target's answers exercised.
        let acceptance = self.acceptance_rule();
        let vacuous = self
            .rule(acceptance)
            .is_some_and(|rule| rule.status != RuleStatus::Passed)
            || !self.exercised();
        !vacuous
            && !self.interrupted
            && self.rules.iter().all(|rule| match rule.status {
                RuleStatus::Failed => false,
                RuleStatus::Warned => !self.strict,
                _ => true,
            })
    }

    /// Whether some rule was exercised (its status is not `not_applicable`). A run that
    /// exercised none (no case was answered, or a filter selected only rules the world offers
    /// no case for) proves nothing, and does not pass.
    #[must_use]
    pub fn exercised(&self) -> bool {
        self.rules
            .iter()
            .any(|rule| rule.status != RuleStatus::NotApplicable)
    }

    /// The result of one rule.
    #[must_use]
    pub fn rule(&self, id: RuleId) -> Option<&RuleReport> {
        self.rules.iter().find(|rule| rule.id == id)
    }

    /// The rules with this status.
    pub fn with_status(&self, status: RuleStatus) -> impl Iterator<Item = &RuleReport> {
        self.rules.iter().filter(move |rule| rule.status == status)
    }

    /// How many rules have this status.
    #[must_use]
    pub fn count(&self, status: RuleStatus) -> usize {
        self.with_status(status).count()
    }
}
