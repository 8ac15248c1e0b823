//! Writing MARCXML.

use std::io::{self, Write};

use super::escape::{escape, escape_byte, escape_invalid, escape_to};
use crate::SUBFIELD_DELIMITER;
use crate::format::RecordSource;
use crate::format::utf8::code_len;

/// The MARCXML namespace.
pub const NAMESPACE: &str = "http://www.loc.gov/MARC21/slim";

/// What [`XmlWriter`] writes before the first record.
pub const COLLECTION_START: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<collection xmlns=\"http://www.loc.gov/MARC21/slim\">\n";

/// What [`XmlWriter::finish`] writes after the last record.
pub const COLLECTION_END: &str = "</collection>\n";

/// Appends one `<record>` element; `xmlns` adds the namespace declaration.
fn push_record(out: &mut Vec<u8>, rec: &(impl RecordSource + ?Sized), xmlns: bool) -> u64 {
    let mut replaced = 0;
    if xmlns {
        out.extend_from_slice(b"<record xmlns=\"http://www.loc.gov/MARC21/slim\">\n  <leader>");
    } else {
        out.extend_from_slice(b"<record>\n  <leader>");
    }
    replaced += escape(out, rec.leader().as_bytes());
    out.extend_from_slice(b"</leader>\n");
    for f in rec.fields() {
        let tag = f.tag().to_bytes();
        if f.is_control() {
            out.extend_from_slice(b"  <controlfield tag=\"");
            out.extend_from_slice(&tag);
            out.extend_from_slice(b"\">");
            replaced += escape(out, f.raw_value());
            out.extend_from_slice(b"</controlfield>\n");
            continue;
        }
        let [i1, i2] = f.indicators();
        out.extend_from_slice(b"  <datafield tag=\"");
        out.extend_from_slice(&tag);
        out.extend_from_slice(b"\" ind1=\"");
        replaced += escape_byte(out, i1);
        out.extend_from_slice(b"\" ind2=\"");
        replaced += escape_byte(out, i2);
        out.extend_from_slice(b"\">\n");
        // The subfields as `FieldView::subfields` reads them (empty chunks
        // skipped), split while escaping: one pass over the bytes.
        let raw = f.raw_value();
        let first = match raw.get(2) {
            Some(&SUBFIELD_DELIMITER) => Some(2),
            _ => memchr::memchr(SUBFIELD_DELIMITER, raw),
        };
        let mut rest = first.map_or(&[][..], |p| &raw[p + 1..]);
        while let Some(&code) = rest.first() {
            if code == SUBFIELD_DELIMITER {
                rest = &rest[1..];
                continue;
            }
            out.extend_from_slice(b"    <subfield code=\"");
            let (n, ok) = code_len(rest);
            replaced += match (n, ok) {
                (1, true) => escape_byte(out, code),
                (_, true) => escape(out, &rest[..n]),
                _ => escape_invalid(out),
            };
            let value = rest.get(n..).unwrap_or_default();
            out.extend_from_slice(b"\">");
            let (used, r) = escape_to(out, value, true);
            replaced += r;
            out.extend_from_slice(b"</subfield>\n");
            rest = value.get(used + 1..).unwrap_or_default();
        }
        out.extend_from_slice(b"  </datafield>\n");
    }
    out.extend_from_slice(b"</record>\n");
    replaced
}

