//! `M-NULL-OPTIONAL` (MAY): `null` for an optional member (treated as absent, or rejected).

use super::prelude::*;

/// The catalogue entry of `M-NULL-OPTIONAL`.
pub(crate) const RULE: Rule = Rule {
    id: RuleId::new("M-NULL-OPTIONAL"),
    severity: Severity::May,
    group: Group::ImplementationDefined,
    summary: "null for an optional member (treated as absent, or rejected)",
    source: "catalogue",
    doc: RuleDoc {
        condition: "`null` for an optional member (treated as absent, or rejected)",
        expected: "implementation-defined: both behaviours pass, and the report records which",
        why: "JSON `null` for an optional member: smithy clients never send it, and servers differ on reading it as absent.",
    },
    facts: RuleFacts::USUAL,
};

/// The requests that exercise the rule.
pub(super) fn family(f: &Families<'_>) -> Option<BoxedStrategy<Case>> {
    let members = [
        "AppId",
        "InstanceIds",
        "LayerIds",
        "Comment",
        "CustomJson",
        "Args",
    ];
    Some(
        (f.plain()?, proptest::sample::select(members.to_vec()))
            .prop_map(|(case, member)| {
                let mut object = body_object(&case.input.unwrap_or_default());
                if member == "Args" {
                    if let Some(Value::Object(command)) = object.get_mut("Command") {
                        command.insert("Args".to_owned(), Value::Null);
                    }
                } else {
                    object.insert(member.to_owned(), Value::Null);
                }
                json_case(case.rule, "null optional member", object, case.signing)
            })
            .boxed(),
    )
}

/// The oracle's part: the optional member `name` is `null` (treated as absent, or rejected).
pub(crate) fn judge(reading: &mut Reading, name: &str) {
    reading.may(
        RULE.id,
        true,
        &[
            ErrorCode::ValidationException,
            ErrorCode::SerializationException,
        ],
        Tier::Request,
        format!("{name} is null"),
    );
}
