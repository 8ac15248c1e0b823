//! The parallel scanner and the stream pipeline against the sequential
//! readers: on every ISO 2709 file of the corpus and on synthetic files cut
//! at every kind of boundary, with tiny shards and batches so that cuts land
//! everywhere, on pools of 1, 2, 3 and 7 threads. Records (numbers, offsets,
//! every field and subfield), errors, warnings (with totals) and converted
//! bytes must be identical.

mod common;

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::io::Read;
use std::sync::Mutex;

use marcview::parallel::{ParallelReader, StreamPipeline, Summary};
use marcview::{Error, Mode, ReadOptions, Reader, RecordView, StreamReader, Warning, WriteOptions};
use proptest::prelude::*;
use rayon::ThreadPool;
use rayon::iter::ParallelIterator;

const THREADS: [usize; 4] = [1, 2, 3, 7];
const SHARDS: [usize; 6] = [1, 29, 700, 8192, 65536, 1 << 20];
const BATCHES: [usize; 4] = [1, 300, 20_000, 1 << 20];

/// One record as read: where it is and a digest of everything in it, or
/// the error.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Item {
    Record {
        number: u64,
        offset: u64,
        len: usize,
        fields: usize,
        subfields: usize,
        digest: u64,
    },
    Error(String),
}

fn item(r: Result<RecordView<'_>, Error>) -> Item {
    match r {
        Ok(v) => {
            let mut h = DefaultHasher::new();
            v.leader().as_bytes().hash(&mut h);
            v.raw().hash(&mut h);
            let mut subfields = 0;
            for f in v.fields() {
                f.tag().to_bytes().hash(&mut h);
                f.indicators().hash(&mut h);
                f.raw_value().hash(&mut h);
                for s in f.subfields() {
                    subfields += 1;
                    s.code.hash(&mut h);
                    s.value.hash(&mut h);
                }
            }
            Item::Record {
                number: v.record_number(),
                offset: v.offset(),
                len: v.raw().len(),
                fields: v.len(),
                subfields,
                digest: h.finish(),
            }
        }
        Err(e) => Item::Error(format!("{e:?}")),
    }
}

/// What converting a record writes: the owned record as ISO 2709, or a
/// line naming the error.
fn convert(r: Result<RecordView<'_>, Error>, out: &mut Vec<u8>) {
    match r {
        Ok(v) => {
            let opts = WriteOptions {
                allow_oversize: true,
            };
            if let Err(e) = v.to_owned().write_iso2709_into(out, opts) {
                out.extend_from_slice(format!("write error {e}\n").as_bytes());
            }
        }
        Err(e) => out.extend_from_slice(format!("error {e}\n").as_bytes()),
    }
}

/// Everything a read produced.
#[derive(Debug, PartialEq, Eq)]
struct Outcome {
    items: Vec<Item>,
    records: u64,
    warnings: Vec<Warning>,
    total: u64,
}

impl Outcome {
    fn new(items: Vec<Item>, s: &Summary) -> Outcome {
        Outcome {
            items,
            records: s.records(),
            warnings: s.warnings().to_vec(),
            total: s.warning_log().total(),
        }
    }
}

fn sequential(bytes: &[u8], opts: ReadOptions) -> (Outcome, Vec<u8>) {
    let mut reader = Reader::with_options(bytes, opts);
    let mut items = Vec::new();
    let mut converted = Vec::new();
    for r in reader.by_ref() {
        match &r {
            Ok(v) => items.push(item(Ok(v.clone()))),
            Err(e) => items.push(Item::Error(format!("{e:?}"))),
        }
        convert(r, &mut converted);
    }
    let outcome = Outcome {
        items,
        records: reader.records_read(),
        warnings: reader.warnings().to_vec(),
        total: reader.warning_log().total(),
    };
    (outcome, converted)
}

fn pools() -> Vec<ThreadPool> {
    THREADS
        .iter()
        .map(|&n| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .unwrap()
        })
        .collect()
}

