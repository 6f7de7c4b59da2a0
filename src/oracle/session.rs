//! Judging a sequence of requests: the world advances, ids must be unique, rejections must
//! change nothing.

mod lenient;

use std::collections::HashMap;

use crate::contract::excerpt::excerpt;
use crate::contract::{RawRequest, Response};
use crate::oracle::identity::CallerIdentity;
use crate::oracle::judge::{Judgement, Status, judge_response};
use crate::oracle::read::judge_request;
use crate::oracle::verdict::{Effect, Outcome, Verdict};
use crate::world::World;

/// The oracle across requests: it holds the world the target should be in, the deployment ids
/// it has answered, and the effects of the requests it rejected, and judges each response with
/// the per-request rules plus S-UNIQUE-ID and S-ERROR-NO-EFFECT.
///
/// The session follows the state the target's answers reveal, so that one defect fails one
/// rule, not every later request it touches:
/// - a request the target accepted although the oracle expected it rejected has the effect its
///   acceptance implies (a `rollback` uses up a version). When the oracle could not read the
///   request (a body a lenient parser reads: a trailing comma, a comment, single quotes), the
///   apps it may have rolled back (its bytes hold the app's id and the word `rollback`, or a
///   lenient reading finds one) have *uncertain* stored versions from then on: a later
///   rollback of such an app may succeed or be refused under V-ROLLBACK-DEPTH, and a refusal
///   names the case that made the versions uncertain;
/// - a request the target rejected changes nothing (S-ERROR-NO-EFFECT); when a later answer
///   shows that some did take effect, the fewest such rejected requests that explain the
///   answer are named and their effect is followed from then on. A refusal with a code the
///   target already gave, unexplained, to a request that must succeed is its own defect
///   again (S-ACCEPT-VALID), not a sign of a rejected request that took effect;
/// - a failure that an earlier acceptance still explains (the answer fits the state without
///   its effect) names that case.
///
/// ```
/// use opsworks_conformance::contract::{CommandName, CreateDeploymentInput, Observation, rules};
/// use opsworks_conformance::oracle::{CallerIdentity, Session, Status};
/// use opsworks_conformance::world::World;
///
/// let world = World::bundled();
/// let mut session = Session::new(world.clone());
/// let request = CreateDeploymentInput::new(&world.stacks[0].stack_id, CommandName::Configure).to_raw();
/// let same_id = Ok(Observation::json(200, r#"{"DeploymentId":"d-1"}"#));
/// session.observe(&request, &CallerIdentity::Unsigned, &same_id);
/// let second = session.observe(&request, &CallerIdentity::Unsigned, &same_id);
/// assert_eq!(second.status_of(rules::S_UNIQUE_ID), Some(Status::Failed));
/// ```
#[derive(Debug, Clone)]
pub struct Session {
    world: World,
    /// Bumped whenever `world` changes, so that a verdict prepared earlier is known stale.
    version: u64,
    deployment_ids: HashMap<String, usize>,
    rejected_effects: Vec<Rejected>,
    /// Requests the target accepted although the oracle expected them rejected, that may have
    /// rolled an app back.
    accepted: Vec<Accepted>,
    /// The error codes the target answered to requests that must succeed where no rejected
    /// request explained the refusal: refusals of its own (a defect failed already), which
    /// explain a later refusal with the same code more simply than a rejected request that
    /// took effect.
    own_refusals: Vec<Option<String>>,
    cases: usize,
}

/// A request the target accepted although the oracle expected it rejected, and that may have
/// rolled back an app: the oracle followed its effect (`rolled_back`), or, when it could not
/// read one, the app's stored versions are uncertain from then on.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Accepted {
    stack_id: String,
    app_id: String,
    /// Its effect was read, and applied: it used up a version of the app.
    rolled_back: bool,
    /// Its case number, the rules that expected it rejected, and the start of its body.
    summary: String,
}

