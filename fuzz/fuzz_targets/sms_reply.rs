#![no_main]
//! See `threshold::fuzz::sms_reply`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| threshold::fuzz::sms_reply(data));