fn fold_items(p: &ParallelReader<'_>) -> (Vec<Item>, Summary) {
    p.fold_records(
        Vec::new,
        |mut v, r| {
            v.push(item(r));
            v
        },
        |mut a, b| {
            a.extend(b);
            a
        },
    )
}

/// What `fold_ordered` hands on: the items and the batches' warnings, in
/// the order the sink saw them. Past the sequential reader's cap, each
/// batch keeps up to the cap of its own, so the comparison is on the first
/// `cap` warnings.
fn ordered_outcome(
    cap: usize,
    run: impl FnOnce(&mut (dyn FnMut(Vec<Item>, &[Warning]) -> Result<(), ()> + Send)) -> Summary,
) -> Outcome {
    let mut items = Vec::new();
    let mut warnings = Vec::new();
    let summary = run(&mut |v, w| {
        items.extend(v);
        warnings.extend_from_slice(w);
        Ok(())
    });
    warnings.truncate(cap);
    Outcome {
        items,
        records: summary.records(),
        warnings,
        total: summary.warning_log().total(),
    }
}

/// Checks every parallel entry point against the sequential reader.
fn check_slice(name: &str, bytes: &[u8], opts: ReadOptions, shard: usize, pool: &ThreadPool) {
    let (expected, converted) = sequential(bytes, opts);
    let ctx = format!(
        "{name} (shard {shard}, {} threads)",
        pool.current_num_threads()
    );
    pool.install(|| {
        let p = ParallelReader::with_options(bytes, opts).shard_bytes(shard);

        let (items, summary) = fold_items(&p);
        assert_eq!(
            Outcome::new(items, &summary),
            expected,
            "fold_records: {ctx}"
        );
        assert_eq!(p.count_records(), expected.records, "count_records: {ctx}");

        let ordered = ordered_outcome(opts.max_warnings, |sink| {
            p.fold_ordered(
                Vec::new,
                |mut v, r| {
                    v.push(item(r));
                    v
                },
                sink,
            )
            .unwrap()
        });
        assert_eq!(ordered, expected, "fold_ordered: {ctx}");

        let mut out = Vec::new();
        let summary = p
            .map_ordered(convert, |chunk| {
                out.extend_from_slice(chunk);
                Ok::<(), ()>(())
            })
            .unwrap();
        assert!(out == converted, "map_ordered bytes: {ctx}");
        assert_eq!(
            summary.warnings(),
            &expected.warnings[..],
            "map_ordered: {ctx}"
        );
        assert_eq!(summary.records(), expected.records, "map_ordered: {ctx}");

        let seen = Mutex::new(Vec::new());
        let summary = p.for_each(|r| {
            let it = item(r);
            seen.lock().unwrap().push(it);
        });
        let mut got = seen.into_inner().unwrap();
        got.sort();
        let mut want = expected.items.clone();
        want.sort();
        assert_eq!(Outcome::new(got, &summary).items, want, "for_each: {ctx}");
        assert_eq!(
            summary.warning_log().total(),
            expected.total,
            "for_each: {ctx}"
        );

        let items: Vec<Item> = p.par_records().map(item).collect();
        assert_eq!(items, expected.items, "par_records: {ctx}");
    });
}

/// A source that hands out its bytes in reads of varying sizes, then
/// optionally fails.
struct Chunky<'a> {
    data: &'a [u8],
    pos: usize,
    sizes: &'a [usize],
    calls: usize,
    fail_at: Option<usize>,
}

impl<'a> Chunky<'a> {
    fn new(data: &'a [u8], sizes: &'a [usize], fail_at: Option<usize>) -> Chunky<'a> {
        Chunky {
            data,
            pos: 0,
            sizes,
            calls: 0,
            fail_at,
        }
    }
}

impl Read for Chunky<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.fail_at.is_some_and(|f| self.pos >= f) {
            return Err(std::io::Error::other("source failed"));
        }
        let size = self.sizes[self.calls % self.sizes.len()];
        self.calls += 1;
        let mut end = (self.pos + size.min(buf.len())).min(self.data.len());
        if let Some(f) = self.fail_at {
            end = end.min(f.max(self.pos));
        }
        let n = end - self.pos;
        buf[..n].copy_from_slice(&self.data[self.pos..end]);
        self.pos = end;
        Ok(n)
    }
}