impl Accepted {
    fn new(
        stack_id: &str,
        app_id: &str,
        rolled_back: bool,
        case: usize,
        request: &RawRequest,
        judgement: &Judgement,
    ) -> Self {
        let mut expected: Vec<&str> = judgement
            .failures()
            .map(|check| check.rule.as_str())
            .collect();
        expected.dedup();
        let expected = if expected.is_empty() {
            "a rejection".to_owned()
        } else {
            expected.join(", ")
        };
        let quoted = excerpt(&request.body, Rejected::BODY_CHARS);
        Accepted {
            stack_id: stack_id.to_owned(),
            app_id: app_id.to_owned(),
            rolled_back,
            summary: format!("case {case} (accepted although expected {expected}): {quoted}"),
        }
    }

    fn of(&self, stack_id: &str, app_id: &str) -> bool {
        self.stack_id == stack_id && self.app_id == app_id
    }
}

/// A rejected request whose effect it must not have had: what S-ERROR-NO-EFFECT names when an
/// answer shows it took effect after all.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Rejected {
    effect: Effect,
    /// Its case number (counted from 1, as in S-UNIQUE-ID's messages), how it was rejected,
    /// and the start of its body.
    summary: String,
}

impl Rejected {
    /// The longest part of the body a message quotes.
    const BODY_CHARS: usize = 160;

    fn new(effect: &Effect, case: usize, request: &RawRequest, outcome: Option<&Outcome>) -> Self {
        let quoted = excerpt(&request.body, Self::BODY_CHARS);
        let answer = match outcome {
            Some(outcome) => format!("rejected with {outcome}"),
            None => "no readable answer".to_owned(),
        };
        Rejected {
            effect: effect.clone(),
            summary: format!("case {case} ({answer}): {quoted}"),
        }
    }
}

/// A verdict made before the response came back (see [`Session::prepare`]),
/// valid while the session's world is unchanged, and, when it has no effect, in every world the
/// session goes through.
#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    verdict: Verdict,
    /// The version of the world it was made in.
    version: u64,
}

impl Prepared {
    /// The verdict.
    pub(crate) fn verdict(&self) -> &Verdict {
        &self.verdict
    }

    /// The verdict, to be kept or freed elsewhere.
    pub(crate) fn into_verdict(self) -> Verdict {
        self.verdict
    }
}

/// Rejected effects that explain a failing answer (see `Session::explain`).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Explanation {
    /// Which rejected effects (indices into `Session::rejected_effects`, ascending) took
    /// effect.
    indices: Vec<usize>,
    /// The world with them applied: the target's state.
    shadow: World,
    /// The answer judged in that world.
    judgement: Judgement,
}

impl Session {
    /// A session starting in this world (the state the target starts in).
    #[must_use]
    pub fn new(world: World) -> Self {
        Session {
            world,
            version: 0,
            deployment_ids: HashMap::new(),
            rejected_effects: Vec::new(),
            accepted: Vec::new(),
            own_refusals: Vec::new(),
            cases: 0,
        }
    }

    /// The world the target should be in now.
    #[must_use]
    pub fn world(&self) -> &World {
        &self.world
    }

    /// The verdict for a request in the current world.
    #[must_use]
    pub fn verdict(&self, request: &RawRequest, caller: &CallerIdentity) -> Verdict {
        judge_request(&self.world, request, caller)
    }

    /// Judges the target's response to a request and advances the world: a success applies the
    /// request's effect, a rejection is remembered (it must have changed nothing).
    pub fn observe(
        &mut self,
        request: &RawRequest,
        caller: &CallerIdentity,
        response: &Response,
    ) -> Judgement {
        let verdict = self.verdict(request, caller);
        self.observe_with(&verdict, request, caller, response)
    }

    /// The verdict for a request in the current world, to be used by
    /// [`observe_prepared`](Self::observe_prepared) when the response comes back.
    pub(crate) fn prepare(&self, request: &RawRequest, caller: &CallerIdentity) -> Prepared {
        Prepared {
            verdict: self.verdict(request, caller),
            version: self.version,
        }
    }

    /// A verdict made by [`judge_request`] in the world this session started in (for example
    /// on another thread, before the request's turn came), for
    /// [`observe_prepared`](Self::observe_prepared).
    pub(crate) fn prepared_in_initial_world(&self, verdict: Verdict) -> Prepared {
        Prepared {
            verdict,
            version: 0,
        }
    }

