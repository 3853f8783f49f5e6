#![no_main]
//! See `threshold::fuzz::ack_token`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| threshold::fuzz::ack_token(data));
