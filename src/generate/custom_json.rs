//! `CustomJson`: a string member that holds JSON text. Valid object texts, texts that are not
//! JSON, JSON that is not an object, and JSON that the grammar allows but parsers may refuse.
//!
//! The oracle decides these with [`json_text::scan`](crate::oracle::json_text::scan); every
//! strategy here is tested against it.

use std::io;

use proptest::prelude::*;
use proptest::sample::select;
use serde::Serialize;
use serde_json::{Map, Number, Value};

use crate::generate::cache::{per_thread, regex};
use crate::generate::one_of::one_of;

/// The longest text [`valid_custom_json`] makes: 64 KiB.
const LONG_MAX: usize = 64 * 1024;

/// The deepest nesting [`valid_custom_json`] makes.
const MAX_DEPTH: usize = 20;

/// Pieces of strings: ASCII, multi-byte UTF-8, emoji, and characters JSON must escape.
const FRAGMENTS: [&str; 24] = [
    "a",
    "key",
    "value",
    " ",
    "é",
    "ü",
    "中文",
    "Привет",
    "🚀",
    "👩\u{200d}💻",
    "\"",
    "\\",
    "/",
    "\n",
    "\t",
    "\r",
    "\u{0}",
    "\u{1}",
    "\u{1f}",
    "\u{7f}",
    "\u{2028}",
    "\u{feff}",
    "\u{10ffff}",
    "{\"not\": \"nested\"}",
];

/// Pieces of the long string: none needs escaping, so its length in the text is known.
const PLAIN_FRAGMENTS: [&str; 6] = ["lorem ", "ipsum", "é", "中", "🚀", "0123456789"];

/// Short strings made of [`FRAGMENTS`], or any Unicode.
fn short_string() -> impl Strategy<Value = String> {
    one_of![
        regex!("[a-z]{0,8}"),
        proptest::collection::vec(select(&FRAGMENTS[..]), 1..5).prop_map(|parts| parts.concat()),
        regex!(".{0,8}"),
    ]
}

/// Numbers within the range of a double: integers (`i64`, `u64`) and finite floats.
fn number() -> impl Strategy<Value = Number> {
    one_of![
        (-1000i64..1000).prop_map(Number::from),
        any::<i64>().prop_map(Number::from),
        any::<u64>().prop_map(Number::from),
        any::<f64>().prop_filter_map("a finite double", Number::from_f64),
    ]
}

/// JSON scalars.
fn scalar() -> impl Strategy<Value = Value> {
    one_of![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        number().prop_map(Value::Number),
        short_string().prop_map(Value::String),
    ]
}

/// An object from members; later duplicates of a name replace earlier ones, so names are
/// unique.
fn object(members: Vec<(String, Value)>) -> Value {
    Value::Object(members.into_iter().collect::<Map<String, Value>>())
}

/// Any JSON value, nested up to 6 containers deep, with unique names in every object.
fn value() -> impl Strategy<Value = Value> {
    recursive(scalar().boxed(), 6, 48, 5, |inner| {
        one_of![
            proptest::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            proptest::collection::vec((short_string(), inner), 0..5).prop_map(object),
        ]
    })
}

/// The strategy that `base.prop_recursive(depth, desired_size, expected_branch_size, recurse)`
/// builds every time it makes a value, built once (so the same values from the same random
/// source): a union of the leaf and one more level of `recurse`, `depth` times.
fn recursive<T, R>(
    base: BoxedStrategy<T>,
    depth: u32,
    desired_size: u32,
    expected_branch_size: u32,
    recurse: impl Fn(BoxedStrategy<T>) -> R,
) -> BoxedStrategy<T>
where
    T: std::fmt::Debug + 'static,
    R: Strategy<Value = T> + 'static,
{
    let mut branch_probabilities = Vec::new();
    let mut k2 = u64::from(expected_branch_size) * 2;
    for _ in 0..depth {
        branch_probabilities.push(f64::from(desired_size) / k2 as f64);
        k2 = k2.saturating_mul(u64::from(expected_branch_size) * 2);
    }
    let mut strategy = base;
    while let Some(branch_probability) = branch_probabilities.pop() {
        let recursive_choice = recurse(strategy.clone()).boxed();
        let non_recursive_choice = strategy;
        let (weight_branch, weight_leaf) =
            proptest::strategy::float_to_weight(branch_probability.min(0.9));
        strategy = one_of![
            weight_leaf => non_recursive_choice,
            weight_branch => recursive_choice,
        ]
        .boxed();
    }
    strategy
}

