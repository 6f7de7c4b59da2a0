//! `A-PERMISSION` (MUST): the user's level on the stack is not `deploy` or `manage` (levels: `deny`, `show`, `deploy`, `manage`, `iam_only`; no entry means no access), and no attached policy grants it.

use super::prelude::*;

/// The catalogue entry of `A-PERMISSION`.
pub(crate) const RULE: Rule = Rule {
    id: RuleId::new("A-PERMISSION"),
    severity: Severity::Must,
    group: Group::Access,
    summary: "the user's level on the stack is not deploy or manage (levels: deny, show, deploy, manage, iam_only; no entry means no access), and no attached policy grants it -> AccessDeniedException",
    source: "seed (\"Required Permissions\")",
    doc: RuleDoc {
        condition: "the user's level on the stack is not `deploy` or `manage` (levels: `deny`, `show`, `deploy`, `manage`, `iam_only`; no entry means no access), and no attached policy grants it",
        expected: "`AccessDeniedException`",
        why: "The documentation's Required Permissions: only a user with level deploy or manage, or an attached policy that grants it, may create a deployment.",
    },
    facts: RuleFacts {
        discovered: InDiscoveredWorld::NeedsUsers,
        needs: Some("the world declares no users"),
        ..RuleFacts::USUAL
    },
};

/// Valid requests by users whose level and policy on the stack do not grant the action.
pub(super) fn family(f: &Families<'_>) -> Option<BoxedStrategy<Case>> {
    f.permission(RULE.id, |level, policy| {
        !level.is_some_and(PermissionLevel::allows_deploy) && !policy
    })
}

/// The oracle's part: `user` has `level` on `stack_id` (`None`: no entry), which does not
/// allow deploying, and no policy granting the action.
/// Judged once the members are read (the registry's `(after_members)`): a caller whose level on
/// the stack does not allow deploying, and whom no policy grants the action. An id that names
/// nothing has no level; only a policy on every stack (`"*"`) grants it.
pub(crate) fn judge(reading: &mut Reading, read: &ReadRequest<'_, '_>) {
    let (Some(user), Some(stack_id)) = (read.user, read.stack_id) else {
        return;
    };
    let level = stack_id.key().and_then(|id| user.level_on(id));
    if level.is_some_and(PermissionLevel::allows_deploy)
        || user.policy_allows(stack_id.key().unwrap_or("*"))
    {
        return;
    }
    reading.finding(
        RULE.id,
        codes(&[ErrorCode::AccessDeniedException]),
        Tier::Permission,
        format!(
            "{:?} has level {} on {stack_id:?} and no policy granting the action",
            user.access_key_id,
            level.map_or("none".to_owned(), |level| format!("{level:?}"))
        ),
    );
}
