//! Ids: fresh ones that name nothing, and near misses of real ones.
//!
//! The catalogue compares ids exactly ("no trimming, no case folding, no prefix matching, no
//! Unicode normalisation"), so a near miss of an existing id must be answered like any unknown
//! id (N-STACK, N-APP, N-INSTANCE, N-LAYER). The fifth excluded comparison, coercion of a
//! non-string, is V-TYPE's (see [`numeric_ids`]). A near miss is only guaranteed to differ from the id it was made from:
//! in a world with `stack-1` and `stack-2`, changing one character of one can give the other,
//! so a caller that needs an id naming nothing filters against the world.

use crate::generate::one_of::one_of;
use proptest::prelude::*;
use proptest::sample::{Index, select};

/// The whitespace a near miss pads with: space, tab, newline and NO-BREAK SPACE (U+00A0, which
/// some trimming functions remove and others keep).
const PADDING: [char; 4] = [' ', '\t', '\n', '\u{a0}'];

/// ZERO WIDTH SPACE: invisible in most renderings, never whitespace to `str::trim`.
const ZERO_WIDTH_SPACE: char = '\u{200b}';

/// The characters a near miss substitutes or appends.
const REPLACEMENTS: [char; 8] = ['0', '1', 'a', 'f', 'x', 'Z', '-', '_'];

/// Near misses of `id`, for N-STACK, N-APP, N-INSTANCE and N-LAYER: never `id` itself, and never
/// `""` (which would be M-EMPTY-STRING-IDS instead). Each reveals one comparison the catalogue
/// excludes: trimming, case folding, prefix matching (both ways), Unicode normalisation.
///
/// The variants, simplest first (padded three times as often as most, other case twice):
/// padded (leading and/or trailing space, tab, newline or
/// U+00A0), trimmed (when `id` has surrounding whitespace), in the other case (when that
/// changes it), a shorter non-empty prefix (`id` starts with it), one character changed, one
/// to eight characters appended (it starts with `id`), a zero-width space inserted, one
/// character in a form that Unicode normalisation (NFKC) turns into it (the fullwidth `ａ`
/// U+FF41 for `a`, `１` for `1`, `－` for `-`; the mathematical bold `𝐚` or `𝟏`), and a letter
/// with a diacritic decomposed into a combining sequence (`é` as `e` U+0301, equal under NFC
/// and NFKC) or a combining sequence composed. A variant that does not apply to `id` (trimming
/// `"s1"`, upper-casing `"42"`, truncating `"1"`, trimming `" "` to nothing, decomposing
/// `"s1"`) falls back to appending a character, so the result is never equal to `id`,
/// whatever `id` is (`""` included).
///
/// ```
/// use opsworks_conformance::generate::ids::near_miss_id;
/// use proptest::strategy::{Strategy, ValueTree};
/// use proptest::test_runner::TestRunner;
///
/// let mut runner = TestRunner::deterministic();
/// for _ in 0..50 {
///     let near = near_miss_id("1").new_tree(&mut runner).unwrap().current();
///     assert_ne!(near, "1");
/// }
/// ```
#[must_use = "a strategy generates nothing until a runner draws from it"]
pub fn near_miss_id(id: &str) -> impl Strategy<Value = String> + use<> {
    let id: String = id.to_owned();
    let padded = {
        let id = id.clone();
        (select(&PADDING[..]), 0u8..3).prop_map(move |(pad, side)| match side {
            0 => format!("{id}{pad}"),
            1 => format!("{pad}{id}"),
            _ => format!("{pad}{id}{pad}"),
        })
    };
    let trimmed = {
        let id = id.clone();
        Just(()).prop_map(move |()| trim_padding(&id))
    };
    let other_case = {
        let id = id.clone();
        any::<bool>().prop_map(move |upper| {
            let changed = if upper {
                id.to_uppercase()
            } else {
                id.to_lowercase()
            };
            if changed == id {
                // Only one direction may change it ("stack-1" has no lower case to go to).
                if upper {
                    id.to_lowercase()
                } else {
                    id.to_uppercase()
                }
            } else {
                changed
            }
        })
    };
    let truncated = {
        let id = id.clone();
        any::<Index>().prop_map(move |at| {
            let chars: Vec<char> = id.chars().collect();
            if chars.len() < 2 {
                return id.clone();
            }
            // A prefix of 1 to len - 1 characters.
            chars[..1 + at.index(chars.len() - 1)].iter().collect()
        })
    };
    let changed = {
        let id = id.clone();
        (any::<Index>(), select(&REPLACEMENTS[..])).prop_map(move |(at, replacement)| {
            let mut chars: Vec<char> = id.chars().collect();
            if chars.is_empty() {
                return id.clone();
            }
            let position = at.index(chars.len());
            chars[position] = if chars[position] == replacement {
                // Another replacement: the list has no two equal characters.
                REPLACEMENTS
                    .into_iter()
                    .find(|other| *other != replacement)
                    .unwrap_or('0')
            } else {
                replacement
            };
            chars.into_iter().collect()
        })
    };
    let appended = {
        let id = id.clone();
        proptest::collection::vec(select(&REPLACEMENTS[..]), 1..=8).prop_map(move |extra| {
            let mut longer = id.clone();
            longer.extend(extra);
            longer
        })
    };
    let zero_width = {
        let id = id.clone();
        any::<Index>().prop_map(move |at| {
            let mut chars: Vec<char> = id.chars().collect();
            let position = at.index(chars.len() + 1);
            chars.insert(position, ZERO_WIDTH_SPACE);
            chars.into_iter().collect()
        })
    };
    let compatible = {
        let id = id.clone();
        (any::<Index>(), any::<bool>()).prop_map(move |(at, mathematical)| {
            let mut chars: Vec<char> = id.chars().collect();
            let candidates: Vec<usize> = (0..chars.len())
                .filter(|&i| compatibility_form(chars[i], mathematical).is_some())
                .collect();
            if candidates.is_empty() {
                return id.clone();
            }
            let position = candidates[at.index(candidates.len())];
            if let Some(form) = compatibility_form(chars[position], mathematical) {
                chars[position] = form;
            }
            chars.into_iter().collect()
        })
    };
    let recomposed = {
        let id = id.clone();
        Just(()).prop_map(move |()| decomposed(&id).unwrap_or_else(|| composed(&id)))
    };
    // Padding and case, the laxest lookups real mocks have, are drawn most often.
    one_of![
        3 => padded,
        1 => trimmed,
        2 => other_case,
        1 => truncated,
        1 => changed,
        1 => appended,
        1 => zero_width,
        1 => compatible,
        1 => recomposed,
    ]
    .prop_map(move |near| {
        if near == id || near.is_empty() {
            // The variant did not apply; appending always changes the id.
            format!("{id}x")
        } else {
            near
        }
    })
}

