//! Reading mnemonic text.

use std::io::{self, BufRead};

use super::names::{MAX_NAME, by_name, hex_byte};
use crate::format::{Built, DEFAULT_MAX_RECORD_BYTES, FormatFault, Issue, RecordBuilder};
use crate::{Record, SUBFIELD_DELIMITER};

/// Warnings a reader keeps; later ones are only counted.
const MAX_WARNINGS: usize = 10_000;

/// Why a record could not be read from mnemonic text, or what was repaired
/// in it (see [`MnemonicReader::warnings`]).
///
/// ```
/// use marcview::mnemonic::{MnemonicError, MnemonicReader};
/// let text = "=LDR  00000nam\\a2200000\\i\\4500\n=245  10$aBad{1E}value\n";
/// let err = MnemonicReader::new(text.as_bytes()).next().unwrap().unwrap_err();
/// assert!(matches!(err, MnemonicError::Invalid { record: 1, line: 2, .. }));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MnemonicError {
    /// A record's content is wrong (or was repaired, as a warning).
    #[error("record {record}, line {line}: {fault}")]
    Invalid {
        /// 1-based record number.
        record: u64,
        /// 1-based line number.
        line: u64,
        /// What is wrong.
        fault: FormatFault,
    },
    /// Reading failed.
    #[error("line {line}: I/O error: {source}")]
    Io {
        /// Lines read before the failure.
        line: u64,
        /// The error.
        source: io::Error,
    },
}

/// One line as read: its number, its bytes (without the line end), and
/// whether it was cut at the record limit.
#[derive(Debug)]
struct Line {
    number: u64,
    text: Vec<u8>,
    cut: bool,
}

/// Reads records from mnemonic text (MarcEdit `.mrk`, MARCMaker), one at a
/// time, with memory bounded by the longest record.
///
/// Each record is a run of lines `=LDR  leader` and `=TAG  value`, ended by
/// an empty line (or by the next `=LDR` line, or the end of input). Line
/// ends may be LF or CRLF. In the leader, control fields and indicators `\`
/// is a blank; `$` starts a subfield (in any field but the leader; a
/// literal `$` is `{dollar}`); `{name}` is a character mnemonic
/// (`{dollar}`, `{lcub}`, `{rcub}`, `{bsol}`, `{esc}`, the MARC-8 names
/// such as `{acute}` or `{eth}`, or two hexadecimal digits `{1B}` for that
/// byte). A named mnemonic is its MARC-8 byte in a MARC-8 record and its
/// Unicode character in a UTF-8 record (leader/09 `a`); an unknown `{…}` is
/// kept as it is, as MarcEdit does.
///
/// Repairs (short leaders, bad tags, stray lines, …) are kept as
/// [`warnings`](MnemonicReader::warnings); a record that cannot be stored
/// (a delimiter byte in a value, or larger than the limit) is an `Err`, and
/// reading goes on with the next record.
///
/// ```
/// use marcview::mnemonic::MnemonicReader;
/// let text = "=LDR  00000nam\\\\2200000\\a\\4500\r\n=001  ocm\\42\r\n\
///             =245  10$aCaf{acute}e /$c{dollar}5.\r\n\r\n";
/// let recs: Vec<_> = MnemonicReader::new(text.as_bytes()).collect::<Result<_, _>>().unwrap();
/// assert_eq!(recs[0].control_number(), Some(&b"ocm 42"[..]));
/// // leader/09 is blank: MARC-8, so {acute} is the MARC-8 byte 0xE2.
/// assert_eq!(recs[0].field(245).unwrap().raw_value(), b"10\x1faCaf\xe2e /\x1fc$5.");
/// ```
#[derive(Debug)]
pub struct MnemonicReader<R> {
    inner: R,
    lines: u64,
    records: u64,
    limit: usize,
    pending: Option<Line>,
    warnings: Vec<MnemonicError>,
    warning_total: u64,
    done: bool,
    started: bool,
}

impl<R: BufRead> MnemonicReader<R> {
    /// A reader over `inner`.
    pub fn new(inner: R) -> MnemonicReader<R> {
        MnemonicReader {
            inner,
            lines: 0,
            records: 0,
            limit: DEFAULT_MAX_RECORD_BYTES,
            pending: None,
            warnings: Vec::new(),
            warning_total: 0,
            done: false,
            started: false,
        }
    }

