//! [`StreamReader`]: records from any `io::Read` through one reused buffer.

use std::io::{ErrorKind, Read};

use crate::boundary::{Frame, next_frame};
use crate::reader::{ReadState, WarningLog};
use crate::{Error, ReadOptions, RecordView, Warning};

/// Bytes asked of the source per read.
const CHUNK: usize = 64 * 1024;

/// How far the reader looks for the end of one record before it gives up
/// and takes what it has as an unterminated record: memory stays bounded
/// whatever the input.
pub const MAX_PENDING: usize = 2 * 1024 * 1024;

/// Reads records from a stream (stdin, a pipe, a gzip decoder) into one
/// buffer that is reused from record to record.
///
/// Because the buffer is reused, a view lives only until the next call:
/// this is a lending reader with [`next_record`](StreamReader::next_record)
/// instead of `Iterator`. Use [`RecordView::to_owned`] to keep a record.
/// Record numbers, offsets and warnings are the same as a [`Reader`](crate::Reader)
/// over the same bytes.
///
/// ```
/// use marcview::{Field, Record, StreamReader, Tag};
/// # fn main() -> Result<(), marcview::Error> {
/// let mut rec = Record::new();
/// rec.push_field(Field::control(Tag::new(1), "a")?)?;
/// let bytes = [rec.to_iso2709()?, b"\n".to_vec(), rec.to_iso2709()?].concat();
///
/// let mut reader = StreamReader::new(&bytes[..]);
/// let mut n = 0;
/// while let Some(view) = reader.next_record() {
///     assert_eq!(view?.control_number(), Some(&b"a"[..]));
///     n += 1;
/// }
/// assert_eq!(n, 2);
/// assert_eq!(reader.warnings().len(), 1); // the stray newline
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct StreamReader<R> {
    inner: R,
    buf: Vec<u8>,
    pos: usize,
    /// Input offset of `buf[0]`.
    base_offset: u64,
    eof: bool,
    state: ReadState,
    last_001: Vec<u8>,
    /// Filler bytes dropped from the buffer before the next record (a run
    /// longer than `MAX_PENDING` is not kept in memory, only counted).
    carried_filler: usize,
    /// The end was reported: the reader is fused.
    done: bool,
}

impl<R: Read> StreamReader<R> {
    /// A lenient reader.
    pub fn new(inner: R) -> StreamReader<R> {
        StreamReader::with_options(inner, ReadOptions::default())
    }

    /// A reader with explicit options.
    pub fn with_options(inner: R, opts: ReadOptions) -> StreamReader<R> {
        StreamReader {
            inner,
            buf: Vec::with_capacity(CHUNK),
            pos: 0,
            base_offset: 0,
            eof: false,
            state: ReadState::new(opts),
            last_001: Vec::new(),
            carried_filler: 0,
            done: false,
        }
    }

    /// Moves unread bytes to the front and reads more.
    fn fill(&mut self) -> Result<(), Error> {
        if self.pos > 0 {
            self.buf.copy_within(self.pos.., 0);
            self.buf.truncate(self.buf.len() - self.pos);
            self.base_offset += self.pos as u64;
            self.state.hint.shift(self.pos);
            self.pos = 0;
        }
        let old = self.buf.len();
        self.buf.resize(old + CHUNK, 0);
        loop {
            match self.inner.read(&mut self.buf[old..]) {
                Ok(n) => {
                    self.buf.truncate(old + n);
                    if n == 0 {
                        self.eof = true;
                    }
                    return Ok(());
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.buf.truncate(old);
                    return Err(e.into());
                }
            }
        }
    }

    /// The next record, or `None` at the end of the input. An I/O error is
    /// returned once; the reader then ends.
    #[allow(clippy::should_implement_trait)]
    pub fn next_record(&mut self) -> Option<Result<RecordView<'_>, Error>> {
        if self.done {
            return None;
        }
        let mut at_eof = self.eof;
        loop {
            match next_frame(&self.buf, self.pos, at_eof, &mut self.state.hint) {
                Frame::NeedMore
                    if self.buf[self.pos..]
                        .iter()
                        .all(|&b| crate::boundary::is_filler(b)) =>
                {
                    // Only filler so far: count it, drop it, read on.
                    self.carried_filler += self.buf.len() - self.pos;
                    self.pos = self.buf.len();
                    if let Err(e) = self.fill() {
                        self.eof = true;
                        self.done = true;
                        return Some(Err(e));
                    }
                    at_eof = self.eof;
                }
                Frame::NeedMore if self.buf.len() - self.pos >= MAX_PENDING => at_eof = true,
                Frame::NeedMore => {
                    if let Err(e) = self.fill() {
                        self.eof = true;
                        self.done = true;
                        self.pos = self.buf.len();
                        return Some(Err(e));
                    }
                    at_eof = self.eof;
                }
                _ => break,
            }
        }
        let mut needs_more = false;
        let carried = std::mem::take(&mut self.carried_filler);
        let next = self.state.next_after_filler(
            &self.buf,
            &mut self.pos,
            self.base_offset,
            at_eof,
            &self.last_001,
            &mut needs_more,
            carried,
        );
        let Some(r) = next else {
            self.done = at_eof;
            return None;
        };
        if let Ok(view) = &r
            && let Some(id) = view.control_number()
        {
            self.last_001.clear();
            self.last_001.extend_from_slice(id);
        }
        Some(r)
    }

    /// Warnings kept so far.
    pub fn warnings(&self) -> &[Warning] {
        self.state.log.warnings()
    }

    /// The warning log.
    pub fn warning_log(&self) -> &WarningLog {
        &self.state.log
    }

    /// Takes the kept warnings out.
    pub fn take_warnings(&mut self) -> Vec<Warning> {
        self.state.log.take()
    }

    /// Records delimited so far.
    pub fn records_read(&self) -> u64 {
        self.state.records
    }

    /// Input offset of the next unread byte.
    pub fn offset(&self) -> u64 {
        self.base_offset + self.pos as u64
    }
}
