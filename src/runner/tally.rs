//! One rule's tally over a run (the server gate's and the client gate's): how its cases ended,
//! and the rule report made of it.

use std::collections::BTreeMap;

use crate::contract::{RuleId, Severity};
use crate::runner::result::{Counterexample, RuleReport, RuleStatus};

/// How the cases of one rule ended.
#[derive(Debug, Default)]
pub(crate) struct Tally {
    /// The cases that reached the rule.
    pub(crate) cases: usize,
    /// Cases that passed it.
    pub(crate) passed: usize,
    /// Cases that failed it.
    pub(crate) failed: usize,
    /// Cases that warned (a SHOULD rule broken).
    pub(crate) warned: usize,
    /// Cases that showed a MAY behaviour.
    pub(crate) informational: usize,
    /// The MAY behaviours seen, and how often.
    pub(crate) behaviours: BTreeMap<String, usize>,
    /// The first case that failed the rule.
    pub(crate) counterexample: Option<Counterexample>,
}

impl Tally {
    /// The rule's status: failed if a case failed it, else warned, else informational (a MAY
    /// behaviour seen), else passed; not applicable when no case decided it.
    pub(crate) fn status(&self) -> RuleStatus {
        if self.failed > 0 {
            RuleStatus::Failed
        } else if self.warned > 0 {
            RuleStatus::Warned
        } else if self.informational > 0 {
            RuleStatus::Informational
        } else if self.passed > 0 {
            RuleStatus::Passed
        } else {
            RuleStatus::NotApplicable
        }
    }

    /// The rule report of `id`, with `note` made from the status and the tally.
    pub(crate) fn into_report(
        self,
        id: RuleId,
        severity: Severity,
        note: impl FnOnce(RuleStatus, &Self) -> Option<String>,
    ) -> RuleReport {
        let status = self.status();
        let note = note(status, &self);
        RuleReport {
            id,
            severity,
            status,
            cases: self.cases,
            counterexample: self.counterexample,
            behaviours: self.behaviours,
            note,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_status_is_the_worst_outcome_seen() {
        let mut tally = Tally::default();
        assert_eq!(tally.status(), RuleStatus::NotApplicable);
        tally.passed = 3;
        assert_eq!(tally.status(), RuleStatus::Passed);
        tally.informational = 1;
        assert_eq!(tally.status(), RuleStatus::Informational);
        tally.warned = 1;
        assert_eq!(tally.status(), RuleStatus::Warned);
        tally.failed = 1;
        assert_eq!(tally.status(), RuleStatus::Failed);
    }
}
