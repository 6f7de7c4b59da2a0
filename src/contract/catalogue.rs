//! The rule catalogue of `RULES.md` (version 2) as data: every rule exactly once.

use crate::contract::rule::{Group, Rule, Severity};

/// The version of `RULES.md` this catalogue encodes (reported as `catalogue` in the JSON report).
pub const CATALOGUE_VERSION: u32 = 2;

/// The rule ids as constants. Grep for the text of an id (`V-APP-REQUIRED`) or for its constant
/// (`V_APP_REQUIRED`) to find its generator, oracle branch, tests and snapshots.
pub mod rules {
    use crate::contract::rule::RuleId;

    /// `P-SUCCESS-SHAPE`: the request is accepted -> 200, JSON object body whose DeploymentId is a non-empty string
    pub const P_SUCCESS_SHAPE: RuleId = RuleId::new("P-SUCCESS-SHAPE");

    /// `P-ERROR-SHAPE`: the request is rejected -> status 400-499; the error code is found by the smithy rules (header X-Amzn-Errortype, else body code, else body __type; keep what is before the first :, then what is after the first #)
    pub const P_ERROR_SHAPE: RuleId = RuleId::new("P-ERROR-SHAPE");

    /// `P-ERROR-MESSAGE`: the request is rejected -> body has a string message (or Message)
    pub const P_ERROR_MESSAGE: RuleId = RuleId::new("P-ERROR-MESSAGE");

    /// `P-RESPONSE-CONTENT-TYPE`: any response -> Content-Type: application/x-amz-json-1.1
    pub const P_RESPONSE_CONTENT_TYPE: RuleId = RuleId::new("P-RESPONSE-CONTENT-TYPE");

    /// `P-NO-SERVER-ERROR`: any request the suite sends -> never a 5xx, a dropped connection, an unparsable response, or no answer within the timeout
    pub const P_NO_SERVER_ERROR: RuleId = RuleId::new("P-NO-SERVER-ERROR");

    /// `P-CONTENT-TYPE-PARAMS`: Content-Type: application/x-amz-json-1.1; charset=utf-8 -> handled exactly as without the parameter
    pub const P_CONTENT_TYPE_PARAMS: RuleId = RuleId::new("P-CONTENT-TYPE-PARAMS");

    /// `P-EMPTY-BODY`: empty request body -> treated as {}, so ValidationException (StackId missing)
    pub const P_EMPTY_BODY: RuleId = RuleId::new("P-EMPTY-BODY");

    /// `P-MALFORMED-JSON`: body is not JSON text (RFC 8259: NaN, Infinity, comments, trailing commas, single quotes are not JSON), or JSON but not an object -> 4xx; code SerializationException (preferred) or ValidationException
    pub const P_MALFORMED_JSON: RuleId = RuleId::new("P-MALFORMED-JSON");

    /// `P-UNKNOWN-OPERATION`: X-Amz-Target is missing, or names no operation of the OpsWorks API (a name the API does not have, another API version, another service's prefix; compared exactly) -> 4xx (UnknownOperationException preferred); no deployment is created
    pub const P_UNKNOWN_OPERATION: RuleId = RuleId::new("P-UNKNOWN-OPERATION");

    /// `V-STACK-REQUIRED`: StackId missing or null -> ValidationException
    pub const V_STACK_REQUIRED: RuleId = RuleId::new("V-STACK-REQUIRED");

    /// `V-COMMAND-REQUIRED`: Command missing or null -> ValidationException
    pub const V_COMMAND_REQUIRED: RuleId = RuleId::new("V-COMMAND-REQUIRED");

    /// `V-NAME-REQUIRED`: Command.Name missing or null -> ValidationException
    pub const V_NAME_REQUIRED: RuleId = RuleId::new("V-NAME-REQUIRED");

    /// `V-NAME-ENUM`: Command.Name is not exactly (case-sensitive) one of the 12 names -> ValidationException
    pub const V_NAME_ENUM: RuleId = RuleId::new("V-NAME-ENUM");

