//! The properties every fuzz target checks.
//!
//! This file depends on `marcview`, `std`, `arbitrary` and (with the
//! `parallel` feature) `rayon` only, all of which the main crate's tests can
//! use too, so that `tests/fuzz_regressions.rs` and the property tests
//! include it with `#[path]` and run exactly the checks the fuzzers ran.
#![allow(dead_code)]

use std::io::{self, Read};

use arbitrary::{Arbitrary, Unstructured};
use marcview::{
    Entry, Error, Fault, Field, Leader, Location, Mode, ReadOptions, Reader, Record, RecordView,
    StreamReader, Tag, Warning, WarningLog,
};

/// Leader positions the writer computes (lengths, base address, `22`,
/// `4500`); every other leader byte is written as it is.
const COMPUTED: [std::ops::Range<usize>; 4] = [0..5, 10..12, 12..17, 20..24];

fn leader_agrees(written: &Leader, read: &Leader) -> bool {
    let (a, b) = (written.as_bytes(), read.as_bytes());
    (0..24).all(|i| COMPUTED.iter().any(|r| r.contains(&i)) || a[i] == b[i])
}

/// Reads every part of a view (leader, directory, every field, indicator and
/// subfield, text) and checks the view's own invariants. Returns a sum so
/// that nothing is optimized away.
pub fn touch(view: &RecordView<'_>) -> u64 {
    let raw = view.raw();
    assert!(raw.len() >= 24, "a view always has a whole leader");
    assert_eq!(view.leader().as_bytes()[..], raw[..24]);
    assert_eq!(view.len(), view.entries().len());
    assert_eq!(view.fields().len(), view.len());
    // Every way of walking the directory agrees: forwards, backwards, and
    // jumping ahead with `nth` before going on.
    let all: Vec<_> = view.entries().collect();
    assert!(view.entries().rev().eq(all.iter().rev().copied()));
    for n in [0, 1, 2, all.len().saturating_sub(1), all.len()] {
        let mut rest = view.entries();
        assert_eq!(rest.nth(n), all.get(n).copied(), "nth({n})");
        assert_eq!(rest.len(), all.len().saturating_sub(n + 1));
        assert!(rest.eq(all.iter().copied().skip(n + 1)), "after nth({n})");
    }
    let mut sum = u64::from(view.leader().as_bytes()[5]);
    for (e, f) in view.entries().zip(view.fields()) {
        let r = e.range();
        assert!(
            r.end <= raw.len(),
            "entry {r:?} outside a record of {}",
            raw.len()
        );
        assert!(r.start >= 24, "field inside the leader");
        assert_eq!(f.raw_value(), &raw[r]);
        assert_eq!(f.tag(), e.tag());
        sum += u64::from(f.tag().as_u16());
        let ind = f.indicators();
        sum += u64::from(ind[0]) + u64::from(ind[1]);
        let mut n = 0usize;
        for s in f.subfields() {
            assert!(!s.value.contains(&0x1F));
            assert_ne!(s.code, 0x1F);
            sum += u64::from(s.code) + s.value.len() as u64;
            sum += s.text().len() as u64;
            n += 1;
        }
        if f.is_control() {
            assert_eq!(n, 0, "control fields have no subfields");
        } else {
            // The subfield search (masks read past the field, in the rest
            // of the record) agrees with a plain split of the field.
            let v = f.raw_value();
            let plain = v
                .iter()
                .position(|&b| b == 0x1F)
                .into_iter()
                .flat_map(|i| v[i + 1..].split(|&b| b == 0x1F))
                .filter_map(|chunk| chunk.split_first());
            assert!(
                f.subfields()
                    .map(|s| (s.code, s.value))
                    .eq(plain.map(|(&c, v)| (c, v))),
                "subfields differ from a plain split"
            );
        }
        if let Some(s) = f.subfields().next() {
            assert_eq!(f.subfield(s.code), Some(s.value));
        }
        sum += f.text().len() as u64;
        if let Some(same) = view.field(f.tag()) {
            assert_eq!(same.tag(), f.tag());
        }
    }
    sum += view.control_number().map_or(0, |c| c.len() as u64);
    sum
}

/// Writes a view through an owned record and reads it back strictly: one
/// record, no warnings, the same fields, the same leader apart from the
/// computed positions, and re-writing gives the same bytes.
pub fn round_trip_view(view: &RecordView<'_>) {
    let owned = view.to_owned();
    assert_eq!(owned.len(), view.len());
    assert!(owned.fields().eq(view.fields()), "to_owned changed fields");
    assert_eq!(owned.leader(), view.leader());
    let bytes = match owned.to_iso2709() {
        Ok(b) => b,
        Err(e) => {
            let data: usize = owned.fields().map(|f| f.raw_value().len() + 1).sum();
            let total = 24 + 12 * owned.len() + 1 + data + 1;
            let longest = owned
                .fields()
                .map(|f| f.raw_value().len() + 1)
                .max()
                .unwrap_or(0);
            assert!(
                total > marcview::MAX_RECORD_LEN || longest > marcview::MAX_FIELD_LEN,
                "to_iso2709 refused a record that fits: {e}"
            );
            return;
        }
    };
    assert_eq!(owned.to_iso2709().ok().as_deref(), Some(&bytes[..]));
    read_back_strict(&owned, &bytes);
}