    /// [`observe`](Self::observe) with a verdict made earlier (by [`prepare`](Self::prepare) or
    /// [`prepared_in_initial_world`](Self::prepared_in_initial_world)) for the same request and
    /// caller (made again if the world changed since in a way that matters to it).
    ///
    /// The world changes only by rollbacks using up stored versions of an app, and the oracle
    /// reads an app's stored versions only for a rollback of that app, whose verdict then has
    /// that rollback as its effect: a verdict without an effect holds in every world the
    /// session goes through.
    pub(crate) fn observe_prepared(
        &mut self,
        prepared: &Prepared,
        request: &RawRequest,
        caller: &CallerIdentity,
        response: &Response,
    ) -> Judgement {
        if prepared.version == self.version || prepared.verdict.effect() == &Effect::None {
            self.observe_with(&prepared.verdict, request, caller, response)
        } else {
            let verdict = self.verdict(request, caller);
            self.observe_with(&verdict, request, caller, response)
        }
    }

    fn observe_with(
        &mut self,
        verdict: &Verdict,
        request: &RawRequest,
        caller: &CallerIdentity,
        response: &Response,
    ) -> Judgement {
        let mut judgement = judge_response(verdict, response);
        self.cases += 1;

        if judgement.failures().next().is_some() {
            // A rollback of an app whose stored versions an accepted request left uncertain.
            if let Some(resolved) = self.resolve_uncertain(verdict, request, caller, response) {
                judgement = resolved;
            }
        }

        let own_refusal = matches!(
            &judgement.outcome,
            Some(Outcome::Error(code)) if self.own_refusals.contains(code)
        );
        if judgement.failures().next().is_some()
            && !self.rejected_effects.is_empty()
            && !own_refusal
        {
            // Would the answer be right if rejected requests had taken effect anyway?
            let explained = self.explain(verdict, request, caller, response);
            if let Some(Explanation {
                indices,
                shadow,
                judgement: shadow_judgement,
            }) = explained
            {
                let found = judgement
                    .failures()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; ");
                let causes = self.causes(&indices);
                judgement = shadow_judgement;
                crate::rules::s_error_no_effect::judge(&mut judgement, Some((&causes, &found)));
                // Follow the target's state from here on, so one defect is reported once.
                self.world = shadow;
                self.version += 1;
                let mut index = 0;
                self.rejected_effects.retain(|_| {
                    let keep = indices.binary_search(&index).is_err();
                    index += 1;
                    keep
                });
            }
        } else if !self.rejected_effects.is_empty()
            && verdict.effect() != &Effect::None
            && judgement.failures().next().is_none()
        {
            crate::rules::s_error_no_effect::judge(&mut judgement, None);
        }

        if let Some(Outcome::Error(code)) = &judgement.outcome {
            let must_succeed = !verdict
                .allowances()
                .iter()
                .any(|allowance| allowance.expected.is_error());
            if must_succeed
                && judgement.failures().next().is_some()
                && !crate::rules::s_error_no_effect::failed(&judgement)
                && !self.own_refusals.contains(code)
            {
                self.own_refusals.push(code.clone());
            }
        }

        if broken(&judgement) > 0 {
            self.name_earlier_acceptances(verdict, request, caller, response, &mut judgement);
        }
        if judgement.failures().next().is_some() {
            self.hint_at_earlier_rollbacks(verdict, request, caller, response, &mut judgement);
        }

        match judgement.outcome {
            Some(Outcome::Success) => {
                // Accepted although expected rejected: follow what the acceptance implies.
                let disagreed =
                    !verdict.allows(&Outcome::Success) && judgement.failures().next().is_some();
                match verdict.effect() {
                    Effect::RollBack { stack_id, app_id } => {
                        let rolled_back = self.world.roll_back(stack_id, app_id);
                        if rolled_back {
                            self.version += 1;
                        }
                        if disagreed {
                            self.accepted.push(Accepted::new(
                                stack_id,
                                app_id,
                                rolled_back,
                                self.cases,
                                request,
                                &judgement,
                            ));
                        }
                    }
                    Effect::None if disagreed => {
                        // The oracle read no effect; a lenient parser may have read one.
                        for (stack_id, app_id) in
                            lenient::possible_rollbacks(&self.world, &request.body)
                        {
                            self.accepted.push(Accepted::new(
                                &stack_id, &app_id, false, self.cases, request, &judgement,
                            ));
                        }
                    }
                    Effect::None => {}
                }
                if let Some(id) = judgement.deployment_id.clone() {
                    self.check_unique(id, &mut judgement);
                }
            }
            Some(Outcome::Error(_)) | None => {
                if verdict.effect() != &Effect::None {
                    self.rejected_effects.push(Rejected::new(
                        verdict.effect(),
                        self.cases,
                        request,
                        judgement.outcome.as_ref(),
                    ));
                }
            }
        }
        judgement
    }

