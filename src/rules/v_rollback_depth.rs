//! `V-ROLLBACK-DEPTH` (SHOULD): `rollback` of an app with no earlier stored version (world `Versions` is 1, or all earlier versions were already rolled back).

use super::prelude::*;

/// The catalogue entry of `V-ROLLBACK-DEPTH`.
pub(crate) const RULE: Rule = Rule {
    id: RuleId::new("V-ROLLBACK-DEPTH"),
    severity: Severity::Should,
    group: Group::Validation,
    summary: "rollback of an app with no earlier stored version (world Versions is 1, or all earlier versions were already rolled back) -> ValidationException",
    source: "seed (\"stores ... up to a maximum of five versions ... roll back as many as four\")",
    doc: RuleDoc {
        condition: "`rollback` of an app with no earlier stored version (world `Versions` is 1, or all earlier versions were already rolled back)",
        expected: "`ValidationException`",
        why: "The documentation: OpsWorks stores up to five versions of an app and can roll back as many as four; with no earlier version there is nothing to roll back to.",
    },
    facts: RuleFacts {
        discovered: InDiscoveredWorld::WarningsNeedVersions,
        in_sequences: 1,
        ..RuleFacts::USUAL
    },
};

/// A rollback of an app at its last stored version.
pub(super) fn family(f: &Families<'_>) -> Option<BoxedStrategy<Case>> {
    f.rollback(RULE.id, |versions| versions <= 1, false)
}

/// The oracle's part: a `rollback` of `app`, an app of the stack.
pub(crate) fn judge(reading: &mut Reading, app: &App) {
    if app.versions <= 1 {
        reading.finding(
            RULE.id,
            codes(&[ErrorCode::ValidationException]),
            Tier::RollbackDepth,
            format!(
                "rollback of {:?} with no earlier stored version",
                app.app_id
            ),
        );
    }
}

