//! `V-TYPE` (MUST): a member has the wrong JSON type: `StackId`, `AppId`, `Comment`, `CustomJson`, `Name` not strings; `InstanceIds`, `LayerIds` not arrays of strings; `Command` not an object; `Args` not an object whose values are arrays of strings. Code `ValidationException` or `SerializationException`.

use super::prelude::*;

/// The catalogue entry of `V-TYPE`.
pub(crate) const RULE: Rule = Rule {
    id: RuleId::new("V-TYPE"),
    severity: Severity::Must,
    group: Group::Validation,
    summary: "a member has the wrong JSON type: StackId, AppId, Comment, CustomJson, Name not strings; InstanceIds, LayerIds not arrays of strings; Command not an object; Args not an object whose values are arrays of strings -> ValidationException or SerializationException",
    source: "model",
    doc: RuleDoc {
        condition: "a member has the wrong JSON type: `StackId`, `AppId`, `Comment`, `CustomJson`, `Name` not strings; `InstanceIds`, `LayerIds` not arrays of strings; `Command` not an object; `Args` not an object whose values are arrays of strings. Code `ValidationException` or `SerializationException`",
        expected: "`ValidationException` or `SerializationException`",
        why: "A member of the wrong JSON type is no value of the model's shape; coercing it (a number looked up as an id) acts on input no client sent.",
    },
    facts: RuleFacts::USUAL,
};

/// The requests that exercise the rule.
pub(super) fn family(f: &Families<'_>) -> Option<BoxedStrategy<Case>> {
    let wrong_scalar = one_of![
        Just(json!(1)),
        Just(json!(true)),
        Just(json!(["s"])),
        Just(json!({"s": "s"})),
    ];
    let wrong_list = one_of![
        Just(json!("i")),
        Just(json!([1])),
        Just(json!(["i", null])),
        Just(json!([["i"]])),
        Just(json!({"0": "i"})),
    ];
    let members = [
        "StackId",
        "AppId",
        "Comment",
        "CustomJson",
        "Name",
        "InstanceIds",
        "LayerIds",
        "Command",
        "Args",
        "Command[]",
        "StackId#",
        "AppId#",
        "InstanceIds#",
        "LayerIds#",
    ];
    // Numbers in an id's place: an implementation that coerces `123` into `"123"` and looks
    // it up answers ResourceNotFoundException (or finds an id of the world), where V-TYPE
    // asks for ValidationException or SerializationException.
    let numbers = proptest::sample::select(numeric_ids(&f.world.ids()));
    Some(
        (
            f.plain()?,
            proptest::sample::select(members.to_vec()),
            wrong_scalar,
            wrong_list,
            wrong_shape_args(),
            (numbers, any::<prop::sample::Index>()),
        )
            .prop_map(|(case, member, scalar, list, args, (number, at))| {
                let mut object = body_object(&case.input.unwrap_or_default());
                let label = match member {
                    "StackId#" | "AppId#" => {
                        object.insert(member.trim_end_matches('#').to_owned(), number);
                        "a number as an id"
                    }
                    "InstanceIds#" | "LayerIds#" => {
                        let name = member.trim_end_matches('#');
                        let mut ids = match object.remove(name) {
                            Some(Value::Array(ids)) => ids,
                            _ => Vec::new(),
                        };
                        ids.insert(at.index(ids.len() + 1), number);
                        object.insert(name.to_owned(), Value::Array(ids));
                        "a number in a list of ids"
                    }
                    "Name" => {
                        if let Some(Value::Object(command)) = object.get_mut("Command") {
                            command.insert("Name".to_owned(), scalar);
                        }
                        "Name not a string"
                    }
                    "Args" => {
                        if let Some(Value::Object(command)) = object.get_mut("Command") {
                            command.insert("Args".to_owned(), args);
                        }
                        "Args of the wrong shape"
                    }
                    "InstanceIds" | "LayerIds" => {
                        object.insert(member.to_owned(), list);
                        "not an array of strings"
                    }
                    "Command" => {
                        object.insert(member.to_owned(), json!("setup"));
                        "Command not an object"
                    }
                    "Command[]" => {
                        // Name and Args positionally: what a derived serde `Deserialize`
                        // reads as the structure.
                        if let Some(Value::Object(command)) = object.get("Command") {
                            let name = command.get("Name").cloned().unwrap_or(Value::Null);
                            let args = command.get("Args").cloned().unwrap_or(Value::Null);
                            object.insert("Command".to_owned(), json!([name, args]));
                        }
                        "Command as a positional array"
                    }
                    _ => {
                        object.insert(member.to_owned(), scalar);
                        "not a string"
                    }
                };
                json_case(case.rule, label, object, case.signing)
            })
            .boxed(),
    )
}

/// The oracle's part: a member has the wrong JSON type (`detail` says which and what it is).
pub(crate) fn judge(reading: &mut Reading, detail: String) {
    reading.finding(
        RULE.id,
        codes(&[
            ErrorCode::ValidationException,
            ErrorCode::SerializationException,
        ]),
        Tier::Request,
        detail,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;
    use proptest::test_runner::Config;
    use crate::contract::CommandKind;
    use crate::generate::command::command_name;
    use crate::oracle::{CallerIdentity, judge_request};

    proptest! {
        #![proptest_config(Config::with_cases(256))]

        #[test]
        fn args_of_the_wrong_shape_break_the_rule(name in command_name(), shape in wrong_shape_args()) {
            let mut body = serde_json::Map::new();
            body.insert("StackId".to_owned(), json!("s1"));
            if name.kind() == CommandKind::App {
                body.insert("AppId".to_owned(), json!(app_id(AppType::Php)));
            }
            body.insert("Command".to_owned(), json!({"Name": name.as_str(), "Args": shape}));
            let request = RawRequest::json(Value::Object(body).to_string());
            let verdict = judge_request(&apps_world(), &request, &CallerIdentity::Unsigned);
            prop_assert_eq!(verdict.broken(), vec![RULE.id]);
            prop_assert!(verdict.may_cases().is_empty());
        }
    }
}
