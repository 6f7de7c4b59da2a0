//! Writing JSON text exactly as `serde_json` writes it compactly, faster for long strings: a run
//! of characters that need no escape is copied at once instead of byte by byte.
//!
//! Generated bodies are written here (a 64 KiB comment is common); the tests check every byte
//! against `serde_json`.

use serde_json::Value;

use crate::contract::CreateDeploymentInput;
use crate::oracle::json_text::next_special;

/// Appends `text` as a JSON string, escaped as `serde_json` escapes it: `\"`, `\\`, `\b`, `\f`,
/// `\n`, `\r`, `\t`, other control characters as `\u00xx` (lower-case hex), nothing else.
pub(crate) fn write_string(out: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = text.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push('"');
    let mut start = 0;
    loop {
        // Every byte to escape is ASCII, so `start` and `special` are character boundaries.
        let special = next_special(bytes, start);
        out.push_str(text.get(start..special).unwrap_or_default());
        let Some(&byte) = bytes.get(special) else {
            break;
        };
        match byte {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            0x08 => out.push_str("\\b"),
            0x0c => out.push_str("\\f"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            _ => {
                out.push_str("\\u00");
                out.push(char::from(HEX[usize::from(byte >> 4)]));
                out.push(char::from(HEX[usize::from(byte & 0xf)]));
            }
        }
        start = special + 1;
    }
    out.push('"');
}

/// Appends `value` as `value.to_string()` would write it.
pub(crate) fn write_value(out: &mut String, value: &Value) {
    // Nesting is bounded by what the generators build (at most a few hundred levels).
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(number) => out.push_str(&number.to_string()),
        Value::String(text) => write_string(out, text),
        Value::Array(items) => {
            out.push('[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                write_value(out, item);
            }
            out.push(']');
        }
        Value::Object(members) => {
            out.push('{');
            for (index, (name, item)) in members.iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                write_string(out, name);
                out.push(':');
                write_value(out, item);
            }
            out.push('}');
        }
    }
}

/// `value.to_string()`.
pub(crate) fn value_text(value: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, value);
    out
}

