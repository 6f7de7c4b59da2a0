//! `S-ERROR-NO-EFFECT` (MUST): a rejected request.

use super::prelude::*;

/// The catalogue entry of `S-ERROR-NO-EFFECT`.
pub(crate) const RULE: Rule = Rule {
    id: RuleId::new("S-ERROR-NO-EFFECT"),
    severity: Severity::Must,
    group: Group::Behaviour,
    summary: "a rejected request -> changes nothing: e.g. a rejected rollback does not use up a stored version",
    source: "stance",
    doc: RuleDoc {
        condition: "a rejected request",
        expected: "changes nothing: e.g. a rejected `rollback` does not use up a stored version",
        why: "A rejected request did nothing: a client retries or corrects it, and must not find state changed (a stored version used up).",
    },
    facts: RuleFacts {
        across_requests: true,
        exemplar: Exemplar::ThenValidRollback,
        in_sequences: 2,
        ..RuleFacts::USUAL
    },
};

/// Rollbacks rejected for another reason, and valid rollbacks that reveal an earlier one that used up a version.
pub(super) fn family(f: &Families<'_>) -> Option<BoxedStrategy<Case>> {
    f.rollback(RULE.id, |versions| versions > 1, true)
}

/// The oracle's part, once the session has weighed an answer against the earlier rejected
/// requests: `leak` is `Some((causes, found))` when the answer fits only a state in which
/// earlier rejected requests (`causes`) took effect (`found`: the failures of the answer judged
/// without them), `None` when an answer with an effect fits the state without them.
pub(crate) fn judge(judgement: &mut Judgement, leak: Option<(&str, &str)>) {
    let expected = "rejected requests change nothing";
    match leak {
        Some((causes, found)) => judgement.check(
            RULE.id,
            Status::Failed,
            expected,
            format!(
                "the answer fits a state in which an earlier rejected request took effect: {causes} (judged without it: {found})"
            ),
        ),
        None => judgement.check(
            RULE.id,
            Status::Passed,
            expected,
            "the answer fits the state without the rejected requests",
        ),
    }
}

/// Whether the judgement failed the rule: its answer fits a state in which rejected requests
/// took effect.
pub(crate) fn failed(judgement: &Judgement) -> bool {
    judgement.status_of(RULE.id) == Some(Status::Failed)
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::contract::{RawRequest, rules};
    use crate::oracle::{CallerIdentity, Session};
    use crate::rules::testing::sequences::*;

    /// S-ERROR-NO-EFFECT names the fewest rejected rollbacks of the app that explain the
    /// answer, and follows only their effect: a first rollback of another app is no warning.
    #[test]
    fn a_leak_is_explained_by_the_fewest_rejected_requests_of_the_same_app() {
        let mut session = Session::new(small_world(4));
        let caller = CallerIdentity::Unsigned;
        let not_found = refused("ResourceNotFoundException");
        // Case 1: a rejected rollback of b1 (the target keeps b1's versions).
        let _ = session.observe(&rollback_unknown_instance("b1"), &caller, &not_found);
        // Cases 2-4: rejected rollbacks of a1, of which the target carries out two.
        for _ in 0..3 {
            let judgement = session.observe(&rollback_unknown_instance("a1"), &caller, &not_found);
            assert!(judgement.conforms(true), "{judgement}");
        }
        // Case 5: a1 has two versions left at the target (four in the oracle's world).
        let fifth = session.observe(&rollback("a1"), &caller, &success("d-5"));
        assert!(fifth.conforms(true), "{fifth}");
        // Case 6: none left at the target; the oracle expected a success.
        let sixth = session.observe(&rollback("a1"), &caller, &refused("ValidationException"));
        assert_eq!(failed_rules(&sixth), [RULE.id], "{sixth}");
        let found = &sixth
            .failures()
            .next()
            .map(|check| check.found.clone())
            .unwrap_or_default();
        assert!(
            found.contains("case 2 (rejected with ResourceNotFoundException)"),
            "{found}"
        );
        assert!(
            found.contains("case 3 (rejected with ResourceNotFoundException)"),
            "{found}"
        );
        assert!(!found.contains("case 4"), "two explain it: {found}");
        assert!(!found.contains("case 1"), "another app: {found}");
        // Case 7: the first rollback of b1, which has an earlier version: no warning.
        let seventh = session.observe(&rollback("b1"), &caller, &success("d-7"));
        assert!(seventh.conforms(true), "{seventh}");
        assert_eq!(versions(&session, "b1"), Some(1));
    }

    /// A target that refuses valid requests with a Comment (ValidationException): the refusal
    /// of a valid rollback of an app with an earlier rejected rollback is that defect again,
    /// not S-ERROR-NO-EFFECT (a rejected rollback that took effect would fit it too).
    #[test]
    fn a_refusal_the_target_gives_for_its_own_reason_is_not_blamed_on_a_leak() {
        let mut session = Session::new(small_world(2));
        let caller = CallerIdentity::Unsigned;
        let commented =
            RawRequest::json(r#"{"StackId":"s1","Command":{"Name":"configure"},"Comment":"é"}"#);
        let first = session.observe(&commented, &caller, &refused("ValidationException"));
        assert_eq!(failed_rules(&first), [rules::S_ACCEPT_VALID]);
        let second = session.observe(
            &rollback_unknown_instance("a1"),
            &caller,
            &refused("ResourceNotFoundException"),
        );
        assert!(second.conforms(true), "{second}");
        let commented_rollback = RawRequest::json(rollback_body("a1", r#","Comment":"é""#));
        let third = session.observe(
            &commented_rollback,
            &caller,
            &refused("ValidationException"),
        );
        assert_eq!(failed_rules(&third), [rules::S_ACCEPT_VALID], "{third}");
        // The oracle's world did not follow a leak: a1 still has its earlier version.
        assert_eq!(versions(&session, "a1"), Some(2));
        let fourth = session.observe(&rollback("a1"), &caller, &success("d-4"));
        assert!(fourth.conforms(true), "{fourth}");
        // Without the earlier refusal of its own, the same answer is read as a leak.
        let mut session = Session::new(small_world(2));
        let _ = session.observe(
            &rollback_unknown_instance("a1"),
            &caller,
            &refused("ResourceNotFoundException"),
        );
        let judgement = session.observe(
            &commented_rollback,
            &caller,
            &refused("ValidationException"),
        );
        assert_eq!(
            failed_rules(&judgement),
            [RULE.id],
            "{judgement}"
        );
    }
}
