//! [`scan_parallel`]: reads one ISO 2709 input on several threads (a mapped
//! file through the sharded scanner, a stream through the pipeline) and
//! hands everything on in the order a sequential [`scan`](super::scan::scan)
//! gives it.
//!
//! Each batch of records is folded into an accumulator of its own on a
//! worker thread. The accumulators come back in input order, and each is
//! handed to the caller's sink in steps that interleave with the reader's
//! problems as a sequential scan interleaves its record callback with
//! them. For record `n`: what the callback produced, then the warnings
//! raised while reading it, then its error when it could not be read.
//! Trailing bytes after the last record come last.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use marcview::parallel::{ParallelReader, StreamPipeline};
use marcview::{Error, Fault, MappedFile, ReadOptions, RecordView, Warning};

use super::CliError;
use super::input::{self, Input, Source};
use super::problems::Report;
use super::progress::Progress;
use super::scan::{Driver, ScanOptions, Summary};

/// An opened input and how to read it.
pub enum Opened {
    /// One thread: one was asked for, or the input is not ISO 2709.
    Sequential(Input),
    /// ISO 2709 to read on several threads.
    Parallel(ParallelInput),
}

/// An ISO 2709 input to read in parallel.
pub struct ParallelInput {
    name: String,
    bytes: Bytes,
    size: Option<u64>,
    /// Bytes taken from the underlying file or stdin so far.
    consumed: Arc<AtomicU64>,
}

/// Where a parallel input's bytes come from.
enum Bytes {
    Mapped(MappedFile),
    Stream(BufReader<Box<dyn Read + Send>>),
}

/// Opens `path` (`-`: standard input) to be read on `threads` threads when
/// it holds ISO 2709 records ([`ScanOptions::format`] decides, from the
/// first bytes when it is `auto`) and is a mapped file, or a stream with
/// [`ScanOptions::parallel_streams`].
pub fn open(path: &Path, opts: ScanOptions, threads: usize) -> Result<Opened, CliError> {
    let input = input::open(path)?;
    if threads <= 1 {
        return Ok(Opened::Sequential(input));
    }
    let Input {
        name,
        source,
        size,
        consumed,
    } = input;
    let bytes = match source {
        Source::Mapped(map) if opts.format.sniff(map.bytes()).is_iso2709() => Bytes::Mapped(map),
        Source::Stream(raw) if opts.parallel_streams => {
            let mut buffered = BufReader::with_capacity(64 * 1024, raw);
            let head = buffered.fill_buf().map_err(|source| CliError::Read {
                path: name.clone(),
                source,
            })?;
            if !opts.format.sniff(head).is_iso2709() {
                let source = Source::Stream(Box::new(buffered));
                return Ok(Opened::Sequential(Input {
                    name,
                    source,
                    size,
                    consumed,
                }));
            }
            Bytes::Stream(buffered)
        }
        source => {
            return Ok(Opened::Sequential(Input {
                name,
                source,
                size,
                consumed,
            }));
        }
    };
    Ok(Opened::Parallel(ParallelInput {
        name,
        bytes,
        size,
        consumed,
    }))
}

/// One batch: the caller's accumulator, the records that could not be
/// read (in order), and where the last record read ends.
struct Batch<T> {
    acc: T,
    bad: Vec<Error>,
    end: u64,
}

/// The record number a reading error is about; an error of the input
/// itself comes after every record of its batch.
fn record_of(e: &Error) -> u64 {
    e.location().map_or(u64::MAX, |l| l.record)
}

/// Reads every record of `input` on `threads` threads: `fold` adds each
/// record to its batch's accumulator (made by `init`) on a worker thread,
/// and `sink(acc, n)` is called, in input order, to hand on what `acc`
/// holds for the records up to number `n`, interleaved with `report`'s
/// problems in sequential order; `n` is `u64::MAX` for the rest of the
/// batch, which is then done with. Stops at the first error `sink` or
/// `report` returns, and at an I/O error of the input.
#[allow(clippy::too_many_arguments)]
pub fn scan_parallel<T, I, F, S, R>(
    input: ParallelInput,
    opts: ScanOptions,
    threads: usize,
    init: I,
    fold: F,
    mut sink: S,
    report: &mut R,
) -> Result<Summary, CliError>
where
    T: Send,
    I: Fn() -> T + Sync + Send,
    F: Fn(T, &RecordView<'_>) -> T + Sync + Send,
    S: FnMut(&mut T, u64) -> Result<(), CliError> + Send,
    R: Report + Send,
{
    let ParallelInput {
        name,
        bytes,
        size,
        consumed,
    } = input;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| CliError::Usage(format!("cannot start {threads} threads: {e}")))?;
    // Each batch keeps the warnings `report` can show: any of the first
    // that many of the whole input is among the first that many of its
    // batch. All are counted.
    let read_opts = ReadOptions {
        mode: opts.mode,
        max_warnings: report.shown_at_most(),
    };
    let mapped = matches!(bytes, Bytes::Mapped(_));
    let progress = Progress::new(size, opts.quiet);
    let mut no_callback = |_: &RecordView<'_>| Ok(());
    let mut d = Driver::new(&name, &mut no_callback, report, &progress);
    let init_batch = || Batch {
        acc: init(),
        bad: Vec::new(),
        end: 0,
    };
    let fold_batch = |mut b: Batch<T>, r: Result<RecordView<'_>, Error>| {
        match r {
            Ok(view) => {
                b.end = view.offset() + view.raw().len() as u64;
                b.acc = fold(b.acc, &view);
            }
            Err(e) => b.bad.push(e),
        }
        b
    };
    let hand_on = |b: Batch<T>, warnings: &[Warning]| -> Result<(), CliError> {
        let Batch { mut acc, bad, end } = b;
        let mut bad = bad.into_iter().peekable();
        for w in warnings {
            let n = w.location.record;
            // Trailing bytes are reported after the last record, even one
            // that could not be read.
            let last = matches!(w.fault, Fault::TrailingBytes { .. });
            while let Some(e) = bad.next_if(|e| record_of(e) < n || (last && record_of(e) == n)) {
                sink(&mut acc, record_of(&e))?;
                d.bad(e)?;
            }
            sink(&mut acc, n)?;
            d.warnings(vec![w.clone()])?;
        }
        for e in bad {
            sink(&mut acc, record_of(&e))?;
            d.bad(e)?;
        }
        sink(&mut acc, u64::MAX)?;
        if !progress.is_hidden() {
            progress.set(if mapped {
                end
            } else {
                consumed.load(Ordering::Relaxed)
            });
        }
        Ok(())
    };
    let read = pool.install(|| match bytes {
        Bytes::Mapped(map) => ParallelReader::with_options(map.bytes(), read_opts)
            .fold_ordered(init_batch, fold_batch, hand_on),
        Bytes::Stream(stream) => StreamPipeline::with_options(stream, read_opts)
            .fold_ordered(init_batch, fold_batch, hand_on),
    });
    progress.finish();
    let read = read?;
    let mut summary = d.finish(read.warning_log().total())?;
    summary.records = read.records() - summary.bad_records;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_of_the_input_come_after_the_batch() {
        let io = Error::Io(std::io::Error::other("gone"));
        assert_eq!(record_of(&io), u64::MAX);
    }
}
