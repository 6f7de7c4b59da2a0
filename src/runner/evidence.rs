//! What the answers say as a whole: is the endpoint answering as an awsJson1_1 service at all
//! (the probe before the cases, every answer after them), which checks an answer that is no
//! OpsWorks answer cannot decide, and which failures share one cause.
//!
//! - **The probe.** Before the cases, two requests that every OpsWorks implementation answers
//!   with an error of its own: `{}` (a CreateDeployment request without `StackId`:
//!   `ValidationException`) and `{}` with `X-Amz-Target: OpsWorks_20130218.NoSuchOperation`, a
//!   name the API does not have (`UnknownOperationException`). They are not judged (they are no
//!   case of any rule); their answers count as evidence.
//! - **An OpsWorks answer** is a 200 with the success shape (`{"DeploymentId": non-empty
//!   string}`) or a 4xx whose error code the smithy rules find. Any other answer (a 2xx of
//!   another shape, a 4xx without a code, HTML, XML) fails `P-SUCCESS-SHAPE` or
//!   `P-ERROR-SHAPE`, and decides nothing else: a rule it would pass, or a MAY behaviour it
//!   would record, is *undecided* by it ([`sift`]). A rule that only such answers reached is
//!   reported not applicable, with the reason; so `S-ACCEPT-VALID` never passes without a
//!   success of the right shape.
//! - **A MAY rule fails only on its own**: when an answer fails a MUST or SHOULD rule, a MAY
//!   rule it also fails is undecided by it (the failure belongs to the other rule).
//! - **The endpoint check.** After the run, when no answer was an OpsWorks answer, or every
//!   answer was a server error (or none came), or every answer was the same, the report says
//!   so first, in one line with the evidence ([`EndpointCheck`]); MAY rules then record no
//!   behaviour (they are not applicable, with the reason).
//! - **Failure groups.** Rules that failed only with one answer, when that answer is the
//!   answer to every request of the run or to every valid request, failed of one cause: the
//!   human report shows them as one group ([`FailureGroup`]).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crate::contract::{AnswerForm, RawRequest, Response, RuleId, Severity, error_code_of, wire};
use crate::oracle::{Judgement, Outcome, Status};
use crate::runner::result::{RuleReport, RuleStatus};

/// The operation name the probe sends, which the OpsWorks API does not have.
pub const PROBE_UNKNOWN_OPERATION: &str = "OpsWorks_20130218.NoSuchOperation";

/// How many requests the probe sends before the cases (fewer when the target cannot express
/// one, or the run is stopped).
pub const PROBE_REQUESTS: usize = 2;

/// How many characters of a body an answer's description quotes.
const QUOTED: usize = 60;

/// How many different answer classes are kept per rule before it counts as mixed.
const CLASSES_KEPT: usize = 4;

/// The kind of an answer, coarse enough that answers of one cause compare equal (a success
/// whatever its id, an error by status and code, a server error by status and media type).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum AnswerClass {
    /// No HTTP response.
    NoAnswer(String),
    /// A status of 500 or more.
    ServerError { status: u16, media: String },
    /// 200 `{"DeploymentId": non-empty string}`.
    Success,
    /// A 4xx whose error code the smithy rules find.
    Error { status: u16, code: String },
    /// Anything else: the status, media type and the start of the body.
    Other {
        status: u16,
        media: String,
        start: String,
    },
}

impl AnswerClass {
    /// The class of an answer the oracle judged: its success shape and error code are read
    /// from the judgement instead of parsing the body again.
    fn judged(response: &Response, judgement: &Judgement) -> AnswerClass {
        if let Ok(observation) = response {
            let status = observation.status;
            if status == 200 && judgement.deployment_id.is_some() {
                return AnswerClass::Success;
            }
            if let (400..=499, Some(Outcome::Error(Some(code)))) = (status, &judgement.outcome) {
                return AnswerClass::Error {
                    status,
                    code: code.clone(),
                };
            }
        }
        AnswerClass::of(response)
    }

