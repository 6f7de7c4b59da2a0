//! Running the families against a target: generate, send, judge, shrink, count.

use std::collections::{BTreeMap, VecDeque};
use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::task::{Context, Poll};

use proptest::strategy::{BoxedStrategy, ValueTree};
use proptest::test_runner::TestRng;

use crate::contract::{
    CATALOGUE, RawRequest, Response, RuleId, Severity, Side, Signing, TransportFailureKind, wire,
};
use crate::generate::stream::{CaseStream, Generated, replay};
use crate::generate::{Case, server_rules};
use crate::oracle::{
    CallerIdentity, Check, Effect, Judgement, Outcome, Prepared, Session, Status, Verdict,
};
use crate::runner::config::RunConfig;
use crate::runner::evidence::{self, AnswerClass, Evidence};
use crate::runner::result::{Counterexample, RuleReport, RuleStatus, RunReport};
use crate::runner::signing::{Credentials, DefaultSigning};
use crate::runner::tally;
use crate::snapshot::{self, Exchange, RuleExemplars, SnapshotStore, Transcript};
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
    /// Whether the run should stop now (for example after Ctrl-C). Asked before each case and
    /// before each shrinking step; a stopped run sends no further case, stops shrinking
    /// (keeping the smallest counterexample found so far) and returns the results so far with
    /// [`RunReport::interrupted`] set.
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

/// One rule's tally in a server run: the counts every gate keeps, and what only this one
/// counts.
#[derive(Default)]
struct Tally {
    /// The counts every gate keeps.
    base: tally::Tally,
    /// Cases of the rule's family the target cannot express (`Target::can_send`), not sent.
    skipped: usize,
    /// Cases whose answer could not decide the rule (no OpsWorks answer, or one that failed
    /// another rule: [`evidence::sift`]).
    undecided: usize,
    /// Cases whose answer broke the rule (failed or warned it), each counted once.
    broken_cases: usize,
    /// The class of their answers while all are alike (`Some(None)` once two differ).
    broken_answers: Option<Option<AnswerClass>>,
}

impl std::ops::Deref for Tally {
    type Target = tally::Tally;

    fn deref(&self) -> &tally::Tally {
        &self.base
    }
}

impl std::ops::DerefMut for Tally {
    fn deref_mut(&mut self) -> &mut tally::Tally {
        &mut self.base
    }
}

impl Tally {
    /// Counts a case whose answer broke the rule.
    fn broken_by(&mut self, class: &AnswerClass) {
        self.broken_cases += 1;
        self.broken_answers = match self.broken_answers.take() {
            None => Some(Some(class.clone())),
            Some(Some(seen)) if seen.same_cause(class) => Some(Some(seen)),
            Some(_) => Some(None),
        };
    }

    /// Every case of the rule broke it, and every one was answered alike: one cause, whose
    /// counterexample is not worth many requests.
    fn broken_alike(&self) -> bool {
        self.broken_cases > 0
            && self.broken_cases == self.cases
            && matches!(self.broken_answers, Some(Some(_)))
    }
}

/// The first case that broke a rule, waiting to be shrunk once every case was sent.
struct Pending {
    family: usize,
    rng: TestRng,
    case: Case,
    request: RawRequest,
    response: Response,
    check: Check,
    found_after: usize,
}

/// The request of a case as it goes on the wire: signed as the case's `signing` says (SigV4
/// with the world's secrets, for `authority` and `region`, at the current time). `None` when it
/// cannot be signed (built without the `sigv4` feature). A case the world lets go unsigned
/// (a world without users) goes unsigned here; the runner signs it with
/// [`RunConfig::signing`]'s key, as [`signed_request_with`] does.
pub fn signed_request(
    case: &Case,
    world: &World,
    authority: &str,
    region: &str,
) -> Option<RawRequest> {
    signature(&case.request, &case.signing, world, authority, region, None)
        .map(|signed| signed.unwrap_or_else(|| case.request.clone()))
}

/// [`signed_request`] as the runner sends it: a case of a world without users is signed with
/// `default`'s key ([`DefaultSigning`]) unless it is [`DefaultSigning::Unsigned`].
pub fn signed_request_with(
    case: &Case,
    world: &World,
    authority: &str,
    region: &str,
    default: &DefaultSigning,
) -> Option<RawRequest> {
    let key = default.credentials();
    signature(
        &case.request,
        &case.signing,
        world,
        authority,
        region,
        key.as_ref(),
    )
    .map(|signed| signed.unwrap_or_else(|| case.request.clone()))
}

/// `request` signed as `signing` says: `Some(None)` when it goes unsigned (then it is sent as
/// request is sent), `None` when it cannot be signed. `default` signs the cases of a world
/// without users (whose signing is [`Signing::Unsigned`]: no rule asks for a signature there).
fn signature(
    request: &RawRequest,
    signing: &Signing,
    world: &World,
    authority: &str,
    region: &str,
    default: Option<&Credentials>,
) -> Option<Option<RawRequest>> {
    match (signing, default) {
        (Signing::Unsigned, Some(key)) if !world.has_users() => {
            Some(Some(crate::runner::signing::sign_with(
                request,
                key,
                authority,
                region,
                std::time::SystemTime::now(),
            )))
        }
        (Signing::Unsigned, _) => Some(None),
        (signing, _) => Some(Some(crate::sigv4::apply(
            request,
            signing,
            world,
            authority,
            region,
            std::time::SystemTime::now(),
        ))),
    }
}

/// What was sent for one case and what came back.
struct Execution {
    request: RawRequest,
    response: Response,
    judgement: Judgement,
}

