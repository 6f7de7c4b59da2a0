//! `A-KEY-KNOWN` (MUST): signed with an access key id the world does not list.

use super::prelude::*;

/// The catalogue entry of `A-KEY-KNOWN`.
pub(crate) const RULE: Rule = Rule {
    id: RuleId::new("A-KEY-KNOWN"),
    severity: Severity::Must,
    group: Group::Access,
    summary: "signed with an access key id the world does not list -> 4xx error (UnrecognizedClientException preferred)",
    source: "stance",
    doc: RuleDoc {
        condition: "signed with an access key id the world does not list",
        expected: "4xx error (`UnrecognizedClientException` preferred)",
        why: "AWS refuses an access key it does not know (`UnrecognizedClientException`).",
    },
    facts: RuleFacts {
        discovered: InDiscoveredWorld::NeedsUsers,
        needs: Some("the world declares no users"),
        ..RuleFacts::USUAL
    },
};

/// Valid requests signed with an access key the world does not list.
pub(super) fn family(f: &Families<'_>) -> Option<BoxedStrategy<Case>> {
    f.signed(|_| Signing::UnknownKey("AKIDUNKNOWN000000000".to_owned()))
}

/// The oracle's part: the request is signed with `key`, which no user of the world has.
pub(crate) fn judge(reading: &mut Reading, key: &str) {
    reading.finding(
        RULE.id,
        vec![Expectation::AnyError {
            preferred: ErrorCode::UnrecognizedClientException,
        }],
        Tier::Access,
        format!("access key id {key:?} is not a user of the world"),
    );
}
