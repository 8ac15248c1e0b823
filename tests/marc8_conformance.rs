//! MARC-8 conformance against the line-by-line conversion oracles of pymarc
//! and ruby-marc (`test_marc8.txt` -> `test_utf8.txt`, Library of Congress
//! records in Hebrew, Arabic and CJK).
//!
//! The corpus is read from `$MARC_CORPUS`, else from `../shared/corpus`
//! relative to the crate root. Without it the tests print a note and pass,
//! except under `CI=true`, where they fail.
//!
//! pymarc normalizes its output to NFC (no expected line changes under NFC,
//! 148 would under NFD), so the decoder runs with `normalize_nfc`. The lines
//! (Hebrew, Arabic, CJK) hold no sequence that NFC would compose, so the
//! output without normalization must match too.

use std::path::{Path, PathBuf};

use marcview::marc8::{self, Marc8Options};
use unicode_normalization::UnicodeNormalization;

/// Expected lines this decoder deliberately does not reproduce: (oracle file,
/// 1-based line, reason). Each entry must really differ, so the list cannot
/// go stale.
const DECODE_ALLOW: &[(&str, usize, &str)] = &[];

/// UTF-8 lines `encode` (strict) cannot write: (oracle file, 1-based line,
/// reason). They must round-trip through `encode_lossy` instead.
const ENCODE_ALLOW: &[(&str, usize, &str)] = &[(
    "pymarc-sdist/test_utf8.txt",
    1515,
    "U+2026, U+2014, U+2019 and U+2122 are not in the MARC-8 repertoire (the MARC-8 line \
     uses non-standard Innovative Interfaces EACC codes for them)",
)];

fn corpus() -> Option<PathBuf> {
    let dir = match std::env::var_os("MARC_CORPUS") {
        Some(d) => PathBuf::from(d),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"),
    };
    if dir.join("pymarc-sdist/test_marc8.txt").is_file() {
        return Some(dir);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!(
            "MARC corpus not found at {} (set MARC_CORPUS); required when CI=true",
            dir.display()
        );
    }
    eprintln!(
        "note: MARC corpus not found at {}; skipping MARC-8 conformance tests",
        dir.display()
    );
    None
}

/// The (MARC-8, UTF-8) line pairs of an oracle.
fn pairs(dir: &Path, marc8_file: &str, utf8_file: &str) -> Vec<(Vec<u8>, String)> {
    let m = std::fs::read(dir.join(marc8_file)).expect("read MARC-8 oracle");
    let u = std::fs::read_to_string(dir.join(utf8_file)).expect("read UTF-8 oracle");
    let m: Vec<&[u8]> = m
        .strip_suffix(b"\n")
        .unwrap_or(&m)
        .split(|&b| b == b'\n')
        .collect();
    let u: Vec<&str> = u.strip_suffix('\n').unwrap_or(&u).split('\n').collect();
    assert_eq!(
        m.len(),
        u.len(),
        "{marc8_file} and {utf8_file} differ in line count"
    );
    m.into_iter()
        .zip(u)
        .map(|(m, u)| (m.to_vec(), u.to_owned()))
        .collect()
}

