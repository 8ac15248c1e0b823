#![no_main]
//! See `marcview_fuzz::checks::marc8_decode`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| marcview_fuzz::checks::marc8_decode(data));
