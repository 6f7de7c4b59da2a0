//! Running the families against a target: generate, send, judge, shrink, count.

use std::collections::BTreeMap;

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

use crate::contract::{CATALOGUE, RawRequest, Response, RuleId, Severity, Signing, rules};
use crate::generate::{Case, family, server_rules};
use crate::oracle::{Check, Judgement, Session, Status};
use crate::runner::config::RunConfig;
use crate::runner::result::{Counterexample, RuleReport, RuleStatus, RunReport};
use crate::target::Target;
use crate::world::World;

/// Something to tell a progress display: how many cases are planned, and each one done.
pub trait Progress: Send + Sync {
    /// The run starts with this many cases planned.
    fn start(&self, planned: usize);
    /// One case was judged; `rule` is the rule its family exercises.
    fn case_done(&self, rule: RuleId, conforming: bool);
    /// The run is over.
    fn finish(&self);
    /// Whether the run should stop now (for example after Ctrl-C). Asked before each case;
    /// a stopped run returns the results so far with [`RunReport::interrupted`] set.
    fn stopped(&self) -> bool {
        false
    }
}

/// No progress display.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn start(&self, _planned: usize) {}
    fn case_done(&self, _rule: RuleId, _conforming: bool) {}
    fn finish(&self) {}
}

#[derive(Default)]
struct Tally {
    cases: usize,
    passed: usize,
    failed: usize,
    warned: usize,
    informational: usize,
    /// Cases of the rule's family the target cannot express (`Target::can_send`), not sent.
    skipped: usize,
    behaviours: BTreeMap<String, usize>,
    counterexample: Option<Counterexample>,
}

/// A per-rule random source: the same seed gives the same cases for a rule whatever other
/// rules are selected.
fn runner_for(seed: u64, rule: RuleId) -> TestRunner {
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    for (index, byte) in rule.as_str().bytes().enumerate() {
        bytes[8 + index % 24] ^= byte.rotate_left((index / 24) as u32);
    }
    let config = Config {
        failure_persistence: None,
        ..Config::default()
    };
    TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &bytes))
}

/// The request of a case as it goes on the wire: signed as the case's `signing` says (SigV4
/// with the world's secrets, for `authority` and `region`, at the current time). `None` when it
/// cannot be signed (built without the `sigv4` feature).
pub fn signed_request(
    case: &Case,
    world: &World,
    authority: &str,
    region: &str,
) -> Option<RawRequest> {
    match &case.signing {
        Signing::Unsigned => Some(case.request.clone()),
        #[cfg(feature = "sigv4")]
        signing => Some(crate::sigv4::apply(
            &case.request,
            signing,
            world,
            authority,
            region,
            std::time::SystemTime::now(),
        )),
        #[cfg(not(feature = "sigv4"))]
        _ => {
            let _ = (world, authority, region);
            None
        }
    }
}

struct Execution {
    request: RawRequest,
    response: Response,
    judgement: Judgement,
}

/// The conformance run: for every selected server-side rule with a family in this world,
/// generates cases (deterministically for the seed), sends each to the target, judges the
/// answer with the oracle (tracking the target's state as the oracle's world), and shrinks the
/// first counterexample of every broken rule by re-asking the target.
///
/// The target must start in the state of `world`.
///
/// ```
/// use opsworks_conformance::runner::{run, RunConfig};
/// use opsworks_conformance::target::ReferenceTarget;
/// use opsworks_conformance::world::World;
///
/// let world = World::bundled();
/// let target = ReferenceTarget::new(world.clone());
/// let config = RunConfig::default().with_cases(200);
/// let report = futures_lite_block_on(run(&target, &world, &config));
/// assert!(report.passed());
/// # fn futures_lite_block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
/// # }
/// ```
pub async fn run(target: &dyn Target, world: &World, config: &RunConfig) -> RunReport {
    run_with_progress(target, world, config, &NoProgress).await
}

