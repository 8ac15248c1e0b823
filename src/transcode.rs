//! Record-level character conversion: MARC-8 records to UTF-8 (and back),
//! with leader/09 treated as a hint.

use unicode_normalization::UnicodeNormalization;

use crate::marc8::{self, Detected, Marc8Options, Marc8Warning};
use crate::parse::SUBFIELD_DELIMITER;
use crate::{Error, Fault, Field, Location, Record, RecordView, Tag, Warning};

/// Which encoding to read a record's text in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum SourceEncoding {
    /// Leader/09 as a hint, checked against the bytes: a MARC-8-flagged
    /// (blank) record whose text is valid multi-byte UTF-8 without MARC-8
    /// escapes is read as UTF-8, and a UTF-8-flagged (`a`) record whose text
    /// is not valid UTF-8 but is plausible MARC-8 is read as MARC-8.
    #[default]
    Auto,
    /// UTF-8 whatever the leader says.
    Utf8,
    /// MARC-8 whatever the leader says.
    Marc8,
}

/// The encoding a record's text is in, as decided by [`detect_encoding`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TextEncoding {
    /// UTF-8 (or plain ASCII).
    Utf8,
    /// MARC-8.
    Marc8,
}

/// Decides how to read the text of `view` under `choice`.
///
/// ```
/// use marcview::{Field, Record, RecordView, Tag};
/// use marcview::transcode::{detect_encoding, SourceEncoding, TextEncoding};
/// # fn main() -> Result<(), marcview::Error> {
/// let mut r = Record::new();
/// r.leader_mut().set_coding_byte(b' '); // says MARC-8...
/// r.push_field(Field::new(Tag::new(245), *b"00").with_subfield(b'a', "Ærø")?)?; // ...is UTF-8
/// let bytes = r.to_iso2709()?;
/// let view = RecordView::parse(&bytes)?;
/// assert_eq!(detect_encoding(&view, SourceEncoding::Auto), TextEncoding::Utf8);
/// assert_eq!(detect_encoding(&view, SourceEncoding::Marc8), TextEncoding::Marc8);
/// # Ok(()) }
/// ```
pub fn detect_encoding(view: &RecordView<'_>, choice: SourceEncoding) -> TextEncoding {
    match choice {
        SourceEncoding::Utf8 => TextEncoding::Utf8,
        SourceEncoding::Marc8 => TextEncoding::Marc8,
        SourceEncoding::Auto => {
            let flagged_utf8 = view.leader().coding_byte() == b'a';
            let data = view.raw().get(crate::LEADER_LEN..).unwrap_or_default();
            match (flagged_utf8, marc8::detect(data)) {
                (false, Detected::Utf8) => TextEncoding::Utf8,
                (true, Detected::Marc8) => TextEncoding::Marc8,
                (true, _) => TextEncoding::Utf8,
                (false, _) => TextEncoding::Marc8,
            }
        }
    }
}

