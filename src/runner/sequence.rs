//! Stateful sequences with proptest-state-machine: the oracle's world is the reference state, a
//! [`Target`] is the system under test; failures shrink to the shortest failing sequence.

use std::marker::PhantomData;

use proptest::prelude::*;
use proptest::strategy::{BoxedStrategy, Union};
use proptest_state_machine::{ReferenceStateMachine, StateMachineTest};

use crate::contract::{CATALOGUE, rules};
use crate::generate::{Case, valid_request, violating};
use crate::oracle::{Expectation, MayPolicy, Session, judge_request};
use crate::runner::run::signed_request;
use crate::target::{ReferenceTarget, Target, block_on};
use crate::world::World;

/// The reference state machine of CreateDeployment sequences: the state is the world the target
/// should be in; transitions are generated cases weighted towards what changes or tests state:
/// valid requests (weight 2), valid rollbacks (4), and the cases of the rules that say how often
/// they are drawn ([`RuleFacts::in_sequences`](crate::contract::RuleFacts::in_sequences): rollbacks at the
/// last version, rollbacks rejected for another reason, ...).
#[derive(Debug, Clone, Copy, Default)]
pub struct DeploymentSequence;

/// Valid rollbacks of apps that have an earlier version stored in `world`.
fn rollbacks(world: &World) -> Option<BoxedStrategy<Case>> {
    let valid = valid_request(world)?;
    let apps: Vec<(String, String)> = world
        .stacks
        .iter()
        .flat_map(|stack| {
            stack
                .apps
                .iter()
                .filter(|app| app.versions > 1)
                .map(|app| (stack.stack_id.clone(), app.app_id.clone()))
        })
        .collect();
    if apps.is_empty() {
        return None;
    }
    Some(
        (valid, proptest::sample::select(apps))
            .prop_filter_map(
                "a stack the caller may deploy on",
                |(case, (stack, app))| {
                    let mut input = case.input.clone()?;
                    if input.stack_id.as_deref() != Some(stack.as_str()) {
                        return None;
                    }
                    input.app_id = Some(app);
                    input.instance_ids = None;
                    input.layer_ids = None;
                    input.command = Some(crate::contract::DeploymentCommand::named(
                        crate::contract::CommandName::Rollback,
                    ));
                    Some(Case::valid("rollback", input, case.signing))
                },
            )
            .boxed(),
    )
}

impl ReferenceStateMachine for DeploymentSequence {
    type State = World;
    type Transition = Case;

    fn init_state() -> BoxedStrategy<World> {
        Just(World::bundled()).boxed()
    }

    fn transitions(world: &World) -> BoxedStrategy<Case> {
        let mut arms: Vec<(u32, BoxedStrategy<Case>)> = Vec::new();
        if let Some(valid) = valid_request(world) {
            arms.push((2, valid));
        }
        if let Some(rollback) = rollbacks(world) {
            arms.push((4, rollback));
        }
        // The rules that say how often they are drawn (`RuleFacts::in_sequences`).
        for rule in CATALOGUE.iter().filter(|rule| rule.facts.in_sequences > 0) {
            if let Some(family) = violating(rule.id, world) {
                arms.push((rule.facts.in_sequences, family));
            }
        }
        if arms.is_empty() {
            // A world with nothing to do: send an empty body (P-EMPTY-BODY) again and again.
            return Just(Case::raw(
                rules::P_EMPTY_BODY,
                "empty body",
                crate::contract::RawRequest::json(""),
                crate::contract::Signing::Unsigned,
            ))
            .boxed();
        }
        Union::new_weighted(arms).boxed()
    }

    fn apply(mut world: World, case: &Case) -> World {
        let verdict = judge_request(&world, &case.request, &case.caller());
        if verdict.preferred(&MayPolicy::reference()).expected == Expectation::Success {
            verdict.effect().apply(&mut world);
        }
        world
    }
}

/// Makes the system under test for a sequence, in the state of the reference's initial world.
pub trait TargetFactory {
    /// The target.
    type Target: Target;

    /// A fresh target in the state of `world`.
    fn create(world: &World) -> Self::Target;
}

/// [`ReferenceTarget`]s.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReferenceFactory;

impl TargetFactory for ReferenceFactory {
    type Target = ReferenceTarget;

    fn create(world: &World) -> ReferenceTarget {
        ReferenceTarget::new(world.clone())
    }
}

/// A target under test with the oracle's session that judges it.
pub struct TargetUnderTest<T> {
    /// The target.
    pub target: T,
    /// The oracle across the sequence: the world as the target should have it, ids answered,
    /// rejected effects.
    pub session: Session,
    world: World,
}

/// The stateful test: each transition is sent to a target made by `F`, its answer judged by
/// the session; a failure panics with `[RULE] expected ..., found ...`, and proptest shrinks the
/// sequence to the shortest that still fails.
///
/// ```
/// use opsworks_conformance::runner::{ReferenceFactory, SequenceTest};
/// use proptest_state_machine::prop_state_machine;
///
/// prop_state_machine! {
///     #![proptest_config(proptest::test_runner::Config { cases: 8, ..Default::default() })]
///     // In a test file, put #[test] here.
///     fn reference_sequences(sequential 1..20 => SequenceTest<ReferenceFactory>);
/// }
/// # fn main() { reference_sequences(); }
/// ```
pub struct SequenceTest<F>(PhantomData<F>);

impl<F: TargetFactory> StateMachineTest for SequenceTest<F> {
    type SystemUnderTest = TargetUnderTest<F::Target>;
    type Reference = DeploymentSequence;

    fn init_test(world: &World) -> Self::SystemUnderTest {
        TargetUnderTest {
            target: F::create(world),
            session: Session::new(world.clone()),
            world: world.clone(),
        }
    }

    fn apply(mut sut: Self::SystemUnderTest, _world: &World, case: Case) -> Self::SystemUnderTest {
        let authority = sut.target.authority();
        let Some(request) = signed_request(&case, &sut.world, &authority, "us-east-1") else {
            return sut;
        };
        let response = block_on(sut.target.send(&request));
        let judgement = sut
            .session
            .observe(&case.request, &case.caller(), &response);
        let failures: Vec<String> = judgement.failures().map(ToString::to_string).collect();
        assert!(
            failures.is_empty(),
            "{} (case {:?}: {})",
            failures.join("; "),
            case.label,
            case.request.body_text()
        );
        sut
    }
}
