//! An `Arbitrary` world, request and signing through the reference target and the oracle: they
//! agree (strictly). See `opsworks_conformance::fuzzing::structured_case`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| opsworks_conformance::fuzzing::structured_case(data));
