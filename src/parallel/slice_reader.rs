//! [`ParallelReader`]: the sharded parallel scanner over a byte slice.

use rayon::prelude::*;

use crate::{Error, ReadOptions, RecordView, Warning};

use super::Summary;
use super::ordered_units::fold_units_ordered;
use super::overlap::fold_units;
use super::plan::plan;
use super::unit::{Unit, UnitIter};

/// Smallest and largest automatic shard.
const MIN_SHARD: usize = 256 * 1024;
const MAX_SHARD: usize = 2 * 1024 * 1024;

/// Reads the records of a byte slice (or a [`MappedFile`](crate::MappedFile))
/// on all threads of the current rayon pool.
///
/// The input is cut into shards of whole records, several per thread. A cut
/// is placed after a record terminator from which a chain of plausible
/// records follows, and is then proven against the sequential rules by
/// walking record boundaries up to it (a cut the sequential reader would
/// not make is walked past), so every record, record number, offset, error
/// and warning is exactly what [`Reader`](crate::Reader) gives over the
/// same bytes, whatever stray bytes or broken records the input holds.
///
/// Record callbacks run in parallel, in no particular order, except in
/// [`map_ordered`](ParallelReader::map_ordered); each batch of records is
/// one rayon task.
///
/// ```
/// use marcview::parallel::ParallelReader;
/// use marcview::{Field, Record, Tag};
/// # fn main() -> Result<(), marcview::Error> {
/// let mut rec = Record::new();
/// rec.push_field(Field::new(Tag::new(245), *b"10").with_subfield(b'a', "Walden")?)?;
/// let bytes = rec.to_iso2709()?.repeat(500);
///
/// let reader = ParallelReader::new(&bytes).shard_bytes(4096);
/// let (titles, summary) = reader.fold_records(
///     Vec::new,
///     |mut v, r| {
///         if let Ok(view) = r {
///             v.push((view.record_number(), view.field(245).and_then(|f| f.subfield(b'a'))));
///         }
///         v
///     },
///     |mut a, b| {
///         a.extend(b);
///         a
///     },
/// );
/// assert_eq!(summary.records(), 500);
/// assert_eq!(titles[499], (500, Some(&b"Walden"[..])));
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug)]
pub struct ParallelReader<'a> {
    buf: &'a [u8],
    opts: ReadOptions,
    shard_bytes: Option<usize>,
}

impl<'a> ParallelReader<'a> {
    /// A lenient parallel reader over `buf`.
    ///
    /// ```
    /// # use marcview::parallel::ParallelReader;
    /// assert_eq!(ParallelReader::new(b"").count_records(), 0);
    /// ```
    pub fn new(buf: &'a [u8]) -> ParallelReader<'a> {
        ParallelReader::with_options(buf, ReadOptions::default())
    }

    /// A parallel reader with explicit options (strict or lenient, warning
    /// cap), which mean what they mean for [`Reader`](crate::Reader).
    ///
    /// ```
    /// use marcview::parallel::ParallelReader;
    /// use marcview::{Mode, ReadOptions};
    /// let opts = ReadOptions { mode: Mode::Strict, max_warnings: 100 };
    /// let errors = ParallelReader::with_options(b"00030nam a2200025 a 4500\x1e\x1d", opts)
    ///     .fold_records(|| 0, |n, r| n + usize::from(r.is_err()), |a, b| a + b)
    ///     .0;
    /// assert_eq!(errors, 1); // 30 declared, 27 found
    /// ```
    pub fn with_options(buf: &'a [u8], opts: ReadOptions) -> ParallelReader<'a> {
        ParallelReader {
            buf,
            opts,
            shard_bytes: None,
        }
    }

    /// Cuts shards of about `bytes` bytes (at least 1) instead of sizing
    /// them from the input and the number of threads. Results do not depend
    /// on it.
    ///
    /// ```
    /// # use marcview::parallel::ParallelReader;
    /// let r = ParallelReader::new(b"").shard_bytes(64 * 1024);
    /// assert_eq!(r.count_records(), 0);
    /// ```
    pub fn shard_bytes(mut self, bytes: usize) -> ParallelReader<'a> {
        self.shard_bytes = Some(bytes.max(1));
        self
    }

    fn units(&self) -> Vec<Unit<'a>> {
        plan(self.buf, self.opts, self.shard())
    }