/// The bytes of [`CreateDeploymentInput::to_json`]: members present exactly when set, in the
/// model's order.
pub(crate) fn input_body(input: &CreateDeploymentInput) -> Vec<u8> {
    let long = input.comment.as_ref().map_or(0, String::len)
        + input.custom_json.as_ref().map_or(0, String::len);
    let mut out = String::with_capacity(256 + long + long / 8);
    let mut first = true;
    let mut member = |out: &mut String, name: &str| {
        out.push(if first { '{' } else { ',' });
        first = false;
        write_string(out, name);
        out.push(':');
    };
    let list = |out: &mut String, items: &[String]| {
        out.push('[');
        for (index, item) in items.iter().enumerate() {
            if index > 0 {
                out.push(',');
            }
            write_string(out, item);
        }
        out.push(']');
    };
    if let Some(stack_id) = &input.stack_id {
        member(&mut out, "StackId");
        write_string(&mut out, stack_id);
    }
    if let Some(app_id) = &input.app_id {
        member(&mut out, "AppId");
        write_string(&mut out, app_id);
    }
    if let Some(ids) = &input.instance_ids {
        member(&mut out, "InstanceIds");
        list(&mut out, ids);
    }
    if let Some(ids) = &input.layer_ids {
        member(&mut out, "LayerIds");
        list(&mut out, ids);
    }
    if let Some(command) = &input.command {
        member(&mut out, "Command");
        out.push('{');
        if let Some(name) = &command.name {
            out.push_str("\"Name\":");
            write_string(&mut out, name);
        }
        if let Some(args) = &command.args {
            if command.name.is_some() {
                out.push(',');
            }
            out.push_str("\"Args\":{");
            for (index, (name, values)) in args.iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                write_string(&mut out, name);
                out.push(':');
                list(&mut out, values);
            }
            out.push('}');
        }
        out.push('}');
    }
    if let Some(comment) = &input.comment {
        member(&mut out, "Comment");
        write_string(&mut out, comment);
    }
    if let Some(custom_json) = &input.custom_json {
        member(&mut out, "CustomJson");
        write_string(&mut out, custom_json);
    }
    if first {
        out.push('{');
    }
    out.push('}');
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;
    use std::collections::BTreeMap;

    fn text() -> impl Strategy<Value = String> {
        prop_oneof![
            ".{0,40}",
            proptest::collection::vec(any::<char>(), 0..40).prop_map(String::from_iter),
            proptest::collection::vec(0u8..0x80, 0..80)
                .prop_map(|bytes| bytes.into_iter().map(char::from).collect()),
        ]
    }

    fn input() -> impl Strategy<Value = CreateDeploymentInput> {
        let args = proptest::option::of(proptest::collection::btree_map(
            text(),
            proptest::collection::vec(text(), 0..3),
            0..3,
        ));
        let command = proptest::option::of(
            (proptest::option::of(text()), args)
                .prop_map(|(name, args)| crate::contract::DeploymentCommand { name, args }),
        );
        (
            proptest::option::of(text()),
            proptest::option::of(text()),
            proptest::option::of(proptest::collection::vec(text(), 0..3)),
            proptest::option::of(proptest::collection::vec(text(), 0..3)),
            command,
            proptest::option::of(text()),
            proptest::option::of(text()),
        )
            .prop_map(
                |(stack_id, app_id, instance_ids, layer_ids, command, comment, custom_json)| {
                    CreateDeploymentInput {
                        stack_id,
                        app_id,
                        instance_ids,
                        layer_ids,
                        command,
                        comment,
                        custom_json,
                    }
                },
            )
    }

    proptest! {
        #[test]
        fn inputs_are_written_as_serde_json_writes_them(input in input()) {
            prop_assert_eq!(String::from_utf8(input_body(&input)).unwrap(), input.to_json());
        }

        #[test]
        fn strings_are_written_as_serde_json_writes_them(text in text()) {
            let mut out = String::new();
            write_string(&mut out, &text);
            prop_assert_eq!(out, Value::String(text).to_string());
        }
    }

    #[test]
    fn values_are_written_as_serde_json_writes_them() {
        let all_bytes: String = (0u8..0x80).map(char::from).collect();
        let values = [
            json!(null),
            json!({}),
            json!([]),
            json!({"a": [1, -2, 3.5, 1e300, -0.0, 18446744073709551615u64, true, false, null]}),
            json!({"": {"\u{7f}é😀": [all_bytes.clone(), {"x": "\u{2028}"}]}}),
            json!([[[{"deep": [[]]}]]]),
            Value::String("x".repeat(100_000)),
        ];
        for value in values {
            assert_eq!(value_text(&value), value.to_string());
        }
        let mut out = String::new();
        write_string(&mut out, "a\u{0}\u{1f}\"\\/\u{7f}\u{8}\u{c}\n\r\t");
        assert_eq!(
            out,
            Value::String("a\u{0}\u{1f}\"\\/\u{7f}\u{8}\u{c}\n\r\t".into()).to_string()
        );
        let empty = CreateDeploymentInput::default();
        assert_eq!(input_body(&empty), b"{}");
        let command_only = CreateDeploymentInput {
            command: Some(crate::contract::DeploymentCommand::default()),
            ..CreateDeploymentInput::default()
        };
        assert_eq!(
            String::from_utf8(input_body(&command_only)).unwrap(),
            command_only.to_json()
        );
        let args_only = CreateDeploymentInput {
            command: Some(crate::contract::DeploymentCommand {
                name: None,
                args: Some(BTreeMap::from([("k".to_owned(), vec!["v".to_owned()])])),
            }),
            ..CreateDeploymentInput::default()
        };
        assert_eq!(
            String::from_utf8(input_body(&args_only)).unwrap(),
            args_only.to_json()
        );
    }
}
