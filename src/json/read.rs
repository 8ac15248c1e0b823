//! Reading MARC-in-JSON: documents, arrays, concatenated objects and NDJSON.

use std::borrow::Cow;
use std::io::{self, BufRead, Read};

use serde_json::Value;

use crate::format::{Built, DEFAULT_MAX_RECORD_BYTES, FormatFault, Issue, RecordBuilder};
use crate::{Record, SUBFIELD_DELIMITER};

/// Warnings a reader keeps; later ones are only counted.
const MAX_WARNINGS: usize = 10_000;

/// Why a record could not be read from MARC-in-JSON, or what was repaired
/// in it (see [`JsonReader::warnings`]).
///
/// `record` is the 1-based number of the JSON value concerned; `line` is a
/// 1-based line number in the input.
///
/// ```
/// use marcview::json::{JsonError, NdjsonReader};
/// let text = "{\"leader\":\"00000nam a2200000 i 4500\",\"fields\":[]}\n{\"leader\": oops}\n";
/// let mut r = NdjsonReader::new(text.as_bytes());
/// assert!(r.next().unwrap().is_ok());
/// assert!(matches!(r.next().unwrap(), Err(JsonError::Syntax { record: 2, line: 2, .. })));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum JsonError {
    /// The input is not JSON.
    #[error("record {record}, line {line}, column {column}: not valid JSON: {message}")]
    Syntax {
        /// 1-based record number.
        record: u64,
        /// 1-based line number.
        line: u64,
        /// 1-based column, as the JSON parser counts it.
        column: u64,
        /// What the JSON parser said.
        message: String,
    },
    /// A record's content is wrong (or was repaired, as a warning).
    #[error("record {record}, line {line}: {fault}")]
    Invalid {
        /// 1-based record number.
        record: u64,
        /// Line where the record starts.
        line: u64,
        /// What is wrong.
        fault: FormatFault,
    },
    /// Reading failed.
    #[error("line {line}: I/O error: {source}")]
    Io {
        /// Line reached.
        line: u64,
        /// The error.
        source: io::Error,
    },
}

/// Tracks whether a byte stream is inside a JSON string, to escape the raw
/// control characters some writers leave in strings (pymarc reads them; a
/// strict JSON parser does not).
#[derive(Debug, Default, Clone, Copy)]
struct Strings {
    inside: bool,
    escaped: bool,
}

impl Strings {
    /// Feeds one byte; true when it is a raw control character inside a
    /// string.
    #[inline]
    fn feed(&mut self, b: u8) -> bool {
        if !self.inside {
            self.inside = b == b'"';
            return false;
        }
        if self.escaped {
            self.escaped = false;
            return false;
        }
        match b {
            b'\\' => self.escaped = true,
            b'"' => self.inside = false,
            0x00..=0x1F => return true,
            _ => {}
        }
        false
    }
}

/// `\u00XX` for a control byte.
fn unicode_escape(b: u8) -> [u8; 6] {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    [
        b'\\',
        b'u',
        b'0',
        b'0',
        HEX[usize::from(b >> 4)],
        HEX[usize::from(b & 15)],
    ]
}

/// One NDJSON line with raw control characters inside strings escaped.
fn sanitize(line: &[u8]) -> Cow<'_, [u8]> {
    if !line.iter().any(|&b| b < 0x20) {
        return Cow::Borrowed(line);
    }
    let mut st = Strings::default();
    let mut out = Vec::with_capacity(line.len() + 16);
    for &b in line {
        if st.feed(b) {
            out.extend_from_slice(&unicode_escape(b));
        } else {
            out.push(b);
        }
    }
    Cow::Owned(out)
}

