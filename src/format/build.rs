//! Building a [`Record`] leniently from the pieces a text format yields
//! (leader text, tags, indicators, subfield codes and values), shared by the
//! MARCXML, MARC-in-JSON and mnemonic readers.
//!
//! Policy, the same for every format:
//!
//! * a leader that is not 24 bytes is padded with blanks or cut (warning),
//!   never inside a UTF-8 character: one that would be cut is dropped whole
//!   and blanks take its place;
//!   a record without one gets [`BLANK_LEADER`] (warning);
//! * a numeric tag of one or two digits is zero-padded (`42` → `042`,
//!   warning); any other tag that is not three ASCII digits or uppercase
//!   letters costs its field (warning), and so does `LDR`, the leader's
//!   name in mnemonic text;
//! * a missing or overlong indicator reads as its first ASCII byte or a
//!   blank (warning);
//! * a subfield code that is one character of several UTF-8 bytes (as yaz
//!   and pymarc write a code byte above 0x7F) keeps its bytes: the first is
//!   the code, the others start the value, which restores the ISO 2709
//!   bytes (warning); any other code that is not one byte costs its
//!   subfield (warning);
//! * a value holding a delimiter byte (0x1D, 0x1E, 0x1F) cannot be stored in
//!   ISO 2709 form: the record is rejected with a located error, and the
//!   reader goes on with the next record;
//! * a record larger than the reader's limit is rejected the same way.

use crate::{Error, Field, Leader, Record, SUBFIELD_DELIMITER, Tag, WriteError};

/// The leader given to a record that has none: zero lengths, UTF-8
/// (leader/09 `a`), `22` and `4500`, everything else blank.
pub const BLANK_LEADER: Leader = Leader::from_bytes(*b"00000    a2200000   4500");

/// The most bytes of field data a text reader accepts in one record before
/// it rejects the record (16 MiB; ISO 2709 itself stops at 99,999).
pub const DEFAULT_MAX_RECORD_BYTES: usize = 16 << 20;

/// Warnings kept per record; later ones are dropped.
const MAX_WARNINGS_PER_RECORD: usize = 64;