/// A character that NFKC normalisation turns into `c` (a printable ASCII character other than
/// the space): its fullwidth form (U+FF01 to U+FF5E), or with `mathematical` for a letter or
/// digit its mathematical bold form (U+1D400 to U+1D433, U+1D7CE to U+1D7D7). `None` for any
/// other character.
fn compatibility_form(c: char, mathematical: bool) -> Option<char> {
    let code = u32::from(c);
    let offset = if mathematical {
        match c {
            'A'..='Z' => 0x1_D400 - u32::from('A'),
            'a'..='z' => 0x1_D41A - u32::from('a'),
            '0'..='9' => 0x1_D7CE - u32::from('0'),
            _ => return compatibility_form(c, false),
        }
    } else if (0x21..=0x7e).contains(&code) {
        0xff01 - 0x21
    } else {
        return None;
    };
    char::from_u32(code + offset)
}

/// Latin letters with a diacritic and their canonical decompositions (letter, combining mark):
/// equal under NFC and NFKC, different as bytes.
const DECOMPOSITIONS: [(char, char, char); 12] = [
    ('é', 'e', '\u{301}'),
    ('è', 'e', '\u{300}'),
    ('á', 'a', '\u{301}'),
    ('à', 'a', '\u{300}'),
    ('ä', 'a', '\u{308}'),
    ('ö', 'o', '\u{308}'),
    ('ü', 'u', '\u{308}'),
    ('ñ', 'n', '\u{303}'),
    ('ç', 'c', '\u{327}'),
    ('É', 'E', '\u{301}'),
    ('Ä', 'A', '\u{308}'),
    ('Ö', 'O', '\u{308}'),
];

/// `id` with its first precomposed letter of [`DECOMPOSITIONS`] decomposed, if it has one.
fn decomposed(id: &str) -> Option<String> {
    let (at, (_, letter, mark)) = id.char_indices().find_map(|(at, c)| {
        DECOMPOSITIONS
            .iter()
            .find(|(precomposed, ..)| *precomposed == c)
            .map(|entry| (at, *entry))
    })?;
    let rest = &id[at..];
    let after = rest.chars().next().map_or(0, char::len_utf8);
    Some(format!("{}{letter}{mark}{}", &id[..at], &rest[after..]))
}

