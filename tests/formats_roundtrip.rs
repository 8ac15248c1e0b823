//! ISO 2709 → MARCXML / MARC-in-JSON (array) / NDJSON / mnemonic → ISO 2709
//! for every well-formed UTF-8 record of the corpus (the lenient reader
//! logged no warning for it, and leader/09 is `a`): the bytes written back
//! are the bytes read.
//!
//! Where a format cannot carry a record's bytes the record is named here
//! with the reason, and what comes back is checked to be exactly what the
//! format can carry.
#![cfg(all(feature = "xml", feature = "json"))]
mod common;

use std::collections::{BTreeMap, BTreeSet};

use marcview::json::{self, JsonReader, NdjsonReader};
use marcview::mnemonic::{self, MnemonicReader};
use marcview::xml::{self, XmlReader};
use marcview::{Field, Leader, Reader, Record, RecordView, SUBFIELD_DELIMITER};

/// Files with well-formed records marked UTF-8 whose bytes are not all
/// UTF-8: MARCXML and MARC-in-JSON hold text, so those bytes come back as
/// U+FFFD (checked: nothing else changes). Mnemonic text keeps them as
/// `{XX}` and gives them back. (file, how many records, what the bytes are).
const NOT_UTF8: &[(&str, usize, &str)] = &[
    (
        "marc4j/pride-and-prejudice-with-many-errors.mrc",
        69,
        "Latin-1 and MARC-8 bytes (£, é, ä…) in records marked UTF-8",
    ),
    (
        "marc4j/not_unimarc_errors_3.mrc",
        3,
        "stray 0xB9 bytes before U+FFFD",
    ),
    ("marc4j/sample1.mrc", 1, "a Latin-1 byte in 245"),
    (
        "ruby-marc/utf8_with_bad_bytes.marc",
        1,
        "deliberately bad bytes",
    ),
    (
        "ruby-marc/marc8_accented_chars.marc",
        1,
        "MARC-8 diacritics in a record marked UTF-8",
    ),
    (
        "traject/bad_utf_byte.utf8.marc",
        1,
        "deliberately bad byte in 300",
    ),
    (
        "mrrc/e301_invalid_utf8_in_subfield.bin",
        1,
        "deliberately bad byte in 100",
    ),
    (
        "mrrc/e301_invalid_utf8_in_control_field.bin",
        1,
        "deliberately bad byte in 008",
    ),
];

/// Records only MARCXML cannot carry: (file, record, reason).
const NOT_XML: &[(&str, u64, &str)] = &[(
    "mrrc/e202_non_printable_subfield_code.bin",
    1,
    "100's subfield code is NUL, a character XML 1.0 forbids: written (and read back) as U+FFFD",
)];

/// The record as a text format can carry it: bytes that are not UTF-8 as
/// U+FFFD, and for XML also the control characters XML 1.0 forbids.
fn as_text(v: &RecordView<'_>, xml: bool) -> Record {
    let text = |b: &[u8]| -> Vec<u8> {
        let s = String::from_utf8_lossy(b);
        let s: String = s
            .chars()
            .map(|c| {
                let forbidden = c < ' ' && !matches!(c, '\t' | '\n' | '\r');
                if xml && forbidden { '\u{FFFD}' } else { c }
            })
            .collect();
        s.into_bytes()
    };
    let leader = Leader::from_slice(&text(v.leader().as_bytes())).unwrap_or(*v.leader());
    let mut r = Record::with_leader(leader);
    for f in v.fields() {
        let parts: Vec<Vec<u8>> = f
            .raw_value()
            .split(|&b| b == SUBFIELD_DELIMITER)
            .map(text)
            .collect();
        let raw = parts.join(&SUBFIELD_DELIMITER);
        r.push_field(Field::from_raw(f.tag(), raw).unwrap())
            .unwrap();
    }
    r
}