/// What is wrong with a record read from a text format (MARCXML,
/// MARC-in-JSON, mnemonic). Each reader wraps it with the record number and
/// position; the text says what the reader did about it.
///
/// ```
/// use marcview::FormatFault;
/// let f = FormatFault::ShortTag { found: "42".into() };
/// assert_eq!(f.to_string(), "tag \"42\" has fewer than three digits; read as zero-padded");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FormatFault {
    /// The leader is not 24 bytes.
    #[error("leader is {len} bytes, not 24; padded with blanks or cut")]
    LeaderLength {
        /// Its length in bytes.
        len: usize,
    },
    /// The record has no leader.
    #[error("record has no leader; a blank UTF-8 leader was used")]
    MissingLeader,
    /// A second leader in one record.
    #[error("record has a second leader; it was ignored")]
    DuplicateLeader,
    /// A numeric tag of fewer than three digits.
    #[error("tag {found:?} has fewer than three digits; read as zero-padded")]
    ShortTag {
        /// The tag as found.
        found: String,
    },
    /// A tag that is not three ASCII digits or uppercase letters.
    #[error("tag {found:?} is not three ASCII digits or uppercase letters; field skipped")]
    BadTag {
        /// The tag as found (empty when missing).
        found: String,
    },
    /// A field tagged `LDR`: the name the leader goes by in mnemonic text
    /// (and in other line formats), so that a record holding such a field
    /// could not be written as mnemonic text and read back.
    #[error("tag \"LDR\" names the leader, not a field; field skipped")]
    LeaderTag,
    /// An indicator that is not a single byte.
    #[error("field {tag}: indicator {found:?} is not a single byte; read as {used:?}")]
    BadIndicator {
        /// The field's tag.
        tag: Tag,
        /// The indicator as found (empty when missing).
        found: String,
        /// The byte used instead, as a character.
        used: char,
    },
    /// A subfield code that is not a single byte.
    #[error("field {tag}: subfield code {found:?} is not a single byte; subfield skipped")]
    BadSubfieldCode {
        /// The field's tag.
        tag: Tag,
        /// The code as found (empty when missing).
        found: String,
    },
    /// A subfield code that is one character of several UTF-8 bytes, as
    /// tools that decode whole characters write codes that were one byte
    /// in ISO 2709 (followed by the rest of the character).
    #[error(
        "field {tag}: subfield code {found:?} is one character of several bytes; \
         its first byte is the code and the others start the value"
    )]
    WideSubfieldCode {
        /// The field's tag.
        tag: Tag,
        /// The code as found.
        found: String,
    },
    /// Input bytes that are not UTF-8 in a format that must be.
    #[error("{count} byte sequence(s) that are not UTF-8 read as U+FFFD")]
    InvalidUtf8 {
        /// How many sequences were replaced.
        count: u64,
    },
    /// A value holds 0x1D, 0x1E or 0x1F, which ISO 2709 uses as delimiters.
    #[error("field {tag} holds delimiter byte {byte:#04x}; record rejected")]
    DelimiterInValue {
        /// The field's tag.
        tag: Tag,
        /// The byte.
        byte: u8,
    },
    /// The record is larger than the reader accepts.
    #[error("record holds more than {limit} bytes; record rejected")]
    TooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// Something the format does not allow where it was found.
    #[error("{what}; ignored")]
    Unexpected {
        /// What was found.
        what: String,
    },
    /// An XML entity other than the five XML predefines (no DTD is read).
    #[error("entity &{name}; is not one of the five predefined XML entities; record rejected")]
    UnknownEntity {
        /// The entity name.
        name: String,
    },
    /// A character reference that names no character XML allows.
    #[error("character reference &{found}; is not a valid character; record rejected")]
    BadCharRef {
        /// The reference as found, without `&` and `;`.
        found: String,
    },
    /// Markup the reader cannot make sense of.
    #[error("malformed input: {what}; record rejected")]
    Malformed {
        /// What was found.
        what: String,
    },
    /// Input that is not a record of this format at all.
    #[error("not a record: {what}; record rejected")]
    NotARecord {
        /// What was found.
        what: String,
    },
}

/// A fault and where it was found (a byte offset or a line number,
/// depending on the format).
#[derive(Clone, Debug)]
pub(crate) struct Issue {
    pub(crate) at: u64,
    pub(crate) fault: FormatFault,
}

/// What [`RecordBuilder::finish`] hands back.
pub(crate) struct Built {
    /// The record, or the fault that rejected it.
    pub(crate) result: Result<Record, Issue>,
    /// Repairs made on the way.
    pub(crate) warnings: Vec<Issue>,
}

/// Parses a tag leniently: three digits or uppercase letters, or one or two
/// digits (zero-padded, `true`). Surrounding ASCII blanks are ignored.
pub(crate) fn parse_tag(raw: &[u8]) -> Option<(Tag, bool)> {
    let t = raw.trim_ascii();
    match *t {
        [a, b, c] => Tag::from_bytes([a, b, c]).map(|tag| (tag, false)),
        [b, c] if b.is_ascii_digit() && c.is_ascii_digit() => {
            Tag::from_bytes([b'0', b, c]).map(|tag| (tag, true))
        }
        [c] if c.is_ascii_digit() => Tag::from_bytes([b'0', b'0', c]).map(|tag| (tag, true)),
        _ => None,
    }
}

