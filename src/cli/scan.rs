//! [`scan`]: reads one input record by record, whichever way it is read
//! (mapped or streamed), handing records to a callback and problems to a
//! [`Report`].
//!
//! The reader's warnings are taken after each record, so memory stays
//! bounded however many problems a file has.

use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use marcview::{Error, MappedFile, Mode, ReadOptions, Reader, RecordView, StreamReader, Warning};

use super::CliError;
use super::input::{self, Input, Source};
use super::parallel_scan::{self, Opened};
use super::problems::Report;
use super::progress::Progress;
use super::text_input::{InputFormat, TextProblem, TextReader, ViewMaker};

/// Warnings the reader keeps for one record before it only counts them.
const MAX_WARNINGS_PER_RECORD: usize = 10_000;

/// Records between two progress bar updates.
const PROGRESS_EVERY: u64 = 1024;

/// What one input held.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Records read (possibly after repairs).
    pub records: u64,
    /// Records that could not be read.
    pub bad_records: u64,
    /// Warnings, listed or not.
    pub warnings: u64,
}

impl Summary {
    /// True when the input had any warning or unreadable record.
    pub fn has_problems(&self) -> bool {
        self.bad_records + self.warnings > 0
    }
}

/// How to scan.
#[derive(Clone, Copy, Debug)]
pub struct ScanOptions {
    /// Strict or lenient reading.
    pub mode: Mode,
    /// No progress bar even for large inputs (the output goes to the same
    /// terminal).
    pub quiet: bool,
    /// The input format (`Auto`: decided from the first bytes).
    pub format: InputFormat,
    /// Read streams (stdin, gzip) on several threads too. Worth it only
    /// when each record costs more than cutting it out of the stream a
    /// second time: `count` and `validate` are faster on one thread there.
    pub parallel_streams: bool,
}

impl ScanOptions {
    /// Options from the command line: `strict` reading or not, `quiet`
    /// when the output goes to the terminal the bar would be drawn on.
    pub fn new(strict: bool, quiet: bool) -> ScanOptions {
        ScanOptions {
            mode: if strict { Mode::Strict } else { Mode::Lenient },
            quiet,
            format: InputFormat::Auto,
            parallel_streams: false,
        }
    }

    /// The same, reading streams on several threads too (see
    /// [`ScanOptions::parallel_streams`]).
    pub fn with_parallel_streams(mut self) -> ScanOptions {
        self.parallel_streams = true;
        self
    }

    /// The same, reading `format`.
    pub fn with_format(mut self, format: InputFormat) -> ScanOptions {
        self.format = format;
        self
    }
}

/// Opens `path` and [`scan`]s it.
pub fn scan_path<F, R>(
    path: &Path,
    opts: ScanOptions,
    on_record: &mut F,
    report: &mut R,
) -> Result<Summary, CliError>
where
    F: FnMut(&RecordView<'_>) -> Result<(), CliError>,
    R: Report,
{
    scan(input::open(path)?, opts, on_record, report)
}

/// Hands each record and each problem on, in input order.
pub(super) struct Driver<'d, F, R> {
    name: &'d str,
    on_record: &'d mut F,
    report: &'d mut R,
    summary: Summary,
    /// Warnings passed to `report`.
    listed: u64,
    /// Cleared while problems are written to standard error.
    progress: &'d Progress,
}

