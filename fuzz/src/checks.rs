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