    /// `V-TYPE`: a member has the wrong JSON type: StackId, AppId, Comment, CustomJson, Name not strings; InstanceIds, LayerIds not arrays of strings; Command not an object; Args not an object whose values are arrays of strings -> ValidationException or SerializationException
    pub const V_TYPE: RuleId = RuleId::new("V-TYPE");

    /// `V-APP-REQUIRED`: an app command (deploy, rollback, start, stop, restart, undeploy) without AppId -> ValidationException
    pub const V_APP_REQUIRED: RuleId = RuleId::new("V-APP-REQUIRED");

    /// `V-CUSTOM-JSON`: CustomJson present and not valid JSON text (the RFC 8259 grammar; see M-JSON-LIMITS for what the grammar allows but a parser may refuse) -> ValidationException
    pub const V_CUSTOM_JSON: RuleId = RuleId::new("V-CUSTOM-JSON");

    /// `V-CUSTOM-JSON-OBJECT`: CustomJson valid JSON but not an object -> ValidationException
    pub const V_CUSTOM_JSON_OBJECT: RuleId = RuleId::new("V-CUSTOM-JSON-OBJECT");

    /// `V-RECIPES`: execute_recipes whose Args.recipes is missing, empty, or holds an empty string -> ValidationException
    pub const V_RECIPES: RuleId = RuleId::new("V-RECIPES");

    /// `V-MIGRATE`: deploy whose Args.migrate is present and not exactly [\"true\"] or [\"false\"] -> ValidationException
    pub const V_MIGRATE: RuleId = RuleId::new("V-MIGRATE");

    /// `V-REBOOT`: update_dependencies whose Args.allow_reboot is present and not exactly [\"true\"] or [\"false\"]; or whose Args.upgrade_os_to is present and is not exactly one non-empty string, or comes without allow_reboot: [\"true\"] -> ValidationException
    pub const V_REBOOT: RuleId = RuleId::new("V-REBOOT");

    /// `V-ROLLBACK-DEPTH`: rollback of an app with no earlier stored version (world Versions is 1, or all earlier versions were already rolled back) -> ValidationException
    pub const V_ROLLBACK_DEPTH: RuleId = RuleId::new("V-ROLLBACK-DEPTH");

    /// `N-STACK`: StackId names no stack of the world -> ResourceNotFoundException
    pub const N_STACK: RuleId = RuleId::new("N-STACK");

    /// `N-APP`: AppId names no app of that stack (an app of *another* stack: ValidationException is accepted too) -> ResourceNotFoundException
    pub const N_APP: RuleId = RuleId::new("N-APP");

    /// `N-INSTANCE`: an element of InstanceIds names no instance of that stack (same note) -> ResourceNotFoundException
    pub const N_INSTANCE: RuleId = RuleId::new("N-INSTANCE");

    /// `N-LAYER`: an element of LayerIds names no layer of that stack (same note) -> ResourceNotFoundException
    pub const N_LAYER: RuleId = RuleId::new("N-LAYER");

    /// `A-SIGNATURE-REQUIRED`: no Authorization header -> 4xx error (MissingAuthenticationTokenException preferred, status 400 or 403)
    pub const A_SIGNATURE_REQUIRED: RuleId = RuleId::new("A-SIGNATURE-REQUIRED");

    /// `A-KEY-KNOWN`: signed with an access key id the world does not list -> 4xx error (UnrecognizedClientException preferred)
    pub const A_KEY_KNOWN: RuleId = RuleId::new("A-KEY-KNOWN");

    /// `A-SIGNATURE-VALID`: SigV4 signature that does not verify with the user's secret (wrong secret, altered body) -> 4xx error (InvalidSignatureException preferred)
    pub const A_SIGNATURE_VALID: RuleId = RuleId::new("A-SIGNATURE-VALID");

    /// `A-PERMISSION`: the user's level on the stack is not deploy or manage (levels: deny, show, deploy, manage, iam_only; no entry means no access), and no attached policy grants it -> AccessDeniedException
    pub const A_PERMISSION: RuleId = RuleId::new("A-PERMISSION");

    /// `S-ACCEPT-VALID`: a request that breaks no MUST or SHOULD rule and is none of the MAY cases below -> success (positive acceptance: a target that rejects valid input fails)
    pub const S_ACCEPT_VALID: RuleId = RuleId::new("S-ACCEPT-VALID");

