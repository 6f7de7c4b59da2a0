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
    across_requests: false,
    needs: Some("the world declares no users"),
};

/// Valid requests by users whose level and policy on the stack do not grant the action.
pub(super) fn family(f: &Families<'_>) -> Option<BoxedStrategy<Case>> {
    f.permission(|level, policy| {
        !level.is_some_and(PermissionLevel::allows_deploy) && !policy
    })
}