fn stream_sequential(src: impl Read, opts: ReadOptions) -> (Outcome, Vec<u8>) {
    let mut reader = StreamReader::with_options(src, opts);
    let mut items = Vec::new();
    let mut converted = Vec::new();
    while let Some(r) = reader.next_record() {
        match &r {
            Ok(v) => items.push(item(Ok(v.clone()))),
            Err(e) => items.push(Item::Error(format!("{e:?}"))),
        }
        convert(r, &mut converted);
    }
    let outcome = Outcome {
        items,
        records: reader.records_read(),
        warnings: reader.warnings().to_vec(),
        total: reader.warning_log().total(),
    };
    (outcome, converted)
}

fn check_stream(
    name: &str,
    bytes: &[u8],
    opts: ReadOptions,
    batch: usize,
    sizes: &[usize],
    fail_at: Option<usize>,
    pool: &ThreadPool,
) {
    let (expected, converted) = stream_sequential(Chunky::new(bytes, sizes, fail_at), opts);
    let ctx = format!(
        "{name} (batch {batch}, reads {sizes:?}, fail {fail_at:?}, {} threads)",
        pool.current_num_threads()
    );
    pool.install(|| {
        let (items, summary) =
            StreamPipeline::with_options(Chunky::new(bytes, sizes, fail_at), opts)
                .batch_bytes(batch)
                .fold_records(
                    Vec::new,
                    |mut v, r| {
                        v.push(item(r));
                        v
                    },
                    |mut a, b| {
                        a.extend(b);
                        a
                    },
                );
        assert_eq!(
            Outcome::new(items, &summary),
            expected,
            "pipeline fold: {ctx}"
        );

        let ordered = ordered_outcome(opts.max_warnings, |sink| {
            StreamPipeline::with_options(Chunky::new(bytes, sizes, fail_at), opts)
                .batch_bytes(batch)
                .fold_ordered(
                    Vec::new,
                    |mut v, r| {
                        v.push(item(r));
                        v
                    },
                    sink,
                )
                .unwrap()
        });
        assert_eq!(ordered, expected, "pipeline fold_ordered: {ctx}");

        let mut out = Vec::new();
        let summary = StreamPipeline::with_options(Chunky::new(bytes, sizes, fail_at), opts)
            .batch_bytes(batch)
            .map_ordered(convert, |chunk| {
                out.extend_from_slice(chunk);
                Ok::<(), ()>(())
            })
            .unwrap();
        assert!(out == converted, "pipeline map_ordered bytes: {ctx}");
        assert_eq!(
            summary.warnings(),
            &expected.warnings[..],
            "pipeline map_ordered: {ctx}"
        );
    });
}

const LENIENT: ReadOptions = ReadOptions {
    mode: Mode::Lenient,
    max_warnings: 10_000,
};

#[test]
fn every_corpus_file_reads_the_same_in_parallel() {
    let Some(dir) = common::corpus_dir() else {
        return;
    };
    let files = common::iso2709_files(&dir);
    assert!(files.len() >= 200, "only {} ISO 2709 files", files.len());
    let pools = pools();
    let mut records = 0;
    for (i, (row, bytes)) in files.iter().enumerate() {
        for (t, pool) in pools.iter().enumerate() {
            let shard = SHARDS[(i + t) % SHARDS.len()];
            check_slice(&row.path, bytes, LENIENT, shard, pool);
        }
        // Strict mode and a small warning cap, once per file.
        let strict = ReadOptions {
            mode: Mode::Strict,
            max_warnings: 3,
        };
        check_slice(
            &row.path,
            bytes,
            strict,
            SHARDS[i % 3],
            &pools[i % pools.len()],
        );
        records += Reader::new(bytes).count();
    }
    assert!(records > 15_000, "{records} records in the corpus");
}