/// Adds `text` to what the judgement found for the rule (why the answer fits another state).
pub(crate) fn add_to_found(judgement: &mut Judgement, text: &str) {
    for check in &mut judgement.checks {
        if check.rule == RULE.id {
            check.found.push_str(text);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::contract::{RawRequest, rules};
    use crate::oracle::{CallerIdentity, Session, Status};
    use crate::rules::testing::sequences::*;

    /// The scenario of issue 16: a target on a lenient parser carries out a rollback whose
    /// body is not JSON text; the refusal of a later valid rollback of the same app (sent with
    /// a Content-Type parameter) is no second failure.
    #[test]
    fn a_rollback_accepted_from_an_unreadable_body_makes_the_versions_uncertain() {
        let mut session = Session::new(small_world(2));
        let caller = CallerIdentity::Unsigned;
        // A trailing comma: not JSON text, but a lenient parser reads a rollback of a1.
        let lenient = RawRequest::json(rollback_body("a1", ","));
        let first = session.observe(&lenient, &caller, &success("d-1"));
        assert_eq!(failed_rules(&first), [rules::P_MALFORMED_JSON]);
        // The target has no earlier version of a1 left, and says so.
        let with_params =
            rollback("a1").with_header("Content-Type", "application/x-amz-json-1.1; charset=utf-8");
        let second = session.observe(&with_params, &caller, &refused("ValidationException"));
        assert_eq!(failed_rules(&second), [], "{second}");
        let depth = second
            .checks
            .iter()
            .find(|check| check.rule == RULE.id)
            .unwrap_or_else(|| panic!("V-ROLLBACK-DEPTH decides: {second:?}"));
        assert_eq!(depth.status, Status::Passed);
        assert!(
            depth.found.contains(
                "are uncertain since case 1 (accepted although expected P-MALFORMED-JSON): {\"StackId\""
            ),
            "{}",
            depth.found
        );
        // From here on the state is known: a1 has no earlier version (a success would warn).
        assert_eq!(versions(&session, "a1"), Some(1));
        let third = session.observe(&rollback("a1"), &caller, &success("d-3"));
        assert_eq!(failed_rules(&third), []);
        assert_eq!(
            third.status_of(RULE.id),
            Some(Status::Warned)
        );
        // The other app is untouched.
        let fourth = session.observe(&rollback("b1"), &caller, &success("d-4"));
        assert!(fourth.conforms(true), "{fourth}");
    }

    /// Uncertain versions accept a success as well, and a refusal only where enough unread
    /// rollbacks were accepted to use up every earlier version.
    #[test]
    fn uncertain_versions_accept_both_answers_within_what_the_acceptances_allow() {
        let caller = CallerIdentity::Unsigned;
        let lenient = RawRequest::json(format!("// a comment\n{}", rollback_body("a1", "")));
        // Success: the app still had an earlier version.
        let mut session = Session::new(small_world(3));
        let _ = session.observe(&lenient, &caller, &success("d-1"));
        let judgement = session.observe(&rollback("a1"), &caller, &success("d-2"));
        assert!(judgement.conforms(true), "{judgement}");
        // One unread rollback accepted, three versions: a refusal needs two used up.
        let mut session = Session::new(small_world(3));
        let _ = session.observe(&lenient, &caller, &success("d-1"));
        let judgement = session.observe(&rollback("a1"), &caller, &refused("ValidationException"));
        assert_eq!(failed_rules(&judgement), [rules::S_ACCEPT_VALID], "{judgement}");
        // Two of them: it fits.
        let mut session = Session::new(small_world(3));
        let _ = session.observe(&lenient, &caller, &success("d-1"));
        let _ = session.observe(&lenient, &caller, &success("d-2"));
        let judgement = session.observe(&rollback("a1"), &caller, &refused("ValidationException"));
        assert!(judgement.conforms(true), "{judgement}");
        // A refusal with another code is judged as in the state it fits: V-ROLLBACK-DEPTH (a
        // SHOULD rule) warns that the code is not its own.
        let mut session = Session::new(small_world(2));
        let _ = session.observe(&lenient, &caller, &success("d-1"));
        let judgement = session.observe(
            &rollback("a1"),
            &caller,
            &refused("ResourceNotFoundException"),
        );
        assert_eq!(failed_rules(&judgement), [], "{judgement}");
        assert_eq!(
            judgement.status_of(RULE.id),
            Some(Status::Warned)
        );
        // A request the oracle could read is no cause of uncertainty: a deploy stays a deploy.
        let mut session = Session::new(small_world(2));
        let deploy = RawRequest::json(
            r#"{"StackId":"s1","AppId":"a1","Command":{"Name":"deploy"},"Comment":"rollback"}"#,
        );
        let _ = session.observe(&deploy, &caller, &success("d-1"));
        let judgement = session.observe(&rollback("a1"), &caller, &refused("ValidationException"));
        assert_eq!(failed_rules(&judgement), [rules::S_ACCEPT_VALID], "{judgement}");
    }

    /// A target that accepted a rollback the oracle expected rejected, but did not carry it
    /// out: the later disagreement on the app's versions names that case.
    #[test]
    fn a_failure_that_follows_from_an_earlier_acceptance_names_it() {
        let mut session = Session::new(small_world(2));
        let caller = CallerIdentity::Unsigned;
        let first = session.observe(&rollback_unknown_instance("a1"), &caller, &success("d-1"));
        assert_eq!(failed_rules(&first), [rules::N_INSTANCE]);
        // The oracle followed the acceptance: a1 has no earlier version left; the target
        // still rolls back.
        let second = session.observe(&rollback("a1"), &caller, &success("d-2"));
        let warned: Vec<&crate::oracle::Check> = second.warnings().collect();
        assert_eq!(warned.len(), 1, "{second}");
        assert_eq!(warned[0].rule, RULE.id);
        assert!(
            warned[0]
                .found
                .contains("follows from case 1 (accepted although expected N-INSTANCE): {"),
            "{}",
            warned[0].found
        );
    }
}
