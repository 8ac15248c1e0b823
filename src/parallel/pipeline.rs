//! [`StreamPipeline`]: a producer-consumer pipeline for streams. One thread
//! reads and cuts record batches; rayon workers parse them; results come
//! back in input order.
//!
//! The cutter follows [`StreamReader`](crate::StreamReader) step by step:
//! the same reads (one 64 KiB request at a time), the same boundary
//! decisions with the same look-ahead and end-of-input flag. It records, for
//! each decision, how many bytes were buffered and whether the input had
//! ended, and the worker replays each decision on exactly those bytes, so
//! every record, number, offset and warning is the stream reader's.

use std::io::{ErrorKind, Read};
use std::sync::mpsc::{Receiver, Sender, SyncSender, channel, sync_channel};

use crate::boundary::is_filler;
use crate::boundary::{Frame, ScanHint, next_frame};
use crate::reader::ReadState;
use crate::{Error, MAX_PENDING, ReadOptions, RecordView, Tag, Warning, WarningLog};

use super::Summary;
use super::ordered::{step, window_len};

/// Bytes asked of the source per read, as the stream reader asks.
const CHUNK: usize = 64 * 1024;

/// Default batch size.
const BATCH_BYTES: usize = 1024 * 1024;

/// One boundary decision of the cutter.
#[derive(Clone, Copy, Debug)]
struct Step {
    /// Where the decision started (before filler), in the batch.
    pos: usize,
    /// Bytes buffered when it was made.
    extent: usize,
    /// Whether the input counted as ended.
    at_eof: bool,
    /// Filler bytes right before `pos` that were dropped, not buffered (a
    /// run longer than a chunk).
    carried: usize,
}

/// Whole records cut from the stream, with what a worker needs to read
/// them as the stream reader would.
#[derive(Debug, Default)]
struct Batch {
    bytes: Vec<u8>,
    /// Input offset of `bytes[0]`.
    base_offset: u64,
    steps: Vec<Step>,
    records_before: u64,
    /// The last control number before the batch.
    last_001: Vec<u8>,
    /// A read error that ended the stream after this batch's records.
    io_error: Option<std::io::Error>,
}

impl Batch {
    fn reset(&mut self) {
        self.bytes.clear();
        self.steps.clear();
        self.last_001.clear();
        self.io_error = None;
    }

    /// Replays the batch's decisions, handing each record to `f`.
    fn read<'b>(
        &'b mut self,
        opts: ReadOptions,
        mut f: impl FnMut(Result<RecordView<'b>, Error>),
    ) -> (WarningLog, u64) {
        let io_error = self.io_error.take();
        let this: &'b Batch = self;
        let mut state = ReadState::new(opts);
        state.records = this.records_before;
        let mut last_001: &'b [u8] = &this.last_001;
        let mut pos = 0;
        for s in &this.steps {
            let bytes = this.bytes.get(..s.extent).unwrap_or(&this.bytes);
            let mut needs_more = false;
            let r = state.next_after_filler(
                bytes,
                &mut pos,
                this.base_offset,
                s.at_eof,
                last_001,
                &mut needs_more,
                s.carried,
            );
            let Some(r) = r else { break };
            if let Ok(view) = &r
                && let Some(id) = view.control_field(Tag::new(1))
            {
                last_001 = id;
            }
            f(r);
        }
        if let Some(e) = io_error {
            f(Err(Error::Io(e)));
        }
        (state.log, state.records)
    }

    /// The control number a record after this batch gets: the 001 of the
    /// last record that reads as `Ok`, else the one before the batch.
    fn last_001_after(&self, opts: ReadOptions) -> &[u8] {
        let mut state = ReadState::new(ReadOptions {
            mode: opts.mode,
            max_warnings: 0,
        });
        for s in self.steps.iter().rev() {
            let bytes = self.bytes.get(..s.extent).unwrap_or(&self.bytes);
            let mut pos = s.pos;
            let mut needs_more = false;
            let r = state.next_after_filler(
                bytes,
                &mut pos,
                self.base_offset,
                s.at_eof,
                &[],
                &mut needs_more,
                s.carried,
            );
            if let Some(Ok(view)) = r
                && let Some(id) = view.control_field(Tag::new(1))
            {
                return id;
            }
        }
        &self.last_001
    }
}

/// The reading thread: cuts batches of about `batch_bytes` and sends them.
struct Cutter<R> {
    inner: R,
    opts: ReadOptions,
    batch_bytes: usize,
    tx: SyncSender<Batch>,
    recycled: Receiver<Batch>,
}

impl<R: Read> Cutter<R> {
    fn fresh(&self) -> Batch {
        let mut b = self.recycled.try_recv().unwrap_or_default();
        b.reset();
        b
    }

