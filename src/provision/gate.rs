//! Provisioning around one gate run (`run --provision`, `run --discover`): get the world
//! before the run, clean up and explain after it.

use std::path::Path;

use super::calls::{ProvisionConfig, ProvisionError};
use super::create::provision;
use super::delete::cleanup;
use super::discover::discover;
use super::report::{ProvisionMode, ProvisionReport, explain_discovered};
use crate::runner::RunReport;
use crate::world::World;

/// Where a gate run's world comes from, when the target provides it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorldSource {
    /// Created through the target's API ([`provision`]); with `cleanup`, deleted after the run
    /// ([`cleanup`]).
    Provision {
        /// Delete what was created after the run.
        cleanup: bool,
    },
    /// Read from the target's `Describe*` answers for these stacks ([`discover`]).
    Discover(Vec<String>),
}

/// The world of one gate run, provided by its target: made by [`GateProvisioning::start`]
/// before the run, closed by [`GateProvisioning::finish`] after it.
#[derive(Debug)]
pub struct GateProvisioning {
    config: ProvisionConfig,
    cleanup: bool,
    report: ProvisionReport,
    world: World,
}

impl GateProvisioning {
    /// Provisions or discovers the world, and writes it to `world_out` when given. Progress
    /// and the created resources' ids go to standard error as they come (so that an
    /// interrupted run still tells what it left).
    ///
    /// # Errors
    /// The message to print (after `error: `) when the world could not be had: the call that
    /// failed and what the target answered, then what was created and whether cleanup (when
    /// asked for) deleted it; or when `world_out` could not be written (what was created is then
    /// cleaned up as asked).
    pub async fn start(
        config: ProvisionConfig,
        source: WorldSource,
        world_out: Option<&Path>,
    ) -> Result<(GateProvisioning, World), String> {
        let endpoint = config.endpoint.clone();
        let (mode, cleanup_asked, outcome) = match source {
            WorldSource::Provision { cleanup } => {
                eprintln!(
                    "provisioning the world through {endpoint} (CreateStack, CreateLayer, CreateApp, CreateInstance)"
                );
                let outcome = provision(&config)
                    .await
                    .map(|made| (made.world, made.calls, made.created, Vec::new()));
                (ProvisionMode::Provisioned, cleanup, outcome)
            }
            WorldSource::Discover(stack_ids) => {
                eprintln!(
                    "discovering the world of {} stacks through {endpoint} (DescribeStacks, DescribeApps, DescribeLayers, DescribeInstances)",
                    stack_ids.len()
                );
                let outcome = discover(&config, &stack_ids)
                    .await
                    .map(|found| (found.world, found.calls, Vec::new(), found.notes));
                (ProvisionMode::Discovered, false, outcome)
            }
        };
        let (world, calls, created, notes) = match outcome {
            Ok(made) => made,
            Err(error) => return Err(failed(&config, mode, &error, cleanup_asked).await),
        };
        if !created.is_empty() {
            eprintln!(
                "created {} resources: {}",
                created.len(),
                created
                    .iter()
                    .map(|resource| format!("{} {}", resource.kind, resource.id))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        let mut provisioning = GateProvisioning {
            report: ProvisionReport {
                mode,
                endpoint,
                calls,
                created,
                world_out: world_out.map(Path::to_path_buf),
                cleanup: None,
                notes,
            },
            config,
            cleanup: cleanup_asked,
            world: world.clone(),
        };
        if let Some(path) = world_out {
            if let Err(error) = std::fs::write(path, world.to_json_pretty() + "\n") {
                let mut message = format!(
                    "expected to write the world to {}, found {error}",
                    path.display()
                );
                provisioning.report.world_out = None;
                let report = provisioning.close().await;
                message.push('\n');
                message.push_str(&report.human());
                return Err(message);
            }
        }
        Ok((provisioning, world))
    }

    /// After the run: deletes what was created (when cleanup was asked for), says in `report`
    /// what a discovered world could not exercise ([`explain_discovered`]), and returns what
    /// the reports say about provisioning.
    pub async fn finish(self, report: &mut RunReport) -> ProvisionReport {
        if self.report.mode == ProvisionMode::Discovered {
            explain_discovered(report, &self.world);
        }
        self.close().await
    }

    async fn close(mut self) -> ProvisionReport {
        if self.cleanup {
            eprintln!(
                "cleaning up: deleting the {} resources created (DeleteApp, DeleteInstance, DeleteLayer, DeleteStack)",
                self.report.created.len()
            );
            self.report.cleanup = Some(cleanup(&self.config, &self.report.created).await);
        }
        self.report
    }
}

/// The message of a provisioning or discovery that failed, after cleaning up what it created
/// (when asked for).
async fn failed(
    config: &ProvisionConfig,
    mode: ProvisionMode,
    error: &ProvisionError,
    cleanup_asked: bool,
) -> String {
    let verb = match mode {
        ProvisionMode::Provisioned => "provision",
        ProvisionMode::Discovered => "discover",
    };
    let mut message = format!(
        "expected to {verb} the world through {}, found {error}",
        config.endpoint
    );
    if error.created.is_empty() {
        return message;
    }
    let report = ProvisionReport {
        mode,
        endpoint: config.endpoint.clone(),
        calls: error.calls.clone(),
        created: error.created.clone(),
        world_out: None,
        cleanup: if cleanup_asked {
            Some(cleanup(config, &error.created).await)
        } else {
            None
        },
        notes: Vec::new(),
    };
    message.push('\n');
    message.push_str(&report.human());
    message
}
