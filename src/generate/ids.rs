//! Ids: fresh ones that name nothing, and near misses of real ones.
//!
//! The catalogue compares ids exactly ("no trimming, no case folding, no prefix matching"), so
//! a near miss of an existing id must be answered like any unknown id (N-STACK, N-APP,
//! N-INSTANCE, N-LAYER). A near miss is only guaranteed to differ from the id it was made from:
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
/// `""` (which would be M-EMPTY-STRING-IDS instead).
///
/// The variants, simplest first: padded (leading and/or trailing space, tab, newline or
/// U+00A0), trimmed (when `id` has surrounding whitespace), in the other case (when that
/// changes it), a shorter non-empty prefix, one character changed, one character appended, a
/// zero-width space inserted. A variant that does not apply to `id` (trimming `"s1"`,
/// upper-casing `"42"`, truncating `"1"`, trimming `" "` to nothing) falls back to appending a
/// character, so the result is never equal to `id`, whatever `id` is (`""` included).
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
        select(&REPLACEMENTS[..]).prop_map(move |extra| format!("{id}{extra}"))
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
    one_of![
        padded, trimmed, other_case, truncated, changed, appended, zero_width
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
    }

    #[test]
    fn near_miss_of_a_world_stack_is_unknown_to_the_oracle() {
        use crate::contract::{CommandName, CreateDeploymentInput, rules};
        use crate::oracle::{CallerIdentity, judge_request};
        use crate::world::World;
        use proptest::strategy::ValueTree;
        use proptest::test_runner::TestRunner;
        let world = World::from_json(r#"{"Stacks":[{"StackId":"Stack-1"}]}"#).unwrap();
        let mut runner = TestRunner::deterministic();
        let strategy = near_miss_id("Stack-1");
        for _ in 0..200 {
            let near = strategy.new_tree(&mut runner).unwrap().current();
            let request = CreateDeploymentInput::new(near, CommandName::Setup).to_raw();
            let verdict = judge_request(&world, &request, &CallerIdentity::Unsigned);
            assert_eq!(verdict.broken(), vec![rules::N_STACK]);
        }
    }
}