/// `id` with its first combining sequence of [`DECOMPOSITIONS`] composed; `id` itself when it
/// has none (the caller's fallback then applies).
fn composed(id: &str) -> String {
    for (precomposed, letter, mark) in DECOMPOSITIONS {
        let sequence: String = [letter, mark].iter().collect();
        if id.contains(&sequence) {
            return id.replacen(&sequence, &precomposed.to_string(), 1);
        }
    }
    id.to_owned()
}

/// Numbers in the place of a string id, for V-TYPE: `123`, `0`, `-1`, `1.5`, and each id of the
/// world whose text is a JSON number (`42` for an id `"42"`), which an implementation that
/// coerces a number into its decimal text would find. The N-* rules apply to string ids only:
/// the answer must be `ValidationException` or `SerializationException`, never
/// `ResourceNotFoundException` (and never a success).
#[must_use]
pub fn numeric_ids(world_ids: &[String]) -> Vec<serde_json::Value> {
    let mut numbers: Vec<serde_json::Value> = ["123", "0", "-1", "1.5"]
        .iter()
        .filter_map(|text| serde_json::from_str(text).ok())
        .collect();
    for id in world_ids {
        if let Ok(number @ serde_json::Value::Number(_)) = serde_json::from_str(id) {
            // Only where the number's own text is the id (`42`, not `4.20` or `1e3`).
            let own_text = serde_json::to_string(&number).is_ok_and(|text| text == *id);
            if own_text && !numbers.contains(&number) {
                numbers.push(number);
            }
        }
    }
    numbers
}

/// `id` without the padding characters [`near_miss_id`] adds, at either end.
fn trim_padding(id: &str) -> String {
    id.trim_matches(|c: char| PADDING.contains(&c) || c.is_whitespace())
        .to_owned()
}

/// Fresh UUID-shaped ids (version 4, lowercase hex `8-4-4-4-12`), as OpsWorks issues them, for
/// N-STACK, N-APP, N-INSTANCE and N-LAYER. Deterministic for a seed (the bytes come from the
/// proptest runner, not from the operating system).
#[must_use = "a strategy generates nothing until a runner draws from it"]
pub fn fresh_id() -> impl Strategy<Value = String> {
    any::<[u8; 16]>().prop_map(|bytes| {
        uuid::Builder::from_random_bytes(bytes)
            .into_uuid()
            .to_string()
    })
}

