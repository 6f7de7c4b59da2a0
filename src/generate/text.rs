//! Free text: comments, recipe names and OS versions, with the characters that break naive
//! encoders (multi-byte UTF-8, emoji sequences, characters JSON must escape).

use proptest::prelude::*;
use proptest::sample::select;

use crate::generate::cache::{per_thread, regex};
use crate::generate::one_of::one_of;

/// The largest text [`comment`] makes: 64 KiB.
const LONG_MAX: usize = 64 * 1024;

/// Words in other scripts: 2-byte (é, Cyrillic), 3-byte (CJK) UTF-8.
const MULTI_BYTE: [&str; 8] = [
    "é",
    "déploiement",
    "中文",
    "部署",
    "Привет",
    "Straße",
    "日本語",
    "ñandú",
];

/// Emoji, alone and as sequences (zero-width joiners, skin tones, flags, variation selectors).
const EMOJI: [&str; 8] = [
    "🚀",
    "👩\u{200d}💻",
    "👨\u{200d}👩\u{200d}👧\u{200d}👦",
    "👍🏽",
    "🇫🇷",
    "🏳\u{fe0f}\u{200d}🌈",
    "✅",
    "❤\u{fe0f}",
];

/// Characters JSON text must (or may) escape: quote, backslash, solidus, the C0 controls, DEL,
/// and the two line separators JavaScript chokes on.
const NEEDS_ESCAPING: [&str; 13] = [
    "\"", "\\", "/", "\n", "\t", "\r", "\u{1}", "\u{8}", "\u{c}", "\u{1f}", "\u{7f}", "\u{2028}",
    "\u{2029}",
];

/// Short ASCII text.
fn ascii() -> impl Strategy<Value = String> {
    regex!("[ -~]{1,40}")
}

/// A word from one of the lists above.
fn word() -> impl Strategy<Value = String> {
    one_of![
        regex!("[a-zA-Z0-9]{1,8}"),
        select(&MULTI_BYTE[..]).prop_map(str::to_owned),
        select(&EMOJI[..]).prop_map(str::to_owned),
        select(&NEEDS_ESCAPING[..]).prop_map(str::to_owned),
    ]
}

/// Words joined with spaces.
fn words(from: &'static [&'static str]) -> impl Strategy<Value = String> {
    proptest::collection::vec(select(from), 1..6).prop_map(|words| words.join(" "))
}

/// A text of `target` bytes or a little less (never splitting a character): `unit` repeated.
fn repeat_to(unit: &str, target: usize) -> String {
    let mut text = String::with_capacity(target);
    if unit.is_empty() {
        return text;
    }
    while text.len() < target {
        text.push_str(unit);
    }
    let mut end = target.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.truncate(end);
    text
}

/// A long text: a short mixed unit repeated to 4 KiB .. 64 KiB.
fn long_text() -> impl Strategy<Value = String> {
    (
        proptest::collection::vec(word(), 1..6),
        4096usize..=LONG_MAX,
    )
        .prop_map(|(unit, target)| repeat_to(&unit.concat(), target))
}

/// `Comment` values (any string is a valid comment; they serve S-ACCEPT-VALID and C-BODY): empty,
/// ASCII, multi-byte (é, 中文, Привет), emoji (🚀, 👩‍💻 and other zero-width-joiner sequences),
/// characters JSON must escape (`"` `\` `/` newline, tab, U+0001), any Unicode, a mix of all of
/// these, and rarely a long text (4 KiB to 64 KiB).
#[must_use = "a strategy generates nothing until a runner draws from it"]
pub fn comment() -> impl Strategy<Value = String> {
    per_thread!(String, build_comment())
}

fn build_comment() -> impl Strategy<Value = String> {
    one_of![
        1 => Just(String::new()),
        4 => ascii(),
        3 => words(&MULTI_BYTE),
        3 => words(&EMOJI),
        3 => proptest::collection::vec(select(&NEEDS_ESCAPING[..]), 1..8).prop_map(|parts| parts.concat()),
        2 => regex!(".{1,24}"),
        4 => proptest::collection::vec(word(), 1..12).prop_map(|parts| parts.concat()),
        1 => long_text(),
    ]
}

