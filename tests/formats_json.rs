//! MARC-in-JSON against the corpus: marcview's JSON of every UTF-8 record
//! of the ISO 2709 files against pymarc's reading of the same bytes
//! (`expected/pymarc/<path>.jsonl`), and every MARC-in-JSON file of the
//! corpus read back.
#![cfg(feature = "json")]
mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::BufReader;
use std::path::Path;

use marcview::json::{self, JsonError, JsonReader, NdjsonReader};
use marcview::{Reader, Record, RecordView};
use serde_json::Value;

/// What a listed difference is allowed to be.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Allowed {
    /// Only subfields whose code byte is above 0x7F differ (checked):
    /// marcview writes the UTF-8 character the byte starts as the code
    /// (U+FFFD when it starts none) and the value from the next character,
    /// so that the bytes can be restored; pymarc writes another code.
    NonAsciiCode,
    /// The records are read differently (see the reason).
    Reading,
}

/// Records whose MARC-in-JSON differs from pymarc's on purpose:
/// (file, 1-based record number, what may differ, reason).
const PYMARC_DIFFERENCES: &[(&str, u64, Allowed, &str)] = &[
    (
        "marc4j/not_unimarc_errors_3.mrc",
        1,
        Allowed::NonAsciiCode,
        "776 has code byte 0xB9 then U+FFFD: marcview {\"\u{FFFD}\": \"\u{FFFD}ayāh…\"}, pymarc {\"1\": …}",
    ),
    (
        "marc4j/not_unimarc_errors_3.mrc",
        2,
        Allowed::NonAsciiCode,
        "880 has U+FFFD (EF BF BD) as its code: marcview {\"\u{FFFD}\": \"[?]…\"}, pymarc {\"[\": \"[?]…\"}",
    ),
    (
        "marc4j/not_unimarc_errors_3.mrc",
        3,
        Allowed::NonAsciiCode,
        "880 has U+FFFD (EF BF BD) as its code, as in record 2",
    ),
    (
        "pymarc-sdist/utf8_invalid.mrc",
        1,
        Allowed::NonAsciiCode,
        "260 has U+FFFD (EF BF BD) as its code: marcview {\"\u{FFFD}\": \"bAssociation…\"}, pymarc {\"b\": \"bAssociation…\"}",
    ),
    (
        "yaz/marc2.xml.marc",
        1,
        Allowed::NonAsciiCode,
        "795 has code å (C3 A5): marcview {\"å\": \"11\"}",
    ),
    (
        "yaz/tmarc2.xml.marc",
        1,
        Allowed::NonAsciiCode,
        "795 has code å, as yaz/marc2.xml.marc",
    ),
    (
        "yaz/xml2marc2.xml.marc",
        1,
        Allowed::NonAsciiCode,
        "795 has code å, as yaz/marc2.xml.marc",
    ),
    (
        "yaz/xml2tmarc2.xml.marc",
        1,
        Allowed::NonAsciiCode,
        "795 has code å, as yaz/marc2.xml.marc",
    ),
    (
        "yaz/marc5.xml.marc",
        1,
        Allowed::NonAsciiCode,
        "250 has code η (CE B7): marcview {\"η\": \" εκδ.\"}, pymarc {\" \": \" εκδ.\"}",
    ),
    (
        "yaz/marc5.json.marc",
        1,
        Allowed::NonAsciiCode,
        "250 has code η, as yaz/marc5.xml.marc",
    ),
    (
        "yaz/tmarc5.xml.marc",
        1,
        Allowed::NonAsciiCode,
        "250 has code η, as yaz/marc5.xml.marc",
    ),
    (
        "yaz/xml2marc5.xml.marc",
        1,
        Allowed::NonAsciiCode,
        "250 has code η, as yaz/marc5.xml.marc",
    ),
    (
        "yaz/xml2tmarc5.xml.marc",
        1,
        Allowed::NonAsciiCode,
        "250 has code η, as yaz/marc5.xml.marc",
    ),
    (
        "pymarc-sdist/bad_indicator.dat",
        1,
        Allowed::Reading,
        "a directory entry has the tag '0 2': tags are ASCII digits and uppercase letters, so \
         marcview's reader skips that field with a warning; pymarc keeps it",
    ),
    (
        "mrrc/e106_field_length_past_data.bin",
        1,
        Allowed::Reading,
        "100's declared length 9999 runs past the record: marcview re-cuts the fields at their \
         terminators, pymarc reads on through the next fields",
    ),
];

/// MARC-in-JSON files whose reading differs from INDEX.tsv's count or has
/// errors: (file, records read, errors, reason).
const JSON_COUNTS: &[(&str, usize, usize, &str)] = &[
    (
        "marc4j/marc-json.json",
        0,
        1,
        "marc4j's other JSON format (unquoted keys): not JSON",
    ),
    (
        "marc4j/summerland-indented-marc-json.json",
        0,
        1,
        "marc4j's other JSON format (unquoted keys): not JSON",
    ),
    (
        "marc4j/summerland-marc-json.json",
        0,
        1,
        "marc4j's other JSON format (unquoted keys): not JSON",
    ),
    (
        "catmandu-marc/old_new.json",
        0,
        2,
        "Catmandu's own {\"record\": [[tag, ind1, ind2, code, value…]…]} form, not MARC-in-JSON",
    ),
    (
        "yaz/marc12.json",
        0,
        1,
        "an 880 $a value holds \\u001f (a subfield delimiter, left by yaz's MARC-8 conversion): \
         ISO 2709 cannot store it in a value, so the record is a located error",
    ),
    (
        "mrrc/e402_malformed_marcjson.json",
        0,
        1,
        "a string is not terminated: not JSON",
    ),
];