/// Appends one record as a `<record>` element for a collection (no
/// namespace declaration: [`COLLECTION_START`] declares it) to `out`, and
/// returns how many characters were replaced.
///
/// The writer never writes invalid XML: `<`, `>`, `&`, `"` and CR are
/// written as references, and what XML 1.0 cannot hold at all (control
/// characters other than tab, LF and CR; U+FFFE and U+FFFF; bytes that are
/// not UTF-8, such as undecoded MARC-8) is written as U+FFFD and counted.
/// Values are expected in UTF-8: decode MARC-8 records with
/// [`marc8`](crate::marc8) first.
///
/// A subfield code byte above 0x7F that starts a UTF-8 character is written
/// as that character (as yaz does; [`XmlReader`](super::XmlReader) reads it
/// back into the same bytes). What MARCXML has no place for is not written:
/// bytes between the indicators and the first subfield, and empty subfield
/// chunks.
///
/// ```
/// use marcview::{xml, Field, Record, Tag};
/// # fn main() -> Result<(), marcview::Error> {
/// let mut r = Record::new();
/// r.push_field(Field::control(Tag::new(1), "id1")?)?;
/// r.push_field(Field::new(Tag::new(245), *b"10").with_subfield(b'a', "Q & A\x07")?)?;
/// let mut out = Vec::new();
/// let replaced = xml::append_record(&mut out, &r);
/// assert_eq!(replaced, 1);
/// assert_eq!(
///     String::from_utf8(out).unwrap(),
///     "<record>\n  <leader>00000nam a2200000 i 4500</leader>\n  \
///      <controlfield tag=\"001\">id1</controlfield>\n  \
///      <datafield tag=\"245\" ind1=\"1\" ind2=\"0\">\n    \
///      <subfield code=\"a\">Q &amp; A\u{FFFD}</subfield>\n  </datafield>\n</record>\n"
/// );
/// # Ok(()) }
/// ```
pub fn append_record(out: &mut Vec<u8>, rec: &(impl RecordSource + ?Sized)) -> u64 {
    push_record(out, rec, false)
}

/// Writes one record as a stand-alone `<record>` element declaring the
/// MARCXML namespace (no XML declaration), and returns how many characters
/// were replaced (see [`append_record`]).
///
/// ```
/// use marcview::{xml, Field, Reader, Record, Tag};
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let mut r = Record::new();
/// r.push_field(Field::control(Tag::new(1), "id1")?)?;
/// let bytes = r.to_iso2709()?;
/// let view = Reader::new(&bytes).next().unwrap()?;
/// let mut out = Vec::new();
/// xml::write_record(&mut out, &view)?;
/// assert!(out.starts_with(b"<record xmlns=\"http://www.loc.gov/MARC21/slim\">"));
/// let back = xml::XmlReader::new(&out[..]).next().unwrap()?;
/// assert_eq!(back.to_iso2709()?, bytes);
/// # Ok(()) }
/// ```
pub fn write_record<W: Write + ?Sized>(
    out: &mut W,
    rec: &(impl RecordSource + ?Sized),
) -> io::Result<u64> {
    let mut buf = Vec::with_capacity(4096);
    let replaced = push_record(&mut buf, rec, true);
    out.write_all(&buf)?;
    Ok(replaced)
}

/// Writes `records` as one MARCXML `<collection>` document; returns how
/// many records were written.
///
/// ```
/// use marcview::{xml, Record};
/// let mut out = Vec::new();
/// assert_eq!(xml::write_records(&mut out, [Record::new(), Record::new()]).unwrap(), 2);
/// let text = String::from_utf8(out).unwrap();
/// assert!(text.starts_with(xml::COLLECTION_START));
/// assert!(text.ends_with(xml::COLLECTION_END));
/// assert_eq!(text.matches("<record>").count(), 2);
/// ```
pub fn write_records<W, I>(out: W, records: I) -> io::Result<u64>
where
    W: Write,
    I: IntoIterator,
    I::Item: RecordSource,
{
    let mut w = XmlWriter::new(out);
    for r in records {
        w.write(&r)?;
    }
    let n = w.records_written();
    w.finish()?;
    Ok(n)
}

/// Bytes buffered before a write to the inner writer.
const FLUSH_AT: usize = 256 * 1024;

/// Writes a MARCXML `<collection>` to any [`Write`], one record at a time,
/// buffering output.
///
/// The XML declaration and `<collection>` start tag are written with the
/// first record (or by [`finish`](XmlWriter::finish) when there is none);
/// `finish` writes `</collection>`. A writer dropped without `finish` leaves
/// the document unterminated.
///
/// ```
/// use marcview::xml::{XmlReader, XmlWriter};
/// use marcview::{Field, Record, Tag};
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let mut rec = Record::new();
/// rec.push_field(Field::new(Tag::new(245), *b"00").with_subfield(b'a', "<Title>")?)?;
/// let mut w = XmlWriter::new(Vec::new());
/// w.write(&rec)?;
/// assert_eq!(w.replacements(), 0);
/// let doc = w.finish()?;
/// let back: Vec<Record> = XmlReader::new(&doc[..]).collect::<Result<_, _>>()?;
/// assert_eq!(back, [rec]);
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct XmlWriter<W: Write> {
    out: W,
    buf: Vec<u8>,
    started: bool,
    written: u64,
    replaced: u64,
}

