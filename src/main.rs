//! The `marcview` command line (work in progress).
fn main() {}
