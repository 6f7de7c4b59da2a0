//! The world through the target's own OpsWorks API (feature `sdk`): create it
//! ([`provision`]), adopt an existing one ([`discover`]), and delete what was created
//! ([`cleanup`]), with aws-sdk-opsworks.
//!
//! Against an emulator or a live endpoint, the gate needs a world that matches the target's
//! state. [`provision`] creates one through `CreateStack`, `CreateLayer`, `CreateApp` and
//! `CreateInstance` (the shape is a [`WorldPlan`]: by default three stacks, layers, apps of every
//! type, instances in one or two layers) and returns it with every resource it created;
//! [`cleanup`] deletes exactly those resources (`DeleteApp`, `DeleteInstance`, `DeleteLayer`,
//! `DeleteStack`, in that order) and lists what the target could not delete. [`discover`] reads
//! existing stacks with `DescribeStacks`, `DescribeApps`, `DescribeLayers` and
//! `DescribeInstances` and builds the world from the answers, creating nothing.
//!
//! Every call is recorded ([`Call`]) for the report ([`ProvisionReport`]); no call touches a
//! resource the gate did not create (discovery only reads). The conformance run itself still
//! sends nothing but CreateDeployment requests (and names no operation has).
//!
//! What the API cannot express, the world does not claim: an app's stored versions are not
//! shown by any `Describe*` answer and only `UpdateApp` would add one, so a provisioned or
//! discovered app has `Versions: 1`; no user can be created or read (keys are not part of the
//! OpsWorks API), so the world has no `Users` and rules A-* are not applicable.
//!
//! ```no_run
//! # async fn example() -> Result<(), Box<dyn std::error::Error>> {
//! use opsworks_conformance::provision::{ProvisionConfig, cleanup, provision};
//! use opsworks_conformance::runner::{RunConfig, run};
//! use opsworks_conformance::target::HttpTarget;
//!
//! let config = ProvisionConfig::new("http://127.0.0.1:5000");
//! let provisioned = provision(&config).await?;
//! let target = HttpTarget::new("http://127.0.0.1:5000")?;
//! let report = run(&target, &provisioned.world, &RunConfig::default()).await;
//! let cleaned = cleanup(&config, &provisioned.created).await;
//! for left in &cleaned.remaining {
//!     println!("not deleted: {} {} ({})", left.resource.kind, left.resource.id, left.reason);
//! }
//! # let _ = report;
//! # Ok(())
//! # }
//! ```

mod calls;
mod create;
mod delete;
mod discover;
mod gate;
mod report;

pub use calls::{Call, ProvisionConfig, ProvisionError, Resource, ResourceKind, Stop};
pub use create::{Provisioned, StackPlan, WorldPlan, provision, provision_plan};
pub use delete::{Cleanup, Remaining, cleanup};
pub use discover::{Discovered, discover};
pub use gate::{GateProvisioning, WorldSource};
pub use report::{ProvisionMode, ProvisionReport, explain_discovered};