    /// Mirrors `StreamReader::next_record` until the input ends.
    fn run(mut self) {
        let mut b = self.fresh();
        let mut pos = 0usize;
        let mut eof = false;
        let mut hint = ScanHint::default();
        let mut records = 0u64;
        let mut carried = 0usize;
        loop {
            let mut at_eof = eof;
            let frame = loop {
                match next_frame(&b.bytes, pos, at_eof, &mut hint) {
                    // A long run of filler is counted and dropped, as the
                    // stream reader does: the batch ends before it and the
                    // next one starts after it.
                    Frame::NeedMore
                        if b.bytes.len() - pos >= CHUNK
                            && b.bytes[pos..].iter().all(|&x| is_filler(x)) =>
                    {
                        carried += b.bytes.len() - pos;
                        let mut next = self.fresh();
                        next.base_offset = b.base_offset + b.bytes.len() as u64;
                        next.records_before = records;
                        next.last_001.extend_from_slice(b.last_001_after(self.opts));
                        b.bytes.truncate(pos);
                        hint = ScanHint::default();
                        pos = 0;
                        if self.tx.send(std::mem::replace(&mut b, next)).is_err() {
                            return;
                        }
                        if let Err(e) = fill(&mut self.inner, &mut b.bytes, &mut eof) {
                            b.io_error = Some(e);
                            let _ = self.tx.send(b);
                            return;
                        }
                        at_eof = eof;
                    }
                    Frame::NeedMore if b.bytes.len() - pos >= MAX_PENDING => at_eof = true,
                    Frame::NeedMore => {
                        if pos >= self.batch_bytes {
                            let mut next = self.fresh();
                            next.bytes.extend_from_slice(&b.bytes[pos..]);
                            next.base_offset = b.base_offset + pos as u64;
                            next.records_before = records;
                            next.last_001.extend_from_slice(b.last_001_after(self.opts));
                            hint.shift(pos);
                            pos = 0;
                            if self.tx.send(std::mem::replace(&mut b, next)).is_err() {
                                return;
                            }
                        }
                        if let Err(e) = fill(&mut self.inner, &mut b.bytes, &mut eof) {
                            b.io_error = Some(e);
                            let _ = self.tx.send(b);
                            return;
                        }
                        at_eof = eof;
                    }
                    frame => break frame,
                }
            };
            b.steps.push(Step {
                pos,
                extent: b.bytes.len(),
                at_eof,
                carried: std::mem::take(&mut carried),
            });
            match frame {
                Frame::Record { end, .. } => {
                    records += 1;
                    pos = end;
                }
                Frame::End { .. } | Frame::NeedMore => {
                    let _ = self.tx.send(b);
                    return;
                }
            }
        }
    }
}

