//! Reports of a run: human, JSON (`docs/contract/INTERFACES.md`), JUnit XML; and replay commands.

mod curl;
mod human;
mod json;
#[cfg(feature = "junit")]
mod junit;
mod redact;
mod visible;

pub use curl::curl_command;
pub use human::{human_report, rule_details};
pub use json::{json_report, with_snapshot_statuses};
#[cfg(feature = "junit")]
pub use junit::junit_report;
pub use redact::{redact_authorization, redact_signatures, report_headers};
pub use visible::{visible, visible_bytes};
