//! A weighted choice between strategies that costs the same whatever option is drawn: what
//! `prop_oneof!` does, made cheap to generate.
//!
//! Proptest's unions give every option before the one drawn a lazy value tree holding a copy
//! of the test runner and a new random generator, so that shrinking can move to earlier
//! options; moving those trees about is most of what generating a case costs. [`OneOf`] keeps
//! only the drawn option's tree and one 64-bit seed, and builds an earlier option's tree from
//! that seed when shrinking gets there. It shrinks the way proptest's unions do: first the
//! drawn option's value, then towards earlier options.

use std::fmt;
use std::sync::Arc;

use proptest::prelude::{Rng, RngExt};
use proptest::strategy::{BoxedStrategy, NewTree, Strategy, ValueTree};
use proptest::test_runner::{RngAlgorithm, TestRng, TestRunner};

/// A weighted choice between strategies of the same values; see [`one_of!`].
pub(crate) struct OneOf<T> {
    options: Arc<[(u32, BoxedStrategy<T>)]>,
    total: u32,
}

impl<T> Clone for OneOf<T> {
    fn clone(&self) -> Self {
        OneOf {
            options: Arc::clone(&self.options),
            total: self.total,
        }
    }
}

impl<T> fmt::Debug for OneOf<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OneOf")
            .field("options", &self.options.len())
            .field("total", &self.total)
            .finish()
    }
}

impl<T: fmt::Debug> OneOf<T> {
    /// A choice between `options`, each drawn with probability weight / sum of weights.
    ///
    /// # Panics
    /// When `options` is empty, a weight is 0, or the weights add up to more than `u32::MAX`
    /// (as `prop_oneof!` does; the options are literals in this crate).
    pub(crate) fn new(options: Vec<(u32, BoxedStrategy<T>)>) -> Self {
        assert!(!options.is_empty(), "a choice needs at least one option");
        let total = options.iter().fold(0u32, |total, (weight, _)| {
            assert!(*weight > 0, "a weight of 0 in a choice");
            total
                .checked_add(*weight)
                .expect("the weights of a choice add up to more than u32::MAX")
        });
        OneOf {
            options: options.into(),
            total,
        }
    }
}

impl<T: fmt::Debug> OneOf<T> {
    /// A choice between `options`, each as likely as the others.
    ///
    /// # Panics
    /// When `options` is empty.
    pub(crate) fn uniform<S>(options: impl IntoIterator<Item = S>) -> Self
    where
        S: Strategy<Value = T> + 'static,
    {
        OneOf::new(
            options
                .into_iter()
                .map(|option| (1, option.boxed()))
                .collect(),
        )
    }
}

impl<T: fmt::Debug> Strategy for OneOf<T> {
    type Tree = OneOfTree<T>;
    type Value = T;

    fn new_tree(&self, runner: &mut TestRunner) -> NewTree<Self> {
        let mut roll = runner.rng().random_range(0..self.total);
        let seed = runner.rng().next_u64();
        let mut pick = self.options.len() - 1;
        for (index, (weight, _)) in self.options.iter().enumerate() {
            if roll < *weight {
                pick = index;
                break;
            }
            roll -= weight;
        }
        let current = self.options[pick].1.new_tree(runner)?;
        Ok(OneOfTree {
            options: Arc::clone(&self.options),
            seed,
            pick,
            min_pick: 0,
            current,
            previous: None,
        })
    }
}

/// The value tree of [`OneOf`]: the drawn option's tree, and how to build the earlier ones.
pub(crate) struct OneOfTree<T> {
    options: Arc<[(u32, BoxedStrategy<T>)]>,
    /// Where the random source of an earlier option's tree comes from.
    seed: u64,
    /// The option whose tree is `current`.
    pick: usize,
    /// The earliest option shrinking may still move to.
    min_pick: usize,
    current: Box<dyn ValueTree<Value = T>>,
    /// The option and tree that the last move to an earlier option left, for `complicate`.
    previous: Option<(usize, Box<dyn ValueTree<Value = T>>)>,
}

impl<T> fmt::Debug for OneOfTree<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OneOfTree")
            .field("pick", &self.pick)
            .field("min_pick", &self.min_pick)
            .finish_non_exhaustive()
    }
}

impl<T: fmt::Debug> OneOfTree<T> {
    /// The tree of option `index`, drawn from a random source of its own (the same one each
    /// time for the same case).
    fn tree_of(&self, index: usize) -> Option<Box<dyn ValueTree<Value = T>>> {
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&self.seed.to_le_bytes());
        bytes[8..].copy_from_slice(&(index as u64 ^ 0x9e37_79b9_7f4a_7c15).to_le_bytes());
        let mut runner = TestRunner::new_with_rng(
            crate::generate::stream::runner_config(),
            TestRng::from_seed(RngAlgorithm::XorShift, &bytes),
        );
        self.options[index].1.new_tree(&mut runner).ok()
    }
}

impl<T: fmt::Debug> ValueTree for OneOfTree<T> {
    type Value = T;

    fn current(&self) -> T {
        self.current.current()
    }

