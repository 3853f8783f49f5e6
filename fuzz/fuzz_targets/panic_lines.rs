#![no_main]
//! See `threshold::fuzz::panic_lines`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| threshold::fuzz::panic_lines(data));