/// Turns one parsed JSON value into a record.
fn to_record(v: &Value, b: &mut RecordBuilder, at: u64) {
    let Some(obj) = v.as_object() else {
        let what = format!("a JSON {}, not an object", kind(v));
        b.reject(at, FormatFault::NotARecord { what });
        return;
    };
    let leader = obj.get("leader");
    let fields = obj.get("fields");
    if leader.is_none() && fields.is_none() {
        let what = "an object with neither \"leader\" nor \"fields\"".to_string();
        b.reject(at, FormatFault::NotARecord { what });
        return;
    }
    match leader {
        Some(Value::String(s)) => b.leader(at, s.as_bytes()),
        Some(other) => b.warn(
            at,
            FormatFault::Unexpected {
                what: format!("\"leader\" is a JSON {}", kind(other)),
            },
        ),
        None => {}
    }
    let fields = match fields {
        Some(Value::Array(a)) => a.as_slice(),
        Some(other) => {
            let what = format!("\"fields\" is a JSON {}, not an array", kind(other));
            b.reject(at, FormatFault::NotARecord { what });
            return;
        }
        None => &[],
    };
    for f in fields {
        let entry = f
            .as_object()
            .filter(|o| o.len() == 1)
            .and_then(|o| o.iter().next());
        let Some((tag, body)) = entry else {
            let what = format!(
                "a field that is a JSON {}, not an object with one tag",
                kind(f)
            );
            b.warn(at, FormatFault::Unexpected { what });
            continue;
        };
        match body {
            // A string holding subfield delimiters is a field's bytes, as
            // pymarc (and `JsonWriter`) write a control field that has
            // subfields (DanMARC, or one read as `{"008":{…}}`): kept as
            // they are. Refused as a delimiter in a value, such a record
            // could not be read back from what was written from it.
            Value::String(s) if s.as_bytes().contains(&SUBFIELD_DELIMITER) => {
                b.raw_field(at, tag.as_bytes(), s.as_bytes());
            }
            Value::String(s) => b.control_field(at, tag.as_bytes(), s.as_bytes()),
            Value::Object(d) => data_field(b, at, tag, d),
            other => {
                let what = format!("field {tag:?} is a JSON {}", kind(other));
                b.warn(at, FormatFault::Unexpected { what });
            }
        }
    }
}

