//! The cases of a run, in order, generated ahead on other threads.
//!
//! A run asks every selected rule's family for the same number of cases, each family with its
//! own random source (so the same seed gives the same cases for a rule whatever other rules are
//! selected). Generating does not depend on the answers, so it runs on worker threads (each
//! owns every `workers`-th family) while the runner sends and judges; the runner reads the
//! families in order, so the cases and their order are the same as when generated in place.
//!
//! A worker that is ahead of the runner (half its batches or more waiting) also makes the
//! oracle's verdict on each case's request in the run's world (see [`Generated::Case`]): when
//! the runner's thread is the busier one (it sends, judges the answers, and in an
//! `opsworks-conformance run` serves them too), it has that much less to do; when generating
//! is the slower part, the runner makes the verdicts itself. The verdicts are the same either
//! way.
//!
//! A family's cases depend only on the seed and the rule ([`runner_for`]), so who draws them
//! changes nothing in the run.
//!
//! Proptest strategies are not `Send`, so each worker builds its own families from a copy of
//! the world. For shrinking, the runner rebuilds a case's value tree in place from the random
//! state the case was made with ([`replay`]).

use std::num::NonZeroUsize;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, Sender, SyncSender};
use std::thread::{self, JoinHandle};

use proptest::strategy::{BoxedStrategy, Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

use crate::contract::RuleId;
use crate::generate::{Case, family};
use crate::oracle::{Verdict, judge_request};
use crate::world::World;

/// How many batches of generated cases a worker may have waiting for the runner.
const AHEAD: usize = 16;

/// The largest batch a worker hands over at once (a worker's batches start at one case and
/// double, so the first case is not kept waiting; batching saves a thread wake-up per case).
const BATCH: usize = 32;

/// The most worker threads a run starts.
const MAX_WORKERS: usize = 4;

/// The settings of every random source of a run (no failure persistence: a run is not a test).
pub(crate) fn runner_config() -> Config {
    Config {
        failure_persistence: None,
        ..Config::default()
    }
}

/// The random source a run with `seed` gives the family of `rule`: drawing `per_rule` cases
/// from [`family`]`(rule, world)` with it gives the run's cases of that rule, in order. The same
/// seed gives the same cases for a rule whatever other rules are selected.
///
/// ```
/// use opsworks_conformance::contract::rules;
/// use opsworks_conformance::generate::{family, runner_for};
/// use opsworks_conformance::world::World;
/// use proptest::strategy::{Strategy, ValueTree};
///
/// let world = World::bundled();
/// let strategy = family(rules::V_APP_REQUIRED, &world).unwrap();
/// let draw = || strategy.new_tree(&mut runner_for(7, rules::V_APP_REQUIRED)).unwrap().current();
/// assert_eq!(draw(), draw());
/// ```
#[must_use]
pub fn runner_for(seed: u64, rule: RuleId) -> TestRunner {
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    for (index, byte) in rule.as_str().bytes().enumerate() {
        bytes[8 + index % 8] ^= byte.rotate_left((index / 8) as u32);
    }
    TestRunner::new_with_rng(
        runner_config(),
        TestRng::from_seed(RngAlgorithm::XorShift, &bytes),
    )
}

/// The value tree a case was made from: the family's strategy drawn with the random state the
/// case was made with. `None` when it does not give the case back (it always does: drawing is
/// deterministic; checked so that a shrink never starts from another case).
pub(crate) fn replay(
    strategy: &BoxedStrategy<Case>,
    rng: &TestRng,
    case: &Case,
) -> Option<Box<dyn ValueTree<Value = Case>>> {
    let mut runner = TestRunner::new_with_rng(runner_config(), rng.clone());
    let tree = strategy.new_tree(&mut runner).ok()?;
    (tree.current() == *case).then_some(tree)
}

/// What the families of a run are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Plan {
    /// For each rule, whether the world gives it a family.
    pub has_family: Vec<bool>,
    /// How many cases each family makes.
    pub per_rule: usize,
}

