//! Hostile headers and body bytes, any world, any caller: the oracle never panics, is
//! deterministic and accepts its own preferred answer. See `opsworks_conformance::fuzzing::oracle`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| opsworks_conformance::fuzzing::oracle(data));