/// Reads one chunk onto the end of `buf`, as the stream reader does.
fn fill(inner: &mut impl Read, buf: &mut Vec<u8>, eof: &mut bool) -> std::io::Result<()> {
    let old = buf.len();
    buf.resize(old + CHUNK, 0);
    loop {
        match inner.read(&mut buf[old..]) {
            Ok(n) => {
                buf.truncate(old + n.min(CHUNK));
                if n == 0 {
                    *eof = true;
                }
                return Ok(());
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => {
                buf.truncate(old);
                return Err(e);
            }
        }
    }
}

/// Reads records from a stream (stdin, a pipe, a gzip decoder) with one
/// reading thread and the current rayon pool's threads as parsers.
///
/// A reading thread cuts the input into batches of whole records (about
/// 1 MiB each, see [`batch_bytes`](StreamPipeline::batch_bytes)) with the
/// boundary rules of [`StreamReader`](crate::StreamReader) and hands them
/// over a bounded channel; windows of batches are parsed in parallel, and
/// results are passed on in input order. Buffers are reused, and at most a
/// few batches per thread exist at any time, so memory stays bounded
/// whatever the input size. Records, numbers, offsets, errors (an I/O error
/// comes as an `Err` item, last) and warnings are exactly the stream
/// reader's.
///
/// ```
/// use marcview::parallel::StreamPipeline;
/// use marcview::{Field, Record, Tag};
/// # fn main() -> Result<(), marcview::Error> {
/// let mut rec = Record::new();
/// rec.push_field(Field::control(Tag::new(1), "id")?)?;
/// let bytes = rec.to_iso2709()?.repeat(1000);
///
/// let mut ids = Vec::new();
/// let summary = StreamPipeline::new(&bytes[..]).map_ordered(
///     |r, out| out.extend_from_slice(r.unwrap().control_number().unwrap_or_default()),
///     |chunk| {
///         ids.extend_from_slice(chunk);
///         Ok::<(), std::io::Error>(())
///     },
/// )?;
/// assert_eq!(summary.records(), 1000);
/// assert_eq!(ids, b"id".repeat(1000));
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct StreamPipeline<R> {
    inner: R,
    opts: ReadOptions,
    batch_bytes: usize,
}

impl<R: Read + Send> StreamPipeline<R> {
    /// A lenient pipeline over `inner`.
    ///
    /// ```
    /// # use marcview::parallel::StreamPipeline;
    /// let s = StreamPipeline::new(&b""[..]).for_each(|_| {});
    /// assert_eq!(s.records(), 0);
    /// ```
    pub fn new(inner: R) -> StreamPipeline<R> {
        StreamPipeline::with_options(inner, ReadOptions::default())
    }

    /// A pipeline with explicit options.
    ///
    /// ```
    /// use marcview::parallel::StreamPipeline;
    /// use marcview::{Mode, ReadOptions};
    /// let opts = ReadOptions { mode: Mode::Strict, max_warnings: 10 };
    /// let s = StreamPipeline::with_options(&b"\n"[..], opts).for_each(|_| {});
    /// assert_eq!(s.warnings().len(), 1);
    /// ```
    pub fn with_options(inner: R, opts: ReadOptions) -> StreamPipeline<R> {
        StreamPipeline {
            inner,
            opts,
            batch_bytes: BATCH_BYTES,
        }
    }

    /// Cuts batches of about `bytes` bytes (at least 1) instead of 1 MiB.
    /// Results do not depend on it.
    ///
    /// ```
    /// # use marcview::parallel::StreamPipeline;
    /// # use marcview::Record;
    /// let bytes = Record::new().to_iso2709().unwrap().repeat(10);
    /// let s = StreamPipeline::new(&bytes[..]).batch_bytes(30).for_each(|_| {});
    /// assert_eq!(s.records(), 10);
    /// ```
    pub fn batch_bytes(mut self, bytes: usize) -> StreamPipeline<R> {
        self.batch_bytes = bytes.max(1);
        self
    }

    /// Calls `f` with every record, in parallel; calls for one batch are in
    /// order, batches in no particular order.
    ///
    /// ```
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// # use marcview::parallel::StreamPipeline;
    /// # use marcview::Record;
    /// let bytes = Record::new().to_iso2709().unwrap().repeat(10);
    /// let n = AtomicUsize::new(0);
    /// StreamPipeline::new(&bytes[..]).for_each(|r| {
    ///     assert!(r.is_ok());
    ///     n.fetch_add(1, Ordering::Relaxed);
    /// });
    /// assert_eq!(n.into_inner(), 10);
    /// ```
    pub fn for_each<F>(self, f: F) -> Summary
    where
        F: Fn(Result<RecordView<'_>, Error>) + Sync + Send,
    {
        self.fold_records(|| (), |(), r| f(r), |(), ()| ()).1
    }

    /// Folds every record into an accumulator per batch and combines the
    /// accumulators in input order with `reduce`.
    ///
    /// ```
    /// # use marcview::parallel::StreamPipeline;
    /// # use marcview::Record;
    /// let bytes = Record::new().to_iso2709().unwrap().repeat(10);
    /// let (numbers, _) = StreamPipeline::new(&bytes[..]).batch_bytes(30).fold_records(
    ///     Vec::new,
    ///     |mut v, r| { v.push(r.unwrap().record_number()); v },
    ///     |mut a, b| { a.extend(b); a },
    /// );
    /// assert_eq!(numbers, (1..=10).collect::<Vec<u64>>());
    /// ```
    pub fn fold_records<T, I, F, G>(self, init: I, fold: F, reduce: G) -> (T, Summary)
    where
        T: Send,
        I: Fn() -> T + Sync + Send,
        F: Fn(T, Result<RecordView<'_>, Error>) -> T + Sync + Send,
        G: Fn(T, T) -> T + Sync + Send,
    {
        let mut acc = None;
        let summary = self.fold_ordered(&init, fold, |t, _| {
            acc = match acc.take() {
                Some(a) => Some(reduce(a, t)),
                None => Some(t),
            };
            Ok::<(), std::convert::Infallible>(())
        });
        let summary = match summary {
            Ok(s) => s,
            Err(never) => match never {},
        };
        (acc.unwrap_or_else(init), summary)
    }

    /// Maps every record to bytes in parallel and hands the bytes to `sink`
    /// in input order, batch by batch (empty outputs are skipped), like
    /// [`ParallelReader::map_ordered`](super::ParallelReader::map_ordered).
    /// Stops at the first error of `sink`.
    ///
    /// ```
    /// # use marcview::parallel::StreamPipeline;
    /// # use marcview::Record;
    /// let bytes = Record::new().to_iso2709().unwrap().repeat(3);
    /// let mut out = Vec::new();
    /// StreamPipeline::new(&bytes[..]).map_ordered(
    ///     |r, buf| buf.push(b'0' + r.unwrap().record_number() as u8),
    ///     |chunk| { out.extend_from_slice(chunk); Ok::<(), ()>(()) },
    /// ).unwrap();
    /// assert_eq!(out, b"123");
    /// ```
    pub fn map_ordered<F, S, E>(self, f: F, mut sink: S) -> Result<Summary, E>
    where
        F: Fn(Result<RecordView<'_>, Error>, &mut Vec<u8>) + Sync + Send,
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
    /// parallel, and hands the accumulators to `sink` in input order, each
    /// with the warnings its batch's records raised, like
    /// [`ParallelReader::fold_ordered`](super::ParallelReader::fold_ordered).
    /// Stops at the first error of `sink`.
    ///
    /// ```
    /// # use marcview::parallel::StreamPipeline;
    /// # use marcview::Record;
    /// let one = Record::new().to_iso2709().unwrap();
    /// let bytes = [one.repeat(2), b"\n".to_vec(), one].concat();
    /// let mut seen = Vec::new();
    /// StreamPipeline::new(&bytes[..]).batch_bytes(30).fold_ordered(
    ///     Vec::new,
    ///     |mut v, r| { v.push(r.unwrap().record_number()); v },
    ///     |v, warnings| {
    ///         seen.push((v, warnings.len()));
    ///         Ok::<(), ()>(())
    ///     },
    /// ).unwrap();
    /// let numbers: Vec<u64> = seen.iter().flat_map(|(v, _)| v.clone()).collect();
    /// assert_eq!(numbers, [1, 2, 3]);
    /// assert_eq!(seen.iter().map(|(_, w)| w).sum::<usize>(), 1); // the stray byte
    /// ```
    pub fn fold_ordered<T, I, F, S, E>(self, init: I, fold: F, mut sink: S) -> Result<Summary, E>
    where
        T: Send,
        I: Fn() -> T + Sync + Send,
        F: Fn(T, Result<RecordView<'_>, Error>) -> T + Sync + Send,
        S: FnMut(T, &[Warning]) -> Result<(), E> + Send,
        E: Send,
    {
        self.run(
            |b, opts| {
                let mut t = Some(init());
                let out = b.read(opts, |r| t = t.take().map(|t| fold(t, r)));
                (t.unwrap_or_else(&init), out)
            },
            &mut sink,
        )
    }

    /// Runs the cutter thread and the windows of workers; `work` turns a
    /// batch into an output, `sink` takes the outputs in order.
    fn run<O, E>(
        self,
        work: impl Fn(&mut Batch, ReadOptions) -> (O, (WarningLog, u64)) + Sync,
        sink: &mut (impl FnMut(O, &[Warning]) -> Result<(), E> + Send),
    ) -> Result<Summary, E>
    where
        O: Send,
        E: Send,
    {
        let opts = self.opts;
        let window = window_len();
        let (tx, rx) = sync_channel::<Batch>(window);
        let (recycle, recycled) = channel::<Batch>();
        let cutter = Cutter {
            inner: self.inner,
            opts,
            batch_bytes: self.batch_bytes,
            tx,
            recycled,
        };
        let mut logs = Vec::new();
        let mut records = 0u64;
        let mut pass = |(o, (log, n)): (O, (WarningLog, u64))| {
            let sunk = sink(o, log.warnings());
            if log.total() > 0 {
                logs.push(log);
            }
            records = records.max(n);
            sunk
        };
        std::thread::scope(|scope| {
            scope.spawn(move || cutter.run());
            // `rx` is dropped when this closure returns, early or not, so
            // a cutter blocked on a full channel wakes up and ends before
            // the scope waits for it.
            let rx = rx;
            consume(&rx, &recycle, window, &|b| work(b, opts), &mut pass)
        })?;
        Ok(Summary::from_logs(records, opts.max_warnings, logs))
    }
}

/// Takes batches off the channel a window at a time, works on each window
/// in parallel while passing the previous window's outputs on, and sends
/// the used batches back for reuse.
fn consume<O, E>(
    rx: &Receiver<Batch>,
    recycle: &Sender<Batch>,
    window: usize,
    work: &(impl Fn(&mut Batch) -> O + Sync),
    pass: &mut (impl FnMut(O) -> Result<(), E> + Send),
) -> Result<(), E>
where
    O: Send,
    E: Send,
{
    let mut batches: Vec<Batch> = Vec::with_capacity(window);
    let mut done: Vec<O> = Vec::new();
    loop {
        // Blocking here waits for the cutter thread only, never for rayon
        // work, so it is safe on any pool (one thread included).
        batches.extend(rx.iter().take(window));
        if batches.is_empty() {
            break;
        }
        done = step(&mut done, &mut batches, work, pass)?;
        for b in batches.drain(..) {
            let _ = recycle.send(b);
        }
    }
    done.into_iter().try_for_each(pass)
}
