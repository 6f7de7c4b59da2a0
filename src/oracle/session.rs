//! Judging a sequence of requests: the world advances, ids must be unique, rejections must
//! change nothing.

use std::collections::HashMap;

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
    rejected_effects: Vec<Effect>,
    cases: usize,
}

/// A verdict made before the response came back (see [`Session::prepare`]), valid while the
/// session's world is unchanged.
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

    /// [`observe`](Self::observe) with a verdict made earlier by [`prepare`](Self::prepare) for
    /// the same request and caller (made again if the world changed since).
    pub(crate) fn observe_prepared(
        &mut self,
        prepared: Prepared,
        request: &RawRequest,
        caller: &CallerIdentity,
        response: &Response,
    ) -> Judgement {
        let verdict = if prepared.version == self.version {
            prepared.verdict
        } else {
            self.verdict(request, caller)
        };
        self.observe_with(&verdict, request, caller, response)
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
            // Would the answer be right if rejected requests had taken effect anyway? Try every
            // one of them alone, then all together (a target may leak some and not others).
            let count = self.rejected_effects.len();
            let mut tries: Vec<Vec<usize>> = (0..count).map(|index| vec![index]).collect();
            if count > 1 {
                tries.push((0..count).collect());
            }
            let explained = tries.into_iter().find_map(|indices| {
                let mut shadow = self.world.clone();
                for index in &indices {
                    self.rejected_effects[*index].apply(&mut shadow);
                }
                let shadow_judgement =
                    judge_response(&judge_request(&shadow, request, caller), response);
                let explains = shadow_judgement.failures().next().is_none();
                explains.then_some((indices, shadow, shadow_judgement))
            });
            if let Some((indices, shadow, shadow_judgement)) = explained {
                let found = judgement
                    .failures()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; ");
                judgement = shadow_judgement;
                judgement.checks.push(Check {
                    rule: rules::S_ERROR_NO_EFFECT,
                    status: Status::Failed,
                    expected: "rejected requests change nothing".to_owned(),
                    found: format!(
                        "the answer fits a state in which an earlier rejected request took effect ({found})"
                    ),
                    behaviour: None,
                });
                // Follow the target's state from here on, so one defect is reported once.
                self.world = shadow;
                self.version += 1;
                let mut index = 0;
                self.rejected_effects.retain(|_| {
                    let keep = !indices.contains(&index);
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
                    self.rejected_effects.push(verdict.effect().clone());
                }
            }
        }
        judgement
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
