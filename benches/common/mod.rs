//! Inputs and workloads shared by the benches (and the profiling examples,
//! which include this file by path).
//!
//! Every workload does the same work in every library and returns a
//! checksum (so the optimizer cannot drop the work, and so the libraries'
//! answers can be compared).
#![allow(dead_code)]

use std::path::PathBuf;

use marcview::parallel::ParallelReader;
use marcview::{Field, MappedFile, Reader, Record, Tag, Writer};

/// The file name of the Library of Congress benchmark file.
pub const BOOKSALL: &str = "BooksAll.2016.part01.utf8";

/// Where the benchmark file is: `$MARC_BENCH_FILE`, else
/// `$MARC_BENCH_DIR/BooksAll.2016.part01.utf8`, else
/// `~/.cache/marc-bench/...` (where `../shared/bench/get-booksall.sh` puts
/// it), else `/work/data/...`. `None` (with a note) when absent.
pub fn booksall_path() -> Option<PathBuf> {
    let mut candidates = Vec::new();
    if let Some(f) = std::env::var_os("MARC_BENCH_FILE") {
        candidates.push(PathBuf::from(f));
    }
    if let Some(d) = std::env::var_os("MARC_BENCH_DIR") {
        candidates.push(PathBuf::from(d).join(BOOKSALL));
    }
    if let Some(home) = std::env::var_os("HOME") {
        candidates.push(PathBuf::from(home).join(".cache/marc-bench").join(BOOKSALL));
    }
    candidates.push(PathBuf::from("/work/data").join(BOOKSALL));
    let found = candidates.iter().find(|p| p.is_file()).cloned();
    if found.is_none() {
        eprintln!(
            "note: {BOOKSALL} not found (tried {candidates:?}); skipping it. \
             Fetch it with ../shared/bench/get-booksall.sh or set MARC_BENCH_FILE."
        );
    }
    found
}

/// An input's bytes: mapped or generated.
pub enum Bytes {
    Mapped(MappedFile),
    Owned(Vec<u8>),
}

impl Bytes {
    pub fn get(&self) -> &[u8] {
        match self {
            Bytes::Mapped(m) => m.bytes(),
            Bytes::Owned(v) => v,
        }
    }
}

/// A named benchmark input.
pub struct Input {
    pub name: &'static str,
    pub bytes: Bytes,
    pub records: u64,
}

impl Input {
    pub fn bytes(&self) -> &[u8] {
        self.bytes.get()
    }
}

/// The inputs to run: BooksAll (when found) and ~20 MB of generated
/// records. `MARC_BENCH_INPUTS=booksall` or `=synthetic` runs one of them.
pub fn inputs() -> Vec<Input> {
    let only = std::env::var("MARC_BENCH_INPUTS").unwrap_or_default();
    let mut out = Vec::new();
    if (only.is_empty() || only.contains("booksall"))
        && let Some(path) = booksall_path()
    {
        let m = MappedFile::open(&path).expect("map the benchmark file");
        let records = Reader::new(m.bytes()).count() as u64;
        out.push(Input {
            name: "booksall",
            bytes: Bytes::Mapped(m),
            records,
        });
    }
    if only.is_empty() || only.contains("synthetic") {
        let v = synthetic(20_000_000);
        let records = Reader::new(&v).count() as u64;
        out.push(Input {
            name: "synthetic",
            bytes: Bytes::Owned(v),
            records,
        });
    }
    for i in &out {
        println!(
            "input {}: {} records, {} bytes",
            i.name,
            i.records,
            i.bytes().len()
        );
    }
    out
}