/// Writes `good` in `format` and reads it back.
fn through(format: &str, good: &[&RecordView<'_>]) -> Vec<Record> {
    let mut text = Vec::new();
    let records = good.iter().copied();
    let back: Result<Vec<Record>, String> = match format {
        "xml" => {
            xml::write_records(&mut text, records).unwrap();
            XmlReader::new(&text[..])
                .map(|r| r.map_err(|e| e.to_string()))
                .collect()
        }
        "json" => {
            json::write_records(&mut text, records).unwrap();
            JsonReader::new(&text[..])
                .map(|r| r.map_err(|e| e.to_string()))
                .collect()
        }
        "ndjson" => {
            json::write_ndjson(&mut text, records).unwrap();
            NdjsonReader::new(&text[..])
                .map(|r| r.map_err(|e| e.to_string()))
                .collect()
        }
        _ => {
            mnemonic::write_records(&mut text, records).unwrap();
            MnemonicReader::new(&text[..])
                .map(|r| r.map_err(|e| e.to_string()))
                .collect()
        }
    };
    back.unwrap_or_else(|e| panic!("{format}: {e}"))
}

#[test]
fn well_formed_utf8_records_round_trip_byte_for_byte() {
    let Some(dir) = common::corpus_dir() else {
        return;
    };
    const FORMATS: [&str; 4] = ["xml", "json", "ndjson", "mrk"];
    let mut identical: BTreeMap<&str, usize> = BTreeMap::new();
    let mut not_utf8: BTreeMap<(&str, String), usize> = BTreeMap::new();
    let mut not_xml = BTreeSet::new();
    let mut failures = Vec::new();
    let mut total = 0;
    for (row, bytes) in common::iso2709_files(&dir) {
        let mut reader = Reader::new(&bytes);
        let views: Vec<RecordView<'_>> = reader.by_ref().flatten().collect();
        let warned: BTreeSet<u64> = reader
            .warnings()
            .iter()
            .map(|w| w.location.record)
            .collect();
        let good: Vec<&RecordView<'_>> = views
            .iter()
            .filter(|v| !warned.contains(&v.record_number()) && v.leader().coding_byte() == b'a')
            .collect();
        total += good.len();
        for format in FORMATS {
            let back = through(format, &good);
            assert_eq!(back.len(), good.len(), "{format} {}", row.path);
            for (v, r) in good.iter().zip(&back) {
                let n = v.record_number();
                if r.to_iso2709().unwrap() == v.raw() {
                    *identical.entry(format).or_default() += 1;
                    continue;
                }
                let is_utf8 = v
                    .fields()
                    .all(|f| std::str::from_utf8(f.raw_value()).is_ok());
                let xml_only =
                    format == "xml" && NOT_XML.iter().any(|(p, k, _)| *p == row.path && *k == n);
                if format != "mrk" && !is_utf8 {
                    *not_utf8.entry((format, row.path.clone())).or_default() += 1;
                } else if xml_only {
                    not_xml.insert((row.path.clone(), n));
                } else {
                    failures.push(format!("{format}: {} #{n} does not round-trip", row.path));
                    continue;
                }
                if *r != as_text(v, format == "xml") {
                    failures.push(format!(
                        "{format}: {} #{n} changed beyond what the format cannot carry",
                        row.path
                    ));
                }
            }
        }
    }
    eprintln!("{total} well-formed UTF-8 records; byte-identical after the trip: {identical:?}");
    for format in ["xml", "json", "ndjson"] {
        for (path, count, _) in NOT_UTF8 {
            let got = not_utf8
                .get(&(format, path.to_string()))
                .copied()
                .unwrap_or(0);
            if got != *count {
                failures.push(format!(
                    "{format}: {path}: {got} records not UTF-8, listed {count}"
                ));
            }
        }
    }
    let listed: usize = NOT_UTF8.iter().map(|(_, c, _)| c).sum();
    if not_utf8.values().sum::<usize>() != 3 * listed {
        failures.push(format!(
            "records not UTF-8 outside the listed files: {not_utf8:?}"
        ));
    }
    let listed_xml: BTreeSet<(String, u64)> = NOT_XML
        .iter()
        .map(|(p, n, _)| (p.to_string(), *n))
        .collect();
    if not_xml != listed_xml {
        failures.push(format!(
            "MARCXML-only differences {not_xml:?}, listed {listed_xml:?}"
        ));
    }
    assert!(failures.is_empty(), "{failures:#?}");
    assert!(total > 19_000, "{total}");
    assert_eq!(identical["mrk"], total);
    assert_eq!(identical["json"], total - listed);
    assert_eq!(identical["ndjson"], total - listed);
    assert_eq!(identical["xml"], total - listed - NOT_XML.len());
}
