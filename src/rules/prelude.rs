//! What the rule files use, in one import (`use super::prelude::*;`).

pub(crate) use proptest::prelude::*;
pub(crate) use proptest::strategy::BoxedStrategy;
pub(crate) use serde_json::{Value, json};

pub(crate) use crate::contract::{
    AnswerForm, CommandName, DeploymentCommand, ErrorCode, Exemplar, Group, InDiscoveredWorld,
    RawRequest, Rule, RuleDoc, RuleFacts, RuleId, Severity, Signing, wire,
};
pub(crate) use crate::contract::{Observation, TransportFailure, error_code_of};
pub(crate) use crate::generate::Case;
pub(crate) use crate::generate::args::{bad_reboot, bad_recipes};
pub(crate) use crate::generate::args::{unknown_arg, unused_args, wrong_shape_args};
pub(crate) use crate::generate::command::{app_command, near_miss_name};
pub(crate) use crate::generate::custom_json::{
    custom_json_beyond_limits, invalid_custom_json, non_object_custom_json, valid_custom_json,
};
pub(crate) use crate::generate::ids::{absent_id, near_miss_id, numeric_ids};
pub(crate) use crate::generate::one_of::{OneOf, one_of};
pub(crate) use crate::generate::valid_input;
pub(crate) use crate::generate::violating::{
    ENCODED_SURROGATES, Families, NOT_API_OPERATIONS, NOT_JSON_NUMBERS, NOT_UTF8_BYTES,
    OTHER_API_VERSIONS, OVERLONG, WIDE_ENCODINGS, body_object, in_comment, json_case, positional,
    with_command,
};
pub(crate) use crate::oracle::decide::Reading;
pub(crate) use crate::oracle::json_text::{JsonKind, JsonLimits};
pub(crate) use crate::oracle::judge::{BRIEF, Judgement, Status};
pub(crate) use crate::oracle::read::{ReadRequest, Strings, codes, is_boolean_arg};
pub(crate) use crate::oracle::verdict::{Expectation, Tier};
pub(crate) use crate::world::{App, AppType, PermissionLevel, Stack, World};
