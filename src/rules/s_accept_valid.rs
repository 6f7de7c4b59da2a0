//! `S-ACCEPT-VALID` (MUST): a request that breaks no MUST or SHOULD rule and is none of the MAY cases below.

use super::prelude::*;

/// The catalogue entry of `S-ACCEPT-VALID`.
pub(crate) const RULE: Rule = Rule {
    id: RuleId::new("S-ACCEPT-VALID"),
    severity: Severity::Must,
    group: Group::Behaviour,
    summary: "a request that breaks no MUST or SHOULD rule and is none of the MAY cases below -> success (positive acceptance: a target that rejects valid input fails)",
    source: "seed",
    doc: RuleDoc {
        condition: "a request that breaks no MUST or SHOULD rule and is none of the MAY cases below",
        expected: "success (positive acceptance: a target that rejects valid input fails)",
        why: "Positive acceptance: an implementation that rejects everything would pass every rejection rule; a valid request must succeed.",
    },
    facts: RuleFacts {
        acceptance: true,
        ..RuleFacts::USUAL
    },
};

/// The oracle's part: a request that no other rule applies to (`nothing_else_applies`: it
/// breaks no rule and is no MAY case) must succeed, and this rule decides its success.
pub(crate) fn judge(decided_by: &mut Vec<RuleId>, nothing_else_applies: bool) {
    if nothing_else_applies {
        decided_by.push(RULE.id);
    }
}

/// Valid requests ([`valid_request`](crate::generate::valid_request)).
pub(super) fn family(f: &Families<'_>) -> Option<BoxedStrategy<Case>> {
    f.valid()
}