/// `bytes` (written from `owned`) read back is one record equal to `owned`
/// apart from the computed leader positions, and re-writing it gives `bytes`
/// again. The read is strict and clean, except that an owned record may hold
/// data fields that do not start with indicators and a delimiter (strict mode
/// rejects those): then the lenient reader must report nothing else.
fn read_back_strict(owned: &Record, bytes: &[u8]) {
    let mut strict = Reader::new(bytes).strict();
    let mut lenient = Reader::new(bytes);
    let (back, log) = match strict.next() {
        Some(Ok(v)) => (v, strict.warning_log()),
        Some(Err(Error::Malformed {
            fault: Fault::BadFieldStart { .. },
            ..
        })) => match lenient.next() {
            Some(Ok(v)) => {
                for w in lenient.warnings() {
                    assert!(
                        matches!(w.fault, Fault::BadFieldStart { .. }),
                        "written record needs repair: {w}"
                    );
                }
                (v, &WarningLog::new(0))
            }
            other => panic!("written record read back leniently as {other:?}"),
        },
        Some(Err(e)) => panic!("written record read back as an error: {e}"),
        None => panic!("written record read back as nothing"),
    };
    assert_eq!(back.raw(), bytes);
    assert!(Reader::new(bytes).nth(1).is_none(), "one record, not more");
    assert_eq!(back.record_number(), 1);
    assert_eq!(back.offset(), 0);
    touch(&back);
    assert!(back.fields().eq(owned.fields()), "fields changed");
    assert!(leader_agrees(owned.leader(), back.leader()));
    assert_eq!(log.total(), 0);
    let again = back.to_owned();
    assert_eq!(again.to_iso2709().ok().as_deref(), Some(bytes));
}

/// One item a reader yielded, in a comparable form.
#[derive(Debug, PartialEq, Eq)]
pub enum Item {
    /// A record.
    Record {
        number: u64,
        offset: u64,
        raw: Vec<u8>,
        leader: Leader,
        entries: Vec<Entry>,
    },
    /// A malformed record.
    Malformed { location: Location, fault: Fault },
    /// Any other error (I/O).
    Other(String),
}

impl Item {
    fn of(r: &Result<RecordView<'_>, Error>) -> Item {
        match r {
            Ok(v) => Item::Record {
                number: v.record_number(),
                offset: v.offset(),
                raw: v.raw().to_vec(),
                leader: *v.leader(),
                entries: v.entries().collect(),
            },
            Err(Error::Malformed { location, fault }) => Item::Malformed {
                location: location.clone(),
                fault: fault.clone(),
            },
            Err(e) => Item::Other(e.to_string()),
        }
    }

    /// Record number and offset of the record's first byte.
    fn number_offset(&self) -> Option<(u64, u64)> {
        match self {
            Item::Record { number, offset, .. } => Some((*number, *offset)),
            Item::Malformed { location, .. } => Some((location.record, location.record_offset)),
            Item::Other(_) => None,
        }
    }
}

/// Everything a reader produced over one input.
#[derive(Debug, PartialEq, Eq)]
pub struct Outcome {
    pub items: Vec<Item>,
    pub warnings: Vec<Warning>,
    pub total_warnings: u64,
}

/// Reads `data` with a slice reader, checking each record on the way
/// (`touch`; when `deep`, also the round trip of good records and re-reading
/// a record's own bytes) and the numbering of records.
pub fn read_slice(data: &[u8], opts: ReadOptions, deep: bool) -> Outcome {
    let mut reader = Reader::with_options(data, opts);
    let mut items = Vec::new();
    let mut last_end = 0u64;
    for r in reader.by_ref() {
        let item = Item::of(&r);
        if let Ok(v) = &r {
            touch(v);
            let start = v.offset() as usize;
            assert_eq!(
                data.get(start..start + v.raw().len()),
                Some(v.raw()),
                "raw() is not the input at offset()"
            );
            if deep {
                round_trip_view(v);
                reparse_alone(v, opts);
            }
        }
        let (number, offset) = item.number_offset().expect("slice readers do no I/O");
        assert_eq!(
            number,
            items.len() as u64 + 1,
            "records are numbered 1, 2, ..."
        );
        assert!(offset >= last_end, "records overlap or go backwards");
        if let Item::Record { raw, .. } = &item {
            last_end = offset + raw.len() as u64;
        } else {
            last_end = offset;
        }
        assert!(offset as usize <= data.len());
        items.push(item);
    }
    assert!(reader.next().is_none(), "reader is fused");
    assert_eq!(reader.records_read(), items.len() as u64);
    assert_eq!(
        reader.offset(),
        data.len(),
        "reader consumed the whole input"
    );
    let log = reader.warning_log();
    assert!(log.warnings().len() <= opts.max_warnings);
    assert!(log.total() >= log.warnings().len() as u64);
    let mut prev = 0;
    for w in log.warnings() {
        assert!(w.location.record >= prev, "warnings out of order");
        assert!(w.location.record <= items.len() as u64);
        prev = w.location.record;
    }
    Outcome {
        items,
        warnings: log.warnings().to_vec(),
        total_warnings: log.total(),
    }
}

/// A record's own bytes, read alone, give the same record.
fn reparse_alone(v: &RecordView<'_>, opts: ReadOptions) {
    let mut r = Reader::with_options(v.raw(), opts);
    match r.next() {
        Some(Ok(again)) => {
            assert_eq!(again.raw(), v.raw(), "record re-delimited differently");
            assert!(
                again.entries().eq(v.entries()),
                "record re-parsed differently"
            );
        }
        Some(Err(e)) => panic!("a record's own bytes read alone fail: {e}"),
        None => panic!("a record's own bytes read alone give nothing"),
    }
    assert!(r.next().is_none(), "a record's own bytes split in two");
}

fn opts(mode: Mode, max_warnings: usize) -> ReadOptions {
    ReadOptions { mode, max_warnings }
}

