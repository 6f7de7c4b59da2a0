//! `M-EMPTY-LISTS` (MAY): `InstanceIds: []` or `LayerIds: []`.

use super::prelude::*;

/// The catalogue entry of `M-EMPTY-LISTS`.
pub(crate) const RULE: Rule = Rule {
    id: RuleId::new("M-EMPTY-LISTS"),
    severity: Severity::May,
    group: Group::ImplementationDefined,
    summary: "InstanceIds: [] or LayerIds: []",
    source: "catalogue",
    doc: RuleDoc {
        condition: "`InstanceIds: []` or `LayerIds: []`",
        expected: "implementation-defined: both behaviours pass, and the report records which",
        why: "The sources do not say whether an empty list means no target or is an error.",
    },
    facts: RuleFacts::USUAL,
};

/// The requests that exercise the rule.
pub(super) fn family(f: &Families<'_>) -> Option<BoxedStrategy<Case>> {
    Some(
        (f.inputs()?, any::<bool>())
            .prop_map(|(case, instances)| {
                let mut input = case.input.unwrap_or_default();
                if instances {
                    input.instance_ids = Some(Vec::new());
                } else {
                    input.layer_ids = Some(Vec::new());
                }
                Case::typed(case.rule, "an empty list", input, case.signing)
            })
            .boxed(),
    )
}

/// The oracle's part: the list member `name` was read; `empty` when it is `[]`.
pub(crate) fn judge(reading: &mut Reading, name: &str, empty: bool) {
    if empty {
        reading.may(
            RULE.id,
            true,
            &[ErrorCode::ValidationException],
            Tier::Request,
            format!("{name} is []"),
        );
    }
}
