//! The rule catalogue of `docs/rules.md` as data: every rule exactly once, each defined by its
//! file under `src/rules/` and listed by the registry there.

/// The version of the rule catalogue (`docs/contract/RULES.md`) this catalogue encodes
/// (reported as `catalogue` in the JSON report).
pub const CATALOGUE_VERSION: u32 = 2;

pub use crate::rules::CATALOGUE;

/// The rule ids as constants. Grep for the text of an id (`V-APP-REQUIRED`) or for its constant
/// (`V_APP_REQUIRED`) to find its file under `src/rules/`.
pub mod rules {
    pub use crate::rules::ids::*;
}
