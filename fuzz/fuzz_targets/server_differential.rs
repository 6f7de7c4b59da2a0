//! Bytes as an HTTP request to the reference server's handler, in process: never a panic or a
//! 5xx, and an answer the oracle accepts. See
//! `opsworks_conformance::fuzzing::server_differential`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    opsworks_conformance::fuzzing::server_differential(data)
});