/// [`run`], telling `progress` about each case.
pub async fn run_with_progress(
    target: &dyn Target,
    world: &World,
    config: &RunConfig,
    progress: &dyn Progress,
) -> RunReport {
    let selected: Vec<RuleId> = server_rules()
        .into_iter()
        .filter(|rule| config.selects(rule.as_str()))
        .collect();
    let families: Vec<(RuleId, Option<_>)> = selected
        .iter()
        .map(|rule| (*rule, family(*rule, world)))
        .collect();
    let applicable = families.iter().filter(|(_, f)| f.is_some()).count().max(1);
    let per_rule = (config.cases / applicable).max(config.min_cases_per_rule);
    progress.start(per_rule * applicable);

    let authority = target.authority();
    let mut session = Session::new(world.clone());
    let mut tallies: BTreeMap<RuleId, Tally> = BTreeMap::new();
    let mut notes = Vec::new();
    let mut sent = 0usize;

    let mut interrupted = false;
    'families: for (rule, strategy) in &families {
        let Some(strategy) = strategy else { continue };
        let mut runner = runner_for(config.seed, *rule);
        for _ in 0..per_rule {
            if progress.stopped() {
                interrupted = true;
                break 'families;
            }
            let Ok(mut tree) = strategy.new_tree(&mut runner) else {
                notes.push(format!("{rule}: the generator could not make a case"));
                break;
            };
            let case = tree.current();
            let execution = match execute(target, world, &mut session, &case, &authority, config)
                .await
            {
                Ok(execution) => execution,
                Err(Skip::Inexpressible) => {
                    tallies.entry(*rule).or_default().skipped += 1;
                    continue;
                }
                Err(Skip::Unsignable) => {
                    notes.push(format!(
                            "{rule}: cases that need a SigV4 signature were skipped (built without the `sigv4` feature)"
                        ));
                    break;
                }
            };
            sent += 1;
            progress.case_done(*rule, execution.judgement.conforms(config.strict));
            let broken: Vec<Check> = execution
                .judgement
                .checks
                .iter()
                .filter(|check| matches!(check.status, Status::Failed | Status::Warned))
                .filter(|check| {
                    tallies
                        .get(&check.rule)
                        .is_none_or(|t| t.counterexample.is_none())
                })
                .cloned()
                .collect();
            count(&mut tallies, &execution.judgement);
            for check in broken {
                if tallies
                    .get(&check.rule)
                    .is_some_and(|t| t.counterexample.is_some())
                {
                    continue;
                }
                let counterexample = shrink(
                    target,
                    world,
                    &mut session,
                    &mut tree,
                    &case,
                    execution.request.clone(),
                    execution.response.clone(),
                    &check,
                    &authority,
                    config,
                )
                .await;
                let counterexample = Counterexample {
                    found_after: sent,
                    ..counterexample
                };
                tallies.entry(check.rule).or_default().counterexample = Some(counterexample);
            }
        }
    }
    progress.finish();

    let skipped: usize = tallies.values().map(|tally| tally.skipped).sum();
    if skipped > 0 {
        notes.push(format!(
            "{skipped} cases the target cannot express were not sent; rules only they exercise are not applicable"
        ));
    }
    let rules = selected
        .iter()
        .map(|rule| rule_report(*rule, tallies.remove(rule), &families))
        .collect::<Vec<_>>();
    let accepted_valid = rules
        .iter()
        .any(|r| r.id == rules::S_ACCEPT_VALID && r.status == RuleStatus::Passed);
    if interrupted {
        notes.push(format!(
            "interrupted after {sent} cases: the results cover only those, verdict fail"
        ));
    }
    if !accepted_valid && config.selects(rules::S_ACCEPT_VALID.as_str()) {
        notes.push(
            "S-ACCEPT-VALID: no valid request was accepted, so the run proves nothing: verdict fail"
                .to_owned(),
        );
    }
    RunReport {
        target: target.describe(),
        seed: config.seed,
        strict: config.strict,
        cases: sent,
        rules,
        notes,
        interrupted,
    }
}

/// Why a case was not sent.
enum Skip {
    /// It needs a signature and the crate was built without `sigv4`.
    Unsignable,
    /// The target cannot express it (`Target::can_send` is false).
    Inexpressible,
}

async fn execute(
    target: &dyn Target,
    world: &World,
    session: &mut Session,
    case: &Case,
    authority: &str,
    config: &RunConfig,
) -> Result<Execution, Skip> {
    let request = signed_request(case, world, authority, &config.region).ok_or(Skip::Unsignable)?;
    if !target.can_send(&request) {
        return Err(Skip::Inexpressible);
    }
    let response = target.send(&request).await;
    let judgement = session.observe(&case.request, &case.caller(), &response);
    Ok(Execution {
        request,
        response,
        judgement,
    })
}

fn count(tallies: &mut BTreeMap<RuleId, Tally>, judgement: &Judgement) {
    let mut seen: Vec<RuleId> = Vec::new();
    for check in &judgement.checks {
        let tally = tallies.entry(check.rule).or_default();
        if !seen.contains(&check.rule) {
            tally.cases += 1;
            seen.push(check.rule);
        }
        match check.status {
            Status::Passed => tally.passed += 1,
            Status::Failed => tally.failed += 1,
            Status::Warned => tally.warned += 1,
            Status::Informational => {
                tally.informational += 1;
                if let Some(behaviour) = check.behaviour {
                    *tally.behaviours.entry(behaviour.to_string()).or_default() += 1;
                }
            }
        }
    }
}

