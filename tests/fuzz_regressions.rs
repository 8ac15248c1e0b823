//! Inputs found by the project's own fuzzing (`fuzz/`, `.ci/fuzz.sh`),
//! replayed through the very checks the fuzz targets run, plus a hand-made
//! minimal case for each bug with its expected outcome.
//!
//! Files live in `tests/fuzz_regressions/<target>/`; each is an input of the
//! fuzz target of that name, as `cargo fuzz tmin` minimized it.

#[path = "../fuzz/src/checks.rs"]
mod checks;

use std::io::Read;
use std::path::Path;

use marcview::{Error, Fault, Field, Mode, ReadOptions, Reader, Record, StreamReader, Tag};

/// `tests/fuzz_regressions/`, where the replay files live.
fn regressions_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions")
}

/// Replays every file of `tests/fuzz_regressions/<target>/` through `check`;
/// returns how many there were.
fn replay(target: &str, check: fn(&[u8])) -> usize {
    let dir = regressions_dir().join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return 0;
    };
    let mut paths: Vec<_> = entries.map(|e| e.expect("dir entry").path()).collect();
    paths.sort();
    for p in &paths {
        let data = std::fs::read(p).expect("read regression input");
        eprintln!("replaying {}", p.display());
        check(&data);
    }
    paths.len()
}

#[test]
fn replay_stream_chunks() {
    assert!(replay("stream_chunks", checks::stream_chunks) >= 3);
}

#[test]
fn replay_strict_slice() {
    replay("strict_slice", checks::strict_slice);
    // Every stream input is a slice input after its control bytes.
    replay("stream_chunks", |d| {
        let skip = 1 + usize::from(d.first().map_or(0, |c| c & 7)) + 1;
        checks::strict_slice(d.get(skip..).unwrap_or_default());
    });
}

#[test]
fn replay_lenient_slice() {
    replay("lenient_slice", checks::lenient_slice);
    replay("stream_chunks", |d| {
        let skip = 1 + usize::from(d.first().map_or(0, |c| c & 7)) + 1;
        checks::lenient_slice(d.get(skip..).unwrap_or_default());
    });
    // Parallel inputs are two control bytes and a slice input.
    replay("parallel_scan", |d| {
        checks::lenient_slice(d.get(2..).unwrap_or_default());
    });
}

#[cfg(feature = "parallel")]
#[test]
fn replay_parallel_scan() {
    assert!(replay("parallel_scan", checks::parallel_scan) >= 1);
}

#[test]
fn replay_owned_roundtrip() {
    replay("owned_roundtrip", checks::owned_roundtrip);
    // An empty input still builds (and checks) the empty record.
    checks::owned_roundtrip(&[]);
}

/// Bug 1 (src/parse.rs, `base_address`): a 24-byte record whose last byte
/// is 0x1D made the lenient parser slice `raw[24..23]` and panic.
#[test]
fn record_of_24_bytes_ending_in_a_terminator() {
    let input = b"4naa330008\x1e\xfe\xff\xff\xff\xff\xff\xff\xff\x00\x00\x00\x00\x1d";
    assert_eq!(input.len(), 24);
    for mode in [Mode::Lenient, Mode::Strict] {
        let opts = ReadOptions {
            mode,
            max_warnings: 100,
        };
        let items: Vec<_> = Reader::with_options(input, opts).collect();
        assert_eq!(items.len(), 1, "{mode:?}");
        let err = items[0].as_ref().expect_err("nothing to recover");
        assert_eq!(err.location().map(|l| l.record), Some(1));
        if mode == Mode::Lenient {
            assert!(matches!(err.fault(), Some(Fault::BadBaseAddress { .. })));
        }
        let mut stream = StreamReader::with_options(&input[..], opts);
        assert!(stream.next_record().expect("one item").is_err());
        assert!(stream.next_record().is_none());
    }
}

/// Hands out `data` cut at the given offsets (one read per piece).
struct Pieces<'a> {
    data: &'a [u8],
    at: usize,
    cuts: Vec<usize>,
}

