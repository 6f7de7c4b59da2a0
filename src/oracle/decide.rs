//! From the rules a request breaks to the set of acceptable outcomes (`O-PRECEDENCE`).

use crate::contract::{CATALOGUE, RuleId, Severity};
use crate::oracle::policy::{MayChoice, MayPolicy};
use crate::oracle::verdict::{
    Allowance, Behaviour, Effect, Expectation, Finding, MayCase, Tier, Verdict,
};

/// The position of a rule in the catalogue (its order within a tier).
fn catalogue_index(rule: RuleId) -> usize {
    CATALOGUE
        .iter()
        .position(|entry| entry.id == rule)
        .unwrap_or(usize::MAX)
}

/// One reason to reject, in one interpretation of the request.
struct Reason<'a> {
    rule: RuleId,
    expected: &'a [Expectation],
    tier: Tier,
    may: bool,
    /// A MAY case whose every allowed behaviour is a rejection (`M-EMPTY-STRING-IDS`).
    forced: bool,
}

/// Everything the analysis of a request found, before it becomes a verdict.
#[derive(Debug, Default)]
pub(crate) struct Reading {
    pub findings: Vec<Finding>,
    pub may_cases: Vec<MayCase>,
    pub exercised: Vec<RuleId>,
    pub effect: Effect,
    /// Set when the request is outside what the catalogue covers: any 4xx is then acceptable
    /// besides the outcomes the rules give.
    pub open: Option<&'static str>,
}

impl Reading {
    pub fn finding(
        &mut self,
        rule: RuleId,
        expected: Vec<Expectation>,
        tier: Tier,
        detail: impl Into<String>,
    ) {
        if let Some(existing) = self.findings.iter_mut().find(|f| f.rule == rule) {
            for expectation in expected {
                if !existing.expected.contains(&expectation) {
                    existing.expected.push(expectation);
                }
            }
            return;
        }
        self.findings.push(Finding {
            rule,
            expected,
            tier,
            detail: detail.into(),
        });
    }

    pub fn may(
        &mut self,
        rule: RuleId,
        may_accept: bool,
        rejections: &[crate::contract::ErrorCode],
        tier: Tier,
        detail: impl Into<String>,
    ) {
        if let Some(existing) = self.may_cases.iter_mut().find(|c| c.rule == rule) {
            for code in rejections {
                if !existing.rejections.contains(code) {
                    existing.rejections.push(*code);
                }
            }
            existing.may_accept &= may_accept;
            return;
        }
        self.may_cases.push(MayCase {
            rule,
            may_accept,
            rejections: rejections.to_vec(),
            tier,
            detail: detail.into(),
        });
    }

    pub fn exercise(&mut self, rule: RuleId) {
        if !self.exercised.contains(&rule) {
            self.exercised.push(rule);
        }
    }

    /// Turns the reading into a verdict: one interpretation where every optional MAY case is
    /// accepted, and one more for each optional MAY case rejected.
    pub fn into_verdict(mut self) -> Verdict {
        self.findings
            .sort_by_key(|finding| (finding.tier, catalogue_index(finding.rule)));
        self.may_cases
            .sort_by_key(|case| (case.tier, catalogue_index(case.rule)));

        let mut allowances: Vec<Allowance> = Vec::new();
        let forced: Vec<&MayCase> = self.may_cases.iter().filter(|c| !c.may_accept).collect();
        let optional: Vec<&MayCase> = self.may_cases.iter().filter(|c| c.may_accept).collect();

        let base: Vec<Reason<'_>> = self
            .findings
            .iter()
            .map(|finding| Reason {
                rule: finding.rule,
                expected: &finding.expected,
                tier: finding.tier,
                may: false,
                forced: false,
            })
            .collect();
        let forced_rejections: Vec<Vec<Expectation>> = forced
            .iter()
            .map(|case| {
                case.rejections
                    .iter()
                    .map(|c| Expectation::Error(*c))
                    .collect()
            })
            .collect();
        let optional_rejections: Vec<Vec<Expectation>> = optional
            .iter()
            .map(|case| {
                case.rejections
                    .iter()
                    .map(|c| Expectation::Error(*c))
                    .collect()
            })
            .collect();

        let mut reasons = base;
        for (case, expected) in forced.iter().zip(&forced_rejections) {
            reasons.push(Reason {
                rule: case.rule,
                expected,
                tier: case.tier,
                may: true,
                forced: true,
            });
        }
        rejections_of(&reasons, &mut allowances);

        let must_broken = self
            .findings
            .iter()
            .any(|finding| finding.rule.severity() == Severity::Must);
        if !must_broken && forced.is_empty() {
            let mut decided_by = Vec::new();
            crate::rules::s_accept_valid::judge(
                &mut decided_by,
                self.findings.is_empty() && self.may_cases.is_empty(),
            );
            decided_by.extend(self.exercised.iter().copied());
            push(
                &mut allowances,
                Allowance {
                    expected: Expectation::Success,
                    decided_by,
                    warns: self.findings.iter().map(|f| f.rule).collect(),
                    behaviours: optional
                        .iter()
                        .map(|case| (case.rule, Behaviour::Accepted))
                        .collect(),
                    note: None,
                },
            );
        }

        for (case, expected) in optional.iter().zip(&optional_rejections) {
            reasons.push(Reason {
                rule: case.rule,
                expected,
                tier: case.tier,
                may: true,
                forced: false,
            });
            rejections_of(&reasons, &mut allowances);
            reasons.pop();
        }

        if let Some(note) = self.open {
            push(
                &mut allowances,
                Allowance {
                    expected: Expectation::AnyError {
                        preferred: crate::contract::ErrorCode::SerializationException,
                    },
                    decided_by: Vec::new(),
                    warns: Vec::new(),
                    behaviours: Vec::new(),
                    note: Some(note),
                },
            );
        }

        Verdict {
            allowances,
            findings: self.findings,
            may_cases: self.may_cases,
            exercised: self.exercised,
            effect: self.effect,
            other_operation: None,
        }
    }
}

