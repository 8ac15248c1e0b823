//! ISO 2709 output: [`Writer`] and the length arithmetic behind it.

use std::io::Write;

use crate::leader::LEADER_LEN;
use crate::parse::{FIELD_TERMINATOR, RECORD_TERMINATOR};
use crate::{Error, FieldView, Leader, Record, RecordView, WriteError};

/// The largest record ISO 2709 can describe.
pub const MAX_RECORD_LEN: usize = 99_999;
/// The largest field (terminator included) a directory entry can describe.
pub const MAX_FIELD_LEN: usize = 9_999;

/// Writer settings.
#[derive(Clone, Copy, Debug, Default)]
pub struct WriteOptions {
    /// Write records over 99,999 bytes and fields over 9,999 bytes anyway.
    /// Their lengths are then written as `99999` / `9999`, as readers that
    /// follow the terminators (marcview's lenient reader among them) expect;
    /// strict readers will reject them.
    pub allow_oversize: bool,
}

/// Appends `leader` and `fields` as one ISO 2709 record. Every length is
/// computed in bytes. On error nothing is appended.
///
/// The directory lists the fields in the order given. `data_order`, when
/// given, is a permutation of field indexes saying in which order the field
/// bytes are laid out in the data area (ISO 2709 allows any layout; keeping
/// the original one makes rewrites byte-identical); by default it is the
/// directory order.
pub(crate) fn write_fields<'f>(
    leader: &Leader,
    fields: impl ExactSizeIterator<Item = FieldView<'f>>,
    data_order: Option<&[usize]>,
    out: &mut Vec<u8>,
    opts: WriteOptions,
) -> Result<(), WriteError> {
    let n = fields.len();
    let begin = out.len();
    let written = match data_order.filter(|o| o.len() == n) {
        None => write_in_order(fields, out, opts),
        Some(order) => write_in_layout(&fields.collect::<Vec<_>>(), order, out, opts),
    };
    let total = match written {
        Ok(total) => total,
        Err(e) => {
            out.truncate(begin);
            return Err(e);
        }
    };
    let mut leader = *leader;
    leader.set_record_length(total);
    leader.set_base_address(LEADER_LEN + 12 * n + 1);
    let lb = leader.as_bytes_mut();
    lb[10..12].copy_from_slice(b"22");
    lb[20..24].copy_from_slice(b"4500");
    out[begin..begin + LEADER_LEN].copy_from_slice(leader.as_bytes());
    Ok(())
}

/// Appends a placeholder leader and directory for `n` fields.
fn start_record(out: &mut Vec<u8>, n: usize) -> usize {
    let begin = out.len();
    let base = LEADER_LEN + 12 * n + 1;
    out.resize(begin + base, b'0');
    out[begin + base - 1] = FIELD_TERMINATOR;
    begin
}

/// Writes the fields after a placeholder leader, directory and data in one
/// pass (each field is read once); returns the record length.
fn write_in_order<'f>(
    fields: impl ExactSizeIterator<Item = FieldView<'f>>,
    out: &mut Vec<u8>,
    opts: WriteOptions,
) -> Result<usize, WriteError> {
    let n = fields.len();
    let begin = start_record(out, n);
    let mut start = 0usize;
    for (i, f) in fields.take(n).enumerate() {
        let len = f.raw_value().len() + 1;
        if len > MAX_FIELD_LEN && !opts.allow_oversize {
            return Err(WriteError::FieldTooLong { tag: f.tag(), len });
        }
        let at = begin + LEADER_LEN + 12 * i;
        set_entry(&mut out[at..at + 12], &f, start);
        out.extend_from_slice(f.raw_value());
        out.push(FIELD_TERMINATOR);
        start += len;
    }
    finish_record(out, begin, n, start, opts)
}

