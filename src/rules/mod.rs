//! The rule catalogue: one file per rule, one registry line per rule.
//!
//! A rule file (`v_app_required.rs`) holds everything about its rule: the catalogue entry (id,
//! severity, group, source, summary) with its documentation ([`RuleDoc`]: condition, expected
//! answer, why) and what the runner needs to know ([`RuleFacts`](crate::contract::RuleFacts):
//! `across_requests`, `form`, `needs`, ...); for a server-side rule, its family of requests
//! (`fn family`), which the generators, the runner, the snapshots and the fuzzing corpus draw
//! from; its part of the oracle (`fn judge`: what the rule expects once the oracle's single
//! reading pass, `oracle/read.rs`, or the response check, `oracle/judge.rs`, has seen what the
//! rule is about); and its unit tests.
//!
//! The registry, [`__for_each_rule!`](crate::__for_each_rule), lists every rule once, as its
//! constant and its file. From it come the rule id constants ([`crate::contract::rules`]), the
//! [`CATALOGUE`], the dispatch from a rule to its family (a server rule whose file has no
//! `family` does not compile), the check that every rule file has its part of the oracle, an
//! item named `judge` (one that nothing calls is dead code), the one-test-per-rule list of
//! [`conformance_tests!`](crate::conformance_tests), and the catalogue document
//! ([`catalogue_markdown`], checked in as `docs/rules.md`).
//!
//! To add a rule: `scripts/new-rule X-NEW-RULE` writes the file and the registry line (see the
//! README, "Adding a rule").

mod existence;
mod markdown;
mod prelude;
#[cfg(test)]
pub(crate) mod testing;

use proptest::strategy::BoxedStrategy;

use crate::contract::{Rule, RuleId};
use crate::generate::Case;
use crate::generate::violating::Families;
use crate::oracle::decide::Reading;
use crate::oracle::read::ReadRequest;

pub use markdown::catalogue_markdown;

/// The registry: every rule of the catalogue, one line each, in the order of the catalogue
/// (`docs/rules.md`): its constant and its file under `src/rules/`, and for a server rule that
/// the oracle's reading pass does not call itself, when its `judge` is called:
/// `(after_members)`, once the body's members are read, with what was read
/// ([`ReadRequest`](crate::oracle::read::ReadRequest)). Calls `$callback!` with the list:
/// `server { CONST file [(after_members)] ... } client { CONST file ... }`.
#[doc(hidden)]
#[macro_export]
macro_rules! __for_each_rule {
    ($callback:path) => {
        $callback! {
            server {
                P_SUCCESS_SHAPE p_success_shape
                P_ERROR_SHAPE p_error_shape
                P_ERROR_MESSAGE p_error_message
                P_RESPONSE_CONTENT_TYPE p_response_content_type
                P_NO_SERVER_ERROR p_no_server_error
                P_CONTENT_TYPE_PARAMS p_content_type_params
                P_EMPTY_BODY p_empty_body
                P_MALFORMED_JSON p_malformed_json
                P_UNKNOWN_OPERATION p_unknown_operation
                V_STACK_REQUIRED v_stack_required
                V_COMMAND_REQUIRED v_command_required
                V_NAME_REQUIRED v_name_required
                V_NAME_ENUM v_name_enum
                V_TYPE v_type
                V_APP_REQUIRED v_app_required
                V_CUSTOM_JSON v_custom_json
                V_CUSTOM_JSON_OBJECT v_custom_json_object
                V_RECIPES v_recipes
                V_MIGRATE v_migrate
                V_REBOOT v_reboot
                V_ROLLBACK_DEPTH v_rollback_depth
                N_STACK n_stack
                N_APP n_app
                N_INSTANCE n_instance
                N_LAYER n_layer
                A_SIGNATURE_REQUIRED a_signature_required
                A_KEY_KNOWN a_key_known
                A_SIGNATURE_VALID a_signature_valid
                A_PERMISSION a_permission (after_members)
                S_ACCEPT_VALID s_accept_valid
                S_UNIQUE_ID s_unique_id
                S_ERROR_NO_EFFECT s_error_no_effect
                O_PRECEDENCE o_precedence
                M_UNKNOWN_ARGS m_unknown_args
                M_ARGS_UNUSED m_args_unused
                M_APP_ON_STACK_COMMAND m_app_on_stack_command
                M_EMPTY_STRING_IDS m_empty_string_ids
                M_EMPTY_LISTS m_empty_lists
                M_NULL_OPTIONAL m_null_optional
                M_UNKNOWN_MEMBERS m_unknown_members
                M_MIGRATE_NON_RAILS m_migrate_non_rails
                M_DUPLICATE_IDS m_duplicate_ids
                M_POLICY_VS_DENY m_policy_vs_deny (after_members)
                M_JSON_LIMITS m_json_limits
            }
            client {
                C_REQUEST_LINE c_request_line
                C_HEADERS c_headers
                C_BODY c_body
                C_SIGV4 c_sigv4
                C_ERROR_CODE c_error_code
                C_ERROR_UNMODELED c_error_unmodeled
                C_SUCCESS c_success
                C_SUCCESS_EMPTY c_success_empty
                C_CLIENT_VALIDATION c_client_validation
            }
        }
    };
}