/// The conformance run: for every selected server-side rule with a family in this world,
/// generates cases (deterministically for the seed), sends each to the target, judges the
/// answer with the oracle (tracking the target's state as the oracle's world), and, once every
/// case was sent, shrinks the first counterexample of every broken rule by re-asking the
/// target, within [`RunConfig::shrink_budget`] requests (the oracle follows what the replays
/// do to the target's state too).
///
/// The target must start in the state of `world` (a target that served an earlier run keeps
/// the app versions its rollbacks used up; rollback failures that fit that say so). Cases are generated ahead on worker threads
/// (one per core but the runner's, none on a single core): the same cases, in the same order, as
/// generated in place. With [`RunConfig::concurrency`] above 1, up to that many requests are in
/// flight at once; the cases and the order in which they are judged stay the same, and a
/// request whose answer depends on the order (a rollback) is sent alone.
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
    run_keeping_state(target, world, config, progress, Exemplars::None)
        .await
        .0
}

/// [`run_with_progress`], also sending each selected rule's exemplars
/// ([`snapshot::exemplars`](crate::snapshot::exemplars)) before the cases and giving back their
/// transcripts, in catalogue order (rules without a family in this world have none).
///
/// The exemplars are not judged nor counted as cases: the report is what [`run`] would give
/// (the oracle follows what they do to the target's state, a rollback using up a version).
/// They depend only on the world, so against a target in the world's state their transcripts
/// are the same whatever the seed and the number of cases.
///
/// ```
/// use opsworks_conformance::contract::rules;
/// use opsworks_conformance::runner::{NoProgress, RunConfig, run_with_snapshots};
/// use opsworks_conformance::target::{ReferenceTarget, block_on};
/// use opsworks_conformance::world::World;
///
/// let world = World::bundled();
/// let config = RunConfig::default().with_cases(100).only("S-UNIQUE-ID");
/// let target = ReferenceTarget::new(world.clone());
/// let (report, transcripts) = block_on(run_with_snapshots(&target, &world, &config, &NoProgress));
/// assert!(report.passed());
/// assert_eq!(transcripts[0].rule, rules::S_UNIQUE_ID);
/// assert!(transcripts[0].text.contains("[deployment id 2]"), "{}", transcripts[0].text);
/// ```
pub async fn run_with_snapshots(
    target: &dyn Target,
    world: &World,
    config: &RunConfig,
    progress: &dyn Progress,
) -> (RunReport, Vec<Transcript>) {
    let (report, _, transcripts) =
        run_keeping_state(target, world, config, progress, Exemplars::Found).await;
    (report, transcripts)
}

/// [`run_with_snapshots`] with the exemplars kept in the snapshot folder between runs
/// ([`SnapshotStore::exemplars`]): what `run --snapshots DIR` does. The transcripts are the
/// same; only the time to find the exemplars is saved once the folder holds them.
///
/// ```
/// use opsworks_conformance::runner::{NoProgress, RunConfig, run_with_snapshot_store};
/// use opsworks_conformance::snapshot::SnapshotStore;
/// use opsworks_conformance::target::{ReferenceTarget, block_on};
/// use opsworks_conformance::world::World;
///
/// let dir = std::env::temp_dir().join(format!("doc-exemplars-{}", std::process::id()));
/// let store = SnapshotStore::new(&dir, false, false);
/// let world = World::bundled();
/// let config = RunConfig::default().with_cases(100).only("S-UNIQUE-ID");
/// let target = ReferenceTarget::new(world.clone());
/// let (_, first) = block_on(run_with_snapshot_store(&target, &world, &config, &NoProgress, &store));
/// let (_, again) = block_on(run_with_snapshot_store(&target, &world, &config, &NoProgress, &store));
/// assert_eq!(first[0].text.lines().count(), again[0].text.lines().count());
/// assert!(dir.join(".exemplars.json").exists());
/// # std::fs::remove_dir_all(&dir).unwrap();
/// ```
pub async fn run_with_snapshot_store(
    target: &dyn Target,
    world: &World,
    config: &RunConfig,
    progress: &dyn Progress,
    store: &SnapshotStore,
) -> (RunReport, Vec<Transcript>) {
    let (report, _, transcripts) =
        run_keeping_state(target, world, config, progress, Exemplars::Kept(store)).await;
    (report, transcripts)
}

/// Where a run takes the exemplars it sends before its cases from.
#[derive(Clone, Copy)]
pub(crate) enum Exemplars<'a> {
    /// No snapshots: none are sent.
    None,
    /// Found for this run.
    Found,
    /// Kept in a snapshot folder between runs.
    Kept(&'a SnapshotStore),
}