/// Target `strict_slice`.
pub fn strict_slice(data: &[u8]) {
    let out = read_slice(data, opts(Mode::Strict, 10_000), true);
    for item in &out.items {
        if let Item::Record { raw, leader, .. } = item {
            // Strict records are exactly what their leader says.
            assert_eq!(leader.record_length(), Some(raw.len()));
            assert_eq!(raw.last(), Some(&0x1D));
            assert_eq!(&leader.as_bytes()[10..12], b"22");
            assert_eq!(leader.entry_map(), *b"4500");
        }
    }
}

/// Target `lenient_slice`: the lenient reader, and its agreement with the
/// strict one: both delimit the same records, and a record strict mode
/// accepts is the same record in lenient mode.
pub fn lenient_slice(data: &[u8]) {
    let lenient = read_slice(data, opts(Mode::Lenient, 10_000), true);
    // Strict records are checked in depth by `strict_slice`.
    let strict = read_slice(data, opts(Mode::Strict, 10_000), false);
    assert_eq!(lenient.items.len(), strict.items.len());
    for (l, s) in lenient.items.iter().zip(&strict.items) {
        assert_eq!(l.number_offset(), s.number_offset());
        if let Item::Record { .. } = s {
            assert_eq!(l, s, "strict accepted a record lenient mode changed");
        }
    }
    // With a cap, the kept warnings are the first ones of the uncapped log.
    let capped = read_slice(data, opts(Mode::Lenient, 3), false);
    assert_eq!(capped.total_warnings, lenient.total_warnings);
    let n = lenient.warnings.len().min(3);
    assert_eq!(capped.warnings[..], lenient.warnings[..n], "capped log");
    // Lenient mode logs at least every fault strict mode reports.
    let strict_faults = strict.total_warnings
        + strict
            .items
            .iter()
            .filter(|i| matches!(i, Item::Malformed { .. }))
            .count() as u64;
    let lenient_faults = lenient.total_warnings
        + lenient
            .items
            .iter()
            .filter(|i| matches!(i, Item::Malformed { .. }))
            .count() as u64;
    assert!(lenient_faults >= strict_faults);
}

/// A `Read` that hands out the input in pieces whose sizes cycle through
/// `sizes`, with an `Interrupted` error where a size is 0 (never twice in a
/// row).
pub struct Chunked<'a> {
    data: &'a [u8],
    sizes: &'a [u8],
    turn: usize,
    interrupted: bool,
}

impl<'a> Chunked<'a> {
    pub fn new(data: &'a [u8], sizes: &'a [u8]) -> Chunked<'a> {
        Chunked {
            data,
            sizes,
            turn: 0,
            interrupted: false,
        }
    }
}

impl Read for Chunked<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let s = self.sizes.get(self.turn % self.sizes.len().max(1)).copied();
        self.turn = self.turn.wrapping_add(1);
        let want = match s {
            None => usize::MAX,
            Some(0) if !self.interrupted => {
                self.interrupted = true;
                return Err(io::Error::from(io::ErrorKind::Interrupted));
            }
            Some(0) => 1,
            Some(b) if b < 0xF0 => usize::from(b),
            Some(b) => usize::from(b - 0xEF) * 4096,
        };
        self.interrupted = false;
        let n = want.min(buf.len()).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

/// Reads `data` through a `StreamReader` fed by `Chunked`.
pub fn read_stream(data: &[u8], sizes: &[u8], opts: ReadOptions) -> Outcome {
    let mut reader = StreamReader::with_options(Chunked::new(data, sizes), opts);
    let mut items = Vec::new();
    while let Some(r) = reader.next_record() {
        if let Ok(v) = &r {
            touch(v);
        }
        items.push(Item::of(&r));
    }
    assert!(reader.next_record().is_none());
    assert_eq!(reader.records_read(), items.len() as u64);
    assert_eq!(reader.offset(), data.len() as u64);
    let log = reader.warning_log();
    Outcome {
        items,
        warnings: log.warnings().to_vec(),
        total_warnings: log.total(),
    }
}

/// Target `stream_chunks`. Input: one control byte (bit 7: strict; bits 4-5:
/// warning cap 0 / 1 / 3 / 10,000; bits 0-2: how many chunk-size bytes
/// follow, plus one), the chunk sizes, then the MARC bytes. The stream reader
/// must yield exactly what the slice reader yields over the same bytes.
pub fn stream_chunks(input: &[u8]) {
    let Some((&ctl, rest)) = input.split_first() else {
        return;
    };
    let n = usize::from(ctl & 7) + 1;
    if rest.len() < n {
        return;
    }
    let (sizes, data) = rest.split_at(n);
    let mode = if ctl & 0x80 != 0 {
        Mode::Strict
    } else {
        Mode::Lenient
    };
    let cap = [0, 1, 3, 10_000][usize::from((ctl >> 4) & 3)];
    let o = opts(mode, cap);
    // Records are checked in depth by the slice targets.
    let slice = read_slice(data, o, false);
    let stream = read_stream(data, sizes, o);
    assert_eq!(
        slice.items.len(),
        stream.items.len(),
        "different record counts"
    );
    for (a, b) in slice.items.iter().zip(&stream.items) {
        assert_eq!(a, b, "slice and stream readers differ");
    }
    assert_eq!(slice, stream);
}

/// An arbitrary owned record: the leader and the fields as generated.
#[derive(Arbitrary, Debug)]
pub struct ArbRecord {
    pub leader: [u8; 24],
    pub fields: Vec<ArbField>,
}

/// An arbitrary field.
#[derive(Arbitrary, Debug)]
pub enum ArbField {
    Control {
        tag: [u8; 3],
        value: Vec<u8>,
    },
    Data {
        tag: [u8; 3],
        indicators: [u8; 2],
        subfields: Vec<(u8, Vec<u8>)>,
    },
}

fn is_delimiter(b: u8) -> bool {
    matches!(b, 0x1D..=0x1F)
}