impl Plan {
    fn new(has_family: Vec<bool>, cases: usize, min_per_rule: usize) -> Self {
        let applicable = has_family.iter().filter(|has| **has).count().max(1);
        Plan {
            has_family,
            per_rule: (cases / applicable).max(min_per_rule),
        }
    }
}

/// One step of the stream.
// Nearly every step is a case: boxing it would cost an allocation each.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Generated {
    /// A case of the family of `rules[family]`, the random state it was made with, and, when
    /// the worker was ahead, the verdict on its request (from the caller a correct signature
    /// check establishes) in the world the run starts in.
    Case {
        family: usize,
        case: Case,
        rng: TestRng,
        verdict: Option<Verdict>,
    },
    /// The family of `rules[family]` could not make a case; it makes no more.
    Failed { family: usize },
}

/// Draws the cases of one family: `per_rule` of them, or up to the first failure.
struct Drawing<'s> {
    family: usize,
    strategy: &'s BoxedStrategy<Case>,
    runner: TestRunner,
    left: usize,
}

impl Drawing<'_> {
    /// The next case, with its verdict in `judge_in` when given.
    fn next(&mut self, judge_in: Option<&World>) -> Option<Generated> {
        draw(
            self.family,
            self.strategy,
            (&mut self.runner, &mut self.left),
            judge_in,
        )
    }
}

/// The next case of the family `rules[family]` drawn from `strategy` with `runner`, `left`
/// more to draw (counted down), with its verdict in `judge_in` when given; `None` when none is
/// left.
fn draw(
    family: usize,
    strategy: &BoxedStrategy<Case>,
    (runner, left): (&mut TestRunner, &mut usize),
    judge_in: Option<&World>,
) -> Option<Generated> {
    if *left == 0 {
        return None;
    }
    let rng = runner.rng().clone();
    match strategy.new_tree(runner) {
        Ok(tree) => {
            *left -= 1;
            let case = tree.current();
            // Dropped first: it may hold large parts of the case (the value it was made of).
            drop(tree);
            let verdict = judge_in.map(|world| judge_request(world, &case.request, &case.caller()));
            Some(Generated::Case {
                family,
                case,
                rng,
                verdict,
            })
        }
        Err(_) => {
            // A family that cannot make a case makes no more.
            *left = 0;
            Some(Generated::Failed { family })
        }
    }
}

/// A batch of cases of one family, from a worker.
struct Batch {
    items: Vec<Generated>,
    /// The family has no more cases.
    last: bool,
}

/// A worker thread and what it sends.
struct Worker {
    receiver: Option<Receiver<Batch>>,
    /// How many batches it has sent that the runner has not taken yet.
    queued: Arc<AtomicUsize>,
    handle: Option<JoinHandle<()>>,
    /// Where the cases it made (and their verdicts) go back once judged, to be freed on the
    /// thread that allocated them (a free from another thread waits on the allocator's lock of
    /// that thread).
    bin: Sender<Vec<Judged>>,
    /// Cases judged, not yet sent back.
    returned: Vec<Judged>,
}

/// A case and the verdict the worker made for it, judged and done with.
type Judged = (Case, Option<Verdict>);

/// The cases of a run in order: from worker threads, or made in place when no thread can be
/// started.
pub(crate) struct CaseStream {
    plan: Plan,
    source: Source,
}

enum Source {
    Workers(Box<Workers>),
    InPlace(Box<InPlace>),
}

/// Generation on worker threads.
struct Workers {
    workers: Vec<Worker>,
    /// The family being read (none yet at the start), and whether its last batch came.
    family: Option<usize>,
    ended: bool,
    batch: std::vec::IntoIter<Generated>,
}

/// Generation on the runner's own thread.
struct InPlace {
    families: Vec<(RuleId, Option<BoxedStrategy<Case>>)>,
    seed: u64,
    per_rule: usize,
    /// The next family to draw from, and the drawing in progress.
    next_family: usize,
    drawing: Option<(usize, TestRunner, usize)>,
}