/// pymarc's reading of `path`: per record, its object, or `None` where it
/// gave an error.
fn pymarc(dir: &Path, path: &str) -> Vec<Option<Value>> {
    let p = dir.join("expected/pymarc").join(format!("{path}.jsonl"));
    let text = std::fs::read_to_string(p).expect("pymarc expectation for every ISO 2709 file");
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: Value = serde_json::from_str(l).expect("valid JSON lines");
            v.get("record").cloned()
        })
        .collect()
}

fn first_difference(ours: &Value, theirs: &Value) -> String {
    if ours["leader"] != theirs["leader"] {
        return format!("leader {} vs pymarc {}", ours["leader"], theirs["leader"]);
    }
    let empty = Vec::new();
    let a = ours["fields"].as_array().unwrap_or(&empty);
    let b = theirs["fields"].as_array().unwrap_or(&empty);
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        if x != y {
            return format!("field {i}: marcview {x} vs pymarc {y}");
        }
    }
    format!("{} fields vs pymarc {}", a.len(), b.len())
}

/// `v`'s JSON without the subfields whose code byte is above 0x7F, and the
/// same subfields (by position) dropped from `theirs`.
fn without_non_ascii_codes(v: &RecordView<'_>, ours: &Value, theirs: &Value) -> (Value, Value) {
    let (mut a, mut b) = (ours.clone(), theirs.clone());
    for (i, f) in v.fields().enumerate() {
        let drop: BTreeSet<usize> = f
            .subfields()
            .enumerate()
            .filter(|(_, s)| !s.code.is_ascii())
            .map(|(k, _)| k)
            .collect();
        if drop.is_empty() {
            continue;
        }
        for side in [&mut a, &mut b] {
            let Some(obj) = side["fields"][i].as_object_mut() else {
                continue;
            };
            for body in obj.values_mut() {
                if let Some(subs) = body.get_mut("subfields").and_then(Value::as_array_mut) {
                    let kept = subs
                        .iter()
                        .enumerate()
                        .filter(|(k, _)| !drop.contains(k))
                        .map(|(_, s)| s.clone())
                        .collect();
                    *subs = kept;
                }
            }
        }
    }
    (a, b)
}

#[test]
fn json_agrees_with_pymarc() {
    let Some(dir) = common::corpus_dir() else {
        return;
    };
    let (mut files, mut compared, mut agreed) = (0, 0, 0);
    let mut failures = Vec::new();
    let mut found = BTreeSet::new();
    for (row, bytes) in common::iso2709_files(&dir) {
        let expected = pymarc(&dir, &row.path);
        let mut reader = Reader::new(&bytes);
        let by_number: BTreeMap<u64, RecordView<'_>> = reader
            .by_ref()
            .flatten()
            .map(|v| (v.record_number(), v))
            .collect();
        let mut counted = false;
        // pymarc's k-th record is marcview's record k + 1: both count bad
        // records too.
        for (k, theirs) in expected.iter().enumerate() {
            let Some(theirs) = theirs else {
                continue;
            };
            let n = k as u64 + 1;
            let Some(v) = by_number.get(&n) else {
                failures.push(format!(
                    "{} #{n}: pymarc read it, marcview did not",
                    row.path
                ));
                continue;
            };
            if v.leader().coding_byte() != b'a' {
                continue;
            }
            if !counted {
                files += 1;
                counted = true;
            }
            compared += 1;
            let mut out = Vec::new();
            json::append_record(&mut out, v);
            let ours: Value = serde_json::from_slice(&out).expect("marcview writes valid JSON");
            if ours == *theirs {
                agreed += 1;
                continue;
            }
            let listed = PYMARC_DIFFERENCES
                .iter()
                .find(|(p, r, ..)| *p == row.path && *r == n);
            eprintln!("{} #{n}: {}", row.path, first_difference(&ours, theirs));
            match listed {
                None => failures.push(format!(
                    "{} #{n} differs from pymarc, not listed: {}",
                    row.path,
                    first_difference(&ours, theirs)
                )),
                Some((.., Allowed::NonAsciiCode, _)) => {
                    let (a, b) = without_non_ascii_codes(v, &ours, theirs);
                    if a != b {
                        failures.push(format!(
                            "{} #{n}: differs beyond non-ASCII codes: {}",
                            row.path,
                            first_difference(&a, &b)
                        ));
                    }
                }
                Some((.., Allowed::Reading, _)) => {}
            }
            found.insert((row.path.clone(), n));
        }
    }
    for (p, n, ..) in PYMARC_DIFFERENCES {
        if !found.contains(&(p.to_string(), *n)) {
            failures.push(format!("{p} #{n} is listed but agrees with pymarc"));
        }
    }
    eprintln!(
        "{files} files, {compared} UTF-8 records read by both: {agreed} identical to pymarc, {} listed",
        found.len()
    );
    assert!(failures.is_empty(), "{failures:#?}");
    assert!(compared > 19_000, "only {compared} records compared");
}