    /// The shard size: the one set, else about 16 shards per thread.
    fn shard(&self) -> usize {
        self.shard_bytes.unwrap_or_else(|| {
            let threads = rayon::current_num_threads().max(1);
            (self.buf.len() / (threads * 16)).clamp(MIN_SHARD, MAX_SHARD)
        })
    }

    /// Counts the records by walking their boundaries only (nothing is
    /// parsed), in parallel: what [`Reader::records_read`](crate::Reader::records_read)
    /// says after reading everything.
    ///
    /// ```
    /// # use marcview::parallel::ParallelReader;
    /// # use marcview::Record;
    /// let bytes = Record::new().to_iso2709().unwrap().repeat(3);
    /// assert_eq!(ParallelReader::new(&bytes).count_records(), 3);
    /// ```
    pub fn count_records(&self) -> u64 {
        self.units()
            .last()
            .map_or(0, |u| u.records_before + u.records)
    }

    /// Calls `f` with every record (`Err` for a record beyond repair, or any
    /// faulty record in strict mode), in parallel and in no particular
    /// order.
    ///
    /// ```
    /// use std::sync::atomic::{AtomicU64, Ordering};
    /// # use marcview::parallel::ParallelReader;
    /// # use marcview::Record;
    /// let bytes = Record::new().to_iso2709().unwrap().repeat(10);
    /// let sum = AtomicU64::new(0);
    /// let summary = ParallelReader::new(&bytes).for_each(|r| {
    ///     sum.fetch_add(r.unwrap().record_number(), Ordering::Relaxed);
    /// });
    /// assert_eq!(sum.into_inner(), 55);
    /// assert_eq!(summary.records(), 10);
    /// ```
    pub fn for_each<F>(&self, f: F) -> Summary
    where
        F: Fn(Result<RecordView<'a>, Error>) + Sync + Send,
    {
        let (_, summary) = self.fold_records(|| (), |(), r| f(r), |(), ()| ());
        summary
    }

    /// Folds every record into an accumulator per batch (`init` makes one,
    /// `fold` adds a record to it) and combines the batches' accumulators
    /// with `reduce`, which sees them in input order. `init()` must be
    /// neutral for `reduce`.
    ///
    /// ```
    /// # use marcview::parallel::ParallelReader;
    /// # use marcview::Record;
    /// let bytes = Record::new().to_iso2709().unwrap().repeat(10);
    /// let (numbers, _) = ParallelReader::new(&bytes).shard_bytes(30).fold_records(
    ///     Vec::new,
    ///     |mut v, r| { v.push(r.unwrap().record_number()); v },
    ///     |mut a, b| { a.extend(b); a },
    /// );
    /// assert_eq!(numbers, (1..=10).collect::<Vec<u64>>());
    /// ```
    pub fn fold_records<T, I, F, R>(&self, init: I, fold: F, reduce: R) -> (T, Summary)
    where
        T: Send,
        I: Fn() -> T + Sync + Send,
        F: Fn(T, Result<RecordView<'a>, Error>) -> T + Sync + Send,
        R: Fn(T, T) -> T + Sync + Send,
    {
        let folded = fold_units(self.buf, self.opts, self.shard(), &init, &fold, &reduce);
        (
            folded.acc.unwrap_or_else(init),
            Summary::from_logs(folded.records, self.opts.max_warnings, folded.logs),
        )
    }

    /// Maps every record to bytes in parallel and hands the bytes to `sink`
    /// in input order: `f` appends a record's output to the buffer of its
    /// batch, and `sink` receives each batch's buffer in turn (empty ones
    /// are skipped), so the concatenation of what `sink` sees is the output
    /// of a sequential loop. About four batches per thread are in flight,
    /// so memory stays bounded whatever the input size. Stops at the
    /// first error of `sink`.
    ///
    /// ```
    /// use marcview::parallel::ParallelReader;
    /// use marcview::{Field, Record, Tag};
    /// # fn main() -> Result<(), marcview::Error> {
    /// let mut rec = Record::new();
    /// rec.push_field(Field::control(Tag::new(1), "x")?)?;
    /// let bytes = rec.to_iso2709()?.repeat(100);
    ///
    /// // Number the records, in order.
    /// let mut out = Vec::new();
    /// ParallelReader::new(&bytes).shard_bytes(100).map_ordered(
    ///     |r, buf| buf.extend_from_slice(format!("{}\n", r.unwrap().record_number()).as_bytes()),
    ///     |chunk| {
    ///         out.extend_from_slice(chunk);
    ///         Ok::<(), std::io::Error>(())
    ///     },
    /// )?;
    /// let expected: String = (1..=100).map(|i| format!("{i}\n")).collect();
    /// assert_eq!(String::from_utf8(out).unwrap(), expected);
    /// # Ok(()) }
    /// ```
    pub fn map_ordered<F, S, E>(&self, f: F, mut sink: S) -> Result<Summary, E>
    where
        F: Fn(Result<RecordView<'a>, Error>, &mut Vec<u8>) + Sync + Send,
        S: FnMut(&[u8]) -> Result<(), E> + Send,
        E: Send,
    {
        self.fold_ordered(
            Vec::new,
            |mut out, r| {
                f(r, &mut out);
                out
            },
            |out, _| if out.is_empty() { Ok(()) } else { sink(&out) },
        )
    }

    /// Folds the records of each batch into an accumulator of its own, in
    /// parallel (`init` makes it, `fold` adds a record), and hands the
    /// accumulators to `sink` in input order, each with the warnings its
    /// batch's records raised (the kept ones, in order; the returned
    /// [`Summary`] has them all again). What `sink` sees in turn is what a
    /// sequential loop would see, cut into batches, so an ordered output
    /// can carry more than bytes: per-record problems, counts. About four
    /// batches per thread are in flight, so memory stays bounded whatever
    /// the input size. Stops at the first error of `sink`.
    ///
    /// ```
    /// use marcview::parallel::ParallelReader;
    /// use marcview::{Field, Record, Tag};
    /// # fn main() -> Result<(), marcview::Error> {
    /// let mut rec = Record::new();
    /// rec.push_field(Field::control(Tag::new(1), "x")?)?;
    /// let one = rec.to_iso2709()?;
    /// let bytes = [one.repeat(50), b"\n".to_vec(), one.repeat(50)].concat();
    ///
    /// // Record numbers and warnings, batch by batch, in input order.
    /// let (mut numbers, mut stray) = (Vec::new(), Vec::new());
    /// ParallelReader::new(&bytes).shard_bytes(100).fold_ordered(
    ///     Vec::new,
    ///     |mut v, r| {
    ///         v.push(r.unwrap().record_number());
    ///         v
    ///     },
    ///     |v, warnings| {
    ///         numbers.extend(v);
    ///         stray.extend(warnings.iter().map(|w| w.location.record));
    ///         Ok::<(), ()>(())
    ///     },
    /// ).unwrap();
    /// assert_eq!(numbers, (1..=100).collect::<Vec<u64>>());
    /// assert_eq!(stray, [51]); // the stray byte before record 51
    /// # Ok(()) }
    /// ```
    pub fn fold_ordered<T, I, F, S, E>(&self, init: I, fold: F, mut sink: S) -> Result<Summary, E>
    where
        T: Send,
        I: Fn() -> T + Sync + Send,
        F: Fn(T, Result<RecordView<'a>, Error>) -> T + Sync + Send,
        S: FnMut(T, &[Warning]) -> Result<(), E> + Send,
        E: Send,
    {
        let folded =
            fold_units_ordered(self.buf, self.opts, self.shard(), &init, &fold, &mut sink)?;
        Ok(Summary::from_logs(
            folded.records,
            self.opts.max_warnings,
            folded.logs,
        ))
    }

    /// The records as a rayon parallel iterator, batch by batch. Record
    /// numbers, offsets and errors are those of the sequential reader;
    /// warnings are not collected (use [`fold_records`](ParallelReader::fold_records)
    /// or [`for_each`](ParallelReader::for_each) for them).
    ///
    /// ```
    /// use rayon::prelude::*;
    /// # use marcview::parallel::ParallelReader;
    /// # use marcview::Record;
    /// let bytes = Record::new().to_iso2709().unwrap().repeat(10);
    /// let n: u64 = ParallelReader::new(&bytes)
    ///     .par_records()
    ///     .map(|r| r.map_or(0, |v| v.record_number()))
    ///     .sum();
    /// assert_eq!(n, 55);
    /// ```
    pub fn par_records(&self) -> impl ParallelIterator<Item = Result<RecordView<'a>, Error>> + 'a {
        let (buf, opts) = (self.buf, self.opts);
        self.units()
            .into_par_iter()
            .flat_map_iter(move |u| UnitIter::new(buf, &u, opts))
    }
}
