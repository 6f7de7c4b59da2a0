//! Bytes as a world file: parsed or refused with an error, never a panic; a parsed world
//! round-trips. See `opsworks_conformance::fuzzing::world_file`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| opsworks_conformance::fuzzing::world_file(data));