/// Adds a data field from `{"ind1":…,"ind2":…,"subfields":[…]}`.
fn data_field(b: &mut RecordBuilder, at: u64, tag: &str, d: &serde_json::Map<String, Value>) {
    let ind = |k: &str| d.get(k).and_then(Value::as_str).map(str::as_bytes);
    b.start_data_field(at, tag.as_bytes(), ind("ind1"), ind("ind2"));
    if d.contains_key("ind3") {
        let what = format!("field {tag:?} has \"ind3\" (MARC 21 has two indicators)");
        b.warn(at, FormatFault::Unexpected { what });
    }
    let subs = match d.get("subfields") {
        Some(Value::Array(a)) => a.as_slice(),
        Some(other) => {
            let what = format!("\"subfields\" of field {tag:?} is a JSON {}", kind(other));
            b.warn(at, FormatFault::Unexpected { what });
            &[]
        }
        None => &[],
    };
    for s in subs {
        let entry = s
            .as_object()
            .filter(|o| o.len() == 1)
            .and_then(|o| o.iter().next());
        match entry {
            Some((code, Value::String(value))) => {
                b.subfield(at, code.as_bytes(), value.as_bytes());
            }
            _ => {
                let what =
                    format!("a subfield of field {tag:?} that is not {{\"code\": \"text\"}}");
                b.warn(at, FormatFault::Unexpected { what });
            }
        }
    }
    b.end_data_field(at);
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Warnings and counters shared by both readers.
#[derive(Debug, Default)]
struct Log {
    warnings: Vec<JsonError>,
    total: u64,
}

impl Log {
    fn keep(&mut self, record: u64, issues: Vec<Issue>) {
        for i in issues {
            self.total += 1;
            if self.warnings.len() < MAX_WARNINGS {
                self.warnings.push(JsonError::Invalid {
                    record,
                    line: i.at,
                    fault: i.fault,
                });
            }
        }
    }

    /// Builds the record from `v` and keeps its warnings.
    fn build(
        &mut self,
        v: &Value,
        record: u64,
        line: u64,
        limit: usize,
    ) -> Result<Record, JsonError> {
        let mut b = RecordBuilder::new(limit);
        to_record(v, &mut b, line);
        let Built { result, warnings } = b.finish(line);
        self.keep(record, warnings);
        result.map_err(|i| JsonError::Invalid {
            record,
            line: i.at,
            fault: i.fault,
        })
    }
}

/// Reads one line of at most `limit` bytes (the rest of a longer line is
/// skipped): the line without its end, and whether it was cut. `None` at
/// end of input.
fn read_line(r: &mut impl BufRead, limit: usize) -> io::Result<Option<(Vec<u8>, bool)>> {
    let mut text = Vec::new();
    let mut cut = false;
    let mut any = false;
    loop {
        let buf = match r.fill_buf() {
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
        let keep = take.min(limit.saturating_sub(text.len()));
        text.extend_from_slice(&buf[..keep]);
        cut |= keep < take;
        r.consume(take);
        if found {
            break;
        }
    }
    if !any {
        return Ok(None);
    }
    while matches!(text.last(), Some(b'\n' | b'\r')) {
        text.pop();
    }
    Ok(Some((text, cut)))
}

/// Reads NDJSON (JSON Lines) MARC-in-JSON: one record object per line, line
/// by line, so memory is bounded by the longest line (16 MiB by default;
/// longer lines are errors).
///
/// Empty lines are skipped. A line that is not JSON, or not a record, is an
/// `Err` located by record and line, and reading goes on with the next
/// line. Raw control characters inside strings, which some writers leave,
/// are read as if escaped. See [`JsonReader`] for the record rules.
///
/// ```
/// use marcview::json::NdjsonReader;
/// let text = r#"{"leader":"00000nam a2200000 i 4500","fields":[{"001":"a"}]}
/// {"leader":"00000nam a2200000 i 4500","fields":[{"245":{"ind1":"1","ind2":"0","subfields":[{"a":"T"}]}}]}
/// "#;
/// let recs: Vec<_> = NdjsonReader::new(text.as_bytes()).collect::<Result<_, _>>().unwrap();
/// assert_eq!(recs.len(), 2);
/// assert_eq!(recs[1].field(245).unwrap().raw_value(), b"10\x1faT");
/// ```
#[derive(Debug)]
pub struct NdjsonReader<R> {
    inner: R,
    line: u64,
    records: u64,
    limit: usize,
    log: Log,
    done: bool,
}

impl<R: BufRead> NdjsonReader<R> {
    /// A reader over `inner`.
    pub fn new(inner: R) -> NdjsonReader<R> {
        NdjsonReader {
            inner,
            line: 0,
            records: 0,
            limit: DEFAULT_MAX_RECORD_BYTES,
            log: Log::default(),
            done: false,
        }
    }

    /// Sets the longest line (record) accepted, in bytes; the default is
    /// 16 MiB.
    pub fn with_limit(mut self, bytes: usize) -> NdjsonReader<R> {
        self.limit = bytes.max(64);
        self
    }

    /// Repairs made so far (the first 10,000), each located.
    pub fn warnings(&self) -> &[JsonError] {
        &self.log.warnings
    }

    /// How many repairs were made, kept or not.
    pub fn warning_total(&self) -> u64 {
        self.log.total
    }

    /// Takes the kept warnings out.
    pub fn take_warnings(&mut self) -> Vec<JsonError> {
        std::mem::take(&mut self.log.warnings)
    }

    /// Records read so far (good and bad).
    pub fn records_read(&self) -> u64 {
        self.records
    }
}

impl<R: BufRead> Iterator for NdjsonReader<R> {
    type Item = Result<Record, JsonError>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            let (text, cut) = match read_line(&mut self.inner, self.limit) {
                Ok(Some(l)) => l,
                Ok(None) => {
                    self.done = true;
                    return None;
                }
                Err(source) => {
                    self.done = true;
                    return Some(Err(JsonError::Io {
                        line: self.line,
                        source,
                    }));
                }
            };
            self.line += 1;
            let mut body = text.as_slice();
            if self.line == 1 {
                body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
            }
            if body.trim_ascii().is_empty() {
                continue;
            }
            self.records += 1;
            let (record, line) = (self.records, self.line);
            if cut {
                return Some(Err(JsonError::Invalid {
                    record,
                    line,
                    fault: FormatFault::TooLarge { limit: self.limit },
                }));
            }
            let v: Value = match serde_json::from_slice(&sanitize(body)) {
                Ok(v) => v,
                Err(e) => {
                    return Some(Err(JsonError::Syntax {
                        record,
                        line,
                        column: e.column() as u64,
                        message: e.to_string(),
                    }));
                }
            };
            return Some(self.log.build(&v, record, line, self.limit));
        }
        None
    }
}

impl<R: BufRead> std::iter::FusedIterator for NdjsonReader<R> {}