/// Builds the record; tags that are not tags and values holding delimiter
/// bytes are skipped (and the API must refuse those values).
pub fn build(arb: &ArbRecord) -> Record {
    let mut rec = Record::with_leader(Leader::from_bytes(arb.leader));
    for f in &arb.fields {
        match f {
            ArbField::Control { tag, value } => {
                let Some(tag) = Tag::from_bytes(*tag) else {
                    continue;
                };
                match Field::control(tag, value) {
                    Ok(field) => rec.push_field(field).expect("small record"),
                    Err(_) => assert!(value.iter().any(|&b| is_delimiter(b))),
                }
            }
            ArbField::Data {
                tag,
                indicators,
                subfields,
            } => {
                let Some(tag) = Tag::from_bytes(*tag) else {
                    continue;
                };
                if indicators.iter().any(|&b| is_delimiter(b)) {
                    continue;
                }
                let mut field = Field::new(tag, *indicators);
                for (code, value) in subfields {
                    let bad = is_delimiter(*code) || value.iter().any(|&b| is_delimiter(b));
                    match field.push_subfield(*code, value) {
                        Ok(()) => assert!(!bad),
                        Err(_) => assert!(bad),
                    }
                }
                rec.push_field(field).expect("small record");
            }
        }
    }
    rec
}

/// Target `owned_roundtrip`: write -> read -> equal.
pub fn owned_roundtrip(input: &[u8]) {
    let mut u = Unstructured::new(input);
    let Ok(arb) = ArbRecord::arbitrary(&mut u) else {
        return;
    };
    let rec = build(&arb);
    let bytes = match rec.to_iso2709() {
        Ok(b) => b,
        Err(_) => return,
    };
    assert_eq!(
        Leader::from_slice(&bytes).and_then(|l| l.record_length()),
        Some(bytes.len())
    );
    read_back_strict(&rec, &bytes);
    // The owned record read back equals the original once the computed
    // leader positions agree.
    let back = Reader::new(&bytes)
        .next()
        .and_then(Result::ok)
        .map(|v| v.to_owned())
        .expect("read back");
    let mut expected = rec.clone();
    expected.set_leader(*back.leader());
    assert_eq!(back, expected);
    // Two copies with a newline between read back as two records.
    let two = [&bytes[..], b"\r\n", &bytes[..]].concat();
    let out = read_slice(&two, opts(Mode::Lenient, 10), false);
    assert_eq!(out.items.len(), 2);
    assert!(
        out.items
            .iter()
            .all(|i| matches!(i, Item::Record { raw, .. } if raw[..] == bytes[..]))
    );
}

/// Runs `f` in a two-thread rayon pool of which the calling thread is one
/// (one pool per calling thread, kept for its life): work is shared with
/// the other thread, but starting it costs no hand-over between threads.
#[cfg(feature = "parallel")]
fn in_pool(f: impl FnOnce() + Send) {
    thread_local! {
        static POOL: rayon::ThreadPool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .use_current_thread()
            .build()
            .expect("thread pool");
    }
    POOL.with(|p| p.install(f));
}

/// Target `parallel_scan`. Input: one control byte (bit 7: strict; bit 6:
/// check the stream pipeline too; bits 4-5: warning cap as in
/// `stream_chunks`; bit 3: check `count_records` and `par_records` too;
/// bits 0-2: read sizes of the stream pipeline), one
/// shard-size byte `s` (shards and batches of
/// `1 + s * s` bytes, so that cuts land everywhere), then the MARC bytes.
/// The parallel scanner and the stream pipeline must give exactly what the
/// sequential reader gives: the same records in order (numbers, offsets,
/// bytes, directories), the same errors, the same warnings and totals.
#[cfg(feature = "parallel")]
pub fn parallel_scan(input: &[u8]) {
    use marcview::parallel::{ParallelReader, StreamPipeline};
    use rayon::iter::ParallelIterator;

    let [ctl, s, data @ ..] = input else {
        return;
    };
    let mode = if ctl & 0x80 != 0 {
        Mode::Strict
    } else {
        Mode::Lenient
    };
    let cap = [0, 1, 3, 10_000][usize::from((ctl >> 4) & 3)];
    let o = opts(mode, cap);
    let shard = 1 + usize::from(*s) * usize::from(*s);
    let seq = read_slice(data, o, false);
    let collect = |mut v: Vec<Item>, r: Result<RecordView<'_>, Error>| {
        v.push(Item::of(&r));
        v
    };
    let concat = |mut a: Vec<Item>, b: Vec<Item>| {
        a.extend(b);
        a
    };
    in_pool(|| {
        let reader = ParallelReader::with_options(data, o).shard_bytes(shard);
        let (items, summary) = reader.fold_records(Vec::new, collect, concat);
        assert_eq!(items, seq.items, "parallel scanner differs");
        assert_eq!(summary.records(), seq.items.len() as u64);
        assert_eq!(summary.warnings(), &seq.warnings[..]);
        assert_eq!(summary.warning_log().total(), seq.total_warnings);
        // Each plans the shards again: for half the inputs.
        if ctl & 0x08 != 0 {
            assert_eq!(reader.count_records(), seq.items.len() as u64);
            let items: Vec<Item> = reader.par_records().map(|r| Item::of(&r)).collect();
            assert_eq!(items, seq.items, "par_records differs");
            // The ordered map, each record's item as text, in input order.
            let mut out = Vec::new();
            let summary = reader
                .map_ordered(
                    |r, buf| buf.extend_from_slice(format!("{:?}\n", Item::of(&r)).as_bytes()),
                    |chunk| {
                        out.extend_from_slice(chunk);
                        Ok::<(), ()>(())
                    },
                )
                .expect("the sink never fails");
            let want: String = seq.items.iter().map(|i| format!("{i:?}\n")).collect();
            assert!(out == want.as_bytes(), "map_ordered differs");
            assert_eq!(summary.records(), seq.items.len() as u64);
            assert_eq!(summary.warnings(), &seq.warnings[..]);
            assert_eq!(summary.warning_log().total(), seq.total_warnings);
        }

        // The pipeline (a reading thread per call: slower) for half the
        // inputs, fed in pieces of 1 to 255 bytes (each read costs the
        // pipeline a 64 KiB buffer clear, so not smaller on average).
        if ctl & 0x40 != 0 {
            let sizes = [32 * (ctl & 0x07) + 1, (*s).max(32)];
            let (items, summary) = StreamPipeline::with_options(Chunked::new(data, &sizes), o)
                .batch_bytes(shard)
                .fold_records(Vec::new, collect, concat);
            assert_eq!(items, seq.items, "stream pipeline differs");
            assert_eq!(summary.records(), seq.items.len() as u64);
            assert_eq!(summary.warnings(), &seq.warnings[..]);
            assert_eq!(summary.warning_log().total(), seq.total_warnings);
        }
    });
}

