//! The human summary: a line per rule, details for broken ones.

use std::fmt::Write as _;

use crate::report::curl::curl_command;
use crate::report::redact::{redact_signatures, report_headers};
use crate::report::visible::{visible, visible_bytes};
use crate::runner::{RuleReport, RuleStatus, RunReport};

/// The human report: when the endpoint check found that the target does not answer as
/// OpsWorks ([`RunReport::endpoint`]), one line saying so with the evidence; one line per rule
/// (status, id, severity, cases, the behaviour of an informational MAY rule); the failed rules
/// that share one cause ([`RunReport::groups`]) as one group, with one counterexample; for
/// each other failed or warned rule what was expected, what was found, the minimal request and
/// a `curl` line to replay it; the notes, then the verdict. The verdict of an interrupted run
/// ([`RunReport::interrupted`]) says so: `verdict: FAIL, interrupted (...)`.
///
/// Invisible and control characters are shown escaped ([`visible`]); the `curl` lines keep
/// the exact bytes.
#[must_use]
pub fn human_report(report: &RunReport, region: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "opsworks-conformance: {} (seed {})",
        report.target, report.seed
    );
    if let Some(line) = report
        .endpoint
        .as_ref()
        .and_then(|check| check.line.as_ref())
    {
        let _ = writeln!(out, "{}", visible(line));
    }
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
        if rule.status == RuleStatus::Informational {
            if let Some(behaviour) = rule.behaviour() {
                let _ = write!(line, "  {}", visible(&behaviour));
            }
        }
        if let Some(note) = &rule.note {
            let _ = write!(line, "  ({note})");
        }
        let _ = writeln!(out, "{line}");
    }
    for group in &report.groups {
        let _ = writeln!(out);
        let warned = group.rules.iter().any(|id| {
            report
                .rule(*id)
                .is_some_and(|rule| rule.status == RuleStatus::Warned)
        });
        let _ = writeln!(
            out,
            "{} rules {} with the same answer, {} (the answer to {}): {}",
            group.rules.len(),
            if warned { "failed or warned" } else { "failed" },
            visible(&group.answer),
            group.scope,
            group
                .rules
                .iter()
                .map(|rule| rule.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
        if let Some(first) = group.rules.iter().find_map(|id| {
            report
                .rule(*id)
                .filter(|rule| rule.counterexample.is_some())
        }) {
            out.push_str(&rule_details(report, first, region));
        }
    }
    let grouped = |rule: &RuleReport| {
        report
            .groups
            .iter()
            .any(|group| group.rules.contains(&rule.id))
    };
    for rule in &report.rules {
        if rule.counterexample.is_some() && !grouped(rule) {
            let _ = writeln!(out);
            out.push_str(&rule_details(report, rule, region));
        }
    }
    for note in &report.notes {
        let _ = writeln!(out, "note: {note}");
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "verdict: {}{} ({} cases; rules: {} passed, {} failed, {} warned, {} informational, {} not applicable{})",
        if report.passed() { "pass" } else { "FAIL" },
        if report.interrupted {
            ", interrupted"
        } else {
            ""
        },
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

/// One broken rule's details as the human report shows them: what was expected and found, the
/// minimal request (signature redacted) and, for an HTTP target, a `curl` line to replay it.
/// Empty for a rule without a counterexample. Invisible and control characters are shown
/// escaped ([`visible`]), except in the `curl` line, which keeps the exact bytes.
#[must_use]
pub fn rule_details(report: &RunReport, rule: &RuleReport, region: &str) -> String {
    let mut out = String::new();
    let Some(example) = &rule.counterexample else {
        return out;
    };
    let _ = writeln!(
        out,
        "[{}] {}: expected {}, found {}",
        rule.id,
        rule.status.as_str(),
        visible(&example.expected),
        visible(&redact_signatures(&example.found, &example.request))
    );
    let _ = writeln!(
        out,
        "  variant: {} (shrunk in {} steps; found after {} cases)",
        example.label, example.shrink_steps, example.found_after
    );
    for (name, value) in report_headers(&example.request) {
        let _ = writeln!(out, "  {}: {}", visible(&name), visible(&value));
    }
    let _ = writeln!(out, "  body: {}", visible_bytes(&example.request.body));
    if report.target.starts_with("http") {
        let _ = writeln!(
            out,
            "  reproduce: {}",
            curl_command(&report.target, &example.request, &example.signing, region)
        );
    }
    out
}
