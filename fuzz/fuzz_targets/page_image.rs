#![no_main]
//! See `threshold::fuzz::page_image`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| threshold::fuzz::page_image(data));