// ---------------------------------------------------------------------------
// MARC-8 and the text formats (MARCXML, MARC-in-JSON, mnemonic).
// ---------------------------------------------------------------------------

/// How many output bytes one input byte can become in [`marcview::marc8::decode`]
/// without NFC: a byte of a single-byte set becomes one character of at
/// most three bytes (the tables hold BMP characters only), as does a C1
/// control (0x8D, 0x8E: U+200D, U+200C) and each undecodable byte (U+FFFD);
/// an EACC character (three bytes) at most four; a `&#x…;` reference (at
/// least five bytes) one character of at most four; ASCII and controls one.
pub const MARC8_MAX_GROWTH: usize = 3;

/// The same with NFC: NFC(s) is never longer than NFD(s) (a canonical
/// composition is never longer in UTF-8 than its two parts), and NFD of
/// any character a single-byte set maps to is at most four bytes (`й`,
/// U+0439 -> U+0438 U+0306), of an EACC character at most four, of a
/// referenced character at most twelve (U+1D160) for a reference of at
/// least nine bytes (`&#x1D160;`), and U+FFFD stays three.
pub const MARC8_MAX_GROWTH_NFC: usize = 4;

/// Target `marc8_decode`. Input: one control byte (bit 0: NFC; bit 1:
/// `&#x…;` references left undecoded; bits 2-3: how to read the ISO 2709
/// records of the same bytes for `transcode::to_utf8`: Auto, MARC-8, UTF-8,
/// or not at all), then the bytes.
///
/// * Decoding never fails in lenient mode and never panics; the output (a
///   `str`, so UTF-8) is at most [`MARC8_MAX_GROWTH`] (with NFC
///   [`MARC8_MAX_GROWTH_NFC`]) times the input; every warning points at the
///   input bytes it names, in order.
/// * `decode_into` appends exactly what `decode` returns; strict mode fails
///   with the first lenient warning, or gives the lenient text; NFC changes
///   no warning.
/// * Whatever decodes, encoded again (`encode` where it succeeds, and
///   `encode_lossy` always) decodes to the same text, up to canonical
///   equivalence (compared after NFC, since the encoder decomposes
///   precomposed characters MARC-8 only has as base + mark), with no
///   warning but for marks without a base character, which stay so; text
///   holding the legacy half marks U+FE20..=U+FE23 is left out (see
///   `has_legacy_half_marks`).
/// * `transcode::to_utf8` on the ISO 2709 records of the same bytes: see
///   `transcode_records`.
pub fn marc8_decode(input: &[u8]) {
    use marcview::marc8::{self, Detected, Marc8Options};
    use std::borrow::Cow;

    let Some((&ctl, data)) = input.split_first() else {
        return;
    };
    let nfc = ctl & 1 != 0;
    let ncr = ctl & 2 == 0;
    let opts = Marc8Options::new().normalize_nfc(nfc).decode_ncr(ncr);

    let mut warnings = Vec::new();
    let text = marc8::decode(data, opts, &mut warnings).expect("lenient decoding cannot fail");
    let growth = if nfc {
        MARC8_MAX_GROWTH_NFC
    } else {
        MARC8_MAX_GROWTH
    };
    assert!(
        text.len() <= growth * data.len(),
        "{} bytes decoded to {}",
        data.len(),
        text.len()
    );
    if let Cow::Borrowed(s) = &text {
        assert_eq!(s.as_bytes(), data, "borrowed output is not the input");
        assert!(warnings.is_empty());
    }
    let mut last = 0;
    for w in &warnings {
        assert!(w.offset < data.len(), "warning past the input: {w:?}");
        assert!(w.offset >= last, "warnings out of order: {warnings:?}");
        assert_eq!(
            data.get(w.offset..w.offset + w.bytes.len()),
            Some(&w.bytes[..])
        );
        last = w.offset;
    }

    // decode_into appends the same text (NFC touches only what it appends).
    let mut out = String::from("e");
    let mut w2 = Vec::new();
    marc8::decode_into(data, opts, &mut out, &mut w2).expect("lenient decoding cannot fail");
    assert_eq!(&out[1..], &text[..], "decode_into differs from decode");
    assert_eq!(w2, warnings);

    // Strict mode: the first problem, or the same text.
    let mut ws = Vec::new();
    match marc8::decode(data, opts.strict(true), &mut ws) {
        Ok(t) => {
            assert!(
                warnings.is_empty(),
                "strict accepted what lenient warned about"
            );
            assert_eq!(t, text);
        }
        Err(e) => assert_eq!(Some(e.warning()), warnings.first()),
    }
    assert!(ws.is_empty(), "strict mode recorded warnings");
    let mut out = String::from("e");
    if marc8::decode_into(data, opts.strict(true), &mut out, &mut Vec::new()).is_err() {
        assert_eq!(out, "e", "a failed strict decode_into changed its buffer");
    }

    // NFC changes the text, never the warnings.
    let mut w3 = Vec::new();
    let other = marc8::decode(data, opts.normalize_nfc(!nfc), &mut w3).expect("lenient");
    assert_eq!(w3, warnings, "NFC changed the warnings");
    let text_nfc: &str = if nfc { &text } else { &other };

    // Encoding what decoded gives it back (compared in NFC).
    // Marks without a base character (a warning) stay so.
    let back_opts = Marc8Options::new().normalize_nfc(true);
    // The legacy half marks (from `&#xFE20;`...) come back as U+0361 /
    // U+0360 (see `has_legacy_half_marks`). With NFC on, or where NFC
    // changed nothing, the two texts are one, and go through once.
    let legacy = has_legacy_half_marks(text_nfc.as_bytes());
    let texts: &[&str] = if legacy {
        &[]
    } else if text_nfc == text {
        &[text_nfc]
    } else {
        &[text.as_ref(), text_nfc]
    };
    for &t in texts {
        let lossy = marc8::encode_lossy(t);
        if let Ok(enc) = marc8::encode(t) {
            assert_eq!(
                enc, lossy,
                "encode and encode_lossy differ where encode succeeds"
            );
        }
        let mut wb = Vec::new();
        let back = marc8::decode(&lossy, back_opts, &mut wb).expect("lenient");
        assert_eq!(
            back, text_nfc,
            "decode(encode(text)) != text; encoded {lossy:?}"
        );
        for w in &wb {
            assert_eq!(
                w.kind,
                marc8::Marc8WarningKind::DanglingCombining,
                "the encoder wrote what the decoder warns about: {w}; encoded {lossy:?}"
            );
        }
    }

    let detected = marc8::detect(data);
    match detected {
        Detected::Ascii => assert!(data.is_ascii()),
        Detected::Utf8 => assert!(std::str::from_utf8(data).is_ok()),
        _ => {}
    }

    if ctl & 0x0C != 0x0C {
        transcode_records(data, ctl, opts);
    }
}

