//! What a run does: seed, budget, strictness, rule filter, region, signing.

use crate::runner::signing::DefaultSigning;

/// The settings of a conformance run (the flags of `opsworks-conformance run`).
///
/// ```
/// use opsworks_conformance::runner::RunConfig;
/// let config = RunConfig::default().with_seed(7).with_cases(512).strict(true).only("V-*");
/// assert!(config.selects("V-APP-REQUIRED"));
/// assert!(!config.selects("N-STACK"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunConfig {
    /// The seed: the same seed against the same target state gives the same cases.
    pub seed: u64,
    /// The total number of cases, shared among the rules' families.
    pub cases: usize,
    /// The least number of cases each applicable rule gets, whatever the budget.
    pub min_cases_per_rule: usize,
    /// SHOULD rules (and `O-PRECEDENCE`) fail the run instead of warning.
    pub strict: bool,
    /// Only rules whose id matches this glob (`*`, `?`; without a wildcard, a prefix).
    ///
    /// The filter chooses which rules' cases are generated and which rules are reported; it
    /// never hides a broken target:
    /// - every answer to a selected case is still judged in full, and a rule outside the
    ///   filter that these answers *fail* (a MUST rule broken: `P-NO-SERVER-ERROR` for a 5xx,
    ///   a dropped connection or a timeout; a malformed answer; ...) is reported too, with its
    ///   shrunk counterexample and the note `outside the rule filter`, and fails the run. A
    ///   rule outside the filter that is only warned is neither reported nor shrunk;
    /// - a run in which no reported rule was exercised (every one `not_applicable`: no case
    ///   was answered, or the filter selects only rules the world offers no case for) proves
    ///   nothing and does not pass ([`RunReport::passed`]).
    ///
    /// [`RunReport::passed`]: crate::runner::RunReport::passed
    pub only: Option<String>,
    /// The region requests are signed for.
    pub region: String,
    /// How many shrinking steps a counterexample may take at most (each re-asks the target).
    pub max_shrink_steps: usize,
    /// How many requests shrinking may send in the whole run (`--shrink-budget`); `None`, a
    /// quarter of the planned cases less the probe's requests, so that a run never sends more
    /// than 1.25 times its cases
    /// (see [`shrink_budget_for`](Self::shrink_budget_for)). `Some(0)` shrinks nothing: each
    /// counterexample is the case as found.
    ///
    /// Counterexamples are shrunk once every case was sent: first those of rules whose every
    /// case failed alike (the same status and code, every one a 5xx, or the same transport
    /// failure), for which only the family's simplest case is tried, once; then the others,
    /// each with an even share of what is left. When the budget runs out, the report says so.
    pub shrink_budget: Option<usize>,
    /// How many requests may be in flight at once (at least 1; 1 sends one at a time).
    ///
    /// The cases and the order in which they are judged do not depend on it, so against a
    /// correct target the report is the same. Requests whose answer depends on the order
    /// (a `rollback`, which changes the state) are sent alone, after every earlier request was
    /// answered. Shrinking re-asks the target one request at a time.
    pub concurrency: usize,
    /// How requests that no rule asks to be signed a particular way are sent: by default
    /// SigV4-signed (service `opsworks`, [`region`](Self::region)) with the environment's key or
    /// the fixed test key, also in a world without users (real endpoints and emulators route
    /// by the signature). In a world with users it changes nothing: cases are signed as its
    /// users, and cases whose rule needs an unsigned or badly signed request send one either
    /// way. See [`DefaultSigning`].
    pub signing: DefaultSigning,
}

impl Default for RunConfig {
    fn default() -> Self {
        RunConfig {
            seed: 0,
            cases: 2048,
            min_cases_per_rule: 8,
            strict: false,
            only: None,
            region: "us-east-1".to_owned(),
            max_shrink_steps: 512,
            shrink_budget: None,
            concurrency: 1,
            signing: DefaultSigning::Environment,
        }
    }
}

impl RunConfig {
    /// Sets the seed.
    #[must_use]
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Sets the total number of cases.
    #[must_use]
    pub fn with_cases(mut self, cases: usize) -> Self {
        self.cases = cases;
        self
    }

    /// Sets strict mode.
    #[must_use]
    pub fn strict(mut self, strict: bool) -> Self {
        self.strict = strict;
        self
    }

    /// Keeps only the rules whose id matches a glob (see [`only`](Self::only): rules outside
    /// the filter that the selected cases fail are still reported).
    #[must_use]
    pub fn only(mut self, glob: impl Into<String>) -> Self {
        self.only = Some(glob.into());
        self
    }

    /// Sets how many requests may be in flight at once (0 counts as 1).
    #[must_use]
    pub fn with_concurrency(mut self, concurrency: usize) -> Self {
        self.concurrency = concurrency;
        self
    }

    /// Sets how many requests shrinking may send in the whole run (0: no shrinking).
    #[must_use]
    pub fn with_shrink_budget(mut self, requests: usize) -> Self {
        self.shrink_budget = Some(requests);
        self
    }

    /// The shrink budget of a run that plans `planned` cases: [`shrink_budget`](Self::shrink_budget)
    /// when set, else a quarter of `planned` less the endpoint probe's requests
    /// ([`PROBE_REQUESTS`](crate::runner::PROBE_REQUESTS)), so that the run sends at most 1.25
    /// times its planned cases in all.
    ///
    /// ```
    /// use opsworks_conformance::runner::RunConfig;
    /// assert_eq!(RunConfig::default().shrink_budget_for(2048), 510);
    /// assert_eq!(RunConfig::default().with_shrink_budget(0).shrink_budget_for(2048), 0);
    /// ```
    #[must_use]
    pub fn shrink_budget_for(&self, planned: usize) -> usize {
        self.shrink_budget
            .unwrap_or((planned / 4).saturating_sub(crate::runner::PROBE_REQUESTS))
    }

    /// Sets the signing region.
    #[must_use]
    pub fn with_region(mut self, region: impl Into<String>) -> Self {
        self.region = region.into();
        self
    }

    /// Sets how requests are signed when no rule asks for a particular signature
    /// ([`signing`](Self::signing)).
    #[must_use]
    pub fn with_signing(mut self, signing: DefaultSigning) -> Self {
        self.signing = signing;
        self
    }

    /// Whether the filter selects a rule id.
    #[must_use]
    pub fn selects(&self, id: &str) -> bool {
        self.only.as_deref().is_none_or(|glob| glob_match(glob, id))
    }
}

/// Matches `text` against a glob with `*` (any run) and `?` (any one character); a pattern
/// without a wildcard matches as a prefix (`V-` selects every validation rule).
///
/// ```
/// use opsworks_conformance::runner::glob_match;
/// assert!(glob_match("V-*", "V-TYPE"));
/// assert!(glob_match("*-REQUIRED", "V-APP-REQUIRED"));
/// assert!(glob_match("N-", "N-STACK"));
/// assert!(!glob_match("N-?", "N-STACK"));
/// ```
#[must_use]
pub fn glob_match(pattern: &str, text: &str) -> bool {
    if !pattern.contains(['*', '?']) {
        return text.starts_with(pattern);
    }
    let pattern: Vec<char> = pattern.chars().collect();
    let text: Vec<char> = text.chars().collect();
    // Iterative matching with backtracking to the last `*`.
    let (mut p, mut t) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && (pattern[p] == '?' || pattern[p] == text[t]) {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == '*' {
            star = Some((p, t));
            p += 1;
        } else if let Some((star_p, star_t)) = star {
            p = star_p + 1;
            t = star_t + 1;
            star = Some((star_p, star_t + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|c| *c == '*')
}
