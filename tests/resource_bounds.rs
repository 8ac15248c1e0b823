//! Pathological inputs finish with bounded memory and a known outcome.
//!
//! Each case reads its input with the lenient and the strict slice reader
//! and with the stream reader, counts records, errors and warnings, and
//! measures the peak heap bytes allocated while reading (a counting global
//! allocator, per thread). The bounds are stated per case: proportional to
//! the input, never to lengths the input declares. There are no timing
//! assertions; an input that made a reader loop or go quadratic would show
//! as a hung test.
//!
//! The big inputs are 50 MiB in release builds and 4 MiB in debug builds,
//! so that plain `cargo test` stays quick.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use marcview::{
    Fault, Field, MAX_PENDING, Mode, ReadOptions, Reader, Record, StreamReader, Tag, Warning,
};

/// Counts heap bytes held by the current thread and their peak.
struct Counting;

thread_local! {
    static CURRENT: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn add(delta: isize) {
    let _ = CURRENT.try_with(|c| {
        let now = c.get() + delta;
        c.set(now);
        let _ = PEAK.try_with(|p| p.set(p.get().max(now)));
    });
}

// SAFETY: every method forwards to `System` with the caller's arguments
// unchanged; the counters are const-initialized thread-locals without
// destructors, so touching them never allocates or re-enters.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        add(layout.size() as isize);
        // SAFETY: forwarded unchanged.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        add(layout.size() as isize);
        // SAFETY: forwarded unchanged.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        add(-(layout.size() as isize));
        // SAFETY: forwarded unchanged.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        add(new_size as isize - layout.size() as isize);
        // SAFETY: forwarded unchanged.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// Runs `f` and returns its result with the peak heap bytes it added.
fn peak_of<R>(f: impl FnOnce() -> R) -> (R, usize) {
    let start = CURRENT.with(Cell::get);
    PEAK.with(|p| p.set(start));
    let r = f();
    let peak = PEAK.with(Cell::get) - start;
    (r, peak.max(0) as usize)
}

const BIG: usize = if cfg!(debug_assertions) {
    4 << 20
} else {
    50 << 20
};

/// What a reader made of an input.
#[derive(Debug, Default)]
struct Outcome {
    ok: usize,
    err: usize,
    /// Fields of the good records.
    fields: usize,
    warnings: u64,
    kept: Vec<Warning>,
    errors: Vec<Fault>,
    /// Record offsets of the errors (first 100).
    error_offsets: Vec<u64>,
    peak: usize,
    /// Where the reader stopped.
    end: u64,
}

impl Outcome {
    fn items(&self) -> usize {
        self.ok + self.err
    }

    fn has_warning(&self, f: impl Fn(&Fault) -> bool) -> bool {
        self.kept.iter().any(|w| f(&w.fault))
    }
}

fn note(out: &mut Outcome, r: Result<marcview::RecordView<'_>, marcview::Error>) {
    match r {
        Ok(v) => {
            out.ok += 1;
            for f in v.fields() {
                out.fields += 1;
                std::hint::black_box(f.raw_value());
                // Re-cut entries may all span one huge stretch of data:
                // walking each one's subfields would be our own quadratic
                // loop, not the reader's.
                if f.raw_value().len() <= 4096 {
                    for s in f.subfields() {
                        std::hint::black_box(s.value);
                    }
                }
            }
        }
        Err(e) => {
            out.err += 1;
            if out.errors.len() < 100 {
                out.errors.push(e.fault().cloned().expect("malformed"));
                out.error_offsets
                    .push(e.location().map_or(0, |l| l.record_offset));
            }
        }
    }
}

fn slice(input: &[u8], mode: Mode) -> Outcome {
    let opts = ReadOptions {
        mode,
        max_warnings: 1_000,
    };
    let (mut out, peak) = peak_of(|| {
        let mut out = Outcome::default();
        let mut reader = Reader::with_options(input, opts);
        for r in reader.by_ref() {
            note(&mut out, r);
        }
        out.warnings = reader.warning_log().total();
        out.kept = reader.take_warnings();
        out.end = reader.offset() as u64;
        out
    });
    out.peak = peak;
    out
}

fn stream(input: &[u8], mode: Mode) -> Outcome {
    let opts = ReadOptions {
        mode,
        max_warnings: 1_000,
    };
    let (mut out, peak) = peak_of(|| {
        let mut out = Outcome::default();
        let mut reader = StreamReader::with_options(input, opts);
        while let Some(r) = reader.next_record() {
            note(&mut out, r);
        }
        out.warnings = reader.warning_log().total();
        out.kept = reader.take_warnings();
        out.end = reader.offset();
        out
    });
    out.peak = peak;
    out
}

/// Lenient slice, strict slice and stream readers over `input`.
fn all(input: &[u8]) -> [Outcome; 3] {
    let out = [
        slice(input, Mode::Lenient),
        slice(input, Mode::Strict),
        stream(input, Mode::Lenient),
    ];
    for o in &out {
        assert_eq!(o.end, input.len() as u64, "reader stopped early: {o:?}");
    }
    eprintln!(
        "{} bytes: peak heap bytes lenient {} strict {} stream {}",
        input.len(),
        out[0].peak,
        out[1].peak,
        out[2].peak
    );
    out
}

/// What the stream reader may hold: its buffer (at most `MAX_PENDING` plus
/// one read) and the same bookkeeping as a slice reader.
const STREAM_OVERHEAD: usize = 2 * MAX_PENDING + (256 << 10);
/// Bookkeeping of a slice reader: the kept warnings (1,000 here) and small
/// things.
const SLICE_OVERHEAD: usize = 256 << 10;

fn good_record(id: &str) -> Vec<u8> {
    let mut r = Record::new();
    r.push_field(Field::control(Tag::new(1), id).expect("001"))
        .expect("push");
    r.push_field(
        Field::new(Tag::new(245), *b"10")
            .with_subfield(b'a', "A title :")
            .expect("a")
            .with_subfield(b'b', "with a subtitle /")
            .expect("b"),
    )
    .expect("push");
    r.to_iso2709().expect("write")
}

#[test]
fn declared_length_99999_with_30_bytes() {
    let mut input = b"99999nam a2200037 a 4500".to_vec();
    input.extend_from_slice(b"245000500000\x1e10\x1fa\x1exxxxxxxxxxxx");
    assert_eq!(input.len(), 24 + 30);
    let [lenient, strict, streamed] = all(&input);
    // One truncated record; lenient mode recovers its one field.
    assert_eq!((lenient.ok, lenient.err, lenient.fields), (1, 0, 1));
    assert!(lenient.has_warning(|f| matches!(
        f,
        Fault::Truncated {
            declared: 99_999,
            available: 54
        }
    )));
    assert_eq!((strict.ok, strict.err), (0, 1));
    assert!(matches!(strict.errors[0], Fault::Truncated { .. }));
    assert_eq!((streamed.ok, streamed.err, streamed.fields), (1, 0, 1));
    assert_eq!(streamed.warnings, lenient.warnings);
    // Nothing sized by the declared 99,999 bytes.
    assert!(lenient.peak < 8 << 10, "{}", lenient.peak);
    assert!(strict.peak < 8 << 10, "{}", strict.peak);
    // The stream reader's buffer: one or two 64 KiB reads, whatever the
    // declared length.
    assert!(streamed.peak < 3 * (64 << 10), "{}", streamed.peak);
}

/// A record of 10,000 directory entries that all point at one empty field:
/// longer than ISO 2709 allows, so only the lenient reader takes it.
#[test]
fn ten_thousand_empty_fields() {
    let n = 10_000;
    let mut input = b"00000nam a2200000 a 4500".to_vec();
    for _ in 0..n {
        input.extend_from_slice(b"500000100000");
    }
    input.extend_from_slice(b"\x1e\x1e\x1d");
    let [lenient, strict, streamed] = all(&input);
    assert_eq!((lenient.ok, lenient.err, lenient.fields), (1, 0, n));
    assert!(lenient.has_warning(|f| matches!(f, Fault::LengthMismatch { declared: 0, .. })));
    assert!(lenient.has_warning(|f| matches!(f, Fault::BadBaseAddress { .. })));
    assert_eq!((strict.ok, strict.err), (0, 1));
    assert_eq!((streamed.ok, streamed.fields), (1, n));
    // The directory (12 bytes an entry, as in the input) is the only
    // allocation that grows with the record.
    let bound = 2 * input.len() + SLICE_OVERHEAD;
    assert!(lenient.peak < bound, "{} >= {bound}", lenient.peak);
    assert!(streamed.peak < bound + STREAM_OVERHEAD, "{}", streamed.peak);
}

/// A "directory" of nothing but digits, 4 MiB long, with no field
/// terminator anywhere: there is no base address to find.
#[test]
fn directory_of_only_digits() {
    let mut input = b"00000nam a2200000 a 4500".to_vec();
    input.extend((0..(4 << 20)).map(|i| b'0' + (i % 10) as u8));
    input.push(0x1D);
    let [lenient, strict, streamed] = all(&input);
    assert_eq!((lenient.ok, lenient.err), (0, 1));
    assert!(matches!(lenient.errors[0], Fault::BadBaseAddress { .. }));
    assert_eq!((strict.ok, strict.err), (0, 1));
    // The stream reader cuts the record every MAX_PENDING bytes; what the
    // pieces after the first hold (digits) is not a record either, though
    // lenient mode may make something of some of them.
    assert!(matches!(streamed.errors[0], Fault::BadBaseAddress { .. }));
    assert!(streamed.items() >= 2 && streamed.items() <= input.len() / MAX_PENDING + 1);
    assert!(lenient.peak < SLICE_OVERHEAD, "{}", lenient.peak);
    assert!(strict.peak < SLICE_OVERHEAD, "{}", strict.peak);
    assert!(streamed.peak < STREAM_OVERHEAD, "{}", streamed.peak);
}

/// Nothing but record terminators: every byte is a record too short to
/// have a leader.
#[test]
fn endless_record_terminators() {
    let input = vec![0x1Du8; BIG];
    let [lenient, strict, streamed] = all(&input);
    for o in [&lenient, &strict, &streamed] {
        assert_eq!((o.ok, o.err, o.warnings), (0, BIG, 0));
        assert!(
            o.errors
                .iter()
                .all(|f| *f == Fault::ShortLeader { available: 1 })
        );
        assert_eq!(o.error_offsets[..3], [0, 1, 2]);
    }
    assert!(lenient.peak < SLICE_OVERHEAD, "{}", lenient.peak);
    assert!(strict.peak < SLICE_OVERHEAD, "{}", strict.peak);
    assert!(streamed.peak < STREAM_OVERHEAD, "{}", streamed.peak);
}

/// Good records whose terminators were all stripped: each declared length
/// is right and a leader follows it, so every record is recovered.
#[test]
fn no_record_terminator_anywhere() {
    let mut rec = good_record("stripped");
    rec.pop();
    let len = rec.len();
    rec[..5].copy_from_slice(format!("{len:05}").as_bytes());
    let copies = BIG / len;
    let input = rec.repeat(copies);
    assert!(!input.contains(&0x1D));
    let [lenient, strict, streamed] = all(&input);
    assert_eq!(
        (lenient.ok, lenient.err, lenient.fields),
        (copies, 0, 2 * copies)
    );
    assert_eq!(lenient.warnings, copies as u64);
    assert!(
        lenient
            .kept
            .iter()
            .all(|w| w.fault == Fault::NoRecordTerminator)
    );
    assert_eq!((strict.ok, strict.err), (0, copies));
    assert_eq!((streamed.ok, streamed.fields), (copies, 2 * copies));
    assert_eq!(streamed.warnings, lenient.warnings);
    // Views borrow the input: reading allocates only the kept warnings.
    assert!(lenient.peak < SLICE_OVERHEAD, "{}", lenient.peak);
    assert!(strict.peak < SLICE_OVERHEAD, "{}", strict.peak);
    assert!(streamed.peak < STREAM_OVERHEAD, "{}", streamed.peak);
}

/// Bytes that are neither filler nor 0x1D: one huge unterminated "record"
/// for a slice reader; the stream reader stops looking after MAX_PENDING
/// bytes and takes what it has, so its memory stays bounded.
#[test]
fn big_input_without_any_terminator() {
    let input: Vec<u8> = (0..BIG).map(|i| b'a' + (i % 26) as u8).collect();
    let [lenient, strict, streamed] = all(&input);
    assert_eq!((lenient.ok, lenient.err), (0, 1));
    assert_eq!((strict.ok, strict.err), (0, 1));
    assert_eq!(streamed.ok, 0);
    assert!(streamed.err >= BIG / (MAX_PENDING + (1 << 20)));
    assert!(streamed.err <= BIG / MAX_PENDING + 1);
    for w in streamed.error_offsets.windows(2) {
        assert!(w[1] - w[0] <= (MAX_PENDING + (1 << 20)) as u64);
    }
    assert!(lenient.peak < SLICE_OVERHEAD, "{}", lenient.peak);
    assert!(strict.peak < SLICE_OVERHEAD, "{}", strict.peak);
    assert!(streamed.peak < STREAM_OVERHEAD, "{}", streamed.peak);
}

/// Nothing but filler between records: no record, one warning, and the
/// stream reader reads to the end like the slice reader (it used to stop
/// after MAX_PENDING bytes of filler and drop everything after them).
#[test]
fn fifty_mib_of_filler() {
    let filler = b"\r\n\0 \t\x1a";
    let mut input: Vec<u8> = (0..BIG).map(|i| filler[i % filler.len()]).collect();
    let [lenient, strict, streamed] = all(&input);
    for o in [&lenient, &strict, &streamed] {
        assert_eq!((o.items(), o.warnings), (0, 1), "{o:?}");
        assert_eq!(o.kept[0].fault, Fault::TrailingBytes { len: BIG });
    }
    // A record after all that filler is still found.
    let rec = good_record("after");
    input.extend_from_slice(&rec);
    let [lenient, strict, streamed] = all(&input);
    for o in [&lenient, &strict, &streamed] {
        assert_eq!((o.ok, o.err, o.warnings), (1, 0, 1), "{o:?}");
        assert_eq!(o.kept[0].fault, Fault::StrayBytes { len: BIG });
    }
    assert!(lenient.peak < SLICE_OVERHEAD, "{}", lenient.peak);
    assert!(streamed.peak < STREAM_OVERHEAD, "{}", streamed.peak);
}

/// A directory of 8,000 entries (96,000 bytes) that all point at one empty
/// field: within ISO 2709's limits and well-formed, so strict mode takes it.
#[test]
fn directory_with_8000_entries() {
    let n = 8_000;
    let mut rec = Vec::new();
    let base = 24 + 12 * n + 1;
    let total = base + 1 + 1;
    rec.extend_from_slice(format!("{total:05}nam a22{base:05} a 4500").as_bytes());
    for _ in 0..n {
        rec.extend_from_slice(b"500000100000");
    }
    rec.extend_from_slice(b"\x1e\x1e\x1d");
    assert_eq!(rec.len(), total);
    let input = [&rec[..], &good_record("next")[..]].concat();
    let [lenient, strict, streamed] = all(&input);
    for o in [&lenient, &strict, &streamed] {
        assert_eq!(
            (o.ok, o.err, o.fields, o.warnings),
            (2, 0, n + 2, 0),
            "{o:?}"
        );
    }
    let bound = 2 * input.len() + SLICE_OVERHEAD;
    assert!(lenient.peak < bound, "{}", lenient.peak);
    assert!(strict.peak < bound, "{}", strict.peak);
    assert!(streamed.peak < bound + STREAM_OVERHEAD, "{}", streamed.peak);
}

/// A leader whose base address claims 8,000 directory entries in a record
/// of 100 bytes: the base address is repaired from the field terminators.
#[test]
fn base_address_claims_8000_entries() {
    let mut rec = good_record("claims");
    rec[12..17].copy_from_slice(b"96025");
    let input = [&rec[..], &good_record("next")[..]].concat();
    let [lenient, strict, streamed] = all(&input);
    assert_eq!((lenient.ok, lenient.err, lenient.fields), (2, 0, 4));
    assert!(lenient.has_warning(|f| matches!(f, Fault::BadBaseAddress { .. })));
    assert_eq!((strict.ok, strict.err), (1, 1));
    assert!(matches!(strict.errors[0], Fault::BadBaseAddress { .. }));
    assert_eq!((streamed.ok, streamed.fields), (2, 4));
    assert!(lenient.peak < SLICE_OVERHEAD, "{}", lenient.peak);
}

/// Many directory entries over a long data area without field terminators:
/// every entry is re-cut to the end of the data. Re-cutting by scanning
/// from each entry's start costs entries x data bytes (quadratic: 34 s in
/// release for the input below, hours for 50 MB); done linearly (a sorted
/// list of the terminators), it is immediate, and the memory is linear too.
#[test]
fn many_entries_over_data_without_terminators() {
    // Release: 200,000 entries over 16 MiB (re-cut by scanning from each
    // entry: 34 s; linearly: well under a second). Debug: less.
    let (entries, data) = if cfg!(debug_assertions) {
        (10_000, 1 << 20)
    } else {
        (200_000, 16 << 20)
    };
    let mut input = b"00000nam a2200000 a 4500".to_vec();
    for _ in 0..entries {
        input.extend_from_slice(b"500999900000");
    }
    input.push(0x1E);
    input.extend(std::iter::repeat_n(b'x', data));
    input.push(0x1D);
    let lenient = slice(&input, Mode::Lenient);
    assert_eq!((lenient.ok, lenient.err, lenient.fields), (1, 0, entries));
    assert!(lenient.has_warning(|f| *f == Fault::FieldsRecut));
    assert!(lenient.has_warning(|f| matches!(
        f,
        Fault::FieldCountMismatch { entries: n, fields: 1 } if *n == entries
    )));
    let strict = slice(&input, Mode::Strict);
    assert_eq!((strict.ok, strict.err), (0, 1));
    // The decoded directory: 12 bytes an entry (and its growth).
    let bound = 3 * 12 * entries + SLICE_OVERHEAD;
    assert!(lenient.peak < bound, "{} >= {bound}", lenient.peak);
}