/// A formatter that writes every non-ASCII character as a `\uXXXX` escape (astral ones as
/// surrogate pairs): the same value, other text.
struct AsciiEscapes;

impl serde_json::ser::Formatter for AsciiEscapes {
    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut units = [0u16; 2];
        for character in fragment.chars() {
            if character.is_ascii() {
                writer.write_all(&[character as u8])?;
            } else {
                for unit in character.encode_utf16(&mut units) {
                    write!(writer, "\\u{unit:04x}")?;
                }
            }
        }
        Ok(())
    }
}

/// How a value is written as text.
#[derive(Debug, Clone, Copy)]
enum Layout {
    /// No insignificant whitespace.
    Compact,
    /// Indented, one member per line.
    Pretty,
    /// Compact, non-ASCII characters as `\u` escapes.
    Escaped,
    /// Compact, with whitespace around the value.
    Padded,
}

fn layout() -> impl Strategy<Value = Layout> {
    one_of![
        Just(Layout::Compact),
        Just(Layout::Pretty),
        Just(Layout::Escaped),
        Just(Layout::Padded),
    ]
}

/// The text of a value in a layout. Serialising a `Value` cannot fail.
fn write(value: &Value, layout: Layout) -> String {
    match layout {
        Layout::Compact => value.to_string(),
        Layout::Pretty => serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string()),
        Layout::Escaped => {
            let mut bytes = Vec::new();
            let mut serializer = serde_json::Serializer::with_formatter(&mut bytes, AsciiEscapes);
            match value.serialize(&mut serializer) {
                Ok(()) => String::from_utf8(bytes).unwrap_or_else(|_| value.to_string()),
                Err(_) => value.to_string(),
            }
        }
        Layout::Padded => format!(" \t\r\n{value}\n "),
    }
}

/// An object nested `depth` containers deep (2 ..= 20): the top-level object, then a chain of
/// arrays and objects (`true` in `kinds` for an object), a scalar at the bottom.
fn chain(depth: usize, kinds: &[bool], bottom: Value) -> Value {
    let mut value = bottom;
    for is_object in kinds.iter().take(depth.saturating_sub(1)) {
        value = if *is_object {
            object(vec![("k".to_owned(), value)])
        } else {
            Value::Array(vec![value])
        };
    }
    object(vec![("deep".to_owned(), value)])
}

/// An object whose text is 1 KiB to 64 KiB long, most of it one long string member.
fn long_object() -> impl Strategy<Value = String> {
    (
        proptest::collection::vec((short_string(), scalar()), 0..4),
        proptest::collection::vec(select(&PLAIN_FRAGMENTS[..]), 1..4),
        (1024 + 3)..=LONG_MAX,
    )
        .prop_map(|(members, unit, target)| {
            let mut map: Map<String, Value> = members.into_iter().collect();
            map.insert("long".to_owned(), Value::String(String::new()));
            let base = Value::Object(map.clone()).to_string().len();
            let unit = unit.concat();
            let mut long = String::new();
            let room = target.saturating_sub(base);
            while long.len() < room {
                long.push_str(&unit);
            }
            let mut end = room.min(long.len());
            while !long.is_char_boundary(end) {
                end -= 1;
            }
            long.truncate(end);
            map.insert("long".to_owned(), Value::String(long));
            Value::Object(map).to_string()
        })
}

