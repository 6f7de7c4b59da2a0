//! The suite from a user's `cargo test`: [`assert_conforms`] in one call, [`Conformance`] to
//! choose the world, the run settings and a known-failures ledger, and
//! [`conformance_tests!`](crate::conformance_tests) for one test per rule.
//!
//! ```
//! # async fn example() {
//! use opsworks_conformance::target::ReferenceTarget;
//! use opsworks_conformance::world::World;
//!
//! // Any `Target`: a closure, an axum Router, a URL, an SDK. It must start in the state of the
//! // world the suite uses (the bundled world unless told otherwise).
//! let target = ReferenceTarget::new(World::bundled());
//! opsworks_conformance::assert_conforms(&target).await;
//! # }
//! # opsworks_conformance::target::block_on(example());
//! ```

use std::fmt;
use std::future::Future;

use crate::contract::RuleId;
use crate::report::{human_report, rule_details};
use crate::runner::{
    KnownFailures, LedgerFinding, NoProgress, RuleStatus, RunConfig, RunReport, run,
    run_with_snapshots, today,
};
use crate::snapshot::Transcript;
use crate::target::Target;
use crate::world::World;

/// Runs the default suite (the bundled world, [`RunConfig::default`]) against `target` and
/// panics with the human report unless it conforms. `target` must start in the state of
/// [`World::bundled`].
///
/// For another world, settings or a known-failures ledger, use [`Conformance`].
///
/// # Panics
/// When the target does not conform: the message is the human report (every broken rule with
/// what was expected, what was found and the minimal request).
pub async fn assert_conforms(target: &dyn Target) {
    Conformance::new().assert(target).await;
}

/// A configured suite: the world the target starts in, the run settings and the rules the
/// target is known to break.
///
/// ```
/// use opsworks_conformance::Conformance;
/// use opsworks_conformance::contract::rules;
/// use opsworks_conformance::runner::{KnownFailures, RunConfig};
/// use opsworks_conformance::target::{ReferenceTarget, block_on};
/// use opsworks_conformance::world::World;
///
/// let world = World::bundled();
/// let target = ReferenceTarget::new(world.clone());
/// let suite = Conformance::new()
///     .world(world)
///     .config(RunConfig::default().with_cases(300).with_seed(7));
/// let result = block_on(suite.check(&target));
/// assert!(result.passed(), "{result}");
/// assert_eq!(result.report().rule(rules::N_STACK).map(|r| r.status.as_str()), Some("passed"));
/// ```
#[derive(Debug, Clone)]
pub struct Conformance {
    world: World,
    config: RunConfig,
    known_failures: KnownFailures,
    today: Option<String>,
    snapshots: bool,
}

impl Default for Conformance {
    fn default() -> Self {
        Conformance::new()
    }
}

impl Conformance {
    /// The default suite: the bundled world, [`RunConfig::default`], an empty ledger.
    #[must_use]
    pub fn new() -> Self {
        Conformance {
            world: World::bundled(),
            config: RunConfig::default(),
            known_failures: KnownFailures::new(),
            today: None,
            snapshots: false,
        }
    }

    /// The world the target starts in.
    #[must_use]
    pub fn world(mut self, world: World) -> Self {
        self.world = world;
        self
    }

    /// The run settings (seed, budget, strictness, rule filter).
    #[must_use]
    pub fn config(mut self, config: RunConfig) -> Self {
        self.config = config;
        self
    }

    /// Rules the target is known to break: they do not fail the suite while their entries
    /// hold; an entry whose rule now passes, or whose date has passed, fails it.
    ///
    /// ```
    /// use opsworks_conformance::Conformance;
    /// use opsworks_conformance::contract::rules;
    /// use opsworks_conformance::runner::KnownFailures;
    ///
    /// let suite = Conformance::new().known_failures(
    ///     KnownFailures::new().with(rules::V_RECIPES, "recipes not checked yet (#12)", Some("2027-06-30")),
    /// );
    /// # let _ = suite;
    /// ```
    #[must_use]
    pub fn known_failures(mut self, known_failures: KnownFailures) -> Self {
        self.known_failures = known_failures;
        self
    }

    /// The date the ledger's expiry dates are compared with (`YYYY-MM-DD`); today in UTC
    /// unless set.
    #[must_use]
    pub fn on_date(mut self, date: impl Into<String>) -> Self {
        self.today = Some(date.into());
        self
    }

