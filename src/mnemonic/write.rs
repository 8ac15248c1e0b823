//! Writing records as mnemonic text.

use std::io::{self, Write};

use super::names::{MAX_NAME, by_name, hex_byte, name_of_marc8};
use crate::format::RecordSource;
use crate::{FieldView, Leader, SUBFIELD_DELIMITER};

/// Where a value is written: fixed positions (leader, control fields,
/// indicators) spell blanks as `\`; subfield values keep them.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Context {
    Fixed,
    Subfield,
}

/// True when `rest` (the bytes after a `{`) would be read back as a
/// mnemonic, so that the `{` must be written as `{lcub}`.
fn starts_mnemonic(rest: &[u8]) -> bool {
    let limit = rest.len().min(MAX_NAME + 1);
    let Some(end) = rest[..limit].iter().position(|&b| b == b'}') else {
        return false;
    };
    let name = &rest[..end];
    !name.is_empty()
        && name.iter().all(u8::is_ascii_alphanumeric)
        && (by_name(name).is_some() || hex_byte(name).is_some())
}

fn push_hex(out: &mut Vec<u8>, b: u8) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    out.extend_from_slice(&[
        b'{',
        HEX[usize::from(b >> 4)],
        HEX[usize::from(b & 15)],
        b'}',
    ]);
}

fn push_name(out: &mut Vec<u8>, name: &str) {
    out.push(b'{');
    out.extend_from_slice(name.as_bytes());
    out.push(b'}');
}

/// How bytes from 0x80 up are written.
#[derive(Clone, Copy, PartialEq, Eq)]
enum High {
    /// Valid UTF-8 as it is, the rest as `{XX}`.
    Utf8,
    /// MARC-8 mnemonic names where there are, else `{XX}`.
    Marc8,
    /// Always `{XX}` (the leader, read before its coding byte is known).
    Hex,
}

/// Appends one ASCII byte (or, outside UTF-8 text, any byte) escaped.
fn push_byte(out: &mut Vec<u8>, value: &[u8], i: usize, ctx: Context, high: High) {
    let b = value[i];
    match b {
        b'$' => push_name(out, "dollar"),
        b'{' if starts_mnemonic(&value[i + 1..]) => push_name(out, "lcub"),
        b' ' if ctx == Context::Fixed => out.push(b'\\'),
        b'\\' if ctx == Context::Fixed => push_name(out, "bsol"),
        0x1B => push_name(out, "esc"),
        0x00..=0x1F | 0x7F => push_hex(out, b),
        0x80.. if high == High::Marc8 => match name_of_marc8(b) {
            Some(name) => push_name(out, name),
            None => push_hex(out, b),
        },
        0x80.. if high == High::Hex => push_hex(out, b),
        _ => out.push(b),
    }
}

/// Appends `value` escaped for `ctx`. In UTF-8 text, valid non-ASCII
/// characters are written as they are and invalid bytes as `{XX}`; in MARC-8
/// (or any other) text every byte from 0x80 up is a named mnemonic or
/// `{XX}`, so the output is ASCII.
fn push_text(out: &mut Vec<u8>, value: &[u8], ctx: Context, high: High) {
    if high != High::Utf8 {
        for i in 0..value.len() {
            push_byte(out, value, i, ctx, high);
        }
        return;
    }
    let mut at = 0;
    for chunk in value.utf8_chunks() {
        let valid = chunk.valid().as_bytes();
        let end = at + valid.len();
        for (i, &b) in valid.iter().enumerate() {
            if b.is_ascii() {
                push_byte(out, value, at + i, ctx, high);
            } else {
                out.push(b);
            }
        }
        for &b in chunk.invalid() {
            push_hex(out, b);
        }
        at = end + chunk.invalid().len();
    }
}

