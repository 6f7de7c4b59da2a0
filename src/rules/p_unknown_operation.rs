//! `P-UNKNOWN-OPERATION` (MUST): `X-Amz-Target` is missing, or names no operation of the OpsWorks API (a name the API does not have, another API version, another service's prefix; compared exactly).

use super::prelude::*;

/// The catalogue entry of `P-UNKNOWN-OPERATION`.
pub(crate) const RULE: Rule = Rule {
    id: RuleId::new("P-UNKNOWN-OPERATION"),
    severity: Severity::Must,
    group: Group::Protocol,
    summary: "X-Amz-Target is missing, or names no operation of the OpsWorks API (a name the API does not have, another API version, another service's prefix; compared exactly) -> 4xx (UnknownOperationException preferred); no deployment is created",
    source: "stance",
    doc: RuleDoc {
        condition: "`X-Amz-Target` is missing, or names no operation of the OpsWorks API (a name the API does not have, another API version, another service's prefix; compared exactly)",
        expected: "4xx (`UnknownOperationException` preferred); no deployment is created",
        why: "A request for no operation must not be carried out as some operation; the suite never sends an operation the API has.",
    },
    facts: RuleFacts::USUAL,
};

/// P-UNKNOWN-OPERATION: no `X-Amz-Target`, or one that names no operation of the OpsWorks
/// API. Never an operation the API has (a full implementation would carry it out, and may
/// destroy the world the run depends on), nor anything a lenient server could take for one
/// other than CreateDeployment ([`could_be_taken_for_operation`](crate::contract::could_be_taken_for_operation)).
pub(super) fn family(f: &Families<'_>) -> Option<BoxedStrategy<Case>> {
    Some(
        (f.valid()?, 0usize..6, any::<prop::sample::Index>())
            .prop_map(|(mut case, kind, index)| {
                let request = case.request.clone();
                let pick = |names: &[&'static str]| names[index.index(names.len())];
                let (label, request) = match kind {
                    0 => (
                        "no X-Amz-Target",
                        request.without_header(wire::TARGET_HEADER),
                    ),
                    1 => (
                        "a name the API does not have",
                        request.with_header(wire::TARGET_HEADER, pick(&NOT_API_OPERATIONS)),
                    ),
                    2 => (
                        "other case",
                        request.with_header(
                            wire::TARGET_HEADER,
                            "opsworks_20130218.createdeployment",
                        ),
                    ),
                    3 => (
                        "another API version",
                        request.with_header(wire::TARGET_HEADER, pick(&OTHER_API_VERSIONS)),
                    ),
                    4 => (
                        "another service's prefix",
                        request.with_header(
                            wire::TARGET_HEADER,
                            "DynamoDB_20120810.CreateDeployment",
                        ),
                    ),
                    _ => (
                        "a second, different X-Amz-Target",
                        request.add_header(wire::TARGET_HEADER, pick(&NOT_API_OPERATIONS)),
                    ),
                };
                case.request = request;
                case.label = label;
                case.input = None;
                case
            })
            .boxed(),
    )
}

/// The oracle's part: the request's `X-Amz-Target` values (trimmed), none of which, or no one
/// of which, is CreateDeployment's.
pub(crate) fn judge(reading: &mut Reading, targets: &[&str]) {
    let seen = if targets.is_empty() {
        "no X-Amz-Target header".to_owned()
    } else {
        format!("X-Amz-Target {targets:?}")
    };
    reading.finding(
        RULE.id,
        vec![Expectation::AnyError {
            preferred: ErrorCode::UnknownOperationException,
        }],
        Tier::Request,
        seen,
    );
}

/// What the bundled server answers to a request that is not `POST /` (another method or
/// path: no operation of any API), as the fuzzing targets check it: 404 with
/// `UnknownOperationException` (a response to `HEAD` carries no body, so no code either).
/// `Err` holds the failure, naming the rule.
#[cfg(all(feature = "arbitrary", feature = "server"))]
pub(crate) fn judge_elsewhere(
    method: &str,
    path: &str,
    observation: &Observation,
) -> Result<(), String> {
    let code = error_code_of(&observation.headers, &observation.body);
    let code_ok = method == "HEAD" || code.as_deref() == Some("UnknownOperationException");
    if observation.status == 404 && code_ok {
        Ok(())
    } else {
        Err(format!(
            "[{}] expected 404 UnknownOperationException for {method} {path}, found {}",
            RULE.id,
            observation.brief(200)
        ))
    }
}