/// Converts a record's text to UTF-8 and sets leader/09 to `a`.
///
/// MARC-8 values are decoded subfield by subfield (each starts in the
/// default G0 = Basic Latin, G1 = ANSEL state), with `opts` (NFC, strict,
/// `&#x` references). UTF-8 records are copied; invalid UTF-8 in them is
/// replaced by U+FFFD. Each problem becomes a located [`Warning`] in
/// `warnings` (record number, byte offset of the value in the input, 001),
/// or, with `opts.strict`, an [`Error::Malformed`].
///
/// ```
/// use marcview::{Field, Record, RecordView, Tag};
/// use marcview::marc8::Marc8Options;
/// use marcview::transcode::{to_utf8, SourceEncoding};
/// # fn main() -> Result<(), marcview::Error> {
/// let mut r = Record::new();
/// r.leader_mut().set_coding_byte(b' ');
/// r.push_field(Field::new(Tag::new(100), *b"1 ").with_subfield(b'a', b"Dvo\xE9r\xE2ak, Anton\xE2in".as_slice())?)?;
/// let bytes = r.to_iso2709()?;
/// let view = RecordView::parse(&bytes)?;
/// let mut warnings = Vec::new();
/// let utf8 = to_utf8(&view, SourceEncoding::Auto, Marc8Options::new().normalize_nfc(true), &mut warnings)?;
/// assert_eq!(utf8.leader().coding_byte(), b'a');
/// assert_eq!(utf8.field(100).unwrap().subfield_text(b'a').unwrap(), "Dvořák, Antonín");
/// assert!(warnings.is_empty());
/// # Ok(()) }
/// ```
pub fn to_utf8(
    view: &RecordView<'_>,
    choice: SourceEncoding,
    opts: Marc8Options,
    warnings: &mut Vec<Warning>,
) -> Result<Record, Error> {
    let encoding = detect_encoding(view, choice);
    let mut leader = *view.leader();
    leader.set_coding_byte(b'a');
    let mut out = Record::with_leader(leader);
    let mut problems = Vec::new();
    let mut text = String::new();
    // Only decoded MARC-8 is normalized; UTF-8 is copied as it is.
    let nfc = opts.normalize_nfc && encoding == TextEncoding::Marc8;
    for f in view.fields() {
        let mut decode =
            |value: &[u8], out: &mut String, warnings: &mut Vec<Warning>| -> Result<(), Error> {
                let at = offset_in(view, value);
                out.clear();
                match encoding {
                    TextEncoding::Utf8 => match std::str::from_utf8(value) {
                        Ok(s) => out.push_str(s),
                        Err(_) => {
                            out.push_str(&String::from_utf8_lossy(value));
                            let fault = Fault::BadCharacters {
                                tag: f.tag(),
                                detail: "invalid UTF-8 replaced by U+FFFD".into(),
                            };
                            report(view, at, fault, opts.strict, warnings)?;
                        }
                    },
                    TextEncoding::Marc8 => {
                        problems.clear();
                        marc8::decode_into(value, opts, out, &mut problems)
                            .map_err(|e| located(view, at + e.offset(), f.tag(), e.warning()))?;
                        for p in &problems {
                            let fault = marc8_fault(f.tag(), p);
                            report(view, at + p.offset, fault, false, warnings)?;
                        }
                    }
                }
                Ok(())
            };
        let field = if f.is_control() {
            // Some control fields (DanMARC, broken records) hold subfield
            // delimiters: decode between them and keep them.
            let mut value = Vec::new();
            for (i, part) in f
                .raw_value()
                .split(|&b| b == SUBFIELD_DELIMITER)
                .enumerate()
            {
                if i > 0 {
                    value.push(SUBFIELD_DELIMITER);
                }
                decode(part, &mut text, warnings)?;
                value.extend_from_slice(strip_delimiters(&text, nfc).as_bytes());
            }
            Field::from_raw(f.tag(), value)?
        } else {
            // A lenient reader's view can hold a field that runs through
            // a field terminator, and so an indicator or a subfield code
            // that is a delimiter byte, which no field can hold (the
            // subfield made lenient `to_utf8` fail, the indicator made a
            // record that is not ISO 2709): a blank indicator, no
            // subfield, and a warning (an error in strict mode).
            let at = offset_in(view, f.raw_value());
            let mut indicators = f.indicators();
            for i in &mut indicators {
                if is_delimiter(*i) {
                    let detail = format!("indicator {:#04x} is a delimiter; read as a blank", *i);
                    let fault = Fault::BadCharacters {
                        tag: f.tag(),
                        detail,
                    };
                    report(view, at, fault, opts.strict, warnings)?;
                    *i = b' ';
                }
            }
            let mut field = Field::new(f.tag(), indicators);
            for s in f.subfields() {
                if is_delimiter(s.code) {
                    let at = offset_in(view, s.value).saturating_sub(1);
                    let detail = format!(
                        "subfield code {:#04x} is a delimiter; subfield dropped",
                        s.code
                    );
                    let fault = Fault::BadCharacters {
                        tag: f.tag(),
                        detail,
                    };
                    report(view, at, fault, opts.strict, warnings)?;
                    continue;
                }
                decode(s.value, &mut text, warnings)?;
                field.push_subfield(s.code, strip_delimiters(&text, nfc).as_bytes())?;
            }
            field
        };
        out.push_field(field)?;
    }
    Ok(out)
}