/// The input of [`JsonReader`] as the JSON parser sees it: raw control
/// characters inside strings escaped, lines counted, and at most `limit`
/// bytes per record.
#[derive(Debug)]
struct Source<R> {
    inner: R,
    /// Bytes taken from `inner` to look ahead across the end of its buffer
    /// (the start of a possible byte-order mark), handed out before the
    /// rest; `ahead[ahead_at..ahead_len]` are left.
    ahead: [u8; 3],
    ahead_at: usize,
    ahead_len: usize,
    line: u64,
    strings: Strings,
    /// An escape being handed out, and how much of it is left.
    pending: [u8; 6],
    pending_at: usize,
    used: usize,
    limit: usize,
    tripped: bool,
}

/// The UTF-8 byte-order mark.
const BOM: &[u8; 3] = b"\xEF\xBB\xBF";

impl<R: BufRead> Source<R> {
    /// The bytes available next: the looked-ahead ones, else `inner`'s
    /// buffer (empty at the end of input).
    fn buf(&mut self) -> io::Result<&[u8]> {
        if self.ahead_at < self.ahead_len {
            return Ok(&self.ahead[self.ahead_at..self.ahead_len]);
        }
        loop {
            match self.inner.fill_buf() {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
                Ok(_) => break,
            }
        }
        // Filled: this returns the same buffer (asking again is how the
        // borrow checker lets it out of the loop).
        self.inner.fill_buf()
    }

    /// Takes `n` bytes of what [`buf`](Source::buf) returned.
    fn take(&mut self, n: usize) {
        if self.ahead_at < self.ahead_len {
            self.ahead_at += n;
        } else {
            self.inner.consume(n);
        }
    }

    /// Whether a byte-order mark comes next. Decided on the next three
    /// bytes wherever `inner`'s blocks end: `inner`'s bytes are moved into
    /// `ahead` when its buffer holds fewer (a mark cut by a block end was
    /// skipped or not depending on the block size).
    fn bom_next(&mut self) -> io::Result<bool> {
        if self.ahead_at >= self.ahead_len {
            let buf = self.buf()?;
            if buf.len() >= BOM.len() {
                return Ok(buf.starts_with(BOM));
            }
            self.ahead_at = 0;
            self.ahead_len = 0;
        } else if self.ahead_at > 0 {
            self.ahead.copy_within(self.ahead_at..self.ahead_len, 0);
            self.ahead_len -= self.ahead_at;
            self.ahead_at = 0;
        }
        while self.ahead_len < BOM.len() && self.ahead[..self.ahead_len] == BOM[..self.ahead_len] {
            let buf = loop {
                match self.inner.fill_buf() {
                    Ok(b) => break b,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                }
            };
            let Some(&b) = buf.first() else {
                break;
            };
            self.inner.consume(1);
            self.ahead[self.ahead_len] = b;
            self.ahead_len += 1;
        }
        Ok(self.ahead[..self.ahead_len] == BOM[..])
    }

    /// Skips whitespace (and byte-order marks); returns the next byte
    /// without taking it.
    fn peek(&mut self) -> io::Result<Option<u8>> {
        loop {
            let Some(&b) = self.buf()?.first() else {
                return Ok(None);
            };
            match b {
                0xEF if self.bom_next()? => self.take(BOM.len()),
                b' ' | b'\t' | b'\r' => self.take(1),
                b'\n' => {
                    self.line += 1;
                    self.take(1);
                }
                _ => return Ok(Some(b)),
            }
        }
    }

    /// Takes one byte (after [`peek`](Source::peek)).
    fn skip_byte(&mut self) {
        self.take(1);
    }
}

impl<R: BufRead> Read for Source<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let mut n = 0;
        while n < out.len() {
            if self.pending_at < self.pending.len() {
                out[n] = self.pending[self.pending_at];
                self.pending_at += 1;
                n += 1;
                continue;
            }
            if n > 0 {
                break;
            }
            if self.used >= self.limit {
                self.tripped = true;
                return Err(io::Error::other("record size limit reached"));
            }
            let Some(&b) = self.buf()?.first() else {
                break;
            };
            self.take(1);
            self.used += 1;
            if b == b'\n' {
                self.line += 1;
            }
            if self.strings.feed(b) {
                self.pending = unicode_escape(b);
                self.pending_at = 0;
            } else {
                out[n] = b;
                n += 1;
            }
        }
        Ok(n)
    }
}

