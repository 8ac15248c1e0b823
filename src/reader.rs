//! [`Reader`]: records from a byte slice in file order, strict or lenient.

use crate::boundary::{Frame, ScanHint, next_frame};
use crate::error::{Fault, Location, Warning};
use crate::parse::{Context, parse_record};
use crate::{Error, RecordView, Tag};

/// The largest record length leader/00-04 can declare.
pub(crate) const MAX_DECLARED_LEN: usize = 99_999;

/// How readers treat structural faults.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Mode {
    /// Every fault inside a record makes that record an error. Readers still
    /// go on with the next record.
    Strict,
    /// Faults are repaired where possible and reported as [`Warning`]s; only
    /// records beyond repair are errors.
    #[default]
    Lenient,
}

/// Reader settings.
#[derive(Clone, Copy, Debug)]
pub struct ReadOptions {
    /// Strict or lenient.
    pub mode: Mode,
    /// How many warnings are kept; later ones are only counted.
    pub max_warnings: usize,
}

impl Default for ReadOptions {
    fn default() -> ReadOptions {
        ReadOptions {
            mode: Mode::Lenient,
            max_warnings: 10_000,
        }
    }
}

/// A capped list of warnings with a total count.
#[derive(Clone, Debug, Default)]
pub struct WarningLog {
    kept: Vec<Warning>,
    total: u64,
    cap: usize,
}

impl WarningLog {
    /// An empty log keeping at most `cap` warnings.
    pub fn new(cap: usize) -> WarningLog {
        WarningLog {
            kept: Vec::new(),
            total: 0,
            cap,
        }
    }

    pub(crate) fn push(&mut self, location: Location, fault: Fault) {
        self.total += 1;
        if self.kept.len() < self.cap {
            self.kept.push(Warning { location, fault });
        }
    }

    /// Number of kept warnings.
    pub(crate) fn len(&self) -> usize {
        self.kept.len()
    }

    /// Sets the control number of the kept warnings from index `at` on.
    pub(crate) fn relabel_from(&mut self, at: usize, id: &str) {
        for w in self.kept.iter_mut().skip(at) {
            if w.location.control_number.as_deref() != Some(id) {
                w.location.control_number = Some(id.to_owned());
            }
        }
    }

    /// Like `push`, but placed at index `at` of the kept list (which stays
    /// the first `cap` warnings in order).
    pub(crate) fn insert(&mut self, at: usize, location: Location, fault: Fault) {
        self.total += 1;
        if at <= self.kept.len() && at < self.cap {
            self.kept.insert(at, Warning { location, fault });
            self.kept.truncate(self.cap);
        }
    }

    /// The kept warnings, oldest first.
    pub fn warnings(&self) -> &[Warning] {
        &self.kept
    }

    /// How many warnings there were, kept or not.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// Takes the kept warnings out (the total stays).
    pub fn take(&mut self) -> Vec<Warning> {
        std::mem::take(&mut self.kept)
    }
}

/// The shared reading state of every reader: record count, last 001, warnings.
#[derive(Debug)]
pub(crate) struct ReadState {
    pub(crate) opts: ReadOptions,
    pub(crate) log: WarningLog,
    pub(crate) hint: ScanHint,
    /// Records delimited so far.
    pub(crate) records: u64,
}

impl ReadState {
    pub(crate) fn new(opts: ReadOptions) -> ReadState {
        ReadState {
            opts,
            log: WarningLog::new(opts.max_warnings),
            hint: ScanHint::default(),
            records: 0,
        }
    }

    fn location(&self, record: u64, offset: u64, last_001: &[u8]) -> Location {
        Location {
            record,
            record_offset: offset,
            offset,
            control_number: (!last_001.is_empty())
                .then(|| String::from_utf8_lossy(last_001).into_owned()),
        }
    }