/// `transcode::to_utf8` over the records of `data` read leniently as ISO
/// 2709 (the first eight): never an error in lenient mode; strict mode
/// fails exactly where lenient mode warns; and the UTF-8 record, taken to
/// MARC-8 and back, is the same (with NFC: without it, decoding gives back
/// text canonically equivalent only).
fn transcode_records(data: &[u8], ctl: u8, opts: marcview::marc8::Marc8Options) {
    use marcview::transcode::{self, SourceEncoding};

    let choice = [
        SourceEncoding::Auto,
        SourceEncoding::Marc8,
        SourceEncoding::Utf8,
    ][usize::from((ctl >> 2) & 3)];
    for view in Reader::new(data).filter_map(Result::ok).take(8) {
        let mut warnings = Vec::new();
        let utf8 = match transcode::to_utf8(&view, choice, opts, &mut warnings) {
            Ok(r) => r,
            Err(e) => panic!("lenient to_utf8 failed: {e}"),
        };
        assert_eq!(utf8.leader().coding_byte(), b'a');
        assert_eq!(utf8.len(), view.len());
        match transcode::to_utf8(&view, choice, opts.strict(true), &mut Vec::new()) {
            Ok(r) => {
                assert!(
                    warnings.is_empty(),
                    "strict accepted what lenient warned about"
                );
                assert_eq!(r, utf8);
            }
            Err(_) => assert!(
                !warnings.is_empty(),
                "strict failed where lenient did not warn"
            ),
        }
        // The round trip: for text decoded from MARC-8 with NFC (UTF-8
        // records are copied as they are, not normalized), and without the
        // legacy half marks, which the encoder takes for U+0361 / U+0360.
        let decoded = transcode::detect_encoding(&view, choice) == transcode::TextEncoding::Marc8;
        if !opts.normalize_nfc
            || !opts.decode_ncr
            || !decoded
            || utf8.fields().any(|f| has_legacy_half_marks(f.raw_value()))
        {
            continue;
        }
        let marc8 = transcode::to_marc8(&utf8, false).expect("to_marc8 of a decoded record");
        assert_eq!(marc8.leader().coding_byte(), b' ');
        let Ok(bytes) = marc8.to_iso2709() else {
            continue;
        };
        let again = RecordView::parse(&bytes).expect("a written record parses");
        let mut back = transcode::to_utf8(&again, SourceEncoding::Marc8, opts, &mut Vec::new())
            .expect("to_utf8 of to_marc8");
        // The ISO 2709 writer computes leader/20-23 (and the lengths).
        assert!(leader_agrees(utf8.leader(), back.leader()));
        back.set_leader(*utf8.leader());
        assert_eq!(back, utf8, "to_utf8(to_marc8(r)) != r");
    }
}

/// Whether `bytes` hold one of U+FE20..=U+FE23, the legacy half marks
/// that `marc8::encode` accepts for the double-width marks: they come back
/// from MARC-8 as U+0361 / U+0360 (the documented mapping), not as
/// themselves.
fn has_legacy_half_marks(bytes: &[u8]) -> bool {
    bytes
        .windows(3)
        .any(|w| w[0] == 0xEF && w[1] == 0xB8 && (0xA0..=0xA3).contains(&w[2]))
}