/// Fresh ids (see [`fresh_id`]) that are none of `taken`, for N-STACK, N-APP, N-INSTANCE and
/// N-LAYER: pass every id of the world to get an id that names nothing in it.
#[must_use = "a strategy generates nothing until a runner draws from it"]
pub fn absent_id(taken: Vec<String>) -> impl Strategy<Value = String> {
    fresh_id().prop_filter("a fresh id that is not taken", move |id| {
        !taken.contains(id)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::test_runner::Config;

    /// Ids with every feature a near miss plays with.
    fn some_id() -> impl Strategy<Value = String> {
        one_of![
            Just(String::new()),
            Just("1".to_owned()),
            Just("a".to_owned()),
            Just(" ".to_owned()),
            Just("42".to_owned()),
            Just("stack-1".to_owned()),
            Just(" padded\t".to_owned()),
            Just("\u{a0}".to_owned()),
            Just("Stack-0-Prod".to_owned()),
            Just("ß".to_owned()),
            Just("\u{200b}".to_owned()),
            fresh_id(),
            ".{0,12}",
        ]
    }

    proptest! {
        #![proptest_config(Config::with_cases(256))]

        #[test]
        fn near_misses_are_never_the_id(id in some_id(), seed in any::<u64>()) {
            use proptest::strategy::ValueTree;
            use proptest::test_runner::{RngAlgorithm, TestRng, TestRunner};
            let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &[seed.to_le_bytes(), [7; 8], [1; 8], [9; 8]].concat());
            let mut runner = TestRunner::new_with_rng(Config::default(), rng);
            let mut tree = near_miss_id(&id).new_tree(&mut runner).unwrap();
            prop_assert_ne!(&tree.current(), &id);
            prop_assert!(!tree.current().is_empty());
            // Shrinking keeps the property too.
            for _ in 0..32 {
                if !tree.simplify() {
                    break;
                }
                prop_assert_ne!(&tree.current(), &id);
            }
        }

        #[test]
        fn near_misses_of_a_uuid_are_not_the_uuid(
            (id, near) in fresh_id().prop_flat_map(|id| (Just(id.clone()), near_miss_id(&id)))
        ) {
            prop_assert_ne!(near, id);
        }

        #[test]
        fn fresh_ids_are_uuid_shaped(id in fresh_id()) {
            let groups: Vec<&str> = id.split('-').collect();
            let lengths: Vec<usize> = groups.iter().map(|group| group.len()).collect();
            prop_assert_eq!(lengths, vec![8, 4, 4, 4, 12]);
            prop_assert!(id.chars().all(|c| c == '-' || c.is_ascii_digit() || ('a'..='f').contains(&c)));
        }

        #[test]
        fn absent_ids_are_not_taken(
            (taken, id) in proptest::collection::vec(fresh_id(), 0..8)
                .prop_flat_map(|taken| (Just(taken.clone()), absent_id(taken)))
        ) {
            prop_assert!(!taken.contains(&id));
        }
    }

    #[test]
    fn every_variant_appears() {
        use proptest::strategy::ValueTree;
        use proptest::test_runner::TestRunner;
        let id = " Stack-1";
        let mut runner = TestRunner::deterministic();
        let strategy = near_miss_id(id);
        let seen: Vec<String> = (0..400)
            .map(|_| strategy.new_tree(&mut runner).unwrap().current())
            .collect();
        assert!(seen.iter().any(|near| near == "Stack-1"), "trimmed");
        assert!(
            seen.iter()
                .any(|near| near == " STACK-1" || near == " stack-1"),
            "case"
        );
        assert!(
            seen.iter().any(|near| near.contains('\u{200b}')),
            "zero width"
        );
        assert!(seen.iter().any(|near| near.contains('\u{a0}')), "nbsp");
        assert!(
            seen.iter()
                .any(|near| id.starts_with(near.as_str()) && near.len() < id.len()),
            "prefix"
        );
        assert!(
            seen.iter()
                .any(|near| near.starts_with(id) && near.len() > id.len() + 1),
            "several characters appended"
        );
        assert!(
            seen.iter().any(|near| near.contains('\u{ff33}')
                || near.contains('\u{ff54}')
                || near.contains('\u{ff11}')
                || near.contains('\u{ff0d}')),
            "fullwidth"
        );
        assert!(
            seen.iter().any(|near| near
                .chars()
                .any(|c| ('\u{1d400}'..='\u{1d7ff}').contains(&c))),
            "mathematical"
        );
    }

    #[test]
    fn compatibility_forms_are_what_nfkc_folds() {
        assert_eq!(compatibility_form('a', false), Some('\u{ff41}'));
        assert_eq!(compatibility_form('1', false), Some('\u{ff11}'));
        assert_eq!(compatibility_form('-', false), Some('\u{ff0d}'));
        assert_eq!(compatibility_form('~', false), Some('\u{ff5e}'));
        assert_eq!(compatibility_form('!', false), Some('\u{ff01}'));
        assert_eq!(compatibility_form('a', true), Some('\u{1d41a}'));
        assert_eq!(compatibility_form('Z', true), Some('\u{1d419}'));
        assert_eq!(compatibility_form('1', true), Some('\u{1d7cf}'));
        assert_eq!(compatibility_form('-', true), Some('\u{ff0d}'));
        assert_eq!(compatibility_form(' ', false), None);
        assert_eq!(compatibility_form('é', false), None);
    }

    #[test]
    fn combining_sequences_are_made_and_undone() {
        assert_eq!(decomposed("caf\u{e9}-1").as_deref(), Some("cafe\u{301}-1"));
        assert_eq!(decomposed("stack-1"), None);
        assert_eq!(composed("cafe\u{301}-1"), "caf\u{e9}-1");
        assert_eq!(composed("stack-1"), "stack-1");
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let strategy = near_miss_id("caf\u{e9}");
        let seen: Vec<String> = (0..400)
            .map(|_| {
                use proptest::strategy::ValueTree;
                strategy.new_tree(&mut runner).unwrap().current()
            })
            .collect();
        assert!(seen.iter().any(|near| near == "cafe\u{301}"), "decomposed");
    }

    #[test]
    fn numeric_ids_include_the_numbers_the_world_names() {
        let ids = [
            "42".to_owned(),
            "007".to_owned(),
            "1e3".to_owned(),
            "s1".to_owned(),
        ];
        let numbers: Vec<String> = numeric_ids(&ids).iter().map(ToString::to_string).collect();
        assert_eq!(numbers, ["123", "0", "-1", "1.5", "42"]);
    }
}