/// [`run_with_progress`], also giving back the world the oracle holds the target to be in at
/// the end (after shrinking).
pub(crate) async fn run_keeping_state(
    target: &dyn Target,
    world: &World,
    config: &RunConfig,
    progress: &dyn Progress,
    snapshots: Exemplars<'_>,
) -> (RunReport, World, Vec<Transcript>) {
    let selected: Vec<RuleId> = server_rules()
        .into_iter()
        .filter(|rule| config.selects(rule.as_str()))
        .collect();
    let mut stream = CaseStream::start(
        world,
        &selected,
        config.seed,
        config.cases,
        config.min_cases_per_rule,
    );
    let plan = stream.plan().clone();
    let applicable = plan.has_family.iter().filter(|has| **has).count().max(1);
    progress.start(plan.per_rule * applicable);

    let mut gate = Gate {
        target,
        world,
        config,
        progress,
        rules: &selected,
        authority: target.authority(),
        session: Session::new(world.clone()),
        tallies: BTreeMap::new(),
        notes: Vec::new(),
        sent: 0,
        stopped: false,
        strategies: vec![None; selected.len()],
        pending: Vec::new(),
        shrink_budget: config.shrink_budget_for(plan.per_rule * applicable),
        shrink_spent: 0,
        budget_ran_out: false,
        key: config.signing.credentials(),
        evidence: Evidence::default(),
    };
    gate.probe().await;
    let transcripts = match snapshots {
        Exemplars::None => Vec::new(),
        Exemplars::Found => {
            let found = snapshot::exemplars(world, &selected);
            gate.exemplars(found).await
        }
        Exemplars::Kept(store) => {
            let found = store.exemplars(world, &selected);
            gate.exemplars(found).await
        }
    };
    let mut interrupted = gate.run_cases(&mut stream).await;
    drop(stream);
    interrupted |= gate.shrink_pending(interrupted).await;
    progress.finish();

    let Gate {
        mut tallies,
        mut notes,
        sent,
        shrink_budget,
        shrink_spent,
        budget_ran_out,
        session,
        evidence,
        ..
    } = gate;
    if budget_ran_out {
        let spent = if shrink_spent >= shrink_budget {
            format!("budget of {shrink_budget} requests spent")
        } else {
            format!(
                "{shrink_spent} requests sent of a budget of {shrink_budget}, shared among the counterexamples"
            )
        };
        notes.push(format!(
            "shrinking stopped: {spent} (--shrink-budget); the counterexamples are the smallest found until then"
        ));
    }
    let skipped: usize = tallies.values().map(|tally| tally.skipped).sum();
    if skipped > 0 {
        notes.push(format!(
            "{skipped} cases the target cannot express were not sent; rules only they exercise are not applicable"
        ));
    }
    // Whether the target accepted some valid request (a pass the answers decided).
    let acceptance = RuleId::acceptance(Side::Server);
    let some_valid_accepted = tallies
        .get(&acceptance)
        .is_some_and(|tally| tally.passed > 0);
    // The selected rules, and the rules outside the filter that the selected cases failed,
    // in catalogue order.
    let rules = server_rules()
        .into_iter()
        .filter_map(
            |rule| match selected.iter().position(|selected| *selected == rule) {
                Some(family) => {
                    let has_family = plan.has_family.get(family).copied().unwrap_or(false);
                    Some(rule_report(rule, tallies.remove(&rule), has_family))
                }
                None => {
                    let tally = tallies.remove(&rule).filter(|tally| tally.failed > 0)?;
                    let mut report = rule_report(rule, Some(tally), false);
                    report.note = Some(OUTSIDE_THE_FILTER.to_owned());
                    Some(report)
                }
            },
        )
        .collect::<Vec<_>>();
    let endpoint = evidence.endpoint_check();
    let mut rules = rules;
    if let Some(check) = &endpoint {
        evidence::void_claims(check, &mut rules);
    }
    let groups = evidence.groups(&rules);
    let accepted_valid = rules
        .iter()
        .any(|r| r.id == acceptance && r.status == RuleStatus::Passed);
    if interrupted {
        notes.push(format!(
            "interrupted after {sent} cases: the results cover only those, verdict fail"
        ));
    }
    // (When some were accepted and others refused, the acceptance rule's failure says so.)
    if !accepted_valid && !some_valid_accepted && config.selects(acceptance.as_str()) {
        notes.push(format!(
            "{acceptance}: no valid request was accepted, so the run proves nothing: verdict fail"
        ));
    }
    if rules
        .iter()
        .all(|rule| rule.status == RuleStatus::NotApplicable)
    {
        notes.push(
            "no rule was exercised (no case was answered, or the filter selects only rules this world offers no case for), so the run proves nothing: verdict fail"
                .to_owned(),
        );
    }
    let report = RunReport {
        target: target.describe(),
        seed: config.seed,
        strict: config.strict,
        cases: sent,
        rules,
        notes,
        interrupted,
        shrink_requests: shrink_spent,
        endpoint,
        groups,
    };
    (report, session.world().clone(), transcripts)
}

/// The note of a rule the filter ([`RunConfig::only`]) left out, reported because the cases of
/// the selected rules failed it.
pub(crate) const OUTSIDE_THE_FILTER: &str =
    "outside the rule filter: failed by the cases of the selected rules";

/// Why a case was not sent.
enum Skip {
    /// It needs a signature and the crate was built without `sigv4`.
    Unsignable,
    /// The target cannot express it (`Target::can_send` is false).
    Inexpressible,
    /// The target did not send it (it had been given up on, or the run was stopped).
    NotSent,
}

/// Whether a response says the request never left (not an answer of the target's).
fn not_sent(response: &Response) -> bool {
    matches!(response, Err(failure) if failure.kind == TransportFailureKind::NotSent)
}

/// What a request in flight gives back: the case, the request as sent when it differs from the
/// case's (signed), and the response.
type Sent = (Case, Option<RawRequest>, Response);

/// A request in flight, owning what it sends.
type Sending<'a> = Pin<Box<dyn Future<Output = Sent> + Send + 'a>>;

/// A case sent to the target, waiting to be judged.
struct Slot<'a> {
    family: usize,
    rng: TestRng,
    caller: CallerIdentity,
    prepared: Prepared,
    /// The verdict came with the case from the stream (made on another thread).
    prejudged: bool,
    /// Its answer may depend on the order of requests (or change what later ones get): it is
    /// sent alone.
    alone: bool,
    sending: Option<Sending<'a>>,
    sent: Option<Sent>,
}

impl Slot<'_> {
    /// The verdict, when the stream made it (to go back to the thread that made it).
    fn stream_verdict(self) -> Option<Verdict> {
        self.prejudged.then(|| self.prepared.into_verdict())
    }
}

/// The requests in flight, judged in the order they were sent.
struct Window<'a> {
    slots: VecDeque<Slot<'a>>,
}

