//! `A-SIGNATURE-REQUIRED` (MUST): no `Authorization` header.

use super::prelude::*;

/// The catalogue entry of `A-SIGNATURE-REQUIRED`.
pub(crate) const RULE: Rule = Rule {
    id: RuleId::new("A-SIGNATURE-REQUIRED"),
    severity: Severity::Must,
    group: Group::Access,
    summary: "no Authorization header -> 4xx error (MissingAuthenticationTokenException preferred, status 400 or 403)",
    source: "stance (AWS common errors)",
    doc: RuleDoc {
        condition: "no `Authorization` header",
        expected: "4xx error (`MissingAuthenticationTokenException` preferred, status 400 or 403)",
        why: "AWS APIs refuse unsigned requests (`MissingAuthenticationTokenException`); an emulator that accepts them hides a client that forgets to sign.",
    },
    facts: RuleFacts {
        discovered: InDiscoveredWorld::NeedsUsers,
        needs: Some("the world declares no users"),
        ..RuleFacts::USUAL
    },
};

/// Valid requests, unsigned (none when the world declares no users).
pub(super) fn family(f: &Families<'_>) -> Option<BoxedStrategy<Case>> {
    f.signed(|_| Signing::Unsigned)
}

/// The oracle's part: the request carries no `Authorization` header (the world has users).
pub(crate) fn judge(reading: &mut Reading) {
    reading.finding(
        RULE.id,
        vec![Expectation::AnyError {
            preferred: ErrorCode::MissingAuthenticationTokenException,
        }],
        Tier::Access,
        "no Authorization header",
    );
}
