//! `M-EMPTY-STRING-IDS` (MAY): `""` as `StackId`, `AppId` or a list element (`ValidationException` or `ResourceNotFoundException`).

use super::prelude::*;

/// The catalogue entry of `M-EMPTY-STRING-IDS`.
pub(crate) const RULE: Rule = Rule {
    id: RuleId::new("M-EMPTY-STRING-IDS"),
    severity: Severity::May,
    group: Group::ImplementationDefined,
    summary: "\"\" as StackId, AppId or a list element (ValidationException or ResourceNotFoundException)",
    source: "catalogue",
    doc: RuleDoc {
        condition: "`\"\"` as `StackId`, `AppId` or a list element (`ValidationException` or `ResourceNotFoundException`)",
        expected: "implementation-defined: both behaviours pass, and the report records which",
        why: "An empty id names nothing; the sources do not say whether that is a validation or an existence error.",
    },
    facts: RuleFacts {
        reference_rejects: true,
        ..RuleFacts::USUAL
    },
};

/// The requests that exercise the rule.
pub(super) fn family(f: &Families<'_>) -> Option<BoxedStrategy<Case>> {
    Some(
        (f.inputs()?, 0usize..4)
            .prop_map(|(case, kind)| {
                let mut input = case.input.unwrap_or_default();
                let label = match kind {
                    0 => {
                        input.stack_id = Some(String::new());
                        "StackId \"\""
                    }
                    1 => {
                        input = with_command(input, CommandName::Deploy);
                        input.app_id = Some(String::new());
                        "AppId \"\""
                    }
                    2 => {
                        input
                            .instance_ids
                            .get_or_insert_with(Vec::new)
                            .push(String::new());
                        "\"\" in InstanceIds"
                    }
                    _ => {
                        input
                            .layer_ids
                            .get_or_insert_with(Vec::new)
                            .insert(0, String::new());
                        "\"\" in LayerIds"
                    }
                };
                Case::typed(case.rule, label, input, case.signing)
            })
            .boxed(),
    )
}

/// The oracle's part: the id `what` (`StackId`, `AppId`, an element of a list) is `""`.
pub(crate) fn judge(reading: &mut Reading, what: &str) {
    reading.may(
        RULE.id,
        false,
        &[
            ErrorCode::ValidationException,
            ErrorCode::ResourceNotFoundException,
        ],
        Tier::Existence,
        format!("{what} is \"\""),
    );
}