impl<'a> Window<'a> {
    /// Polls every request still in flight, keeping what comes back.
    fn poll_all(&mut self, context: &mut Context<'_>) {
        for slot in &mut self.slots {
            if let Some(sending) = slot.sending.as_mut() {
                if let Poll::Ready(sent) = sending.as_mut().poll(context) {
                    slot.sent = Some(sent);
                    slot.sending = None;
                }
            }
        }
    }

    /// Waits until the oldest request has its answer (polling the others meanwhile) and takes
    /// it out of the window.
    async fn next_answered(&mut self) -> Option<(Slot<'a>, Sent)> {
        poll_fn(|context| {
            self.poll_all(context);
            match self.slots.front() {
                Some(slot) if slot.sent.is_none() => Poll::Pending,
                _ => Poll::Ready(()),
            }
        })
        .await;
        let mut slot = self.slots.pop_front()?;
        let sent = slot.sent.take()?;
        Some((slot, sent))
    }

    /// Awaits `future`, keeping the requests in flight going meanwhile (so that they do not
    /// time out while a counterexample is shrunk).
    async fn alongside<T>(&mut self, future: impl Future<Output = T>) -> T {
        let mut future = std::pin::pin!(future);
        poll_fn(|context| {
            self.poll_all(context);
            future.as_mut().poll(context)
        })
        .await
    }
}

/// The value tree of a case.
type CaseTree = Box<dyn ValueTree<Value = Case>>;

/// Where a failing case comes from, to shrink it: its family, the random state it was made
/// with, and its value tree (rebuilt on the first shrink, shared by the next ones: `None` until
/// then, `Some(None)` when it cannot be rebuilt).
struct Origin<'t> {
    family: usize,
    rng: &'t TestRng,
    tree: &'t mut Option<Option<CaseTree>>,
}

/// A conformance run in progress.
struct Gate<'a> {
    target: &'a dyn Target,
    world: &'a World,
    config: &'a RunConfig,
    progress: &'a dyn Progress,
    rules: &'a [RuleId],
    authority: String,
    session: Session,
    tallies: BTreeMap<RuleId, Tally>,
    notes: Vec<String>,
    sent: usize,
    /// The run was seen stopped ([`Progress::stopped`]) while a counterexample was shrunk.
    stopped: bool,
    /// The families, built here only to shrink (the cases come from the stream).
    strategies: Vec<Option<Option<BoxedStrategy<Case>>>>,
    /// The first case that broke each reported rule, in the order found, shrunk once every
    /// case was sent (so that shrinking changes nothing the cases are judged in).
    pending: Vec<(RuleId, Pending)>,
    /// How many requests shrinking may send in the whole run.
    shrink_budget: usize,
    /// How many it sent.
    shrink_spent: usize,
    /// Shrinking stopped short for want of budget.
    budget_ran_out: bool,
    /// The key of [`RunConfig::signing`], read once when the run starts.
    key: Option<Credentials>,
    /// What the answers show as a whole.
    evidence: Evidence,
}

/// How many requests of a counterexample's share are kept at most to drop members.
const MEMBER_REQUESTS: usize = 32;

/// How far one counterexample is shrunk.
#[derive(Debug, Clone, Copy)]
struct Reach {
    /// Every case of the rule failed alike: only the simplest case is tried, once.
    simplest_only: bool,
    /// The value of `Gate::shrink_spent` at which it stops.
    limit: usize,
}

impl<'a> Gate<'a> {
    /// Sends the probe's requests ([`evidence::probe_requests`]), signed as a valid case of the
    /// world is (by its first user, or with the run's key), and keeps their answers as
    /// evidence. They are no case of any rule: not judged, not counted.
    async fn probe(&mut self) {
        let signing = self.world.users.first().map_or(Signing::Unsigned, |user| {
            Signing::As(user.access_key_id.clone())
        });
        for (words, request) in evidence::probe_requests() {
            if self.stop_requested() {
                return;
            }
            let Some(signed) = signature(
                &request,
                &signing,
                self.world,
                &self.authority,
                &self.config.region,
                self.key.as_ref(),
            ) else {
                return;
            };
            let request = signed.unwrap_or(request);
            if !self.target.can_send(&request) {
                continue;
            }
            let response = self.target.send(&request).await;
            if !not_sent(&response) {
                self.evidence.probe(words, &response);
            }
        }
    }

    /// Sends the exemplars of the selected rules, in catalogue order, and makes their
    /// transcripts. Not judged nor counted; the session follows their effects.
    async fn exemplars(&mut self, sets: Vec<RuleExemplars>) -> Vec<Transcript> {
        let mut transcripts = Vec::new();
        for set in sets {
            let mut exchanges = Vec::new();
            for exemplar in &set.exemplars {
                for case in &exemplar.cases {
                    if self.stop_requested() {
                        return transcripts;
                    }
                    let mut exchange = Exchange {
                        label: exemplar.label,
                        case: case.clone(),
                        signed: false,
                        response: None,
                    };
                    if let Some(signed) = signature(
                        &case.request,
                        &case.signing,
                        self.world,
                        &self.authority,
                        &self.config.region,
                        self.key.as_ref(),
                    ) {
                        let request = signed.unwrap_or_else(|| case.request.clone());
                        exchange.signed = wire::header(&request.headers, "authorization").is_some();
                        if self.target.can_send(&request) {
                            let response = self.target.send(&request).await;
                            if !not_sent(&response) {
                                let _ =
                                    self.session
                                        .observe(&case.request, &case.caller(), &response);
                                exchange.response = Some(response);
                            }
                        }
                    }
                    exchanges.push(exchange);
                }
            }
            transcripts.push(Transcript::new(set.rule, &exchanges));
        }
        transcripts
    }

