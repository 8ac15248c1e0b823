//! The view path allocates nothing.
//!
//! A counting global allocator (per thread) shows that, once a [`Reader`] is
//! built, reading records — delimiting them, checking the leader, decoding
//! the directory, and reading every field, indicator and subfield — makes
//! no heap allocation at all, whatever the number of fields (the directory
//! is read in place), over generated files and over the real UTF-8 files of
//! the corpus; and that a record whose directory lenient mode repairs
//! allocates exactly once (the list of repaired entries).
//!
//! Inputs are prepared before each measured region, and the loop inside it
//! only adds to integers, so any allocation counted is the reader's.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use marcview::{Field, Leader, Mode, ReadOptions, Reader, Record, RecordView, Tag};

struct Counting;

thread_local! {
    static ALLOCS: Cell<u64> = const { Cell::new(0) };
}

fn count() {
    let _ = ALLOCS.try_with(|c| c.set(c.get() + 1));
}

// SAFETY: every method forwards to `System` with the caller's arguments
// unchanged; the counter is a const-initialized thread-local without a
// destructor, so touching it never allocates or re-enters.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: forwarded unchanged.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: forwarded unchanged.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        // SAFETY: forwarded unchanged.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

fn allocations() -> u64 {
    ALLOCS.with(Cell::get)
}

/// Sums of what a pass read, so that nothing is optimized away and the
/// test can check that everything was read.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Tally {
    records: u64,
    fields: u64,
    subfields: u64,
    bytes: u64,
    errors: u64,
    check: u64,
}

/// Reads every part of a view without allocating.
#[inline(never)]
fn touch(view: &RecordView<'_>, t: &mut Tally) {
    t.records += 1;
    t.check = t.check.wrapping_add(u64::from(view.leader().as_bytes()[6]));
    t.check = t
        .check
        .wrapping_add(view.leader().record_length().unwrap_or(0) as u64);
    t.check = t
        .check
        .wrapping_add(view.control_number().map_or(0, <[u8]>::len) as u64);
    t.check = t
        .check
        .wrapping_add(view.field(245).map_or(0, |f| f.raw_value().len()) as u64);
    for f in view.fields() {
        t.fields += 1;
        t.check = t.check.wrapping_add(u64::from(f.tag().as_u16()));
        let [a, b] = f.indicators();
        t.check = t.check.wrapping_add(u64::from(a) + u64::from(b));
        t.bytes += f.raw_value().len() as u64;
        for s in f.subfields() {
            t.subfields += 1;
            t.check = t.check.wrapping_add(u64::from(s.code));
            t.bytes += s.value.len() as u64;
            for &byte in s.value {
                t.check = t.check.wrapping_add(u64::from(byte));
            }
            // Valid UTF-8 is borrowed, not copied (invalid UTF-8 is
            // repaired into a new string: that is the caller's choice).
            if std::str::from_utf8(s.value).is_ok()
                && let std::borrow::Cow::Borrowed(text) = s.text()
            {
                t.check = t.check.wrapping_add(text.len() as u64);
            }
        }
    }
}

/// Reads all of `reader`, returning what was read and how many allocations
/// the reading made. Panics on an error or a warning (inputs are clean).
#[inline(never)]
fn measure(mut reader: Reader<'_>) -> (Tally, u64) {
    let mut t = Tally::default();
    let before = allocations();
    for r in reader.by_ref() {
        match r {
            Ok(view) => touch(&view, &mut t),
            Err(_) => t.errors += 1,
        }
    }
    let made = allocations() - before;
    assert_eq!(t.errors, 0, "clean input gave an error");
    assert_eq!(reader.warning_log().total(), 0, "clean input gave warnings");
    (t, made)
}

/// A record with `fields` fields: an 001, an 008, then data fields with a
/// few subfields each, including non-ASCII text.
fn generated_record(i: usize, fields: usize) -> Record {
    let mut leader = *b"00000cam a2200000 i 4500";
    leader[6] = b"acdegijkmoprt"[i % 13];
    let mut r = Record::with_leader(Leader::from_bytes(leader));
    r.push_field(Field::control(Tag::new(1), format!("rec{i:07}")).expect("001"))
        .expect("push");
    r.push_field(
        Field::control(Tag::new(8), "850101s1999    xx a     b    000 0 eng d").expect("008"),
    )
    .expect("push");
    for j in 2..fields {
        let tag = Tag::new([100, 245, 260, 300, 500, 650, 700, 856][j % 8]);
        let mut f = Field::new(tag, [b'0' + (j % 10) as u8, b' ']);
        for (k, code) in [b'a', b'b', b'c'].iter().take(1 + (i + j) % 3).enumerate() {
            let value = format!("Valeur {i}.{j}.{k} — été, 日本");
            f.push_subfield(*code, value).expect("subfield");
        }
        r.push_field(f).expect("push");
    }
    r
}

fn lenient() -> ReadOptions {
    ReadOptions {
        mode: Mode::Lenient,
        max_warnings: 10,
    }
}

