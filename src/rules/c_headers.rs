//! `C-HEADERS` (MUST): any call.

use super::prelude::*;

/// The catalogue entry of `C-HEADERS`.
pub(crate) const RULE: Rule = Rule {
    id: RuleId::new("C-HEADERS"),
    severity: Severity::Must,
    group: Group::Client,
    summary: "any call -> Content-Type: application/x-amz-json-1.1 (parameters allowed) and X-Amz-Target: OpsWorks_20130218.CreateDeployment",
    source: "smithy, model",
    doc: RuleDoc {
        condition: "any call",
        expected: "`Content-Type: application/x-amz-json-1.1` (parameters allowed) and `X-Amz-Target: OpsWorks_20130218.CreateDeployment`",
        why: "The server routes the request by `X-Amz-Target` and reads it by its `Content-Type`.",
    },
    across_requests: false,
    form: AnswerForm::Beyond,
    needs: None,
};