/// Appends one field's line, newline included.
fn push_field(out: &mut Vec<u8>, f: &FieldView<'_>, high: High) {
    out.push(b'=');
    out.extend_from_slice(&f.tag().to_bytes());
    out.extend_from_slice(b"  ");
    // Control fields too: one with subfields (DanMARC) keeps them.
    let mut parts = f.raw_value().split(|&b| b == SUBFIELD_DELIMITER);
    if let Some(head) = parts.next() {
        push_text(out, head, Context::Fixed, high);
    }
    for chunk in parts {
        out.push(b'$');
        push_text(out, chunk, Context::Subfield, high);
    }
    out.push(b'\n');
}

/// Appends `leader` and `fields` as mnemonic lines followed by an empty
/// line.
fn push_record<'f>(
    out: &mut Vec<u8>,
    leader: &Leader,
    fields: impl Iterator<Item = FieldView<'f>>,
) {
    let high = if leader.coding_byte() == b'a' {
        High::Utf8
    } else {
        High::Marc8
    };
    out.extend_from_slice(b"=LDR  ");
    push_text(out, leader.as_bytes(), Context::Fixed, High::Hex);
    out.push(b'\n');
    for f in fields {
        push_field(out, &f, high);
    }
    out.push(b'\n');
}

/// Appends one record as mnemonic text (its lines and the empty line that
/// ends it) to `out`.
///
/// Every record survives the trip through text byte for byte:
///
/// * blanks in the leader, control fields and indicators are `\`, a
///   literal backslash there is `{bsol}`; subfield values keep both;
/// * `$` is `{dollar}` everywhere, and `{` is `{lcub}` where it would
///   otherwise read as a mnemonic;
/// * ESC is `{esc}`, other control bytes (CR and LF among them) are `{XX}`
///   in hexadecimal;
/// * in a UTF-8 record (leader/09 `a`) other characters are written as they
///   are and bytes that are not UTF-8 as `{XX}`; in a MARC-8 record every
///   byte from 0x80 up is its MARC-8 mnemonic (`{acute}`) or `{XX}`; in the
///   leader such bytes are always `{XX}`;
/// * a field is written from its stored bytes: whatever precedes the first
///   subfield delimiter (a control field's value, or two indicators), then
///   `$` and each subfield, empty ones included (so a control field with
///   subfields, as DanMARC has, keeps them).
///
/// ```
/// use marcview::{mnemonic, Field, Record, Tag};
/// # fn main() -> Result<(), marcview::Error> {
/// let mut r = Record::new();
/// r.push_field(Field::control(Tag::new(1), "ocm 1")?)?;
/// r.push_field(Field::new(Tag::new(20), *b"  ").with_subfield(b'c', "$5 {dollar}")?)?;
/// let mut out = Vec::new();
/// mnemonic::append_record(&mut out, &r);
/// assert_eq!(
///     String::from_utf8(out).unwrap(),
///     "=LDR  00000nam\\a2200000\\i\\4500\n=001  ocm\\1\n=020  \\\\$c{dollar}5 {lcub}dollar}\n\n"
/// );
/// # Ok(()) }
/// ```
pub fn append_record(out: &mut Vec<u8>, rec: &(impl RecordSource + ?Sized)) {
    push_record(out, rec.leader(), rec.fields());
}

/// Writes a record as mnemonic lines followed by an empty line, from its
/// leader and fields (see [`append_record`] for the escapes).
///
/// ```
/// use marcview::{mnemonic, Field, Record, Tag};
/// # fn main() -> Result<(), marcview::Error> {
/// let mut r = Record::new();
/// r.push_field(Field::new(Tag::new(245), *b"1 ").with_subfield(b'a', "Price $5")?)?;
/// let mut out = Vec::new();
/// mnemonic::write_record(&mut out, r.leader(), r.fields())?;
/// let text = String::from_utf8(out).unwrap();
/// assert!(text.starts_with("=LDR  00000nam\\a2200000\\i\\4500\n"));
/// assert!(text.contains("=245  1\\$aPrice {dollar}5\n"));
/// # Ok(()) }
/// ```
pub fn write_record<'f>(
    out: &mut impl Write,
    leader: &Leader,
    fields: impl Iterator<Item = FieldView<'f>>,
) -> io::Result<()> {
    let mut buf = Vec::with_capacity(1024);
    push_record(&mut buf, leader, fields);
    out.write_all(&buf)
}

