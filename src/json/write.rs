//! Writing MARC-in-JSON.

use std::io::{self, Write};

use super::escape::escape;
use crate::format::RecordSource;
use crate::format::utf8::code_len;

/// Appends `"` + escaped `value` + `"`.
fn push_string(out: &mut Vec<u8>, value: &[u8]) -> u64 {
    out.push(b'"');
    let n = escape(out, value);
    out.push(b'"');
    n
}

/// Appends one record as a MARC-in-JSON object (no line end) to `out`, and
/// returns how many characters were replaced by U+FFFD.
///
/// The object is the one pymarc, MARC::Record and marc4j read and write:
/// `{"leader":"…","fields":[{"001":"…"},{"245":{"ind1":"1","ind2":"0",
/// "subfields":[{"a":"…"}]}}]}`, compact, keys in that order. Control
/// characters are escaped; bytes that are not UTF-8 (undecoded MARC-8, or
/// damage) and indicator or code bytes above 0x7F become U+FFFD and are
/// counted. A subfield code byte above 0x7F that starts a UTF-8 character
/// is written as that character (as pymarc reads it;
/// [`JsonReader`](super::JsonReader) reads it back into the same bytes).
/// Empty subfield chunks and bytes between the indicators and the first
/// subfield are not written (MARC-in-JSON has no place for them).
///
/// ```
/// use marcview::{json, Field, Record, Tag};
/// # fn main() -> Result<(), marcview::Error> {
/// let mut r = Record::new();
/// r.push_field(Field::control(Tag::new(1), "id1")?)?;
/// r.push_field(Field::new(Tag::new(245), *b"1 ").with_subfield(b'a', "\"Q\"")?)?;
/// let mut out = Vec::new();
/// json::append_record(&mut out, &r);
/// assert_eq!(
///     String::from_utf8(out).unwrap(),
///     r#"{"leader":"00000nam a2200000 i 4500","fields":[{"001":"id1"},{"245":{"ind1":"1","ind2":" ","subfields":[{"a":"\"Q\""}]}}]}"#
/// );
/// # Ok(()) }
/// ```
pub fn append_record(out: &mut Vec<u8>, rec: &(impl RecordSource + ?Sized)) -> u64 {
    let mut replaced = 0;
    out.extend_from_slice(b"{\"leader\":");
    replaced += push_string(out, rec.leader().as_bytes());
    out.extend_from_slice(b",\"fields\":[");
    for (i, f) in rec.fields().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"{\"");
        out.extend_from_slice(&f.tag().to_bytes());
        out.extend_from_slice(b"\":");
        if f.is_control() {
            replaced += push_string(out, f.raw_value());
            out.push(b'}');
            continue;
        }
        let [i1, i2] = f.indicators();
        out.extend_from_slice(b"{\"ind1\":");
        replaced += push_string(out, &[i1]);
        out.extend_from_slice(b",\"ind2\":");
        replaced += push_string(out, &[i2]);
        out.extend_from_slice(b",\"subfields\":[");
        for (k, s) in f.subfields().enumerate() {
            if k > 0 {
                out.push(b',');
            }
            // A code byte above 0x7F is written with the rest of its UTF-8
            // character, as pymarc reads it.
            let mut head = [s.code, 0, 0, 0];
            let more = s.value.len().min(3);
            head[1..=more].copy_from_slice(&s.value[..more]);
            let (n, ok) = code_len(&head[..=more]);
            let value = s.value.get(n.saturating_sub(1)..).unwrap_or_default();
            out.push(b'{');
            replaced += if ok {
                push_string(out, &head[..n])
            } else {
                push_string(out, "\u{FFFD}".as_bytes()) + 1
            };
            out.push(b':');
            replaced += push_string(out, value);
            out.push(b'}');
        }
        out.extend_from_slice(b"]}}");
    }
    out.extend_from_slice(b"]}");
    replaced
}

/// Writes one record as a MARC-in-JSON object (no line end); returns how
/// many characters were replaced (see [`append_record`]).
///
/// ```
/// use marcview::{json, Field, Reader, Record, Tag};
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let mut r = Record::new();
/// r.push_field(Field::control(Tag::new(1), "id1")?)?;
/// let bytes = r.to_iso2709()?;
/// let view = Reader::new(&bytes).next().unwrap()?;
/// let mut out = Vec::new();
/// json::write_record(&mut out, &view)?;
/// let back = json::JsonReader::new(&out[..]).next().unwrap()?;
/// assert_eq!(back.to_iso2709()?, bytes);
/// # Ok(()) }
/// ```
pub fn write_record<W: Write + ?Sized>(
    out: &mut W,
    rec: &(impl RecordSource + ?Sized),
) -> io::Result<u64> {
    let mut buf = Vec::with_capacity(4096);
    let n = append_record(&mut buf, rec);
    out.write_all(&buf)?;
    Ok(n)
}

/// Writes `records` as one JSON array; returns how many were written.
///
/// ```
/// use marcview::{json, Record};
/// let mut out = Vec::new();
/// assert_eq!(json::write_records(&mut out, [Record::new(), Record::new()]).unwrap(), 2);
/// let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
/// assert_eq!(v.as_array().unwrap().len(), 2);
/// ```
pub fn write_records<W, I>(out: W, records: I) -> io::Result<u64>
where
    W: Write,
    I: IntoIterator,
    I::Item: RecordSource,
{
    write_all(JsonWriter::new(out, JsonStyle::Array), records)
}