impl<'d, F, R> Driver<'d, F, R>
where
    F: FnMut(&RecordView<'_>) -> Result<(), CliError>,
    R: Report,
{
    /// A driver for the input `name`, with nothing handed on yet.
    pub(super) fn new(
        name: &'d str,
        on_record: &'d mut F,
        report: &'d mut R,
        progress: &'d Progress,
    ) -> Driver<'d, F, R> {
        Driver {
            name,
            on_record,
            report,
            summary: Summary::default(),
            listed: 0,
            progress,
        }
    }

    fn record(&mut self, view: &RecordView<'_>) -> Result<(), CliError> {
        self.summary.records += 1;
        (self.on_record)(view)
    }

    pub(super) fn warnings(&mut self, warnings: Vec<Warning>) -> Result<(), CliError> {
        if warnings.is_empty() {
            return Ok(());
        }
        let progress = self.progress;
        progress.suspend(|| {
            for w in &warnings {
                self.listed += 1;
                self.report.warning(self.name, w)?;
            }
            Ok(())
        })
    }

    pub(super) fn bad(&mut self, err: Error) -> Result<(), CliError> {
        let read_error = |source| CliError::Read {
            path: self.name.to_owned(),
            source,
        };
        match err {
            Error::Malformed { location, fault } => {
                self.summary.bad_records += 1;
                let progress = self.progress;
                progress.suspend(|| self.report.bad_record(self.name, &location, &fault))
            }
            Error::Io(e) => Err(read_error(e)),
            other => Err(read_error(io::Error::other(other.to_string()))),
        }
    }

    fn text_problem(&mut self, problem: TextProblem) -> Result<(), CliError> {
        match problem {
            TextProblem::Warning(_) => self.listed += 1,
            TextProblem::Error(_) => self.summary.bad_records += 1,
        }
        let progress = self.progress;
        progress.suspend(|| self.report.text_problem(self.name, &problem))
    }

    pub(super) fn finish(mut self, total_warnings: u64) -> Result<Summary, CliError> {
        self.summary.warnings = total_warnings;
        let unlisted = total_warnings.saturating_sub(self.listed);
        if unlisted > 0 {
            self.report.unlisted(self.name, unlisted)?;
        }
        Ok(self.summary)
    }
}

