//! Provisioning in the reports: the human section and the JSON report's `provisioning` member;
//! and what a discovered world means for the rules.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use serde_json::{Value, json};

use super::calls::{Call, Resource};
use super::delete::Cleanup;
use crate::contract::InDiscoveredWorld;
use crate::report::visible;
use crate::runner::{RuleStatus, RunReport};
use crate::world::World;

/// Where the run's world came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProvisionMode {
    /// Created through the target's API (`run --provision`).
    Provisioned,
    /// Read from the target's `Describe*` answers (`run --discover`).
    Discovered,
}

impl ProvisionMode {
    /// `provisioned` or `discovered`, as the JSON report spells it.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            ProvisionMode::Provisioned => "provisioned",
            ProvisionMode::Discovered => "discovered",
        }
    }
}

/// What the reports say about the world's provisioning or discovery: every call to the
/// target's API outside the run's own requests, what was created, where the world was written,
/// and what cleanup deleted and left.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProvisionReport {
    /// Provisioned or discovered.
    pub mode: ProvisionMode,
    /// The endpoint.
    pub endpoint: String,
    /// The calls before the run (creation or discovery), in order.
    pub calls: Vec<Call>,
    /// What was created (empty for a discovered world).
    pub created: Vec<Resource>,
    /// Where the world was written (`--world-out`), if it was.
    pub world_out: Option<PathBuf>,
    /// What cleanup did (`--cleanup`); `None` when it was not asked for.
    pub cleanup: Option<Cleanup>,
    /// Remarks: what the answers held that the world cannot, and the like.
    pub notes: Vec<String>,
}

impl ProvisionReport {
    /// The resources that exist after the run because the gate created them: all it created
    /// without cleanup, else what cleanup could not delete.
    #[must_use]
    pub fn left(&self) -> Vec<&Resource> {
        match &self.cleanup {
            None => self.created.iter().collect(),
            Some(cleanup) => cleanup
                .remaining
                .iter()
                .map(|remaining| &remaining.resource)
                .collect(),
        }
    }

