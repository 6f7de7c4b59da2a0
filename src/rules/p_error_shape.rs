//! `P-ERROR-SHAPE` (MUST): the request is rejected.

use super::prelude::*;

/// The catalogue entry of `P-ERROR-SHAPE`.
pub(crate) const RULE: Rule = Rule {
    id: RuleId::new("P-ERROR-SHAPE"),
    severity: Severity::Must,
    group: Group::Protocol,
    summary: "the request is rejected -> status 400-499; the error code is found by the smithy rules (header X-Amzn-Errortype, else body code, else body __type; keep what is before the first :, then what is after the first #)",
    source: "smithy",
    doc: RuleDoc {
        condition: "the request is rejected",
        expected: "status 400-499; the error code is found by the smithy rules (header `X-Amzn-Errortype`, else body `code`, else body `__type`; keep what is before the first `:`, then what is after the first `#`)",
        why: "Clients find the error code by the awsJson1_1 rules; an error outside 400-499, or a code they cannot find, turns a precise rejection into an unknown failure.",
    },
    across_requests: false,
    needs: None,
};

/// Requests the target must reject, of four kinds: their answers are errors, whose shape the rule judges.
pub(super) fn family(f: &Families<'_>) -> Option<BoxedStrategy<Case>> {
    f.union_of(&[
        super::v_stack_required::family,
        super::v_name_enum::family,
        super::n_stack::family,
        super::p_malformed_json::family,
    ])
}