/// Where [`JsonReader`] is in its input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// Nothing read yet.
    Start,
    /// Inside a top-level array.
    Array,
    /// A sequence of top-level objects.
    Objects,
}

/// Reads MARC-in-JSON records from any [`BufRead`]: a single record object,
/// an array of them, or objects one after another (NDJSON among them), told
/// apart by the first byte. Values are parsed one record at a time, so
/// memory is bounded by the largest record (16 MiB by default; larger
/// records are errors that end reading).
///
/// Records are `{"leader":"…","fields":[…]}` with control fields as
/// `{"001":"…"}` and data fields as
/// `{"245":{"ind1":"1","ind2":"0","subfields":[{"a":"…"}]}}`, keys in any
/// order. Missing indicators read as blanks, short tags are zero-padded and
/// unusable fields skipped, each with a [warning](JsonReader::warnings); a
/// value with a delimiter byte, or an object that is no record at all, is an
/// `Err` and reading goes on. A field given as a string holding subfield
/// delimiters (0x1F), as pymarc writes a control field with subfields, keeps
/// them: it is read as the field's bytes. Raw control characters inside strings, which
/// some writers leave, are read as if escaped. JSON that does not parse
/// ends reading after its error (use [`NdjsonReader`] to resume at the next
/// line).
///
/// ```
/// use marcview::json::JsonReader;
/// let doc = r#"[
///   {"leader": "00000nam a2200000 i 4500",
///    "fields": [{"001": "ocm1"},
///               {"245": {"subfields": [{"a": "Title"}], "ind1": "1", "ind2": "0"}}]},
///   {"leader": "00000nam a2200000 i 4500", "fields": []}
/// ]"#;
/// let recs: Vec<_> = JsonReader::new(doc.as_bytes()).collect::<Result<_, _>>().unwrap();
/// assert_eq!(recs.len(), 2);
/// assert_eq!(recs[0].control_number(), Some(&b"ocm1"[..]));
/// assert_eq!(recs[0].field(245).unwrap().raw_value(), b"10\x1faTitle");
/// ```
#[derive(Debug)]
pub struct JsonReader<R> {
    src: Source<R>,
    layout: Layout,
    records: u64,
    log: Log,
    done: bool,
}

impl<R: BufRead> JsonReader<R> {
    /// A reader over `inner`.
    pub fn new(inner: R) -> JsonReader<R> {
        JsonReader {
            src: Source {
                inner,
                ahead: [0; 3],
                ahead_at: 0,
                ahead_len: 0,
                line: 1,
                strings: Strings::default(),
                pending: [0; 6],
                pending_at: 6,
                used: 0,
                limit: DEFAULT_MAX_RECORD_BYTES,
                tripped: false,
            },
            layout: Layout::Start,
            records: 0,
            log: Log::default(),
            done: false,
        }
    }

    /// Sets the most bytes one record may take; the default is 16 MiB.
    pub fn with_limit(mut self, bytes: usize) -> JsonReader<R> {
        self.src.limit = bytes.max(64);
        self
    }

    /// Repairs made so far (the first 10,000), each located.
    pub fn warnings(&self) -> &[JsonError] {
        &self.log.warnings
    }

    /// How many repairs were made, kept or not.
    pub fn warning_total(&self) -> u64 {
        self.log.total
    }

    /// Takes the kept warnings out.
    pub fn take_warnings(&mut self) -> Vec<JsonError> {
        std::mem::take(&mut self.log.warnings)
    }

    /// Records read so far (good and bad).
    pub fn records_read(&self) -> u64 {
        self.records
    }

    fn syntax(&mut self, message: String) -> JsonError {
        self.done = true;
        JsonError::Syntax {
            record: self.records,
            line: self.src.line,
            column: 0,
            message,
        }
    }

    fn io(&mut self, source: io::Error) -> JsonError {
        self.done = true;
        JsonError::Io {
            line: self.src.line,
            source,
        }
    }

