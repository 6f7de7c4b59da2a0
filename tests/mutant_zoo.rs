//! The mutant zoo (issue #7): proof that the gate goes red on broken implementations.
//!
//! `mutants::ZOO` holds deliberately broken implementations of CreateDeployment: the reference
//! target with one defect a real mock could have (wrong codes or statuses, lax id matching,
//! accepting what must be refused, refusing valid input, leaking state, failing on odd input,
//! ignoring signatures or permissions). Each names the rule that must kill it, and each has a
//! test here (`cargo test --test mutant_zoo stack_ids_trimmed`) that runs the **default** gate
//! (`RunConfig::default()`: 2048 cases, seed 0) against a fresh instance of it:
//!
//! - a mutant of a MUST rule fails the gate, with that rule `failed`;
//! - a mutant of a SHOULD rule passes the default gate with that rule `warned`, and fails
//!   `--strict`;
//! - either way the rule has a counterexample, whose `found_after` (cases-to-kill) is recorded.
//!
//! Also here: a coverage test (every MUST and SHOULD server rule the bundled worlds can exercise
//! has a mutant), and `docs/mutants.md`, the table of cases-to-kill, regenerated from the zoo's
//! results and compared with the checked-in file (`OPSWORKS_CONFORMANCE_BLESS=1` rewrites it).
//!
//! Each mutant's runs happen once per test process, whichever test asks first (the table test
//! shares the per-mutant tests' results).
#![cfg(all(feature = "server", feature = "http"))]

mod mutants;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{LazyLock, OnceLock};
use std::time::{Duration, Instant};

use opsworks_conformance::contract::{RuleId, Severity, rules};
use opsworks_conformance::generate::{family, server_rules};
use opsworks_conformance::runner::{RuleStatus, RunReport};
use opsworks_conformance::world::World;

use mutants::{Mutant, UNCOVERED, ZOO, default_config};

// ---------------------------------------------------------------------------------------------
// Running the zoo (once per process)
// ---------------------------------------------------------------------------------------------

/// What the gate said of one mutant.
struct Outcome {
    /// The default gate.
    default: RunReport,
    /// The strict gate, for a mutant of a SHOULD rule.
    strict: Option<RunReport>,
    /// How long the runs took.
    elapsed: Duration,
    /// How much CPU time they took.
    cpu_seconds: f64,
}

/// One cell per mutant of `ZOO`, filled by the first test that needs it.
static OUTCOMES: LazyLock<Vec<OnceLock<Outcome>>> =
    LazyLock::new(|| ZOO.iter().map(|_| OnceLock::new()).collect());

/// The outcome of the `index`-th mutant, running the gate on first use.
fn outcome(index: usize) -> &'static Outcome {
    OUTCOMES[index].get_or_init(|| {
        let mutant = &ZOO[index];
        let started = Instant::now();
        let cpu = thread_cpu_seconds();
        let default = mutant.gate(&default_config());
        let strict = (mutant.severity() == Severity::Should)
            .then(|| mutant.gate(&default_config().strict(true)));
        let elapsed = started.elapsed();
        let cpu_seconds = thread_cpu_seconds() - cpu;
        eprintln!(
            "mutant {}: {} cases in {:.1} s ({cpu_seconds:.1} s CPU)",
            mutant.name,
            default.cases,
            elapsed.as_secs_f64(),
        );
        Outcome {
            default,
            strict,
            elapsed,
            cpu_seconds,
        }
    })
}

/// The CPU time this thread has used (Linux; 0 elsewhere), for the timing lines: a mutant's
/// runs happen on the thread that asks for them first.
fn thread_cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

fn index_of(name: &str) -> usize {
    ZOO.iter()
        .position(|mutant| mutant.name == name)
        .unwrap_or_else(|| panic!("no mutant named {name} in mutants::ZOO"))
}