    /// A failing answer to a rollback of an app whose stored versions are uncertain (requests
    /// the oracle could not read, but the target accepted, may have rolled it back): the
    /// judgement in the state where the fewest of them did so that makes the answer right, and
    /// that state followed from here on. Only a refusal can fit such a state (it has fewer
    /// versions), and it shows the app has no earlier version left: the versions are certain
    /// again.
    fn resolve_uncertain(
        &mut self,
        verdict: &Verdict,
        request: &RawRequest,
        caller: &CallerIdentity,
        response: &Response,
    ) -> Option<Judgement> {
        let Effect::RollBack { stack_id, app_id } = verdict.effect() else {
            return None;
        };
        let uncertain: Vec<&Accepted> = self
            .accepted
            .iter()
            .filter(|accepted| !accepted.rolled_back && accepted.of(stack_id, app_id))
            .collect();
        let mut shadow = self.world.clone();
        for used in 1..=uncertain.len() {
            if !shadow.roll_back(stack_id, app_id) {
                break;
            }
            let mut judgement = judge_response(&judge_request(&shadow, request, caller), response);
            if judgement.failures().next().is_some() {
                continue;
            }
            let more = match used {
                1 => String::new(),
                _ => format!(" and {} more such cases", used - 1),
            };
            let note = format!(
                " (the stored versions of app {app_id:?} are uncertain since {}{more}, which the target accepted although the oracle could not read it as a rollback: the answer fits a state in which it rolled the app back)",
                uncertain[0].summary
            );
            crate::rules::v_rollback_depth::add_to_found(&mut judgement, &note);
            let (stack_id, app_id) = (stack_id.clone(), app_id.clone());
            self.world = shadow;
            self.version += 1;
            self.accepted
                .retain(|accepted| accepted.rolled_back || !accepted.of(&stack_id, &app_id));
            return Some(judgement);
        }
        None
    }

    /// When a rollback's failing (or warned) answer fits the state in which earlier requests
    /// that the target accepted against the oracle's expectation did not roll the app back
    /// (nothing fails there, and less is warned), names them in each failure and warning: it
    /// follows from that disagreement.
    fn name_earlier_acceptances(
        &self,
        verdict: &Verdict,
        request: &RawRequest,
        caller: &CallerIdentity,
        response: &Response,
        judgement: &mut Judgement,
    ) {
        let Effect::RollBack { stack_id, app_id } = verdict.effect() else {
            return;
        };
        // The most recent first: undoing the last acceptances first.
        let rolled_back: Vec<&Accepted> = self
            .accepted
            .iter()
            .rev()
            .filter(|accepted| accepted.rolled_back && accepted.of(stack_id, app_id))
            .collect();
        let mut shadow = self.world.clone();
        for undone in 1..=rolled_back.len() {
            let Some(app) = shadow.app_mut(stack_id, app_id) else {
                return;
            };
            app.versions = app.versions.saturating_add(1);
            let there = judge_response(&judge_request(&shadow, request, caller), response);
            let fits = there.failures().next().is_none() && broken(&there) < broken(judgement);
            if !fits {
                continue;
            }
            let cases = rolled_back[..undone]
                .iter()
                .rev()
                .map(|accepted| accepted.summary.as_str())
                .collect::<Vec<_>>()
                .join("; ");
            let note = format!(
                " (follows from {cases}: the answer fits a state in which that request did not roll app {app_id:?} back)"
            );
            for check in &mut judgement.checks {
                if check.status == Status::Failed || check.status == Status::Warned {
                    check.found.push_str(&note);
                }
            }
            return;
        }
    }

