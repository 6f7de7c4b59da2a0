//! The known-failures ledger: rules a target is known to break, each with a reason and an
//! optional expiry date, so a gate can go green while the fix is on its way.

use std::path::Path;

use serde::Deserialize;

use crate::contract::RuleId;
use crate::runner::result::{RuleStatus, RunReport};

/// A ledger of known failures, read from TOML:
///
/// ```toml
/// [[known_failure]]
/// rule = "V-RECIPES"
/// reason = "our mock does not check recipes yet (ticket 123)"
/// expires = "2027-03-31"   # optional, YYYY-MM-DD
/// ```
///
/// A listed rule that fails (or warns under `--strict`) does not fail the gate. An entry whose
/// rule now passes fails it ("fixed: remove the entry"), and so does an expired entry.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct KnownFailures {
    entries: Vec<KnownFailure>,
}

/// One entry of the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownFailure {
    /// The rule.
    pub rule: RuleId,
    /// Why it is known to fail.
    pub reason: String,
    /// The last day the entry holds (`YYYY-MM-DD`), if any.
    pub expires: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LedgerFile {
    #[serde(default)]
    known_failure: Vec<EntryFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryFile {
    rule: String,
    reason: String,
    expires: Option<String>,
}

/// A ledger that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LedgerError {
    /// The file could not be read.
    #[error("known-failures file {path}: expected a readable file, found {message}")]
    Io {
        /// The file.
        path: String,
        /// The operating system's message.
        message: String,
    },
    /// The TOML is not a ledger.
    #[error(
        "known-failures ledger: expected [[known_failure]] entries with rule, reason and optional expires, found {message}"
    )]
    Syntax {
        /// The parser's message.
        message: String,
    },
    /// An entry names no rule of the catalogue.
    #[error(
        "known-failures ledger entry {index}: expected a rule id of the catalogue, found {found:?}"
    )]
    UnknownRule {
        /// The entry's position (from 0).
        index: usize,
        /// The text seen.
        found: String,
    },
    /// An expiry that is not a date.
    #[error("known-failures ledger entry {index}: expected expires as YYYY-MM-DD, found {found:?}")]
    BadDate {
        /// The entry's position (from 0).
        index: usize,
        /// The text seen.
        found: String,
    },
}

/// The ledger's verdict on one rule of a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LedgerFinding {
    /// The rule failed and the ledger lists it: the failure does not fail the gate.
    Excused {
        /// The rule.
        rule: RuleId,
        /// The ledger's reason.
        reason: String,
    },
    /// The ledger lists a rule that now passes: remove the entry (fails the gate).
    Fixed {
        /// The rule.
        rule: RuleId,
    },
    /// The entry expired (fails the gate).
    Expired {
        /// The rule.
        rule: RuleId,
        /// Its expiry date.
        expires: String,
    },
}

impl std::fmt::Display for LedgerFinding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LedgerFinding::Excused { rule, reason } => {
                write!(f, "{rule}: known failure ({reason})")
            }
            LedgerFinding::Fixed { rule } => {
                write!(
                    f,
                    "{rule}: fixed: remove the entry from the known-failures ledger"
                )
            }
            LedgerFinding::Expired { rule, expires } => {
                write!(f, "{rule}: the known-failures entry expired on {expires}")
            }
        }
    }
}

fn valid_date(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    matches!(parts.as_slice(), [y, m, d]
        if y.len() == 4 && m.len() == 2 && d.len() == 2
        && [y, m, d].iter().all(|p| p.bytes().all(|b| b.is_ascii_digit()))
        && (1..=12).contains(&m.parse::<u32>().unwrap_or(0))
        && (1..=31).contains(&d.parse::<u32>().unwrap_or(0)))
}

/// Today's date in UTC as `YYYY-MM-DD` (civil-from-days, no time zone database needed).
#[must_use]
pub fn today() -> String {
    crate::date::today()
}

impl KnownFailures {
    /// An empty ledger.
    #[must_use]
    pub fn new() -> Self {
        KnownFailures::default()
    }