/// How many bytes of a leader's `text` go into the 24: all of them up to 24,
/// and never part of a UTF-8 character. A cut inside one (leaders are ASCII,
/// but a text format can hold anything) moves back to that character's
/// first byte, and blanks fill the rest. Cutting through it would leave an
/// invalid sequence that each later write through a UTF-8 format replaces
/// and cuts again, so the trip would never settle.
fn leader_cut(text: &[u8]) -> usize {
    let mut n = text.len().min(24);
    // At most three continuation bytes (10xxxxxx) follow a character's
    // first byte.
    for _ in 0..3 {
        match text.get(n) {
            Some(&b) if n > 0 && b & 0xC0 == 0x80 => n -= 1,
            _ => break,
        }
    }
    n
}

#[cfg_attr(not(any(feature = "xml", feature = "json")), allow(dead_code))]
fn is_delimiter(b: u8) -> bool {
    matches!(b, 0x1D..=0x1F)
}

/// Builds one record from text-format pieces, applying the module's policy.
#[derive(Debug)]
pub(crate) struct RecordBuilder {
    record: Record,
    leader: Option<Leader>,
    field: Option<Field>,
    /// The open data field's tag was bad: its subfields are dropped.
    skipping: bool,
    fatal: Option<Issue>,
    warnings: Vec<Issue>,
    size: usize,
    limit: usize,
    content: bool,
}

impl RecordBuilder {
    /// A builder rejecting records over `limit` bytes of field data.
    pub(crate) fn new(limit: usize) -> RecordBuilder {
        RecordBuilder {
            record: Record::new(),
            leader: None,
            field: None,
            skipping: false,
            fatal: None,
            warnings: Vec::new(),
            size: 0,
            limit,
            content: false,
        }
    }

    /// True once a leader or a field was seen.
    pub(crate) fn has_content(&self) -> bool {
        self.content
    }

    /// The leader seen so far.
    pub(crate) fn leader_so_far(&self) -> Option<&Leader> {
        self.leader.as_ref()
    }

    /// Records a repair.
    pub(crate) fn warn(&mut self, at: u64, fault: FormatFault) {
        if self.warnings.len() < MAX_WARNINGS_PER_RECORD {
            self.warnings.push(Issue { at, fault });
        }
    }

    /// Rejects the record (the first rejection is kept).
    pub(crate) fn reject(&mut self, at: u64, fault: FormatFault) {
        if self.fatal.is_none() {
            self.fatal = Some(Issue { at, fault });
        }
    }

    /// True once the record was rejected.
    pub(crate) fn is_rejected(&self) -> bool {
        self.fatal.is_some()
    }

    /// Counts `n` more bytes; false (and the record rejected) past the limit.
    fn grow(&mut self, at: u64, n: usize) -> bool {
        self.size = self.size.saturating_add(n);
        if self.size > self.limit {
            self.reject(at, FormatFault::TooLarge { limit: self.limit });
            return false;
        }
        true
    }

    /// Sets the leader from its text.
    pub(crate) fn leader(&mut self, at: u64, text: &[u8]) {
        self.content = true;
        if self.leader.is_some() {
            self.warn(at, FormatFault::DuplicateLeader);
            return;
        }
        let mut bytes = [b' '; 24];
        let n = leader_cut(text);
        bytes[..n].copy_from_slice(&text[..n]);
        if text.len() != 24 {
            self.warn(at, FormatFault::LeaderLength { len: text.len() });
        }
        self.leader = Some(Leader::from_bytes(bytes));
    }

    /// Parses a tag, warning or skipping as the policy says.
    fn tag(&mut self, at: u64, raw: &[u8]) -> Option<Tag> {
        match parse_tag(raw) {
            // Three uppercase letters make a tag, but `LDR` is the leader
            // in mnemonic text: a field so tagged (read from MARCXML or
            // MARC-in-JSON) was written as a second `=LDR` line, read back
            // as the leader of another record.
            Some((tag, _)) if tag.to_bytes() == *b"LDR" => {
                self.warn(at, FormatFault::LeaderTag);
                None
            }
            Some((tag, padded)) => {
                if padded {
                    self.warn(
                        at,
                        FormatFault::ShortTag {
                            found: String::from_utf8_lossy(raw).into_owned(),
                        },
                    );
                }
                Some(tag)
            }
            None => {
                self.warn(
                    at,
                    FormatFault::BadTag {
                        found: String::from_utf8_lossy(raw).into_owned(),
                    },
                );
                None
            }
        }
    }