/// Reads a file with [`JsonReader`]: (records, errors).
fn read_json(path: &Path) -> (Vec<Record>, Vec<JsonError>, u64) {
    let f = std::fs::File::open(path).unwrap();
    let mut r = JsonReader::new(BufReader::new(f));
    let (mut ok, mut err) = (Vec::new(), Vec::new());
    for rec in r.by_ref() {
        match rec {
            Ok(x) => ok.push(x),
            Err(e) => err.push(e),
        }
    }
    (ok, err, r.warning_total())
}

#[test]
fn every_json_file_reads() {
    let Some(dir) = common::corpus_dir() else {
        return;
    };
    let mut failures = Vec::new();
    let (mut files, mut records) = (0, 0);
    for row in common::index(&dir)
        .iter()
        .filter(|r| r.format.contains("JSON"))
    {
        files += 1;
        let (ok, err, warnings) = read_json(&dir.join(&row.path));
        for e in &err {
            eprintln!("{}: {e}", row.path);
        }
        eprintln!(
            "{}: {} records, {} errors, {warnings} warnings",
            row.path,
            ok.len(),
            err.len()
        );
        records += ok.len();
        let expected = JSON_COUNTS
            .iter()
            .find(|(p, ..)| *p == row.path)
            .map_or((row.records, 0), |&(_, ok, err, _)| (ok, err));
        if (ok.len(), err.len()) != expected {
            failures.push(format!(
                "{}: {} records and {} errors, expected {expected:?}",
                row.path,
                ok.len(),
                err.len()
            ));
        }
        if row.format.contains("NDJSON") {
            // Line by line, the same records.
            let f = std::fs::File::open(dir.join(&row.path)).unwrap();
            let by_line: Vec<_> = NdjsonReader::new(BufReader::new(f)).collect();
            let good: Vec<Record> = by_line
                .iter()
                .filter_map(|r| r.as_ref().ok().cloned())
                .collect();
            if good != ok {
                failures.push(format!(
                    "{}: NdjsonReader and JsonReader disagree",
                    row.path
                ));
            }
        }
    }
    eprintln!("{files} JSON files: {records} records");
    assert!(failures.is_empty(), "{failures:#?}");
    assert!(files >= 29, "{files}");
}

/// JSON files whose records also exist as ISO 2709 (yaz's `marcN.json.marc`
/// is yaz's own conversion of `marcN.json`): reading the JSON gives the same
/// records, byte for byte once written, except where listed.
const TWIN_DIFFERENCES: &[(&str, &str)] = &[
    (
        "yaz/marc0.json",
        "092's ind2 is \"á\": an indicator is one byte, so marcview reads a blank (with a \
         warning); yaz wrote the character's two bytes, making a three-byte indicator area",
    ),
    (
        "yaz/marc1.json",
        "a DanMARC2 record (leader/10 = 3) with ind3 on every data field: MARC-in-JSON as \
         marcview reads it has two indicators (ind3 gets a warning); yaz kept three",
    ),
    ("yaz/marc2.json", "DanMARC2 with ind3, as yaz/marc1.json"),
    (
        "yaz/marc12.json",
        "an 880 value holds \\u001f: marcview rejects the record, yaz split the subfield there",
    ),
];

#[test]
fn json_files_match_their_iso2709_twins() {
    let Some(dir) = common::corpus_dir() else {
        return;
    };
    let mut pairs: Vec<(String, String)> = vec![(
        "traject/test_data.utf8.json".into(),
        "traject/test_data.utf8.mrc".into(),
    )];
    for n in 0..=12 {
        pairs.push((
            format!("yaz/marc{n}.json"),
            format!("yaz/marc{n}.json.marc"),
        ));
    }
    let (mut compared, mut differing) = (0, BTreeSet::new());
    for (json_path, iso_path) in pairs {
        let (recs, errs, _) = read_json(&dir.join(&json_path));
        let iso = std::fs::read(dir.join(&iso_path)).unwrap();
        let twins: Vec<Vec<u8>> = Reader::new(&iso)
            .map(|v| v.unwrap().to_owned().to_iso2709().unwrap())
            .collect();
        let ours: Vec<Vec<u8>> = recs.iter().map(|r| r.to_iso2709().unwrap()).collect();
        if !errs.is_empty() || ours != twins {
            differing.insert(json_path.clone());
            continue;
        }
        compared += ours.len();
    }
    let listed: BTreeSet<String> = TWIN_DIFFERENCES
        .iter()
        .map(|(p, _)| p.to_string())
        .collect();
    assert_eq!(differing, listed);
    assert_eq!(compared, 30 + 9);
}