/// Writes the fields with their bytes laid out in `order`; returns the
/// record length.
fn write_in_layout(
    all: &[FieldView<'_>],
    order: &[usize],
    out: &mut Vec<u8>,
    opts: WriteOptions,
) -> Result<usize, WriteError> {
    let n = all.len();
    for f in all {
        let len = f.raw_value().len() + 1;
        if len > MAX_FIELD_LEN && !opts.allow_oversize {
            return Err(WriteError::FieldTooLong { tag: f.tag(), len });
        }
    }
    let begin = start_record(out, n);
    let mut start = 0usize;
    for &i in order {
        if let Some(f) = all.get(i) {
            let at = begin + LEADER_LEN + 12 * i;
            set_entry(&mut out[at..at + 12], f, start);
            out.extend_from_slice(f.raw_value());
            out.push(FIELD_TERMINATOR);
            start += f.raw_value().len() + 1;
        }
    }
    finish_record(out, begin, n, start, opts)
}

/// Checks the record length and appends the record terminator.
fn finish_record(
    out: &mut Vec<u8>,
    begin: usize,
    n: usize,
    data_len: usize,
    opts: WriteOptions,
) -> Result<usize, WriteError> {
    let total = LEADER_LEN + 12 * n + 1 + data_len + 1;
    debug_assert_eq!(out.len() + 1 - begin, total);
    if total > MAX_RECORD_LEN && !opts.allow_oversize {
        return Err(WriteError::RecordTooLong { len: total });
    }
    out.push(RECORD_TERMINATOR);
    Ok(total)
}

/// Fills one 12-byte directory entry.
fn set_entry(slot: &mut [u8], f: &FieldView<'_>, start: usize) {
    slot[0..3].copy_from_slice(&f.tag().to_bytes());
    set_digits(
        &mut slot[3..7],
        (f.raw_value().len() + 1).min(MAX_FIELD_LEN),
    );
    set_digits(&mut slot[7..12], start.min(MAX_RECORD_LEN));
}

/// Writes `n` as decimal digits filling `slot` (leading zeros).
fn set_digits(slot: &mut [u8], n: usize) {
    let mut n = n;
    for d in slot.iter_mut().rev() {
        *d = b'0' + (n % 10) as u8;
        n /= 10;
    }
}

/// Writes records as ISO 2709 to any [`Write`], buffering one record at a
/// time.
///
/// ```
/// use marcview::{Field, Record, Tag, Writer};
/// # fn main() -> Result<(), marcview::Error> {
/// let mut rec = Record::new();
/// rec.push_field(Field::control(Tag::new(1), "x1")?)?;
/// let mut out = Vec::new();
/// let mut w = Writer::new(&mut out);
/// w.write(&rec)?;
/// w.write(&rec)?;
/// assert_eq!(w.records_written(), 2);
/// drop(w);
/// assert_eq!(marcview::Reader::new(&out).count(), 2);
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Writer<W: Write> {
    inner: W,
    opts: WriteOptions,
    buf: Vec<u8>,
    written: u64,
}

impl<W: Write> Writer<W> {
    /// A writer refusing oversize records.
    pub fn new(inner: W) -> Writer<W> {
        Writer {
            inner,
            opts: WriteOptions::default(),
            buf: Vec::new(),
            written: 0,
        }
    }

    /// Sets the options.
    pub fn with_options(mut self, opts: WriteOptions) -> Writer<W> {
        self.opts = opts;
        self
    }

    /// Writes an owned record.
    pub fn write(&mut self, rec: &Record) -> Result<(), Error> {
        self.buf.clear();
        rec.write_iso2709_into(&mut self.buf, self.opts)?;
        self.flush_record()
    }

    /// Writes a view's leader and fields (as repaired by the reader), without
    /// building an owned record.
    pub fn write_view(&mut self, view: &RecordView<'_>) -> Result<(), Error> {
        self.buf.clear();
        write_fields(view.leader(), view.fields(), None, &mut self.buf, self.opts)?;
        self.flush_record()
    }

    fn flush_record(&mut self) -> Result<(), Error> {
        self.inner.write_all(&self.buf)?;
        self.written += 1;
        Ok(())
    }

    /// Records written so far.
    pub fn records_written(&self) -> u64 {
        self.written
    }

    /// Flushes and returns the inner writer.
    pub fn into_inner(mut self) -> Result<W, Error> {
        self.inner.flush()?;
        Ok(self.inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Field, Tag};

    #[test]
    fn refuses_oversize_unless_allowed() {
        let mut r = Record::new();
        let big = "x".repeat(9_999);
        r.push_field(Field::control(Tag::new(5), &big).unwrap())
            .unwrap();
        match r.to_iso2709() {
            Err(Error::Write(WriteError::FieldTooLong { len: 10_000, .. })) => {}
            other => panic!("{other:?}"),
        }
        let mut out = Vec::new();
        r.write_iso2709_into(
            &mut out,
            WriteOptions {
                allow_oversize: true,
            },
        )
        .unwrap();
        assert_eq!(&out[24 + 3..24 + 7], b"9999");

        let mut r = Record::new();
        for _ in 0..12 {
            r.push_field(Field::control(Tag::new(5), "y".repeat(9_000)).unwrap())
                .unwrap();
        }
        assert!(matches!(
            r.to_iso2709(),
            Err(Error::Write(WriteError::RecordTooLong { .. }))
        ));
    }

    #[test]
    fn lengths_count_bytes() {
        let mut r = Record::new();
        r.push_field(
            Field::new(Tag::new(245), *b"00")
                .with_subfield(b'a', "Ærø – 日本")
                .unwrap(),
        )
        .unwrap();
        let b = r.to_iso2709().unwrap();
        let declared: usize = std::str::from_utf8(&b[..5]).unwrap().parse().unwrap();
        assert_eq!(declared, b.len());
        let v = RecordView::parse(&b).unwrap();
        assert_eq!(
            v.field(245).unwrap().subfield_text(b'a').unwrap(),
            "Ærø – 日本"
        );
    }
}