/// About `target` bytes of generated bibliographic records of varied shape,
/// written with [`Record`] and [`Writer`]. Deterministic.
pub fn synthetic(target: usize) -> Vec<u8> {
    let words = [
        "history",
        "of",
        "the",
        "library",
        "catalog",
        "records",
        "Paris",
        "Éditions",
        "science",
        "and",
        "art",
        "москва",
        "新しい",
        "journal",
        "proceedings",
        "annual",
    ];
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    let phrase = |n: usize, next: &mut dyn FnMut(usize) -> usize| {
        (0..n)
            .map(|_| words[next(words.len())])
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut w = Writer::new(Vec::with_capacity(target + 100_000));
    let mut i = 0u64;
    let mut written = 0usize;
    while written < target {
        i += 1;
        let mut r = Record::new();
        let push = |r: &mut Record, f: Field| r.push_field(f).expect("valid field");
        push(
            &mut r,
            Field::control(Tag::new(1), format!("syn{i:09}")).unwrap(),
        );
        push(&mut r, Field::control(Tag::new(3), "DLC").unwrap());
        push(
            &mut r,
            Field::control(Tag::new(5), "20160101120000.0").unwrap(),
        );
        push(
            &mut r,
            Field::control(Tag::new(8), "160101s2016    nyu           000 0 eng  ").unwrap(),
        );
        let f = Field::new(Tag::new(20), *b"  ")
            .with_subfield(b'a', format!("978{:010}", i * 7919))
            .unwrap();
        push(&mut r, f);
        let f = Field::new(Tag::new(100), *b"1 ")
            .with_subfield(b'a', phrase(2, &mut next))
            .unwrap()
            .with_subfield(b'd', "1900-1980.")
            .unwrap();
        push(&mut r, f);
        let f = Field::new(Tag::new(245), *b"10")
            .with_subfield(b'a', phrase(3 + next(6), &mut next))
            .unwrap()
            .with_subfield(b'b', phrase(next(8), &mut next))
            .unwrap()
            .with_subfield(b'c', phrase(3, &mut next))
            .unwrap();
        push(&mut r, f);
        let f = Field::new(Tag::new(260), *b"  ")
            .with_subfield(b'a', "New York :")
            .unwrap()
            .with_subfield(b'b', phrase(2, &mut next))
            .unwrap()
            .with_subfield(b'c', "2016.")
            .unwrap();
        push(&mut r, f);
        let f = Field::new(Tag::new(300), *b"  ")
            .with_subfield(b'a', format!("{} p. :", 50 + next(900)))
            .unwrap()
            .with_subfield(b'c', "24 cm.")
            .unwrap();
        push(&mut r, f);
        for _ in 0..next(4) {
            let f = Field::new(Tag::new(500), *b"  ")
                .with_subfield(b'a', phrase(5 + next(30), &mut next))
                .unwrap();
            push(&mut r, f);
        }
        for _ in 0..1 + next(8) {
            let f = Field::new(Tag::new(650), *b" 0")
                .with_subfield(b'a', phrase(2, &mut next))
                .unwrap()
                .with_subfield(b'x', phrase(1, &mut next))
                .unwrap()
                .with_subfield(b'v', "Periodicals.")
                .unwrap();
            push(&mut r, f);
        }
        w.write(&r).expect("write a generated record");
        written += r.to_iso2709().map(|b| b.len()).unwrap_or(0);
    }
    w.into_inner().expect("flush")
}

/// A workload: reads the bytes, returns what it saw.
pub type Work = fn(&[u8]) -> Tally;

/// Sums of what a workload saw.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub records: u64,
    pub fields: u64,
    pub subfields: u64,
    pub bytes: u64,
}

impl Tally {
    pub fn add(mut self, o: Tally) -> Tally {
        self.records += o.records;
        self.fields += o.fields;
        self.subfields += o.subfields;
        self.bytes += o.bytes;
        self
    }
}

fn is_control(tag: &[u8]) -> bool {
    tag.starts_with(b"00")
}

/// Splits a buffer into records by their declared lengths (the peers'
/// readers take one record at a time). Stops at the first impossible length.
pub fn split_by_length(buf: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = buf;
    std::iter::from_fn(move || {
        let len: usize = std::str::from_utf8(rest.get(..5)?).ok()?.parse().ok()?;
        if len < 24 || len > rest.len() {
            return None;
        }
        let (rec, tail) = rest.split_at(len);
        rest = tail;
        Some(rec)
    })
}

// ---------------------------------------------------------------- marcview

/// Workload 1: Record boundaries only (no parsing), one thread of the current pool.
pub fn mv_count(buf: &[u8]) -> Tally {
    Tally {
        records: ParallelReader::new(buf).count_records(),
        ..Tally::default()
    }
}

/// Workload 2: Iterate records and decode the directory: every field's tag and
/// length, no subfields.
pub fn mv_directory(buf: &[u8]) -> Tally {
    let mut t = Tally::default();
    for r in Reader::new(buf) {
        // Borrowing the view out of the `Result` saves copying it (about
        // half a kilobyte with its inline directory): 8-10% here.
        let Ok(v) = &r else { continue };
        t.records += 1;
        for f in v.fields() {
            t.fields += 1;
            t.bytes += f.raw_value().len() as u64 + u64::from(f.tag().as_u16() & 1);
        }
    }
    t
}