impl InPlace {
    fn next(&mut self) -> Option<Generated> {
        loop {
            if let Some((family, runner, left)) = self.drawing.take() {
                if let Some((_, Some(strategy))) = self.families.get(family) {
                    let mut drawing = Drawing {
                        family,
                        strategy,
                        runner,
                        left,
                    };
                    // The runner's own thread: it judges when it sends.
                    if let Some(next) = drawing.next(None) {
                        self.drawing = Some((family, drawing.runner, drawing.left));
                        return Some(next);
                    }
                }
                continue;
            }
            let family = self.next_family;
            let (rule, strategy) = self.families.get(family)?;
            self.next_family += 1;
            if strategy.is_some() {
                self.drawing = Some((family, runner_for(self.seed, *rule), self.per_rule));
            }
        }
    }
}

impl CaseStream {
    /// Starts generating, for each of `rules` in order, `max(cases / applicable rules,
    /// min_per_rule)` cases of its family in `world`, with the random sources of `seed`.
    pub(crate) fn start(
        world: &World,
        rules: &[RuleId],
        seed: u64,
        cases: usize,
        min_per_rule: usize,
    ) -> Self {
        // One core is the runner's; the others generate. With a single core, workers would only
        // take turns with the runner: generate in place.
        let cores = thread::available_parallelism().map_or(1, NonZeroUsize::get);
        let count = (cores - 1).min(MAX_WORKERS).min(rules.len());
        if count > 0 {
            if let Some(stream) =
                Self::start_workers(world, rules, seed, (cases, min_per_rule), count)
            {
                return stream;
            }
        }
        Self::in_place(world, rules, seed, (cases, min_per_rule))
    }

    /// Generation on the caller's thread.
    fn in_place(
        world: &World,
        rules: &[RuleId],
        seed: u64,
        (cases, min_per_rule): (usize, usize),
    ) -> Self {
        let families: Vec<(RuleId, Option<BoxedStrategy<Case>>)> = rules
            .iter()
            .map(|rule| (*rule, family(*rule, world)))
            .collect();
        let plan = Plan::new(
            families.iter().map(|(_, f)| f.is_some()).collect(),
            cases,
            min_per_rule,
        );
        CaseStream {
            source: Source::InPlace(Box::new(InPlace {
                families,
                seed,
                per_rule: plan.per_rule,
                next_family: 0,
                drawing: None,
            })),
            plan,
        }
    }

    /// Starts `count` workers; `None` when a thread cannot be started (then nothing runs).
    fn start_workers(
        world: &World,
        rules: &[RuleId],
        seed: u64,
        (cases, min_per_rule): (usize, usize),
        count: usize,
    ) -> Option<Self> {
        let (found_sender, found_receiver) = mpsc::channel::<Vec<(usize, bool)>>();
        let mut workers = Vec::new();
        let mut go_senders = Vec::new();
        for index in 0..count {
            let (go_sender, go_receiver) = mpsc::sync_channel::<usize>(1);
            let (sender, receiver) = mpsc::sync_channel::<Batch>(AHEAD);
            let (bin, bin_receiver) = mpsc::channel::<Vec<Judged>>();
            let own: Vec<(usize, RuleId)> = rules
                .iter()
                .copied()
                .enumerate()
                .filter(|(family, _)| family % count == index)
                .collect();
            let world = world.clone();
            let found_sender = found_sender.clone();
            let queued = Arc::new(AtomicUsize::new(0));
            let outbox = Outbox {
                sender,
                queued: Arc::clone(&queued),
            };
            let spawned = thread::Builder::new()
                .name(format!("opsworks-conformance-cases-{index}"))
                .spawn(move || {
                    work(
                        &world,
                        &own,
                        seed,
                        found_sender,
                        &go_receiver,
                        (&outbox, &bin_receiver),
                    );
                    // Free what comes back until the run ends.
                    while bin_receiver.recv().is_ok() {}
                });
            // Without every worker, no worker: the others stop when their senders drop.
            let handle = spawned.ok()?;
            workers.push(Worker {
                receiver: Some(receiver),
                queued,
                handle: Some(handle),
                bin,
                returned: Vec::new(),
            });
            go_senders.push(go_sender);
        }
        drop(found_sender);
        let mut has_family = vec![false; rules.len()];
        for _ in 0..count {
            match found_receiver.recv() {
                Ok(found) => {
                    for (family, has) in found {
                        if let Some(slot) = has_family.get_mut(family) {
                            *slot = has;
                        }
                    }
                }
                // A worker ended without saying: it panicked building its families. The others
                // stop when told nothing more; the panic goes on here.
                Err(_) => {
                    drop(go_senders);
                    for worker in &mut workers {
                        worker.receiver.take();
                        if let Some(handle) = worker.handle.take() {
                            resume_panic(handle);
                        }
                    }
                    return None;
                }
            }
        }
        let plan = Plan::new(has_family, cases, min_per_rule);
        for go in &go_senders {
            // A worker that is gone is noticed when its cases are read.
            let _ = go.send(plan.per_rule);
        }
        Some(CaseStream {
            plan,
            source: Source::Workers(Box::new(Workers {
                workers,
                family: None,
                ended: true,
                batch: Vec::new().into_iter(),
            })),
        })
    }