/// Valid `CustomJson` (S-ACCEPT-VALID): JSON object texts that scan as an object within every
/// parser limit (no M-JSON-LIMITS). `{}`, flat objects, objects of nested arrays and objects
/// (numbers in the range of a double, strings with multi-byte UTF-8, emoji, quotes,
/// backslashes and control characters), chains up to 20 levels deep, written compact, pretty,
/// with `\u` escapes or with surrounding whitespace; rarely a long one (1 KiB to 64 KiB).
#[must_use = "a strategy generates nothing until a runner draws from it"]
pub fn valid_custom_json() -> impl Strategy<Value = String> {
    per_thread!(String, build_valid_custom_json())
}

fn build_valid_custom_json() -> impl Strategy<Value = String> {
    one_of![
        2 => Just("{}".to_owned()),
        4 => (proptest::collection::vec((short_string(), scalar()), 1..6), layout())
            .prop_map(|(members, layout)| write(&object(members), layout)),
        6 => (proptest::collection::vec((short_string(), value()), 1..5), layout())
            .prop_map(|(members, layout)| write(&object(members), layout)),
        2 => (2..=MAX_DEPTH, proptest::collection::vec(any::<bool>(), MAX_DEPTH), scalar(), layout())
            .prop_map(|(depth, kinds, bottom, layout)| write(&chain(depth, &kinds, bottom), layout)),
        1 => long_object(),
    ]
}

/// Texts that are not JSON text at all (V-CUSTOM-JSON).
const NOT_JSON: [&str; 30] = [
    "",
    " ",
    "{",
    "}",
    "{'a': 1}",
    "{\"a\":1,}",
    "[1,2,]",
    "{a:1}",
    "NaN",
    "Infinity",
    "-Infinity",
    "{\"a\":NaN}",
    "{\"a\":Infinity}",
    "{\"a\":-Infinity}",
    "{\"a\":[1,NaN]}",
    "{\"a\":1 /* comment */}",
    "// comment\n{}",
    "# comment\n{}",
    "{\"a\":01}",
    "{\"a\":.5}",
    "{\"a\":+1}",
    "{\"a\":1.}",
    "{\"a\":\"\\x\"}",
    "{\"a\":\"\u{1}\"}",
    "{\"a\":1}{\"b\":2}",
    "{\"a\" 1}",
    "{\"a\":tru}",
    "{\"a\":[1,2}",
    "undefined",
    "{\"a\":\"unterminated}",
];

/// `CustomJson` that is not JSON text (V-CUSTOM-JSON): `""`, `"{"`, single quotes, trailing
/// commas, unquoted keys, `NaN`, `Infinity` and `-Infinity` (bare and as values), comments, leading zeros (`{"a":01}`), bad escapes, raw control
/// characters in strings, two texts, `undefined`, and valid object texts cut short.
#[must_use = "a strategy generates nothing until a runner draws from it"]
pub fn invalid_custom_json() -> impl Strategy<Value = String> {
    one_of![
        select(&NOT_JSON[..]).prop_map(str::to_owned),
        (valid_custom_json(), any::<prop::sample::Index>()).prop_map(|(text, at)| {
            // A proper prefix of an object text that ends with its closing brace is never JSON.
            let text = text.trim_end();
            let mut end = at.index(text.len());
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            text[..end].to_owned()
        }),
    ]
}

/// `CustomJson` that is JSON text but not an object (V-CUSTOM-JSON-OBJECT): arrays, strings,
/// numbers, `true`, `false`, `null`; within every parser limit.
#[must_use = "a strategy generates nothing until a runner draws from it"]
pub fn non_object_custom_json() -> impl Strategy<Value = String> {
    let non_object = one_of![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        number().prop_map(Value::Number),
        short_string().prop_map(Value::String),
        proptest::collection::vec(value(), 0..5).prop_map(Value::Array),
    ];
    (non_object, layout()).prop_map(|(value, layout)| write(&value, layout))
}

/// Numbers beyond the range of a double.
const OUT_OF_RANGE: [&str; 5] = ["1e400", "-1e400", "1e309", "-2.5e308", "123456789e999"];

/// Strings with a lone surrogate escape (the quotes included).
const LONE_SURROGATES: [&str; 5] = [
    r#""\ud800""#,
    r#""x\udbff""#,
    r#""\udc00""#,
    r#""\ud800\u0041""#,
    r#""\uDFFF\uD800""#,
];