#[test]
fn every_corpus_file_streams_the_same_through_the_pipeline() {
    let Some(dir) = common::corpus_dir() else {
        return;
    };
    let files = common::iso2709_files(&dir);
    let pools = pools();
    let reads: [&[usize]; 3] = [&[65536], &[1000, 7, 65536, 3], &[1]];
    for (i, (row, bytes)) in files.iter().enumerate() {
        for (t, pool) in pools.iter().enumerate() {
            let batch = BATCHES[(i + t) % BATCHES.len()];
            // Every read costs the stream reader (and the pipeline, which
            // reads as it does) a 64 KiB buffer extension: tiny reads only
            // for small files.
            let mut sizes = reads[(i + t) % reads.len()];
            if sizes == [1] && bytes.len() > 600 {
                sizes = reads[1];
            }
            check_stream(&row.path, bytes, LENIENT, batch, sizes, None, pool);
        }
    }
}

/// Records (raw, good and bad) from a few corpus files, for building
/// synthetic inputs.
fn corpus_records() -> Vec<Vec<u8>> {
    let Some(dir) = common::corpus_dir() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (row, bytes) in common::iso2709_files(&dir) {
        if out.len() > 400 {
            break;
        }
        if row.records > 50 {
            continue;
        }
        for r in Reader::new(&bytes).filter_map(Result::ok) {
            out.push(r.raw().to_vec());
        }
    }
    out
}

/// A tiny deterministic generator.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Joins records with every kind of separator and damage.
fn synthetic(records: &[Vec<u8>], seed: u64, n: usize) -> Vec<u8> {
    let mut rng = Rng(seed | 1);
    let mut out = Vec::new();
    let separators: [&[u8]; 7] = [b"", b"", b"\r\n", b"\n", b"\0\0\0", b" \t", b"\x1a"];
    for _ in 0..n {
        let mut r = records[rng.below(records.len())].clone();
        match rng.below(12) {
            // Declared length too long by a bit: the terminator decides.
            0 => {
                let len = r.len() + 1 + rng.below(30);
                r[..5].copy_from_slice(format!("{:05}", len.min(99_999)).as_bytes());
            }
            // Lost terminator: the next leader decides.
            1 => {
                r.pop();
            }
            // Garbage with terminators in it.
            2 => out.extend_from_slice(b"junk\x1d12345junk\x1d\x1d"),
            // A record inside a field: a false start that chains.
            3 => {
                let inner = records[rng.below(records.len())].clone();
                let mut outer = r.clone();
                outer.pop();
                outer.pop();
                outer.extend_from_slice(b"\x1d");
                outer.extend_from_slice(&inner);
                outer.extend_from_slice(b"\x1e\x1d");
                let len = outer.len().min(99_999);
                outer[..5].copy_from_slice(format!("{len:05}").as_bytes());
                r = outer;
            }
            // Declared length pointing at the next record's terminator.
            4 => {
                let next = records[rng.below(records.len())].clone();
                let len = (r.len() + next.len()).min(99_999);
                r[..5].copy_from_slice(format!("{len:05}").as_bytes());
                r.extend_from_slice(&next);
            }
            // Non-digit length.
            5 => r[..5].copy_from_slice(b"0x0y0"),
            // Broken base address.
            6 => r[12..17].copy_from_slice(b"99999"),
            _ => {}
        }
        out.extend_from_slice(&r);
        out.extend_from_slice(separators[rng.below(separators.len())]);
    }
    // A truncated tail.
    if let Some(r) = records.first() {
        let cut = rng.below(r.len());
        out.extend_from_slice(&r[..cut]);
    }
    out
}

