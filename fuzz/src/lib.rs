//! Fuzz targets for marcview: the checks live in `checks.rs`, which the
//! crate's regression test `tests/fuzz_regressions.rs` includes as well.

pub mod checks;