/// Reads every record of `input`: each record read goes to `on_record`,
/// each warning and unreadable record to `report`. Stops at the first
/// error either returns, and at an I/O error of the input.
pub fn scan<F, R>(
    input: Input,
    opts: ScanOptions,
    on_record: &mut F,
    report: &mut R,
) -> Result<Summary, CliError>
where
    F: FnMut(&RecordView<'_>) -> Result<(), CliError>,
    R: Report,
{
    let Input {
        name,
        source,
        size,
        consumed,
    } = input;
    let read_opts = ReadOptions {
        mode: opts.mode,
        max_warnings: MAX_WARNINGS_PER_RECORD,
    };
    let progress = Progress::new(size, opts.quiet);
    let mut d = Driver::new(&name, on_record, report, &progress);
    let total_warnings = match source {
        Source::Mapped(map) => {
            let format = opts.format.sniff(map.bytes());
            match TextReader::new(format, map.bytes()) {
                Some(text) => read_text(text, &mut d),
                None => read_mapped(&map, read_opts, &mut d),
            }
        }
        Source::Stream(raw) => {
            let mut buffered = BufReader::with_capacity(64 * 1024, raw);
            let head = buffered.fill_buf().map_err(|source| CliError::Read {
                path: name.clone(),
                source,
            })?;
            let format = opts.format.sniff(head);
            if format.is_iso2709() {
                read_stream(Box::new(buffered), read_opts, &mut d, || {
                    consumed.load(std::sync::atomic::Ordering::Relaxed)
                })
            } else {
                match TextReader::new(format, buffered) {
                    Some(text) => read_text(text, &mut d),
                    None => Ok(0),
                }
            }
        }
    };
    progress.finish();
    d.finish(total_warnings?)
}

/// Reads records in a text format; returns the number of warnings.
fn read_text<B, F, R>(mut reader: TextReader<B>, d: &mut Driver<'_, F, R>) -> Result<u64, CliError>
where
    B: BufRead,
    F: FnMut(&RecordView<'_>) -> Result<(), CliError>,
    R: Report,
{
    let mut maker = ViewMaker::default();
    while let Some(item) = reader.next_record() {
        match item {
            Ok(rec) => match maker.view(&rec) {
                Ok(view) => d.record(&view)?,
                Err(e) => d.text_problem(TextProblem::Error(e.to_string()))?,
            },
            Err(e) if e.fatal => {
                return Err(CliError::Read {
                    path: d.name.to_owned(),
                    source: io::Error::other(e.message),
                });
            }
            Err(e) => d.text_problem(TextProblem::Error(e.message))?,
        }
        for w in reader.take_warnings() {
            d.text_problem(TextProblem::Warning(w))?;
        }
    }
    for w in reader.take_warnings() {
        d.text_problem(TextProblem::Warning(w))?;
    }
    Ok(reader.warning_total())
}

/// Reads a mapped file; returns the number of warnings.
fn read_mapped<F, R>(
    map: &MappedFile,
    opts: ReadOptions,
    d: &mut Driver<'_, F, R>,
) -> Result<u64, CliError>
where
    F: FnMut(&RecordView<'_>) -> Result<(), CliError>,
    R: Report,
{
    let mut reader = Reader::with_options(map.bytes(), opts);
    let mut n = 0u64;
    while let Some(item) = reader.next() {
        match item {
            Ok(view) => {
                d.record(&view)?;
                d.warnings(reader.take_warnings())?;
            }
            Err(e) => {
                d.warnings(reader.take_warnings())?;
                d.bad(e)?;
            }
        }
        n += 1;
        if n.is_multiple_of(PROGRESS_EVERY) && !d.progress.is_hidden() {
            d.progress.set(reader.offset() as u64);
        }
    }
    d.warnings(reader.take_warnings())?;
    Ok(reader.warning_log().total())
}

/// Reads a stream; `position` tells how far into the underlying bytes it
/// is. Returns the number of warnings.
fn read_stream<F, R>(
    raw: Box<dyn Read>,
    opts: ReadOptions,
    d: &mut Driver<'_, F, R>,
    position: impl Fn() -> u64,
) -> Result<u64, CliError>
where
    F: FnMut(&RecordView<'_>) -> Result<(), CliError>,
    R: Report,
{
    let mut reader = StreamReader::with_options(raw, opts);
    let mut n = 0u64;
    while let Some(item) = reader.next_record() {
        // A view borrows the reader: be done with it before taking the
        // warnings.
        let bad = match item {
            Ok(view) => {
                d.record(&view)?;
                None
            }
            Err(e) => Some(e),
        };
        d.warnings(reader.take_warnings())?;
        if let Some(e) = bad {
            d.bad(e)?;
        }
        n += 1;
        if n.is_multiple_of(PROGRESS_EVERY) && !d.progress.is_hidden() {
            d.progress.set(position());
        }
    }
    d.warnings(reader.take_warnings())?;
    Ok(reader.warning_log().total())
}

/// Reads every record of the input at `path`, folding the good ones into a
/// value, on `threads` threads when the input holds ISO 2709 records
/// (mapped or streamed; other inputs are read sequentially). Problems
/// reach `report` in input order either way, and the result is the same
/// for any number of threads: `reduce` sees the partial results in input
/// order, and `init()` must be neutral for it.
pub fn fold_path<T, I, F, G, R>(
    path: &Path,
    opts: ScanOptions,
    threads: usize,
    init: I,
    fold: F,
    reduce: G,
    report: &mut R,
) -> Result<(T, Summary), CliError>
where
    T: Send,
    I: Fn() -> T + Sync + Send,
    F: Fn(T, &RecordView<'_>) -> T + Sync + Send,
    G: Fn(T, T) -> T + Sync + Send,
    R: Report + Send,
{
    match parallel_scan::open(path, opts, threads)? {
        Opened::Sequential(input) => {
            let mut acc = Some(init());
            let summary = scan(
                input,
                opts,
                &mut |view: &RecordView<'_>| {
                    acc = acc.take().map(|a| fold(a, view));
                    Ok(())
                },
                report,
            )?;
            Ok((acc.unwrap_or_else(&init), summary))
        }
        Opened::Parallel(input) => {
            let mut acc = Some(init());
            let summary = parallel_scan::scan_parallel(
                input,
                opts,
                threads,
                || Some(init()),
                |t: Option<T>, view: &RecordView<'_>| t.map(|t| fold(t, view)),
                |t: &mut Option<T>, through| {
                    if through == u64::MAX
                        && let (Some(a), Some(t)) = (acc.take(), t.take())
                    {
                        acc = Some(reduce(a, t));
                    }
                    Ok(())
                },
                report,
            )?;
            Ok((acc.unwrap_or_else(&init), summary))
        }
    }
}
