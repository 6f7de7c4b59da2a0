//! `C-ERROR-UNMODELED` (MUST): an error code the model does not list (`ThrottlingException`, `AccessDeniedException`, ...), in every form of C-ERROR-CODE.

use super::prelude::*;

/// The catalogue entry of `C-ERROR-UNMODELED`.
pub(crate) const RULE: Rule = Rule {
    id: RuleId::new("C-ERROR-UNMODELED"),
    severity: Severity::Must,
    group: Group::Client,
    summary: "an error code the model does not list (ThrottlingException, AccessDeniedException, ...), in every form of C-ERROR-CODE -> reported as that code, sanitised as C-ERROR-CODE says; no crash",
    source: "smithy",
    doc: RuleDoc {
        condition: "an error code the model does not list (`ThrottlingException`, `AccessDeniedException`, ...), in every form of C-ERROR-CODE",
        expected: "reported as that code, sanitised as C-ERROR-CODE says; no crash",
        why: "Services add error codes the model does not list; a client must report them, not crash.",
    },
    facts: RuleFacts::USUAL,
};

/// The rule's part: an error code the model does not list is judged as C-ERROR-CODE judges
/// one it lists (reported as that code, sanitised alike), under this rule's id: the answer
/// names its rule ([`Answer::rule`](crate::client::answer::Answer::rule)).
#[cfg(feature = "client")]
pub use super::c_error_code::judge;