/// The error allowances of one interpretation: every code of every reason; those of a lower
/// group than the first broken one warn with `O-PRECEDENCE`.
///
/// A code that a broken rule asks for and that is also a rejection a forced MAY case of the
/// same group allows (`""` as `StackId` answered `ResourceNotFoundException`: N-STACK's code,
/// and one of M-EMPTY-STRING-IDS's two choices) records that MAY behaviour too: the case is
/// there whatever the answer, and this answer is one of its choices, so the broken rule must not
/// hide it.
fn rejections_of(reasons: &[Reason<'_>], allowances: &mut Vec<Allowance>) {
    let Some(top) = reasons.iter().map(|reason| reason.tier).min() else {
        return;
    };
    for reason in reasons {
        for expected in reason.expected {
            let behaviours = match (reason.may, expected) {
                (true, Expectation::Error(code)) => vec![(reason.rule, Behaviour::Rejected(*code))],
                (false, Expectation::Error(code)) => reasons
                    .iter()
                    .filter(|other| {
                        other.forced
                            && other.tier == reason.tier
                            && other.expected.contains(expected)
                    })
                    .map(|other| (other.rule, Behaviour::Rejected(*code)))
                    .collect(),
                _ => Vec::new(),
            };
            let warns = crate::rules::o_precedence::warns(reason.tier, top);
            push(
                allowances,
                Allowance {
                    expected: *expected,
                    decided_by: vec![reason.rule],
                    warns,
                    behaviours,
                    note: None,
                },
            );
        }
    }
}

/// Adds an allowance, merging it with one of the same outcome, warnings and MAY behaviours
/// (allowances of different interpretations stay apart, so a judgement can tell which one an
/// answer fits best).
fn push(allowances: &mut Vec<Allowance>, allowance: Allowance) {
    if let Some(existing) = allowances.iter_mut().find(|a| {
        a.expected == allowance.expected
            && a.warns == allowance.warns
            && a.note == allowance.note
            && a.behaviours == allowance.behaviours
    }) {
        for rule in allowance.decided_by {
            if !existing.decided_by.contains(&rule) {
                existing.decided_by.push(rule);
            }
        }
        for behaviour in allowance.behaviours {
            if !existing.behaviours.contains(&behaviour) {
                existing.behaviours.push(behaviour);
            }
        }
        return;
    }
    allowances.push(allowance);
}

/// The reference implementation's single answer (see [`Verdict::preferred`]). Within a group,
/// a MAY case the policy rejects comes first (it names the specific case), then the rules in
/// catalogue order.
pub(crate) fn preferred(verdict: &Verdict, policy: &MayPolicy) -> Decision {
    if let Some(operation) = verdict.other_operation() {
        // The reference implements CreateDeployment only: another operation of the API is one
        // it does not have.
        return Decision {
            expected: Expectation::Error(crate::contract::ErrorCode::UnknownOperationException),
            rule: None,
            detail: format!(
                "OpsWorks_20130218.{operation} is an operation of the OpsWorks API that this \
                 implementation does not have (it implements CreateDeployment only)"
            ),
        };
    }
    let mut candidates: Vec<(Tier, u8, usize, Expectation, RuleId, &str)> = verdict
        .findings
        .iter()
        .filter_map(|finding| {
            finding.expected.first().map(|expected| {
                (
                    finding.tier,
                    1,
                    catalogue_index(finding.rule),
                    *expected,
                    finding.rule,
                    finding.detail.as_str(),
                )
            })
        })
        .collect();
    for case in &verdict.may_cases {
        let rejects = !case.may_accept || policy.choice(case.rule) == MayChoice::Reject;
        if let (true, Some(code)) = (rejects, case.rejections.first()) {
            candidates.push((
                case.tier,
                0,
                catalogue_index(case.rule),
                Expectation::Error(*code),
                case.rule,
                case.detail.as_str(),
            ));
        }
    }
    match candidates
        .into_iter()
        .min_by_key(|(tier, specific, index, ..)| (*tier, *specific, *index))
    {
        None => Decision {
            expected: Expectation::Success,
            rule: None,
            detail: String::new(),
        },
        Some((_, _, _, expected, rule, detail)) => Decision {
            expected: match expected {
                Expectation::AnyError { preferred } => Expectation::Error(preferred),
                other => other,
            },
            rule: Some(rule),
            detail: detail.to_owned(),
        },
    }
}

/// The single answer of the reference implementation for one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// `Success`, or `Error(code)` (never `AnyError`).
    pub expected: Expectation,
    /// The rule that decides a rejection.
    pub rule: Option<RuleId>,
    /// What in the request breaks that rule.
    pub detail: String,
}