/// The rules with this status in a report, with what their counterexample found.
fn rules_with(report: &RunReport, status: RuleStatus) -> String {
    let rules: Vec<String> = report
        .with_status(status)
        .map(|rule| match &rule.counterexample {
            Some(example) => format!(
                "{} (after {} cases: expected {}, found {})",
                rule.id,
                example.found_after,
                example.expected,
                brief(&example.found)
            ),
            None => rule.id.to_string(),
        })
        .collect();
    if rules.is_empty() {
        "none".to_owned()
    } else {
        rules.join("; ")
    }
}

fn brief(text: &str) -> String {
    let mut cut: String = text.chars().take(160).collect();
    if cut.len() < text.len() {
        cut.push('…');
    }
    cut
}

/// Why a mutant's test failed: the mutant, the rule expected, the rules that actually failed
/// and warned.
fn explain(mutant: &Mutant, report: &RunReport, what: &str) -> String {
    format!(
        "mutant {} ({}): expected {} {} to {what}; the {} gate said {} with\n  failed: {}\n  warned: {}\n  notes: {:?}",
        mutant.name,
        mutant.defect,
        severity_name(mutant.severity()),
        mutant.rule,
        if report.strict { "strict" } else { "default" },
        if report.passed() { "pass" } else { "FAIL" },
        rules_with(report, RuleStatus::Failed),
        rules_with(report, RuleStatus::Warned),
        report.notes,
    )
}

fn severity_name(severity: Severity) -> &'static str {
    match severity {
        Severity::Must => "MUST",
        Severity::Should => "SHOULD",
        Severity::May => "MAY",
    }
}

/// The cases-to-kill of a mutant: `found_after` of its rule's counterexample.
fn cases_to_kill(mutant: &Mutant, report: &RunReport) -> Option<usize> {
    report
        .rule(mutant.rule)
        .and_then(|rule| rule.counterexample.as_ref())
        .map(|example| example.found_after)
}

/// The test of one mutant: the default gate kills it by its rule.
fn check(name: &str) {
    let index = index_of(name);
    let mutant = &ZOO[index];
    let outcome = outcome(index);
    let report = &outcome.default;
    let status = report.rule(mutant.rule).map(|rule| rule.status);
    if let Some(why) = mutant.survives {
        check_survivor(mutant, report, why);
        return;
    }
    match mutant.severity() {
        Severity::Must => {
            assert!(
                !report.passed() && status == Some(RuleStatus::Failed),
                "{}",
                explain(mutant, report, "fail the default gate")
            );
        }
        Severity::Should => {
            assert!(
                report.passed() && status == Some(RuleStatus::Warned),
                "{}",
                explain(mutant, report, "warn (and the default gate to pass)")
            );
            let strict = outcome
                .strict
                .as_ref()
                .expect("a SHOULD mutant is also run strict");
            assert!(
                !strict.passed()
                    && strict.rule(mutant.rule).map(|rule| rule.status) == Some(RuleStatus::Warned),
                "{}",
                explain(mutant, strict, "fail the strict gate")
            );
        }
        Severity::May => panic!("mutant {}: {} is a MAY rule", mutant.name, mutant.rule),
    }
    let killed_after = cases_to_kill(mutant, report).unwrap_or_else(|| {
        panic!(
            "{}",
            explain(mutant, report, "have a counterexample (it has none)")
        )
    });
    assert!(
        (1..=report.cases).contains(&killed_after),
        "mutant {}: {} found after {killed_after} cases of {}",
        mutant.name,
        mutant.rule,
        report.cases
    );
    eprintln!(
        "mutant {} killed by {} after {killed_after} cases ({:.1} s, {:.1} s CPU)",
        mutant.name,
        mutant.rule,
        outcome.elapsed.as_secs_f64(),
        outcome.cpu_seconds
    );
}

