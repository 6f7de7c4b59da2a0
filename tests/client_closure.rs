//! Rust closures as clients: a correct one built on reqwest passes the client gate; broken ones
//! fail with the rule they break.
#![cfg(all(feature = "client", feature = "http"))]

use std::time::SystemTime;

use std::collections::BTreeSet;

use opsworks_conformance::client::{
    ClientCall, ClientCheck, ClientOutcome, ClientRunConfig, Described, ErrorForm, run_client,
    run_client_cases,
};
use opsworks_conformance::contract::{
    CATALOGUE, RawRequest, RuleId, Severity, Side, error_code_of, rules, wire,
};
use opsworks_conformance::report::human_report;
use opsworks_conformance::runner::{RuleStatus, RunReport};
use opsworks_conformance::sigv4;
use serde_json::{Value, json};

/// How a closure client departs from awsJson1_1 (or not).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flaw {
    None,
    /// Posts to `/deploy` instead of `/`.
    WrongPath,
    /// Sends no `X-Amz-Target`.
    NoTarget,
    /// Serialises unset members as `null`.
    NullsInBody,
    /// Reads the error code from the body only (`code`, then `__type`).
    IgnoresErrortypeHeader,
    /// Takes the body `code` member raw (not sanitised); header and `__type` as the rules say.
    RawBodyCode,
    /// Reads the body (`code`, then `__type`) before the `X-Amzn-Errortype` header.
    BodyWinsOverHeader,
    /// Keeps the namespace (`com.amazonaws.opsworks#`) of a code.
    KeepsNamespace,
    /// Keeps the `:`URI suffix of a code.
    KeepsUriSuffix,
}

/// The error code as a client with `flaw` reads it: the awsJson1_1 rules (header, then `code`,
/// then `__type`; before the first `:`, after the first `#`) broken in one way. `Flaw::None`
/// and the request-side flaws use the crate's own reader, `error_code_of`.
fn read_code(flaw: Flaw, headers: &[(String, String)], body: &[u8]) -> Option<String> {
    let (strip_uri, strip_namespace) = match flaw {
        Flaw::KeepsNamespace => (true, false),
        Flaw::KeepsUriSuffix => (false, true),
        Flaw::RawBodyCode | Flaw::BodyWinsOverHeader => (true, true),
        _ => return error_code_of(headers, body),
    };
    let sanitise = |raw: &str| {
        let mut code = raw;
        if strip_uri {
            code = code.split(':').next().unwrap_or(code);
        }
        if strip_namespace {
            code = code.split_once('#').map_or(code, |(_, rest)| rest);
        }
        code.to_owned()
    };
    let document: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let member = |name: &str| document.get(name).and_then(Value::as_str);
    let header = wire::header(headers, wire::ERROR_TYPE_HEADER).map(sanitise);
    let code = member("code").map(|raw| {
        if flaw == Flaw::RawBodyCode {
            raw.to_owned()
        } else {
            sanitise(raw)
        }
    });
    let dunder = member("__type").map(sanitise);
    if flaw == Flaw::BodyWinsOverHeader {
        code.or(dunder).or(header)
    } else {
        header.or(code).or(dunder)
    }
}

/// Every member, `null` when unset.
fn body_with_nulls(call: &ClientCall) -> String {
    let request = &call.request;
    json!({
        "StackId": request.stack_id,
        "AppId": request.app_id,
        "InstanceIds": request.instance_ids,
        "LayerIds": request.layer_ids,
        "Command": request.command.as_ref().map(|command| json!({
            "Name": command.name,
            "Args": command.args,
        })),
        "Comment": request.comment,
        "CustomJson": request.custom_json,
    })
    .to_string()
}

