#![no_main]
//! See `marcview_fuzz::checks::json_read`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| marcview_fuzz::checks::json_read(data));
