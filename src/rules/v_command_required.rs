//! `V-COMMAND-REQUIRED` (MUST): `Command` missing or null.

use super::prelude::*;

/// The catalogue entry of `V-COMMAND-REQUIRED`.
pub(crate) const RULE: Rule = Rule {
    id: RuleId::new("V-COMMAND-REQUIRED"),
    severity: Severity::Must,
    group: Group::Validation,
    summary: "Command missing or null -> ValidationException",
    source: "seed, model",
    doc: RuleDoc {
        condition: "`Command` missing or null",
        expected: "`ValidationException`",
        why: "`Command` is required by the documentation and the model: without it nothing can be deployed.",
    },
    facts: RuleFacts::USUAL,
};

/// Valid requests without `Command`, or with `Command: null`.
pub(super) fn family(f: &Families<'_>) -> Option<BoxedStrategy<Case>> {
    f.without_member("Command")
}

/// The oracle's part: `Command` is missing or `null`.
pub(crate) fn judge(reading: &mut Reading) {
    reading.finding(
        RULE.id,
        codes(&[ErrorCode::ValidationException]),
        Tier::Request,
        "Command is missing or null",
    );
}