    /// Sends, judges and shrinks every case of the stream. Returns whether the run was stopped.
    async fn run_cases(&mut self, stream: &mut CaseStream) -> bool {
        let concurrency = self.config.concurrency.max(1);
        let mut window = Window {
            slots: VecDeque::new(),
        };
        let mut interrupted = false;
        // A family whose cases are not sent any more (they need a signature we cannot make).
        let mut given_up: Option<usize> = None;
        // A prepared case that must go alone, waiting for the window to empty.
        let mut held: Option<Slot<'a>> = None;
        let mut exhausted = false;
        loop {
            // Send more while there is room: never next to a request that goes alone.
            while !interrupted
                && window.slots.len() < concurrency
                && !window.slots.back().is_some_and(|slot| slot.alone)
            {
                if let Some(slot) = held.take() {
                    if window.slots.is_empty() {
                        window.slots.push_back(slot);
                        continue;
                    }
                    held = Some(slot);
                    break;
                }
                if exhausted {
                    break;
                }
                let Some(generated) = stream.next_case() else {
                    exhausted = true;
                    break;
                };
                let (Generated::Case { family, .. } | Generated::Failed { family }) = generated;
                if given_up == Some(family) {
                    continue;
                }
                if self.progress.stopped() {
                    interrupted = true;
                    break;
                }
                let (case, rng, verdict) = match generated {
                    Generated::Failed { .. } => {
                        self.notes.push(format!(
                            "{}: the generator could not make a case",
                            self.rules[family]
                        ));
                        continue;
                    }
                    Generated::Case {
                        case, rng, verdict, ..
                    } => (case, rng, verdict),
                };
                match self.issue(family, case, rng, verdict) {
                    Ok(slot) if slot.alone && !window.slots.is_empty() => held = Some(slot),
                    Ok(slot) => window.slots.push_back(slot),
                    Err(Skip::Inexpressible | Skip::NotSent) => {
                        self.tallies.entry(self.rules[family]).or_default().skipped += 1;
                    }
                    Err(Skip::Unsignable) => {
                        self.notes.push(format!(
                            "{}: cases that need a SigV4 signature were skipped (built without the `sigv4` feature)",
                            self.rules[family]
                        ));
                        given_up = Some(family);
                    }
                }
            }
            let Some((slot, (case, signed, response))) = window.next_answered().await else {
                break;
            };
            let family = slot.family;
            let verdict = self.judge(slot, &case, signed, response);
            // Freed by the thread that made them.
            stream.recycle(family, case, verdict);
            interrupted |= self.stopped;
        }
        interrupted
    }

    /// Whether a broken check is reported, and so shrunk: its rule was selected, or it failed
    /// (a MUST rule broken by the selected cases is reported even outside the filter).
    fn reports(&self, check: &Check) -> bool {
        check.status == Status::Failed || self.config.selects(check.rule.as_str())
    }

    /// Whether the run was stopped ([`Progress::stopped`]); remembered, so that the run ends
    /// as interrupted.
    fn stop_requested(&mut self) -> bool {
        self.stopped = self.stopped || self.progress.stopped();
        self.stopped
    }

