//! Inputs in the text formats (MARCXML, MARC-in-JSON, mnemonic): their
//! records are read as owned records, written to ISO 2709 in one reused
//! buffer and handed on as views, so every command works on every format.

use std::io::BufRead;

use marcview::json::{JsonError, JsonReader};
use marcview::mnemonic::{MnemonicError, MnemonicReader};
use marcview::xml::{XmlError, XmlReader};
use marcview::{Reader, Record, RecordView, WriteOptions};

/// Input formats.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum InputFormat {
    /// Decided from the first bytes: `<` MARCXML, `{` or `[` MARC-in-JSON,
    /// `=` mnemonic, anything else ISO 2709.
    #[default]
    Auto,
    /// MARC 21 in ISO 2709.
    Mrc,
    /// MARCXML (a collection or bare records, namespaced or not).
    Xml,
    /// MARC-in-JSON: one document, an array, or NDJSON.
    Json,
    /// Mnemonic text (MarcEdit .mrk).
    Mrk,
}

impl InputFormat {
    /// True for the formats read as ISO 2709 (`Auto` that sniffing left
    /// undecided included).
    pub fn is_iso2709(self) -> bool {
        matches!(self, InputFormat::Auto | InputFormat::Mrc)
    }

    /// Decides `Auto` from the first bytes of the input (`head` may be all
    /// of it: at most the first 4 KiB are looked at).
    pub fn sniff(self, head: &[u8]) -> InputFormat {
        if self != InputFormat::Auto {
            return self;
        }
        let head = &head[..head.len().min(4096)];
        let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
        match head.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'<') => InputFormat::Xml,
            Some(b'{' | b'[') => InputFormat::Json,
            Some(b'=') => InputFormat::Mrk,
            _ => InputFormat::Mrc,
        }
    }
}

/// One problem of a text input, already located by its reader.
pub enum TextProblem {
    /// Repaired: the record was read.
    Warning(String),
    /// The record could not be read.
    Error(String),
}

/// A reader of one of the text formats.
pub enum TextReader<R> {
    /// MARCXML.
    Xml(Box<XmlReader<R>>),
    /// MARC-in-JSON.
    Json(JsonReader<R>),
    /// Mnemonic.
    Mrk(MnemonicReader<R>),
}

impl<R: BufRead> TextReader<R> {
    /// A reader of `format` (not `Mrc` or `Auto`, which read as ISO 2709
    /// elsewhere; `None` for those).
    pub fn new(format: InputFormat, inner: R) -> Option<TextReader<R>> {
        match format {
            InputFormat::Xml => Some(TextReader::Xml(Box::new(XmlReader::new(inner)))),
            InputFormat::Json => Some(TextReader::Json(JsonReader::new(inner))),
            InputFormat::Mrk => Some(TextReader::Mrk(MnemonicReader::new(inner))),
            InputFormat::Auto | InputFormat::Mrc => None,
        }
    }

    /// The next record, or the message of a record that could not be read.
    pub fn next_record(&mut self) -> Option<Result<Record, TextError>> {
        match self {
            TextReader::Xml(r) => r.next().map(|x| x.map_err(TextError::from)),
            TextReader::Json(r) => r.next().map(|x| x.map_err(TextError::from)),
            TextReader::Mrk(r) => r.next().map(|x| x.map_err(TextError::from)),
        }
    }

    /// Warnings since the last call, as messages.
    pub fn take_warnings(&mut self) -> Vec<String> {
        fn all<E: ToString>(v: Vec<E>) -> Vec<String> {
            v.iter().map(ToString::to_string).collect()
        }
        match self {
            TextReader::Xml(r) => all(r.take_warnings()),
            TextReader::Json(r) => all(r.take_warnings()),
            TextReader::Mrk(r) => all(r.take_warnings()),
        }
    }

    /// Warnings in all, listed or not.
    pub fn warning_total(&self) -> u64 {
        match self {
            TextReader::Xml(r) => r.warning_total(),
            TextReader::Json(r) => r.warning_total(),
            TextReader::Mrk(r) => r.warning_total(),
        }
    }
}

/// Why a text record could not be read: a bad record (reading goes on) or
/// a failure of the input itself (reading stops).
pub struct TextError {
    /// The reader's located message.
    pub message: String,
    /// True for an I/O failure.
    pub fatal: bool,
}

macro_rules! text_error_from {
    ($t:ident) => {
        impl From<$t> for TextError {
            fn from(e: $t) -> TextError {
                let fatal = matches!(e, $t::Io { .. });
                TextError {
                    message: e.to_string(),
                    fatal,
                }
            }
        }
    };
}
text_error_from!(XmlError);
text_error_from!(JsonError);
text_error_from!(MnemonicError);

/// Turns owned records into views, through one reused ISO 2709 buffer.
#[derive(Default)]
pub struct ViewMaker {
    buf: Vec<u8>,
}

impl ViewMaker {
    /// The view of `rec` (records over the ISO 2709 limits are written with
    /// their lengths capped, which marcview's reader repairs).
    pub fn view(&mut self, rec: &Record) -> Result<RecordView<'_>, marcview::Error> {
        self.buf.clear();
        rec.write_iso2709_into(
            &mut self.buf,
            WriteOptions {
                allow_oversize: true,
            },
        )?;
        Reader::new(&self.buf).next().unwrap_or_else(|| {
            Err(marcview::Error::InvalidValue(
                "record vanished when written".into(),
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_formats() {
        let f = InputFormat::Auto;
        assert_eq!(f.sniff(b"  <?xml"), InputFormat::Xml);
        assert_eq!(f.sniff(b"\xEF\xBB\xBF<collection"), InputFormat::Xml);
        assert_eq!(f.sniff(b"\n{\"leader\""), InputFormat::Json);
        assert_eq!(f.sniff(b"[{"), InputFormat::Json);
        assert_eq!(f.sniff(b"=LDR  "), InputFormat::Mrk);
        assert_eq!(f.sniff(b"00714cam"), InputFormat::Mrc);
        assert_eq!(f.sniff(b""), InputFormat::Mrc);
        assert_eq!(InputFormat::Xml.sniff(b"0000"), InputFormat::Xml);
    }
}
