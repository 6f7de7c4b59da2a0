//! `M-DUPLICATE-IDS` (MAY): the same id twice in `InstanceIds` or `LayerIds`.

use super::prelude::*;

/// The catalogue entry of `M-DUPLICATE-IDS`.
pub(crate) const RULE: Rule = Rule {
    id: RuleId::new("M-DUPLICATE-IDS"),
    severity: Severity::May,
    group: Group::ImplementationDefined,
    summary: "the same id twice in InstanceIds or LayerIds",
    source: "catalogue",
    doc: RuleDoc {
        condition: "the same id twice in `InstanceIds` or `LayerIds`",
        expected: "implementation-defined: both behaviours pass, and the report records which",
        why: "The sources do not say whether the same instance or layer named twice is one target or an error.",
    },
    facts: RuleFacts::USUAL,
};

/// The requests that exercise the rule.
pub(super) fn family(f: &Families<'_>) -> Option<BoxedStrategy<Case>> {
    f.per_pair(
        |stack| !stack.instances.is_empty() || !stack.layers.is_empty(),
        |stack, signing| {
            let instances: Vec<String> = stack
                .instances
                .iter()
                .map(|i| i.instance_id.clone())
                .collect();
            let layers: Vec<String> = stack.layers.iter().map(|l| l.layer_id.clone()).collect();
            let mut arms: Vec<BoxedStrategy<(bool, String)>> = Vec::new();
            if !instances.is_empty() {
                arms.push(
                    proptest::sample::select(instances)
                        .prop_map(|id| (true, id))
                        .boxed(),
                );
            }
            if !layers.is_empty() {
                arms.push(
                    proptest::sample::select(layers)
                        .prop_map(|id| (false, id))
                        .boxed(),
                );
            }
            Some(
                (valid_input(stack), OneOf::uniform(arms))
                    .prop_map(move |(mut input, (instance, id))| {
                        let list = vec![id.clone(), id];
                        if instance {
                            input.instance_ids = Some(list);
                        } else {
                            input.layer_ids = Some(list);
                        }
                        Case::typed(
                            RULE.id,
                            "the same id twice",
                            input,
                            signing.clone(),
                        )
                    })
                    .boxed(),
            )
        },
    )
}

/// The oracle's part: the list member `name` was read; `duplicates` when it names an id twice.
pub(crate) fn judge(reading: &mut Reading, name: &str, duplicates: bool) {
    if duplicates {
        reading.may(
            RULE.id,
            true,
            &[ErrorCode::ValidationException],
            Tier::Request,
            format!("{name} names an id twice"),
        );
    }
}