/// A record as MARCXML and MARC-in-JSON can carry it: control fields (by
/// tag) as they are, data fields as their indicators and their subfields as
/// `FieldView::subfields` reads them (empty chunks and bytes between the
/// indicators and the first subfield have no place in those formats).
pub fn as_carried(rec: &Record) -> Record {
    let mut out = Record::with_leader(*rec.leader());
    for f in rec.fields() {
        let field = if f.is_control() {
            Field::from_raw(f.tag(), f.raw_value()).expect("from a record")
        } else {
            let mut g = Field::new(f.tag(), f.indicators());
            for s in f.subfields() {
                g.push_subfield(s.code, s.value).expect("from a record");
            }
            g
        };
        out.push_field(field).expect("smaller than the record");
    }
    out
}

/// Equal records, leaders compared in full (`Record`'s `==` leaves out the
/// positions the ISO 2709 writer computes, which the text formats keep).
fn assert_same(a: &Record, b: &Record, what: &str) {
    assert_eq!(a, b, "{what}");
    assert_eq!(a.leader(), b.leader(), "{what}: leader");
}

/// Any record written as mnemonic text reads back as the same record, with
/// no warning (the format escapes every byte it cannot hold as it is).
pub fn mrk_round_trip(rec: &Record) {
    use marcview::mnemonic::{self, MnemonicReader};

    let mut text = Vec::new();
    mnemonic::append_record(&mut text, rec);
    let mut r = MnemonicReader::new(&text[..]);
    let back: Vec<_> = r.by_ref().collect();
    assert_eq!(
        back.len(),
        1,
        "one record written, {} read back from {:?}",
        back.len(),
        String::from_utf8_lossy(&text)
    );
    match &back[0] {
        Ok(b) => assert_same(b, rec, "mnemonic round trip"),
        Err(e) => panic!("written mnemonic text reads back as an error: {e}"),
    }
    assert_eq!(r.warning_total(), 0, "{:?}", r.warnings());
}

/// A record read from a text format, written as ISO 2709 (when it fits),
/// reads back strictly as the same record (see `read_back_strict`).
fn iso_round_trip(rec: &Record) {
    if let Ok(bytes) = rec.to_iso2709() {
        read_back_strict(rec, &bytes);
    }
}

/// Target `xml_read`: the MARCXML reader over any bytes stops (after at
/// most one item per input byte, plus one) without panicking, and every
/// record it yields survives MARCXML, mnemonic and ISO 2709 round trips.
#[cfg(feature = "xml")]
pub fn xml_read(data: &[u8]) {
    use marcview::xml::XmlReader;

    let mut reader = XmlReader::new(data);
    let cap = data.len() + 2;
    let items: Vec<_> = reader.by_ref().take(cap).collect();
    assert!(items.len() < cap, "the reader does not stop");
    assert!(reader.next().is_none(), "reader is fused");
    assert!(reader.warning_total() >= reader.warnings().len() as u64);
    let ok = items.iter().filter(|r| r.is_ok()).count() as u64;
    assert!(reader.records_read() >= ok);
    // With small reads, the same items.
    let small = std::io::BufReader::with_capacity(7, data);
    let again: Vec<_> = XmlReader::new(small).take(cap).collect();
    assert_eq!(
        format!("{again:?}"),
        format!("{items:?}"),
        "block size changed what was read"
    );
    for rec in items.iter().filter_map(|r| r.as_ref().ok()) {
        xml_round_trip(rec);
        mrk_round_trip(rec);
        iso_round_trip(rec);
    }
}

/// Write as MARCXML -> read: one record, the record as MARCXML carries it
/// when the writer replaced nothing; and once through, the trip changes
/// nothing more (whatever was replaced).
#[cfg(feature = "xml")]
pub fn xml_round_trip(rec: &Record) {
    use marcview::FormatFault;
    use marcview::xml::{self, XmlError, XmlReader, XmlWriter};

    let read_one = |doc: &[u8]| -> (Record, Vec<XmlError>) {
        let mut r = XmlReader::new(doc);
        let mut back: Vec<_> = r.by_ref().collect();
        assert_eq!(
            back.len(),
            1,
            "one record written, read back {back:?} from {:?}",
            String::from_utf8_lossy(doc)
        );
        match back.pop() {
            Some(Ok(b)) => (b, r.take_warnings()),
            other => panic!(
                "written MARCXML reads back as {other:?}: {:?}",
                String::from_utf8_lossy(doc)
            ),
        }
    };
    let mut doc = Vec::new();
    let replaced = xml::write_record(&mut doc, rec).expect("write to a Vec");
    assert!(
        std::str::from_utf8(&doc).is_ok(),
        "the writer wrote bytes that are not UTF-8"
    );
    let (back, warnings) = read_one(&doc);
    if replaced == 0 {
        assert_same(&back, &as_carried(rec), "MARCXML round trip");
        // A subfield code of several UTF-8 bytes is written whole, and
        // read back with a warning; nothing else warns.
        for w in &warnings {
            assert!(
                matches!(
                    w,
                    XmlError::Invalid {
                        fault: FormatFault::WideSubfieldCode { .. },
                        ..
                    }
                ),
                "unexpected warning {w}"
            );
        }
    }
    // The trip is a projection: once through, nothing changes.
    let mut doc2 = Vec::new();
    xml::write_record(&mut doc2, &back).expect("write to a Vec");
    let (again, _) = read_one(&doc2);
    assert_same(&again, &back, "second MARCXML round trip");
    // A collection of two gives it twice.
    let mut w = XmlWriter::new(Vec::new());
    w.write(rec).expect("write to a Vec");
    w.write(rec).expect("write to a Vec");
    let coll = w.finish().expect("write to a Vec");
    let both: Vec<_> = XmlReader::new(&coll[..]).collect();
    assert_eq!(both.len(), 2);
    for b in both {
        assert_same(&b.expect("written record"), &back, "MARCXML collection");
    }
}