/// Shrinks a failing case for one rule: simplify while the rule still breaks in the same way,
/// complicate back when it does not, re-asking the target each time.
#[allow(clippy::too_many_arguments)]
async fn shrink(
    target: &dyn Target,
    world: &World,
    session: &mut Session,
    tree: &mut Box<dyn ValueTree<Value = Case>>,
    case: &Case,
    request: RawRequest,
    response: Response,
    check: &Check,
    authority: &str,
    config: &RunConfig,
) -> Counterexample {
    let mut best = (case.clone(), request, response, check.clone());
    let mut accepted = 0usize;
    // Sequence rules depend on earlier requests: a lone request cannot be shrunk for them.
    let shrinkable = ![rules::S_UNIQUE_ID, rules::S_ERROR_NO_EFFECT].contains(&check.rule);
    if shrinkable && tree.simplify() {
        for _ in 0..config.max_shrink_steps {
            let candidate = tree.current();
            let execution =
                match execute(target, world, session, &candidate, authority, config).await {
                    Ok(execution) => execution,
                    // A simpler case the target cannot express: try a less simple one.
                    Err(Skip::Inexpressible) if tree.complicate() => continue,
                    Err(_) => break,
                };
            let still = execution
                .judgement
                .checks
                .iter()
                .find(|c| c.rule == check.rule && c.status == check.status)
                .cloned();
            let more = match still {
                Some(still) => {
                    best = (candidate, execution.request, execution.response, still);
                    accepted += 1;
                    tree.simplify()
                }
                None => tree.complicate(),
            };
            if !more {
                break;
            }
        }
    }
    if shrinkable {
        // Proptest shrinks an optional member's content before it drops the member, which can
        // take more steps than the budget: drop each member that is not needed, directly.
        let mut index = 0;
        while let Some(candidate) = without_member(&best.0, index) {
            index += 1;
            let Ok(execution) =
                execute(target, world, session, &candidate, authority, config).await
            else {
                continue;
            };
            if let Some(still) = execution
                .judgement
                .checks
                .iter()
                .find(|c| c.rule == check.rule && c.status == check.status)
                .cloned()
            {
                best = (candidate, execution.request, execution.response, still);
                accepted += 1;
                index = 0;
            }
        }
    }
    let (case, request, response, check) = best;
    let (observed, failure) = match response {
        Ok(observation) => (Some(observation), None),
        Err(failure) => (None, Some(failure)),
    };
    Counterexample {
        label: case.label,
        request,
        signing: case.signing,
        expected: check.expected,
        found: check.found,
        observed,
        failure,
        shrink_steps: accepted,
        found_after: 0,
    }
}

/// The case without the `index`-th removable member of its JSON body (top-level members other
/// than `StackId` and `Command`, then `Command.Args`), or `None` past the last one. Only for
/// bodies in canonical form, so that what makes a raw case special is never rewritten.
fn without_member(case: &Case, index: usize) -> Option<Case> {
    let serde_json::Value::Object(object) =
        serde_json::from_slice::<serde_json::Value>(&case.request.body).ok()?
    else {
        return None;
    };
    if serde_json::to_vec(&object).ok()? != case.request.body {
        return None;
    }
    let mut removable: Vec<(String, Option<&str>)> = object
        .keys()
        .filter(|key| *key != "StackId" && *key != "Command")
        .map(|key| (key.clone(), None))
        .collect();
    if object
        .get("Command")
        .and_then(|command| command.get("Args"))
        .is_some()
    {
        removable.push(("Command".to_owned(), Some("Args")));
    }
    let (key, inner) = removable.get(index)?;
    let mut smaller = object.clone();
    match inner {
        None => {
            smaller.remove(key);
        }
        Some(inner) => {
            if let Some(serde_json::Value::Object(command)) = smaller.get_mut(key) {
                command.remove(*inner);
            }
        }
    }
    let mut candidate = case.clone();
    candidate.request.body = serde_json::Value::Object(smaller).to_string().into_bytes();
    candidate.input = candidate
        .input
        .as_ref()
        .and_then(|_| serde_json::from_slice(&candidate.request.body).ok());
    Some(candidate)
}

fn rule_report(
    id: RuleId,
    tally: Option<Tally>,
    families: &[(RuleId, Option<proptest::strategy::BoxedStrategy<Case>>)],
) -> RuleReport {
    let severity = CATALOGUE
        .iter()
        .find(|rule| rule.id == id)
        .map_or(Severity::Must, |rule| rule.severity);
    let tally = tally.unwrap_or_default();
    let status = if tally.failed > 0 {
        RuleStatus::Failed
    } else if tally.warned > 0 {
        RuleStatus::Warned
    } else if tally.informational > 0 {
        RuleStatus::Informational
    } else if tally.passed > 0 {
        RuleStatus::Passed
    } else {
        RuleStatus::NotApplicable
    };
    let has_family = families.iter().any(|(rule, f)| *rule == id && f.is_some());
    let note = (status == RuleStatus::NotApplicable).then(|| {
        if tally.skipped > 0 {
            format!(
                "the target cannot express these cases ({} skipped)",
                tally.skipped
            )
        } else if has_family {
            "no case reached the rule".to_owned()
        } else if id.as_str().starts_with("A-") {
            "the world declares no users".to_owned()
        } else if id == rules::M_POLICY_VS_DENY {
            "no user of the world has level deny and a policy granting the action".to_owned()
        } else {
            "the world offers no case for this rule".to_owned()
        }
    });
    RuleReport {
        id,
        severity,
        status,
        cases: tally.cases,
        counterexample: tally.counterexample,
        behaviours: tally.behaviours,
        note,
    }
}