    fn of(response: &Response) -> AnswerClass {
        let observation = match response {
            Err(failure) => return AnswerClass::NoAnswer(failure.kind.to_string()),
            Ok(observation) => observation,
        };
        let media =
            observation
                .header("Content-Type")
                .map_or("no Content-Type".to_owned(), |value| {
                    value
                        .split(';')
                        .next()
                        .unwrap_or("")
                        .trim()
                        .to_ascii_lowercase()
                });
        let status = observation.status;
        if status >= 500 {
            return AnswerClass::ServerError { status, media };
        }
        if status == 200 && success_shape(&observation.body) {
            return AnswerClass::Success;
        }
        if (400..500).contains(&status) {
            if let Some(code) = error_code_of(&observation.headers, &observation.body) {
                return AnswerClass::Error { status, code };
            }
        }
        AnswerClass::Other {
            status,
            media,
            start: crate::contract::excerpt::excerpt(&observation.body, QUOTED),
        }
    }

    /// Whether two answers share a cause, as shrinking counts it (every case of a rule failed
    /// alike): server errors whatever their status and media type, answers of neither
    /// OpsWorks shape by their status, the others exactly.
    pub(crate) fn same_cause(&self, other: &AnswerClass) -> bool {
        match (self, other) {
            (AnswerClass::ServerError { .. }, AnswerClass::ServerError { .. }) => true,
            (AnswerClass::Other { status: a, .. }, AnswerClass::Other { status: b, .. }) => a == b,
            _ => self == other,
        }
    }

    /// Whether an OpsWorks implementation could give this answer.
    fn is_opsworks(&self) -> bool {
        matches!(self, AnswerClass::Success | AnswerClass::Error { .. })
    }

    /// A server error, or no answer.
    fn is_server_error(&self) -> bool {
        matches!(
            self,
            AnswerClass::NoAnswer(_) | AnswerClass::ServerError { .. }
        )
    }
}

/// Whether a body is a JSON object whose `DeploymentId` is a non-empty string.
fn success_shape(body: &[u8]) -> bool {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|document| {
            document
                .get("DeploymentId")
                .and_then(serde_json::Value::as_str)
                .map(|id| !id.is_empty())
        })
        .unwrap_or(false)
}

/// An answer in words: `400 ValidationException`, `500 text/html "<!doctype html>…"`,
/// `200 {"DeploymentId": ...}`, `no answer (timed out)`. Exact characters: the human report
/// escapes the invisible ones.
fn describe(class: &AnswerClass, response: &Response) -> String {
    match (class, response) {
        (AnswerClass::NoAnswer(kind), _) => format!("no answer ({kind})"),
        (AnswerClass::Success, _) => "200 {\"DeploymentId\": ...}".to_owned(),
        (AnswerClass::Error { status, code }, _) => format!("{status} {code}"),
        (AnswerClass::ServerError { status, media }, Ok(observation))
        | (AnswerClass::Other { status, media, .. }, Ok(observation)) => format!(
            "{status} {media} \"{}\"",
            crate::contract::excerpt::excerpt(&observation.body, QUOTED)
        ),
        (AnswerClass::ServerError { status, media }, Err(_))
        | (AnswerClass::Other { status, media, .. }, Err(_)) => format!("{status} {media}"),
    }
}

/// What the gate found about the endpoint as a whole ([`EndpointCheck::finding`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EndpointFinding {
    /// Some answers were OpsWorks answers (a success of the right shape, or an error with a
    /// code), and not every answer was the same.
    AwsJson,
    /// No answer was an OpsWorks answer: no JSON success of the right shape, no error code
    /// (HTML, XML, another protocol, ...).
    NotAwsJson,
    /// Every answer was a server error (5xx) or no answer at all.
    ServerErrors,
    /// Every answer was the same (the same success, or the same error code), whatever was sent.
    SameAnswer,
}

impl EndpointFinding {
    /// As written in the JSON report: `awsjson`, `not_awsjson`, `server_errors`,
    /// `same_answer`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            EndpointFinding::AwsJson => "awsjson",
            EndpointFinding::NotAwsJson => "not_awsjson",
            EndpointFinding::ServerErrors => "server_errors",
            EndpointFinding::SameAnswer => "same_answer",
        }
    }
}