/// A hand-written awsJson1_1 client: canonical body, the two headers, SigV4 with the crate's
/// signer, reqwest; error code by the smithy rules.
async fn call_with(http: reqwest::Client, flaw: Flaw, call: ClientCall) -> ClientOutcome {
    let body = if flaw == Flaw::NullsInBody {
        body_with_nulls(&call)
    } else {
        call.request.to_json()
    };
    let mut raw = RawRequest::json(body);
    if flaw == Flaw::NoTarget {
        raw = raw.without_header(wire::TARGET_HEADER);
    }
    let authority = call
        .endpoint
        .trim_start_matches("http://")
        .trim_end_matches('/');
    let signed = sigv4::sign(
        &raw,
        authority,
        &call.access_key_id,
        &call.secret_access_key,
        &call.region,
        SystemTime::now(),
    );
    let path = if flaw == Flaw::WrongPath {
        "/deploy"
    } else {
        "/"
    };
    let mut request = http
        .post(format!("{}{path}", call.endpoint.trim_end_matches('/')))
        .body(signed.body.clone());
    for (name, value) in &signed.headers {
        if !name.eq_ignore_ascii_case("host") {
            request = request.header(name.as_str(), value.as_str());
        }
    }
    let response = match request.send().await {
        Ok(response) => response,
        Err(error) => return ClientOutcome::client_error(error.to_string()),
    };
    let status = response.status().as_u16();
    let mut headers: Vec<(String, String)> = response
        .headers()
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect();
    let body = match response.bytes().await {
        Ok(bytes) => bytes.to_vec(),
        Err(error) => return ClientOutcome::client_error(error.to_string()),
    };
    let document: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    if (200..300).contains(&status) {
        let deployment_id = document
            .get("DeploymentId")
            .and_then(Value::as_str)
            .map(str::to_owned);
        return ClientOutcome::Ok { deployment_id };
    }
    if flaw == Flaw::IgnoresErrortypeHeader {
        headers.clear();
    }
    let code = read_code(flaw, &headers, &body).unwrap_or_else(|| status.to_string());
    let message = document
        .get("message")
        .or_else(|| document.get("Message"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    ClientOutcome::error(code, message)
}

async fn gate(flaw: Flaw) -> RunReport {
    let http = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("a reqwest client");
    let client = Described::new(format!("reqwest closure ({flaw:?})"), move |call| {
        let http = http.clone();
        async move { call_with(http, flaw, call).await }
    });
    run_client(&client, &ClientRunConfig::default().with_seed(3))
        .await
        .expect("the recording server starts")
}

/// The MUST rules that failed.
fn failed(report: &RunReport) -> Vec<RuleId> {
    report
        .with_status(RuleStatus::Failed)
        .map(|rule| rule.id)
        .collect()
}

/// Asserts that exactly `rule` failed, with a counterexample that names what was expected and
/// found, and returns the counterexample's `found`.
fn assert_fails_only(report: &RunReport, rule: RuleId) -> String {
    let human = human_report(report, "us-east-1");
    assert_eq!(failed(report), vec![rule], "{human}");
    assert!(!report.passed(), "{human}");
    let example = report
        .rule(rule)
        .and_then(|entry| entry.counterexample.clone())
        .expect("a failed rule has a counterexample");
    assert!(!example.expected.is_empty() && !example.found.is_empty());
    assert!(
        human.contains(&format!("[{rule}] failed: expected ")),
        "{human}"
    );
    example.found
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_correct_reqwest_closure_passes() {
    let report = gate(Flaw::None).await;
    let human = human_report(&report, "us-east-1");
    assert!(report.passed(), "{human}");
    for rule in CATALOGUE.iter().filter(|rule| rule.side() == Side::Client) {
        let status = report.rule(rule.id).map(|entry| entry.status);
        let expected = if rule.severity == Severity::May {
            RuleStatus::Informational
        } else {
            RuleStatus::Passed
        };
        assert_eq!(status, Some(expected), "{}\n{human}", rule.id);
    }
    // It sends every request, also those missing a required member.
    assert_eq!(
        report
            .rule(rules::C_CLIENT_VALIDATION)
            .and_then(|entry| entry.behaviour()),
        Some("sent".to_owned())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_path_fails_c_request_line() {
    let found = assert_fails_only(&gate(Flaw::WrongPath).await, rules::C_REQUEST_LINE);
    assert_eq!(found, "POST /deploy");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_target_header_fails_c_headers() {
    let found = assert_fails_only(&gate(Flaw::NoTarget).await, rules::C_HEADERS);
    assert_eq!(found, "no X-Amz-Target header");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nulls_in_the_body_fail_c_body() {
    let found = assert_fails_only(&gate(Flaw::NullsInBody).await, rules::C_BODY);
    assert!(
        found.contains(": expected no member, found null"),
        "{found}"
    );
}

/// Every (rule, answer form) that failed in a run of the closure with `flaw`, and the report.
async fn failing_forms(flaw: Flaw) -> (RunReport, BTreeSet<(RuleId, String)>) {
    let http = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("a reqwest client");
    let client = Described::new(format!("reqwest closure ({flaw:?})"), move |call| {
        let http = http.clone();
        async move { call_with(http, flaw, call).await }
    });
    let mut failing = BTreeSet::new();
    let report = run_client_cases(&client, &ClientRunConfig::default().with_seed(3), |case| {
        for (rule, check) in &case.checks {
            if let ClientCheck::Failed(_) = check {
                failing.insert((*rule, case.scenario.label().to_owned()));
            }
        }
    })
    .await
    .expect("the recording server starts");
    (report, failing)
}

/// Asserts that a client with `flaw` fails exactly C-ERROR-CODE and C-ERROR-UNMODELED, in
/// exactly `forms`, for modelled and unmodelled codes alike; returns the report.
async fn assert_error_forms_fail(flaw: Flaw, forms: &[ErrorForm]) -> RunReport {
    let (report, failing) = failing_forms(flaw).await;
    let human = human_report(&report, "us-east-1");
    assert_eq!(
        failed(&report),
        vec![rules::C_ERROR_CODE, rules::C_ERROR_UNMODELED],
        "{human}"
    );
    let expected: BTreeSet<(RuleId, String)> = [rules::C_ERROR_CODE, rules::C_ERROR_UNMODELED]
        .into_iter()
        .flat_map(|rule| {
            forms
                .iter()
                .map(move |form| (rule, form.label().to_owned()))
        })
        .collect();
    assert_eq!(failing, expected, "{flaw:?}\n{human}");
    for rule in [rules::C_ERROR_CODE, rules::C_ERROR_UNMODELED] {
        assert!(
            human.contains(&format!("[{rule}] failed: expected error code ")),
            "{human}"
        );
    }
    report
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ignoring_the_errortype_header_fails_c_error_code_and_c_error_unmodeled() {
    let report = assert_error_forms_fail(
        Flaw::IgnoresErrortypeHeader,
        &[
            ErrorForm::HeaderAlone,
            ErrorForm::HeaderWithUri,
            ErrorForm::HeaderWithUriAndNamespace,
            ErrorForm::HeaderOverBody,
            ErrorForm::HeaderOverCode,
        ],
    )
    .await;
    let note = report
        .rule(rules::C_ERROR_CODE)
        .and_then(|entry| entry.note.clone())
        .unwrap_or_default();
    // The note lists each failing form with its codes; `code` and `__type` are read.
    assert!(note.contains("X-Amzn-Errortype header without body __type (ResourceNotFoundException, ValidationException)"), "{note}");
    assert!(!note.contains("body code field;"), "{note}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn taking_the_raw_body_code_fails_both_error_rules() {
    let report = assert_error_forms_fail(
        Flaw::RawBodyCode,
        &[ErrorForm::NamespacedCode, ErrorForm::NamespacedCodeWithUri],
    )
    .await;
    let example = report
        .rule(rules::C_ERROR_UNMODELED)
        .and_then(|entry| entry.counterexample.clone())
        .expect("a counterexample");
    assert_eq!(example.label, "namespaced body code field");
    assert!(
        example
            .found
            .starts_with("error code \"com.amazonaws.opsworks#ThrottlingException\""),
        "{}",
        example.found
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn letting_the_body_win_over_the_header_fails_both_error_rules() {
    let report = assert_error_forms_fail(
        Flaw::BodyWinsOverHeader,
        &[ErrorForm::HeaderOverBody, ErrorForm::HeaderOverCode],
    )
    .await;
    let example = report
        .rule(rules::C_ERROR_UNMODELED)
        .and_then(|entry| entry.counterexample.clone())
        .expect("a counterexample");
    // The unmodelled code in the header, a modelled one in the body: the client reported the
    // body's.
    assert_eq!(
        example.label,
        "X-Amzn-Errortype header with a different body __type (header wins)"
    );
    assert!(
        example
            .found
            .starts_with("error code \"ValidationException\""),
        "{}",
        example.found
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keeping_the_namespace_fails_both_error_rules() {
    assert_error_forms_fail(
        Flaw::KeepsNamespace,
        &[
            ErrorForm::NamespacedType,
            ErrorForm::NamespacedTypeWithUri,
            ErrorForm::NestedType,
            ErrorForm::NamespacedCode,
            ErrorForm::NamespacedCodeWithUri,
            ErrorForm::HeaderWithUriAndNamespace,
        ],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keeping_the_uri_suffix_fails_both_error_rules() {
    let report = assert_error_forms_fail(
        Flaw::KeepsUriSuffix,
        &[
            ErrorForm::TypeWithUri,
            ErrorForm::NamespacedTypeWithUri,
            ErrorForm::NamespacedCodeWithUri,
            ErrorForm::HeaderWithUri,
            ErrorForm::HeaderWithUriAndNamespace,
        ],
    )
    .await;
    let example = report
        .rule(rules::C_ERROR_CODE)
        .and_then(|entry| entry.counterexample.clone())
        .expect("a counterexample");
    assert!(
        example.found.contains(":http://internal.amazon.com/"),
        "{}",
        example.found
    );
}
