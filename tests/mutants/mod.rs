//! The mutants of the zoo: the reference implementation with one deliberate defect each, as a
//! real mock could have it, and how to run the default gate against each.
//!
//! A mutant names the rule that must kill it. Most are in process (deterministic given the
//! seed); two are served over HTTP because their defect only exists there (a hang, a reset
//! connection).

pub mod defects;
pub mod http;

use std::sync::Arc;
use std::time::Duration;

use opsworks_conformance::contract::{RawRequest, Response, RuleId, Severity, rules};
use opsworks_conformance::runner::{RunConfig, RunReport, run};
use opsworks_conformance::target::{
    HttpTarget, HttpTargetOptions, ReferenceTarget, Target, block_on,
};
use opsworks_conformance::world::World;

use defects as d;

/// The world a mutant starts in (and the gate runs in).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Worlds {
    /// `World::bundled()`: no users.
    Bundled,
    /// `World::bundled_with_users()`: every request signed, rules A-* apply.
    WithUsers,
}

impl Worlds {
    /// The world itself.
    pub fn world(self) -> World {
        match self {
            Worlds::Bundled => World::bundled(),
            Worlds::WithUsers => World::bundled_with_users(),
        }
    }
}

/// A defect: what answers in place of the reference target, given the request and a fresh
/// reference target of the mutant's world to delegate to.
pub type Defect = fn(&RawRequest, &ReferenceTarget) -> Response;

/// How a mutant is built.
#[derive(Clone, Copy)]
pub enum Make {
    /// In process: a fresh reference target of the world, `Defect` answering in its place.
    Wraps(Defect),
    /// In process: a target built from the world (another authenticator, a changed world,
    /// state of its own).
    Builds(fn(&World) -> Box<dyn Target>),
    /// Over HTTP: the target built from the world served with `ReferenceServer::serve_target`,
    /// sent through `HttpTarget` with this per-request timeout.
    Served(fn(&World) -> Arc<dyn Target>, Duration),
    /// Over HTTP: a hand-written HTTP/1.1 server answering as the reference target, except that
    /// it resets the connection when the predicate holds for the request.
    Resets(fn(&RawRequest) -> bool),
}

/// One broken implementation.
pub struct Mutant {
    /// The name (also the name of its test).
    pub name: &'static str,
    /// The defect, in one line.
    pub defect: &'static str,
    /// The rule that must kill it.
    pub rule: RuleId,
    /// The world it starts in.
    pub world: Worlds,
    /// How to build it.
    pub make: Make,
    /// For a known survivor: why the default gate does not kill it (a gate weakness, reported
    /// rather than hidden). Its test asserts that it survives, so that a gate that starts
    /// killing it is noticed and the mark removed.
    pub survives: Option<&'static str>,
}

impl Mutant {
    /// The severity of the rule that must kill it: MUST fails the default gate, SHOULD warns
    /// by default and fails `--strict`.
    pub fn severity(&self) -> Severity {
        self.rule.severity()
    }

    /// Whether cases-to-kill may depend on timing: mutants whose defect is a hang, killed by a
    /// per-request timeout over HTTP (a normal answer that took longer than the timeout on a
    /// loaded machine would count as a kill too). Such counts stay out of `docs/mutants.md`.
    pub fn timing_dependent(&self) -> bool {
        matches!(self.make, Make::Served(..))
    }

    /// Whether the mutant is served over HTTP (the others run in process).
    pub fn over_http(&self) -> bool {
        matches!(self.make, Make::Served(..) | Make::Resets(_))
    }