    /// Counts the record that starts at `buf[start]` (at `base_offset +
    /// start` in the input), asks the cache for what comes after it, and
    /// gives the context its parsing reports faults in.
    #[inline(always)]
    fn begin_record<'l>(
        &mut self,
        buf: &[u8],
        start: usize,
        base_offset: u64,
        last_001: &'l [u8],
    ) -> Context<'l> {
        self.records += 1;
        crate::prefetch::ahead(buf, start);
        Context {
            mode: self.opts.mode,
            record: self.records,
            offset: base_offset + start as u64,
            last_001,
        }
    }

    /// Reads the next record from `buf[*pos..]`, whose first byte is at
    /// `base_offset` in the input. Advances `*pos`. `None`: end of input, or
    /// more input needed when `at_eof` is false (then `*pos` is unchanged
    /// except for skipped filler, and `needs_more` is set).
    pub(crate) fn next<'a>(
        &mut self,
        buf: &'a [u8],
        pos: &mut usize,
        base_offset: u64,
        at_eof: bool,
        last_001: &[u8],
        needs_more: &mut bool,
    ) -> Option<Result<RecordView<'a>, Error>> {
        self.next_after_filler(buf, pos, base_offset, at_eof, last_001, needs_more, 0)
    }

    /// Like `next`, after `carried` filler bytes that came right before
    /// `buf[*pos]` and were already dropped (stream readers).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn next_after_filler<'a>(
        &mut self,
        buf: &'a [u8],
        pos: &mut usize,
        base_offset: u64,
        at_eof: bool,
        last_001: &[u8],
        needs_more: &mut bool,
        carried: usize,
    ) -> Option<Result<RecordView<'a>, Error>> {
        *needs_more = false;
        // The common case, with nothing to report about the boundary:
        // what `next_frame` would find, without building a `Frame`.
        if carried == 0
            && let Some(end) = crate::boundary::exact_record(buf, *pos)
        {
            let start = std::mem::replace(pos, end);
            let ctx = self.begin_record(buf, start, base_offset, last_001);
            return Some(parse_record(
                &buf[start..],
                end - start,
                &ctx,
                &mut self.log,
            ));
        }
        let frame = match next_frame(buf, *pos, at_eof, &mut self.hint) {
            Frame::End { skipped, trailing } => Frame::End {
                skipped: skipped + carried,
                trailing,
            },
            Frame::Record {
                skipped,
                start,
                end,
                fault,
            } => Frame::Record {
                skipped: skipped + carried,
                start,
                end,
                fault,
            },
            Frame::NeedMore => Frame::NeedMore,
        };
        // Offsets of skipped bytes count from where the carried ones began.
        let here = (base_offset + *pos as u64).saturating_sub(carried as u64);
        match frame {
            Frame::NeedMore => {
                *needs_more = true;
                None
            }
            Frame::End { skipped, trailing } => {
                let at = here;
                if skipped + trailing > 0 {
                    let loc = self.location(self.records, at, last_001);
                    self.log.push(
                        loc,
                        Fault::TrailingBytes {
                            len: skipped + trailing,
                        },
                    );
                }
                *pos = buf.len();
                None
            }
            Frame::Record {
                skipped,
                start,
                end,
                fault,
            } => {
                let ctx = self.begin_record(buf, start, base_offset, last_001);
                let offset = ctx.offset;
                if skipped > 0 {
                    let loc = self.location(self.records, here, last_001);
                    self.log.push(loc, Fault::StrayBytes { len: skipped });
                }
                *pos = end;
                let raw = &buf[start..end];
                let Some(fault) = fault else {
                    return Some(parse_record(&buf[start..], raw.len(), &ctx, &mut self.log));
                };
                let mut loc = self.location(self.records, offset, last_001);
                if let Some(id) = quick_001(raw) {
                    loc.control_number = Some(String::from_utf8_lossy(id).into_owned());
                }
                if let Fault::LengthMismatch { .. } | Fault::NoRecordTerminator = fault {
                    loc.offset = offset + raw.len() as u64 - 1;
                }
                if self.opts.mode == Mode::Strict {
                    return Some(Err(Error::Malformed {
                        location: loc,
                        fault,
                    }));
                }
                // The boundary fault comes first in the log, but is labelled
                // with the 001 the repaired record turns out to have.
                let at = self.log.len();
                let parsed = parse_record(&buf[start..], raw.len(), &ctx, &mut self.log);
                if let Ok(view) = &parsed
                    && let Some(id) = view.control_number()
                {
                    loc.control_number = Some(String::from_utf8_lossy(id).into_owned());
                }
                self.log.insert(at, loc, fault);
                Some(parsed)
            }
        }
    }
}

