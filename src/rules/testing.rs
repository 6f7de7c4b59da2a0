//! What the rules' unit tests share: small worlds and the oracle's verdict on a request.

use std::collections::BTreeMap;

use crate::contract::{CommandKind, CommandName, CreateDeploymentInput, RuleId};
use crate::oracle::{CallerIdentity, Verdict, judge_request};
use crate::world::{App, AppType, Stack, World};

/// One stack `s1` with one app of each type (`app-php`, `app-rails`, ...), two versions each.
pub(crate) fn apps_world() -> World {
    World {
        stacks: vec![Stack {
            stack_id: "s1".to_owned(),
            apps: AppType::ALL
                .into_iter()
                .map(|app_type| App {
                    app_id: app_id(app_type),
                    app_type,
                    versions: 2,
                })
                .collect(),
            ..Stack::default()
        }],
        users: Vec::new(),
    }
}

/// The id of the app of `app_type` in [`apps_world`].
pub(crate) fn app_id(app_type: AppType) -> String {
    format!(
        "app-{}",
        serde_json::to_value(app_type)
            .ok()
            .and_then(|value| value.as_str().map(str::to_owned))
            .unwrap_or_default()
    )
}

/// The verdict on `name` with `args` on stack `s1` of [`apps_world`] (and the app of
/// `app_type`, php if `None`, for app commands).
pub(crate) fn judge_args(
    name: CommandName,
    app_type: Option<AppType>,
    args: Option<BTreeMap<String, Vec<String>>>,
) -> Verdict {
    let mut input = CreateDeploymentInput::new("s1", name);
    if name.kind() == CommandKind::App {
        input = input.with_app(app_id(app_type.unwrap_or(AppType::Php)));
    }
    if let Some(command) = input.command.as_mut() {
        command.args = args;
    }
    judge_request(&apps_world(), &input.to_raw(), &CallerIdentity::Unsigned)
}

/// The verdict on a `configure` of stack `s1` with this `CustomJson`.
pub(crate) fn judge_custom_json(custom_json: String) -> Verdict {
    let world = World {
        stacks: vec![Stack {
            stack_id: "s1".to_owned(),
            ..Stack::default()
        }],
        users: Vec::new(),
    };
    let mut input = CreateDeploymentInput::new("s1", CommandName::Configure);
    input.custom_json = Some(custom_json);
    judge_request(&world, &input.to_raw(), &CallerIdentity::Unsigned)
}

/// The rules of a verdict's MAY cases.
pub(crate) fn may_rules(verdict: &Verdict) -> Vec<RuleId> {
    verdict.may_cases().iter().map(|case| case.rule).collect()
}

/// The rules of the catalogue with a fact, in catalogue order: unit tests outside the rule files
/// take their sample rules from here, by what the test needs of them, not by id.
pub(crate) fn rules_with(fact: impl Fn(&crate::contract::Rule) -> bool) -> Vec<RuleId> {
    crate::contract::CATALOGUE
        .iter()
        .filter(|rule| fact(rule))
        .map(|rule| rule.id)
        .collect()
}

/// The `n`th rule (from 0) of the catalogue with a fact; panics when fewer rules have it.
pub(crate) fn nth_rule_with(n: usize, fact: impl Fn(&crate::contract::Rule) -> bool) -> RuleId {
    let rules = rules_with(fact);
    *rules.get(n).unwrap_or_else(|| {
        panic!(
            "the catalogue has {} rules with the fact, the test needs {}",
            rules.len(),
            n + 1
        )
    })
}

/// The `n`th server rule (from 0) of `severity` that judges more than an answer's form and of
/// one request: a sample rule for tests of the runner and the reports.
pub(crate) fn plain_rule(n: usize, severity: crate::contract::Severity) -> RuleId {
    nth_rule_with(n, |rule| {
        rule.side() == crate::contract::Side::Server
            && rule.severity == severity
            && rule.facts.form == crate::contract::AnswerForm::Beyond
            && !rule.facts.across_requests
    })
}

/// The `n`th rule (from 0) that judges the given part of an answer's form.
pub(crate) fn form_rule(n: usize, form: crate::contract::AnswerForm) -> RuleId {
    nth_rule_with(n, |rule| rule.facts.form == form)
}

/// Sequences of the session (`oracle/session.rs`): one stack `s1` with apps `a1` and `b1`.
pub(crate) mod sequences {
    use crate::contract::{Observation, RawRequest, Response, RuleId};
    use crate::oracle::{Judgement, Session};
    use crate::world::World;

    /// One stack with apps `a1` (`a1` stored versions) and `b1` (2), no layers or instances.
    pub(crate) fn small_world(a1: u8) -> World {
        World::from_json(&format!(
            r#"{{"Stacks":[{{"StackId":"s1","Apps":[{{"AppId":"a1","Type":"php","Versions":{a1}}},{{"AppId":"b1","Type":"php","Versions":2}}]}}]}}"#
        ))
        .unwrap_or_else(|error| panic!("{error}"))
    }

    pub(crate) fn rollback_body(app: &str, extra: &str) -> String {
        format!(r#"{{"StackId":"s1","AppId":"{app}","Command":{{"Name":"rollback"}}{extra}}}"#)
    }

    pub(crate) fn rollback(app: &str) -> RawRequest {
        RawRequest::json(rollback_body(app, ""))
    }

    /// A rollback rejected for an instance that does not exist.
    pub(crate) fn rollback_unknown_instance(app: &str) -> RawRequest {
        RawRequest::json(rollback_body(app, r#","InstanceIds":["i-none"]"#))
    }

    pub(crate) fn success(id: &str) -> Response {
        Ok(Observation::json(
            200,
            format!(r#"{{"DeploymentId":"{id}"}}"#),
        ))
    }

    pub(crate) fn refused(code: &str) -> Response {
        Ok(Observation::json(
            400,
            format!(r#"{{"__type":"{code}","message":"no"}}"#),
        ))
    }

    pub(crate) fn versions(session: &Session, app: &str) -> Option<u8> {
        session
            .world()
            .stack("s1")
            .and_then(|stack| stack.app(app))
            .map(|app| app.versions)
    }

    pub(crate) fn failed_rules(judgement: &Judgement) -> Vec<RuleId> {
        judgement.failures().map(|check| check.rule).collect()
    }
}
