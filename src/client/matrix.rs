//! A conformance matrix of several clients: one client-gate run each, per C-* rule pass or the
//! exact finding, as a Markdown table (the README's SDK matrix is made with it, by
//! `cargo run --example sdk-matrix --all-features`).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use crate::client::answer::{Answer, describe_response};
use crate::client::client::Client;
use crate::client::outcome::ClientOutcome;
use crate::client::runner::ClientRunError;
use crate::client::runner::{ClientCase, ClientCheck, ClientRunConfig, Scenario, run_client_cases};
use crate::contract::RuleId;
use crate::runner::{RuleStatus, RunReport};

/// One finding of a client run: a rule that failed for one scenario (an answer form, or a
/// request missing a member), with the first case that showed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The rule.
    pub rule: RuleId,
    /// The scenario's label (for error answers the form, as [`ErrorForm::label`] names it).
    ///
    /// [`ErrorForm::label`]: crate::client::ErrorForm::label
    pub form: &'static str,
    /// The Smithy awsJson1_1 protocol test the answer's form matches (error answers only).
    pub smithy_test: Option<&'static str>,
    /// The error codes for which this form failed (error answers only).
    pub codes: BTreeSet<String>,
    /// What the server answered in the first failing case (status, error-type header, body).
    pub answered: String,
    /// What the rule expected, in the first failing case.
    pub expected: String,
    /// What the client reported (for an error answer, the code it reported) or sent, in the
    /// first failing case.
    pub found: String,
}

/// One client's run, judged, with its findings.
#[derive(Debug, Clone)]
pub struct MatrixColumn {
    /// The column's heading: the client and its version (`botocore 1.40.18 (Python)`).
    pub name: String,
    /// The run's report.
    pub report: RunReport,
    /// Every (rule, scenario) that failed, in the order the cases found them.
    pub findings: Vec<Finding>,
}

impl MatrixColumn {
    /// The findings of `rule`.
    pub fn findings_of(&self, rule: RuleId) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(move |finding| finding.rule == rule)
    }
}