impl Read for Pieces<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let end = self
            .cuts
            .iter()
            .copied()
            .find(|&c| c > self.at)
            .unwrap_or(self.data.len());
        let n = (end - self.at).min(buf.len());
        buf[..n].copy_from_slice(&self.data[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

fn record(id: &str) -> Vec<u8> {
    let mut r = Record::new();
    r.push_field(Field::control(Tag::new(1), id).expect("id"))
        .expect("push");
    r.push_field(
        Field::new(Tag::new(245), *b"10")
            .with_subfield(b'a', "A title")
            .expect("245"),
    )
    .expect("push");
    r.to_iso2709().expect("write")
}

/// Bug 2 (src/boundary.rs, rule 3): a record that lost its terminator is cut
/// at its declared length when a plausible leader follows. A stream reader
/// whose buffer ended less than a leader's length past the declared end, but
/// after some 0x1D, decided without looking at the whole leader and cut the
/// record elsewhere than the slice reader.
#[test]
fn stream_waits_for_the_whole_next_leader() {
    let mut first = record("one");
    let n = first.len();
    *first.last_mut().expect("non-empty") = b'x'; // terminator lost, length right
    // A short "record" whose leader is plausible and which holds a 0x1D at
    // leader/18, then a good record.
    let odd = b"00030nam a2200025 a\x1d4500\x1e\x1e\x1e\x1e\x1e\x1d";
    let last = record("three");
    let input = [&first[..], &odd[..], &last[..]].concat();

    let slice: Vec<(u64, Vec<u8>)> = Reader::new(&input)
        .filter_map(Result::ok)
        .map(|v| (v.offset(), v.raw().to_vec()))
        .collect();
    assert_eq!(slice[0], (0, first.clone()), "cut at the declared length");
    assert_eq!(
        slice.last(),
        Some(&((input.len() - last.len()) as u64, last))
    );

    // The first read ends just after the 0x1D inside the odd leader.
    let cut = n + 20;
    assert_eq!(input[cut - 1], 0x1D);
    let mut stream = StreamReader::new(Pieces {
        data: &input,
        at: 0,
        cuts: vec![cut],
    });
    let mut streamed = Vec::new();
    while let Some(r) = stream.next_record() {
        if let Ok(v) = r {
            streamed.push((v.offset(), v.raw().to_vec()));
        }
    }
    assert_eq!(streamed, slice);
    // And through the fuzz target's own comparison, for every read size.
    let mut fuzz_input = vec![0x00u8, 0];
    fuzz_input.extend_from_slice(&input);
    for size in 1..=0xFFu8 {
        fuzz_input[1] = size;
        checks::stream_chunks(&fuzz_input);
    }
}

/// Bug 3 (src/record.rs, `write_iso2709_into`): in an owned record an empty
/// field has no bytes, so it shares its start with the field laid out after
/// it, and sorting by start alone put it after that field: a record whose
/// directory lists a field before an empty field that precedes it in the
/// data area was not rewritten byte for byte, and write -> read -> write
/// was not stable.
#[test]
fn empty_field_keeps_its_place_in_the_data_area() {
    // Directory: 245 at data offset 1, then an empty 500 at data offset 0.
    let data = b"\x1e10\x1fax\x1e";
    let dir = b"245000600001500000100000";
    let base = 24 + dir.len() + 1;
    let total = base + data.len() + 1;
    let mut raw = format!("{total:05}nam a22{base:05} a 4500").into_bytes();
    raw.extend_from_slice(dir);
    raw.push(0x1E);
    raw.extend_from_slice(data);
    raw.push(0x1D);

    let view = Reader::new(&raw)
        .strict()
        .next()
        .expect("one record")
        .expect("well-formed");
    assert_eq!(view.len(), 2);
    assert_eq!(view.field(500).map(|f| f.raw_value()), Some(&b""[..]));
    let owned = view.to_owned();
    assert_eq!(
        owned.to_iso2709().expect("write"),
        raw,
        "rewrite changed bytes"
    );
    checks::round_trip_view(&view);
}

/// Bug 4 (src/parse.rs, `recut`): each directory entry was ended by scanning
/// from its start to the next 0x1E, so many entries over a long data area
/// without terminators cost entries x data bytes (quadratic: 1.7 s for 3 MB,
/// 34 s for 19 MB, hours for 50 MB). The outcome is checked here on a small
/// case; the large one is in `tests/resource_bounds.rs`.
#[test]
fn recut_entries_over_a_data_area_without_terminators() {
    let mut raw = b"00000nam a2200000 a 4500".to_vec();
    for _ in 0..50 {
        raw.extend_from_slice(b"500999900000");
    }
    raw.push(0x1E);
    raw.extend(std::iter::repeat_n(b'x', 20_000));
    raw.push(0x1D);
    let mut reader = Reader::new(&raw);
    let view = reader.next().expect("one record").expect("repaired");
    assert_eq!(view.len(), 50);
    for f in view.fields() {
        assert_eq!(f.raw_value().len(), 20_000, "runs to the end of the data");
    }
    assert!(reader.next().is_none());
    assert!(
        reader
            .warnings()
            .iter()
            .any(|w| w.fault == Fault::FieldsRecut)
    );
}

/// Bug 5 (src/stream_reader.rs, and the same code in
/// src/parallel/pipeline.rs): a run of filler bytes (NUL, CR, LF, ...)
/// longer than `MAX_PENDING` made the stream reader take it as the end of
/// the input: every record after it was lost (reported as trailing bytes).
#[test]
fn stream_reads_on_after_a_long_run_of_filler() {
    let rec = record("id");
    let run = 2 * marcview::MAX_PENDING + 100;
    let mut input = rec.clone();
    input.extend(std::iter::repeat_n(0u8, run));
    input.extend_from_slice(&rec);

    let slice = checks::read_slice(&input, ReadOptions::default(), false);
    let stream = checks::read_stream(&input, &[0xFF], ReadOptions::default());
    assert_eq!(slice.items.len(), 2);
    assert_eq!(stream, slice);
    assert!(matches!(
        stream.warnings[0].fault,
        Fault::StrayBytes { len } if len == run
    ));

    // The stream pipeline cuts batches with the same rules.
    #[cfg(feature = "parallel")]
    {
        let (n, summary) = marcview::parallel::StreamPipeline::new(&input[..]).fold_records(
            || 0usize,
            |n, r| n + usize::from(r.is_ok()),
            |a, b| a + b,
        );
        assert_eq!(n, 2);
        assert_eq!(summary.records(), 2);
        assert_eq!(summary.warnings(), &slice.warnings[..]);
    }
}

/// Bug 6 (src/reader.rs, `WarningLog::insert`): with a warning cap, the
/// boundary fault of a record (logged before the record's own faults, but
/// after parsing it) was dropped when the parse had filled the cap, so the
/// kept warnings were not the first ones; the parallel readers, whose logs
/// are per batch, kept it, and disagreed with the sequential reader.
#[test]
fn capped_log_keeps_the_first_warnings() {
    // Declared 801 bytes, 24 there: truncated, and a bad leader.
    let input = b"00801108\x1e21 det 11det 11";
    let all: Vec<_> = {
        let mut r = Reader::new(input);
        r.by_ref().for_each(drop);
        r.take_warnings()
    };
    assert!(matches!(
        all[0].fault,
        Fault::Truncated { declared: 801, .. }
    ));
    assert!(all.len() >= 3);
    for cap in 0..all.len() {
        let opts = ReadOptions {
            mode: Mode::Lenient,
            max_warnings: cap,
        };
        let mut r = Reader::with_options(input, opts);
        r.by_ref().for_each(drop);
        assert_eq!(r.warnings(), &all[..cap], "cap {cap}");
        assert_eq!(r.warning_log().total(), all.len() as u64);
    }
}

/// Errors are plain values: the strict reader's error for a damaged record
/// says which record and why, and reading goes on.
#[test]
fn strict_error_then_next_record() {
    let good = record("ok");
    let mut bad = good.clone();
    bad[20..24].copy_from_slice(b"9999");
    let input = [&bad[..], &good[..]].concat();
    let items: Vec<Result<_, Error>> = Reader::new(&input).strict().collect();
    assert_eq!(items.len(), 2);
    assert!(matches!(
        items[0].as_ref().map_err(|e| e.fault()),
        Err(Some(Fault::BadEntryMap { .. }))
    ));
    assert_eq!(items[1].as_ref().map(|v| v.raw()).ok(), Some(&good[..]));
}

#[test]
fn replay_marc8_decode() {
    assert!(replay("marc8_decode", checks::marc8_decode) >= 3);
}

#[cfg(feature = "xml")]
#[test]
fn replay_xml_read() {
    assert!(replay("xml_read", checks::xml_read) >= 3);
}

#[cfg(feature = "json")]
#[test]
fn replay_json_read() {
    assert!(replay("json_read", checks::json_read) >= 3);
}

#[test]
fn replay_mrk_read() {
    replay("mrk_read", checks::mrk_read);
    // Fields with subfields in control fields, blanks, escapes, a record
    // without a leader, and one whose leader comes after a field.
    checks::mrk_read(
        b"=LDR  00000nam\\a2200000\\i\\4500\n=001  a\\b$c{dollar}\n=245  10$a{acute}e$b{1F}\n\n\
          =008  x\n=LDR  00000nam\\\\2200000\\i\\4500\n=500  \\\\$a{aelig}{lcub}x}\n",
    );
}

fn marc8_round_trip(text: &str) -> String {
    let bytes = marcview::marc8::encode(text).expect("encodable");
    let mut warnings = Vec::new();
    let back = marcview::marc8::decode(&bytes, Default::default(), &mut warnings)
        .expect("lenient")
        .into_owned();
    assert!(warnings.is_empty(), "{warnings:?}");
    back
}

/// Bug 7 (src/marc8/encoder.rs, `units_of`): a literal `&` is written as
/// `&#x0026;` when it would start a reference, but only the bytes right
/// after it in the text were looked at: combining marks after the `&` are
/// written before it in MARC-8, so `&` U+0301 `#x41;` became
/// `0xE2 & # x 4 1 ;`, which decodes as `Á`.
#[test]
fn ampersand_before_marks_is_escaped() {
    let text = "&\u{301}#x41;";
    assert_eq!(
        marcview::marc8::encode(text).expect("encodable"),
        b"\xE2&#x0026;#x41;"
    );
    assert_eq!(marc8_round_trip(text), text);
    // A mark MARC-8 has only as a decomposition counts too.
    assert_eq!(marc8_round_trip("&\u{344}#x41;"), "&\u{308}\u{301}#x41;");
    // Without a reference after the marks, nothing is escaped.
    assert_eq!(
        marcview::marc8::encode("&\u{301}x").expect("encodable"),
        b"\xE2&x"
    );
}

/// Bug 8 (src/marc8/encoder.rs, `encode_into`): combining marks without a
/// base character before them (at the start of the text, or after a
/// control character) were written as MARC-8 marks, which MARC-8 puts on
/// the base character after them: U+0301 `a` came back as `á`, U+0001
/// U+0327 `J` as U+0001 `J̧`. Before a base character they are now written
/// as references; before a control character or the end they stay MARC-8
/// marks (which decode to marks without a base).
#[test]
fn marks_without_a_base_keep_their_place() {
    let encode = |t: &str| marcview::marc8::encode(t).expect("encodable");
    assert_eq!(encode("\u{301}a"), b"&#x0301;a");
    assert_eq!(encode("\u{1}\u{327}J"), b"\x01&#x0327;J");
    assert_eq!(
        encode("x\u{1}\u{301}\u{323}  y"),
        b"x\x01&#x0301;&#x0323;  y"
    );
    assert_eq!(encode("\u{301}"), b"\xE2");
    assert_eq!(encode("\u{301}\u{1}a"), b"\xE2\x01a");
    assert_eq!(encode("a\u{301}b"), b"\xE2ab");
    for t in [
        "\u{301}a",
        "\u{1}\u{327}J",
        "\u{301}ab",
        "a\u{361}\u{1}\u{301}b",
    ] {
        assert_eq!(marc8_round_trip(t), t);
    }
}

/// Bug 9 (src/marc8/encoder.rs, `encode_into`): the length of the run of
/// printable ASCII ahead was found again for each of its characters while
/// they were written in a set other than Basic Latin (digits after
/// Cyrillic): quadratic, 1.4 s for 80,000 digits in a release build (found
/// reading the code for the `marc8_decode` target, whose inputs are too
/// small to show it).
#[test]
fn encoding_digits_after_cyrillic_is_linear() {
    let n = if cfg!(debug_assertions) {
        100_000
    } else {
        400_000
    };
    let text = format!("Ж{}", "1".repeat(n));
    let start = std::time::Instant::now();
    let bytes = marcview::marc8::encode(&text).expect("encodable");
    let took = start.elapsed();
    assert_eq!(&bytes[..4], b"\x1B(Nv");
    assert!(bytes.ends_with(b"1\x1B(B"));
    assert_eq!(bytes.len(), 4 + n + 3);
    // Linear: a few milliseconds (quadratic: about 35 s in release).
    assert!(took.as_secs() < 5, "{n} digits took {took:?}");
}

/// Bug 10 (src/transcode.rs, `strip_delimiters`): `to_utf8` drops the
/// delimiters that references such as `&#x1F;` decode to, after the
/// decoder normalized the text to NFC with them: `i`, a breve and `&#x1F;`
/// in MARC-8 gave `i` U+0306 (the breve sat on the delimiter, and stayed
/// when it was dropped), not NFC although NFC was asked for.
#[test]
fn dropped_delimiters_leave_nfc_text() {
    use marcview::marc8::Marc8Options;
    use marcview::transcode::{SourceEncoding, to_utf8};

    let mut r = Record::new();
    r.leader_mut().set_coding_byte(b' ');
    r.push_field(
        Field::new(Tag::new(245), *b"10")
            .with_subfield(b'a', &b"ubi\xE6&#x1F; /"[..])
            .expect("245"),
    )
    .expect("push");
    let bytes = r.to_iso2709().expect("write");
    let view = marcview::RecordView::parse(&bytes).expect("parse");
    let opts = Marc8Options::new().normalize_nfc(true);
    let utf8 = to_utf8(&view, SourceEncoding::Marc8, opts, &mut Vec::new()).expect("lenient");
    let a = utf8.field(245).and_then(|f| f.subfield_text(b'a'));
    assert_eq!(a.as_deref(), Some("ub\u{12D} /"));
    // Without NFC the marks stay as decoded.
    let plain = to_utf8(
        &view,
        SourceEncoding::Marc8,
        Marc8Options::new(),
        &mut Vec::new(),
    )
    .expect("lenient");
    let a = plain.field(245).and_then(|f| f.subfield_text(b'a'));
    assert_eq!(a.as_deref(), Some("ubi\u{306} /"));
}

/// Bug 11 (src/json/read.rs, `to_record`): a control field holding
/// subfield delimiters (DanMARC, or one read from
/// `{"008":{"ind1":…,"subfields":[…]}}`) is written as a string holding
/// `\u001f`, as pymarc writes it, but `JsonReader` refused such a string
/// (a delimiter in a value): the record written could not be read back.
/// Such a string is now read as the field's bytes, as pymarc reads it.
#[cfg(feature = "json")]
#[test]
fn json_control_field_with_subfields_reads_back() {
    use marcview::json::{self, JsonReader, NdjsonReader};

    let mut r = Record::new();
    r.push_field(Field::from_raw(Tag::new(8), b"  \x1fa7").expect("raw"))
        .expect("push");
    r.push_field(Field::control(Tag::new(1), "id").expect("001"))
        .expect("push");
    let mut out = Vec::new();
    assert_eq!(json::append_record(&mut out, &r), 0);
    assert_eq!(
        String::from_utf8(out.clone()).expect("UTF-8"),
        "{\"leader\":\"00000nam a2200000 i 4500\",\"fields\":[\
         {\"008\":\"  \\u001fa7\"},{\"001\":\"id\"}]}"
    );
    let back = JsonReader::new(&out[..])
        .next()
        .expect("one")
        .expect("reads back");
    assert_eq!(back, r);
    let back = NdjsonReader::new(&out[..])
        .next()
        .expect("one")
        .expect("reads back");
    assert_eq!(back, r);
    // Read from a data field object, the same record.
    let doc = br#"{"leader":"00000nam a2200000 i 4500","fields":[{"08":{"ind1":" ","subfields":[{"a":"7"}]}},{"001":"id"}]}"#;
    let rec = JsonReader::new(&doc[..])
        .next()
        .expect("one")
        .expect("good");
    assert_eq!(rec, r);
    // The other delimiters are still refused.
    let doc = br#"{"fields":[{"001":"a\u001eb\u001fc"}]}"#;
    assert!(JsonReader::new(&doc[..]).next().expect("one").is_err());
}

/// Bug 12 (src/json/read.rs, `Source::peek`): a byte-order mark between
/// values was skipped only when the reader's buffer held all three of its
/// bytes: cut by the end of a block, it was a syntax error, so what was
/// read depended on the buffer size.
#[cfg(feature = "json")]
#[test]
fn json_bom_cut_by_a_block_end() {
    use marcview::json::JsonReader;

    let one = "{\"leader\":\"00000nam a2200000 i 4500\",\"fields\":[{\"001\":\"a\"}]}";
    for doc in [
        format!("{one}\u{feff}{one}"),
        format!("\u{feff}{one} \u{feff}\n{one}\u{feff}"),
        "17 \u{feff}".to_string(),
    ] {
        let whole: Vec<String> = JsonReader::new(doc.as_bytes())
            .map(|r| format!("{r:?}"))
            .collect();
        for cap in 1..=8 {
            let src = std::io::BufReader::with_capacity(cap, doc.as_bytes());
            let cut: Vec<String> = JsonReader::new(src).map(|r| format!("{r:?}")).collect();
            assert_eq!(cut, whole, "block size {cap}: {doc:?}");
        }
    }
    let src = std::io::BufReader::with_capacity(2, &b"17 \xEF\xBB\xBF"[..]);
    assert_eq!(JsonReader::new(src).count(), 1, "a number, then the mark");
    // Not a mark: the bytes reach the parser, a syntax error.
    let src = std::io::BufReader::with_capacity(2, &b"17 \xEF\xBBx"[..]);
    let items: Vec<_> = JsonReader::new(src).collect();
    assert_eq!(items.len(), 2);
    assert!(matches!(
        items[1],
        Err(marcview::json::JsonError::Syntax { .. })
    ));
}

/// Bug 13 (src/format/build.rs, `RecordBuilder::tag`): `LDR` is three
/// uppercase letters, so the MARCXML and MARC-in-JSON readers kept a field
/// so tagged; written as mnemonic text it is a second `=LDR` line, read
/// back as the leader of another record. Such a field is now skipped with a
/// warning.
#[cfg(all(feature = "xml", feature = "json"))]
#[test]
fn fields_tagged_ldr_are_skipped() {
    use marcview::FormatFault;
    use marcview::json::{JsonError, JsonReader};
    use marcview::xml::{XmlError, XmlReader};

    let doc = b"<record><leader>00000nam a2200000 a 4500</leader>\
                <controlfield tag='LDR'>5</controlfield>\
                <controlfield tag='001'>x</controlfield></record>";
    let mut r = XmlReader::new(&doc[..]);
    let rec = r.next().expect("one").expect("good");
    assert_eq!(rec.len(), 1);
    assert_eq!(rec.control_number(), Some(&b"x"[..]));
    assert!(matches!(
        r.warnings(),
        [XmlError::Invalid {
            fault: FormatFault::LeaderTag,
            ..
        }]
    ));
    checks::mrk_round_trip(&rec);

    let doc = br#"{"leader":"00000nam a2200000 a 4500","fields":[{"LDR":{"subfields":[{"a":"5"}]}},{"001":"x"}]}"#;
    let mut r = JsonReader::new(&doc[..]);
    let rec = r.next().expect("one").expect("good");
    assert_eq!(rec.len(), 1);
    assert!(r.warnings().iter().any(|w| matches!(
        w,
        JsonError::Invalid {
            fault: FormatFault::LeaderTag,
            ..
        }
    )));
}

/// Found by the `xml_read` target (2 December, replay file
/// `xml_read/leader-cut-inside-a-character`): a leader text longer than 24
/// bytes was cut at byte 24 even inside a UTF-8 character. The MARCXML
/// writer replaces the control characters of such a leader with U+FFFD,
/// which moved the cut into an emoji on the next read, and the write after
/// that replaced the half character again: the trip through the format
/// took two passes to settle. Now the cut drops a character it would split,
/// and blanks fill its place, in every text format.
#[cfg(all(feature = "xml", feature = "json"))]
#[test]
fn leaders_are_never_cut_inside_a_character() {
    use marcview::json::JsonReader;
    use marcview::mnemonic::MnemonicReader;
    use marcview::xml::{self, XmlReader};

    let replay = std::fs::read(regressions_dir().join("xml_read/leader-cut-inside-a-character"))
        .expect("replay file");
    let rec = XmlReader::new(&replay[..])
        .next()
        .expect("one")
        .expect("read");
    assert_eq!(
        rec.leader().as_bytes(),
        "\x01\x01\x01\x014cam a2200\u{1F600}229 a ".as_bytes()
    );
    // Written, the four control characters become U+FFFD (eight bytes
    // more), so the emoji now straddles byte 24: it is dropped whole.
    let mut doc = Vec::new();
    assert_eq!(xml::write_record(&mut doc, &rec).expect("to a Vec"), 4);
    let back = XmlReader::new(&doc[..]).next().expect("one").expect("read");
    assert_eq!(
        back.leader().as_bytes(),
        "\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}4cam a2200  ".as_bytes()
    );
    checks::xml_round_trip(&back);

    // The same rule in MARC-in-JSON and mnemonic text: "a", then twelve
    // two-byte characters, the twelfth across byte 24.
    let text = format!("a{}", "\u{e9}".repeat(12));
    let want = format!("a{} ", "\u{e9}".repeat(11));
    let doc = format!(r#"{{"leader":"{text}","fields":[{{"001":"1"}}]}}"#);
    let rec = JsonReader::new(doc.as_bytes())
        .next()
        .expect("one")
        .expect("read");
    assert_eq!(rec.leader().as_bytes(), want.as_bytes());
    let doc = format!("=LDR  {text}\n=001  1\n\n");
    let rec = MnemonicReader::new(doc.as_bytes())
        .next()
        .expect("one")
        .expect("read");
    assert_eq!(rec.leader().as_bytes(), want.as_bytes());
}

/// Bug 14 (src/transcode.rs, `to_utf8`): a field whose bytes hold a field
/// terminator within its declared length (which the reader gives as it
/// is) can have a subfield code or an indicator that is a delimiter byte:
/// the subfield made lenient `to_utf8` fail (`push_subfield` refuses the
/// code), and such an indicator went into the new record unchecked. Now a
/// delimiter indicator reads as a blank and such a subfield is dropped,
/// each with a warning, or an error in strict mode.
#[test]
fn transcoding_a_field_that_holds_a_terminator() {
    use marcview::marc8::Marc8Options;
    use marcview::transcode::{SourceEncoding, to_utf8};

    let data = b"10\x1faA\x1f\x1eB\x1e";
    let dir = b"245000900000";
    let base = 24 + dir.len() + 1;
    let total = base + data.len() + 1;
    let mut raw = format!("{total:05}nam  22{base:05} a 4500").into_bytes();
    raw.extend_from_slice(dir);
    raw.push(0x1E);
    raw.extend_from_slice(data);
    raw.push(0x1D);
    let view = Reader::new(&raw).next().expect("one").expect("read");
    let codes: Vec<u8> = view
        .fields()
        .flat_map(|f| f.subfields().map(|s| s.code))
        .collect();
    assert_eq!(codes, [b'a', 0x1E]);
    for encoding in [SourceEncoding::Marc8, SourceEncoding::Utf8] {
        let mut warnings = Vec::new();
        let utf8 = to_utf8(&view, encoding, Marc8Options::new(), &mut warnings).expect("lenient");
        assert_eq!(
            utf8.field(245).map(|f| f.raw_value()),
            Some(&b"10\x1faA"[..])
        );
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        // Located at the code.
        assert_eq!(raw[warnings[0].location.offset as usize], 0x1E);
        let strict = Marc8Options::new().strict(true);
        assert!(to_utf8(&view, encoding, strict, &mut Vec::new()).is_err());
    }
    // And through the `marc8_decode` check (the fuzz input that found it is
    // in tests/fuzz_regressions/marc8_decode/).
    checks::marc8_decode(&[&[0x01][..], &raw].concat());
}
