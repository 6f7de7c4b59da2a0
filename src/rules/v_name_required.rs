//! `V-NAME-REQUIRED` (MUST): `Command.Name` missing or null.

use super::prelude::*;

/// The catalogue entry of `V-NAME-REQUIRED`.
pub(crate) const RULE: Rule = Rule {
    id: RuleId::new("V-NAME-REQUIRED"),
    severity: Severity::Must,
    group: Group::Validation,
    summary: "Command.Name missing or null -> ValidationException",
    source: "seed, model",
    doc: RuleDoc {
        condition: "`Command.Name` missing or null",
        expected: "`ValidationException`",
        why: "`Command.Name` is required: it says what the deployment does.",
    },
    facts: RuleFacts::USUAL,
};

/// The requests that exercise the rule.
pub(super) fn family(f: &Families<'_>) -> Option<BoxedStrategy<Case>> {
    Some(
        (f.inputs()?, 0usize..3)
            .prop_map(|(case, kind)| {
                let mut object = body_object(&case.input.unwrap_or_default());
                let (label, command) = match kind {
                    0 => ("Command {}", json!({})),
                    1 => ("Name null", json!({"Name": null})),
                    _ => ("Args without Name", json!({"Args": {"recipes": ["a::b"]}})),
                };
                object.insert("Command".to_owned(), command);
                json_case(case.rule, label, object, case.signing)
            })
            .boxed(),
    )
}

/// The oracle's part: `Command.Name` is missing or `null`.
pub(crate) fn judge(reading: &mut Reading) {
    reading.finding(
        RULE.id,
        codes(&[ErrorCode::ValidationException]),
        Tier::Request,
        "Command.Name is missing or null",
    );
}