/// Decoded text never holds MARC delimiters, but `&#x1F;`-style references
/// could produce them: those are dropped.
///
/// With `nfc` the text is normalized again once they are: the decoder
/// normalized it with them, and a dropped delimiter may have stood between
/// a base and a combining mark that compose once it is gone (`i`, `&#x1F;`,
/// U+0306: the decoder puts the breve on the delimiter, its base in
/// MARC-8), which left text that is not NFC although NFC was asked for.
fn strip_delimiters(s: &str, nfc: bool) -> std::borrow::Cow<'_, str> {
    if s.bytes().any(|b| matches!(b, 0x1D..=0x1F)) {
        let kept = s.chars().filter(|c| !matches!(*c, '\u{1D}'..='\u{1F}'));
        if nfc {
            kept.collect::<String>().nfc().collect::<String>().into()
        } else {
            kept.collect::<String>().into()
        }
    } else {
        s.into()
    }
}

fn is_delimiter(b: u8) -> bool {
    matches!(b, 0x1D..=0x1F)
}

/// Byte offset of `part` (a slice of the record) within the record.
fn offset_in(view: &RecordView<'_>, part: &[u8]) -> usize {
    (part.as_ptr() as usize).saturating_sub(view.raw().as_ptr() as usize)
}

fn marc8_fault(tag: Tag, w: &Marc8Warning) -> Fault {
    Fault::BadCharacters {
        tag,
        detail: format!("MARC-8 {}: {}", w.bytes.escape_ascii(), w.kind),
    }
}

fn location(view: &RecordView<'_>, at: usize) -> Location {
    Location {
        record: view.record_number(),
        record_offset: view.offset(),
        offset: view.offset() + at as u64,
        control_number: view
            .control_number()
            .map(|id| String::from_utf8_lossy(id).into_owned()),
    }
}

fn located(view: &RecordView<'_>, at: usize, tag: Tag, w: &Marc8Warning) -> Error {
    Error::Malformed {
        location: location(view, at),
        fault: marc8_fault(tag, w),
    }
}

fn report(
    view: &RecordView<'_>,
    at: usize,
    fault: Fault,
    strict: bool,
    warnings: &mut Vec<Warning>,
) -> Result<(), Error> {
    let location = location(view, at);
    if strict {
        return Err(Error::Malformed { location, fault });
    }
    warnings.push(Warning { location, fault });
    Ok(())
}

