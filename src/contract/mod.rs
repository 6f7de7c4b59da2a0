//! The contract: request types, the command table, wire facts and the rule catalogue.
//!
//! This module imports nothing else from the crate but the rule files (`src/rules/`), which
//! define the catalogue; everything else builds on it.

mod catalogue;
mod command;
mod error_code;
pub(crate) mod excerpt;
mod operations;
mod request;
mod response;
mod rule;
mod signing;
pub mod wire;

pub use crate::rules::catalogue_markdown;
pub use catalogue::{CATALOGUE, CATALOGUE_VERSION, rules};
pub use command::{CommandKind, CommandName, UnknownCommandName};
pub use error_code::{ErrorCode, error_code_of, sanitize_error_code};
pub use operations::{
    OPSWORKS_OPERATIONS, OPSWORKS_TARGET_PREFIX, api_operation, could_be_taken_for_operation,
};
pub use request::{CreateDeploymentInput, DeploymentCommand, INPUT_MEMBERS, RawRequest};
pub use response::{Observation, Response, TransportFailure, TransportFailureKind};
pub use rule::{
    AnswerForm, Exemplar, Group, InDiscoveredWorld, Rule, RuleDoc, RuleFacts, RuleId, Severity,
    Side,
};
pub use signing::Signing;