    /// Also sends each rule's exemplars (before the cases) and keeps their transcripts
    /// ([`ConformanceReport::transcript`]), for snapshot tests: see
    /// [`snapshot`](crate::snapshot) and the `snapshots:` option of
    /// [`conformance_tests!`](crate::conformance_tests).
    ///
    /// ```
    /// use opsworks_conformance::Conformance;
    /// use opsworks_conformance::contract::rules;
    /// use opsworks_conformance::runner::RunConfig;
    /// use opsworks_conformance::target::{ReferenceTarget, block_on};
    /// use opsworks_conformance::world::World;
    ///
    /// let suite = Conformance::new()
    ///     .config(RunConfig::default().with_cases(100).only("V-APP"))
    ///     .snapshots(true);
    /// let result = block_on(suite.check(&ReferenceTarget::new(World::bundled())));
    /// let transcript = result.transcript(rules::V_APP_REQUIRED).expect("V-APP-REQUIRED has exemplars");
    /// assert!(transcript.contains("=> 400 application/x-amz-json-1.1 ValidationException"), "{transcript}");
    /// ```
    #[must_use]
    pub fn snapshots(mut self, on: bool) -> Self {
        self.snapshots = on;
        self
    }

    /// The world the suite uses.
    #[must_use]
    pub fn world_ref(&self) -> &World {
        &self.world
    }

    /// Runs the suite against `target` and returns the result, conforming or not.
    pub async fn check(&self, target: &dyn Target) -> ConformanceReport {
        let (report, transcripts) = if self.snapshots {
            run_with_snapshots(target, &self.world, &self.config, &NoProgress).await
        } else {
            (run(target, &self.world, &self.config).await, Vec::new())
        };
        let today = self.today.clone().unwrap_or_else(today);
        let findings = self.known_failures.review(&report, &today);
        let passed = self.known_failures.gate(&report, &today);
        ConformanceReport {
            region: self.config.region.clone(),
            report,
            findings,
            passed,
            transcripts,
        }
    }

    /// Runs the suite against `target` and panics with the human report unless it conforms
    /// (known failures excused).
    ///
    /// # Panics
    /// When the target does not conform.
    pub async fn assert(&self, target: &dyn Target) {
        let result = self.check(target).await;
        if !result.passed() {
            panic!("{result}");
        }
    }
}

/// What a suite found: the run's report, what the known-failures ledger says of it, and the
/// verdict. Its `Display` is the human report.
#[derive(Debug, Clone)]
pub struct ConformanceReport {
    report: RunReport,
    findings: Vec<LedgerFinding>,
    passed: bool,
    region: String,
    transcripts: Vec<Transcript>,
}

/// One rule's result for a test of its own: see [`ConformanceReport::rule_outcome`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleOutcome {
    /// Exercised and never broken, or a MAY rule with an allowed behaviour: the message says
    /// which.
    Passed(String),
    /// Not exercised in this run (the world gives it no chance, or the filter left it out).
    NotApplicable(String),
    /// Broken, but the ledger excuses it (the reason), or a SHOULD rule outside strict mode.
    Tolerated(String),
    /// Broken (or a stale ledger entry): the details for the failure message.
    Failed(String),
}

impl ConformanceReport {
    /// Whether the target conforms: the run passed, or every failure is a known one and no
    /// ledger entry is stale.
    #[must_use]
    pub fn passed(&self) -> bool {
        self.passed
    }

    /// The run's report (per-rule results, counterexamples).
    #[must_use]
    pub fn report(&self) -> &RunReport {
        &self.report
    }

    /// A rule's transcript (the target's answers to its exemplars, ids redacted), when the
    /// suite was made with [`Conformance::snapshots`] and the world gives the rule exemplars.
    #[must_use]
    pub fn transcript(&self, id: RuleId) -> Option<&str> {
        self.transcripts
            .iter()
            .find(|transcript| transcript.rule == id)
            .map(|transcript| transcript.text.as_str())
    }

    /// [`transcript`](Self::transcript) of a rule spelled as the tests of
    /// [`conformance_tests!`](crate::conformance_tests) are (`V_APP_REQUIRED`), with its id.
    #[doc(hidden)]
    #[must_use]
    pub fn transcript_of(&self, id: &str) -> Option<(&'static str, &str)> {
        let rule = RuleId::parse(&id.replace('_', "-"))?;
        self.transcript(rule).map(|text| (rule.as_str(), text))
    }

    /// What the known-failures ledger says of the run.
    #[must_use]
    pub fn ledger_findings(&self) -> &[LedgerFinding] {
        &self.findings
    }