    /// Signs a case, prepares its verdict and starts sending it; `verdict` is the oracle's on
    /// its request in the world the run started in, when the stream made it.
    fn issue(
        &mut self,
        family: usize,
        case: Case,
        rng: TestRng,
        verdict: Option<Verdict>,
    ) -> Result<Slot<'a>, Skip> {
        let signed = signature(
            &case.request,
            &case.signing,
            self.world,
            &self.authority,
            &self.config.region,
            self.key.as_ref(),
        )
        .ok_or(Skip::Unsignable)?;
        if !self
            .target
            .can_send(signed.as_ref().unwrap_or(&case.request))
        {
            return Err(Skip::Inexpressible);
        }
        let caller = case.caller();
        let prejudged = verdict.is_some();
        let prepared = match verdict {
            Some(verdict) => self.session.prepared_in_initial_world(verdict),
            None => self.session.prepare(&case.request, &caller),
        };
        // A request with an effect (a rollback) changes what later requests get, and what it
        // gets depends on the requests before it.
        let alone = prepared.verdict().effect() != &Effect::None;
        let target = self.target;
        let sending: Sending<'a> = Box::pin(async move {
            let response = target.send(signed.as_ref().unwrap_or(&case.request)).await;
            (case, signed, response)
        });
        Ok(Slot {
            family,
            rng,
            caller,
            prepared,
            prejudged,
            alone,
            sending: Some(sending),
            sent: None,
        })
    }

    /// Judges an answered case, counts it, and keeps it to shrink for the rules it is the first
    /// to break.
    fn judge(
        &mut self,
        slot: Slot<'a>,
        case: &Case,
        signed: Option<RawRequest>,
        response: Response,
    ) -> Option<Verdict> {
        let rule = self.rules[slot.family];
        if not_sent(&response) {
            // Counted as a case the target could not take: judging it would blame the target
            // for a request it never saw.
            self.tallies.entry(rule).or_default().skipped += 1;
            return slot.stream_verdict();
        }
        let mut judgement =
            self.session
                .observe_prepared(&slot.prepared, &case.request, &slot.caller, &response);
        let valid = judgement
            .status_of(RuleId::acceptance(Side::Server))
            .is_some();
        let must_reject = !slot.prepared.verdict().allows(&Outcome::Success);
        let mut undecided = evidence::sift(&mut judgement);
        if no_opsworks_answer(&judgement)
            && !undecided.contains(&rule)
            && judgement.checks.iter().all(|check| check.rule != rule)
        {
            // A case of the rule was sent, but its answer (a 5xx, no answer, another protocol)
            // could not say anything of it: counted as undecided, not as a case that never
            // reached the rule.
            undecided.push(rule);
        }
        let class = self
            .evidence
            .case(&response, valid, must_reject, &judgement);
        self.sent += 1;
        self.progress
            .case_done(rule, judgement.conforms(self.config.strict));
        count(&mut self.tallies, &judgement, &undecided);
        let mut seen: Vec<RuleId> = Vec::new();
        for check in &judgement.checks {
            if !matches!(check.status, Status::Failed | Status::Warned)
                || !self.reports(check)
                || seen.contains(&check.rule)
            {
                continue;
            }
            seen.push(check.rule);
            self.tallies
                .entry(check.rule)
                .or_default()
                .broken_by(&class);
            if self.pending.iter().any(|(rule, _)| *rule == check.rule) {
                continue;
            }
            self.pending.push((
                check.rule,
                Pending {
                    family: slot.family,
                    rng: slot.rng.clone(),
                    case: case.clone(),
                    request: signed.clone().unwrap_or_else(|| case.request.clone()),
                    response: response.clone(),
                    check: check.clone(),
                    found_after: self.sent,
                },
            ));
        }
        slot.stream_verdict()
    }

    /// Shrinks the first counterexample of every broken rule, once every case was sent, within
    /// the shrink budget: first the rules whose every case failed alike (one request each, for
    /// the simplest case), then the others in the order found, each getting an even share of
    /// what is left. When the run was `interrupted` (or is stopped meanwhile), the cases are
    /// kept as they were found. Returns whether the run was stopped while shrinking.
    async fn shrink_pending(&mut self, interrupted: bool) -> bool {
        let mut pending = std::mem::take(&mut self.pending);
        // Stable: the order found, the rules broken alike first.
        pending.sort_by_key(|(rule, _)| !self.tallies.get(rule).is_some_and(Tally::broken_alike));
        let mut window = Window {
            slots: VecDeque::new(),
        };
        let count = pending.len();
        for (done, (rule, pending)) in pending.into_iter().enumerate() {
            let Pending {
                family,
                rng,
                case,
                request,
                response,
                check,
                found_after,
            } = pending;
            let simplest_only = self.tallies.get(&rule).is_some_and(Tally::broken_alike);
            let left = self.shrink_budget.saturating_sub(self.shrink_spent);
            let share = if simplest_only {
                left.min(1)
            } else {
                left / (count - done).max(1)
            }
            .max(left.min(1));
            let counterexample = if interrupted {
                unshrunk(case, request, response, check)
            } else {
                let mut tree: Option<Option<CaseTree>> = None;
                self.shrink(
                    &mut window,
                    Origin {
                        family,
                        rng: &rng,
                        tree: &mut tree,
                    },
                    &case,
                    request,
                    response,
                    &check,
                    Reach {
                        simplest_only,
                        limit: self.shrink_spent + share,
                    },
                )
                .await
            };
            // A case signed with the run's key ([`RunConfig::signing`]) shows as signed by it.
            let signing = match (&counterexample.signing, &self.key) {
                (Signing::Unsigned, Some(key))
                    if counterexample.request.header("Authorization").is_some() =>
                {
                    Signing::As(key.access_key_id().to_owned())
                }
                (signing, _) => signing.clone(),
            };
            self.tallies.entry(rule).or_default().counterexample = Some(Counterexample {
                found_after,
                signing,
                ..counterexample
            });
        }
        !interrupted && self.stopped
    }

    /// Sends one case (while the requests in flight go on) and judges the answer.
    async fn execute(&mut self, window: &mut Window<'a>, case: &Case) -> Result<Execution, Skip> {
        let request = signature(
            &case.request,
            &case.signing,
            self.world,
            &self.authority,
            &self.config.region,
            self.key.as_ref(),
        )
        .ok_or(Skip::Unsignable)?
        .unwrap_or_else(|| case.request.clone());
        if !self.target.can_send(&request) {
            return Err(Skip::Inexpressible);
        }
        let response = window.alongside(self.target.send(&request)).await;
        if not_sent(&response) {
            return Err(Skip::NotSent);
        }
        self.shrink_spent += 1;
        let mut judgement = self
            .session
            .observe(&case.request, &case.caller(), &response);
        evidence::sift(&mut judgement);
        Ok(Execution {
            request,
            response,
            judgement,
        })
    }

    /// Whether shrinking may send another request within `reach` (noting when the budget
    /// stops it), and the run was not stopped.
    fn may_shrink(&mut self, reach: Reach) -> bool {
        if self.stop_requested() {
            return false;
        }
        if self.shrink_spent >= reach.limit.min(self.shrink_budget) {
            self.budget_ran_out = true;
            return false;
        }
        true
    }

    /// Shrinks a failing case for one rule: simplify while the rule still breaks in the same
    /// way, complicate back when it does not, re-asking the target each time, then drop each
    /// member that is not needed. A stopped run ([`Progress::stopped`], asked before each
    /// step) or a spent budget (`reach`) stops shrinking at once, keeping the smallest
    /// counterexample found so far. When every case of the rule failed alike
    /// ([`Reach::simplest_only`]), only the simplest case of the family is tried, once: the
    /// case's value simplified all the way without asking the target.
    ///
    /// A member is dropped only when the oracle sees the request the same way without it (the
    /// same rules concerned): the member may be what the case's variant label describes, and
    /// the label must describe the counterexample.
    #[allow(clippy::too_many_arguments)]
    async fn shrink(
        &mut self,
        window: &mut Window<'a>,
        Origin { family, rng, tree }: Origin<'_>,
        case: &Case,
        request: RawRequest,
        response: Response,
        check: &Check,
        reach: Reach,
    ) -> Counterexample {
        let mut best = (case.clone(), request, response, check.clone());
        let mut accepted = 0usize;
        // Rules judged across requests: a lone request cannot be shrunk for them.
        let shrinkable = !check.rule.rule().facts.across_requests;
        let tree = if shrinkable {
            tree.get_or_insert_with(|| self.replay(family, rng, case))
                .as_mut()
        } else {
            None
        };
        let still_broken = |judgement: &Judgement| {
            judgement
                .checks
                .iter()
                .find(|c| c.rule == check.rule && c.status == check.status)
                .cloned()
        };
        if reach.simplest_only {
            let Some(tree) = tree else {
                return counterexample(best, accepted);
            };
            // The simplest case: simplified as if every step still failed.
            const LOCAL_STEPS: usize = 100_000;
            let mut steps = 0;
            while steps < LOCAL_STEPS && tree.simplify() {
                steps += 1;
            }
            let candidate = tree.current();
            if candidate != *case && self.may_shrink(reach) {
                if let Ok(execution) = self.execute(window, &candidate).await {
                    if let Some(still) = still_broken(&execution.judgement) {
                        best = (candidate, execution.request, execution.response, still);
                        accepted += 1;
                    }
                }
            }
            return counterexample(best, accepted);
        }
        // Part of the share is kept to drop members, which takes few requests and often
        // shrinks most.
        let members = Reach {
            limit: reach.limit.saturating_sub(
                reach
                    .limit
                    .saturating_sub(self.shrink_spent)
                    .div_ceil(3)
                    .min(MEMBER_REQUESTS),
            ),
            ..reach
        };
        if let Some(tree) = tree {
            if tree.simplify() {
                for _ in 0..self.config.max_shrink_steps {
                    if self.shrink_spent >= members.limit {
                        self.budget_ran_out = true;
                        break;
                    }
                    if !self.may_shrink(reach) {
                        break;
                    }
                    let candidate = tree.current();
                    let execution = match self.execute(window, &candidate).await {
                        Ok(execution) => execution,
                        // A simpler case the target cannot express: try a less simple one.
                        Err(Skip::Inexpressible) if tree.complicate() => continue,
                        Err(_) => break,
                    };
                    let more = match still_broken(&execution.judgement) {
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
        }
        if shrinkable && !reach.simplest_only {
            // Proptest shrinks an optional member's content before it drops the member, which
            // can take more steps than the budget: drop each member that is not needed,
            // directly.
            let mut index = 0;
            while let Some(candidate) = without_member(&best.0, index) {
                index += 1;
                let seen_as =
                    |case: &Case| self.session.verdict(&case.request, &case.caller()).rules();
                if seen_as(&candidate) != seen_as(&best.0) {
                    continue;
                }
                if !self.may_shrink(reach) {
                    break;
                }
                let execution = match self.execute(window, &candidate).await {
                    Ok(execution) => execution,
                    // The target was given up on: nothing more can be learned from it.
                    Err(Skip::NotSent) => break,
                    Err(_) => continue,
                };
                if let Some(still) = still_broken(&execution.judgement) {
                    best = (candidate, execution.request, execution.response, still);
                    accepted += 1;
                    index = 0;
                }
            }
        }
        counterexample(best, accepted)
    }

    /// The value tree of a case of `rules[family]`, rebuilt from the random state it was made
    /// with (the family is built here on first use).
    fn replay(&mut self, family: usize, rng: &TestRng, case: &Case) -> Option<CaseTree> {
        let rule = *self.rules.get(family)?;
        let world = self.world;
        let strategy = self
            .strategies
            .get_mut(family)?
            .get_or_insert_with(|| crate::generate::family(rule, world))
            .as_ref()?;
        replay(strategy, rng, case)
    }
}

/// A counterexample of a case, the request sent for it and its answer, with the check it
/// broke, after `shrink_steps` accepted shrinking steps (`found_after` is set by the caller).
fn counterexample(
    (case, request, response, check): (Case, RawRequest, Response, Check),
    shrink_steps: usize,
) -> Counterexample {
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
        shrink_steps,
        found_after: 0,
    }
}

/// The counterexample of a case as it was found.
fn unshrunk(case: Case, request: RawRequest, response: Response, check: Check) -> Counterexample {
    counterexample((case, request, response, check), 0)
}

/// Whether the answer of a judgement was no OpsWorks answer at all: a server error, no answer,
/// or an answer of neither the success nor the error shape.
fn no_opsworks_answer(judgement: &Judgement) -> bool {
    judgement
        .checks
        .iter()
        .any(|check| check.status == Status::Failed && check.rule.rule().answer_shape())
}

fn count(tallies: &mut BTreeMap<RuleId, Tally>, judgement: &Judgement, undecided: &[RuleId]) {
    for rule in undecided {
        let tally = tallies.entry(*rule).or_default();
        tally.cases += 1;
        tally.undecided += 1;
    }
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

fn rule_report(id: RuleId, tally: Option<Tally>, has_family: bool) -> RuleReport {
    let severity = CATALOGUE
        .iter()
        .find(|rule| rule.id == id)
        .map_or(Severity::Must, |rule| rule.severity);
    let Tally {
        base,
        skipped,
        undecided,
        ..
    } = tally.unwrap_or_default();
    base.into_report(id, severity, |status, _| {
        (status == RuleStatus::NotApplicable).then(|| {
            if undecided > 0 {
                format!(
                    "undecided: none of its {undecided} answers could decide it (no OpsWorks answer, or one that failed another rule)"
                )
            } else if skipped > 0 {
                format!("the target cannot express these cases ({skipped} skipped)")
            } else if has_family {
                "no case reached the rule".to_owned()
            } else if let Some(needs) = id.rule().facts.needs {
                needs.to_owned()
            } else {
                "the world offers no case for this rule".to_owned()
            }
        })
    })
}

#[cfg(test)]
mod tests {
    use std::future::Future;
    use std::pin::Pin;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::task::{Context, Poll};

    use crate::contract::rules;

    use super::*;
    use crate::oracle::{CallerIdentity, judge_request};
    use crate::target::{BoxFuture, ReferenceTarget, block_on};

    /// A future that is pending once (and asks to be polled again), so that requests overlap.
    struct YieldOnce(bool);

    impl Future for YieldOnce {
        type Output = ();
        fn poll(mut self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<()> {
            if self.0 {
                Poll::Ready(())
            } else {
                self.0 = true;
                context.waker().wake_by_ref();
                Poll::Pending
            }
        }
    }

    /// The reference target, answering only after a yield, recording how many requests were in
    /// flight at once, and whether a request with an effect ever had company.
    struct Overlapping {
        reference: ReferenceTarget,
        world: World,
        in_flight: AtomicUsize,
        most: AtomicUsize,
        effects_in_company: AtomicUsize,
    }

    impl Target for Overlapping {
        fn send<'a>(&'a self, request: &'a RawRequest) -> BoxFuture<'a, Response> {
            Box::pin(async move {
                let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                self.most.fetch_max(now, Ordering::SeqCst);
                let effect = judge_request(&self.world, request, &CallerIdentity::Unsigned)
                    .effect()
                    .clone();
                if effect != Effect::None && now > 1 {
                    self.effects_in_company.fetch_add(1, Ordering::SeqCst);
                }
                YieldOnce(false).await;
                if effect != Effect::None && self.in_flight.load(Ordering::SeqCst) > 1 {
                    self.effects_in_company.fetch_add(1, Ordering::SeqCst);
                }
                let answer = self.reference.answer_request(request);
                self.in_flight.fetch_sub(1, Ordering::SeqCst);
                Ok(answer)
            })
        }
    }

    fn overlapping(world: &World) -> Overlapping {
        Overlapping {
            reference: ReferenceTarget::new(world.clone()),
            world: world.clone(),
            in_flight: AtomicUsize::new(0),
            most: AtomicUsize::new(0),
            effects_in_company: AtomicUsize::new(0),
        }
    }

    /// With requests in flight together, a correct target gets the same report; a request with
    /// an effect (a rollback) is never in flight with another.
    #[test]
    fn concurrency_keeps_the_report_and_sends_effects_alone() {
        for world in [World::bundled(), World::bundled_with_users()] {
            let config = RunConfig::default().with_cases(400).with_seed(3);
            let one = overlapping(&world);
            let sequential = block_on(run(&one, &world, &config));
            assert!(sequential.passed(), "{sequential:?}");
            assert_eq!(one.most.load(Ordering::SeqCst), 1);
            let many = overlapping(&world);
            let concurrent = block_on(run(&many, &world, &config.clone().with_concurrency(8)));
            assert_eq!(concurrent, sequential);
            assert!(many.most.load(Ordering::SeqCst) > 1);
            assert!(many.most.load(Ordering::SeqCst) <= 8);
            assert_eq!(many.effects_in_company.load(Ordering::SeqCst), 0);
        }
    }

    /// A target that accepts a rollback naming instances that do not exist, and carries it
    /// out (it ignores InstanceIds on a rollback without a Comment): N-INSTANCE fails, and shrinking that
    /// counterexample replays rollbacks the target carries out. The oracle's world follows
    /// every one of them: at the end it is the target's.
    #[test]
    fn shrinking_replays_that_roll_back_are_followed() {
        // Every app with five stored versions, and few cases: versions are left to shrink with.
        let mut world = World::bundled();
        for app in world
            .stacks
            .iter_mut()
            .flat_map(|stack| stack.apps.iter_mut())
        {
            app.versions = 5;
        }
        let inner = std::sync::Arc::new(ReferenceTarget::new(world.clone()));
        let target = {
            let inner = inner.clone();
            crate::target::from_fn(move |request: RawRequest| {
                let mut request = request;
                if let Ok(serde_json::Value::Object(mut body)) =
                    serde_json::from_slice::<serde_json::Value>(&request.body)
                {
                    let rollback = body.get("Command").and_then(|command| command.get("Name"))
                        == Some(&serde_json::Value::from("rollback"));
                    // Only without a Comment: not every case fails alike, so the
                    // counterexample is shrunk step by step.
                    if rollback
                        && !body.contains_key("Comment")
                        && body.remove("InstanceIds").is_some()
                    {
                        request.body = serde_json::Value::Object(body).to_string().into_bytes();
                    }
                }
                let answer = inner.answer_request(&request);
                async move { Ok(answer) }
            })
        };
        let config = RunConfig::default()
            .with_cases(8)
            .only("S-ERROR-NO-EFFECT")
            .with_shrink_budget(400);
        let (report, followed, _) = block_on(run_keeping_state(
            &target,
            &world,
            &config,
            &NoProgress,
            Exemplars::None,
        ));
        let failed: Vec<RuleId> = report
            .rules
            .iter()
            .filter(|rule| rule.status == RuleStatus::Failed)
            .map(|rule| rule.id)
            .collect();
        assert_eq!(failed, [rules::N_INSTANCE], "{report:?}");
        let example = report
            .rule(rules::N_INSTANCE)
            .and_then(|rule| rule.counterexample.as_ref())
            .map(|example| example.shrink_steps);
        assert!(
            example.is_some_and(|steps| steps > 0) && report.shrink_requests > 0,
            "shrinking replayed rollbacks: {example:?}"
        );
        let versions = |world: &World| -> Vec<(String, u8)> {
            world
                .stacks
                .iter()
                .flat_map(|stack| stack.apps.iter())
                .map(|app| (app.app_id.clone(), app.versions))
                .collect()
        };
        assert_eq!(versions(&followed), versions(&inner.world()));
        assert_ne!(
            versions(&followed),
            versions(&world),
            "rollbacks were carried out"
        );
    }
}
