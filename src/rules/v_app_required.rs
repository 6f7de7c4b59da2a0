//! `V-APP-REQUIRED` (MUST): an app command (`deploy`, `rollback`, `start`, `stop`, `restart`, `undeploy`) without `AppId`.

use super::prelude::*;

/// The catalogue entry of `V-APP-REQUIRED`.
pub(crate) const RULE: Rule = Rule {
    id: RuleId::new("V-APP-REQUIRED"),
    severity: Severity::Must,
    group: Group::Validation,
    summary: "an app command (deploy, rollback, start, stop, restart, undeploy) without AppId -> ValidationException",
    source: "seed",
    doc: RuleDoc {
        condition: "an app command (`deploy`, `rollback`, `start`, `stop`, `restart`, `undeploy`) without `AppId`",
        expected: "`ValidationException`",
        why: "The documentation: app commands act on an app, so they need `AppId`.",
    },
    facts: RuleFacts {
        in_sequences: 1,
        ..RuleFacts::USUAL
    },
};

/// The requests that exercise the rule.
pub(super) fn family(f: &Families<'_>) -> Option<BoxedStrategy<Case>> {
    Some(
        (f.inputs()?, app_command())
            .prop_map(|(case, name)| {
                let mut input = with_command(case.input.unwrap_or_default(), name);
                input.app_id = None;
                Case::typed(case.rule, "app command without AppId", input, case.signing)
            })
            .boxed(),
    )
}

/// The oracle's part: the app command `command`, with an `AppId` (of any type) or not.
pub(crate) fn judge(reading: &mut Reading, command: CommandName, app_id_given: bool) {
    if !app_id_given {
        reading.finding(
            RULE.id,
            codes(&[ErrorCode::ValidationException]),
            Tier::Request,
            format!("{command} without AppId"),
        );
    }
}