/// Recipe names for `execute_recipes` `Args.recipes` (V-RECIPES when absent): never empty.
/// `phpapp::appsetup`-like `cookbook::recipe` names, bare cookbook names, and sometimes
/// non-ASCII ones (`café::recette`, `中文::食谱`).
#[must_use = "a strategy generates nothing until a runner draws from it"]
pub fn recipe_name() -> impl Strategy<Value = String> {
    one_of![
        select(vec![
            "phpapp::appsetup",
            "cookbook::recipe",
            "nginx",
            "mysql::server",
            "deploy::rails",
            "opsworks_agent::default",
        ])
        .prop_map(str::to_owned),
        regex!("[a-z][a-z0-9_]{0,15}::[a-z][a-z0-9_]{0,15}"),
        regex!("[a-z][a-z0-9_]{0,15}"),
        select(vec![
            "café::recette",
            "中文::食谱",
            "kochbuch::grüße",
            "рецепт::настройка"
        ])
        .prop_map(str::to_owned),
    ]
}

/// `upgrade_os_to` values for `update_dependencies` (V-REBOOT when it is not exactly one
/// non-empty string): never empty; "Amazon Linux 2016.09" and its kin.
#[must_use = "a strategy generates nothing until a runner draws from it"]
pub fn os_version() -> impl Strategy<Value = String> {
    one_of![
        Just("Amazon Linux 2016.09".to_owned()),
        (2014u16..=2018, select(vec!["03", "09"]))
            .prop_map(|(year, month)| format!("Amazon Linux {year}.{month}")),
        select(vec![
            "Amazon Linux 2",
            "Amazon Linux 2018.03",
            "Ubuntu 18.04 LTS",
            "CentOS Linux 7",
            "Red Hat Enterprise Linux 7",
        ])
        .prop_map(str::to_owned),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::{CommandName, CreateDeploymentInput};
    use crate::oracle::{CallerIdentity, judge_request};
    use crate::world::World;
    use proptest::test_runner::Config;

    proptest! {
        #![proptest_config(Config::with_cases(256))]

        #[test]
        fn comments_make_valid_requests(comment in comment()) {
            prop_assert!(comment.len() <= LONG_MAX);
            let world = World::from_json(r#"{"Stacks":[{"StackId":"s1"}]}"#).unwrap();
            let mut input = CreateDeploymentInput::new("s1", CommandName::Setup);
            input.comment = Some(comment.clone());
            let verdict = judge_request(&world, &input.to_raw(), &CallerIdentity::Unsigned);
            prop_assert!(verdict.is_valid(), "{:?}", verdict);
            // The comment survives the wire.
            let back: CreateDeploymentInput = serde_json::from_str(&input.to_json()).unwrap();
            prop_assert_eq!(back.comment, Some(comment));
        }

        #[test]
        fn recipe_names_and_os_versions_are_not_empty(recipe in recipe_name(), os in os_version()) {
            prop_assert!(!recipe.is_empty());
            prop_assert!(!os.is_empty());
        }
    }

    #[test]
    fn repeat_to_never_splits_a_character() {
        for target in 0..40 {
            let text = repeat_to("é🚀a", target);
            assert!(text.len() <= target && text.len() + 4 > target);
        }
        assert_eq!(repeat_to("", 10), "");
    }

    #[test]
    fn long_comments_happen() {
        use proptest::strategy::ValueTree;
        use proptest::test_runner::TestRunner;
        let mut runner = TestRunner::deterministic();
        let strategy = comment();
        let lengths: Vec<usize> = (0..400)
            .map(|_| strategy.new_tree(&mut runner).unwrap().current().len())
            .collect();
        assert!(lengths.iter().any(|length| *length >= 4096));
        assert!(lengths.contains(&0));
        assert!(lengths.iter().all(|length| *length <= LONG_MAX));
    }
}