/// Runs the client gate on `client` (as [`run_client_cases`] does) and gathers its findings
/// into a column named `name`.
///
/// # Errors
/// When the recording server cannot be started.
pub async fn run_column(
    name: impl Into<String>,
    client: &dyn Client,
    config: &ClientRunConfig,
) -> Result<MatrixColumn, ClientRunError> {
    let mut findings: Vec<Finding> = Vec::new();
    let mut index: BTreeMap<(RuleId, &'static str), usize> = BTreeMap::new();
    let report = run_client_cases(client, config, |case| {
        collect(case, &mut findings, &mut index)
    })
    .await?;
    Ok(MatrixColumn {
        name: name.into(),
        report,
        findings,
    })
}

fn collect(
    case: &ClientCase,
    findings: &mut Vec<Finding>,
    index: &mut BTreeMap<(RuleId, &'static str), usize>,
) {
    let error_form = match (&case.scenario, &case.answer) {
        (Scenario::Answer(_), Answer::Error { form, .. } | Answer::Unmodelled { form, .. }) => {
            Some(*form)
        }
        _ => None,
    };
    for (rule, check) in &case.checks {
        let ClientCheck::Failed(failure) = check else {
            continue;
        };
        let form = case.scenario.label();
        let position = *index.entry((*rule, form)).or_insert_with(|| {
            findings.push(Finding {
                rule: *rule,
                form,
                smithy_test: error_form.map(|form| form.smithy_test()),
                codes: BTreeSet::new(),
                answered: describe_response(&case.answer.response()),
                expected: failure.expected.clone(),
                found: match (&case.outcome, error_form) {
                    (ClientOutcome::Error { code, .. }, Some(_)) => format!("error code {code:?}"),
                    _ => failure.found.clone(),
                },
            });
            findings.len() - 1
        });
        if error_form.is_some() {
            if let Some(code) = case.answer.expected_code() {
                findings[position].codes.insert(code.to_owned());
            }
        }
    }
}

/// The cell of one rule in one column: `pass`, the behaviour of a MAY rule, `not applicable`,
/// or `**fail** (N of M cases): form; form; ...`.
fn cell(column: &MatrixColumn, rule: RuleId) -> String {
    let Some(entry) = column.report.rule(rule) else {
        return "not run".to_owned();
    };
    let status = entry.status;
    if status == RuleStatus::Passed {
        return "pass".to_owned();
    }
    if status == RuleStatus::Informational {
        return entry
            .behaviour()
            .unwrap_or_else(|| "informational".to_owned());
    }
    if status != RuleStatus::Failed && status != RuleStatus::Warned {
        return status.as_str().replace('_', " ");
    }
    let word = if status == RuleStatus::Failed {
        "fail"
    } else {
        "warn"
    };
    // In backticks: labels hold `__type`, which Markdown would read as emphasis.
    let forms: Vec<String> = column
        .findings_of(rule)
        .map(|finding| format!("`{}`", finding.form))
        .collect();
    let failed_cases = entry
        .note
        .as_deref()
        .and_then(|note| note.strip_prefix("failed in "))
        .and_then(|rest| rest.split(" cases").next())
        .map(|count| format!(" in {count} cases"))
        .unwrap_or_default();
    format!("**{word}**{failed_cases}: {}", forms.join("; "))
}

/// The matrix as Markdown: a table (one row per client-side rule, one column per client),
/// then every finding with its counterexample (the answer, what was expected, what the client
/// reported, the Smithy protocol test).
///
/// ```
/// use opsworks_conformance::client::{matrix_markdown, run_column, ClientCall, ClientOutcome, ClientRunConfig};
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let offline = |_call: ClientCall| async { ClientOutcome::client_error("offline") };
/// let column = run_column("offline 1.0", &offline, &ClientRunConfig::default()).await.unwrap();
/// let table = matrix_markdown(&[column]);
/// assert!(table.starts_with("| rule | offline 1.0 |\n|---|---|\n"));
/// assert!(table.contains("| C-REQUEST-LINE (MUST) | **fail**"));
/// # });
/// ```
#[must_use]
pub fn matrix_markdown(columns: &[MatrixColumn]) -> String {
    let mut out = String::from("| rule |");
    for column in columns {
        let _ = write!(out, " {} |", column.name);
    }
    out.push_str("\n|---|");
    for _ in columns {
        out.push_str("---|");
    }
    out.push('\n');
    let rules: Vec<(RuleId, String)> = crate::contract::CATALOGUE
        .iter()
        .filter(|rule| rule.side() == crate::contract::Side::Client)
        .map(|rule| (rule.id, rule.severity.to_string()))
        .collect();
    for (rule, severity) in &rules {
        let _ = write!(out, "| {rule} ({severity}) |");
        for column in columns {
            let _ = write!(out, " {} |", cell(column, *rule));
        }
        out.push('\n');
    }
    for column in columns {
        if column.findings.is_empty() {
            continue;
        }
        let _ = write!(
            out,
            "\nFindings of {} (the first case of each):\n\n",
            column.name
        );
        for (rule, _) in &rules {
            for finding in column.findings_of(*rule) {
                let codes = if finding.codes.is_empty() {
                    String::new()
                } else {
                    format!(
                        " for {}",
                        finding.codes.iter().cloned().collect::<Vec<_>>().join(", ")
                    )
                };
                let source = finding
                    .smithy_test
                    .map(|test| format!(" Smithy: {test}."))
                    .unwrap_or_default();
                let _ = writeln!(
                    out,
                    "- {rule}, `{}`{codes}: answered `{}`; expected {}; found {}.{source}",
                    finding.form,
                    finding.answered.replace('`', "'"),
                    strip_answer(&finding.expected),
                    finding.found,
                );
            }
        }
    }
    out
}

/// `error code X for the answer "form" (...)` without the answer, which the line gives
/// already.
fn strip_answer(expected: &str) -> &str {
    expected
        .split_once(" for the answer ")
        .map_or(expected, |(head, _)| head)
}
