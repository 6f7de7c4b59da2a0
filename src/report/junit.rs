//! The JUnit XML report: one test case per rule, so CI systems show each rule.

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use crate::report::curl::curl_command;
use crate::report::redact::redact_signatures;
use crate::runner::{RuleStatus, RunReport};

/// The JUnit XML report: a suite `CreateDeployment` with one test case per rule (named by its
/// id, classed by its group); failed rules (and warned ones under `--strict`) are failures
/// whose text is expected / found / reproduction; not-applicable rules are skipped. An
/// interrupted run ([`RunReport::interrupted`]) has one more test case, `interrupted` (class
/// `opsworks.run`), a failure, so that CI systems show the run was partial.
#[must_use]
pub fn junit_report(report: &RunReport, region: &str) -> String {
    let mut suite = TestSuite::new("CreateDeployment");
    for rule in &report.rules {
        let fails = rule.status == RuleStatus::Failed
            || (rule.status == RuleStatus::Warned && report.strict);
        let status = if fails {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
            if let Some(example) = &rule.counterexample {
                let found = redact_signatures(&example.found, &example.request);
                status.set_message(format!("expected {}, found {found}", example.expected));
                let mut description = format!(
                    "expected: {}\nfound: {found}\nrequest body: {}",
                    example.expected,
                    example.request.body_text()
                );
                if report.target.starts_with("http") {
                    description.push_str(&format!(
                        "\nreproduce: {}",
                        curl_command(&report.target, &example.request, &example.signing, region)
                    ));
                }
                status.set_description(description);
            }
            status
        } else if rule.status == RuleStatus::NotApplicable {
            let mut status = TestCaseStatus::skipped();
            if let Some(note) = &rule.note {
                status.set_message(note.clone());
            }
            status
        } else {
            TestCaseStatus::success()
        };
        let mut case = TestCase::new(rule.id.as_str(), status);
        case.set_classname(format!("opsworks.{}", rule.id.rule().group.as_str()));
        let mut out = format!("{} {} cases", rule.status.as_str(), rule.cases);
        if let Some(behaviour) = rule
            .behaviour()
            .filter(|_| rule.status == RuleStatus::Informational)
        {
            out.push_str(&format!("; behaviour: {behaviour}"));
        }
        if rule.status == RuleStatus::Warned {
            if let Some(example) = &rule.counterexample {
                out.push_str(&format!(
                    "; warned: expected {}, found {}",
                    example.expected,
                    redact_signatures(&example.found, &example.request)
                ));
            }
        }
        case.set_system_out(out);
        suite.add_test_case(case);
    }
    if report.interrupted {
        let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
        status.set_message(format!(
            "the run was interrupted after {} cases: the results cover only those",
            report.cases
        ));
        let mut case = TestCase::new("interrupted", status);
        case.set_classname("opsworks.run");
        suite.add_test_case(case);
    }
    let mut junit = Report::new("opsworks-conformance");
    junit.add_test_suite(suite);
    junit
        .to_string()
        .unwrap_or_else(|error| format!("<!-- JUnit report could not be written: {error} -->"))
}