    /// Moves to the start of the next value; false at the end.
    fn advance(&mut self) -> Result<bool, JsonError> {
        let next = self.src.peek().map_err(|e| self.io(e))?;
        match (self.layout, next) {
            (Layout::Start, None) => Ok(false),
            (Layout::Start, Some(b'[')) => {
                self.src.skip_byte();
                self.layout = Layout::Array;
                match self.src.peek().map_err(|e| self.io(e))? {
                    Some(b']') => {
                        self.src.skip_byte();
                        self.layout = Layout::Objects;
                        self.advance_after_array()
                    }
                    Some(_) => Ok(true),
                    None => Err(self.syntax("input ends inside the array".into())),
                }
            }
            (Layout::Start, Some(_)) => {
                self.layout = Layout::Objects;
                Ok(true)
            }
            (Layout::Objects, None) => Ok(false),
            (Layout::Objects, Some(_)) => Ok(true),
            (Layout::Array, Some(b',')) => {
                self.src.skip_byte();
                match self.src.peek().map_err(|e| self.io(e))? {
                    Some(_) => Ok(true),
                    None => Err(self.syntax("input ends inside the array".into())),
                }
            }
            (Layout::Array, Some(b']')) => {
                self.src.skip_byte();
                self.layout = Layout::Objects;
                self.advance_after_array()
            }
            (Layout::Array, Some(b)) => Err(self.syntax(format!(
                "expected ',' or ']' after a record, found {:?}",
                char::from(b)
            ))),
            (Layout::Array, None) => Err(self.syntax("input ends inside the array".into())),
        }
    }

    /// After a closing `]`: only whitespace may follow.
    fn advance_after_array(&mut self) -> Result<bool, JsonError> {
        match self.src.peek().map_err(|e| self.io(e))? {
            None => Ok(false),
            Some(b) => Err(self.syntax(format!("unexpected {:?} after the array", char::from(b)))),
        }
    }
}

impl<R: BufRead> Iterator for JsonReader<R> {
    type Item = Result<Record, JsonError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.advance() {
            Ok(true) => {}
            Ok(false) => {
                self.done = true;
                return None;
            }
            Err(e) => return Some(Err(e)),
        }
        self.records += 1;
        let (record, line) = (self.records, self.src.line);
        self.src.used = 0;
        self.src.strings = Strings::default();
        // An object ends at its `}`: the parser reads nothing beyond it.
        let parsed = serde_json::Deserializer::from_reader(&mut self.src)
            .into_iter::<Value>()
            .next()
            .unwrap_or(Ok(Value::Null));
        match parsed {
            Ok(v) => Some(self.log.build(&v, record, line, self.src.limit)),
            Err(e) => {
                self.done = true;
                if self.src.tripped {
                    return Some(Err(JsonError::Invalid {
                        record,
                        line,
                        fault: FormatFault::TooLarge {
                            limit: self.src.limit,
                        },
                    }));
                }
                Some(Err(JsonError::Syntax {
                    record,
                    line: line + (e.line() as u64).saturating_sub(1),
                    column: e.column() as u64,
                    message: e.to_string(),
                }))
            }
        }
    }
}

impl<R: BufRead> std::iter::FusedIterator for JsonReader<R> {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Tag;

    const L: &str = "\"leader\":\"00000nam a2200000 i 4500\"";

    fn all<I: Iterator<Item = Result<Record, JsonError>>>(it: I) -> Vec<Result<Record, JsonError>> {
        it.collect()
    }

    #[test]
    fn reads_every_layout() {
        let one = format!("{{{L},\"fields\":[{{\"001\":\"a\"}}]}}");
        for doc in [
            one.clone(),
            format!("[{one}]"),
            format!("[ {one} , {one} ]"),
            format!("{one}\n{one}\n\n"),
            format!("\u{feff}{one}{one}"),
        ] {
            let recs = all(JsonReader::new(doc.as_bytes()));
            assert!(!recs.is_empty(), "{doc}");
            for r in recs {
                assert_eq!(r.unwrap().control_number(), Some(&b"a"[..]), "{doc}");
            }
        }
        assert!(all(JsonReader::new(&b"[]"[..])).is_empty());
        assert!(all(JsonReader::new(&b"  \n"[..])).is_empty());
    }

    #[test]
    fn raw_controls_in_strings_are_read() {
        let doc = format!(
            "{{{L},\"fields\":[{{\"500\":{{\"ind1\":\" \",\"ind2\":\" \",\"subfields\":[{{\"a\":\"two\nlines\ttab\"}}]}}}}]}}"
        );
        let r = all(JsonReader::new(doc.as_bytes())).pop().unwrap().unwrap();
        assert_eq!(r.field(500).unwrap().raw_value(), b"  \x1fatwo\nlines\ttab");
        let r = all(NdjsonReader::new(doc.replace('\n', "\r").as_bytes()))
            .pop()
            .unwrap()
            .unwrap();
        assert_eq!(r.field(500).unwrap().raw_value(), b"  \x1fatwo\rlines\ttab");
    }