    /// Runs the gate against a fresh instance of the mutant (the target in the world-file
    /// state), with `config`.
    pub fn gate(&self, config: &RunConfig) -> RunReport {
        let world = self.world.world();
        match self.make {
            Make::Wraps(defect) => {
                let target = d::Defective::new(self.name, &world, defect);
                block_on(run(&target, &world, config))
            }
            Make::Builds(build) => {
                let target = build(&world);
                block_on(run(&target, &world, config))
            }
            Make::Served(build, timeout) => runtime().block_on(async {
                let server = opsworks_conformance::server::ReferenceServer::serve_target(
                    build(&world),
                    opsworks_conformance::server::ServerOptions::default(),
                )
                .await
                .expect("serve_target starts on 127.0.0.1");
                let options = HttpTargetOptions {
                    timeout,
                    ..HttpTargetOptions::default()
                };
                let target =
                    HttpTarget::with_options(&server.url(), options).expect("a 127.0.0.1 URL");
                let report = run(&target, &world, config).await;
                // Dropped, not shut down: requests that hang are still in flight.
                drop(server);
                report
            }),
            Make::Resets(resets) => runtime().block_on(async {
                let server =
                    http::ResettingServer::start(ReferenceTarget::new(world.clone()), resets).await;
                // No request hangs here: a generous timeout keeps cases-to-kill independent of
                // the machine's load.
                let options = HttpTargetOptions {
                    timeout: Duration::from_secs(30),
                    ..HttpTargetOptions::default()
                };
                let target =
                    HttpTarget::with_options(&server.url(), options).expect("a 127.0.0.1 URL");
                let report = run(&target, &world, config).await;
                drop(server);
                report
            }),
        }
    }
}

/// A tokio runtime for one HTTP mutant (the run's future is not `Send`: it runs on this
/// thread, the server's tasks with it).
fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

/// The gate configuration of every mutant: the default one (2048 cases, seed 0).
pub fn default_config() -> RunConfig {
    RunConfig::default()
}

/// MUST and SHOULD server rules that no mutant of the zoo targets, with the reason. The
/// coverage test fails when a rule is uncovered and not listed here, and when a listed rule is
/// covered after all.
pub const UNCOVERED: &[(RuleId, &str)] = &[];

macro_rules! mutant {
    ($name:ident, $rule:ident, $world:ident, $make:expr, $defect:literal) => {
        Mutant {
            name: stringify!($name),
            defect: $defect,
            rule: rules::$rule,
            world: Worlds::$world,
            make: $make,
            survives: None,
        }
    };
}

/// A mutant the default gate does not kill (a gate weakness), with the reason. None at the
/// moment (`app_ids_case_insensitive` was one until the N-APP family drew near misses of the
/// stack's own apps); kept for the next one.
#[allow(unused_macros)]
macro_rules! survivor {
    ($name:ident, $rule:ident, $world:ident, $make:expr, $defect:literal, $why:literal) => {
        Mutant {
            survives: Some($why),
            ..mutant!($name, $rule, $world, $make, $defect)
        }
    };
}

