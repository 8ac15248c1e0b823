//! Helpers shared by the integration tests: finding the shared corpus.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The real-world corpus: `$MARC_CORPUS`, else `../shared/corpus` from the
/// crate root. `None` when absent outside CI; under `CI=true` a missing
/// corpus is a test failure, never a skip.
pub fn corpus_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("MARC_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"));
    if dir.join("INDEX.tsv").is_file() {
        return Some(dir);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!(
            "CI=true but the MARC corpus is missing at {} (set MARC_CORPUS)",
            dir.display()
        );
    }
    eprintln!(
        "note: corpus not found at {}; skipping (set MARC_CORPUS)",
        dir.display()
    );
    None
}

/// One row of `INDEX.tsv`.
#[derive(Debug, Clone)]
pub struct IndexRow {
    /// Path relative to the corpus directory.
    pub path: String,
    /// Format column (`ISO2709`, `MARCXML`, ...).
    pub format: String,
    /// Encoding column.
    pub encoding: String,
    /// Number of 0x1D bytes.
    pub records: usize,
    /// Notes (`MALFORMED ...` and others).
    pub notes: String,
}

/// Rows of `INDEX.tsv`.
pub fn index(dir: &Path) -> Vec<IndexRow> {
    let text = std::fs::read_to_string(dir.join("INDEX.tsv")).expect("read INDEX.tsv");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split('\t').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).expect(name);
    let (p, f, e, r, n) = (
        col("path"),
        col("format"),
        col("encoding"),
        col("records"),
        col("notes"),
    );
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let c: Vec<&str> = l.split('\t').collect();
            let get = |i: usize| c.get(i).copied().unwrap_or_default().to_string();
            IndexRow {
                path: get(p),
                format: get(f),
                encoding: get(e),
                records: get(r).parse().unwrap_or(0),
                notes: get(n),
            }
        })
        .collect()
}

/// Every ISO 2709 file of the corpus (gzip ones excluded), as
/// (row, file bytes).
pub fn iso2709_files(dir: &Path) -> Vec<(IndexRow, Vec<u8>)> {
    index(dir)
        .into_iter()
        .filter(|r| r.format == "ISO2709")
        .map(|r| {
            let bytes = std::fs::read(dir.join(&r.path)).expect("read corpus file");
            (r, bytes)
        })
        .collect()
}