    /// When a rollback's failing answer fits a state in which the app had no earlier version
    /// left, says so in each failure: the usual cause is a target that did not start in the
    /// world's state (one that served an earlier run keeps the versions it used up). Only a
    /// hint: the failures stay.
    fn hint_at_earlier_rollbacks(
        &self,
        verdict: &Verdict,
        request: &RawRequest,
        caller: &CallerIdentity,
        response: &Response,
        judgement: &mut Judgement,
    ) {
        let Effect::RollBack { stack_id, app_id } = verdict.effect() else {
            return;
        };
        // Explained by rejected requests of this run already (S-ERROR-NO-EFFECT): the other
        // explanation is given as well (the target's state before the run cannot be told apart
        // from a rejected rollback that took effect).
        let explained = crate::rules::s_error_no_effect::failed(judgement);
        let mut exhausted = self.world.clone();
        while exhausted.roll_back(stack_id, app_id) {}
        // Strictly: the answer a target in that state gives (a refusal with another code than
        // V-ROLLBACK-DEPTH's fits it only loosely, and points elsewhere).
        if !judge_response(&judge_request(&exhausted, request, caller), response).conforms(true) {
            return;
        }
        let fits = if explained {
            "or a state in which, from the start,"
        } else {
            "this answer fits a state in which"
        };
        let hint = format!(
            " ({fits} app {app_id:?} of stack {stack_id:?} has no earlier version left: did the target start in the world's state? A target that served an earlier run keeps the versions its rollbacks used up)"
        );
        for check in &mut judgement.checks {
            if check.status == Status::Failed {
                check.found.push_str(&hint);
            }
        }
    }

    /// The rejected requests an explanation applies, for a message: the first three and how
    /// many more.
    fn causes(&self, indices: &[usize]) -> String {
        const NAMED: usize = 3;
        let relevant: Vec<&Rejected> = indices
            .iter()
            .filter_map(|index| self.rejected_effects.get(*index))
            .collect();
        let mut text = relevant
            .iter()
            .take(NAMED)
            .map(|rejected| rejected.summary.as_str())
            .collect::<Vec<_>>()
            .join("; ");
        if relevant.len() > NAMED {
            text.push_str(&format!("; and {} more", relevant.len() - NAMED));
        }
        text
    }

    /// The fewest rejected effects that explain a failing answer: the smallest number of
    /// rejected requests that, had they taken effect, make the answer right (a target may leak
    /// some and not others), the earliest of them.
    ///
    /// Only the effects that can change the request's verdict are tried. An effect uses up a
    /// stored version of one app, and the oracle reads an app's stored versions only for a
    /// rollback of that app, whose verdict then has that very effect: any other effect leaves
    /// the verdict, so the failing judgement, as it is, and never belongs to the fewest. The
    /// relevant effects are therefore the copies of the request's own effect, all alike: one,
    /// then two, ... of them are tried, in time that does not grow with the number of rejected
    /// requests that cannot matter. The result is the one of trying every set of rejected
    /// effects, smallest first (`explain_exhaustively` in the tests).
    fn explain(
        &self,
        verdict: &Verdict,
        request: &RawRequest,
        caller: &CallerIdentity,
        response: &Response,
    ) -> Option<Explanation> {
        let Effect::RollBack { stack_id, app_id } = verdict.effect() else {
            return None;
        };
        let relevant: Vec<usize> = self
            .rejected_effects
            .iter()
            .enumerate()
            .filter(|(_, rejected)| rejected.effect == *verdict.effect())
            .map(|(index, _)| index)
            .collect();
        let mut shadow = self.world.clone();
        for taken in 1..=relevant.len() {
            // Once the app has no earlier version left, more copies change nothing.
            if !shadow.roll_back(stack_id, app_id) {
                return None;
            }
            let judgement = judge_response(&judge_request(&shadow, request, caller), response);
            if judgement.failures().next().is_none() {
                return Some(Explanation {
                    indices: relevant[..taken].to_vec(),
                    shadow,
                    judgement,
                });
            }
        }
        None
    }

