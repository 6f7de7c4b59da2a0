//! The human summary: a line per rule, details for broken ones.

use std::fmt::Write as _;

use crate::report::curl::curl_command;
use crate::report::redact::report_headers;
use crate::runner::{RuleStatus, RunReport};

/// The human report: one line per rule (status, id, severity, cases, behaviour), then for each
/// failed or warned rule what was expected, what was found, the minimal request and a `curl`
/// line to replay it, then the verdict.
#[must_use]
pub fn human_report(report: &RunReport, region: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "opsworks-conformance: {} (seed {})",
        report.target, report.seed
    );
    for rule in &report.rules {
        let mark = match rule.status {
            RuleStatus::Passed => "pass",
            RuleStatus::Failed => "FAIL",
            RuleStatus::Warned => "warn",
            RuleStatus::Informational => "info",
            RuleStatus::NotApplicable => "n/a ",
        };
        let mut line = format!(
            "{mark}  {:<24} {:<6} {:>5} cases",
            rule.id.as_str(),
            rule.severity.as_str(),
            rule.cases
        );
        if let Some(behaviour) = rule.behaviour() {
            let _ = write!(line, "  {behaviour}");
        }
        if let Some(note) = &rule.note {
            let _ = write!(line, "  ({note})");
        }
        let _ = writeln!(out, "{line}");
    }
    for rule in &report.rules {
        let Some(example) = &rule.counterexample else {
            continue;
        };
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "[{}] {}: expected {}, found {}",
            rule.id,
            rule.status.as_str(),
            example.expected,
            example.found
        );
        let _ = writeln!(
            out,
            "  variant: {} (shrunk in {} steps)",
            example.label, example.shrink_steps
        );
        for (name, value) in report_headers(&example.request) {
            let _ = writeln!(out, "  {name}: {value}");
        }
        let _ = writeln!(out, "  body: {}", example.request.body_text());
        if report.target.starts_with("http") {
            let _ = writeln!(
                out,
                "  reproduce: {}",
                curl_command(&report.target, &example.request, &example.signing, region)
            );
        }
    }
    for note in &report.notes {
        let _ = writeln!(out, "note: {note}");
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "verdict: {} ({} cases; rules: {} passed, {} failed, {} warned, {} informational, {} not applicable{})",
        if report.passed() { "pass" } else { "FAIL" },
        report.cases,
        report.count(RuleStatus::Passed),
        report.count(RuleStatus::Failed),
        report.count(RuleStatus::Warned),
        report.count(RuleStatus::Informational),
        report.count(RuleStatus::NotApplicable),
        if report.strict { "; strict" } else { "" }
    );
    out
}