#[test]
fn synthetic_files_cut_everywhere_read_the_same() {
    let records = corpus_records();
    if records.is_empty() {
        return;
    }
    let pools = pools();
    for seed in 0..6u64 {
        let bytes = synthetic(&records, seed * 7919 + 3, 120);
        for (t, pool) in pools.iter().enumerate() {
            let shards = [1, 13, 200, 1500, 9000];
            for k in [0, 2] {
                let shard = shards[(seed as usize + t + k) % shards.len()];
                check_slice("synthetic", &bytes, LENIENT, shard, pool);
            }
            let batch = BATCHES[(seed as usize + t) % BATCHES.len()];
            check_stream(
                "synthetic",
                &bytes,
                LENIENT,
                batch,
                &[777, 65536, 5],
                None,
                pool,
            );
        }
        let strict = ReadOptions {
            mode: Mode::Strict,
            max_warnings: 5,
        };
        check_slice("synthetic strict", &bytes, strict, 97, &pools[1]);
        check_stream(
            "synthetic strict",
            &bytes,
            strict,
            97,
            &[4096],
            None,
            &pools[1],
        );
    }
}

#[test]
fn read_errors_end_the_pipeline_like_the_stream_reader() {
    let records = corpus_records();
    if records.is_empty() {
        return;
    }
    let bytes = synthetic(&records, 42, 60);
    let pools = pools();
    for (t, pool) in pools.iter().enumerate() {
        for fail_at in [0, 1, 100, bytes.len() / 2, bytes.len()] {
            let batch = BATCHES[t % BATCHES.len()];
            check_stream(
                "failing source",
                &bytes,
                LENIENT,
                batch,
                &[333],
                Some(fail_at),
                pool,
            );
        }
    }
}

#[test]
fn a_long_run_without_terminators_is_cut_like_the_stream_reader() {
    // More than MAX_PENDING bytes with no 0x1D: the stream reader gives up
    // looking and takes what it has buffered; the pipeline must agree.
    let records = corpus_records();
    if records.is_empty() {
        return;
    }
    let mut bytes = records[0].clone();
    let mut long = records[1].clone();
    long.pop();
    long.resize(long.len() + 3 * 1024 * 1024, b'x');
    bytes.extend_from_slice(&long);
    bytes.extend_from_slice(&records[2]);
    bytes.extend_from_slice(&records[3]);
    let pools = pools();
    for (t, pool) in pools.iter().enumerate() {
        check_stream(
            "long run",
            &bytes,
            LENIENT,
            BATCHES[t],
            &[65536, 1000],
            None,
            pool,
        );
        check_slice("long run", &bytes, LENIENT, SHARDS[t + 1], pool);
    }
}

#[test]
fn a_sink_error_stops_the_work() {
    let records = corpus_records();
    if records.is_empty() {
        return;
    }
    let bytes = synthetic(&records, 5, 200);
    let mut calls = 0;
    let r = ParallelReader::new(&bytes).shard_bytes(500).map_ordered(
        |_, out| out.push(b'x'),
        |_| {
            calls += 1;
            if calls == 3 { Err("full") } else { Ok(()) }
        },
    );
    assert_eq!(r.err(), Some("full"));
    assert_eq!(calls, 3);

    let mut calls = 0;
    let r = StreamPipeline::new(&bytes[..])
        .batch_bytes(500)
        .map_ordered(
            |_, out| out.push(b'x'),
            |_| {
                calls += 1;
                if calls == 2 { Err("full") } else { Ok(()) }
            },
        );
    assert_eq!(r.err(), Some("full"));
    assert_eq!(calls, 2);

    // A stream much longer than the pipeline holds: the reading thread must
    // stop too, not wait forever on a full channel.
    let long = bytes.repeat(40);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    let r = pool.install(|| {
        StreamPipeline::new(&long[..])
            .batch_bytes(1000)
            .map_ordered(|_, out| out.push(b'x'), |_| Err("stop"))
    });
    assert_eq!(r.err(), Some("stop"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn random_joins_read_the_same(
        seed in any::<u64>(),
        n in 1usize..40,
        shard in 1usize..3000,
        batch in 1usize..3000,
        threads in 1usize..5,
    ) {
        let records = corpus_records();
        if records.is_empty() {
            return Ok(());
        }
        let bytes = synthetic(&records, seed, n);
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        check_slice("proptest", &bytes, LENIENT, shard, &pool);
        check_stream("proptest", &bytes, LENIENT, batch, &[batch + 300], None, &pool);
    }
}
