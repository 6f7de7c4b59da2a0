//! `O-PRECEDENCE` (SHOULD): a request that breaks rules of several groups.

use super::prelude::*;

/// The catalogue entry of `O-PRECEDENCE`.
pub(crate) const RULE: Rule = Rule {
    id: RuleId::new("O-PRECEDENCE"),
    severity: Severity::Should,
    group: Group::Behaviour,
    summary: "a request that breaks rules of several groups -> the first group in this order decides the code: access (signature, key) > protocol and validation > existence > permission > rollback depth. Without --strict, any code of a broken rule is accepted",
    source: "stance",
    doc: RuleDoc {
        condition: "a request that breaks rules of several groups",
        expected: "the first group in this order decides the code: access (signature, key) > protocol and validation > existence > permission > rollback depth. Without `--strict`, any code of a broken rule is accepted",
        why: "AWS checks access first, then the request, then resources, then permission; clients that branch on the code see the code of the first broken group.",
    },
    facts: RuleFacts::USUAL,
};

/// O-PRECEDENCE: rules of several groups broken at once.
pub(super) fn family(f: &Families<'_>) -> Option<BoxedStrategy<Case>> {
    let taken: Vec<String> = f
        .world
        .stacks
        .iter()
        .map(|s| s.stack_id.clone())
        .collect();
    let users = f.world.has_users();
    Some(
        (f.plain()?, absent_id(taken), 0usize..3)
            .prop_map(move |(case, stack_id, kind)| {
                let mut object = body_object(&case.input.unwrap_or_default());
                match kind {
                    0 => {
                        object.insert("StackId".to_owned(), Value::String(stack_id));
                        object.insert("Comment".to_owned(), json!(5));
                        json_case(
                            case.rule,
                            "wrong type and unknown stack",
                            object,
                            case.signing,
                        )
                    }
                    1 if users => {
                        object.remove("Command");
                        json_case(
                            case.rule,
                            "unsigned and no Command",
                            object,
                            Signing::Unsigned,
                        )
                    }
                    _ => {
                        object.insert("StackId".to_owned(), Value::String(stack_id));
                        object.insert(
                            "Command".to_owned(),
                            json!({"Name": "execute_recipes", "Args": {"recipes": []}}),
                        );
                        json_case(
                            case.rule,
                            "no recipes and unknown stack",
                            object,
                            case.signing,
                        )
                    }
                }
            })
            .boxed(),
    )
}

/// The oracle's part, for an allowed error of a request that breaks rules of several tiers:
/// the rule passed, unless the allowance warns of it (the error is of a later tier).
pub(crate) fn judge(judgement: &mut Judgement, warned: &[RuleId], expected: &str, found: &str) {
    if !warned.contains(&RULE.id) {
        judgement.check(RULE.id, Status::Passed, expected, found);
    }
}

/// The rules an allowance warns of when its reason is of `tier` and the request's first broken
/// tier is `top`: this rule when the reason comes later than the top.
pub(crate) fn warns(tier: Tier, top: Tier) -> Vec<RuleId> {
    if tier > top {
        vec![RULE.id]
    } else {
        Vec::new()
    }
}
