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

/// Replays every file of `tests/fuzz_regressions/<target>/` through `check`;
/// returns how many there were.
fn replay(target: &str, check: fn(&[u8])) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz_regressions")
        .join(target);
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