/// The test of a known survivor: the default gate still does not kill it (else the mark must
/// go), and the defect is real: other seeds, with the rule's share of the default budget, kill
/// it.
fn check_survivor(mutant: &Mutant, report: &RunReport, why: &str) {
    let status = report.rule(mutant.rule).map(|rule| rule.status);
    assert!(
        !matches!(status, Some(RuleStatus::Failed | RuleStatus::Warned)),
        "{}",
        explain(
            mutant,
            report,
            "survive (it is marked as a survivor; the gate kills it now: make it a mutant! again)"
        )
    );
    let share = default_config().cases / applicable_rules(mutant);
    let killer = (1..=10u64).find(|seed| {
        let config = default_config()
            .only(mutant.rule.as_str())
            .with_cases(share)
            .with_seed(*seed);
        mutant
            .gate(&config)
            .rule(mutant.rule)
            .is_some_and(|rule| rule.status == RuleStatus::Failed)
    });
    assert!(
        killer.is_some(),
        "mutant {}: no seed of 1-10 kills it with {share} {} cases: is the defect real?",
        mutant.name,
        mutant.rule
    );
    eprintln!(
        "mutant {} SURVIVES the default gate (seed {} kills it with {share} {} cases): {why}",
        mutant.name,
        killer.unwrap_or_default(),
        mutant.rule
    );
}

/// How many rules share the budget in the mutant's world (those with a family).
fn applicable_rules(mutant: &Mutant) -> usize {
    let world = mutant.world.world();
    server_rules()
        .into_iter()
        .filter(|rule| family(*rule, &world).is_some())
        .count()
        .max(1)
}

/// One test per mutant, named after it; `TESTED` lists them for the coverage test.
macro_rules! zoo_tests {
    ($($name:ident)*) => {
        $(
            #[test]
            fn $name() {
                check(stringify!($name));
            }
        )*
        const TESTED: &[&str] = &[$(stringify!($name)),*];
    };
}

zoo_tests! {
    success_without_deployment_id
    wrong_status_201_on_success
    error_payload_in_200
    error_without_type
    error_without_message
    content_type_application_json
    deep_json_500
    big_body_times_out
    http_hang_on_big_body
    http_reset_on_invalid_utf8
    content_type_exact_match
    empty_body_serialization_error
    trailing_garbage_accepted
    top_level_array_read_positionally
    byte_order_mark_trimmed_at_either_end
    nan_and_infinity_accepted
    utf16_and_utf32_bodies_decoded
    encoded_surrogates_accepted
    overlong_utf8_accepted
    invalid_utf8_read_lossily
    ignores_target_header
    target_header_case_insensitive
    missing_stack_not_found
    missing_command_defaults_to_configure
    missing_name_serialization_error
    command_array_read_positionally
    command_name_case_insensitive
    unknown_command_not_found
    scalars_coerced_to_strings
    non_string_ids_coerced
    app_command_without_app
    custom_json_unparsed
    custom_json_any_value
    recipes_not_required
    migrate_any_value
    upgrade_implies_reboot
    rollback_without_versions
    stack_ids_trimmed
    stack_ids_case_insensitive
    stack_ids_by_prefix
    stack_ids_matched_by_their_start
    stack_ids_normalised
    app_of_any_stack
    app_ids_case_insensitive
    first_instance_only
    layers_of_any_stack
    unsigned_as_default_user
    unknown_key_as_default_user
    signature_not_verified
    show_level_may_deploy
    non_ascii_comment_refused
    many_instances_refused
    long_comment_refused
    deployment_id_per_stack_counter
    rejected_rollback_uses_version
    unknown_operation_still_acts
    existence_before_validation
}

// ---------------------------------------------------------------------------------------------
// Coverage
// ---------------------------------------------------------------------------------------------