    /// `S-UNIQUE-ID`: several accepted requests -> pairwise distinct DeploymentIds
    pub const S_UNIQUE_ID: RuleId = RuleId::new("S-UNIQUE-ID");

    /// `S-ERROR-NO-EFFECT`: a rejected request -> changes nothing: e.g. a rejected rollback does not use up a stored version
    pub const S_ERROR_NO_EFFECT: RuleId = RuleId::new("S-ERROR-NO-EFFECT");

    /// `O-PRECEDENCE`: a request that breaks rules of several groups -> the first group in this order decides the code: access (signature, key) > protocol and validation > existence > permission > rollback depth. Without --strict, any code of a broken rule is accepted
    pub const O_PRECEDENCE: RuleId = RuleId::new("O-PRECEDENCE");

    /// `M-UNKNOWN-ARGS`: an Args key the command does not take (accepted, or ValidationException)
    pub const M_UNKNOWN_ARGS: RuleId = RuleId::new("M-UNKNOWN-ARGS");

    /// `M-ARGS-UNUSED`: Args on a command that takes none
    pub const M_ARGS_UNUSED: RuleId = RuleId::new("M-ARGS-UNUSED");

    /// `M-APP-ON-STACK-COMMAND`: AppId given with a stack command
    pub const M_APP_ON_STACK_COMMAND: RuleId = RuleId::new("M-APP-ON-STACK-COMMAND");

    /// `M-EMPTY-STRING-IDS`: \"\" as StackId, AppId or a list element (ValidationException or ResourceNotFoundException)
    pub const M_EMPTY_STRING_IDS: RuleId = RuleId::new("M-EMPTY-STRING-IDS");

    /// `M-EMPTY-LISTS`: InstanceIds: [] or LayerIds: []
    pub const M_EMPTY_LISTS: RuleId = RuleId::new("M-EMPTY-LISTS");

    /// `M-NULL-OPTIONAL`: null for an optional member (treated as absent, or rejected)
    pub const M_NULL_OPTIONAL: RuleId = RuleId::new("M-NULL-OPTIONAL");

    /// `M-UNKNOWN-MEMBERS`: an unknown top-level member (ignored, or rejected)
    pub const M_UNKNOWN_MEMBERS: RuleId = RuleId::new("M-UNKNOWN-MEMBERS");

    /// `M-MIGRATE-NON-RAILS`: migrate on an app whose type is not rails
    pub const M_MIGRATE_NON_RAILS: RuleId = RuleId::new("M-MIGRATE-NON-RAILS");

    /// `M-DUPLICATE-IDS`: the same id twice in InstanceIds or LayerIds
    pub const M_DUPLICATE_IDS: RuleId = RuleId::new("M-DUPLICATE-IDS");

    /// `M-POLICY-VS-DENY`: a user with level deny on the stack whose attached policy grants the action
    pub const M_POLICY_VS_DENY: RuleId = RuleId::new("M-POLICY-VS-DENY");

    /// `M-JSON-LIMITS`: JSON that the grammar allows but parsers may refuse (RFC 8259 sections 4, 6, 8.2, 9), in the body or in CustomJson: numbers outside the range of a double (1e400), unpaired surrogate escapes (\"\\ud800\"), duplicate object names, nesting deeper than 128 levels, a UTF-8 byte order mark before the JSON text (section 8.1: a parser may ignore it) (accepted, or refused with ValidationException / SerializationException)
    pub const M_JSON_LIMITS: RuleId = RuleId::new("M-JSON-LIMITS");

    /// `C-REQUEST-LINE`: any call -> POST /
    pub const C_REQUEST_LINE: RuleId = RuleId::new("C-REQUEST-LINE");

    /// `C-HEADERS`: any call -> Content-Type: application/x-amz-json-1.1 (parameters allowed) and X-Amz-Target: OpsWorks_20130218.CreateDeployment
    pub const C_HEADERS: RuleId = RuleId::new("C-HEADERS");

    /// `C-BODY`: any call -> a JSON object equal, as a value, to the canonical form of the logical request: members present exactly when set, names as in the model, no nulls
    pub const C_BODY: RuleId = RuleId::new("C-BODY");