    /// The human report's section, printed after the run's verdict:
    ///
    /// ```text
    /// provisioned through http://127.0.0.1:5000: 3 stacks, 5 layers, 8 apps, 4 instances (20 calls: CreateStack x3, CreateLayer x5, CreateApp x8, CreateInstance x4)
    /// world written to world.json
    /// cleanup: 0 of 20 resources deleted (13 calls: DeleteApp x8 failed, ...); 20 left, the target could not delete them:
    ///   8 x DeleteApp: HTTP 500, body "<!doctype html>..."
    ///   3 x DeleteStack not sent: an app of its stack is left
    ///   left: app 5c1b... (opsworks-conformance-1a2b3c4d-app-0-0-rails)
    /// ```
    #[must_use]
    pub fn human(&self) -> String {
        let mut out = String::new();
        let count = |kind| {
            self.created
                .iter()
                .filter(|resource| resource.kind == kind)
                .count()
        };
        use super::calls::ResourceKind::{App, Instance, Layer, Stack};
        match self.mode {
            ProvisionMode::Provisioned => {
                let _ = writeln!(
                    out,
                    "provisioned through {}: {} stacks, {} layers, {} apps, {} instances ({})",
                    self.endpoint,
                    count(Stack),
                    count(Layer),
                    count(App),
                    count(Instance),
                    calls_summary(&self.calls)
                );
            }
            ProvisionMode::Discovered => {
                let _ = writeln!(
                    out,
                    "discovered through {}: nothing created ({})",
                    self.endpoint,
                    calls_summary(&self.calls)
                );
            }
        }
        for note in &self.notes {
            let _ = writeln!(out, "  note: {note}");
        }
        if let Some(path) = &self.world_out {
            let _ = writeln!(out, "world written to {}", path.display());
        }
        match &self.cleanup {
            None if !self.created.is_empty() => {
                let _ = writeln!(
                    out,
                    "left in the target (no --cleanup): {} resources: {}",
                    self.created.len(),
                    self.created
                        .iter()
                        .map(|resource| format!("{} {}", resource.kind, visible(&resource.id)))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            }
            None => {}
            Some(cleanup) => {
                let _ = write!(
                    out,
                    "cleanup: {} of {} resources deleted ({})",
                    cleanup.deleted.len(),
                    self.created.len(),
                    calls_summary(&cleanup.calls)
                );
                if cleanup.remaining.is_empty() {
                    let _ = writeln!(out, "; none left");
                } else {
                    let _ = writeln!(
                        out,
                        "; {} left, the target could not delete them:",
                        cleanup.remaining.len()
                    );
                    // Each reason once, with how many resources it kept.
                    let mut reasons: Vec<(&str, usize)> = Vec::new();
                    for remaining in &cleanup.remaining {
                        match reasons
                            .iter_mut()
                            .find(|(reason, _)| *reason == remaining.reason)
                        {
                            Some((_, count)) => *count += 1,
                            None => reasons.push((&remaining.reason, 1)),
                        }
                    }
                    // In the order of deletion, the target's answers before the calls not sent.
                    reasons.sort_by_key(|(reason, _)| {
                        let rank = ["DeleteApp", "DeleteInstance", "DeleteLayer", "DeleteStack"]
                            .iter()
                            .position(|operation| reason.starts_with(operation));
                        (rank, reason.contains(" not sent: "))
                    });
                    for (reason, count) in reasons {
                        let _ = writeln!(out, "  {count} x {reason}");
                    }
                    for remaining in &cleanup.remaining {
                        let resource = &remaining.resource;
                        let _ = writeln!(
                            out,
                            "  left: {} {} ({})",
                            resource.kind,
                            visible(&resource.id),
                            visible(&resource.name),
                        );
                    }
                }
            }
        }
        out
    }

    /// The JSON report's `provisioning` member (an addition to `INTERFACES.md`'s JSON report):
    ///
    /// ```json
    /// { "mode": "provisioned", "endpoint": "http://127.0.0.1:5000",
    ///   "calls": [ { "operation": "CreateStack", "id": "...", "ok": true }, ... ],
    ///   "created": [ { "type": "stack", "id": "...", "stack_id": "...", "name": "..." }, ... ],
    ///   "world_out": "world.json",
    ///   "cleanup": { "calls": [ { "operation": "DeleteApp", "id": "...", "ok": false,
    ///                              "answer": "HTTP 500, body ..." } ],
    ///                "deleted": [ ... ],
    ///                "remaining": [ { "type": "app", "id": "...", "stack_id": "...",
    ///                                 "name": "...", "reason": "DeleteApp: HTTP 500, ..." } ] },
    ///   "left": [ { "type": "app", ... } ],
    ///   "notes": [ ] }
    /// ```
    ///
    /// `cleanup` is null without `--cleanup`; `left` lists what the gate created and did not
    /// delete (all of it without `--cleanup`).
    #[must_use]
    pub fn to_json(&self) -> Value {
        json!({
            "mode": self.mode.as_str(),
            "endpoint": self.endpoint,
            "calls": self.calls.iter().map(call_json).collect::<Vec<_>>(),
            "created": self.created.iter().map(resource_json).collect::<Vec<_>>(),
            "world_out": self.world_out.as_ref().map(|path| path.display().to_string()),
            "cleanup": self.cleanup.as_ref().map(|cleanup| json!({
                "calls": cleanup.calls.iter().map(call_json).collect::<Vec<_>>(),
                "deleted": cleanup.deleted.iter().map(resource_json).collect::<Vec<_>>(),
                "remaining": cleanup.remaining.iter().map(|remaining| {
                    let mut entry = resource_json(&remaining.resource);
                    if let Value::Object(object) = &mut entry {
                        object.insert("reason".into(), json!(remaining.reason));
                    }
                    entry
                }).collect::<Vec<_>>(),
            })),
            "left": self.left().into_iter().map(resource_json).collect::<Vec<_>>(),
            "notes": self.notes,
        })
    }
}

/// `20 calls: CreateStack x3, CreateLayer x5, ...` (operations in the order first called; the
/// failed ones counted apart).
fn calls_summary(calls: &[Call]) -> String {
    let mut order: Vec<&str> = Vec::new();
    let mut counts: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for call in calls {
        if !order.contains(&call.operation) {
            order.push(call.operation);
        }
        let entry = counts.entry(call.operation).or_default();
        if call.ok() {
            entry.0 += 1;
        } else {
            entry.1 += 1;
        }
    }
    let parts: Vec<String> = order
        .iter()
        .map(|operation| {
            let (ok, failed) = counts.get(operation).copied().unwrap_or_default();
            match (ok, failed) {
                (ok, 0) => format!("{operation} x{ok}"),
                (0, failed) => format!("{operation} x{failed} failed"),
                (ok, failed) => format!("{operation} x{} ({failed} failed)", ok + failed),
            }
        })
        .collect();
    if parts.is_empty() {
        "no calls".to_owned()
    } else {
        format!("{} calls: {}", calls.len(), parts.join(", "))
    }
}

fn call_json(call: &Call) -> Value {
    let mut entry = json!({ "operation": call.operation, "id": call.id, "ok": call.ok() });
    if let (Value::Object(object), Some(answer)) = (&mut entry, &call.failure) {
        object.insert("answer".into(), json!(answer));
    }
    entry
}

fn resource_json(resource: &Resource) -> Value {
    json!({
        "type": resource.kind.as_str(),
        "id": resource.id,
        "stack_id": resource.stack_id,
        "name": resource.name,
    })
}

/// The note of a rule the discovered world does not let the gate judge.
const VERSIONS_UNKNOWN: &str = "the discovered world's stored app versions are unknown (no Describe* answer shows them; the world says Versions 1): a rollback the target accepted decides nothing";

/// Says in `report` what a discovered world could not exercise: each not-applicable rule's
/// note names what the world lacks (`Describe*` answers show no users' keys, and the stacks'
/// apps, layers and instances are what they are), and a `rollback` the target accepted is not
/// held against it (V-ROLLBACK-DEPTH, warned on a world whose apps have `Versions: 1`, becomes
/// not applicable): the answers do not show how many versions an app stores.
pub fn explain_discovered(report: &mut RunReport, world: &World) {
    let stacks = world.stacks.len();
    let apps: usize = world.stacks.iter().map(|stack| stack.apps.len()).sum();
    let layers: usize = world.stacks.iter().map(|stack| stack.layers.len()).sum();
    let instances: usize = world.stacks.iter().map(|stack| stack.instances.len()).sum();
    let shape = format!(
        "the discovered world has {stacks} stacks, {apps} apps, {layers} layers, {instances} instances"
    );
    for rule in &mut report.rules {
        let discovered = rule.id.rule().facts.discovered;
        if discovered == InDiscoveredWorld::WarningsNeedVersions
            && rule.status == RuleStatus::Warned
        {
            rule.status = RuleStatus::NotApplicable;
            rule.counterexample = None;
            rule.note = Some(VERSIONS_UNKNOWN.to_owned());
            continue;
        }
        if rule.status != RuleStatus::NotApplicable {
            continue;
        }
        let note = if discovered == InDiscoveredWorld::NeedsUsers {
            Some("the discovered world has no users (Describe* answers show no keys)".to_owned())
        } else {
            match rule.note.as_deref() {
                Some(
                    note @ ("the world offers no case for this rule" | "no case reached the rule"),
                ) => Some(format!("{note}: {shape}")),
                _ => None,
            }
        };
        if let Some(note) = note {
            rule.note = Some(note);
        }
    }
    // A rule made not applicable is in no failure group.
    let judged: Vec<_> = report
        .rules
        .iter()
        .filter(|rule| rule.status != RuleStatus::NotApplicable)
        .map(|rule| rule.id)
        .collect();
    for group in &mut report.groups {
        group.rules.retain(|id| judged.contains(id));
    }
    report.groups.retain(|group| !group.rules.is_empty());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{nth_rule_with, rules_with};
    use crate::runner::{RunConfig, run};
    use crate::target::{ReferenceTarget, block_on};

    /// A discovered world says `Versions: 1`; the target stores more, so it accepts rollbacks:
    /// V-ROLLBACK-DEPTH, warned by the run, is not applicable once explained, and the rules the
    /// world cannot exercise say why.
    #[test]
    fn a_discovered_world_does_not_hold_accepted_rollbacks_against_the_target() {
        let target_world = World::from_json(
            r#"{"Stacks":[{"StackId":"s1","Apps":[{"AppId":"a1","Type":"php","Versions":5}],
                "Layers":[{"LayerId":"l1"}],"Instances":[{"InstanceId":"i1","LayerIds":["l1"]}]}]}"#,
        )
        .unwrap();
        let mut discovered = target_world.clone();
        discovered.stacks[0].apps[0].versions = 1;
        let target = ReferenceTarget::new(target_world);
        let mut report = block_on(run(
            &target,
            &discovered,
            &RunConfig::default().with_seed(3).with_cases(600),
        ));
        let versions = nth_rule_with(0, |rule| {
            rule.facts.discovered == InDiscoveredWorld::WarningsNeedVersions
        });
        let status = |report: &RunReport, id| report.rule(id).map(|rule| rule.status);
        assert_eq!(status(&report, versions), Some(RuleStatus::Warned));

        explain_discovered(&mut report, &discovered);
        let rollback = report.rule(versions).unwrap();
        assert_eq!(rollback.status, RuleStatus::NotApplicable);
        assert_eq!(rollback.note.as_deref(), Some(VERSIONS_UNKNOWN));
        assert!(rollback.counterexample.is_none());
        assert!(
            report
                .groups
                .iter()
                .all(|group| !group.rules.contains(&versions))
        );
        let needs_users = rules_with(|rule| rule.facts.discovered == InDiscoveredWorld::NeedsUsers);
        assert!(!needs_users.is_empty());
        for id in needs_users {
            let rule = report.rule(id).unwrap();
            assert_eq!(rule.status, RuleStatus::NotApplicable, "{id}");
            assert_eq!(
                rule.note.as_deref(),
                Some("the discovered world has no users (Describe* answers show no keys)"),
                "{id}"
            );
        }
        // The other rules are untouched: the target is the reference implementation.
        assert_eq!(report.count(RuleStatus::Failed), 0);
        assert!(report.passed());
    }

    /// A rule the discovered world offers no case for names what the world has.
    #[test]
    fn a_rule_the_discovered_world_cannot_exercise_says_what_the_world_has() {
        let world = World::from_json(r#"{"Stacks":[{"StackId":"s1"}]}"#).unwrap();
        let target = ReferenceTarget::new(world.clone());
        let mut report = block_on(run(&target, &world, &RunConfig::default().with_cases(300)));
        let before = report.clone();
        explain_discovered(&mut report, &world);
        let mut explained = 0;
        for (before, after) in before.rules.iter().zip(&report.rules) {
            let unexercised = matches!(
                before.note.as_deref(),
                Some("the world offers no case for this rule" | "no case reached the rule")
            );
            if before.status == RuleStatus::NotApplicable
                && unexercised
                && before.id.rule().facts.discovered == InDiscoveredWorld::Applies
            {
                explained += 1;
                assert_eq!(
                    after.note,
                    Some(format!(
                        "{}: the discovered world has 1 stacks, 0 apps, 0 layers, 0 instances",
                        before.note.clone().unwrap_or_default()
                    )),
                    "{}",
                    before.id
                );
            } else if before.status != RuleStatus::NotApplicable {
                // Rules that were judged keep their status and note.
                assert_eq!(
                    (after.status, after.note.as_deref()),
                    (before.status, before.note.as_deref()),
                    "{}",
                    before.id
                );
            }
        }
        // A world of one stack offers no case for the rules about apps.
        assert!(explained > 0, "{report:?}");
    }
}