#[test]
fn every_must_and_should_server_rule_has_a_mutant() {
    let worlds = [World::bundled(), World::bundled_with_users()];
    // A survivor covers nothing: the gate does not kill it.
    let covered: BTreeSet<RuleId> = ZOO
        .iter()
        .filter(|mutant| mutant.survives.is_none())
        .map(|mutant| mutant.rule)
        .collect();
    let excused: BTreeSet<RuleId> = UNCOVERED.iter().map(|(rule, _)| *rule).collect();
    let mut missing = Vec::new();
    let mut exercisable = BTreeSet::new();
    for rule in server_rules() {
        if !matches!(rule.severity(), Severity::Must | Severity::Should) {
            continue;
        }
        if !worlds.iter().any(|world| family(rule, world).is_some()) {
            continue;
        }
        exercisable.insert(rule);
        if !covered.contains(&rule) && !excused.contains(&rule) {
            missing.push(rule);
        }
    }
    assert!(
        missing.is_empty(),
        "MUST/SHOULD server rules with a generator family in the bundled worlds but no mutant in \
         tests/mutants/mod.rs (add one, or list the rule in UNCOVERED with the reason): {missing:?}"
    );
    for (rule, reason) in UNCOVERED {
        assert!(
            !covered.contains(rule),
            "{rule} is in UNCOVERED but a mutant covers it: remove the entry"
        );
        assert!(
            exercisable.contains(rule),
            "{rule} is in UNCOVERED but no bundled world exercises it: remove the entry"
        );
        assert!(
            !reason.trim().is_empty(),
            "{rule}: UNCOVERED needs a reason"
        );
    }
}

#[test]
fn every_mutant_is_well_formed_and_has_its_test() {
    let names: Vec<&str> = ZOO.iter().map(|mutant| mutant.name).collect();
    let unique: BTreeSet<&str> = names.iter().copied().collect();
    assert_eq!(unique.len(), names.len(), "mutant names are unique");
    let tested: BTreeSet<&str> = TESTED.iter().copied().collect();
    assert_eq!(
        unique, tested,
        "every mutant of mutants::ZOO has a test in zoo_tests! and every test a mutant"
    );
    assert!(ZOO.len() >= 35, "at least 35 mutants, found {}", ZOO.len());
    for mutant in ZOO {
        assert!(
            matches!(mutant.severity(), Severity::Must | Severity::Should),
            "{}: {} is not a MUST or SHOULD rule",
            mutant.name,
            mutant.rule
        );
        assert!(
            family(mutant.rule, &mutant.world.world()).is_some(),
            "{}: {} has no family in the mutant's world",
            mutant.name,
            mutant.rule
        );
        assert!(
            !mutant.defect.is_empty()
                && !mutant.defect.contains('\n')
                && !mutant.defect.contains('|'),
            "{}: the defect is one line without `|` (it goes into a Markdown table)",
            mutant.name
        );
    }
}

// ---------------------------------------------------------------------------------------------
// docs/mutants.md
// ---------------------------------------------------------------------------------------------

/// Runs every mutant not run yet, on two threads (the per-mutant tests running at the same
/// time share the work).
fn run_the_whole_zoo() {
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| {
                loop {
                    let index = next.fetch_add(1, Ordering::SeqCst);
                    if index >= ZOO.len() {
                        break;
                    }
                    outcome(index);
                }
            });
        }
    });
}

fn table_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/mutants.md")
}

/// The median of sorted counts (the mean of the two middle ones, rounded down, for an even
/// number).
fn median(sorted: &[usize]) -> usize {
    match sorted.len() {
        0 => 0,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2,
    }
}