    /// Sets the most bytes one record (and one line) may hold; larger
    /// records are errors. The default is 16 MiB.
    pub fn with_limit(mut self, bytes: usize) -> MnemonicReader<R> {
        self.limit = bytes.max(64);
        self
    }

    /// Repairs made so far (the first 10,000), each located.
    pub fn warnings(&self) -> &[MnemonicError] {
        &self.warnings
    }

    /// How many repairs were made, kept or not.
    pub fn warning_total(&self) -> u64 {
        self.warning_total
    }

    /// Takes the kept warnings out.
    pub fn take_warnings(&mut self) -> Vec<MnemonicError> {
        std::mem::take(&mut self.warnings)
    }

    /// Records started so far (good and bad).
    pub fn records_read(&self) -> u64 {
        self.records
    }

    /// Reads one line, keeping at most `limit` bytes of it. `None` at end
    /// of input.
    fn read_line(&mut self) -> io::Result<Option<Line>> {
        let mut text = Vec::new();
        let mut cut = false;
        let mut any = false;
        loop {
            let buf = match self.inner.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if buf.is_empty() {
                break;
            }
            any = true;
            let (take, found) = match memchr::memchr(b'\n', buf) {
                Some(i) => (i + 1, true),
                None => (buf.len(), false),
            };
            let room = self.limit.saturating_sub(text.len());
            let keep = take.min(room);
            text.extend_from_slice(&buf[..keep]);
            cut |= keep < take;
            self.inner.consume(take);
            if found {
                break;
            }
        }
        if !any {
            return Ok(None);
        }
        self.lines += 1;
        if !self.started {
            self.started = true;
            if text.starts_with(b"\xEF\xBB\xBF") {
                text.drain(..3);
            }
        }
        while matches!(text.last(), Some(b'\n' | b'\r')) {
            text.pop();
        }
        Ok(Some(Line {
            number: self.lines,
            text,
            cut,
        }))
    }

    fn next_line(&mut self) -> io::Result<Option<Line>> {
        match self.pending.take() {
            Some(l) => Ok(Some(l)),
            None => self.read_line(),
        }
    }

    fn keep_warnings(&mut self, record: u64, issues: Vec<Issue>) {
        for i in issues {
            self.warning_total += 1;
            if self.warnings.len() < MAX_WARNINGS {
                self.warnings.push(MnemonicError::Invalid {
                    record,
                    line: i.at,
                    fault: i.fault,
                });
            }
        }
    }

    /// Reads the next record's lines into a builder.
    fn read_record(&mut self, first: Line) -> io::Result<Built> {
        let mut b = RecordBuilder::new(self.limit);
        let mut last = first.number;
        let mut line = Some(first);
        while let Some(l) = line {
            if l.text.iter().all(|c| c.is_ascii_whitespace()) {
                break;
            }
            if is_leader_line(&l.text) && b.has_content() {
                self.pending = Some(l);
                break;
            }
            last = l.number;
            if l.cut {
                b.reject(l.number, FormatFault::TooLarge { limit: self.limit });
            }
            add_line(&mut b, l.number, &l.text);
            line = self.read_line()?;
        }
        Ok(b.finish(last))
    }
}

/// True for `=LDR` lines.
fn is_leader_line(text: &[u8]) -> bool {
    text.len() >= 4 && text[0] == b'=' && text[1..4].eq_ignore_ascii_case(b"LDR")
}

/// Adds one `=TAG  value` line to the record.
fn add_line(b: &mut RecordBuilder, at: u64, text: &[u8]) {
    let Some(rest) = text.strip_prefix(b"=") else {
        b.warn(
            at,
            FormatFault::Unexpected {
                what: "line not starting with '='".into(),
            },
        );
        return;
    };
    let tag = &rest[..rest.len().min(3)];
    let mut value = rest.get(3..).unwrap_or_default();
    for _ in 0..2 {
        if let Some(v) = value.strip_prefix(b" ") {
            value = v;
        }
    }
    let utf8 = b.leader_so_far().is_none_or(|l| l.coding_byte() == b'a');
    if tag.eq_ignore_ascii_case(b"LDR") {
        b.leader(at, &decode(value, true, utf8));
        return;
    }
    // Control fields and data fields alike: `$` starts a subfield, and
    // blanks are `\\` only before the first one.
    let mut raw = Vec::with_capacity(value.len());
    let mut parts = value.split(|&c| c == b'$');
    if let Some(head) = parts.next() {
        raw.extend_from_slice(&decode(head, true, utf8));
    }
    for part in parts {
        raw.push(SUBFIELD_DELIMITER);
        raw.extend_from_slice(&decode(part, false, utf8));
    }
    b.raw_field(at, tag, &raw);
}