/// Converts a UTF-8 record to MARC-8 and sets leader/09 to blank.
/// Characters MARC-8 cannot encode are written as `&#xXXXX;` references,
/// the usual practice, unless `strict`, which makes them an error.
///
/// ```
/// use marcview::{Field, Record, Tag};
/// use marcview::transcode::to_marc8;
/// # fn main() -> Result<(), marcview::Error> {
/// let mut r = Record::new();
/// r.push_field(Field::new(Tag::new(245), *b"10").with_subfield(b'a', "Dvořák")?)?;
/// let m = to_marc8(&r, false)?;
/// assert_eq!(m.leader().coding_byte(), b' ');
/// assert_eq!(m.field(245).unwrap().subfield(b'a').unwrap(), b"Dvo\xE9r\xE2ak");
/// # Ok(()) }
/// ```
pub fn to_marc8(rec: &Record, strict: bool) -> Result<Record, Error> {
    let mut leader = *rec.leader();
    leader.set_coding_byte(b' ');
    let mut out = Record::with_leader(leader);
    let encode = |tag: Tag, v: &[u8]| -> Result<Vec<u8>, Error> {
        let s = String::from_utf8_lossy(v);
        if strict {
            marc8::encode(&s).map_err(|e| Error::InvalidValue(format!("field {tag}: {e}")))
        } else {
            Ok(marc8::encode_lossy(&s))
        }
    };
    for f in rec.fields() {
        let field = if f.is_control() {
            let mut value = Vec::new();
            for (i, part) in f
                .raw_value()
                .split(|&b| b == SUBFIELD_DELIMITER)
                .enumerate()
            {
                if i > 0 {
                    value.push(SUBFIELD_DELIMITER);
                }
                value.extend(encode(f.tag(), part)?);
            }
            Field::from_raw(f.tag(), value)?
        } else {
            let mut field = Field::new(f.tag(), f.indicators());
            for s in f.subfields() {
                field.push_subfield(s.code, encode(f.tag(), s.value)?)?;
            }
            field
        };
        out.push_field(field)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(coding: u8, value: &[u8]) -> Vec<u8> {
        let mut r = Record::new();
        r.leader_mut().set_coding_byte(coding);
        r.push_field(Field::control(Tag::new(1), "id-1").unwrap())
            .unwrap();
        r.push_field(
            Field::new(Tag::new(245), *b"10")
                .with_subfield(b'a', value)
                .unwrap()
                .with_subfield(b'c', "plain")
                .unwrap(),
        )
        .unwrap();
        r.to_iso2709().unwrap()
    }

    #[test]
    fn auto_detects_both_ways() {
        let utf8_flagged_marc8 = record(b'a', b"Bo\xE2et");
        let v = RecordView::parse(&utf8_flagged_marc8).unwrap();
        assert_eq!(
            detect_encoding(&v, SourceEncoding::Auto),
            TextEncoding::Marc8
        );
        let marc8_flagged_utf8 = record(b' ', "Boët".as_bytes());
        let v = RecordView::parse(&marc8_flagged_utf8).unwrap();
        assert_eq!(
            detect_encoding(&v, SourceEncoding::Auto),
            TextEncoding::Utf8
        );
        let ascii = record(b' ', b"Boet");
        let v = RecordView::parse(&ascii).unwrap();
        assert_eq!(
            detect_encoding(&v, SourceEncoding::Auto),
            TextEncoding::Marc8
        );
    }

    #[test]
    fn bad_marc8_is_located_or_strict_error() {
        let bytes = record(b' ', b"ab\x1B");
        let v = RecordView::parse(&bytes).unwrap();
        let mut warnings = Vec::new();
        let r = to_utf8(
            &v,
            SourceEncoding::Marc8,
            Marc8Options::new(),
            &mut warnings,
        )
        .unwrap();
        assert_eq!(
            r.field(245).unwrap().subfield_text(b'a').unwrap(),
            "ab\u{FFFD}"
        );
        assert_eq!(warnings.len(), 1);
        let w = &warnings[0];
        assert_eq!(w.location.record, 1);
        assert_eq!(w.location.control_number.as_deref(), Some("id-1"));
        // The offset points at the ESC byte in the input.
        assert_eq!(bytes[w.location.offset as usize], 0x1B);
        let err = to_utf8(
            &v,
            SourceEncoding::Marc8,
            Marc8Options::new().strict(true),
            &mut Vec::new(),
        )
        .unwrap_err();
        assert_eq!(err.location().unwrap().offset, w.location.offset);
    }

    #[test]
    fn utf8_marc8_round_trip() {
        let text = "Dvořák - Ελληνικά, русский";
        let mut r = Record::new();
        r.push_field(
            Field::new(Tag::new(245), *b"10")
                .with_subfield(b'a', text)
                .unwrap(),
        )
        .unwrap();
        let m = to_marc8(&r, true).unwrap();
        let bytes = m.to_iso2709().unwrap();
        let v = RecordView::parse(&bytes).unwrap();
        let back = to_utf8(
            &v,
            SourceEncoding::Auto,
            Marc8Options::new().normalize_nfc(true),
            &mut Vec::new(),
        )
        .unwrap();
        assert_eq!(back.field(245).unwrap().subfield_text(b'a').unwrap(), text);
    }
}