/// Workload 3: Every field and every subfield.
#[inline]
pub fn mv_walk_view(v: &marcview::RecordView<'_>) -> Tally {
    let mut t = Tally {
        records: 1,
        ..Tally::default()
    };
    for f in v.fields() {
        t.fields += 1;
        if f.is_control() {
            t.bytes += f.raw_value().len() as u64;
            continue;
        }
        for s in f.subfields() {
            t.subfields += 1;
            t.bytes += s.value.len() as u64;
        }
    }
    t
}

pub fn mv_full_walk(buf: &[u8]) -> Tally {
    let mut t = Tally::default();
    for r in Reader::new(buf) {
        // Borrowing the view out of the `Result` saves copying it (about
        // half a kilobyte with its inline directory): 8-10% here.
        let Ok(v) = &r else { continue };
        t = t.add(mv_walk_view(v));
    }
    t
}

/// Workload 4: The first 245 $a of each record.
pub fn mv_title(buf: &[u8]) -> Tally {
    let mut t = Tally::default();
    for r in Reader::new(buf) {
        // Borrowing the view out of the `Result` saves copying it (about
        // half a kilobyte with its inline directory): 8-10% here.
        let Ok(v) = &r else { continue };
        t.records += 1;
        if let Some(a) = v.field(245).and_then(|f| f.subfield(b'a')) {
            t.subfields += 1;
            t.bytes += a.len() as u64;
        }
    }
    t
}

/// Workload 5: An owned copy of every record.
pub fn mv_to_owned(buf: &[u8]) -> Tally {
    let mut t = Tally::default();
    for r in Reader::new(buf) {
        // Borrowing the view out of the `Result` saves copying it (about
        // half a kilobyte with its inline directory): 8-10% here.
        let Ok(v) = &r else { continue };
        let r = v.to_owned();
        t.records += 1;
        t.fields += r.len() as u64;
        t.bytes += r.heap_bytes() as u64;
    }
    t
}

/// Workload 6: Every record written back as ISO 2709.
pub fn mv_write(buf: &[u8]) -> Tally {
    let mut t = Tally::default();
    let mut w = Writer::new(Counting::default());
    for r in Reader::new(buf) {
        // Borrowing the view out of the `Result` saves copying it (about
        // half a kilobyte with its inline directory): 8-10% here.
        let Ok(v) = &r else { continue };
        t.records += 1;
        w.write_view(v).expect("write");
    }
    t.bytes = w.into_inner().expect("flush").0;
    t
}

/// A sink that counts bytes.
#[derive(Default)]
pub struct Counting(pub u64);