impl fmt::Display for EndpointFinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The endpoint check: the probe's answers and every answer of the run, as a whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointCheck {
    /// What the answers show.
    pub finding: EndpointFinding,
    /// The report's first line when the finding is not [`EndpointFinding::AwsJson`], with the
    /// evidence, for example `not OpsWorks: every answer was 200 text/html
    /// "<ListAllMyBucketsResult …" (2037 of 2037 answers)`.
    pub line: Option<String>,
    /// How many answers were weighed (the probe's and the cases'; shrinking's replays not).
    pub answers: usize,
    /// How many of them were OpsWorks answers (a success of the right shape, or a 4xx with an
    /// error code).
    pub opsworks_answers: usize,
    /// The most frequent answer, in words, and how often it came.
    pub most_frequent: Option<(String, usize)>,
    /// The probe: each request in words, and its answer in words.
    pub probe: Vec<(String, String)>,
}

/// Rules that failed (or warned) of one cause: every answer that failed them was the same, and
/// that answer is the answer to every request of the run, or to every valid request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailureGroup {
    /// The rules (failed, and warned: SHOULD rules), `P-NO-SERVER-ERROR` first, then in
    /// catalogue order.
    pub rules: Vec<RuleId>,
    /// The answer, in words.
    pub answer: String,
    /// What the answer was given to: `every request` or `every valid request`.
    pub scope: String,
}

/// The requests of the probe, in words and unsigned (the runner signs them as it signs a
/// valid case). Never an operation the API has: CreateDeployment, and a name it does not have.
pub(crate) fn probe_requests() -> [(String, RawRequest); PROBE_REQUESTS] {
    [
        ("CreateDeployment {}".to_owned(), RawRequest::json("{}")),
        (
            format!("{PROBE_UNKNOWN_OPERATION} {{}}"),
            RawRequest::json("{}").with_header(wire::TARGET_HEADER, PROBE_UNKNOWN_OPERATION),
        ),
    ]
}

/// Takes out of a judgement the checks its answer cannot decide, and returns their rules:
/// - when the answer is no OpsWorks answer (it failed `P-SUCCESS-SHAPE` or `P-ERROR-SHAPE`),
///   every pass and every MAY behaviour of a rule other than the answer's form rules;
/// - when the answer failed a MUST or SHOULD rule, the failures of MAY rules (the failure
///   belongs to that rule).
pub(crate) fn sift(judgement: &mut Judgement) -> Vec<RuleId> {
    let unshaped = judgement.checks.iter().any(|check| {
        check.rule.rule().facts.form == AnswerForm::Shape && check.status == Status::Failed
    });
    let other_failure = judgement.checks.iter().any(|check| {
        matches!(check.status, Status::Failed | Status::Warned)
            && check.rule.severity() != Severity::May
    });
    let mut undecided = Vec::new();
    judgement.checks.retain(|check| {
        let voided = match check.status {
            Status::Passed | Status::Informational => {
                // The rules an answer that is no OpsWorks answer still decides: whether there
                // was an answer, and its form.
                unshaped && check.rule.rule().facts.form == AnswerForm::Beyond
            }
            Status::Failed => other_failure && check.rule.severity() == Severity::May,
            Status::Warned => false,
        };
        if voided && !undecided.contains(&check.rule) {
            undecided.push(check.rule);
        }
        !voided
    });
    // A rule still checked in the judgement was decided by it.
    undecided.retain(|rule| judgement.status_of(*rule).is_none());
    undecided
}

/// How often one answer class came, and the first answer of it in words.
#[derive(Debug)]
struct Seen {
    count: usize,
    words: String,
}

/// The classes of answers that failed (or warned) one rule (up to [`CLASSES_KEPT`]; more: mixed).
#[derive(Debug, Default)]
struct Failing {
    classes: BTreeSet<AnswerClass>,
    mixed: bool,
}