    /// S-UNIQUE-ID: pairwise distinct `DeploymentId`s.
    fn check_unique(&mut self, id: String, judgement: &mut Judgement) {
        let case = self.cases;
        let first = self.deployment_ids.get(&id).copied();
        crate::rules::s_unique_id::judge(judgement, &id, first, !self.deployment_ids.is_empty());
        if first.is_none() {
            self.deployment_ids.insert(id, case);
        }
    }
}

/// How many checks of a judgement failed or warned.
fn broken(judgement: &Judgement) -> usize {
    judgement
        .checks
        .iter()
        .filter(|check| matches!(check.status, Status::Failed | Status::Warned))
        .count()
}

#[cfg(test)]
mod tests {
    use proptest::strategy::{Strategy, ValueTree};
    use proptest::test_runner::TestRunner;
    use proptest_state_machine::ReferenceStateMachine;

    use super::*;
    use crate::contract::Observation;
    use crate::generate::{Case, violating};
    use crate::runner::DeploymentSequence;
    use crate::target::ReferenceTarget;

    impl Session {
        /// The explanation by brute force: every set of rejected effects (of any app) of up to
        /// `largest` members, smallest sets first, each size in lexicographic order; the first
        /// that makes the answer right.
        fn explain_exhaustively(
            &self,
            request: &RawRequest,
            caller: &CallerIdentity,
            response: &Response,
            largest: usize,
        ) -> Option<Explanation> {
            let count = self.rejected_effects.len();
            for size in 1..=largest.min(count) {
                let mut subset: Vec<usize> = (0..size).collect();
                loop {
                    let mut shadow = self.world.clone();
                    for index in &subset {
                        self.rejected_effects[*index].effect.apply(&mut shadow);
                    }
                    let judgement =
                        judge_response(&judge_request(&shadow, request, caller), response);
                    if judgement.failures().next().is_none() {
                        return Some(Explanation {
                            indices: subset,
                            shadow,
                            judgement,
                        });
                    }
                    // The next set of this size.
                    let Some(at) = (0..size).rev().find(|at| subset[*at] < count - size + at)
                    else {
                        break;
                    };
                    subset[at] += 1;
                    for next in at + 1..size {
                        subset[next] = subset[next - 1] + 1;
                    }
                }
            }
            None
        }
    }

    /// The body's stack and app when it is a rollback: what a leaky target carries out.
    fn plain_rollback(request: &RawRequest) -> Option<RawRequest> {
        let body: serde_json::Value = serde_json::from_slice(&request.body).ok()?;
        if body.pointer("/Command/Name")?.as_str()? != "rollback" {
            return None;
        }
        Some(RawRequest::json(
            serde_json::json!({
                "StackId": body.get("StackId")?.as_str()?,
                "AppId": body.get("AppId")?.as_str()?,
                "Command": { "Name": "rollback" },
            })
            .to_string(),
        ))
    }

