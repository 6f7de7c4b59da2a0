//! `N-STACK` (MUST): `StackId` names no stack of the world.

use super::prelude::*;

/// The catalogue entry of `N-STACK`.
pub(crate) const RULE: Rule = Rule {
    id: RuleId::new("N-STACK"),
    severity: Severity::Must,
    group: Group::Existence,
    summary: "StackId names no stack of the world -> ResourceNotFoundException",
    source: "model",
    doc: RuleDoc {
        condition: "`StackId` names no stack of the world",
        expected: "`ResourceNotFoundException`",
        why: "The model lists `ResourceNotFoundException`: a deployment to a stack that does not exist cannot be created.",
    },
    facts: RuleFacts::USUAL,
};

/// The requests that exercise the rule.
pub(super) fn family(f: &Families<'_>) -> Option<BoxedStrategy<Case>> {
    let stacks: Vec<String> = f
        .world
        .stacks
        .iter()
        .map(|s| s.stack_id.clone())
        .collect();
    let taken = stacks.clone();
    let near = proptest::sample::select(stacks)
        .prop_flat_map(|id| near_miss_id(&id))
        .boxed();
    let candidates = one_of![absent_id(taken.clone()), near]
        .prop_filter("names no stack", move |id| !taken.contains(id));
    Some(
        (f.plain()?, candidates)
            .prop_map(|(case, stack_id)| {
                let mut input = case.input.unwrap_or_default();
                input.stack_id = Some(stack_id);
                input.instance_ids = None;
                input.layer_ids = None;
                Case::typed(
                    case.rule,
                    "unknown or near-miss StackId",
                    input,
                    case.signing,
                )
            })
            .boxed(),
    )
}

/// The oracle's part: `stack_id` (a string) names no stack of the world.
pub(crate) fn judge(reading: &mut Reading, stack_id: impl std::fmt::Debug) {
    reading.finding(
        RULE.id,
        codes(&[ErrorCode::ResourceNotFoundException]),
        Tier::Existence,
        format!("no stack {stack_id:?}"),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::CreateDeploymentInput;
    use crate::oracle::{CallerIdentity, judge_request};
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    #[test]
    fn near_misses_of_a_world_stack_break_the_rule() {
        let world = World::from_json(r#"{"Stacks":[{"StackId":"Stack-1"}]}"#).unwrap();
        let mut runner = TestRunner::deterministic();
        let strategy = near_miss_id("Stack-1");
        for _ in 0..200 {
            let near = strategy.new_tree(&mut runner).unwrap().current();
            let request = CreateDeploymentInput::new(near, CommandName::Setup).to_raw();
            let verdict = judge_request(&world, &request, &CallerIdentity::Unsigned);
            assert_eq!(verdict.broken(), vec![RULE.id]);
        }
    }
}