/// The evidence a run gathers about its answers.
#[derive(Debug, Default)]
pub(crate) struct Evidence {
    answers: BTreeMap<AnswerClass, Seen>,
    total: usize,
    probe: Vec<(String, String)>,
    failing: BTreeMap<RuleId, Failing>,
    /// The classes of the answers to valid requests (those S-ACCEPT-VALID judged), up to
    /// [`CLASSES_KEPT`]; `valid_mixed` beyond.
    valid: BTreeSet<AnswerClass>,
    valid_mixed: bool,
    /// Whether a request that must succeed, and one that must be refused, were answered: only
    /// then can "the same answer whatever was sent" show a target that is not OpsWorks (a
    /// correct target answers `--only V-STACK-REQUIRED`'s cases all alike).
    saw_valid: bool,
    saw_must_reject: bool,
}

impl Evidence {
    fn seen(&mut self, class: &AnswerClass, response: &Response) {
        self.total += 1;
        self.answers
            .entry(class.clone())
            .or_insert_with(|| Seen {
                count: 0,
                words: describe(class, response),
            })
            .count += 1;
    }

    /// Records the answer to a probe request (which must be refused).
    pub(crate) fn probe(&mut self, request: String, response: &Response) {
        let class = AnswerClass::of(response);
        self.seen(&class, response);
        self.saw_must_reject = true;
        self.probe.push((request, describe(&class, response)));
    }

    /// Records the answer to a case: `valid` when the oracle judged it for S-ACCEPT-VALID,
    /// `must_reject` when the oracle allows no success for it, and the judgement as counted
    /// (after [`sift`]). Returns the answer's class, for the runner's own counting.
    pub(crate) fn case(
        &mut self,
        response: &Response,
        valid: bool,
        must_reject: bool,
        judgement: &Judgement,
    ) -> AnswerClass {
        let class = AnswerClass::judged(response, judgement);
        self.seen(&class, response);
        self.saw_valid |= valid;
        self.saw_must_reject |= must_reject;
        if valid && !self.valid_mixed && !self.valid.contains(&class) {
            if self.valid.len() < CLASSES_KEPT {
                self.valid.insert(class.clone());
            } else {
                self.valid_mixed = true;
            }
        }
        for check in judgement
            .checks
            .iter()
            .filter(|check| matches!(check.status, Status::Failed | Status::Warned))
        {
            let failing = self.failing.entry(check.rule).or_default();
            if failing.mixed || failing.classes.contains(&class) {
                continue;
            }
            if failing.classes.len() < CLASSES_KEPT {
                failing.classes.insert(class.clone());
            } else {
                failing.mixed = true;
            }
        }
        class
    }

    /// The endpoint check, or `None` when nothing answered.
    pub(crate) fn endpoint_check(&self) -> Option<EndpointCheck> {
        if self.total == 0 {
            return None;
        }
        let opsworks: usize = self
            .answers
            .iter()
            .filter(|(class, _)| class.is_opsworks())
            .map(|(_, seen)| seen.count)
            .sum();
        let (most_class, most) = self.answers.iter().max_by_key(|(_, seen)| seen.count)?;
        let all_same = self.answers.len() == 1;
        let total = self.total;
        let count = most.count;
        let finding = if self.answers.keys().all(AnswerClass::is_server_error) {
            EndpointFinding::ServerErrors
        } else if opsworks == 0 {
            EndpointFinding::NotAwsJson
        } else if all_same && self.saw_valid && self.saw_must_reject {
            EndpointFinding::SameAnswer
        } else {
            EndpointFinding::AwsJson
        };
        let evidence = if all_same {
            format!(
                "every answer was {} ({count} of {total} answers)",
                most.words
            )
        } else {
            format!("most often {} ({count} of {total} answers)", most.words)
        };
        let line = match finding {
            EndpointFinding::AwsJson => None,
            EndpointFinding::ServerErrors if all_same => {
                Some(format!("no OpsWorks answer: {evidence}"))
            }
            EndpointFinding::ServerErrors => Some(format!(
                "no OpsWorks answer: every answer was a server error or none came; {evidence}"
            )),
            EndpointFinding::NotAwsJson if all_same => Some(format!("not OpsWorks: {evidence}")),
            EndpointFinding::NotAwsJson => Some(format!(
                "not OpsWorks: no answer was a JSON success or an error with a code; {evidence}"
            )),
            EndpointFinding::SameAnswer => Some(format!(
                "not answering as OpsWorks: the same answer whatever was sent: {evidence}"
            )),
        };
        let _ = most_class;
        Some(EndpointCheck {
            finding,
            line,
            answers: total,
            opsworks_answers: opsworks,
            most_frequent: Some((most.words.clone(), count)),
            probe: self.probe.clone(),
        })
    }

