#![no_main]
//! See `threshold::fuzz::scanner_lines`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| threshold::fuzz::scanner_lines(data));