/// The zoo, grouped by the rule that kills each mutant (catalogue order).
pub static ZOO: &[Mutant] = &[
    // P-SUCCESS-SHAPE
    mutant!(
        success_without_deployment_id,
        P_SUCCESS_SHAPE,
        Bundled,
        Make::Wraps(d::success_without_deployment_id),
        "a success is answered 200 {} (the DeploymentId is never serialised)"
    ),
    mutant!(
        wrong_status_201_on_success,
        P_SUCCESS_SHAPE,
        Bundled,
        Make::Wraps(d::wrong_status_201_on_success),
        "a success is answered 201 Created instead of 200"
    ),
    mutant!(
        error_payload_in_200,
        P_SUCCESS_SHAPE,
        Bundled,
        Make::Wraps(d::error_payload_in_200),
        "errors are sent with their error body but status 200"
    ),
    // P-ERROR-SHAPE
    mutant!(
        error_without_type,
        P_ERROR_SHAPE,
        Bundled,
        Make::Wraps(d::error_without_type),
        "error bodies carry a message but no __type, code or X-Amzn-Errortype"
    ),
    // P-ERROR-MESSAGE
    mutant!(
        error_without_message,
        P_ERROR_MESSAGE,
        Bundled,
        Make::Wraps(d::error_without_message),
        "error bodies carry __type but no message"
    ),
    // P-RESPONSE-CONTENT-TYPE
    mutant!(
        content_type_application_json,
        P_RESPONSE_CONTENT_TYPE,
        Bundled,
        Make::Wraps(d::content_type_application_json),
        "every answer is labelled Content-Type: application/json"
    ),
    // P-NO-SERVER-ERROR
    mutant!(
        deep_json_500,
        P_NO_SERVER_ERROR,
        Bundled,
        Make::Wraps(d::deep_json_500),
        "a body nested deeper than 128 levels exhausts the parser: 500 InternalFailure"
    ),
    mutant!(
        big_body_times_out,
        P_NO_SERVER_ERROR,
        Bundled,
        Make::Wraps(d::big_body_times_out),
        "a body over 100 KiB is never answered (in process: a timeout failure)"
    ),
    mutant!(
        http_hang_on_big_body,
        P_NO_SERVER_ERROR,
        Bundled,
        Make::Served(d::hangs_on_big_body, Duration::from_millis(500)),
        "a body over 100 KiB is never answered; the gate's 500 ms per-request timeout ends the wait"
    ),
    mutant!(
        http_reset_on_invalid_utf8,
        P_NO_SERVER_ERROR,
        Bundled,
        Make::Resets(d::not_utf8),
        "a body that is not UTF-8 makes the server reset the connection without an answer"
    ),
    // P-CONTENT-TYPE-PARAMS
    mutant!(
        content_type_exact_match,
        P_CONTENT_TYPE_PARAMS,
        Bundled,
        Make::Wraps(d::content_type_exact_match),
        "Content-Type is compared as a whole string: `; charset=utf-8` is refused"
    ),
    // P-EMPTY-BODY
    mutant!(
        empty_body_serialization_error,
        P_EMPTY_BODY,
        Bundled,
        Make::Wraps(d::empty_body_serialization_error),
        "an empty body is refused as unparsable (SerializationException) instead of read as {}"
    ),
    // P-MALFORMED-JSON
    mutant!(
        trailing_garbage_accepted,
        P_MALFORMED_JSON,
        Bundled,
        Make::Wraps(d::trailing_garbage_accepted),
        "the body's first JSON value is read and whatever follows it ignored"
    ),
    mutant!(
        top_level_array_read_positionally,
        P_MALFORMED_JSON,
        Bundled,
        Make::Wraps(d::top_level_array_read_positionally),
        "a body that is a JSON array is read positionally as the structure (serde's derived Deserialize)"
    ),
    mutant!(
        byte_order_mark_trimmed_at_either_end,
        P_MALFORMED_JSON,
        Bundled,
        Make::Wraps(d::byte_order_mark_trimmed_at_either_end),
        "a UTF-8 byte order mark is ignored at either end of the body, not only before the JSON text"
    ),
    mutant!(
        nan_and_infinity_accepted,
        P_MALFORMED_JSON,
        Bundled,
        Make::Wraps(d::nan_and_infinity_accepted),
        "NaN, Infinity and -Infinity in the body are read as numbers (Python's json.loads without parse_constant)"
    ),
    mutant!(
        utf16_and_utf32_bodies_decoded,
        P_MALFORMED_JSON,
        Bundled,
        Make::Wraps(d::utf16_and_utf32_bodies_decoded),
        "a body in UTF-16 or UTF-32 (a byte order mark, or NUL bytes among the first four) is decoded as such (Python's json.loads(bytes))"
    ),
    mutant!(
        encoded_surrogates_accepted,
        P_MALFORMED_JSON,
        Bundled,
        Make::Wraps(d::encoded_surrogates_accepted),
        "a surrogate encoded as UTF-8 (ED A0 80) is read as a character (CESU-8, WTF-8, Python's surrogatepass)"
    ),
    mutant!(
        overlong_utf8_accepted,
        P_MALFORMED_JSON,
        Bundled,
        Make::Wraps(d::overlong_utf8_accepted),
        "an overlong UTF-8 encoding (C1 81 for A) is read as the character it spells"
    ),
    mutant!(
        invalid_utf8_read_lossily,
        P_MALFORMED_JSON,
        Bundled,
        Make::Wraps(d::invalid_utf8_read_lossily),
        "bytes that are not UTF-8 are read as U+FFFD (a lossy decoder)"
    ),
    // P-UNKNOWN-OPERATION
    mutant!(
        ignores_target_header,
        P_UNKNOWN_OPERATION,
        Bundled,
        Make::Wraps(d::ignores_target_header),
        "X-Amz-Target is never read: every request is CreateDeployment"
    ),
    mutant!(
        target_header_case_insensitive,
        P_UNKNOWN_OPERATION,
        Bundled,
        Make::Wraps(d::target_header_case_insensitive),
        "X-Amz-Target is compared without case"
    ),
    // V-STACK-REQUIRED
    mutant!(
        missing_stack_not_found,
        V_STACK_REQUIRED,
        Bundled,
        Make::Wraps(d::missing_stack_not_found),
        "a missing or null StackId is looked up anyway: ResourceNotFoundException"
    ),
    // V-COMMAND-REQUIRED
    mutant!(
        missing_command_defaults_to_configure,
        V_COMMAND_REQUIRED,
        Bundled,
        Make::Wraps(d::missing_command_defaults_to_configure),
        "a missing or null Command defaults to configure"
    ),
    // V-NAME-REQUIRED
    mutant!(
        missing_name_serialization_error,
        V_NAME_REQUIRED,
        Bundled,
        Make::Wraps(d::missing_name_serialization_error),
        "a Command without Name fails deserialisation: SerializationException"
    ),
    // V-NAME-ENUM
    mutant!(
        command_name_case_insensitive,
        V_NAME_ENUM,
        Bundled,
        Make::Wraps(d::command_name_case_insensitive),
        "Command.Name is compared without case"
    ),
    mutant!(
        unknown_command_not_found,
        V_NAME_ENUM,
        Bundled,
        Make::Wraps(d::unknown_command_not_found),
        "an unknown Command.Name is mislabelled ResourceNotFoundException instead of ValidationException"
    ),
    // V-TYPE
    mutant!(
        command_array_read_positionally,
        V_TYPE,
        Bundled,
        Make::Wraps(d::command_array_read_positionally),
        "Command as a JSON array is read positionally as Name and Args (serde's derived Deserialize)"
    ),
    mutant!(
        scalars_coerced_to_strings,
        V_TYPE,
        Bundled,
        Make::Wraps(d::scalars_coerced_to_strings),
        "numbers and booleans where strings belong are turned into strings"
    ),
    mutant!(
        non_string_ids_coerced,
        V_TYPE,
        Bundled,
        Make::Wraps(d::non_string_ids_coerced),
        "a number in an id's place (StackId, AppId, InstanceIds, LayerIds) is read as its decimal text and looked up: ResourceNotFoundException"
    ),
    // V-APP-REQUIRED
    mutant!(
        app_command_without_app,
        V_APP_REQUIRED,
        Bundled,
        Make::Wraps(d::app_command_without_app),
        "an app command without AppId is accepted"
    ),
    // V-CUSTOM-JSON
    mutant!(
        custom_json_unparsed,
        V_CUSTOM_JSON,
        Bundled,
        Make::Wraps(d::custom_json_unparsed),
        "CustomJson is stored as text and never parsed"
    ),
    // V-CUSTOM-JSON-OBJECT
    mutant!(
        custom_json_any_value,
        V_CUSTOM_JSON_OBJECT,
        Bundled,
        Make::Wraps(d::custom_json_any_value),
        "CustomJson must be JSON, but any JSON value is accepted"
    ),
    // V-RECIPES
    mutant!(
        recipes_not_required,
        V_RECIPES,
        Bundled,
        Make::Wraps(d::recipes_not_required),
        "execute_recipes without recipes (or with an empty name) runs a default recipe"
    ),
    // V-MIGRATE
    mutant!(
        migrate_any_value,
        V_MIGRATE,
        Bundled,
        Make::Wraps(d::migrate_any_value),
        "an invalid migrate value is ignored"
    ),
    // V-REBOOT
    mutant!(
        upgrade_implies_reboot,
        V_REBOOT,
        Bundled,
        Make::Wraps(d::upgrade_implies_reboot),
        "upgrade_os_to is taken to imply allow_reboot: [\"true\"]"
    ),
    // V-ROLLBACK-DEPTH
    mutant!(
        rollback_without_versions,
        V_ROLLBACK_DEPTH,
        Bundled,
        Make::Wraps(d::rollback_without_versions),
        "stored versions are not tracked: a rollback with nothing to roll back to is accepted"
    ),
    // N-STACK
    mutant!(
        stack_ids_trimmed,
        N_STACK,
        Bundled,
        Make::Wraps(d::stack_ids_trimmed),
        "StackId is trimmed of whitespace before the lookup"
    ),
    mutant!(
        stack_ids_case_insensitive,
        N_STACK,
        Bundled,
        Make::Wraps(d::stack_ids_case_insensitive),
        "StackId is looked up without case"
    ),
    mutant!(
        stack_ids_by_prefix,
        N_STACK,
        Bundled,
        Make::Wraps(d::stack_ids_by_prefix),
        "StackId matches the first stack whose id starts with it"
    ),
    mutant!(
        stack_ids_matched_by_their_start,
        N_STACK,
        Bundled,
        Make::Wraps(d::stack_ids_matched_by_their_start),
        "a StackId that starts with a stack's id names that stack (characters appended are not read)"
    ),
    mutant!(
        stack_ids_normalised,
        N_STACK,
        Bundled,
        Make::Wraps(d::stack_ids_normalised),
        "StackId is NFKC-normalised before the lookup (a fullwidth or mathematical digit is the digit)"
    ),
    // N-APP
    mutant!(
        app_of_any_stack,
        N_APP,
        Bundled,
        Make::Wraps(d::app_of_any_stack),
        "AppId is looked up among the apps of every stack, not the request's"
    ),
    mutant!(
        app_ids_case_insensitive,
        N_APP,
        Bundled,
        Make::Wraps(d::app_ids_case_insensitive),
        "AppId is looked up without case"
    ),
    // N-INSTANCE
    mutant!(
        first_instance_only,
        N_INSTANCE,
        Bundled,
        Make::Wraps(d::first_instance_only),
        "only the first element of InstanceIds is checked"
    ),
    // N-LAYER
    mutant!(
        layers_of_any_stack,
        N_LAYER,
        Bundled,
        Make::Wraps(d::layers_of_any_stack),
        "LayerIds are looked up among the layers of every stack, not the request's"
    ),
    // A-SIGNATURE-REQUIRED
    mutant!(
        unsigned_as_default_user,
        A_SIGNATURE_REQUIRED,
        WithUsers,
        Make::Builds(d::unsigned_as_default_user),
        "an unsigned request runs as a default (manage) user"
    ),
    // A-KEY-KNOWN
    mutant!(
        unknown_key_as_default_user,
        A_KEY_KNOWN,
        WithUsers,
        Make::Builds(d::unknown_key_as_default_user),
        "an access key the world does not list falls back to a default (manage) user"
    ),
    // A-SIGNATURE-VALID
    mutant!(
        signature_not_verified,
        A_SIGNATURE_VALID,
        WithUsers,
        Make::Builds(d::signature_not_verified),
        "the access key id is taken at its word; the signature is never checked"
    ),
    // A-PERMISSION
    mutant!(
        show_level_may_deploy,
        A_PERMISSION,
        WithUsers,
        Make::Builds(d::show_level_may_deploy),
        "the show permission level is taken to allow deployments"
    ),
    // S-ACCEPT-VALID
    mutant!(
        non_ascii_comment_refused,
        S_ACCEPT_VALID,
        Bundled,
        Make::Wraps(d::non_ascii_comment_refused),
        "a Comment that is not ASCII is refused when the deployment is stored"
    ),
    mutant!(
        many_instances_refused,
        S_ACCEPT_VALID,
        Bundled,
        Make::Wraps(d::many_instances_refused),
        "more than two InstanceIds are refused when the deployment is stored"
    ),
    mutant!(
        long_comment_refused,
        S_ACCEPT_VALID,
        Bundled,
        Make::Wraps(d::long_comment_refused),
        "a Comment over 4 KiB is refused when the deployment is stored"
    ),
    // S-UNIQUE-ID
    mutant!(
        deployment_id_per_stack_counter,
        S_UNIQUE_ID,
        Bundled,
        Make::Builds(d::deployment_id_per_stack_counter),
        "DeploymentIds count per stack (d-1, d-2, ...), so two stacks answer the same ids"
    ),
    // S-ERROR-NO-EFFECT
    mutant!(
        rejected_rollback_uses_version,
        S_ERROR_NO_EFFECT,
        Bundled,
        Make::Wraps(d::rejected_rollback_uses_version),
        "a rollback refused for another reason still uses up a stored version"
    ),
    mutant!(
        unknown_operation_still_acts,
        S_ERROR_NO_EFFECT,
        Bundled,
        Make::Wraps(d::unknown_operation_still_acts),
        "a request naming an operation the API does not have is refused, but a rollback in its body is carried out first"
    ),
    // O-PRECEDENCE
    mutant!(
        existence_before_validation,
        O_PRECEDENCE,
        Bundled,
        Make::Wraps(d::existence_before_validation),
        "the stack is looked up before the request is validated"
    ),
];