    /// The groups of failed rules that share one cause (see [`FailureGroup`]), given the
    /// final rule reports.
    pub(crate) fn groups(&self, reports: &[RuleReport]) -> Vec<FailureGroup> {
        let mut candidates: Vec<(&AnswerClass, &str)> = Vec::new();
        if self.answers.len() == 1 {
            if let Some(class) = self.answers.keys().next() {
                candidates.push((class, "every request"));
            }
        }
        if !self.valid_mixed && self.valid.len() == 1 {
            if let Some(class) = self.valid.iter().next() {
                if *class != AnswerClass::Success && !candidates.iter().any(|(c, _)| *c == class) {
                    candidates.push((class, "every valid request"));
                }
            }
        }
        let mut groups = Vec::new();
        let mut grouped: BTreeSet<RuleId> = BTreeSet::new();
        for (class, scope) in candidates {
            let mut members: Vec<RuleId> = reports
                .iter()
                .filter(|report| matches!(report.status, RuleStatus::Failed | RuleStatus::Warned))
                .map(|report| report.id)
                .filter(|rule| !grouped.contains(rule))
                .filter(|rule| {
                    self.failing.get(rule).is_some_and(|failing| {
                        !failing.mixed
                            && failing.classes.len() == 1
                            && failing.classes.contains(class)
                    })
                })
                .collect();
            if members.len() < 2 {
                continue;
            }
            // Whether there was an answer first (a server error); the others keep the catalogue
            // order of the reports.
            members.sort_by_key(|rule| rule.rule().facts.form != AnswerForm::Answered);
            grouped.extend(members.iter().copied());
            let answer = self
                .answers
                .get(class)
                .map_or_else(String::new, |seen| seen.words.clone());
            groups.push(FailureGroup {
                rules: members,
                answer,
                scope: scope.to_owned(),
            });
        }
        groups
    }
}

