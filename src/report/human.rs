//! The human summary: a line per rule, details for broken ones.

use std::fmt::Write as _;

use crate::contract::AnswerForm;
use crate::report::curl::curl_command;
use crate::report::redact::{redact_signatures, report_headers};
use crate::report::visible::{visible, visible_bytes};
use crate::runner::{RuleReport, RuleStatus, RunReport};

/// The human report: when the endpoint check found that the target does not answer as
/// OpsWorks ([`RunReport::endpoint`]), one line saying so with the evidence; one line per rule
/// (status, id, severity, cases, the behaviour of an informational MAY rule); the failed rules
/// that share one cause ([`RunReport::groups`]) as one group, with one counterexample; for
/// each other failed or warned rule (`P-NO-SERVER-ERROR` first) what was expected, what was
/// found, the minimal request and a `curl` line to replay it; the notes, then the verdict. The verdict of an interrupted run
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
    // A server error first: it is what a reader must see first.
    let server_error_first = report
        .rules
        .iter()
        .filter(|rule| rule.id.rule().facts.form == AnswerForm::Answered)
        .chain(
            report
                .rules
                .iter()
                .filter(|rule| rule.id.rule().facts.form != AnswerForm::Answered),
        );
    for rule in server_error_first {
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

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::contract::{Observation, RawRequest, RuleId, Severity, Signing};
    use crate::rules::testing::{form_rule, plain_rule};
    use crate::runner::{Counterexample, EndpointCheck, EndpointFinding, FailureGroup, RunReport};

    // Sample rules, found by their facts: whether there was an answer, the answer's shape, and
    // MUST and MAY rules that judge more than the answer's form.
    fn answered() -> RuleId {
        form_rule(0, AnswerForm::Answered)
    }
    fn shape() -> RuleId {
        form_rule(0, AnswerForm::Shape)
    }
    fn must(n: usize) -> RuleId {
        plain_rule(n, Severity::Must)
    }
    fn may(n: usize) -> RuleId {
        plain_rule(n, Severity::May)
    }

    fn rule(id: RuleId, severity: Severity, status: RuleStatus) -> RuleReport {
        RuleReport {
            id,
            severity,
            status,
            cases: 10,
            counterexample: None,
            behaviours: BTreeMap::new(),
            note: None,
        }
    }

    fn example(body: &str, found: &str) -> Counterexample {
        Counterexample {
            label: "valid",
            request: RawRequest::json(body),
            signing: Signing::Unsigned,
            expected: "ValidationException".to_owned(),
            found: found.to_owned(),
            observed: Some(Observation::json(200, found)),
            failure: None,
            shrink_steps: 0,
            found_after: 1,
        }
    }

    fn report(rules: Vec<RuleReport>) -> RunReport {
        RunReport {
            target: "http://127.0.0.1:9".to_owned(),
            seed: 1,
            strict: false,
            cases: 10,
            rules,
            notes: Vec::new(),
            interrupted: false,
            shrink_requests: 0,
            endpoint: None,
            groups: Vec::new(),
        }
    }

    #[test]
    fn invisible_characters_are_escaped_but_the_curl_line_keeps_them() {
        let body = "{\"StackId\":\"s\",\"AppId\":\"\u{200b}a1\",\"Comment\":\"x\u{a0}\u{202e}\"}";
        let mut broken = rule(must(2), Severity::Must, RuleStatus::Failed);
        broken.counterexample = Some(example(body, "200 {\"DeploymentId\":\"d\u{feff}\"}"));
        let text = human_report(&report(vec![broken]), "us-east-1");
        assert!(
            text.contains("  body: {\"StackId\":\"s\",\"AppId\":\"\\u200ba1\",\"Comment\":\"x\\u00a0\\u202e\"}"),
            "{text}"
        );
        assert!(
            text.contains("found 200 {\"DeploymentId\":\"d\\ufeff\"}"),
            "{text}"
        );
        let curl = text
            .lines()
            .find(|line| line.starts_with("  reproduce: "))
            .expect("a curl line");
        assert!(curl.contains("\u{200b}a1"), "{curl}");
        // Only the curl line holds the raw character.
        assert_eq!(text.matches('\u{200b}').count(), 1, "{text}");
    }

    #[test]
    fn the_endpoint_line_comes_first_and_a_failed_may_rule_shows_no_behaviour() {
        let mut may_rule = rule(may(0), Severity::May, RuleStatus::Failed);
        may_rule.behaviours.insert("accepted".to_owned(), 64);
        let mut run = report(vec![
            rule(answered(), Severity::Must, RuleStatus::Passed),
            may_rule,
        ]);
        run.endpoint = Some(EndpointCheck {
            finding: EndpointFinding::NotAwsJson,
            line: Some(
                "not OpsWorks: every answer was 200 text/html \"<x>\u{0}\" (3 of 3 answers)"
                    .to_owned(),
            ),
            answers: 3,
            opsworks_answers: 0,
            most_frequent: None,
            probe: Vec::new(),
        });
        let text = human_report(&run, "us-east-1");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[1],
            "not OpsWorks: every answer was 200 text/html \"<x>\\u0000\" (3 of 3 answers)"
        );
        let may_line = lines
            .iter()
            .find(|line| line.contains(may(0).as_str()))
            .expect("the MAY rule's line");
        assert_eq!(
            may_line.trim_end(),
            format!("FAIL  {:<24} MAY       10 cases", may(0).as_str())
        );
    }

    #[test]
    fn failures_of_one_cause_are_one_group_with_one_counterexample() {
        let answer = "500 text/html \"<!doctype html>\"";
        let mut rules_ = Vec::new();
        for id in [answered(), must(0), may(1)] {
            let mut failed = rule(id, id.severity(), RuleStatus::Failed);
            failed.counterexample = Some(example("{}", answer));
            rules_.push(failed);
        }
        let mut other = rule(must(1), Severity::Must, RuleStatus::Failed);
        other.counterexample = Some(example("{\"StackId\":\"x\"}", "200 {}"));
        rules_.push(other);
        let mut run = report(rules_);
        run.groups = vec![FailureGroup {
            rules: vec![answered(), must(0), may(1)],
            answer: answer.to_owned(),
            scope: "every valid request".to_owned(),
        }];
        let text = human_report(&run, "us-east-1");
        assert!(
            text.contains(&format!("3 rules failed with the same answer, 500 text/html \"<!doctype html>\" (the answer to every valid request): {server}, {must}, {may}\n[{server}] failed: ", server = answered().as_str(), must = must(0).as_str(), may = may(1).as_str())),
            "{text}"
        );
        assert!(
            !text.contains(&format!("[{}] failed", must(0).as_str())),
            "{text}"
        );
        assert!(
            !text.contains(&format!("[{}] failed", may(1).as_str())),
            "{text}"
        );
        // A rule outside the group keeps its own block; every status line stays.
        assert!(
            text.contains(&format!("[{}] failed: ", must(1).as_str())),
            "{text}"
        );
        assert!(
            text.contains(&format!("FAIL  {}", must(0).as_str())),
            "{text}"
        );
        assert!(
            text.contains(&format!("FAIL  {}", may(1).as_str())),
            "{text}"
        );
    }

    #[test]
    fn a_server_error_is_shown_before_the_other_failures() {
        let mut rules_ = Vec::new();
        for id in [shape(), answered()] {
            let mut failed = rule(id, Severity::Must, RuleStatus::Failed);
            failed.counterexample = Some(example("{}", "x"));
            rules_.push(failed);
        }
        let text = human_report(&report(rules_), "us-east-1");
        let server = text
            .find(&format!("[{}] failed", answered().as_str()))
            .expect("its block");
        let shape_block = text
            .find(&format!("[{}] failed", shape().as_str()))
            .expect("its block");
        assert!(server < shape_block, "{text}");
    }
}
