//! Strategies built once instead of for every generated value.
//!
//! A `&str` strategy compiles its regular expression each time it makes a value, and a
//! strategy built inside `prop_flat_map` is built again for every value; building them once
//! and sharing them (strategies are immutable) gives the same values from the same random
//! source, at a fraction of the cost.

/// A string strategy for a regular expression literal, compiled once per process: the same
/// values as the `&str` strategy `$pattern`.
macro_rules! regex {
    ($pattern:literal) => {{
        static COMPILED: ::std::sync::OnceLock<
            ::std::sync::Arc<::proptest::string::RegexGeneratorStrategy<String>>,
        > = ::std::sync::OnceLock::new();
        ::std::sync::Arc::clone(COMPILED.get_or_init(|| {
            // The same panic as the `&str` strategy on an invalid pattern (ours are literals).
            ::std::sync::Arc::new(
                ::proptest::string::string_regex($pattern).expect("a valid regex literal"),
            )
        }))
    }};
}

/// The strategy `$make` (of values of type `$value`), built once per thread and shared.
macro_rules! per_thread {
    ($value:ty, $make:expr) => {{
        thread_local! {
            static STRATEGY: ::proptest::strategy::BoxedStrategy<$value> =
                ::proptest::strategy::Strategy::boxed($make);
        }
        STRATEGY
            .try_with(::std::clone::Clone::clone)
            .unwrap_or_else(|_| ::proptest::strategy::Strategy::boxed($make))
    }};
}

pub(crate) use {per_thread, regex};
