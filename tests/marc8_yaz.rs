//! MARC-8 corpus records decoded by marcview against yaz-marcdump's
//! conversion (`expected/yaz/<path>.utf8.xml`, made with
//! `-f MARC-8 -t UTF-8 -l 9=97`), compared after NFC on both sides (yaz
//! keeps MARC-8's decomposed form, marcview may compose).
#![cfg(feature = "xml")]

mod common;

use marcview::marc8::Marc8Options;
use marcview::transcode::{SourceEncoding, to_utf8};
use marcview::xml::XmlReader;
use marcview::{Reader, Record};
use unicode_normalization::UnicodeNormalization;

/// Records where marcview's decoding deliberately differs from yaz's:
/// (file, 1-based record number, reason).
const KNOWN: &[(&str, u64, &str)] = &[
    (
        "marc4j/185258.mrc",
        1,
        "082 has the byte 0xB2 as its first indicator: marcview keeps indicator bytes as \
         they are (shown as U+FFFD here), yaz blanks it",
    ),
    (
        "traject/bad_subfield_code.marc",
        1,
        "a 260 subfield has a MARC-8 diacritic (0xE2) as its code: marcview keeps the \
         subfield (one-byte code, value decoded), yaz drops the subfield",
    ),
    (
        "marc-perl/camel.usmarc",
        11,
        "007 starts with a subfield delimiter: marcview keeps the byte, yaz drops it",
    ),
    (
        "pymarc-sdist/1251.dat",
        0,
        "Windows-1251 text in MARC-8-flagged records: undefined codes are U+FFFD with a \
         warning for marcview; yaz drops them and attaches the combining marks elsewhere",
    ),
    (
        "marc4j/incomplete_esc_seq.mrc",
        1,
        "880 ends with an incomplete EACC escape: U+FFFD per broken byte for marcview, yaz \
         reads on through the following text",
    ),
    (
        "pymarc-sdist/bad_marc8_escape.dat",
        1,
        "222 has ESC bytes that start no escape: marcview writes U+FFFD and reads on; yaz \
         drops the rest of the subfield",
    ),
    (
        "marc4j/chinese_mangled_multibyte.mrc",
        1,
        "880 holds truncated EACC triples: marcview gives U+FFFD per broken character \
         and resynchronises at the next escape; yaz reads on in 3-byte steps across the \
         damage and makes other characters of the bytes",
    ),
    (
        "marc4j/greekmissingcharsetchange.mrc",
        2,
        "880 is Greek written as &#x references with combining acutes between them: \
         marcview decodes the references, yaz leaves them and the accents fall elsewhere",
    ),
];

/// Decodes `&#xXXXX;` references.
fn decode_ncrs(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("&#x") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 3..];
        let c = after.find(';').and_then(|j| {
            Some((
                u32::from_str_radix(&after[..j], 16)
                    .ok()
                    .and_then(char::from_u32)?,
                j,
            ))
        });
        match c {
            Some((c, j)) => {
                out.push(c);
                rest = &after[j + 1..];
            }
            None => {
                out.push_str("&#x");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out.nfc().collect()
}

fn nfc_fields(r: &Record) -> Vec<(String, String)> {
    r.fields()
        .map(|f| {
            let text: String = String::from_utf8_lossy(f.raw_value()).nfc().collect();
            (f.tag().to_string(), text)
        })
        .collect()
}

#[test]
fn marc8_records_agree_with_yaz() {
    let Some(dir) = common::corpus_dir() else {
        return;
    };
    let (mut compared, mut agreed) = (0usize, 0usize);
    let mut unexplained = Vec::new();
    for (row, bytes) in common::iso2709_files(&dir) {
        let xml_path = dir
            .join("expected/yaz")
            .join(format!("{}.utf8.xml", row.path));
        let Ok(xml) = std::fs::read(&xml_path) else {
            continue;
        };
        let yaz: Vec<Option<Record>> = XmlReader::new(&xml[..]).map(Result::ok).collect();
        // Records the reader repaired are left out: their structure, not
        // their text, differs from yaz's reading (see tests/conformance.rs).
        let mut probe = Reader::new(&bytes);
        probe.by_ref().for_each(drop);
        let repaired: std::collections::BTreeSet<u64> =
            probe.warnings().iter().map(|w| w.location.record).collect();
        let mut reader = Reader::new(&bytes);
        for (k, item) in reader.by_ref().enumerate() {
            let Ok(view) = item else { continue };
            if view.leader().coding_byte() != b' ' || repaired.contains(&view.record_number()) {
                continue;
            }
            // Only records both read the same way: yaz follows declared
            // lengths, so records that needed repair are left out.
            let Some(Some(theirs)) = yaz.get(k) else {
                continue;
            };
            // The same record: same tags in the same order, same 001.
            let same_tags = theirs
                .fields()
                .map(|f| f.tag())
                .eq(view.fields().map(|f| f.tag()));
            if !same_tags || theirs.control_number() != view.control_number() {
                continue;
            }
            let mut warnings = Vec::new();
            let ours = to_utf8(
                &view,
                SourceEncoding::Marc8,
                Marc8Options::new(),
                &mut warnings,
            )
            .expect("lenient decoding");
            compared += 1;
            let (a, b) = (nfc_fields(&ours), nfc_fields(theirs));
            let n = view.record_number();
            // Rule D: MARC-8-flagged records whose text is UTF-8 (both sides
            // were forced to read MARC-8 here, into different mojibake).
            if marcview::marc8::detect(&view.raw()[24..]) == marcview::marc8::Detected::Utf8 {
                continue;
            }
            // Rule E: an undefined code is U+FFFD (with a warning) for
            // marcview; yaz drops it. Rule G: marcview decodes `&#x`
            // references; yaz leaves them.
            let same = |x: &(String, String), y: &(String, String)| {
                x == y
                    || (x.0 == y.0
                        && x.1.replace('\u{FFFD}', "") == decode_ncrs(&y.1).replace('\u{FFFD}', ""))
            };
            match a.iter().zip(&b).find(|(x, y)| !same(x, y)) {
                None => agreed += 1,
                Some((x, y)) => {
                    let known = KNOWN
                        .iter()
                        .any(|(p, r, _)| *p == row.path && (*r == n || *r == 0));
                    let line = format!("{} #{n}: {:?} vs yaz {:?}", row.path, x, y);
                    eprintln!("{} {line}", if known { "known" } else { "NEW" });
                    if !known {
                        unexplained.push(line);
                    }
                }
            }
        }
    }
    eprintln!("MARC-8 records compared with yaz: {compared}, agreed {agreed}");
    assert!(compared >= 100, "{compared}");
    assert!(unexplained.is_empty(), "{} unexplained", unexplained.len());
}
