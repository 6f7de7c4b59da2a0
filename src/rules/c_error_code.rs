//! `C-ERROR-CODE` (MUST): error answers in every smithy form (bare `__type`, namespaced, with `:`URI suffix, `code` field bare, namespaced and with `:`URI suffix, `X-Amzn-Errortype` header, which wins over a different body `__type` and over a different body `code`) for `ValidationException` and `ResourceNotFoundException`.

use super::prelude::*;

/// The catalogue entry of `C-ERROR-CODE`.
pub(crate) const RULE: Rule = Rule {
    id: RuleId::new("C-ERROR-CODE"),
    severity: Severity::Must,
    group: Group::Client,
    summary: "error answers in every smithy form (bare __type, namespaced, with :URI suffix, code field bare, namespaced and with :URI suffix, X-Amzn-Errortype header, which wins over a different body __type and over a different body code) for ValidationException and ResourceNotFoundException -> the client reports that code",
    source: "smithy",
    doc: RuleDoc {
        condition: "error answers in every smithy form (bare `__type`, namespaced, with `:`URI suffix, `code` field bare, namespaced and with `:`URI suffix, `X-Amzn-Errortype` header, which wins over a different body `__type` and over a different body `code`) for `ValidationException` and `ResourceNotFoundException`",
        expected: "the client reports that code",
        why: "Smithy defines where the error code is and how to sanitise it; a client that reads one form only misreports the others.",
    },
    across_requests: false,
    form: AnswerForm::Beyond,
    needs: None,
};