    /// Pushes a finished field.
    fn push(&mut self, at: u64, field: Field) {
        if let Err(e) = self.record.push_field(field) {
            let fault = match e {
                Error::Write(WriteError::DelimiterInValue { tag, byte }) => {
                    FormatFault::DelimiterInValue { tag, byte }
                }
                _ => FormatFault::TooLarge { limit: self.limit },
            };
            self.reject(at, fault);
        }
    }

    /// Turns a field-building error into a rejection.
    fn fail(&mut self, at: u64, tag: Tag, e: Error) {
        let fault = match e {
            Error::Write(WriteError::DelimiterInValue { tag, byte }) => {
                FormatFault::DelimiterInValue { tag, byte }
            }
            other => FormatFault::NotARecord {
                what: format!("field {tag}: {other}"),
            },
        };
        self.reject(at, fault);
    }

    /// Adds a control field (or any field given as one plain value).
    #[cfg_attr(not(any(feature = "xml", feature = "json")), allow(dead_code))]
    pub(crate) fn control_field(&mut self, at: u64, tag: &[u8], value: &[u8]) {
        self.end_data_field(at);
        self.content = true;
        if self.is_rejected() || !self.grow(at, value.len()) {
            return;
        }
        let Some(tag) = self.tag(at, tag) else { return };
        match Field::control(tag, value) {
            Ok(f) => self.push(at, f),
            Err(e) => self.fail(at, tag, e),
        }
    }

    /// Reads one indicator leniently.
    #[cfg_attr(not(any(feature = "xml", feature = "json")), allow(dead_code))]
    fn indicator(&mut self, at: u64, tag: Tag, raw: Option<&[u8]>) -> u8 {
        match raw {
            Some(&[b]) => b,
            other => {
                let found = other.unwrap_or_default();
                let used = match found.first() {
                    Some(&b) if b.is_ascii() => b,
                    _ => b' ',
                };
                self.warn(
                    at,
                    FormatFault::BadIndicator {
                        tag,
                        found: String::from_utf8_lossy(found).into_owned(),
                        used: char::from(used),
                    },
                );
                used
            }
        }
    }

    /// Opens a data field; `None` indicators are missing.
    #[cfg_attr(not(any(feature = "xml", feature = "json")), allow(dead_code))]
    pub(crate) fn start_data_field(
        &mut self,
        at: u64,
        tag: &[u8],
        ind1: Option<&[u8]>,
        ind2: Option<&[u8]>,
    ) {
        self.end_data_field(at);
        self.content = true;
        if self.is_rejected() || !self.grow(at, 2) {
            return;
        }
        let Some(tag) = self.tag(at, tag) else {
            self.skipping = true;
            return;
        };
        let i1 = self.indicator(at, tag, ind1);
        let i2 = self.indicator(at, tag, ind2);
        if let Some(&byte) = [i1, i2].iter().find(|b| is_delimiter(**b)) {
            self.reject(at, FormatFault::DelimiterInValue { tag, byte });
            return;
        }
        self.field = Some(Field::new(tag, [i1, i2]));
    }