/// What the endpoint check voids in the rule reports: when the endpoint gave no OpsWorks
/// answer, or the same answer to everything, a MAY rule records no behaviour (it is not
/// applicable, with the reason). The rules' failures stand.
pub(crate) fn void_claims(check: &EndpointCheck, reports: &mut [RuleReport]) {
    if check.finding == EndpointFinding::AwsJson {
        return;
    }
    for report in reports {
        if report.severity == Severity::May && report.status == RuleStatus::Informational {
            report.status = RuleStatus::NotApplicable;
            report.behaviours.clear();
            report.note = Some(format!(
                "no OpsWorks behaviour recorded: the endpoint check found {} (see the first line)",
                match check.finding {
                    EndpointFinding::SameAnswer => "the same answer whatever was sent",
                    EndpointFinding::ServerErrors => "only server errors",
                    _ => "no OpsWorks answer",
                }
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::{Observation, TransportFailure, TransportFailureKind};
    use crate::oracle::Check;
    use crate::rules::testing::{form_rule, plain_rule};
    use std::collections::BTreeMap;

    // Sample rules, found by their facts: whether there was an answer, the answer's shape, and
    // MUST and MAY rules that judge more than the answer's form.
    fn answered() -> RuleId {
        form_rule(0, AnswerForm::Answered)
    }
    fn shape(n: usize) -> RuleId {
        form_rule(n, AnswerForm::Shape)
    }
    fn must(n: usize) -> RuleId {
        plain_rule(n, Severity::Must)
    }
    fn may(n: usize) -> RuleId {
        plain_rule(n, Severity::May)
    }

    fn observation(status: u16, content_type: &str, body: &str) -> Response {
        Ok(Observation {
            status,
            headers: vec![("Content-Type".to_owned(), content_type.to_owned())],
            body: body.as_bytes().to_vec(),
        })
    }

    fn check(rule: RuleId, status: Status) -> Check {
        Check {
            rule,
            status,
            expected: String::new(),
            found: String::new(),
            behaviour: None,
        }
    }

    #[test]
    fn answers_are_classed_by_what_makes_them_opsworks_answers() {
        let xml = observation(200, "text/html; charset=utf-8", "<ListAllMyBucketsResult/>");
        assert!(!AnswerClass::of(&xml).is_opsworks());
        let success = observation(200, wire::CONTENT_TYPE, r#"{"DeploymentId":"d-1"}"#);
        assert_eq!(AnswerClass::of(&success), AnswerClass::Success);
        let other_success = observation(200, wire::CONTENT_TYPE, r#"{"DeploymentId":"d-2"}"#);
        assert_eq!(AnswerClass::of(&other_success), AnswerClass::Success);
        assert!(!AnswerClass::of(&observation(200, wire::CONTENT_TYPE, "{}")).is_opsworks());
        assert!(
            !AnswerClass::of(&observation(
                201,
                wire::CONTENT_TYPE,
                r#"{"DeploymentId":"d"}"#
            ))
            .is_opsworks()
        );
        let error = observation(
            400,
            wire::CONTENT_TYPE,
            r#"{"__type":"ValidationException"}"#,
        );
        assert!(AnswerClass::of(&error).is_opsworks());
        let no_code = observation(400, "text/html", "<html>bad</html>");
        assert!(!AnswerClass::of(&no_code).is_opsworks());
        let coded_5xx = observation(
            503,
            wire::CONTENT_TYPE,
            r#"{"__type":"ServiceUnavailable"}"#,
        );
        assert!(AnswerClass::of(&coded_5xx).is_server_error());
        let timeout = Err(TransportFailure::new(TransportFailureKind::Timeout, "slow"));
        assert!(AnswerClass::of(&timeout).is_server_error());
    }

    #[test]
    fn an_endpoint_that_never_answers_as_opsworks_is_named_with_the_evidence() {
        let mut evidence = Evidence::default();
        let xml = observation(200, "text/html; charset=utf-8", "<ListAllMyBucketsResult/>");
        evidence.probe("probe".to_owned(), &xml);
        for _ in 0..9 {
            evidence.case(&xml, true, false, &Judgement::default());
        }
        let check = evidence.endpoint_check().unwrap();
        assert_eq!(check.finding, EndpointFinding::NotAwsJson);
        assert_eq!(
            check.line.as_deref(),
            Some(
                r#"not OpsWorks: every answer was 200 text/html "<ListAllMyBucketsResult/>" (10 of 10 answers)"#
            )
        );
        assert_eq!(check.opsworks_answers, 0);
    }

    #[test]
    fn server_errors_only_and_the_same_answer_are_findings_too() {
        let mut evidence = Evidence::default();
        evidence.case(
            &observation(500, "text/html", "<!doctype html>"),
            true,
            false,
            &Judgement::default(),
        );
        evidence.case(
            &Err(TransportFailure::new(TransportFailureKind::Dropped, "x")),
            true,
            false,
            &Judgement::default(),
        );
        let check = evidence.endpoint_check().unwrap();
        assert_eq!(check.finding, EndpointFinding::ServerErrors);
        assert!(check.line.unwrap().starts_with(
            "no OpsWorks answer: every answer was a server error or none came; most often "
        ));

        let mut evidence = Evidence::default();
        let denied = observation(
            400,
            wire::CONTENT_TYPE,
            r#"{"__type":"UnrecognizedClientException"}"#,
        );
        evidence.case(&denied, true, false, &Judgement::default());
        evidence.case(&denied, false, true, &Judgement::default());
        let check = evidence.endpoint_check().unwrap();
        assert_eq!(check.finding, EndpointFinding::SameAnswer);
        assert_eq!(
            check.line.as_deref(),
            Some(
                "not answering as OpsWorks: the same answer whatever was sent: every answer was 400 UnrecognizedClientException (2 of 2 answers)"
            )
        );
    }

    #[test]
    fn an_opsworks_endpoint_gets_no_line() {
        let mut evidence = Evidence::default();
        evidence.case(
            &observation(
                400,
                wire::CONTENT_TYPE,
                r#"{"__type":"ValidationException"}"#,
            ),
            false,
            true,
            &Judgement::default(),
        );
        evidence.case(
            &observation(500, "text/html", "oops"),
            true,
            false,
            &Judgement::default(),
        );
        let check = evidence.endpoint_check().unwrap();
        assert_eq!(check.finding, EndpointFinding::AwsJson);
        assert_eq!(check.line, None);
        assert!(Evidence::default().endpoint_check().is_none());
    }

    #[test]
    fn an_answer_of_no_opsworks_shape_decides_only_its_form() {
        let mut judgement = Judgement {
            checks: vec![
                check(answered(), Status::Passed),
                check(shape(0), Status::Failed),
                check(must(0), Status::Passed),
                check(may(0), Status::Informational),
            ],
            ..Judgement::default()
        };
        let undecided = sift(&mut judgement);
        assert_eq!(undecided, vec![must(0), may(0)]);
        let kept: Vec<RuleId> = judgement.checks.iter().map(|check| check.rule).collect();
        assert_eq!(kept, vec![answered(), shape(0)]);

        // A shaped answer keeps everything.
        let mut judgement = Judgement {
            checks: vec![
                check(shape(0), Status::Passed),
                check(must(0), Status::Passed),
            ],
            ..Judgement::default()
        };
        assert!(sift(&mut judgement).is_empty());
        assert_eq!(judgement.checks.len(), 2);
    }

    #[test]
    fn a_may_rule_fails_only_when_no_other_rule_does() {
        let mut judgement = Judgement {
            checks: vec![
                check(shape(1), Status::Passed),
                check(must(1), Status::Failed),
                check(may(1), Status::Failed),
            ],
            ..Judgement::default()
        };
        assert_eq!(sift(&mut judgement), vec![may(1)]);
        assert_eq!(judgement.status_of(must(1)), Some(Status::Failed));

        let mut alone = Judgement {
            checks: vec![
                check(shape(1), Status::Passed),
                check(may(1), Status::Failed),
            ],
            ..Judgement::default()
        };
        assert!(sift(&mut alone).is_empty());
        assert_eq!(alone.status_of(may(1)), Some(Status::Failed));
    }

    fn failed(id: RuleId) -> RuleReport {
        RuleReport {
            id,
            severity: id.severity(),
            status: RuleStatus::Failed,
            cases: 1,
            counterexample: None,
            behaviours: BTreeMap::new(),
            note: None,
        }
    }

    fn failing(rules: &[RuleId]) -> Judgement {
        Judgement {
            checks: rules
                .iter()
                .map(|rule| check(*rule, Status::Failed))
                .collect(),
            ..Judgement::default()
        }
    }

    #[test]
    fn one_wrong_code_to_every_valid_request_is_one_group() {
        let mut evidence = Evidence::default();
        let wrong = observation(400, wire::CONTENT_TYPE, r#"{"__type":"InternalFailure"}"#);
        let right = observation(
            400,
            wire::CONTENT_TYPE,
            r#"{"__type":"ValidationException"}"#,
        );
        let success = observation(200, wire::CONTENT_TYPE, r#"{"DeploymentId":"d"}"#);
        evidence.case(&wrong, true, false, &failing(&[must(0)]));
        evidence.case(&wrong, true, false, &failing(&[may(2)]));
        evidence.case(&wrong, true, false, &failing(&[may(3)]));
        evidence.case(&right, false, true, &Judgement::default());
        // must(2) failed with another answer too: not of the group.
        evidence.case(&wrong, false, true, &failing(&[must(2)]));
        evidence.case(&success, false, true, &failing(&[must(2)]));
        let reports: Vec<RuleReport> = [must(2), must(0), may(2), may(3)]
            .into_iter()
            .map(failed)
            .collect();
        let groups = evidence.groups(&reports);
        assert_eq!(
            groups,
            vec![FailureGroup {
                rules: vec![must(0), may(2), may(3)],
                answer: "400 InternalFailure".to_owned(),
                scope: "every valid request".to_owned(),
            }]
        );
    }

    #[test]
    fn distinct_defects_answered_with_successes_are_not_grouped() {
        // A target that checks neither stacks nor apps: two defects, both answered 200.
        let mut evidence = Evidence::default();
        let success = observation(200, wire::CONTENT_TYPE, r#"{"DeploymentId":"d"}"#);
        let error = observation(
            400,
            wire::CONTENT_TYPE,
            r#"{"__type":"ValidationException"}"#,
        );
        evidence.case(&success, true, false, &Judgement::default());
        evidence.case(&success, false, true, &failing(&[must(2)]));
        evidence.case(&success, false, true, &failing(&[must(3)]));
        evidence.case(&error, false, true, &Judgement::default());
        let reports: Vec<RuleReport> = [must(2), must(3)].into_iter().map(failed).collect();
        assert!(evidence.groups(&reports).is_empty());
    }

    #[test]
    fn the_same_answer_to_every_request_groups_with_the_server_error_rule_first() {
        let mut evidence = Evidence::default();
        let answer = observation(200, "text/html", "<ListAllMyBucketsResult/>");
        evidence.probe("probe".to_owned(), &answer);
        evidence.case(&answer, true, false, &failing(&[shape(0)]));
        evidence.case(&answer, false, true, &failing(&[must(1), answered()]));
        let reports: Vec<RuleReport> = [shape(0), answered(), must(1)]
            .into_iter()
            .map(failed)
            .collect();
        let groups = evidence.groups(&reports);
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0].rules, vec![answered(), shape(0), must(1)]);
        assert_eq!(groups[0].scope, "every request");
    }

    #[test]
    fn the_class_read_from_a_judgement_is_the_class_read_from_the_answer() {
        let world = crate::world::World::bundled();
        let valid = crate::contract::CreateDeploymentInput::new(
            &world.stacks[0].stack_id,
            crate::contract::CommandName::Setup,
        )
        .to_raw();
        for raw in [valid, RawRequest::json("{}")] {
            let verdict = crate::oracle::judge_request(
                &world,
                &raw,
                &crate::oracle::CallerIdentity::Unsigned,
            );
            for response in [
                observation(200, wire::CONTENT_TYPE, r#"{"DeploymentId":"d"}"#),
                observation(200, wire::CONTENT_TYPE, r#"{"DeploymentId":""}"#),
                observation(201, wire::CONTENT_TYPE, r#"{"DeploymentId":"d"}"#),
                observation(200, "text/html", "<x/>"),
                observation(
                    400,
                    wire::CONTENT_TYPE,
                    r#"{"__type":"a#ValidationException"}"#,
                ),
                observation(404, "text/html", "<html/>"),
                observation(503, wire::CONTENT_TYPE, r#"{"__type":"Busy"}"#),
                Err(TransportFailure::new(TransportFailureKind::Dropped, "x")),
            ] {
                let judgement = crate::oracle::judge_response(&verdict, &response);
                assert_eq!(
                    AnswerClass::judged(&response, &judgement),
                    AnswerClass::of(&response),
                    "{response:?}"
                );
            }
        }
    }

    #[test]
    fn the_same_answer_is_a_finding_only_when_valid_and_refused_requests_got_it() {
        // `--only V-STACK-REQUIRED` against a correct target: every case refused alike.
        let mut evidence = Evidence::default();
        let refused = observation(
            400,
            wire::CONTENT_TYPE,
            r#"{"__type":"ValidationException"}"#,
        );
        for _ in 0..5 {
            evidence.case(&refused, false, true, &Judgement::default());
        }
        evidence.probe("probe".to_owned(), &refused);
        let check = evidence.endpoint_check().unwrap();
        assert_eq!(check.finding, EndpointFinding::AwsJson);
        assert_eq!(check.line, None);
    }
}
