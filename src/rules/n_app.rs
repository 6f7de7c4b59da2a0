//! `N-APP` (MUST): `AppId` names no app of that stack (an app of *another* stack: `ValidationException` is accepted too).

use super::prelude::*;

/// The catalogue entry of `N-APP`.
pub(crate) const RULE: Rule = Rule {
    id: RuleId::new("N-APP"),
    severity: Severity::Must,
    group: Group::Existence,
    summary: "AppId names no app of that stack (an app of *another* stack: ValidationException is accepted too) -> ResourceNotFoundException",
    source: "model",
    doc: RuleDoc {
        condition: "`AppId` names no app of that stack (an app of *another* stack: `ValidationException` is accepted too)",
        expected: "`ResourceNotFoundException`",
        why: "The model lists `ResourceNotFoundException`: an app must be an app of the stack deployed to.",
    },
    facts: RuleFacts {
        in_sequences: 1,
        ..RuleFacts::USUAL
    },
};

/// The requests that exercise the rule.
pub(super) fn family(f: &Families<'_>) -> Option<BoxedStrategy<Case>> {
    let all_apps: Vec<String> = f
        .world
        .stacks
        .iter()
        .flat_map(|stack| stack.apps.iter().map(|app| app.app_id.clone()))
        .collect();
    f.per_pair(
        |_| true,
        |stack, signing| {
            let own: Vec<String> = stack.apps.iter().map(|app| app.app_id.clone()).collect();
            let mut sources = all_apps.clone();
            if sources.is_empty() {
                sources.push(stack.stack_id.clone());
            }
            let near = proptest::sample::select(sources)
                .prop_flat_map(|id| near_miss_id(&id))
                .boxed();
            let others: Vec<String> = all_apps
                .iter()
                .filter(|id| !own.contains(id))
                .cloned()
                .collect();
            let mut arms = vec![absent_id(all_apps.clone()).boxed(), near];
            if !own.is_empty() {
                // Near misses of the stack's own apps (other case, padding, a prefix): what
                // a lax lookup in the right stack would wrongly match.
                arms.push(
                    proptest::sample::select(own.clone())
                        .prop_flat_map(|id| near_miss_id(&id))
                        .boxed(),
                );
            }
            if !others.is_empty() {
                arms.push(proptest::sample::select(others).boxed());
            }
            let own_filter = own.clone();
            let candidates = OneOf::uniform(arms)
                .prop_filter("not an app of the stack", move |id| {
                    !own_filter.contains(id)
                });
            Some(
                (valid_input(stack), app_command(), candidates)
                    .prop_map(move |(input, name, app_id)| {
                        let mut input = with_command(input, name);
                        input.app_id = Some(app_id);
                        Case::typed(
                            RULE.id,
                            "AppId of no app of the stack",
                            input,
                            signing.clone(),
                        )
                    })
                    .boxed(),
            )
        },
    )
}

/// The oracle's part: `app_id` names no app of the stack `stack_id` (but one of another stack
/// when `elsewhere`: then `ValidationException` is accepted too).
pub(crate) fn judge(
    reading: &mut Reading,
    app_id: impl std::fmt::Debug,
    stack_id: impl std::fmt::Debug,
    elsewhere: bool,
) {
    let mut expected = codes(&[ErrorCode::ResourceNotFoundException]);
    if elsewhere {
        expected.push(Expectation::Error(ErrorCode::ValidationException));
    }
    reading.finding(
        RULE.id,
        expected,
        Tier::Existence,
        format!("no app {app_id:?} in stack {stack_id:?}"),
    );
}