    /// Over generated sequences against a target that leaks some rejected rollbacks (and
    /// answers some requests wrongly), keeping to the copies of the request's own effect
    /// explains every failing answer exactly as trying every set of rejected effects, smallest
    /// first, does: the fewest rejected requests, and none of another app.
    #[test]
    fn explaining_with_the_relevant_effects_is_explaining_with_the_fewest_of_all() {
        let mut runner = TestRunner::deterministic();
        let (mut explained, mut together, mut unexplained, mut longest) = (0, 0, 0, 0);
        for world in [World::bundled(), World::bundled_with_users()] {
            // Every fifth request is of another rule's family, in turn.
            let others: Vec<_> = crate::generate::server_rules()
                .into_iter()
                .filter_map(|rule| violating(rule, &world))
                .collect();
            for sequence in 0..6u64 {
                let target = ReferenceTarget::new(world.clone());
                let mut session = Session::new(world.clone());
                for step in 0..150u64 {
                    let transitions = if step % 5 == 4 && !others.is_empty() {
                        others[(step / 5) as usize % others.len()].clone()
                    } else {
                        DeploymentSequence::transitions(session.world())
                    };
                    let Ok(tree) = transitions.new_tree(&mut runner) else {
                        continue;
                    };
                    let case: Case = tree.current();
                    let caller = case.caller();
                    let mut answer = target.answer(&case.request, &caller);
                    // The defects: some rejected rollbacks use up a version, and some answers
                    // are plainly wrong (unexplained failures with many rejected effects).
                    let roll = (sequence * 31 + step * 7) % 10;
                    if (400..500).contains(&answer.status) && roll < 6 {
                        if let Some(rollback) = plain_rollback(&case.request) {
                            let _ = target.answer(&rollback, &caller);
                        }
                    }
                    if roll == 9 {
                        answer = Observation::json(
                            400,
                            r#"{"__type":"ValidationException","message":"no"}"#,
                        );
                    }
                    let response: Response = Ok(answer);
                    let verdict = session.verdict(&case.request, &caller);
                    if judge_response(&verdict, &response)
                        .failures()
                        .next()
                        .is_some()
                    {
                        let new = session.explain(&verdict, &case.request, &caller, &response);
                        // An app stores at most five versions: at most four rejected rollbacks
                        // explain an answer. Every set of up to four is tried where that is
                        // cheap, of up to two otherwise.
                        let count = session.rejected_effects.len();
                        let largest = if count <= 16 { 4 } else { 2 };
                        let old = session.explain_exhaustively(
                            &case.request,
                            &caller,
                            &response,
                            largest,
                        );
                        match &new {
                            Some(explanation) if explanation.indices.len() > largest => {
                                assert_eq!(old, None, "{}", case.request.body_text());
                            }
                            _ => assert_eq!(new, old, "{}", case.request.body_text()),
                        }
                        match &new {
                            Some(explanation) if explanation.indices.len() > 1 => together += 1,
                            Some(_) => explained += 1,
                            None => unexplained += 1,
                        }
                        longest = longest.max(count);
                    }
                    let _ = session.observe(&case.request, &caller, &response);
                }
            }
        }
        // The sequences reach every branch: explained by one, by several, and not at all,
        // with long lists of rejected effects.
        assert!(
            explained > 0 && together > 0 && unexplained > 0,
            "{explained} {together} {unexplained}"
        );
        assert!(longest > 20, "{longest}");
    }

    /// What `observe_prepared` relies on: a verdict without an effect is the same in every
    /// world rollbacks can lead to (every app with its stored versions, or only one left).
    #[test]
    fn a_verdict_without_effect_holds_in_every_world_rollbacks_lead_to() {
        let mut runner = TestRunner::deterministic();
        let (mut without_effect, mut with_effect) = (0, 0);
        for world in [World::bundled(), World::bundled_with_users()] {
            let mut exhausted = world.clone();
            for stack in &mut exhausted.stacks {
                for app in &mut stack.apps {
                    app.versions = 1;
                }
            }
            let families: Vec<_> = crate::generate::server_rules()
                .into_iter()
                .filter_map(|rule| violating(rule, &world))
                .chain(std::iter::once(DeploymentSequence::transitions(&world)))
                .collect();
            for family in &families {
                for _ in 0..40 {
                    let Ok(tree) = family.new_tree(&mut runner) else {
                        continue;
                    };
                    let case: Case = tree.current();
                    let caller = case.caller();
                    let verdict = judge_request(&world, &case.request, &caller);
                    if verdict.effect() == &Effect::None {
                        without_effect += 1;
                        assert_eq!(
                            verdict,
                            judge_request(&exhausted, &case.request, &caller),
                            "{}",
                            case.request.body_text()
                        );
                    } else {
                        with_effect += 1;
                    }
                }
            }
        }
        assert!(
            without_effect > 1000 && with_effect > 10,
            "{without_effect} {with_effect}"
        );
    }
}