/// A call of a rule's `judge` at the point of the reading pass its registry line names.
macro_rules! judged {
    (after_members $file:ident $reading:ident $read:ident) => {
        $file::judge($reading, $read)
    };
}

/// Declares the rule files, the constants, the catalogue and the dispatch from the registry.
macro_rules! declare_rules {
    (server { $($server:ident $server_file:ident $(($judged:ident))?)* } client { $($client:ident $client_file:ident)* }) => {
        $(pub(crate) mod $server_file;)*
        $(pub(crate) mod $client_file;)*

        /// The rule ids as constants. Grep for the text of an id (`V-APP-REQUIRED`) or for its
        /// constant (`V_APP_REQUIRED`) to find its file under `src/rules/`.
        pub mod ids {
            use crate::contract::RuleId;
            $(
                #[doc = concat!("The id of the rule `", stringify!($server), "` (`src/rules/", stringify!($server_file), ".rs`).")]
                pub const $server: RuleId = super::$server_file::RULE.id;
            )*
            $(
                #[doc = concat!("The id of the rule `", stringify!($client), "` (`src/rules/", stringify!($client_file), ".rs`).")]
                pub const $client: RuleId = super::$client_file::RULE.id;
            )*
        }

        // Every rule has its part of the oracle, an item named `judge` in its file: a rule
        // file without one does not compile. A server rule's `judge` is crate-private, so
        // one that nothing calls is dead code (an error under `-D warnings`). A client rule's
        // check exists with the `client` feature, where it is public (`client::checks`).
        $(
            #[allow(unused_imports)]
            use $server_file::judge as _;
        )*
        $(
            #[cfg(feature = "client")]
            #[allow(unused_imports)]
            use $client_file::judge as _;
        )*

        /// Calls the `judge` of every rule the registry marks `(after_members)`.
        pub(crate) fn judge_after_members(reading: &mut Reading, read: &ReadRequest<'_, '_>) {
            $($(judged!($judged $server_file reading read);)?)*
        }

        /// Every rule of the catalogue, in the order of the registry.
        pub static CATALOGUE: &[Rule] = &[$($server_file::RULE,)* $($client_file::RULE,)*];

        /// The family of requests of a server-side rule (every server rule has one: the
        /// registry calls each file's `family`); `None` for a client-side rule, which the client
        /// gate exercises.
        pub(crate) fn family(rule: RuleId, families: &Families<'_>) -> Option<BoxedStrategy<Case>> {
            $(
                if rule == ids::$server {
                    return $server_file::family(families);
                }
            )*
            None
        }
    };
}

crate::__for_each_rule!(declare_rules);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::Side;

    /// `RuleId::acceptance` finds one rule per side; the sequences draw only server rules.
    #[test]
    fn each_side_has_one_acceptance_rule_and_sequences_draw_server_rules() {
        for side in [Side::Server, Side::Client] {
            let acceptance: Vec<RuleId> = CATALOGUE
                .iter()
                .filter(|rule| rule.facts.acceptance && rule.side() == side)
                .map(|rule| rule.id)
                .collect();
            assert_eq!(acceptance, [RuleId::acceptance(side)], "{side:?}");
        }
        for rule in CATALOGUE.iter().filter(|rule| rule.facts.in_sequences > 0) {
            assert_eq!(rule.side(), Side::Server, "{}", rule.id);
        }
    }
}
