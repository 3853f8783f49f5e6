#![no_main]
//! See `threshold::fuzz::web_form`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| threshold::fuzz::web_form(data));