    #[test]
    fn repairs_rejects_and_locates() {
        let text = format!(
            "{{\"leader\":\"short\",\"fields\":[{{\"24\":{{\"subfields\":[{{\"a\":\"x\"}},{{\"bb\":\"y\"}},{{\"c\":1}}]}}}},\
             {{\"001\":\"a\",\"002\":\"b\"}},{{\"xyz\":\"bad tag\"}},7]}}\n\
             {{{L},\"fields\":[{{\"001\":\"a\\u001eb\"}}]}}\n\
             {{\"record\":[]}}\n\
             [1,2]\n\
             not json\n\
             {{{L},\"fields\":[]}}\n"
        );
        let mut r = NdjsonReader::new(text.as_bytes());
        let recs: Vec<_> = r.by_ref().collect();
        assert_eq!(recs.len(), 6);
        let first = recs[0].as_ref().unwrap();
        assert_eq!(first.field(24).unwrap().raw_value(), b"  \x1fax");
        assert_eq!(first.field(24).unwrap().tag(), Tag::new(24));
        // leader length, short tag, two indicators, code "bb", value 1,
        // two-key field, bad tag, non-object field.
        assert_eq!(r.warnings().len(), 9, "{:#?}", r.warnings());
        assert!(matches!(
            recs[1],
            Err(JsonError::Invalid {
                record: 2,
                line: 2,
                fault: FormatFault::DelimiterInValue { byte: 0x1e, .. }
            })
        ));
        assert!(matches!(
            recs[2],
            Err(JsonError::Invalid {
                fault: FormatFault::NotARecord { .. },
                ..
            })
        ));
        assert!(matches!(recs[3], Err(JsonError::Invalid { record: 4, .. })));
        assert!(matches!(
            recs[4],
            Err(JsonError::Syntax {
                record: 5,
                line: 5,
                ..
            })
        ));
        assert!(recs[5].is_ok());
    }

    #[test]
    fn syntax_errors_are_located_and_end_reading() {
        let doc = format!("[\n{{{L},\"fields\":[]}},\n{{{L},\n\"fields\":[}}\n]");
        let recs = all(JsonReader::new(doc.as_bytes()));
        assert_eq!(recs.len(), 2);
        assert!(recs[0].is_ok());
        match &recs[1] {
            Err(JsonError::Syntax {
                record: 2, line: 4, ..
            }) => {}
            other => panic!("{other:?}"),
        }
        let recs = all(JsonReader::new(&b"[{\"fields\":[]} {}]"[..]));
        assert!(matches!(recs.last(), Some(Err(JsonError::Syntax { .. }))));
    }

    use crate::format::damage::damaged;

    #[test]
    fn damaged_documents_never_panic() {
        let one = format!(
            "{{{L},\"fields\":[{{\"001\":\"a\\u0041\"}},{{\"245\":{{\"ind1\":\"1\",\"ind2\":\"0\",\"subfields\":[{{\"a\":\"T\"}}]}}}}]}}"
        );
        let doc = format!("[{one},\n{one}]\n{one}\n");
        damaged(doc.as_bytes(), b"{}[]\",:\\\n u", |d| {
            JsonReader::new(d).with_limit(1024).take(10_000).count()
                + NdjsonReader::new(d).with_limit(1024).take(10_000).count()
        });
    }

    #[test]
    fn memory_is_bounded() {
        let big = "x".repeat(10_000);
        let doc = format!("{{{L},\"fields\":[{{\"001\":\"{big}\"}}]}}\n{{{L},\"fields\":[]}}\n");
        let recs = all(JsonReader::new(doc.as_bytes()).with_limit(1000));
        assert!(matches!(
            recs[0],
            Err(JsonError::Invalid {
                fault: FormatFault::TooLarge { .. },
                ..
            })
        ));
        assert_eq!(recs.len(), 1);
        let recs = all(NdjsonReader::new(doc.as_bytes()).with_limit(1000));
        assert_eq!(recs.len(), 2);
        assert!(recs[0].is_err() && recs[1].is_ok());
    }
}