/// Writes `records` as NDJSON (JSON Lines): one object per line; returns how
/// many were written.
///
/// ```
/// use marcview::{json, Record};
/// let mut out = Vec::new();
/// assert_eq!(json::write_ndjson(&mut out, [Record::new(), Record::new()]).unwrap(), 2);
/// assert_eq!(out.iter().filter(|&&b| b == b'\n').count(), 2);
/// ```
pub fn write_ndjson<W, I>(out: W, records: I) -> io::Result<u64>
where
    W: Write,
    I: IntoIterator,
    I::Item: RecordSource,
{
    write_all(JsonWriter::new(out, JsonStyle::Lines), records)
}

fn write_all<W, I>(mut w: JsonWriter<W>, records: I) -> io::Result<u64>
where
    W: Write,
    I: IntoIterator,
    I::Item: RecordSource,
{
    for r in records {
        w.write(&r)?;
    }
    let n = w.records_written();
    w.finish()?;
    Ok(n)
}

/// How [`JsonWriter`] lays records out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum JsonStyle {
    /// One JSON array, one record per line inside it.
    #[default]
    Array,
    /// NDJSON / JSON Lines: one record object per line, nothing around.
    Lines,
}

/// Bytes buffered before a write to the inner writer.
const FLUSH_AT: usize = 256 * 1024;

/// Writes records as MARC-in-JSON to any [`Write`], buffering output.
///
/// In [`JsonStyle::Array`] the `[` is written with the first record (or by
/// [`finish`](JsonWriter::finish) when there is none) and `]` by `finish`;
/// a writer dropped without `finish` leaves the array open.
///
/// ```
/// use marcview::json::{JsonStyle, JsonWriter, NdjsonReader};
/// use marcview::{Field, Record, Tag};
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let mut rec = Record::new();
/// rec.push_field(Field::new(Tag::new(245), *b"00").with_subfield(b'a', "Title")?)?;
/// let mut w = JsonWriter::new(Vec::new(), JsonStyle::Lines);
/// w.write(&rec)?;
/// w.write(&rec)?;
/// let text = w.finish()?;
/// let back: Vec<Record> = NdjsonReader::new(&text[..]).collect::<Result<_, _>>()?;
/// assert_eq!(back, [rec.clone(), rec]);
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct JsonWriter<W: Write> {
    out: W,
    buf: Vec<u8>,
    style: JsonStyle,
    written: u64,
    replaced: u64,
}

impl<W: Write> JsonWriter<W> {
    /// A writer to `out`; nothing is written yet.
    pub fn new(out: W, style: JsonStyle) -> JsonWriter<W> {
        JsonWriter {
            out,
            buf: Vec::with_capacity(FLUSH_AT + 64 * 1024),
            style,
            written: 0,
            replaced: 0,
        }
    }

    /// Writes one record (see [`append_record`]).
    pub fn write(&mut self, rec: &(impl RecordSource + ?Sized)) -> io::Result<()> {
        if self.style == JsonStyle::Array {
            self.buf
                .extend_from_slice(if self.written == 0 { b"[\n" } else { b",\n" });
        }
        self.replaced += append_record(&mut self.buf, rec);
        if self.style == JsonStyle::Lines {
            self.buf.push(b'\n');
        }
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

    /// Ends the array (in [`JsonStyle::Array`]), flushes, and returns the
    /// inner writer.
    pub fn finish(mut self) -> io::Result<W> {
        if self.style == JsonStyle::Array {
            self.buf
                .extend_from_slice(if self.written == 0 { b"[]\n" } else { b"\n]\n" });
        }
        self.out.write_all(&self.buf)?;
        self.buf.clear();
        self.out.flush()?;
        Ok(self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::JsonReader;
    use crate::{Field, Record, Tag};

    #[test]
    fn every_byte_gives_valid_json_and_text_round_trips() {
        let all: Vec<u8> = (0..=255u8).filter(|b| !(0x1D..=0x1F).contains(b)).collect();
        let mut rec = Record::new();
        rec.push_field(Field::control(Tag::new(1), &all).unwrap())
            .unwrap();
        for &b in &all {
            let raw = [b, b, 0x1F, b, b'x'];
            rec.push_field(Field::from_raw(Tag::new(500), raw).unwrap())
                .unwrap();
        }
        let mut out = Vec::new();
        assert!(write_record(&mut out, &rec).unwrap() > 0);
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["fields"].as_array().unwrap().len(), rec.len());

        let mut text = Record::new();
        text.push_field(Field::control(Tag::new(1), "q\"\\\u{1}\n\u{7f} é ☃").unwrap())
            .unwrap();
        text.push_field(
            Field::new(Tag::new(245), *b"1\"")
                .with_subfield(b'\\', "\u{1F600}")
                .unwrap(),
        )
        .unwrap();
        let mut w = JsonWriter::new(Vec::new(), JsonStyle::Array);
        w.write(&text).unwrap();
        assert_eq!(w.replacements(), 0);
        let doc = w.finish().unwrap();
        let back = JsonReader::new(&doc[..]).next().unwrap().unwrap();
        assert_eq!(back, text);
    }
}
