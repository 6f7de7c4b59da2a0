//! `N-LAYER` (MUST): an element of `LayerIds` names no layer of that stack (same note).

use super::prelude::*;

/// The catalogue entry of `N-LAYER`.
pub(crate) const RULE: Rule = Rule {
    id: RuleId::new("N-LAYER"),
    severity: Severity::Must,
    group: Group::Existence,
    summary: "an element of LayerIds names no layer of that stack (same note) -> ResourceNotFoundException",
    source: "model",
    doc: RuleDoc {
        condition: "an element of `LayerIds` names no layer of that stack (same note)",
        expected: "`ResourceNotFoundException`",
        why: "The model lists `ResourceNotFoundException`: every layer deployed to must be a layer of the stack.",
    },
    facts: RuleFacts::USUAL,
};

/// Valid requests with one layer id the stack does not have.
pub(super) fn family(f: &Families<'_>) -> Option<BoxedStrategy<Case>> {
    f.missing_target(RULE.id, false)
}

/// The oracle's part: the `LayerIds` of a request to `stack` (of `world`), named `stack_id`.
pub(crate) fn judge(
    reading: &mut Reading,
    world: &World,
    (stack, stack_id): (&Stack, impl std::fmt::Debug),
    list: Strings<'_>,
) {
    super::existence::judge_ids_in_stack(
        reading,
        (RULE.id, "LayerIds"),
        stack_id,
        list,
        |id| stack.layer(id).is_some(),
        |id| world.stack_of_layer(id).is_some(),
    );
}
