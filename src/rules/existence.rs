//! What the rules of ids in lists (`N-INSTANCE`, `N-LAYER`) share: the judgement of a list whose
//! elements must name things of the request's stack.

use super::prelude::*;

/// The finding of `rule` for the first element of `list` (the request's `member`) that names
/// nothing in the stack (`in_stack` false): `ResourceNotFoundException`, and also
/// `ValidationException` when an element names something of another stack (`in_world`).
pub(super) fn judge_ids_in_stack(
    reading: &mut Reading,
    (rule, member): (RuleId, &str),
    stack_id: impl std::fmt::Debug,
    list: Strings<'_>,
    in_stack: impl Fn(&str) -> bool,
    in_world: impl Fn(&str) -> bool,
) {
    let mut first_missing = None;
    let mut elsewhere = false;
    for id in list
        .ids()
        .filter(|id| id.key().is_none_or(|id| !in_stack(id)))
    {
        first_missing.get_or_insert(id);
        elsewhere = elsewhere || id.key().is_some_and(&in_world);
    }
    if let Some(first) = first_missing {
        let mut expected = codes(&[ErrorCode::ResourceNotFoundException]);
        if elsewhere {
            expected.push(Expectation::Error(ErrorCode::ValidationException));
        }
        reading.finding(
            rule,
            expected,
            Tier::Existence,
            format!("{member}: no {first:?} in stack {stack_id:?}"),
        );
    }
}