/// Finds the 001 of a record whose boundary is suspect, without trusting
/// more than the first directory entries. Only used to label warnings.
fn quick_001(raw: &[u8]) -> Option<&[u8]> {
    let base = raw.get(12..17).and_then(crate::leader::parse_digits)?;
    if raw.get(base.checked_sub(1)?) != Some(&crate::parse::FIELD_TERMINATOR) {
        return None;
    }
    let dir = raw.get(24..base - 1)?;
    for e in crate::directory::raw_entries(dir) {
        if &e.tag == b"001" {
            let len = crate::leader::parse_digits(&e.length)?;
            let start = crate::leader::parse_digits(&e.start)?;
            let v = raw.get(base + start..base + start + len.checked_sub(1)?)?;
            return v.iter().all(|&b| b >= 0x20).then_some(v);
        }
    }
    None
}

/// Reads records from a byte slice in file order.
///
/// Yields `Ok(view)` for each record (repaired and with warnings logged in
/// lenient mode) and `Err` for a record beyond repair (or any faulty record
/// in strict mode); either way reading goes on with the next record.
///
/// ```
/// use marcview::{Reader, Record, Field, Tag};
/// # fn main() -> Result<(), marcview::Error> {
/// let mut rec = Record::new();
/// rec.push_field(Field::control(Tag::new(1), "ocm123")?)?;
/// rec.push_field(Field::new(Tag::new(245), *b"10").with_subfield(b'a', "A title")?)?;
/// let bytes = rec.to_iso2709()?;
///
/// let mut reader = Reader::new(&bytes);
/// let view = reader.next().unwrap()?;
/// assert_eq!(view.control_field(1), Some(&b"ocm123"[..]));
/// assert_eq!(view.field(245).unwrap().subfield(b'a'), Some(&b"A title"[..]));
/// assert!(reader.next().is_none());
/// assert_eq!(reader.warnings().len(), 0);
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    state: ReadState,
    last_001: &'a [u8],
}

impl<'a> Reader<'a> {
    /// A lenient reader over `buf`.
    pub fn new(buf: &'a [u8]) -> Reader<'a> {
        Reader::with_options(buf, ReadOptions::default())
    }

    /// A reader with explicit options.
    pub fn with_options(buf: &'a [u8], opts: ReadOptions) -> Reader<'a> {
        Reader {
            buf,
            pos: 0,
            state: ReadState::new(opts),
            last_001: &[],
        }
    }

    /// Switches to strict mode.
    pub fn strict(mut self) -> Reader<'a> {
        self.state.opts.mode = Mode::Strict;
        self
    }

    /// Switches to lenient mode (the default).
    pub fn lenient(mut self) -> Reader<'a> {
        self.state.opts.mode = Mode::Lenient;
        self
    }

    /// The current mode.
    pub fn mode(&self) -> Mode {
        self.state.opts.mode
    }

    /// Warnings kept so far.
    pub fn warnings(&self) -> &[Warning] {
        self.state.log.warnings()
    }

    /// The warning log (kept warnings and total count).
    pub fn warning_log(&self) -> &WarningLog {
        &self.state.log
    }

    /// Takes the kept warnings out.
    pub fn take_warnings(&mut self) -> Vec<Warning> {
        self.state.log.take()
    }

    /// Records delimited so far (good and bad).
    pub fn records_read(&self) -> u64 {
        self.state.records
    }

    /// Byte offset of the next unread byte.
    pub fn offset(&self) -> usize {
        self.pos
    }

    /// The input.
    pub fn input(&self) -> &'a [u8] {
        self.buf
    }
}

impl<'a> Iterator for Reader<'a> {
    type Item = Result<RecordView<'a>, Error>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        let mut needs_more = false;
        let r = self.state.next(
            self.buf,
            &mut self.pos,
            0,
            true,
            self.last_001,
            &mut needs_more,
        )?;
        if let Ok(view) = &r
            && let Some(id) = view.control_field(Tag::new(1))
        {
            self.last_001 = id;
        }
        Some(r)
    }
}

impl std::iter::FusedIterator for Reader<'_> {}