impl std::io::Write for Counting {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0 += b.len() as u64;
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Workload 7: The full walk on all threads of the current pool.
pub fn mv_par_full_walk(buf: &[u8]) -> Tally {
    ParallelReader::new(buf)
        .fold_records(
            Tally::default,
            |t, r| match r {
                Ok(v) => t.add(mv_walk_view(&v)),
                Err(_) => t,
            },
            Tally::add,
        )
        .0
}

/// The full walk through the stream pipeline (reading `buf` as a stream).
pub fn mv_pipeline_full_walk(buf: &[u8]) -> Tally {
    marcview::parallel::StreamPipeline::new(buf)
        .fold_records(
            Tally::default,
            |t, r| match r {
                Ok(v) => t.add(mv_walk_view(&v)),
                Err(_) => t,
            },
            Tally::add,
        )
        .0
}

// -------------------------------------------------------------- marc 3.1.1

pub fn marc_full_walk(buf: &[u8]) -> Tally {
    let mut t = Tally::default();
    for raw in split_by_length(buf) {
        let Ok(r) = marc::Record::parse(raw) else {
            continue;
        };
        t.records += 1;
        for f in r.fields() {
            t.fields += 1;
            if is_control(&f.get_tag().0) {
                t.bytes += f.get_data::<[u8]>().len() as u64;
                continue;
            }
            for s in f.subfields() {
                t.subfields += 1;
                t.bytes += s.get_data::<[u8]>().len() as u64;
            }
        }
    }
    t
}

/// marc's fields-only pass: parse, then every field's tag and length.
pub fn marc_fields(buf: &[u8]) -> Tally {
    let mut t = Tally::default();
    for raw in split_by_length(buf) {
        let Ok(r) = marc::Record::parse(raw) else {
            continue;
        };
        t.records += 1;
        for f in r.fields() {
            t.fields += 1;
            let tag = f.get_tag().0;
            t.bytes += f.get_data::<[u8]>().len() as u64 + u64::from(tag[2] & 1);
        }
    }
    t
}

pub fn marc_title(buf: &[u8]) -> Tally {
    let mut t = Tally::default();
    let tag = marc::Tag::from(b"245");
    for raw in split_by_length(buf) {
        let Ok(r) = marc::Record::parse(raw) else {
            continue;
        };
        t.records += 1;
        let a = r.fields().find(|f| f.get_tag() == tag).and_then(|f| {
            f.subfields()
                .find(|s| s.get_identifier() == marc::Identifier(b'a'))
                .map(|s| s.get_data::<[u8]>().len())
        });
        if let Some(len) = a {
            t.subfields += 1;
            t.bytes += len as u64;
        }
    }
    t
}

// ------------------------------------------------------------ marc21 0.7.0

pub fn marc21_full_walk(buf: &[u8]) -> Tally {
    let mut t = Tally::default();
    for raw in split_by_length(buf) {
        let Ok(r) = marc21::ByteRecord::from_bytes(&raw) else {
            continue;
        };
        t.records += 1;
        for f in r.fields() {
            t.fields += 1;
            match f {
                marc21::Field::Control(c) => t.bytes += c.value().len() as u64,
                marc21::Field::Data(d) => {
                    for s in d.subfields() {
                        t.subfields += 1;
                        t.bytes += s.value().len() as u64;
                    }
                }
            }
        }
    }
    t
}

pub fn marc21_title(buf: &[u8]) -> Tally {
    let mut t = Tally::default();
    for raw in split_by_length(buf) {
        let Ok(r) = marc21::ByteRecord::from_bytes(&raw) else {
            continue;
        };
        t.records += 1;
        let a = r
            .fields()
            .find(|f| f.tag() == b"245")
            .and_then(|f| match f {
                marc21::Field::Data(d) => d
                    .subfields()
                    .find(|s| *s.code() == b'a')
                    .map(|s| s.value().len()),
                marc21::Field::Control(_) => None,
            });
        if let Some(len) = a {
            t.subfields += 1;
            t.bytes += len as u64;
        }
    }
    t
}

// -------------------------------------------------------------- mrrc 0.9.2

pub fn mrrc_full_walk(buf: &[u8]) -> Tally {
    let mut t = Tally::default();
    let mut reader = mrrc::MarcReader::new(buf);
    while let Ok(Some(r)) = reader.read_record() {
        t.records += 1;
        for values in r.control_fields.values() {
            for v in values {
                t.fields += 1;
                t.bytes += v.len() as u64;
            }
        }
        for f in r.fields() {
            t.fields += 1;
            for s in &f.subfields {
                t.subfields += 1;
                t.bytes += s.value.len() as u64;
            }
        }
    }
    t
}

pub fn mrrc_title(buf: &[u8]) -> Tally {
    let mut t = Tally::default();
    let mut reader = mrrc::MarcReader::new(buf);
    while let Ok(Some(r)) = reader.read_record() {
        t.records += 1;
        if let Some(a) = r.get_field("245").and_then(|f| f.get_subfield('a')) {
            t.subfields += 1;
            t.bytes += a.len() as u64;
        }
    }
    t
}

/// Every workload by name, for the profiling example.
pub fn workload(name: &str) -> Option<Work> {
    Some(match name {
        "count" => mv_count,
        "directory" => mv_directory,
        "full_walk" => mv_full_walk,
        "title" => mv_title,
        "to_owned" => mv_to_owned,
        "write" => mv_write,
        "par_full_walk" => mv_par_full_walk,
        "pipeline_full_walk" => mv_pipeline_full_walk,
        "marc_full_walk" => marc_full_walk,
        "marc_fields" => marc_fields,
        "marc_title" => marc_title,
        "marc21_full_walk" => marc21_full_walk,
        "marc21_title" => marc21_title,
        "mrrc_full_walk" => mrrc_full_walk,
        "mrrc_title" => mrrc_title,
        _ => return None,
    })
}