    /// The families and how many cases each makes.
    pub(crate) fn plan(&self) -> &Plan {
        &self.plan
    }

    /// Takes back a case of `rules[family]` and the verdict that came with it, which the
    /// runner is done with:
    /// freed by the worker that made them (in batches), or here when generating in place.
    pub(crate) fn recycle(&mut self, family: usize, case: Case, verdict: Option<Verdict>) {
        if let Source::Workers(source) = &mut self.source {
            let workers = &mut source.workers;
            let count = workers.len();
            if let Some(worker) = workers.get_mut(family % count.max(1)) {
                worker.returned.push((case, verdict));
                if worker.returned.len() >= BATCH {
                    let full = std::mem::take(&mut worker.returned);
                    // A worker that is gone cannot free them: they are freed here.
                    let _ = worker.bin.send(full);
                }
            }
        }
    }

    /// The next case (or failure) in order; `None` when every family is done.
    pub(crate) fn next_case(&mut self) -> Option<Generated> {
        match &mut self.source {
            Source::InPlace(in_place) => in_place.next(),
            Source::Workers(workers) => workers.next(&self.plan),
        }
    }
}

impl Workers {
    /// The next case (or failure) in order; `None` when every family is done.
    fn next(&mut self, plan: &Plan) -> Option<Generated> {
        loop {
            if let Some(next) = self.batch.next() {
                return Some(next);
            }
            if self.ended {
                // On to the next family that has cases.
                let start = self.family.map_or(0, |family| family + 1);
                self.family = Some((start..plan.has_family.len()).find(|f| plan.has_family[*f])?);
                self.ended = false;
            }
            let family = self.family?;
            let count = self.workers.len();
            let worker = self.workers.get_mut(family % count)?;
            let receiver = worker.receiver.as_ref()?;
            match receiver.recv() {
                Ok(next) => {
                    worker.queued.fetch_sub(1, Ordering::Relaxed);
                    self.batch = next.items.into_iter();
                    self.ended = next.last;
                }
                Err(_) => {
                    // The worker stopped early: it panicked, and so does the run, as it
                    // would have generating in place.
                    worker.receiver = None;
                    if let Some(handle) = worker.handle.take() {
                        resume_panic(handle);
                    }
                    return None;
                }
            }
        }
    }
}

impl Drop for CaseStream {
    fn drop(&mut self) {
        if let Source::Workers(source) = &mut self.source {
            for worker in &mut source.workers {
                // A worker stops at its next send; it is not waited for (it may be drawing a
                // large case), and a panic there no longer matters.
                worker.receiver.take();
                worker.handle.take();
            }
        }
    }
}

/// Re-raises the panic of a finished worker (nothing when it ended normally).
fn resume_panic(handle: JoinHandle<()>) {
    if let Err(payload) = handle.join() {
        std::panic::resume_unwind(payload);
    }
}

/// Where a worker sends its batches, and how many the runner has not taken yet.
struct Outbox {
    sender: SyncSender<Batch>,
    queued: Arc<AtomicUsize>,
}

impl Outbox {
    /// Whether the worker is ahead of the runner: half of the batches it may send ahead or more
    /// are waiting.
    fn ahead(&self) -> bool {
        self.queued.load(Ordering::Relaxed) >= AHEAD / 2
    }

