//! `V-STACK-REQUIRED` (MUST): `StackId` missing or null.

use super::prelude::*;

/// The catalogue entry of `V-STACK-REQUIRED`.
pub(crate) const RULE: Rule = Rule {
    id: RuleId::new("V-STACK-REQUIRED"),
    severity: Severity::Must,
    group: Group::Validation,
    summary: "StackId missing or null -> ValidationException",
    source: "seed, model",
    doc: RuleDoc {
        condition: "`StackId` missing or null",
        expected: "`ValidationException`",
        why: "`StackId` is required by the documentation and the model: without it no stack can be deployed to.",
    },
    facts: RuleFacts::USUAL,
};

/// Valid requests without `StackId`, or with `StackId: null`.
pub(super) fn family(f: &Families<'_>) -> Option<BoxedStrategy<Case>> {
    f.without_member("StackId")
}

/// The oracle's part: `StackId` is missing or `null`.
pub(crate) fn judge(reading: &mut Reading) {
    reading.finding(
        RULE.id,
        codes(&[ErrorCode::ValidationException]),
        Tier::Request,
        "StackId is missing or null",
    );
}
