//! The oracle: for a request in a world, the set of acceptable outcomes (pure), and the
//! judgement of what a target answered.
//!
//! - [`judge_request`]: world + raw request + caller → [`Verdict`] (acceptable outcomes, each
//!   with the rules that decide it; the rules broken; the effect of a success).
//! - [`judge_response`]: verdict + response → [`Judgement`] (one [`Check`] per rule).
//! - [`Session`]: the same across a sequence (S-UNIQUE-ID, S-ERROR-NO-EFFECT).
//!
//! Where the documentation leaves the behaviour open (MAY rules), a verdict allows every
//! allowed behaviour and labels it; [`MayPolicy`] only chooses the reference answer.

pub(crate) mod decide;
mod identity;
#[doc(hidden)]
pub mod json_text;
pub(crate) mod judge;
mod policy;
pub(crate) mod read;
mod session;
pub(crate) mod verdict;

pub use decide::Decision;
pub use identity::CallerIdentity;
pub use judge::{Check, Judgement, Status, judge_response};
pub use policy::{MayChoice, MayPolicy};
pub use read::judge_request;
pub(crate) use session::Prepared;
pub use session::Session;
pub use verdict::{
    Allowance, Behaviour, Effect, Expectation, Finding, MayCase, NOT_JUDGED, Outcome, Tier, Verdict,
};