    /// Adds a subfield to the open data field.
    #[cfg_attr(not(any(feature = "xml", feature = "json")), allow(dead_code))]
    pub(crate) fn subfield(&mut self, at: u64, code: &[u8], value: &[u8]) {
        if self.skipping || self.is_rejected() || !self.grow(at, value.len() + 2) {
            return;
        }
        let Some(mut field) = self.field.take() else {
            self.warn(
                at,
                FormatFault::Unexpected {
                    what: "subfield outside a data field".into(),
                },
            );
            return;
        };
        let tag = field.tag();
        match *code {
            [c] if is_delimiter(c) => {
                self.reject(at, FormatFault::DelimiterInValue { tag, byte: c });
            }
            [c] => match field.push_subfield(c, value) {
                Ok(()) => {}
                Err(e) => self.fail(at, tag, e),
            },
            [c, ref rest @ ..]
                if std::str::from_utf8(code).is_ok_and(|s| s.chars().count() == 1) =>
            {
                self.warn(
                    at,
                    FormatFault::WideSubfieldCode {
                        tag,
                        found: String::from_utf8_lossy(code).into_owned(),
                    },
                );
                let joined = [rest, value].concat();
                if let Err(e) = field.push_subfield(c, joined) {
                    self.fail(at, tag, e);
                }
            }
            _ => self.warn(
                at,
                FormatFault::BadSubfieldCode {
                    tag,
                    found: String::from_utf8_lossy(code).into_owned(),
                },
            ),
        }
        self.field = Some(field);
    }

    /// Closes the open data field, if any.
    pub(crate) fn end_data_field(&mut self, at: u64) {
        self.skipping = false;
        if let Some(f) = self.field.take()
            && !self.is_rejected()
        {
            self.push(at, f);
        }
    }

    /// Adds a field from its ISO 2709 bytes (indicators, delimiters and
    /// values), as the mnemonic format spells them out (and MARC-in-JSON
    /// strings holding subfield delimiters).
    pub(crate) fn raw_field(&mut self, at: u64, tag: &[u8], raw: &[u8]) {
        self.end_data_field(at);
        self.content = true;
        if self.is_rejected() || !self.grow(at, raw.len()) {
            return;
        }
        let Some(tag) = self.tag(at, tag) else { return };
        // A control tag with subfields (DanMARC, UNIMARC exports): built as
        // a data field, then given its tag, as `Record::from_view` keeps it.
        let built = if tag.is_control() && raw.contains(&SUBFIELD_DELIMITER) {
            Field::from_raw(Tag::new(999), raw).map(|mut f| {
                f.set_tag(tag);
                f
            })
        } else {
            Field::from_raw(tag, raw)
        };
        match built {
            Ok(f) => self.push(at, f),
            Err(e) => self.fail(at, tag, e),
        }
    }

