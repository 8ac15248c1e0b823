//! How many records marcview recovers from each malformed corpus file,
//! next to pymarc (5.4.0, permissive) on the same file.
//!
//! ```text
//! cargo run --release --example recovery_table [CORPUS_DIR]
//! ```
//!
//! Reads `INDEX.tsv` of the shared corpus (default `../shared/corpus`, or
//! `$MARC_CORPUS`), takes the ISO 2709 files whose notes say MALFORMED, and
//! prints a Markdown table: marcview's lenient reader (records read, errors,
//! warnings) and pymarc's `expected/pymarc/<path>.jsonl` (lines holding a
//! record, lines holding an error, and whether pymarc gave up on the file).

use std::path::{Path, PathBuf};

use marcview::{ReadOptions, Reader};

fn corpus_dir() -> PathBuf {
    if let Some(arg) = std::env::args_os().nth(1) {
        return PathBuf::from(arg);
    }
    std::env::var_os("MARC_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"))
}

/// pymarc's outcome for one file.
#[derive(Default)]
struct Pymarc {
    records: usize,
    errors: usize,
    fatal: bool,
}

fn pymarc(dir: &Path, path: &str) -> Option<Pymarc> {
    let text =
        std::fs::read_to_string(dir.join("expected/pymarc").join(format!("{path}.jsonl"))).ok()?;
    let mut p = Pymarc::default();
    for line in text.lines() {
        // Lines are `{"i": N, "record": ...}`, `{"i": N, "error": ...}` or
        // `{"fatal": ...}`: the first key after the index tells.
        let rest = line
            .strip_prefix("{\"i\": ")
            .map(|r| r.trim_start_matches(|c: char| c.is_ascii_digit()));
        match rest {
            Some(r) if r.starts_with(", \"record\"") => p.records += 1,
            Some(r) if r.starts_with(", \"error\"") => p.errors += 1,
            _ if line.starts_with("{\"fatal\"") => p.fatal = true,
            _ => {}
        }
    }
    Some(p)
}

fn main() {
    let dir = corpus_dir();
    let Ok(index) = std::fs::read_to_string(dir.join("INDEX.tsv")) else {
        eprintln!(
            "no corpus at {} (pass a directory or set MARC_CORPUS)",
            dir.display()
        );
        std::process::exit(2);
    };
    let mut lines = index.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split('\t').collect();
    let col = |name: &str| header.iter().position(|h| *h == name);
    let (Some(pc), Some(fc), Some(nc)) = (col("path"), col("format"), col("notes")) else {
        eprintln!("INDEX.tsv lacks the path, format or notes column");
        std::process::exit(2);
    };

    println!(
        "| file | 0x1D | marcview ok | marcview err | warnings | pymarc records | pymarc errors | Δ ok |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    let mut totals = [0i64; 6];
    let mut files = 0;
    for line in lines {
        let c: Vec<&str> = line.split('\t').collect();
        let get = |i: usize| c.get(i).copied().unwrap_or_default();
        if get(fc) != "ISO2709" || !get(nc).contains("MALFORMED") {
            continue;
        }
        let path = get(pc);
        let Ok(bytes) = std::fs::read(dir.join(path)) else {
            continue;
        };
        let mut reader = Reader::with_options(&bytes, ReadOptions::default());
        let (mut ok, mut err) = (0i64, 0i64);
        for r in reader.by_ref() {
            match r {
                Ok(_) => ok += 1,
                Err(_) => err += 1,
            }
        }
        let warnings = reader.warning_log().total() as i64;
        let terminators = bytes.iter().filter(|&&b| b == 0x1D).count() as i64;
        let (pr, pe, fatal) = match pymarc(&dir, path) {
            Some(p) => (p.records as i64, p.errors as i64, p.fatal),
            None => (0, 0, true),
        };
        println!(
            "| {path} | {terminators} | {ok} | {err} | {warnings} | {pr}{} | {pe} | {:+} |",
            if fatal { " (gave up)" } else { "" },
            ok - pr
        );
        for (t, v) in totals
            .iter_mut()
            .zip([terminators, ok, err, warnings, pr, pe])
        {
            *t += v;
        }
        files += 1;
    }
    let [t, ok, err, w, pr, pe] = totals;
    println!(
        "| **{files} files** | {t} | {ok} | {err} | {w} | {pr} | {pe} | {:+} |",
        ok - pr
    );
}