/// Decodes mnemonics (and, in fixed positions, `\` blanks) in `text`.
fn decode(text: &[u8], fixed: bool, utf8: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while let Some(&c) = text.get(i) {
        match c {
            b'\\' if fixed => out.push(b' '),
            b'{' => {
                if let Some((len, bytes)) = mnemonic_at(&text[i + 1..], utf8) {
                    out.extend_from_slice(bytes.as_slice());
                    i += len + 2;
                    continue;
                }
                out.push(c);
            }
            _ => out.push(c),
        }
        i += 1;
    }
    out
}

/// Up to four bytes.
struct Small {
    bytes: [u8; 4],
    len: usize,
}

impl Small {
    fn as_slice(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

/// The mnemonic whose name starts `rest` (the bytes after `{`): the name's
/// length and the bytes it stands for.
fn mnemonic_at(rest: &[u8], utf8: bool) -> Option<(usize, Small)> {
    let limit = rest.len().min(MAX_NAME + 1);
    let end = rest[..limit].iter().position(|&b| b == b'}')?;
    let name = &rest[..end];
    if name.is_empty() || !name.iter().all(u8::is_ascii_alphanumeric) {
        return None;
    }
    if let Some(b) = hex_byte(name) {
        return Some((
            end,
            Small {
                bytes: [b, 0, 0, 0],
                len: 1,
            },
        ));
    }
    let m = by_name(name)?;
    let mut bytes = [0u8; 4];
    let len = if utf8 {
        m.unicode.encode_utf8(&mut bytes).len()
    } else {
        bytes[0] = m.marc8;
        1
    };
    Some((end, Small { bytes, len }))
}

impl<R: BufRead> Iterator for MnemonicReader<R> {
    type Item = Result<Record, MnemonicError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let first = loop {
            match self.next_line() {
                Ok(Some(l)) if l.text.iter().all(|c| c.is_ascii_whitespace()) => continue,
                Ok(Some(l)) => break l,
                Ok(None) => {
                    self.done = true;
                    return None;
                }
                Err(source) => {
                    self.done = true;
                    return Some(Err(MnemonicError::Io {
                        line: self.lines,
                        source,
                    }));
                }
            }
        };
        self.records += 1;
        let record = self.records;
        let built = match self.read_record(first) {
            Ok(b) => b,
            Err(source) => {
                self.done = true;
                return Some(Err(MnemonicError::Io {
                    line: self.lines,
                    source,
                }));
            }
        };
        self.keep_warnings(record, built.warnings);
        Some(built.result.map_err(|i| MnemonicError::Invalid {
            record,
            line: i.at,
            fault: i.fault,
        }))
    }
}

impl<R: BufRead> std::iter::FusedIterator for MnemonicReader<R> {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mnemonic::append_record;
    use crate::{Field, Leader, Tag};

    fn read_all(text: &[u8]) -> (Vec<Result<Record, MnemonicError>>, Vec<MnemonicError>) {
        let mut r = MnemonicReader::new(text);
        let recs: Vec<_> = r.by_ref().collect();
        (recs, r.take_warnings())
    }

