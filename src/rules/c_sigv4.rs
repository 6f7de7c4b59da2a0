//! `C-SIGV4` (MUST): any call with credentials.

use super::prelude::*;

/// The catalogue entry of `C-SIGV4`.
pub(crate) const RULE: Rule = Rule {
    id: RuleId::new("C-SIGV4"),
    severity: Severity::Must,
    group: Group::Client,
    summary: "any call with credentials -> Authorization: AWS4-HMAC-SHA256 with scope <date>/<region>/opsworks/aws4_request, an X-Amz-Date, and a signature that verifies with the secret",
    source: "model",
    doc: RuleDoc {
        condition: "any call with credentials",
        expected: "`Authorization: AWS4-HMAC-SHA256` with scope `<date>/<region>/opsworks/aws4_request`, an `X-Amz-Date`, and a signature that verifies with the secret",
        why: "AWS refuses requests that are not signed with SigV4 for the `opsworks` service.",
    },
    across_requests: false,
    form: AnswerForm::Beyond,
    needs: None,
};
