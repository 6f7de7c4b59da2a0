//! The JSON report of `docs/contract/INTERFACES.md` (`--json PATH`).

use serde_json::{Map, Value, json};

use crate::contract::{CATALOGUE_VERSION, RuleId};
use crate::report::curl::curl_command;
use crate::report::redact::{redact_signatures, report_headers};
use crate::runner::{RuleStatus, RunReport};

/// The JSON report, exactly as `docs/contract/INTERFACES.md` specifies: tool, version, catalogue, target,
/// seed, strict, verdict, summary (cases and rule counts per status) and one entry per rule
/// (a counterexample for failed and warned rules, the behaviour for informational MAY rules).
/// Additions: `endpoint_check` (the endpoint check: `finding` `awsjson`, `not_awsjson`,
/// `server_errors` or `same_answer`, the report's first `line` or null, the `answers` weighed,
/// how many were `opsworks_answers`, the `most_frequent` answer and the `probe`'s answers),
/// `failure_groups` (failed rules of one cause) when there are any, and `shrink_requests`
/// (the requests shrinking sent, within `--shrink-budget`). Signatures and
/// session tokens are redacted; secrets never appear; bodies keep their exact characters.
/// `region` is used for the `reproduce` command.
#[must_use]
pub fn json_report(report: &RunReport, region: &str) -> Value {
    let rules: Vec<Value> = report
        .rules
        .iter()
        .map(|rule| {
            let mut entry = Map::new();
            entry.insert("id".into(), json!(rule.id.as_str()));
            entry.insert("severity".into(), json!(rule.severity.as_str()));
            entry.insert("status".into(), json!(rule.status.as_str()));
            entry.insert("cases".into(), json!(rule.cases));
            if rule.status == RuleStatus::Informational {
                if let Some(behaviour) = rule.behaviour() {
                    entry.insert("behaviour".into(), json!(behaviour));
                }
            }
            if let Some(note) = &rule.note {
                entry.insert("note".into(), json!(note));
            }
            if let Some(example) = &rule.counterexample {
                let headers: Map<String, Value> = report_headers(&example.request)
                    .into_iter()
                    .map(|(name, value)| (name, Value::String(value)))
                    .collect();
                let observed = match (&example.observed, &example.failure) {
                    (Some(observation), _) => json!({
                        "status": observation.status,
                        "body": redact_signatures(&observation.body_text(), &example.request),
                    }),
                    (None, Some(failure)) => json!({ "error": failure.to_string() }),
                    (None, None) => Value::Null,
                };
                entry.insert(
                    "counterexample".into(),
                    json!({
                        "request": { "headers": headers, "body": example.request.body_text() },
                        "variant": example.label,
                        "expected": example.expected,
                        "found": redact_signatures(&example.found, &example.request),
                        "found_after": example.found_after,
                        "observed": observed,
                        "reproduce": report.target.starts_with("http").then(|| {
                            curl_command(&report.target, &example.request, &example.signing, region)
                        }),
                    }),
                );
            }
            Value::Object(entry)
        })
        .collect();
    let mut report_json = json!({
        "tool": "opsworks-conformance",
        "version": env!("CARGO_PKG_VERSION"),
        "catalogue": CATALOGUE_VERSION,
        "target": report.target,
        "seed": report.seed,
        "strict": report.strict,
        "verdict": if report.passed() { "pass" } else { "fail" },
        "interrupted": report.interrupted,
        "summary": {
            "cases": report.cases,
            "passed": report.count(RuleStatus::Passed),
            "failed": report.count(RuleStatus::Failed),
            "warned": report.count(RuleStatus::Warned),
            "informational": report.count(RuleStatus::Informational),
            "not_applicable": report.count(RuleStatus::NotApplicable),
        },
        "rules": rules,
        "notes": report.notes,
        "shrink_requests": report.shrink_requests,
    });
    if let Value::Object(object) = &mut report_json {
        if let Some(check) = &report.endpoint {
            object.insert(
                "endpoint_check".into(),
                json!({
                    "finding": check.finding.as_str(),
                    "line": check.line,
                    "answers": check.answers,
                    "opsworks_answers": check.opsworks_answers,
                    "most_frequent": check.most_frequent.as_ref().map(|(answer, count)| {
                        json!({ "answer": answer, "count": count })
                    }),
                    "probe": check.probe.iter().map(|(request, answer)| {
                        json!({ "request": request, "answer": answer })
                    }).collect::<Vec<_>>(),
                }),
            );
        }
        if !report.groups.is_empty() {
            object.insert(
                "failure_groups".into(),
                Value::Array(
                    report
                        .groups
                        .iter()
                        .map(|group| {
                            json!({
                                "rules": group.rules.iter().map(|rule| rule.as_str()).collect::<Vec<_>>(),
                                "answer": group.answer,
                                "scope": group.scope,
                            })
                        })
                        .collect(),
                ),
            );
        }
    }
    report_json
}

/// Adds `"snapshot": "unchanged" | "changed" | "new"` to the entries of the rules that have a
/// snapshot (`run --snapshots DIR`) in a report made by [`json_report`].
///
/// ```
/// use opsworks_conformance::contract::rules;
/// use opsworks_conformance::report::{json_report, with_snapshot_statuses};
/// use opsworks_conformance::runner::{run, RunConfig};
/// use opsworks_conformance::target::{ReferenceTarget, block_on};
/// use opsworks_conformance::world::World;
///
/// let world = World::bundled();
/// let config = RunConfig::default().with_cases(50).only("V-TYPE");
/// let report = block_on(run(&ReferenceTarget::new(world.clone()), &world, &config));
/// let mut json = json_report(&report, "us-east-1");
/// with_snapshot_statuses(&mut json, &[(rules::V_TYPE, "changed")]);
/// assert_eq!(json["rules"][0]["snapshot"], "changed");
/// ```
pub fn with_snapshot_statuses(report_json: &mut Value, statuses: &[(RuleId, &str)]) {
    let Some(Value::Array(entries)) = report_json.get_mut("rules") else {
        return;
    };
    for entry in entries {
        let Some(id) = entry.get("id").and_then(Value::as_str).map(str::to_owned) else {
            continue;
        };
        if let (Some((_, status)), Value::Object(object)) =
            (statuses.iter().find(|(rule, _)| rule.as_str() == id), entry)
        {
            object.insert("snapshot".into(), json!(status));
        }
    }
}
