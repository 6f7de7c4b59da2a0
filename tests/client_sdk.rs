//! aws-sdk-opsworks (the Rust SDK, built in as `SdkClient`) under the client gate.
#![cfg(feature = "sdk")]

use opsworks_conformance::client::{ClientRunConfig, SdkClient, run_client};
use opsworks_conformance::contract::{CATALOGUE, Severity, Side, rules};
use opsworks_conformance::report::human_report;
use opsworks_conformance::runner::RuleStatus;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_sdk_opsworks_passes_the_client_gate() {
    let config = ClientRunConfig::default().with_seed(1).with_cases(84);
    let report = run_client(&SdkClient::new(), &config)
        .await
        .expect("the recording server starts");
    let human = human_report(&report, &config.region);
    eprintln!("{human}");
    assert!(report.passed(), "{human}");
    for rule in CATALOGUE.iter().filter(|rule| rule.side() == Side::Client) {
        let entry = report.rule(rule.id).expect("every client rule is reported");
        let expected = if rule.severity == Severity::May {
            RuleStatus::Informational
        } else {
            RuleStatus::Passed
        };
        assert_eq!(entry.status, expected, "{}\n{human}", rule.id);
        assert!(entry.cases > 0, "{}", rule.id);
    }
    // 200 {}: the SDK reports success without an id.
    let empty = report.rule(rules::C_SUCCESS_EMPTY).expect("reported");
    assert_eq!(
        empty.behaviour().as_deref(),
        Some("success without an id"),
        "{human}"
    );
    // The builder refuses a Command without a name, and sends the rest.
    let validation = report
        .rule(rules::C_CLIENT_VALIDATION)
        .expect("reported")
        .behaviour()
        .unwrap_or_default();
    assert!(
        validation.starts_with("mixed:")
            && validation.contains("refused before sending")
            && validation.contains("sent"),
        "{validation}"
    );
}