/// Writes one record (an owned [`Record`](crate::Record) or a
/// [`RecordView`](crate::RecordView)) as mnemonic text.
///
/// ```
/// use marcview::{mnemonic, Field, Reader, Record, Tag};
/// # fn main() -> Result<(), marcview::Error> {
/// let mut r = Record::new();
/// r.push_field(Field::control(Tag::new(1), "id")?)?;
/// let bytes = r.to_iso2709()?;
/// let view = Reader::new(&bytes).next().unwrap()?;
/// let mut out = Vec::new();
/// mnemonic::write(&mut out, &view)?;
/// assert!(out.ends_with(b"=001  id\n\n"));
/// # Ok(()) }
/// ```
pub fn write<W: Write + ?Sized>(out: &mut W, rec: &(impl RecordSource + ?Sized)) -> io::Result<()> {
    let mut buf = Vec::with_capacity(1024);
    append_record(&mut buf, rec);
    out.write_all(&buf)
}

/// Writes every record of `records` as mnemonic text; returns how many.
///
/// ```
/// use marcview::{mnemonic, Record};
/// let mut out = Vec::new();
/// let n = mnemonic::write_records(&mut out, [Record::new(), Record::new()]).unwrap();
/// assert_eq!(n, 2);
/// assert_eq!(String::from_utf8(out).unwrap().matches("=LDR").count(), 2);
/// ```
pub fn write_records<W, I>(out: W, records: I) -> io::Result<u64>
where
    W: Write,
    I: IntoIterator,
    I::Item: RecordSource,
{
    let mut w = MnemonicWriter::new(out);
    for r in records {
        w.write(&r)?;
    }
    let n = w.records_written();
    w.finish()?;
    Ok(n)
}

/// Writes records as mnemonic text to any [`Write`], buffering output.
///
/// ```
/// use marcview::mnemonic::{MnemonicReader, MnemonicWriter};
/// use marcview::{Field, Record, Tag};
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let mut r = Record::new();
/// r.push_field(Field::new(Tag::new(245), *b"10").with_subfield(b'a', "Title")?)?;
/// let mut w = MnemonicWriter::new(Vec::new());
/// w.write(&r)?;
/// w.write(&r)?;
/// let text = w.finish()?;
/// let back: Vec<Record> = MnemonicReader::new(&text[..]).collect::<Result<_, _>>()?;
/// assert_eq!(back, [r.clone(), r]);
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct MnemonicWriter<W: Write> {
    out: W,
    buf: Vec<u8>,
    written: u64,
}

/// Bytes buffered before a write to the inner writer.
const FLUSH_AT: usize = 256 * 1024;

impl<W: Write> MnemonicWriter<W> {
    /// A writer to `out`.
    pub fn new(out: W) -> MnemonicWriter<W> {
        MnemonicWriter {
            out,
            buf: Vec::with_capacity(FLUSH_AT + 64 * 1024),
            written: 0,
        }
    }

    /// Writes one record.
    pub fn write(&mut self, rec: &(impl RecordSource + ?Sized)) -> io::Result<()> {
        append_record(&mut self.buf, rec);
        self.written += 1;
        if self.buf.len() >= FLUSH_AT {
            self.out.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }

    /// Records written so far.
    pub fn records_written(&self) -> u64 {
        self.written
    }

    /// Writes what is buffered, flushes and returns the inner writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.out.write_all(&self.buf)?;
        self.buf.clear();
        self.out.flush()?;
        Ok(self.out)
    }
}