fn check_decoding(marc8_file: &str, utf8_file: &str, min_lines: usize) {
    let Some(dir) = corpus() else { return };
    let pairs = pairs(&dir, marc8_file, utf8_file);
    assert!(
        pairs.len() >= min_lines,
        "{utf8_file}: only {} lines",
        pairs.len()
    );
    let opts = Marc8Options::new().normalize_nfc(true).strict(true);
    let mut matched = 0;
    let mut failures = Vec::new();
    for (i, (m, want)) in pairs.iter().enumerate() {
        let line = i + 1;
        let mut warnings = Vec::new();
        let got = marc8::decode(m, opts, &mut warnings);
        let allowed = DECODE_ALLOW
            .iter()
            .find(|(f, l, _)| *f == utf8_file && *l == line);
        match (got, allowed) {
            (Ok(got), None) if got == *want => matched += 1,
            (Ok(got), Some((_, _, why))) => {
                assert_ne!(
                    got, *want,
                    "{utf8_file}:{line} is allow-listed ({why}) but matches"
                );
            }
            (got, None) => failures.push(format!("{utf8_file}:{line}: {got:?}\n  want {want:?}")),
            (Err(_), Some(_)) => {}
        }
        // The expected output is NFC, and normalization changes nothing here.
        assert_eq!(
            want.nfc().collect::<String>(),
            *want,
            "{utf8_file}:{line} not NFC"
        );
        if allowed.is_none() {
            let plain = marc8::decode(m, opts.normalize_nfc(false), &mut warnings);
            assert_eq!(
                plain.ok().as_deref(),
                Some(want.as_str()),
                "{utf8_file}:{line} without NFC"
            );
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
    eprintln!(
        "{utf8_file}: {matched}/{} lines match, {} allow-listed",
        pairs.len(),
        DECODE_ALLOW
            .iter()
            .filter(|(f, ..)| *f == utf8_file)
            .count()
    );
}

fn check_round_trip(marc8_file: &str, utf8_file: &str) {
    let Some(dir) = corpus() else { return };
    let opts = Marc8Options::new().normalize_nfc(true).strict(true);
    let mut exact = 0;
    for (i, (_, text)) in pairs(&dir, marc8_file, utf8_file).iter().enumerate() {
        let line = i + 1;
        let allowed = ENCODE_ALLOW
            .iter()
            .find(|(f, l, _)| *f == utf8_file && *l == line);
        match (marc8::encode(text), allowed) {
            (Ok(bytes), None) => {
                let back = marc8::decode(&bytes, opts, &mut Vec::new())
                    .unwrap_or_else(|e| panic!("{utf8_file}:{line}: {e}"));
                assert_eq!(
                    back, *text,
                    "{utf8_file}:{line} round trip via {bytes:02X?}"
                );
                exact += 1;
            }
            (Err(e), None) => panic!("{utf8_file}:{line}: {e}"),
            (Ok(_), Some((_, _, why))) => {
                panic!("{utf8_file}:{line} is allow-listed ({why}) but encodes")
            }
            (Err(_), Some(_)) => {
                let bytes = marc8::encode_lossy(text);
                let back = marc8::decode(&bytes, opts, &mut Vec::new())
                    .unwrap_or_else(|e| panic!("{utf8_file}:{line}: {e}"));
                assert_eq!(back, *text, "{utf8_file}:{line} lossy round trip");
            }
        }
    }
    eprintln!("{utf8_file}: {exact} lines round-trip through encode");
}

#[test]
fn pymarc_oracle_decodes() {
    check_decoding(
        "pymarc-sdist/test_marc8.txt",
        "pymarc-sdist/test_utf8.txt",
        1515,
    );
}

#[test]
fn ruby_marc_oracle_decodes() {
    check_decoding("ruby-marc/test_marc8.txt", "ruby-marc/test_utf8.txt", 1514);
}

#[test]
fn pymarc_oracle_round_trips() {
    check_round_trip("pymarc-sdist/test_marc8.txt", "pymarc-sdist/test_utf8.txt");
}

#[test]
fn ruby_marc_oracle_round_trips() {
    check_round_trip("ruby-marc/test_marc8.txt", "ruby-marc/test_utf8.txt");
}

/// The re-encoded oracle decodes to the same text as the original MARC-8,
/// and the decoder sees the original lines as MARC-8.
#[test]
fn oracle_lines_are_detected() {
    let Some(dir) = corpus() else { return };
    for (m, u) in pairs(
        &dir,
        "pymarc-sdist/test_marc8.txt",
        "pymarc-sdist/test_utf8.txt",
    ) {
        let d = marc8::detect(&m);
        assert!(
            matches!(d, marc8::Detected::Marc8 | marc8::Detected::Ascii),
            "{m:02X?}: {d:?}"
        );
        if !u.is_ascii() {
            assert_eq!(marc8::detect(u.as_bytes()), marc8::Detected::Utf8);
        }
    }
}
