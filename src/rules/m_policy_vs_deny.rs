//! `M-POLICY-VS-DENY` (MAY): a user with level `deny` on the stack whose attached policy grants the action.

use super::prelude::*;

/// The catalogue entry of `M-POLICY-VS-DENY`.
pub(crate) const RULE: Rule = Rule {
    id: RuleId::new("M-POLICY-VS-DENY"),
    severity: Severity::May,
    group: Group::ImplementationDefined,
    summary: "a user with level deny on the stack whose attached policy grants the action",
    source: "catalogue",
    doc: RuleDoc {
        condition: "a user with level `deny` on the stack whose attached policy grants the action",
        expected: "implementation-defined: both behaviours pass, and the report records which",
        why: "The sources do not say whether an attached policy overrides a stack level of deny.",
    },
    facts: RuleFacts {
        discovered: InDiscoveredWorld::NeedsUsers,
        reference_rejects: true,
        needs: Some("no user of the world has level deny and a policy granting the action"),
        ..RuleFacts::USUAL
    },
};

/// Valid requests by users with level deny whose attached policy grants the action.
pub(super) fn family(f: &Families<'_>) -> Option<BoxedStrategy<Case>> {
    f.permission(RULE.id, |level, policy| level == Some(PermissionLevel::Deny) && policy)
}

/// The oracle's part: `user` has level deny on `stack_id`, and a policy granting the action.
/// Judged once the members are read (the registry's `(after_members)`): a caller whose level on
/// the stack is `deny`, and whom a policy grants the action.
pub(crate) fn judge(reading: &mut Reading, read: &ReadRequest<'_, '_>) {
    let (Some(user), Some(stack_id)) = (read.user, read.stack_id) else {
        return;
    };
    let level = stack_id.key().and_then(|id| user.level_on(id));
    if level != Some(PermissionLevel::Deny)
        || !user.policy_allows(stack_id.key().unwrap_or("*"))
    {
        return;
    }
    reading.may(
        RULE.id,
        true,
        &[ErrorCode::AccessDeniedException],
        Tier::Permission,
        format!(
            "{:?} has level deny on {stack_id:?} but a policy granting the action",
            user.access_key_id
        ),
    );
}
