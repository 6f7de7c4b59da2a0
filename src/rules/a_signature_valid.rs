//! `A-SIGNATURE-VALID` (MUST): SigV4 signature that does not verify with the user's secret (wrong secret, altered body).

use super::prelude::*;

/// The catalogue entry of `A-SIGNATURE-VALID`.
pub(crate) const RULE: Rule = Rule {
    id: RuleId::new("A-SIGNATURE-VALID"),
    severity: Severity::Must,
    group: Group::Access,
    summary: "SigV4 signature that does not verify with the user's secret (wrong secret, altered body) -> 4xx error (InvalidSignatureException preferred)",
    source: "stance",
    doc: RuleDoc {
        condition: "SigV4 signature that does not verify with the user's secret (wrong secret, altered body)",
        expected: "4xx error (`InvalidSignatureException` preferred)",
        why: "A signature that does not verify means a wrong secret or an altered request; AWS refuses it (`InvalidSignatureException`).",
    },
    facts: RuleFacts {
        discovered: InDiscoveredWorld::NeedsUsers,
        needs: Some("the world declares no users"),
        ..RuleFacts::USUAL
    },
};

/// Valid requests signed with a wrong secret.
pub(super) fn family(f: &Families<'_>) -> Option<BoxedStrategy<Case>> {
    f.signed(|signing| match signing {
        Signing::As(key) => Signing::WrongSecret(key.clone()),
        other => other.clone(),
    })
}

/// The oracle's part: the signature does not verify with the secret of the user of `key`.
pub(crate) fn judge(reading: &mut Reading, key: &str) {
    reading.finding(
        RULE.id,
        vec![Expectation::AnyError {
            preferred: ErrorCode::InvalidSignatureException,
        }],
        Tier::Access,
        format!("the signature does not verify with the secret of {key:?}"),
    );
}