    #[test]
    fn round_trips_awkward_bytes() {
        for coding in [b'a', b' '] {
            let mut l = Leader::default();
            l.set_coding_byte(coding);
            let mut r = Record::with_leader(l);
            r.push_field(Field::control(Tag::new(1), " a\\b $ {dollar} \r\n\x1b").unwrap())
                .unwrap();
            r.push_field(
                Field::from_raw(Tag::new(245), b"1\\x\x1f\x1fa{esc}\\ $\xe2\xff\x1fb{nope}")
                    .unwrap(),
            )
            .unwrap();
            r.push_field(Field::from_raw(Tag::new(500), b"").unwrap())
                .unwrap();
            r.push_field(Field::from_raw(Tag::parse("CAT").unwrap(), b"  \x1fa\xc3\xa9").unwrap())
                .unwrap();
            let mut text = Vec::new();
            append_record(&mut text, &r);
            append_record(&mut text, &r);
            let (recs, warnings) = read_all(&text);
            assert_eq!(recs.len(), 2, "{}", String::from_utf8_lossy(&text));
            for got in recs {
                assert_eq!(got.unwrap(), r, "{}", String::from_utf8_lossy(&text));
            }
            assert!(warnings.is_empty(), "{warnings:?}");
        }
    }

    #[test]
    fn reads_marcedit_conventions() {
        let text = "\u{feff}=LDR  00000nam\\a2200000\\i\\4500\r\n\
                    =008  960221s1955\\\\\\\\dcu\r\n\
                    =245  10$aCaf{acute}e {text} {zilch}$b{lcub}x{rcub} \\ back\r\n\
                    =LDR  00000nam\\\\2200000\\i\\4500\n\
                    =500  \\\\$a{aelig}{1B}{e2}\n";
        let (recs, warnings) = read_all(text.as_bytes());
        assert!(warnings.is_empty(), "{warnings:?}");
        let recs: Vec<Record> = recs.into_iter().map(Result::unwrap).collect();
        assert_eq!(recs.len(), 2);
        assert_eq!(recs[0].control_field(8), Some(&b"960221s1955    dcu"[..]));
        assert_eq!(
            recs[0].field(245).unwrap().raw_value(),
            "10\x1faCaf\u{301}e {text} {zilch}\x1fb{x} \\ back".as_bytes()
        );
        assert_eq!(
            recs[1].field(500).unwrap().raw_value(),
            b"  \x1fa\xb5\x1b\xe2"
        );
    }

    #[test]
    fn reports_located_problems() {
        let text = "=LDR  short\n=24  10$aTitle\nstray\n=xx1  00$ax\n\n\
                    =LDR  00000nam\\a2200000\\i\\4500\n=001  a{1D}b\n\n\
                    =001  third\n";
        let (recs, warnings) = read_all(text.as_bytes());
        assert_eq!(recs.len(), 3);
        let first = recs[0].as_ref().unwrap();
        assert_eq!(first.field(24).unwrap().raw_value(), b"10\x1faTitle");
        let lines: Vec<u64> = warnings
            .iter()
            .map(|w| match w {
                MnemonicError::Invalid { line, .. } => *line,
                MnemonicError::Io { .. } => 0,
            })
            .collect();
        assert_eq!(lines, [1, 2, 3, 4, 9]);
        match &recs[1] {
            Err(MnemonicError::Invalid {
                record: 2,
                line: 7,
                fault: FormatFault::DelimiterInValue { byte: 0x1d, .. },
            }) => {}
            other => panic!("{other:?}"),
        }
        assert_eq!(
            recs[2].as_ref().unwrap().control_number(),
            Some(&b"third"[..])
        );
    }

    use crate::format::damage::damaged;

    #[test]
    fn damaged_text_never_panics() {
        let doc = "=LDR  00000nam\\a2200000\\i\\4500\r\n=001  a{dollar}\n\
                   =245  10$aT{acute}e$b{1B}\n\n=LDR  x\n=500  \\\\$a{lcub}\n";
        damaged(doc.as_bytes(), b"={}$\\\n\r ", |d| {
            MnemonicReader::new(d).with_limit(256).take(10_000).count()
        });
    }

    #[test]
    fn long_lines_are_bounded() {
        let mut text = b"=LDR  00000nam\\a2200000\\i\\4500\n=500  \\\\$a".to_vec();
        text.extend(std::iter::repeat_n(b'x', 10_000));
        text.extend_from_slice(b"\n\n=001  next\n");
        let mut r = MnemonicReader::new(&text[..]).with_limit(1000);
        assert!(matches!(
            r.next(),
            Some(Err(MnemonicError::Invalid {
                fault: FormatFault::TooLarge { .. },
                ..
            }))
        ));
        assert_eq!(
            r.next().unwrap().unwrap().control_number(),
            Some(&b"next"[..])
        );
        assert!(r.next().is_none());
    }
}