/// The table, from the zoo's results.
fn render_table() -> String {
    let mut counted = Vec::new();
    let mut rows = Vec::new();
    let mut survivors = Vec::new();
    for (index, mutant) in ZOO.iter().enumerate() {
        let report = &outcome(index).default;
        let killed = cases_to_kill(mutant, report);
        let cell = match killed {
            _ if mutant.survives.is_some() => {
                survivors.push(mutant);
                "survives (see below)".to_owned()
            }
            Some(_) if mutant.timing_dependent() => {
                "killed (timing-dependent, not counted)".to_owned()
            }
            Some(cases) => {
                counted.push(cases);
                cases.to_string()
            }
            None => "NOT KILLED".to_owned(),
        };
        rows.push(format!(
            "| {} | {} | `{}` | {}{} | {} |",
            mutant.rule,
            severity_name(mutant.severity()),
            mutant.name,
            mutant.defect,
            if mutant.over_http() {
                " (over HTTP)"
            } else {
                ""
            },
            cell
        ));
    }
    counted.sort_unstable();
    let config = default_config();
    let mut text = String::new();
    text.push_str("# The mutant zoo: cases-to-kill\n\n");
    text.push_str(
        "Generated by `tests/mutant_zoo.rs` (issue #7); do not edit by hand. Regenerate with\n\
         `OPSWORKS_CONFORMANCE_BLESS=1 cargo test --all-features --test mutant_zoo` (without the\n\
         variable, the test fails when this file is out of date).\n\n",
    );
    text.push_str(&format!(
        "Each row is a deliberately broken implementation (the reference implementation with one\n\
         defect), the rule that must kill it, and its cases-to-kill: how many cases the default\n\
         gate (`RunConfig::default()`: {} cases, seed {}) had sent when that rule was first seen\n\
         broken (`Counterexample::found_after`). A MUST mutant fails the default gate; a SHOULD\n\
         mutant is warned by it and fails `--strict`. The gate runs the rules' families one after\n\
         the other in catalogue order, so a rule late in the catalogue is reached late.\n\
         Mutants run in process unless marked \"over HTTP\"; a kill that depends on a timeout\n\
         is not counted, and survivors (a gate weakness, explained below the table) are listed\n\
         but not counted.\n\n",
        config.cases, config.seed
    ));
    text.push_str(&format!(
        "{} mutants; cases-to-kill over the {} counted (killed without a timeout): median {}, \
         max {}.\n\n",
        ZOO.len(),
        counted.len(),
        median(&counted),
        counted.last().copied().unwrap_or(0)
    ));
    text.push_str("| rule | severity | mutant | defect | cases-to-kill |\n");
    text.push_str("|---|---|---|---|---:|\n");
    for row in rows {
        text.push_str(&row);
        text.push('\n');
    }
    if !survivors.is_empty() {
        text.push_str("\n## Survivors: defects the default gate misses\n\n");
        for mutant in survivors {
            text.push_str(&format!(
                "- `{}` ({}): {}.\n",
                mutant.name,
                mutant.rule,
                mutant.survives.unwrap_or_default()
            ));
        }
    }
    text
}

#[test]
fn the_table_of_cases_to_kill_is_up_to_date() {
    run_the_whole_zoo();
    let table = render_table();
    let path = table_path();
    if std::env::var("OPSWORKS_CONFORMANCE_BLESS").is_ok_and(|value| value == "1") {
        std::fs::write(&path, &table).expect("docs/mutants.md is writable");
        eprintln!("wrote {}", path.display());
        return;
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == table,
        "{} is out of date: regenerate it with `OPSWORKS_CONFORMANCE_BLESS=1 cargo test \
         --all-features --test mutant_zoo`.\n--- generated now\n{table}",
        path.display()
    );
}

/// The S-ERROR-NO-EFFECT family on its own (64 cases, `only`) catches both mutants whose
/// rejected requests act anyway, whatever the seed: its valid rollbacks of the same apps reveal
/// a version used up by a rejected one. (Over the whole default gate they were caught for about
/// half the seeds before the family sent those valid rollbacks.)
#[test]
fn the_error_no_effect_family_catches_leaking_rejections_for_every_seed() {
    for name in [
        "rejected_rollback_uses_version",
        "unknown_operation_still_acts",
    ] {
        let mutant = &ZOO[index_of(name)];
        let missed: Vec<u64> = (0..10)
            .filter(|&seed| {
                let mut config = default_config().with_seed(seed).with_cases(64);
                config.only = Some("S-ERROR-NO-EFFECT".to_owned());
                let report = mutant.gate(&config);
                report
                    .rule(rules::S_ERROR_NO_EFFECT)
                    .map(|rule| rule.status)
                    != Some(RuleStatus::Failed)
            })
            .collect();
        assert!(missed.is_empty(), "{name} survived seeds {missed:?}");
    }
}