    fn simplify(&mut self) -> bool {
        if self.current.simplify() {
            self.previous = None;
            return true;
        }
        let mut earlier = self.pick;
        while earlier > self.min_pick {
            earlier -= 1;
            // An option that cannot make a value is skipped, as proptest's unions do.
            if let Some(tree) = self.tree_of(earlier) {
                let left = std::mem::replace(&mut self.current, tree);
                self.previous = Some((self.pick, left));
                self.pick = earlier;
                return true;
            }
        }
        self.min_pick = self.pick;
        false
    }

    fn complicate(&mut self) -> bool {
        match self.previous.take() {
            Some((pick, tree)) => {
                self.current = tree;
                self.pick = pick;
                self.min_pick = pick;
                true
            }
            None => self.current.complicate(),
        }
    }
}

/// A weighted choice between strategies, with the syntax of `prop_oneof!`
/// (`one_of![a, b]` or `one_of![3 => a, 1 => b]`), as a [`OneOf`].
macro_rules! one_of {
    ($($weight:expr => $strategy:expr),+ $(,)?) => {
        $crate::generate::one_of::OneOf::new(::std::vec![
            $(($weight, ::proptest::strategy::Strategy::boxed($strategy))),+
        ])
    };
    ($($strategy:expr),+ $(,)?) => {
        $crate::generate::one_of::one_of![$(1 => $strategy),+]
    };
}

/// `None` or a value of `strategy`, each half of the time; shrinks towards `None` (what
/// `proptest::option::of` does).
pub(crate) fn maybe<S>(strategy: S) -> OneOf<Option<S::Value>>
where
    S: Strategy + 'static,
{
    one_of![
        proptest::strategy::LazyJust::new(|| None),
        strategy.prop_map(Some)
    ]
}

pub(crate) use one_of;

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::Just;
    use proptest::test_runner::Config;

    fn runner(seed: u8) -> TestRunner {
        TestRunner::new_with_rng(
            Config::default(),
            TestRng::from_seed(RngAlgorithm::XorShift, &[seed; 16]),
        )
    }

    #[test]
    fn every_option_is_drawn_about_as_often_as_its_weight_says() {
        let choice = one_of![1 => Just(0usize), 3 => Just(1usize)];
        let mut runner = runner(1);
        let mut counts = [0usize; 2];
        for _ in 0..4000 {
            let value = choice.new_tree(&mut runner).map(|tree| tree.current());
            counts[value.unwrap_or(0)] += 1;
        }
        assert!((800..1200).contains(&counts[0]), "{counts:?}");
        assert!((2800..3200).contains(&counts[1]), "{counts:?}");
    }

    #[test]
    fn the_same_random_source_gives_the_same_values() {
        let choice = one_of![0u32..100, 100u32..200, 200u32..300];
        let draw = |seed| {
            let mut runner = runner(seed);
            (0..50)
                .map(|_| choice.new_tree(&mut runner).map(|tree| tree.current()))
                .collect::<Vec<_>>()
        };
        assert_eq!(draw(7), draw(7));
        assert_ne!(draw(7), draw(8));
    }

    #[test]
    fn shrinking_simplifies_the_drawn_option_then_moves_to_earlier_ones() {
        let choice = one_of![Just(-1i64), 1000i64..2000, 5000i64..6000];
        let mut runner = runner(3);
        let mut tree = loop {
            let tree = choice.new_tree(&mut runner).map_err(|e| e.to_string());
            let tree = tree.unwrap_or_else(|reason| panic!("{reason}"));
            if tree.current() >= 5000 {
                break tree;
            }
        };
        // Shrink as proptest's runner does, the "test" failing for values >= 0: the drawn
        // option simplifies to 5000, then the earlier option gives a value of its own, which
        // simplifies to 1000; the first option (-1) passes, so shrinking comes back to 1000.
        let mut failing = tree.current();
        loop {
            if tree.current() >= 0 {
                failing = tree.current();
                if !tree.simplify() {
                    break;
                }
            } else if !tree.complicate() {
                break;
            }
        }
        assert_eq!(failing, 1000);
        assert_eq!(tree.current(), 1000);
    }

    #[test]
    fn complicating_after_a_move_returns_to_the_option_left() {
        let choice = one_of![Just(0u8), Just(1u8)];
        let mut runner = runner(5);
        let mut tree = loop {
            let tree = choice.new_tree(&mut runner).map_err(|e| e.to_string());
            let tree = tree.unwrap_or_else(|reason| panic!("{reason}"));
            if tree.current() == 1 {
                break tree;
            }
        };
        assert!(tree.simplify());
        assert_eq!(tree.current(), 0);
        assert!(tree.complicate());
        assert_eq!(tree.current(), 1);
        assert!(!tree.simplify(), "the earlier option was ruled out");
    }

    #[test]
    fn maybe_makes_both_and_shrinks_to_none() {
        let mut runner = runner(9);
        let strategy = maybe(1u8..10);
        let values: Vec<_> = (0..200)
            .filter_map(|_| strategy.new_tree(&mut runner).ok())
            .map(|tree| tree.current())
            .collect();
        assert!(values.iter().any(Option::is_none));
        assert!(values.iter().any(Option::is_some));
        let mut tree = loop {
            if let Ok(tree) = strategy.new_tree(&mut runner)
                && tree.current().is_some()
            {
                break tree;
            }
        };
        while tree.simplify() {}
        assert_eq!(tree.current(), None);
    }
}
