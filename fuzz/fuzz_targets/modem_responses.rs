#![no_main]
//! See `threshold::fuzz::modem_responses`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| threshold::fuzz::modem_responses(data));