#[test]
fn generated_records_allocate_nothing() {
    let mut file = Vec::new();
    let mut expected_fields = 0u64;
    for i in 0..3_000 {
        let n = 1 + i % 60; // 1 ..= 60 fields
        expected_fields += n.max(2) as u64;
        generated_record(i, n)
            .write_iso2709_into(&mut file, Default::default())
            .expect("write");
    }
    for opts in [
        lenient(),
        ReadOptions {
            mode: Mode::Strict,
            ..lenient()
        },
    ] {
        // The reader is built outside the measured loop.
        let reader = Reader::with_options(&file, opts);
        let (t, made) = measure(reader);
        assert_eq!(t.records, 3_000);
        assert_eq!(t.fields, expected_fields);
        assert!(t.subfields > 50_000, "{t:?}");
        assert_eq!(made, 0, "reading {t:?} allocated {made} times");
    }
}

/// The UTF-8 files of the corpus, keeping only files that read cleanly
/// (no warning, no error).
#[test]
fn clean_utf8_corpus_files_allocate_nothing() {
    let Some(dir) = common::corpus_dir() else {
        return;
    };
    let mut files = 0;
    let mut records = 0;
    for (row, bytes) in common::iso2709_files(&dir) {
        if !row.encoding.starts_with("UTF-8") || row.notes.contains("MALFORMED") {
            continue;
        }
        // Decide outside the measured region.
        let mut probe = Reader::new(&bytes);
        let clean = probe.by_ref().all(|r| r.is_ok());
        if !clean || probe.warning_log().total() > 0 || probe.records_read() == 0 {
            continue;
        }
        let (t, made) = measure(Reader::new(&bytes));
        assert_eq!(
            made, 0,
            "{}: reading {t:?} allocated {made} times",
            row.path
        );
        assert_eq!(t.records, probe.records_read());
        files += 1;
        records += t.records;
    }
    eprintln!("{files} clean UTF-8 corpus files, {records} records, no allocation");
    assert!(
        files >= 5,
        "too few clean UTF-8 files ({files}) to make a point"
    );
    assert!(records >= 1_000);
}

/// Every record of every UTF-8 corpus file, measured record by record: a
/// record read without a warning allocates nothing, whatever its number of
/// fields. (Records with warnings are read but not counted: a warning
/// owns its texts, and a repaired directory is kept as a list, see
/// `a_repaired_directory_allocates_once`.)
#[test]
fn corpus_records_allocate_only_to_repair() {
    let Some(dir) = common::corpus_dir() else {
        return;
    };
    let mut clean = 0u64;
    let mut most_fields = 0;
    for (row, bytes) in common::iso2709_files(&dir) {
        if !row.encoding.starts_with("UTF-8") {
            continue;
        }
        let mut reader = Reader::with_options(
            &bytes,
            ReadOptions {
                mode: Mode::Lenient,
                max_warnings: 0,
            },
        );
        let mut t = Tally::default();
        loop {
            let warned = reader.warning_log().total();
            let before = allocations();
            let Some(r) = reader.next() else {
                break;
            };
            let Ok(view) = r else { continue };
            touch(&view, &mut t);
            let made = allocations() - before;
            if reader.warning_log().total() == warned {
                assert_eq!(
                    made,
                    0,
                    "{} record {} with {} fields",
                    row.path,
                    view.record_number(),
                    view.len()
                );
                clean += 1;
                most_fields = most_fields.max(view.len());
            }
        }
    }
    eprintln!("{clean} clean records (up to {most_fields} fields), no allocation");
    assert!(clean >= 1_000);
    assert!(
        most_fields > 40,
        "no record with many fields: {most_fields}"
    );
}

#[test]
fn many_fields_allocate_nothing() {
    for n in [41, 80, 500, 1_000] {
        let bytes = generated_record(7, n).to_iso2709().expect("write");
        let (t, made) = measure(Reader::new(&bytes));
        assert_eq!(t.records, 1);
        assert_eq!(t.fields, n as u64);
        assert_eq!(made, 0, "{n} fields");
    }
}

/// A directory that lenient mode repairs is kept as a list: one allocation
/// (the record has no 001, so that its warning has no text to own).
#[test]
fn a_repaired_directory_allocates_once() {
    let mut r = Record::new();
    for j in 0..30 {
        let mut f = Field::new(Tag::new(500 + j), *b"  ");
        f.push_subfield(b'a', format!("note {j}"))
            .expect("subfield");
        r.push_field(f).expect("push");
    }
    let good = r.to_iso2709().expect("write");
    // The length of entry 7 counted short by one: the fields are re-cut at
    // their terminators.
    let mut bytes = good.clone();
    let e = 24 + 7 * 12;
    let len: usize = std::str::from_utf8(&good[e + 3..e + 7])
        .unwrap()
        .parse()
        .unwrap();
    bytes[e + 3..e + 7].copy_from_slice(format!("{:04}", len - 1).as_bytes());
    let mut reader = Reader::with_options(
        &bytes,
        ReadOptions {
            mode: Mode::Lenient,
            max_warnings: 0,
        },
    );
    let before = allocations();
    let view = reader.next().expect("a record").expect("read leniently");
    let mut t = Tally::default();
    touch(&view, &mut t);
    let made = allocations() - before;
    assert_eq!(reader.warning_log().total(), 1, "the re-cut is reported");
    assert_eq!(made, 1);
    assert_eq!(t.fields, 30);
    // Re-cut at the terminators, the fields are the original ones.
    let back = RecordView::parse(&good).expect("good record");
    assert!(view.fields().eq(back.fields()));
}