/// Object texts that the grammar allows but parsers may refuse (M-JSON-LIMITS): a number out of
/// the range of a double (`1e400`), an unpaired surrogate escape (`"\ud800"`) as a value or a
/// name, duplicate member names (also spelled differently: `"a"` and `"\u0061"`), nesting 129
/// to 300 levels deep. Always an object, so no V-CUSTOM-JSON-OBJECT comes along.
#[must_use = "a strategy generates nothing until a runner draws from it"]
pub fn custom_json_beyond_limits() -> impl Strategy<Value = String> {
    let quoted = |text: String| Value::String(text).to_string();
    one_of![
        select(&OUT_OF_RANGE[..]).prop_map(|number| format!(r#"{{"a":{number}}}"#)),
        select(&OUT_OF_RANGE[..]).prop_map(|number| format!(r#"{{"a":[1,{number}]}}"#)),
        select(&LONE_SURROGATES[..]).prop_map(|text| format!(r#"{{"a":{text}}}"#)),
        select(&LONE_SURROGATES[..]).prop_map(|text| format!(r#"{{{text}:1}}"#)),
        Just(r#"{"a":1,"a":2}"#.to_owned()),
        Just(r#"{"a":1,"\u0061":2}"#.to_owned()),
        (short_string(), scalar(), scalar(), short_string()).prop_map(
            move |(name, first, second, other)| {
                let other = if other == name {
                    format!("{other}-")
                } else {
                    other
                };
                format!(
                    "{{{}:{first},{}:1,{}:{second}}}",
                    quoted(name.clone()),
                    quoted(other),
                    quoted(name)
                )
            }
        ),
        (
            129usize..=300,
            proptest::collection::vec(any::<bool>(), 300)
        )
            .prop_map(|(depth, kinds)| {
                // The top-level object, then depth - 1 containers.
                let mut open = String::from("{\"a\":");
                let mut close = String::from("}");
                for is_object in kinds.iter().take(depth - 1) {
                    if *is_object {
                        open.push_str("{\"k\":");
                        close.insert(0, '}');
                    } else {
                        open.push('[');
                        close.insert(0, ']');
                    }
                }
                format!("{open}0{close}")
            }),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oracle::json_text::{JsonKind, scan};
    use proptest::test_runner::Config;

    use crate::rules::testing::judge_custom_json as judge;

    proptest! {
        #![proptest_config(Config::with_cases(256))]

        #[test]
        fn valid_texts_are_objects_within_limits(text in valid_custom_json()) {
            let scanned = scan(text.as_bytes()).map_err(|error| TestCaseError::fail(format!("{error}: {text:?}")))?;
            prop_assert_eq!(scanned.kind, JsonKind::Object);
            prop_assert!(!scanned.limits.any(), "{:?}", scanned.limits);
            prop_assert!(scanned.max_depth <= MAX_DEPTH);
            prop_assert!(text.len() <= LONG_MAX);
            prop_assert!(judge(text).is_valid());
        }
    }

    #[test]
    fn escaped_layout_is_the_same_value() {
        let value = serde_json::json!({"é": ["中文", "🚀", "\u{1}\"\\"]});
        let text = write(&value, Layout::Escaped);
        assert!(text.is_ascii(), "{text}");
        assert!(text.contains(r"\ud83d\ude80"), "{text}");
        assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), value);
    }

    #[test]
    fn long_and_deep_texts_happen() {
        use proptest::strategy::ValueTree;
        use proptest::test_runner::TestRunner;
        let mut runner = TestRunner::deterministic();
        let strategy = valid_custom_json();
        let texts: Vec<String> = (0..300)
            .map(|_| strategy.new_tree(&mut runner).unwrap().current())
            .collect();
        assert!(texts.iter().any(|text| text.len() >= 1024));
        let deepest = texts
            .iter()
            .map(|text| scan(text.as_bytes()).unwrap().max_depth)
            .max();
        assert!(deepest >= Some(10), "{deepest:?}");
    }
}
