#![no_main]
//! See `threshold::fuzz::printer_status`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| threshold::fuzz::printer_status(data));