    /// `C-SIGV4`: any call with credentials -> Authorization: AWS4-HMAC-SHA256 with scope `<date>/<region>/opsworks/aws4_request`, an X-Amz-Date, and a signature that verifies with the secret
    pub const C_SIGV4: RuleId = RuleId::new("C-SIGV4");

    /// `C-ERROR-CODE`: error answers in every smithy form (bare __type, namespaced, with :URI suffix, code field bare, namespaced and with :URI suffix, X-Amzn-Errortype header, which wins over a different body __type and over a different body code) for ValidationException and ResourceNotFoundException -> the client reports that code
    pub const C_ERROR_CODE: RuleId = RuleId::new("C-ERROR-CODE");

    /// `C-ERROR-UNMODELED`: an error code the model does not list (ThrottlingException, AccessDeniedException, ...), in every form of C-ERROR-CODE -> reported as that code, sanitised as C-ERROR-CODE says; no crash
    pub const C_ERROR_UNMODELED: RuleId = RuleId::new("C-ERROR-UNMODELED");

    /// `C-SUCCESS`: 200 {\"DeploymentId\": X}, also with unknown extra members -> the client reports X
    pub const C_SUCCESS: RuleId = RuleId::new("C-SUCCESS");

    /// `C-SUCCESS-EMPTY`: 200 {} -> success without an id, or an error
    pub const C_SUCCESS_EMPTY: RuleId = RuleId::new("C-SUCCESS-EMPTY");

    /// `C-CLIENT-VALIDATION`: a request missing a required member -> refused before sending, or sent
    pub const C_CLIENT_VALIDATION: RuleId = RuleId::new("C-CLIENT-VALIDATION");
}