    /// One rule's outcome, as a test of that rule reports it.
    #[must_use]
    pub fn rule_outcome(&self, id: RuleId) -> RuleOutcome {
        let stale = self.findings.iter().find_map(|finding| match finding {
            LedgerFinding::Fixed { rule } | LedgerFinding::Expired { rule, .. } if *rule == id => {
                Some(finding.to_string())
            }
            _ => None,
        });
        if let Some(stale) = stale {
            return RuleOutcome::Failed(stale);
        }
        let Some(rule) = self.report.rule(id) else {
            return RuleOutcome::NotApplicable(format!("{id}: not part of this run"));
        };
        let excuse = self.findings.iter().find_map(|finding| match finding {
            LedgerFinding::Excused { rule, reason } if *rule == id => Some(reason.clone()),
            _ => None,
        });
        let details = || rule_details(&self.report, rule, &self.region);
        match rule.status {
            RuleStatus::Passed => {
                RuleOutcome::Passed(format!("{id}: passed ({} cases)", rule.cases))
            }
            RuleStatus::Informational => RuleOutcome::Passed(format!(
                "{id}: {} ({} cases)",
                rule.behaviour().unwrap_or_default(),
                rule.cases
            )),
            RuleStatus::NotApplicable => RuleOutcome::NotApplicable(format!(
                "{id}: not applicable ({})",
                rule.note.clone().unwrap_or_default()
            )),
            RuleStatus::Failed | RuleStatus::Warned if excuse.is_some() => {
                RuleOutcome::Tolerated(format!(
                    "{id}: known failure ({})\n{}",
                    excuse.unwrap_or_default(),
                    details()
                ))
            }
            RuleStatus::Warned if !self.report.strict => RuleOutcome::Tolerated(format!(
                "{id}: warned (a SHOULD rule; fails only in strict mode)\n{}",
                details()
            )),
            RuleStatus::Failed | RuleStatus::Warned => RuleOutcome::Failed(details()),
        }
    }

    /// Panics unless the rule conforms (or is excused): the body of one generated test of
    /// [`conformance_tests!`](crate::conformance_tests). `id` may be spelled with
    /// underscores (`V_APP_REQUIRED`), as test names are.
    ///
    /// # Panics
    /// When the rule is broken, its ledger entry is stale, or `id` names no rule.
    #[track_caller]
    pub fn assert_rule(&self, id: &str) {
        let spelled = id.replace('_', "-");
        let Some(rule) = RuleId::parse(&spelled) else {
            panic!("expected a rule id of the catalogue, found {id:?}");
        };
        match self.rule_outcome(rule) {
            RuleOutcome::Passed(message)
            | RuleOutcome::NotApplicable(message)
            | RuleOutcome::Tolerated(message) => println!("{message}"),
            RuleOutcome::Failed(details) => panic!(
                "{details}\nverdict of the whole run: {} ({}; seed {})",
                if self.passed { "pass" } else { "FAIL" },
                self.report.target,
                self.report.seed
            ),
        }
    }

    /// Panics unless the run as a whole conforms: besides the rules, the run must not be
    /// vacuous (a valid request accepted) nor interrupted.
    ///
    /// # Panics
    /// When the target does not conform; the message is the human report.
    #[track_caller]
    pub fn assert_passed(&self) {
        if !self.passed {
            panic!("{self}");
        }
    }
}

impl fmt::Display for ConformanceReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&human_report(&self.report, &self.region))?;
        for finding in &self.findings {
            writeln!(f, "ledger: {finding}")?;
        }
        if self.passed != self.report.passed() {
            writeln!(
                f,
                "verdict with the known-failures ledger: {}",
                if self.passed { "pass" } else { "FAIL" }
            )?;
        }
        Ok(())
    }
}

/// Runs a suite's future to completion from a synchronous test, on a current-thread tokio
/// runtime with its drivers enabled (whatever the crate's features), so that HTTP targets and
/// servers spawned by the target work. Used by [`conformance_tests!`](crate::conformance_tests).
pub fn block_on_suite<F: Future>(future: F) -> F::Output {
    match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime.block_on(future),
        Err(error) => panic!("expected a tokio runtime for the suite, found: {error}"),
    }
}

