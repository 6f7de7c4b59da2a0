//! Stateful sequences (proptest-state-machine): the reference passes; broken targets are
//! caught and shrunk to the shortest failing sequence.

use std::sync::Arc;

use opsworks_conformance::contract::{Observation, RawRequest};
use opsworks_conformance::runner::{
    DeploymentSequence, ReferenceFactory, SequenceTest, TargetFactory,
};
use opsworks_conformance::target::{ReferenceTarget, Target, from_fn};
use opsworks_conformance::world::World;
use proptest::test_runner::{Config, TestError, TestRunner};
use proptest_state_machine::{ReferenceStateMachine, StateMachineTest, prop_state_machine};
use serde_json::Value;

prop_state_machine! {
    #![proptest_config(Config { cases: 48, failure_persistence: None, ..Config::default() })]
    #[test]
    fn the_reference_passes_every_sequence(sequential 1..40 => SequenceTest<ReferenceFactory>);
}

/// Rejected rollbacks still use up a stored version (S-ERROR-NO-EFFECT).
struct LeakyRollbacks;

impl TargetFactory for LeakyRollbacks {
    type Target = Box<dyn Target>;

    fn create(world: &World) -> Self::Target {
        let inner = Arc::new(ReferenceTarget::new(world.clone()));
        Box::new(from_fn(move |request: RawRequest| {
            let inner = inner.clone();
            async move {
                let answer = inner.answer_request(&request);
                if answer.status == 400 {
                    if let Ok(Value::Object(object)) =
                        serde_json::from_slice::<Value>(&request.body)
                    {
                        let rollback = object.get("Command").and_then(|c| c.get("Name"))
                            == Some(&Value::from("rollback"));
                        if let (true, Some(Value::String(stack)), Some(Value::String(app))) =
                            (rollback, object.get("StackId"), object.get("AppId"))
                        {
                            let _ = inner.answer_request(&RawRequest::json(format!(
                                r#"{{"StackId":"{stack}","AppId":"{app}","Command":{{"Name":"rollback"}}}}"#
                            )));
                        }
                    }
                }
                Ok(answer)
            }
        }))
    }
}

/// Answers every success with the same DeploymentId (S-UNIQUE-ID).
struct SameId;

impl TargetFactory for SameId {
    type Target = Box<dyn Target>;

    fn create(world: &World) -> Self::Target {
        let inner = Arc::new(ReferenceTarget::new(world.clone()));
        Box::new(from_fn(move |request: RawRequest| {
            let inner = inner.clone();
            async move {
                let answer = inner.answer_request(&request);
                Ok(if answer.status == 200 {
                    Observation::json(200, r#"{"DeploymentId":"d-same"}"#)
                } else {
                    answer
                })
            }
        }))
    }
}

/// Runs the sequential strategy against `F` and returns the shrunk failing sequence and message.
fn shrunk_failure<F: TargetFactory>() -> (usize, String) {
    let mut runner = TestRunner::new(Config {
        cases: 256,
        failure_persistence: None,
        ..Config::default()
    });
    let strategy = DeploymentSequence::sequential_strategy(1..40);
    let result = runner.run(&strategy, |(state, transitions, seen)| {
        SequenceTest::<F>::test_sequential(Config::default(), state, transitions, seen);
        Ok(())
    });
    match result {
        Err(TestError::Fail(reason, (_, transitions, _))) => {
            (transitions.len(), reason.to_string())
        }
        other => panic!("expected the broken target to be caught, found {other:?}"),
    }
}

#[test]
fn rejected_rollbacks_that_use_up_versions_shrink_to_a_short_sequence() {
    let (length, message) = shrunk_failure::<LeakyRollbacks>();
    assert!(message.contains("[S-ERROR-NO-EFFECT]"), "{message}");
    // A rejected rollback, then the rollbacks the app's stored versions allow, the last of which
    // the target refuses: for the bundled world's apps (2 to 5 versions) at most 5 steps, which
    // is what proptest-state-machine's shrinking reaches (it drops transitions; the app it keeps
    // is the one the failing run used).
    assert!(length <= 5, "shrunk to {length} transitions: {message}");
}

#[test]
fn repeated_ids_shrink_to_two_requests() {
    let (length, message) = shrunk_failure::<SameId>();
    assert!(message.contains("[S-UNIQUE-ID]"), "{message}");
    assert_eq!(length, 2, "{message}");
}