/// Every rule of the catalogue, in the order of `RULES.md`.
pub static CATALOGUE: &[Rule] = &[
    Rule {
        id: rules::P_SUCCESS_SHAPE,
        severity: Severity::Must,
        group: Group::Protocol,
        summary: "the request is accepted -> 200, JSON object body whose DeploymentId is a non-empty string",
        source: "seed, model",
    },
    Rule {
        id: rules::P_ERROR_SHAPE,
        severity: Severity::Must,
        group: Group::Protocol,
        summary: "the request is rejected -> status 400-499; the error code is found by the smithy rules (header X-Amzn-Errortype, else body code, else body __type; keep what is before the first :, then what is after the first #)",
        source: "smithy",
    },
    Rule {
        id: rules::P_ERROR_MESSAGE,
        severity: Severity::Should,
        group: Group::Protocol,
        summary: "the request is rejected -> body has a string message (or Message)",
        source: "model",
    },
    Rule {
        id: rules::P_RESPONSE_CONTENT_TYPE,
        severity: Severity::Should,
        group: Group::Protocol,
        summary: "any response -> Content-Type: application/x-amz-json-1.1",
        source: "smithy",
    },
    Rule {
        id: rules::P_NO_SERVER_ERROR,
        severity: Severity::Must,
        group: Group::Protocol,
        summary: "any request the suite sends -> never a 5xx, a dropped connection, an unparsable response, or no answer within the timeout",
        source: "stance",
    },
    Rule {
        id: rules::P_CONTENT_TYPE_PARAMS,
        severity: Severity::Must,
        group: Group::Protocol,
        summary: "Content-Type: application/x-amz-json-1.1; charset=utf-8 -> handled exactly as without the parameter",
        source: "smithy (AwsJson11MustSupportParametersInContentType)",
    },
    Rule {
        id: rules::P_EMPTY_BODY,
        severity: Severity::Must,
        group: Group::Protocol,
        summary: "empty request body -> treated as {}, so ValidationException (StackId missing)",
        source: "smithy",
    },
    Rule {
        id: rules::P_MALFORMED_JSON,
        severity: Severity::Must,
        group: Group::Protocol,
        summary: "body is not JSON text (RFC 8259: NaN, Infinity, comments, trailing commas, single quotes are not JSON), or JSON but not an object -> 4xx; code SerializationException (preferred) or ValidationException",
        source: "smithy (restJson1 analogy), stance",
    },
    Rule {
        id: rules::P_UNKNOWN_OPERATION,
        severity: Severity::Must,
        group: Group::Protocol,
        summary: "X-Amz-Target is missing, or names no operation of the OpsWorks API (a name the API does not have, another API version, another service's prefix; compared exactly) -> 4xx (UnknownOperationException preferred); no deployment is created",
        source: "stance",
    },
    Rule {
        id: rules::V_STACK_REQUIRED,
        severity: Severity::Must,
        group: Group::Validation,
        summary: "StackId missing or null -> ValidationException",
        source: "seed, model",
    },
    Rule {
        id: rules::V_COMMAND_REQUIRED,
        severity: Severity::Must,
        group: Group::Validation,
        summary: "Command missing or null -> ValidationException",
        source: "seed, model",
    },
    Rule {
        id: rules::V_NAME_REQUIRED,
        severity: Severity::Must,
        group: Group::Validation,
        summary: "Command.Name missing or null -> ValidationException",
        source: "seed, model",
    },
    Rule {
        id: rules::V_NAME_ENUM,
        severity: Severity::Must,
        group: Group::Validation,
        summary: "Command.Name is not exactly (case-sensitive) one of the 12 names -> ValidationException",
        source: "seed, model",
    },
    Rule {
        id: rules::V_TYPE,
        severity: Severity::Must,
        group: Group::Validation,
        summary: "a member has the wrong JSON type: StackId, AppId, Comment, CustomJson, Name not strings; InstanceIds, LayerIds not arrays of strings; Command not an object; Args not an object whose values are arrays of strings -> ValidationException or SerializationException",
        source: "model",
    },
    Rule {
        id: rules::V_APP_REQUIRED,
        severity: Severity::Must,
        group: Group::Validation,
        summary: "an app command (deploy, rollback, start, stop, restart, undeploy) without AppId -> ValidationException",
        source: "seed",
    },
    Rule {
        id: rules::V_CUSTOM_JSON,
        severity: Severity::Must,
        group: Group::Validation,
        summary: "CustomJson present and not valid JSON text (the RFC 8259 grammar; see M-JSON-LIMITS for what the grammar allows but a parser may refuse) -> ValidationException",
        source: "seed",
    },
    Rule {
        id: rules::V_CUSTOM_JSON_OBJECT,
        severity: Severity::Should,
        group: Group::Validation,
        summary: "CustomJson valid JSON but not an object -> ValidationException",
        source: "seed (\"in the following format\")",
    },
    Rule {
        id: rules::V_RECIPES,
        severity: Severity::Should,
        group: Group::Validation,
        summary: "execute_recipes whose Args.recipes is missing, empty, or holds an empty string -> ValidationException",
        source: "seed",
    },
    Rule {
        id: rules::V_MIGRATE,
        severity: Severity::Should,
        group: Group::Validation,
        summary: "deploy whose Args.migrate is present and not exactly [\"true\"] or [\"false\"] -> ValidationException",
        source: "seed",
    },
    Rule {
        id: rules::V_REBOOT,
        severity: Severity::Should,
        group: Group::Validation,
        summary: "update_dependencies whose Args.allow_reboot is present and not exactly [\"true\"] or [\"false\"]; or whose Args.upgrade_os_to is present and is not exactly one non-empty string, or comes without allow_reboot: [\"true\"] -> ValidationException",
        source: "seed (\"You must also set the allow_reboot argument to true\")",
    },
    Rule {
        id: rules::V_ROLLBACK_DEPTH,
        severity: Severity::Should,
        group: Group::Validation,
        summary: "rollback of an app with no earlier stored version (world Versions is 1, or all earlier versions were already rolled back) -> ValidationException",
        source: "seed (\"stores ... up to a maximum of five versions ... roll back as many as four\")",
    },
    Rule {
        id: rules::N_STACK,
        severity: Severity::Must,
        group: Group::Existence,
        summary: "StackId names no stack of the world -> ResourceNotFoundException",
        source: "model",
    },
    Rule {
        id: rules::N_APP,
        severity: Severity::Must,
        group: Group::Existence,
        summary: "AppId names no app of that stack (an app of *another* stack: ValidationException is accepted too) -> ResourceNotFoundException",
        source: "model",
    },
    Rule {
        id: rules::N_INSTANCE,
        severity: Severity::Must,
        group: Group::Existence,
        summary: "an element of InstanceIds names no instance of that stack (same note) -> ResourceNotFoundException",
        source: "model",
    },
    Rule {
        id: rules::N_LAYER,
        severity: Severity::Must,
        group: Group::Existence,
        summary: "an element of LayerIds names no layer of that stack (same note) -> ResourceNotFoundException",
        source: "model",
    },
    Rule {
        id: rules::A_SIGNATURE_REQUIRED,
        severity: Severity::Must,
        group: Group::Access,
        summary: "no Authorization header -> 4xx error (MissingAuthenticationTokenException preferred, status 400 or 403)",
        source: "stance (AWS common errors)",
    },
    Rule {
        id: rules::A_KEY_KNOWN,
        severity: Severity::Must,
        group: Group::Access,
        summary: "signed with an access key id the world does not list -> 4xx error (UnrecognizedClientException preferred)",
        source: "stance",
    },
    Rule {
        id: rules::A_SIGNATURE_VALID,
        severity: Severity::Must,
        group: Group::Access,
        summary: "SigV4 signature that does not verify with the user's secret (wrong secret, altered body) -> 4xx error (InvalidSignatureException preferred)",
        source: "stance",
    },
    Rule {
        id: rules::A_PERMISSION,
        severity: Severity::Must,
        group: Group::Access,
        summary: "the user's level on the stack is not deploy or manage (levels: deny, show, deploy, manage, iam_only; no entry means no access), and no attached policy grants it -> AccessDeniedException",
        source: "seed (\"Required Permissions\")",
    },
    Rule {
        id: rules::S_ACCEPT_VALID,
        severity: Severity::Must,
        group: Group::Behaviour,
        summary: "a request that breaks no MUST or SHOULD rule and is none of the MAY cases below -> success (positive acceptance: a target that rejects valid input fails)",
        source: "seed",
    },
    Rule {
        id: rules::S_UNIQUE_ID,
        severity: Severity::Must,
        group: Group::Behaviour,
        summary: "several accepted requests -> pairwise distinct DeploymentIds",
        source: "model (\"can be used ... to identify the deployment\")",
    },
    Rule {
        id: rules::S_ERROR_NO_EFFECT,
        severity: Severity::Must,
        group: Group::Behaviour,
        summary: "a rejected request -> changes nothing: e.g. a rejected rollback does not use up a stored version",
        source: "stance",
    },
    Rule {
        id: rules::O_PRECEDENCE,
        severity: Severity::Should,
        group: Group::Behaviour,
        summary: "a request that breaks rules of several groups -> the first group in this order decides the code: access (signature, key) > protocol and validation > existence > permission > rollback depth. Without --strict, any code of a broken rule is accepted",
        source: "stance",
    },
    Rule {
        id: rules::M_UNKNOWN_ARGS,
        severity: Severity::May,
        group: Group::ImplementationDefined,
        summary: "an Args key the command does not take (accepted, or ValidationException)",
        source: "catalogue",
    },
    Rule {
        id: rules::M_ARGS_UNUSED,
        severity: Severity::May,
        group: Group::ImplementationDefined,
        summary: "Args on a command that takes none",
        source: "catalogue",
    },
    Rule {
        id: rules::M_APP_ON_STACK_COMMAND,
        severity: Severity::May,
        group: Group::ImplementationDefined,
        summary: "AppId given with a stack command",
        source: "catalogue",
    },
    Rule {
        id: rules::M_EMPTY_STRING_IDS,
        severity: Severity::May,
        group: Group::ImplementationDefined,
        summary: "\"\" as StackId, AppId or a list element (ValidationException or ResourceNotFoundException)",
        source: "catalogue",
    },
    Rule {
        id: rules::M_EMPTY_LISTS,
        severity: Severity::May,
        group: Group::ImplementationDefined,
        summary: "InstanceIds: [] or LayerIds: []",
        source: "catalogue",
    },
    Rule {
        id: rules::M_NULL_OPTIONAL,
        severity: Severity::May,
        group: Group::ImplementationDefined,
        summary: "null for an optional member (treated as absent, or rejected)",
        source: "catalogue",
    },
    Rule {
        id: rules::M_UNKNOWN_MEMBERS,
        severity: Severity::May,
        group: Group::ImplementationDefined,
        summary: "an unknown top-level member (ignored, or rejected)",
        source: "catalogue",
    },
    Rule {
        id: rules::M_MIGRATE_NON_RAILS,
        severity: Severity::May,
        group: Group::ImplementationDefined,
        summary: "migrate on an app whose type is not rails",
        source: "catalogue",
    },
    Rule {
        id: rules::M_DUPLICATE_IDS,
        severity: Severity::May,
        group: Group::ImplementationDefined,
        summary: "the same id twice in InstanceIds or LayerIds",
        source: "catalogue",
    },
    Rule {
        id: rules::M_POLICY_VS_DENY,
        severity: Severity::May,
        group: Group::ImplementationDefined,
        summary: "a user with level deny on the stack whose attached policy grants the action",
        source: "catalogue",
    },
    Rule {
        id: rules::M_JSON_LIMITS,
        severity: Severity::May,
        group: Group::ImplementationDefined,
        summary: "JSON that the grammar allows but parsers may refuse (RFC 8259 sections 4, 6, 8.2, 9), in the body or in CustomJson: numbers outside the range of a double (1e400), unpaired surrogate escapes (\"\\ud800\"), duplicate object names, nesting deeper than 128 levels, a UTF-8 byte order mark before the JSON text (section 8.1: a parser may ignore it) (accepted, or refused with ValidationException / SerializationException)",
        source: "catalogue",
    },
    Rule {
        id: rules::C_REQUEST_LINE,
        severity: Severity::Must,
        group: Group::Client,
        summary: "any call -> POST /",
        source: "smithy",
    },
    Rule {
        id: rules::C_HEADERS,
        severity: Severity::Must,
        group: Group::Client,
        summary: "any call -> Content-Type: application/x-amz-json-1.1 (parameters allowed) and X-Amz-Target: OpsWorks_20130218.CreateDeployment",
        source: "smithy, model",
    },
    Rule {
        id: rules::C_BODY,
        severity: Severity::Must,
        group: Group::Client,
        summary: "any call -> a JSON object equal, as a value, to the canonical form of the logical request: members present exactly when set, names as in the model, no nulls",
        source: "model",
    },
    Rule {
        id: rules::C_SIGV4,
        severity: Severity::Must,
        group: Group::Client,
        summary: "any call with credentials -> Authorization: AWS4-HMAC-SHA256 with scope <date>/<region>/opsworks/aws4_request, an X-Amz-Date, and a signature that verifies with the secret",
        source: "model",
    },
    Rule {
        id: rules::C_ERROR_CODE,
        severity: Severity::Must,
        group: Group::Client,
        summary: "error answers in every smithy form (bare __type, namespaced, with :URI suffix, code field bare, namespaced and with :URI suffix, X-Amzn-Errortype header, which wins over a different body __type and over a different body code) for ValidationException and ResourceNotFoundException -> the client reports that code",
        source: "smithy",
    },
    Rule {
        id: rules::C_ERROR_UNMODELED,
        severity: Severity::Must,
        group: Group::Client,
        summary: "an error code the model does not list (ThrottlingException, AccessDeniedException, ...), in every form of C-ERROR-CODE -> reported as that code, sanitised as C-ERROR-CODE says; no crash",
        source: "smithy",
    },
    Rule {
        id: rules::C_SUCCESS,
        severity: Severity::Must,
        group: Group::Client,
        summary: "200 {\"DeploymentId\": X}, also with unknown extra members -> the client reports X",
        source: "model",
    },
    Rule {
        id: rules::C_SUCCESS_EMPTY,
        severity: Severity::May,
        group: Group::Client,
        summary: "200 {} -> success without an id, or an error",
        source: "smithy",
    },
    Rule {
        id: rules::C_CLIENT_VALIDATION,
        severity: Severity::May,
        group: Group::Client,
        summary: "a request missing a required member -> refused before sending, or sent",
        source: "smithy",
    },
];
