//! `N-INSTANCE` (MUST): an element of `InstanceIds` names no instance of that stack (same note).

use super::prelude::*;

/// The catalogue entry of `N-INSTANCE`.
pub(crate) const RULE: Rule = Rule {
    id: RuleId::new("N-INSTANCE"),
    severity: Severity::Must,
    group: Group::Existence,
    summary: "an element of InstanceIds names no instance of that stack (same note) -> ResourceNotFoundException",
    source: "model",
    doc: RuleDoc {
        condition: "an element of `InstanceIds` names no instance of that stack (same note)",
        expected: "`ResourceNotFoundException`",
        why: "The model lists `ResourceNotFoundException`: every instance deployed to must be an instance of the stack.",
    },
    facts: RuleFacts::USUAL,
};

/// Valid requests with one instance id the stack does not have.
pub(super) fn family(f: &Families<'_>) -> Option<BoxedStrategy<Case>> {
    f.missing_target(RULE.id, true)
}

/// The oracle's part: the `InstanceIds` of a request to `stack` (of `world`), named `stack_id`.
pub(crate) fn judge(
    reading: &mut Reading,
    world: &World,
    (stack, stack_id): (&Stack, impl std::fmt::Debug),
    list: Strings<'_>,
) {
    super::existence::judge_ids_in_stack(
        reading,
        (RULE.id, "InstanceIds"),
        stack_id,
        list,
        |id| stack.instance(id).is_some(),
        |id| world.stack_of_instance(id).is_some(),
    );
}
