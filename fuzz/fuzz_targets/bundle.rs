#![no_main]
//! See `threshold::fuzz::bundle`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| threshold::fuzz::bundle(data));