    /// Sends a batch; `false` when nobody listens any more.
    fn send(&self, batch: Batch) -> bool {
        // Counted first, so that the runner never takes a batch not yet counted.
        self.queued.fetch_add(1, Ordering::Relaxed);
        self.sender.send(batch).is_ok()
    }
}

/// A worker: builds its families, says which exist, waits for the number of cases per family,
/// then sends every case of its families in order, until done or nobody listens. While it is
/// ahead of the runner, it also judges the cases' requests in `world`.
fn work(
    world: &World,
    own: &[(usize, RuleId)],
    seed: u64,
    found: mpsc::Sender<Vec<(usize, bool)>>,
    go: &Receiver<usize>,
    (outbox, bin): (&Outbox, &Receiver<Vec<Judged>>),
) {
    let families: Vec<(usize, RuleId, Option<BoxedStrategy<Case>>)> = own
        .iter()
        .map(|(index, rule)| (*index, *rule, family(*rule, world)))
        .collect();
    let exist = families
        .iter()
        .map(|(index, _, strategy)| (*index, strategy.is_some()))
        .collect();
    if found.send(exist).is_err() {
        return;
    }
    // Dropped, so that the runner sees when a worker ends without saying.
    drop(found);
    let Ok(per_rule) = go.recv() else {
        return;
    };
    // Batches start at one case (the runner waits for the first), then double up to BATCH,
    // across families: few batches, so few thread wake-ups.
    let mut size = 1;
    for (index, rule, strategy) in &families {
        let Some(strategy) = strategy else { continue };
        let mut drawing = Drawing {
            family: *index,
            strategy,
            runner: runner_for(seed, *rule),
            left: per_rule,
        };
        loop {
            // Free the cases that came back.
            while let Ok(cases) = bin.try_recv() {
                drop(cases);
            }
            let mut items = Vec::with_capacity(size.min(drawing.left));
            let judge_in = outbox.ahead().then_some(world);
            while items.len() < size {
                let Some(next) = drawing.next(judge_in) else {
                    break;
                };
                items.push(next);
            }
            let last = drawing.left == 0;
            if !outbox.send(Batch { items, last }) {
                return;
            }
            size = (size * 2).min(BATCH);
            if last {
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::server_rules;

    /// The stream gives exactly the cases of drawing every family in order, whatever the
    /// number of workers.
    #[test]
    fn the_workers_make_the_cases_of_drawing_in_place() {
        let worlds = [World::bundled(), World::bundled_with_users()];
        for (world, workers) in worlds.iter().flat_map(|w| [0, 1, 3].map(|s| (w, s))) {
            let rules = server_rules();
            let mut stream = match workers {
                0 => CaseStream::in_place(world, &rules, 7, (300, 4)),
                _ => CaseStream::start_workers(world, &rules, 7, (300, 4), workers)
                    .expect("threads start"),
            };
            let mut expected = Vec::new();
            for rule in &rules {
                let Some(strategy) = family(*rule, world) else {
                    continue;
                };
                let mut runner = runner_for(7, *rule);
                for _ in 0..stream.plan().per_rule {
                    let tree = strategy.new_tree(&mut runner).expect("a case");
                    expected.push((*rule, tree.current()));
                }
            }
            let mut made = Vec::new();
            let mut strategies: Vec<Option<BoxedStrategy<Case>>> = vec![None; rules.len()];
            while let Some(generated) = stream.next_case() {
                let Generated::Case {
                    family: index,
                    case,
                    rng,
                    verdict,
                } = generated
                else {
                    panic!("no family of the bundled worlds fails");
                };
                // The random state rebuilds the case's value tree.
                let strategy = strategies[index]
                    .get_or_insert_with(|| family(rules[index], world).expect("a family"));
                assert!(replay(strategy, &rng, &case).is_some());
                // A verdict that comes with a case is the oracle's in the run's world.
                if let Some(verdict) = verdict {
                    assert_eq!(verdict, judge_request(world, &case.request, &case.caller()));
                }
                made.push((rules[index], case));
            }
            assert_eq!(made, expected);
        }
    }
}
