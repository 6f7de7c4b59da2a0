//! Judging a sequence of requests: the world advances, ids must be unique, rejections must
//! change nothing.

use std::collections::HashMap;

use crate::contract::excerpt::excerpt;
use crate::contract::{RawRequest, Response, rules};
use crate::oracle::identity::CallerIdentity;
use crate::oracle::judge::{Check, Judgement, Status, judge_response};
use crate::oracle::read::judge_request;
use crate::oracle::verdict::{Effect, Outcome, Verdict};
use crate::world::World;

/// The oracle across requests: it holds the world the target should be in, the deployment ids
/// it has answered, and the effects of the requests it rejected, and judges each response with
/// the per-request rules plus S-UNIQUE-ID and S-ERROR-NO-EFFECT.
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
    cases: usize,
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

        if judgement.failures().next().is_some() && !self.rejected_effects.is_empty() {
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
                let causes = self.causes(&indices, verdict.effect());
                judgement = shadow_judgement;
                judgement.checks.push(Check {
                    rule: rules::S_ERROR_NO_EFFECT,
                    status: Status::Failed,
                    expected: "rejected requests change nothing".to_owned(),
                    found: format!(
                        "the answer fits a state in which an earlier rejected request took effect: {causes} (judged without it: {found})"
                    ),
                    behaviour: None,
                });
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
            judgement.checks.push(Check {
                rule: rules::S_ERROR_NO_EFFECT,
                status: Status::Passed,
                expected: "rejected requests change nothing".to_owned(),
                found: "the answer fits the state without the rejected requests".to_owned(),
                behaviour: None,
            });
        }

        if judgement.failures().next().is_some() {
            self.hint_at_earlier_rollbacks(verdict, request, caller, response, &mut judgement);
        }

        match judgement.outcome {
            Some(Outcome::Success) => {
                if verdict.effect() != &Effect::None {
                    verdict.effect().apply(&mut self.world);
                    self.version += 1;
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
        let explained = judgement.status_of(rules::S_ERROR_NO_EFFECT) == Some(Status::Failed);
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

    /// The rejected requests an explanation applies that can change a verdict with `effect`
    /// (the copies of it: see [`explain`](Self::explain)), for a message: the first three and
    /// how many more.
    fn causes(&self, indices: &[usize], effect: &Effect) -> String {
        const NAMED: usize = 3;
        let relevant: Vec<&Rejected> = indices
            .iter()
            .filter_map(|index| self.rejected_effects.get(*index))
            .filter(|rejected| rejected.effect == *effect)
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

    /// The rejected effects that explain a failing answer: each one alone, then all together
    /// (a target may leak some and not others), the first that makes the answer right.
    ///
    /// Only the effects that can change the request's verdict are tried. An effect uses up a
    /// stored version of one app, and the oracle reads an app's stored versions only for a
    /// rollback of that app, whose verdict then has that very effect: any other effect leaves
    /// the verdict, so the failing judgement, as it is. The relevant effects are therefore
    /// the copies of the request's own effect; trying the first stands for trying each. The
    /// result is the one of trying every effect (`explain_exhaustively` in the tests), in time
    /// that does not grow with the number of rejected requests that cannot matter.
    fn explain(
        &self,
        verdict: &Verdict,
        request: &RawRequest,
        caller: &CallerIdentity,
        response: &Response,
    ) -> Option<Explanation> {
        let effect = verdict.effect();
        if effect == &Effect::None {
            return None;
        }
        let relevant: Vec<usize> = self
            .rejected_effects
            .iter()
            .enumerate()
            .filter(|(_, rejected)| rejected.effect == *effect)
            .map(|(index, _)| index)
            .collect();
        let first = *relevant.first()?;
        let judge_with = |indices: &[usize]| {
            let mut shadow = self.world.clone();
            for index in indices {
                self.rejected_effects[*index].effect.apply(&mut shadow);
            }
            let judgement = judge_response(&judge_request(&shadow, request, caller), response);
            let explains = judgement.failures().next().is_none();
            explains.then_some((shadow, judgement))
        };
        if let Some((shadow, judgement)) = judge_with(&[first]) {
            return Some(Explanation {
                indices: vec![first],
                shadow,
                judgement,
            });
        }
        // All together: with a single relevant effect this is the try above again.
        if relevant.len() < 2 {
            return None;
        }
        let (_, judgement) = judge_with(&relevant)?;
        // The target's state from here on is the one in which every rejected request took
        // effect, as when all are applied at once.
        let indices: Vec<usize> = (0..self.rejected_effects.len()).collect();
        let mut shadow = self.world.clone();
        for rejected in &self.rejected_effects {
            rejected.effect.apply(&mut shadow);
        }
        Some(Explanation {
            indices,
            shadow,
            judgement,
        })
    }

    /// S-UNIQUE-ID: pairwise distinct `DeploymentId`s.
    fn check_unique(&mut self, id: String, judgement: &mut Judgement) {
        let case = self.cases;
        match self.deployment_ids.get(&id) {
            Some(first) => judgement.checks.push(Check {
                rule: rules::S_UNIQUE_ID,
                status: Status::Failed,
                expected: "a DeploymentId not answered before".to_owned(),
                found: format!("{id:?}, already answered in case {first}"),
                behaviour: None,
            }),
            None => {
                if !self.deployment_ids.is_empty() {
                    judgement.checks.push(Check {
                        rule: rules::S_UNIQUE_ID,
                        status: Status::Passed,
                        expected: "a DeploymentId not answered before".to_owned(),
                        found: format!("{id:?}"),
                        behaviour: None,
                    });
                }
                self.deployment_ids.insert(id, case);
            }
        }
    }
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
        /// The explanation as it was made before `explain` kept to the relevant effects: every
        /// rejected effect alone, then all together.
        fn explain_exhaustively(
            &self,
            request: &RawRequest,
            caller: &CallerIdentity,
            response: &Response,
        ) -> Option<Explanation> {
            let count = self.rejected_effects.len();
            let mut tries: Vec<Vec<usize>> = (0..count).map(|index| vec![index]).collect();
            if count > 1 {
                tries.push((0..count).collect());
            }
            tries.into_iter().find_map(|indices| {
                let mut shadow = self.world.clone();
                for index in &indices {
                    self.rejected_effects[*index].effect.apply(&mut shadow);
                }
                let judgement = judge_response(&judge_request(&shadow, request, caller), response);
                let explains = judgement.failures().next().is_none();
                explains.then_some(Explanation {
                    indices,
                    shadow,
                    judgement,
                })
            })
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
    /// answers some requests wrongly), keeping to the relevant effects explains every failing
    /// answer exactly as trying every effect does.
    #[test]
    fn explaining_with_the_relevant_effects_is_explaining_with_all() {
        let mut runner = TestRunner::deterministic();
        let (mut explained, mut together, mut unexplained, mut longest) = (0, 0, 0, 0);
        for world in [World::bundled(), World::bundled_with_users()] {
            let others: Vec<_> = [
                rules::N_APP,
                rules::V_APP_REQUIRED,
                rules::P_UNKNOWN_OPERATION,
            ]
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
                        let old = session.explain_exhaustively(&case.request, &caller, &response);
                        assert_eq!(new, old, "{}", case.request.body_text());
                        match &new {
                            Some(explanation) if explanation.indices.len() > 1 => together += 1,
                            Some(_) => explained += 1,
                            None => unexplained += 1,
                        }
                        longest = longest.max(session.rejected_effects.len());
                    }
                    let _ = session.observe(&case.request, &caller, &response);
                }
            }
        }
        // The sequences reach every branch: explained alone, together, and not at all, with
        // long lists of rejected effects.
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
