//! Reading a body the oracle could not read the way a lenient parser might: which apps could a
//! request the target accepted anyway have rolled back?
//!
//! RFC 8259 leaves no room for comments, trailing commas, single quotes or a byte order mark in
//! JSON text, so the oracle reads no effect from such a body; but a target built on a lenient
//! parser may read it as a `rollback` and carry it out. When the target accepts such a request,
//! the apps found here are the ones whose stored versions are no longer known.

use serde_json::Value;

use crate::world::World;

/// The apps (stack id, app id) a body may be a `rollback` of: the body holds the app's id and
/// the word `rollback` (in any case), or a lenient reading of it ([`relaxed`]) is a rollback
/// of the app. In the order of the world, each once.
pub(crate) fn possible_rollbacks(world: &World, body: &[u8]) -> Vec<(String, String)> {
    let mentions_rollback = contains_ignoring_ascii_case(body, b"rollback");
    let read = relaxed(body).and_then(|text| rollback_target(&text));
    let mut apps = Vec::new();
    for stack in &world.stacks {
        for app in &stack.apps {
            let named = mentions_rollback
                && !app.app_id.is_empty()
                && contains(body, app.app_id.as_bytes());
            let read_as_it = read.as_ref().is_some_and(|(stack_id, app_id)| {
                app_id == &app.app_id && stack_id.as_deref().is_none_or(|id| id == stack.stack_id)
            });
            if named || read_as_it {
                apps.push((stack.stack_id.clone(), app.app_id.clone()));
            }
        }
    }
    apps
}

/// The stack (when given as a string) and app of a lenient reading that is a `rollback`
/// (command name compared without case, ids trimmed).
fn rollback_target(text: &[u8]) -> Option<(Option<String>, String)> {
    let value: Value = serde_json::from_slice(text).ok()?;
    let name = value.pointer("/Command/Name")?.as_str()?;
    if !name.trim().eq_ignore_ascii_case("rollback") {
        return None;
    }
    let app_id = value.get("AppId")?.as_str()?.trim().to_owned();
    let stack_id = value
        .get("StackId")
        .and_then(Value::as_str)
        .map(|id| id.trim().to_owned());
    Some((stack_id, app_id))
}

/// The body as JSON text after what lenient parsers forgive: a leading byte order mark, `//`
/// and `/* */` comments, single-quoted strings, and commas before a closing bracket or brace.
/// `None` when it is not UTF-8.
pub(crate) fn relaxed(body: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(body).ok()?;
    let text = text.trim_start_matches('\u{feff}');
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' | '\'' => {
                out.push('"');
                while let Some(inner) = chars.next() {
                    match inner {
                        '\\' => match chars.next() {
                            // `\'` is only an escape in single-quoted strings.
                            Some('\'') => out.push('\''),
                            Some(escaped) => {
                                out.push('\\');
                                out.push(escaped);
                            }
                            None => break,
                        },
                        '"' if c == '\'' => out.push_str("\\\""),
                        _ if inner == c => break,
                        _ => out.push(inner),
                    }
                }
                out.push('"');
            }
            '/' if chars.peek() == Some(&'/') => {
                for skipped in chars.by_ref() {
                    if skipped == '\n' {
                        break;
                    }
                }
                out.push(' ');
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut last = ' ';
                for skipped in chars.by_ref() {
                    if last == '*' && skipped == '/' {
                        break;
                    }
                    last = skipped;
                }
                out.push(' ');
            }
            '}' | ']' => {
                let kept = out.trim_end().len();
                out.truncate(kept);
                if out.ends_with(',') {
                    out.pop();
                }
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    Some(out.into_bytes())
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty()
        && haystack
            .windows(needle.len())
            .any(|window| window == needle)
}

fn contains_ignoring_ascii_case(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty()
        && haystack
            .windows(needle.len())
            .any(|window| window.eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn world() -> World {
        World::from_json(
            r#"{"Stacks":[{"StackId":"s1","Apps":[{"AppId":"a1","Type":"php","Versions":3},{"AppId":"b2","Type":"php","Versions":2}]}]}"#,
        )
        .unwrap_or_else(|error| panic!("{error}"))
    }

    fn apps(body: &str) -> Vec<String> {
        possible_rollbacks(&world(), body.as_bytes())
            .into_iter()
            .map(|(_, app)| app)
            .collect()
    }

    #[test]
    fn what_lenient_parsers_forgive_is_read_as_json() {
        let cases = [
            ("\u{feff}{\"a\":[1,2,],}", serde_json::json!({"a": [1, 2]})),
            (
                "{'a': 'its', // note\n \"b\": /* x */ 'say \"hi\"'}",
                serde_json::json!({"a": "its", "b": "say \"hi\""}),
            ),
            ("{'a': 'don\\'t'}", serde_json::json!({"a": "don't"})),
            (
                "{\"a\": \"/* not a comment */ , ]\"}",
                serde_json::json!({"a": "/* not a comment */ , ]"}),
            ),
        ];
        for (text, expected) in cases {
            let relaxed = relaxed(text.as_bytes()).unwrap_or_default();
            let value: Value =
                serde_json::from_slice(&relaxed).unwrap_or_else(|error| panic!("{text}: {error}"));
            assert_eq!(value, expected, "{text}");
        }
    }

    #[test]
    fn a_rollback_is_found_by_its_words_or_by_a_lenient_reading() {
        // The id and the word in the bytes.
        assert_eq!(
            apps(r#"{"StackId":"s1","AppId":"a1","Command":{"Name":"rollback"},}"#),
            ["a1"]
        );
        assert_eq!(
            apps(r#"{"StackId":"s1","AppId":"b2","Command":{"Name":"ROLLBACK"}} x"#),
            ["b2"]
        );
        // Only a lenient reading finds the escaped id.
        assert_eq!(
            apps(r#"{'StackId':'s1','AppId':'\u0061\u0031','Command':{'Name':'rollback'}}"#),
            ["a1"]
        );
        // No rollback, or no app of the world.
        assert!(apps(r#"{"StackId":"s1","AppId":"a1","Command":{"Name":"deploy"},}"#).is_empty());
        assert!(apps(r#"{"StackId":"s1","AppId":"zz","Command":{"Name":"rollback"},}"#).is_empty());
        assert!(apps("\u{0}\u{1}").is_empty());
    }
}