impl<W: Write> XmlWriter<W> {
    /// A writer to `out`; nothing is written yet.
    pub fn new(out: W) -> XmlWriter<W> {
        XmlWriter {
            out,
            buf: Vec::with_capacity(FLUSH_AT + 64 * 1024),
            started: false,
            written: 0,
            replaced: 0,
        }
    }

    fn start(&mut self) {
        if !self.started {
            self.started = true;
            self.buf.extend_from_slice(COLLECTION_START.as_bytes());
        }
    }

    /// Writes one record (see [`append_record`] for what is escaped and
    /// replaced).
    pub fn write(&mut self, rec: &(impl RecordSource + ?Sized)) -> io::Result<()> {
        self.start();
        self.replaced += push_record(&mut self.buf, rec, false);
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

    /// Characters replaced by U+FFFD so far.
    pub fn replacements(&self) -> u64 {
        self.replaced
    }

    /// Ends the collection, flushes, and returns the inner writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.start();
        self.buf.extend_from_slice(COLLECTION_END.as_bytes());
        self.out.write_all(&self.buf)?;
        self.buf.clear();
        self.out.flush()?;
        Ok(self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::XmlReader;
    use crate::{Field, Record, Tag};

    /// A record holding every byte value in values, indicators and codes.
    fn awkward() -> Record {
        let mut r = Record::new();
        let all: Vec<u8> = (0..=255u8).filter(|b| !(0x1D..=0x1F).contains(b)).collect();
        r.push_field(Field::control(Tag::new(1), &all).unwrap())
            .unwrap();
        for chunk in all.chunks(7) {
            let mut raw = vec![chunk[0], chunk[chunk.len() - 1], 0x1F];
            raw.extend_from_slice(chunk);
            raw.push(0x1F);
            raw.extend_from_slice(&all[..chunk.len()]);
            r.push_field(Field::from_raw(Tag::parse("ZZ9").unwrap(), raw).unwrap())
                .unwrap();
        }
        r
    }

    #[test]
    fn never_writes_invalid_xml() {
        let rec = awkward();
        let mut w = XmlWriter::new(Vec::new());
        w.write(&rec).unwrap();
        assert!(w.replacements() > 0);
        let doc = w.finish().unwrap();
        assert!(std::str::from_utf8(&doc).is_ok());
        let mut r = XmlReader::new(&doc[..]);
        let back = r.next().unwrap().unwrap();
        assert!(r.next().is_none());
        assert_eq!(back.len(), rec.len());
        // And an independent parser accepts it too.
        let mut q = quick_xml::Reader::from_reader(&doc[..]);
        let mut buf = Vec::new();
        loop {
            match q.read_event_into(&mut buf).unwrap() {
                quick_xml::events::Event::Eof => break,
                _ => buf.clear(),
            }
        }
    }

    #[test]
    fn text_round_trips_exactly() {
        let mut rec = Record::new();
        rec.push_field(Field::control(Tag::new(5), "a < b & \"c\" > 'd'\r\n\t").unwrap())
            .unwrap();
        rec.push_field(
            Field::new(Tag::new(245), *b"\"&")
                .with_subfield(b'<', "Caf\u{e9} \u{2603} \u{1F600}")
                .unwrap()
                .with_subfield(b'\t', "tab code")
                .unwrap(),
        )
        .unwrap();
        let mut out = Vec::new();
        assert_eq!(write_record(&mut out, &rec).unwrap(), 0);
        let back = XmlReader::new(&out[..]).next().unwrap().unwrap();
        assert_eq!(back, rec);
    }
}