/// Expands to one `#[test]` per server-side rule of the catalogue, named after the rule with
/// underscores (`V_APP_REQUIRED`, so `cargo test V_APP` selects the V-APP-* rules), plus a
/// test `conformance_verdict` for the run as a whole. The suite runs once per test process
/// (the first test to need it runs it; the others wait for its result), so the tests share
/// one target in one state, as the gate does.
///
/// - `target:` an expression giving any [`Target`](crate::target::Target), or a closure-like
///   `|world| expr` where `world` is the suite's `&World`, to build the target in that state
///   (so the world is stated once). It is evaluated inside an async block on the suite's
///   runtime, so it may `.await` (start a server, ...).
/// - `world:` (optional, after `target:`) the world the target starts in; the bundled world by
///   default.
/// - `config:` (optional) a [`RunConfig`](crate::runner::RunConfig).
/// - `known_failures:` (optional) a [`KnownFailures`](crate::runner::KnownFailures) ledger.
///
/// - `snapshots:` (optional, feature `snapshots`) a folder, relative to the test file as
///   insta's `snapshot_path` is: each rule's test also asserts the rule's transcript (the
///   target's answers to the rule's fixed exemplars, ids redacted; see
///   [`snapshot`](crate::snapshot)) with insta, as `<folder>/<RULE-ID>.snap`. A change of
///   behaviour, allowed by the rules or not, fails the rule's test with insta's diff;
///   `cargo insta review` shows and accepts it; with `CI=true` a missing or changed snapshot
///   fails and nothing is written.
///
/// A broken rule's test fails with what was expected, what was found and the minimal request.
/// Rules that are not applicable, MAY rules, SHOULD rules outside strict mode and excused known
/// failures pass and say so on their output (`cargo test -- --nocapture`).
///
/// ```
/// // tests/conformance.rs of your crate
/// use opsworks_conformance::runner::RunConfig;
/// use opsworks_conformance::target::ReferenceTarget;
/// use opsworks_conformance::world::World;
///
/// opsworks_conformance::conformance_tests! {
///     // `world` is the suite's world: build your implementation in that state.
///     target: |world| ReferenceTarget::new(world.clone()),
///     world: World::bundled(),
///     config: RunConfig::default().with_cases(300),
/// }
/// # fn main() {}
/// ```
#[macro_export]
macro_rules! conformance_tests {
    (target: |$world_binding:ident| $target:expr $(, $($rest:tt)*)?) => {
        $crate::conformance_tests!(@suite [$world_binding] [$target] $(, $($rest)*)?);
    };
    (target: $target:expr $(, $($rest:tt)*)?) => {
        $crate::conformance_tests!(@suite [_world] [$target] $(, $($rest)*)?);
    };
    (
        @suite [$world_binding:ident] [$target:expr]
        $(, world: $world:expr)?
        $(, config: $config:expr)?
        $(, known_failures: $ledger:expr)?
        $(, snapshots: $snapshots:expr)?
        $(,)?
    ) => {
        fn __opsworks_conformance_suite() -> &'static $crate::ConformanceReport {
            static SUITE: ::std::sync::OnceLock<$crate::ConformanceReport> =
                ::std::sync::OnceLock::new();
            SUITE.get_or_init(|| {
                #[allow(unused_mut)]
                let mut suite = $crate::Conformance::new();
                $(suite = suite.world($world);)?
                $(suite = suite.config($config);)?
                $(suite = suite.known_failures($ledger);)?
                $(
                    let _: &str = $snapshots;
                    suite = suite.snapshots(true);
                )?
                $crate::conformance::block_on_suite(async {
                    let $world_binding: &$crate::world::World = suite.world_ref();
                    let target = $target;
                    suite.check(&target).await
                })
            })
        }

        /// The run as a whole: every rule, the vacuity guard, the known-failures ledger.
        #[test]
        fn conformance_verdict() {
            __opsworks_conformance_suite().assert_passed();
        }

        /// Asserts a rule's transcript with insta, when the suite snapshots.
        #[allow(dead_code, unused_variables)]
        fn __opsworks_conformance_snapshot(rule: &str) {
            $(
                let folder: &str = $snapshots;
                if let Some((id, transcript)) = __opsworks_conformance_suite().transcript_of(rule) {
                    $crate::__insta::with_settings!({
                        snapshot_path => folder,
                        prepend_module_to_snapshot => false,
                        omit_expression => true,
                        description => format!("the answers to the exemplars of {id}"),
                    }, {
                        $crate::__insta::assert_snapshot!(id, transcript);
                    });
                }
            )?
        }

        $crate::__for_each_rule!($crate::__conformance_rule_test);
    };
}

/// One generated test per server-side rule of the registry
/// ([`__for_each_rule!`](crate::__for_each_rule)), used by
/// [`conformance_tests!`](crate::conformance_tests).
#[doc(hidden)]
#[macro_export]
macro_rules! __conformance_rule_test {
    (
        server { $($rule:ident $file:ident $(($judged:ident))?)* }
        client { $($client_rule:ident $client_file:ident)* }
    ) => {
        $(
            #[test]
            #[allow(non_snake_case)]
            fn $rule() {
                __opsworks_conformance_suite().assert_rule(stringify!($rule));
                __opsworks_conformance_snapshot(stringify!($rule));
            }
        )*
    };
}

#[cfg(test)]
mod tests {
    use crate::contract::RuleId;
    use crate::generate::server_rules;

    macro_rules! names {
        (server { $($rule:ident $file:ident $(($judged:ident))?)* } client { $($client:ident $client_file:ident)* }) => {
            const LISTED: &[&str] = &[$(stringify!($rule)),*];
        };
    }

    crate::__for_each_rule!(names);

    #[test]
    fn the_macro_lists_every_server_rule_in_catalogue_order() {
        let listed: Vec<String> = LISTED.iter().map(|name| name.replace('_', "-")).collect();
        let expected: Vec<String> = server_rules()
            .into_iter()
            .map(|rule: RuleId| rule.as_str().to_owned())
            .collect();
        assert_eq!(listed, expected);
    }
}
