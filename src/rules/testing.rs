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
            && rule.form == crate::contract::AnswerForm::Beyond
            && !rule.across_requests
    })
}

/// The `n`th rule (from 0) that judges the given part of an answer's form.
pub(crate) fn form_rule(n: usize, form: crate::contract::AnswerForm) -> RuleId {
    nth_rule_with(n, |rule| rule.form == form)
}
