#![no_main]
//! See `threshold::fuzz::config`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| threshold::fuzz::config(data));