/// Target `json_read`: `JsonReader` and `NdjsonReader` over any bytes stop
/// without panicking, and every record they yield survives the MARC-in-JSON
/// (array, object and NDJSON), mnemonic and ISO 2709 round trips.
#[cfg(feature = "json")]
pub fn json_read(data: &[u8]) {
    use marcview::json::{JsonReader, NdjsonReader};

    let cap = data.len() + 2;
    let mut reader = JsonReader::new(data);
    let items: Vec<_> = reader.by_ref().take(cap).collect();
    assert!(items.len() < cap, "JsonReader does not stop");
    assert!(reader.next().is_none(), "JsonReader is fused");
    assert!(reader.warning_total() >= reader.warnings().len() as u64);
    let mut nd = NdjsonReader::new(data);
    let lines: Vec<_> = nd.by_ref().take(cap).collect();
    assert!(lines.len() < cap, "NdjsonReader does not stop");
    assert!(nd.next().is_none(), "NdjsonReader is fused");
    assert!(nd.warning_total() >= nd.warnings().len() as u64);
    assert!(lines.len() as u64 <= data.iter().filter(|&&b| b == b'\n').count() as u64 + 1);
    // With small reads, the same items.
    let small = std::io::BufReader::with_capacity(5, data);
    let again: Vec<_> = JsonReader::new(small).take(cap).collect();
    assert_eq!(
        format!("{again:?}"),
        format!("{items:?}"),
        "block size changed JsonReader"
    );
    let small = std::io::BufReader::with_capacity(5, data);
    let again: Vec<_> = NdjsonReader::new(small).take(cap).collect();
    assert_eq!(
        format!("{again:?}"),
        format!("{lines:?}"),
        "block size changed NdjsonReader"
    );
    for rec in items.iter().chain(&lines).filter_map(|r| r.as_ref().ok()) {
        json_round_trip(rec);
        mrk_round_trip(rec);
        iso_round_trip(rec);
    }
}

/// Write as MARC-in-JSON -> read (as one object, in an array, as NDJSON):
/// one record, the record as MARC-in-JSON carries it when the writer
/// replaced nothing; and once through, the trip changes nothing more.
#[cfg(feature = "json")]
pub fn json_round_trip(rec: &Record) {
    use marcview::FormatFault;
    use marcview::json::{self, JsonError, JsonReader, NdjsonReader};

    fn one<I: Iterator<Item = Result<Record, JsonError>>>(
        mut it: I,
        text: &[u8],
        how: &str,
    ) -> Record {
        let first = it.next();
        assert!(it.next().is_none(), "{how}: more than one record read back");
        match first {
            Some(Ok(r)) => r,
            other => panic!(
                "{how}: written record reads back as {other:?}: {:?}",
                String::from_utf8_lossy(text)
            ),
        }
    }
    let mut obj = Vec::new();
    let replaced = json::append_record(&mut obj, rec);
    assert!(
        std::str::from_utf8(&obj).is_ok(),
        "the writer wrote bytes that are not UTF-8"
    );
    let mut r = JsonReader::new(&obj[..]);
    let back = one(r.by_ref(), &obj, "object");
    if replaced == 0 {
        assert_same(&back, &as_carried(rec), "MARC-in-JSON round trip");
        for w in r.warnings() {
            assert!(
                matches!(
                    w,
                    JsonError::Invalid {
                        fault: FormatFault::WideSubfieldCode { .. },
                        ..
                    }
                ),
                "unexpected warning {w}"
            );
        }
    }
    let mut arr = Vec::new();
    json::write_records(&mut arr, [rec, rec]).expect("write to a Vec");
    let both: Vec<_> = JsonReader::new(&arr[..]).collect();
    assert_eq!(both.len(), 2);
    for b in both {
        assert_same(&b.expect("written record"), &back, "array");
    }
    let mut lines = Vec::new();
    json::write_ndjson(&mut lines, [rec, rec]).expect("write to a Vec");
    let both: Vec<_> = NdjsonReader::new(&lines[..]).collect();
    assert_eq!(both.len(), 2);
    for b in both {
        assert_same(&b.expect("written record"), &back, "NDJSON");
    }
    let mut obj2 = Vec::new();
    json::append_record(&mut obj2, &back);
    let again = one(JsonReader::new(&obj2[..]), &obj2, "second trip");
    assert_same(&again, &back, "second MARC-in-JSON round trip");
}

/// Target `mrk_read`: the mnemonic reader over any bytes stops without
/// panicking (at most one item per line), and every record it yields,
/// written again, reads back as the same record with no warning; so do its
/// ISO 2709 bytes.
pub fn mrk_read(data: &[u8]) {
    use marcview::mnemonic::MnemonicReader;

    let mut reader = MnemonicReader::new(data);
    let cap = data.len() + 2;
    let items: Vec<_> = reader.by_ref().take(cap).collect();
    assert!(items.len() < cap, "the reader does not stop");
    assert!(reader.next().is_none(), "reader is fused");
    assert!(items.len() as u64 <= data.iter().filter(|&&b| b == b'\n').count() as u64 + 1);
    assert_eq!(reader.records_read(), items.len() as u64);
    assert!(reader.warning_total() >= reader.warnings().len() as u64);
    let small = std::io::BufReader::with_capacity(3, data);
    let again: Vec<_> = MnemonicReader::new(small).take(cap).collect();
    assert_eq!(
        format!("{again:?}"),
        format!("{items:?}"),
        "block size changed what was read"
    );
    for rec in items.iter().filter_map(|r| r.as_ref().ok()) {
        mrk_round_trip(rec);
        iso_round_trip(rec);
    }
}
