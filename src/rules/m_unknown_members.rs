//! `M-UNKNOWN-MEMBERS` (MAY): an unknown top-level member (ignored, or rejected).

use super::prelude::*;

/// The catalogue entry of `M-UNKNOWN-MEMBERS`.
pub(crate) const RULE: Rule = Rule {
    id: RuleId::new("M-UNKNOWN-MEMBERS"),
    severity: Severity::May,
    group: Group::ImplementationDefined,
    summary: "an unknown top-level member (ignored, or rejected)",
    source: "catalogue",
    doc: RuleDoc {
        condition: "an unknown top-level member (ignored, or rejected)",
        expected: "implementation-defined: both behaviours pass, and the report records which",
        why: "Servers differ on unknown members: AWS ignores them, strict emulators refuse them.",
    },
    facts: RuleFacts::USUAL,
};

/// The requests that exercise the rule.
pub(super) fn family(f: &Families<'_>) -> Option<BoxedStrategy<Case>> {
    let names = [
        "stackId",
        "Extra",
        "DeploymentId",
        "Region",
        "Command.Foo",
        "x-amz-meta",
    ];
    Some(
        (f.inputs()?, proptest::sample::select(names.to_vec()))
            .prop_map(|(case, name)| {
                let mut object = body_object(&case.input.unwrap_or_default());
                if let Some(inner) = name.strip_prefix("Command.") {
                    if let Some(Value::Object(command)) = object.get_mut("Command") {
                        command.insert(inner.to_owned(), json!("x"));
                    }
                } else {
                    object.insert(name.to_owned(), json!("x"));
                }
                json_case(case.rule, "an unknown member", object, case.signing)
            })
            .boxed(),
    )
}

/// The oracle's part: an unknown member (`detail` names it) of the body or of `Command`.
pub(crate) fn judge(reading: &mut Reading, detail: String) {
    reading.may(
        RULE.id,
        true,
        &[
            ErrorCode::ValidationException,
            ErrorCode::SerializationException,
        ],
        Tier::Request,
        detail,
    );
}