    /// Ends the record.
    pub(crate) fn finish(mut self, at: u64) -> Built {
        self.end_data_field(at);
        if let Some(issue) = self.fatal.take() {
            return Built {
                result: Err(issue),
                warnings: self.warnings,
            };
        }
        let leader = match self.leader {
            Some(l) => l,
            None => {
                self.warn(at, FormatFault::MissingLeader);
                BLANK_LEADER
            }
        };
        self.record.set_leader(leader);
        Built {
            result: Ok(self.record),
            warnings: self.warnings,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_parsed_leniently() {
        assert_eq!(parse_tag(b"245"), Some((Tag::new(245), false)));
        assert_eq!(parse_tag(b" 245 "), Some((Tag::new(245), false)));
        assert_eq!(parse_tag(b"42"), Some((Tag::new(42), true)));
        assert_eq!(parse_tag(b"1"), Some((Tag::new(1), true)));
        assert_eq!(parse_tag(b"CAT"), Tag::parse("CAT").map(|t| (t, false)));
        assert_eq!(parse_tag(b"cat"), None);
        assert_eq!(parse_tag(b""), None);
        assert_eq!(parse_tag(b"2455"), None);
        assert_eq!(parse_tag(b"4a"), None);
    }

    #[test]
    fn leaders_are_cut_between_characters() {
        let leader = |text: &[u8]| {
            let mut b = RecordBuilder::new(1000);
            b.leader(0, text);
            b.control_field(1, b"001", b"1");
            *b.finish(2).result.unwrap().leader()
        };
        // 22 ASCII bytes, then a 4-byte character across byte 24.
        let l = leader("0123456789012345678901\u{1F600}xyz".as_bytes());
        assert_eq!(l.as_bytes(), b"0123456789012345678901  ");
        // One byte of a 2-byte character, then one of a 3-byte one.
        let l = leader(
            "a\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}".as_bytes(),
        );
        assert_eq!(
            l.as_bytes(),
            "a\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9} ".as_bytes()
        );
        let l = leader("01234567890123456789012\u{FFFD}".as_bytes());
        assert_eq!(l.as_bytes(), b"01234567890123456789012 ");
        // A character ending at byte 24 is kept whole.
        let l = leader("012345678901234567890\u{FFFD}tail".as_bytes());
        assert_eq!(l.as_bytes(), "012345678901234567890\u{FFFD}".as_bytes());
        // Bytes that are not UTF-8 are cut at 24 as they are: only
        // continuation bytes after the cut move it, three at most.
        let mut text = [b'x'; 30];
        text[24..28].fill(0x80);
        let mut want = [b'x'; 24];
        want[23] = b' ';
        assert_eq!(leader(&text).as_bytes(), &want);
        let mut want = [0x80; 24];
        want[21..].fill(b' ');
        assert_eq!(leader(&[0x80; 30]).as_bytes(), &want);
    }

    #[test]
    fn builds_and_repairs() {
        let mut b = RecordBuilder::new(1000);
        assert!(!b.has_content());
        b.leader(0, b"short");
        b.control_field(1, b"1", b"id");
        b.start_data_field(2, b"245", Some(b"1"), None);
        b.subfield(3, b"a", b"Title");
        b.subfield(4, b"", b"lost");
        b.subfield(5, b"ab", b"lost too");
        b.subfield(5, "å".as_bytes(), b"kept");
        b.start_data_field(6, b"xyz", Some(b"0"), Some(b"0"));
        b.subfield(7, b"a", b"skipped with its field");
        b.end_data_field(8);
        let built = b.finish(9);
        let rec = built.result.unwrap();
        assert_eq!(&rec.leader().as_bytes()[..6], b"short ");
        assert_eq!(rec.control_number(), Some(&b"id"[..]));
        assert_eq!(rec.len(), 2);
        assert_eq!(
            rec.field(245).unwrap().raw_value(),
            b"1 \x1faTitle\x1f\xc3\xa5kept"
        );
        let faults: Vec<_> = built.warnings.iter().map(|i| i.at).collect();
        assert_eq!(faults, [0, 1, 2, 4, 5, 5, 6]);
    }

    #[test]
    fn rejects_delimiters_and_oversize() {
        let mut b = RecordBuilder::new(1000);
        b.leader(0, BLANK_LEADER.as_bytes());
        b.start_data_field(1, b"245", Some(b"1"), Some(b"0"));
        b.subfield(2, b"a", b"bad\x1evalue");
        let built = b.finish(3);
        let issue = built.result.unwrap_err();
        assert_eq!(issue.at, 2);
        assert_eq!(
            issue.fault,
            FormatFault::DelimiterInValue {
                tag: Tag::new(245),
                byte: 0x1e
            }
        );

        let mut b = RecordBuilder::new(10);
        b.control_field(0, b"001", b"0123456789ab");
        assert!(b.is_rejected());
        assert!(matches!(
            b.finish(1).result.unwrap_err().fault,
            FormatFault::TooLarge { limit: 10 }
        ));

        let mut b = RecordBuilder::new(100);
        b.raw_field(0, b"001", b"a\x1eb");
        assert!(b.is_rejected());
        let mut b = RecordBuilder::new(100);
        b.raw_field(0, b"001", b"00\x1fa1");
        assert_eq!(
            b.finish(1).result.unwrap().control_field(1),
            Some(&b"00\x1fa1"[..])
        );
    }

    #[test]
    fn missing_leader_gets_the_blank_one() {
        let built = RecordBuilder::new(10).finish(0);
        assert_eq!(built.result.unwrap().leader(), &BLANK_LEADER);
        assert_eq!(built.warnings[0].fault, FormatFault::MissingLeader);
    }
}