    /// A ledger with one more entry.
    #[must_use]
    pub fn with(mut self, rule: RuleId, reason: impl Into<String>, expires: Option<&str>) -> Self {
        self.entries.push(KnownFailure {
            rule,
            reason: reason.into(),
            expires: expires.map(str::to_owned),
        });
        self
    }

    /// The entries.
    #[must_use]
    pub fn entries(&self) -> &[KnownFailure] {
        &self.entries
    }

    /// Parses a TOML ledger.
    pub fn from_toml(text: &str) -> Result<Self, LedgerError> {
        let file: LedgerFile = toml::from_str(text).map_err(|error| LedgerError::Syntax {
            message: error.to_string().trim().to_owned(),
        })?;
        let mut entries = Vec::new();
        for (index, entry) in file.known_failure.into_iter().enumerate() {
            let rule = RuleId::parse(&entry.rule).ok_or_else(|| LedgerError::UnknownRule {
                index,
                found: entry.rule.clone(),
            })?;
            if let Some(date) = &entry.expires {
                if !valid_date(date) {
                    return Err(LedgerError::BadDate {
                        index,
                        found: date.clone(),
                    });
                }
            }
            entries.push(KnownFailure {
                rule,
                reason: entry.reason,
                expires: entry.expires,
            });
        }
        Ok(KnownFailures { entries })
    }

    /// Reads a TOML ledger from a file.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, LedgerError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|error| LedgerError::Io {
            path: path.display().to_string(),
            message: error.to_string(),
        })?;
        KnownFailures::from_toml(&text)
    }

    /// What the ledger says of a run, on the date `today` (`YYYY-MM-DD`).
    #[must_use]
    pub fn review(&self, report: &RunReport, today: &str) -> Vec<LedgerFinding> {
        let mut findings = Vec::new();
        for entry in &self.entries {
            if let Some(expires) = &entry.expires {
                if expires.as_str() < today {
                    findings.push(LedgerFinding::Expired {
                        rule: entry.rule,
                        expires: expires.clone(),
                    });
                    continue;
                }
            }
            let broken = report.rule(entry.rule).is_some_and(|rule| {
                rule.status == RuleStatus::Failed
                    || (rule.status == RuleStatus::Warned && report.strict)
            });
            let exercised = report
                .rule(entry.rule)
                .is_some_and(|rule| rule.status != RuleStatus::NotApplicable);
            if broken {
                findings.push(LedgerFinding::Excused {
                    rule: entry.rule,
                    reason: entry.reason.clone(),
                });
            } else if exercised {
                findings.push(LedgerFinding::Fixed { rule: entry.rule });
            }
        }
        findings
    }

    /// Whether the run passes the gate with this ledger, on the date `today`: every failure is
    /// excused, no entry is fixed or expired, and the run was not vacuous
    /// ([`RunReport::acceptance_rule`] passed or is excused, when it was run; some rule was
    /// [`exercised`](RunReport::exercised)).
    #[must_use]
    pub fn gate(&self, report: &RunReport, today: &str) -> bool {
        let findings = self.review(report, today);
        if findings
            .iter()
            .any(|finding| !matches!(finding, LedgerFinding::Excused { .. }))
        {
            return false;
        }
        let excused: Vec<RuleId> = findings
            .iter()
            .filter_map(|finding| match finding {
                LedgerFinding::Excused { rule, .. } => Some(*rule),
                _ => None,
            })
            .collect();
        // As in `RunReport::passed`: only when the acceptance rule was run.
        let acceptance = report.acceptance_rule();
        let accepted_valid = report
            .rule(acceptance)
            .is_none_or(|rule| rule.status == RuleStatus::Passed)
            || excused.contains(&acceptance);
        accepted_valid
            && report.exercised()
            && report.rules.iter().all(|rule| {
                excused.contains(&rule.id)
                    || match rule.status {
                        RuleStatus::Failed => false,
                        RuleStatus::Warned => !report.strict,
                        _ => true,
                    }
            })
    }
}
