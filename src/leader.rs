//! [`Leader`]: the 24-byte record label, and [`RecordKind`].

use std::fmt;

/// Length of a leader in bytes.
pub const LEADER_LEN: usize = 24;

/// The kind of record, from leader/06.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum RecordKind {
    /// Bibliographic (`a c d e f g i j k m o p r t`).
    Bibliographic,
    /// Authority (`z`).
    Authority,
    /// Holdings (`u v x y`).
    Holdings,
    /// Classification (`w`).
    Classification,
    /// Community information (`q`).
    Community,
    /// Any other leader/06 value.
    Unknown,
}

impl RecordKind {
    /// Classifies a leader/06 byte.
    ///
    /// ```
    /// use marcview::RecordKind;
    /// assert_eq!(RecordKind::from_type_byte(b'a'), RecordKind::Bibliographic);
    /// assert_eq!(RecordKind::from_type_byte(b'z'), RecordKind::Authority);
    /// ```
    pub fn from_type_byte(b: u8) -> RecordKind {
        match b {
            b'a' | b'c' | b'd' | b'e' | b'f' | b'g' | b'i' | b'j' | b'k' | b'm' | b'o' | b'p'
            | b'r' | b't' => RecordKind::Bibliographic,
            b'z' => RecordKind::Authority,
            b'u' | b'v' | b'x' | b'y' => RecordKind::Holdings,
            b'w' => RecordKind::Classification,
            b'q' => RecordKind::Community,
            _ => RecordKind::Unknown,
        }
    }

    /// A lower-case English name (`"bibliographic"`, …).
    pub fn name(self) -> &'static str {
        match self {
            RecordKind::Bibliographic => "bibliographic",
            RecordKind::Authority => "authority",
            RecordKind::Holdings => "holdings",
            RecordKind::Classification => "classification",
            RecordKind::Community => "community",
            RecordKind::Unknown => "unknown",
        }
    }
}

impl fmt::Display for RecordKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Character coding scheme, from leader/09.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// Blank: MARC-8.
    Marc8,
    /// `a`: UCS/Unicode (UTF-8).
    Utf8,
    /// Anything else (the byte).
    Other(u8),
}

/// The 24-byte leader: a record view's is read in place, and it is small
/// and `Copy` to keep or edit.
///
/// Accessors read positions as they are; the numeric ones return `None` when
/// the digits are not digits. Validation is the reader's job.
///
/// ```
/// use marcview::{Leader, RecordKind, Encoding};
/// let l = Leader::from_bytes(*b"00714cam a2200205 a 4500");
/// assert_eq!(l.record_length(), Some(714));
/// assert_eq!(l.base_address(), Some(205));
/// assert_eq!(l.kind(), RecordKind::Bibliographic);
/// assert_eq!(l.bibliographic_level(), b'm');
/// assert_eq!(l.encoding(), Encoding::Utf8);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, bytemuck::Pod, bytemuck::Zeroable)]
#[repr(transparent)]
pub struct Leader([u8; LEADER_LEN]);

/// Parses an ASCII decimal number without allocating; `None` unless every
/// byte is a digit.
#[inline]
pub(crate) fn parse_digits(b: &[u8]) -> Option<usize> {
    let mut n = 0usize;
    for &c in b {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        n = n * 10 + usize::from(d);
    }
    Some(n)
}

impl Leader {
    /// Wraps 24 bytes.
    pub const fn from_bytes(bytes: [u8; LEADER_LEN]) -> Leader {
        Leader(bytes)
    }

    /// The first 24 bytes of `b`, or `None` when shorter.
    pub fn from_slice(b: &[u8]) -> Option<Leader> {
        Some(Leader(b.get(..LEADER_LEN)?.try_into().ok()?))
    }

    /// The raw bytes.
    pub fn as_bytes(&self) -> &[u8; LEADER_LEN] {
        &self.0
    }

    /// Mutable raw bytes.
    pub fn as_bytes_mut(&mut self) -> &mut [u8; LEADER_LEN] {
        &mut self.0
    }

    /// Leader/00-04, the record length.
    pub fn record_length(&self) -> Option<usize> {
        parse_digits(&self.0[0..5])
    }

    /// Leader/05, record status (`a c d n p`).
    pub fn status(&self) -> u8 {
        self.0[5]
    }

    /// Leader/06, type of record.
    pub fn record_type(&self) -> u8 {
        self.0[6]
    }

    /// The kind of record, from leader/06.
    pub fn kind(&self) -> RecordKind {
        RecordKind::from_type_byte(self.0[6])
    }

    /// Leader/07, bibliographic level.
    pub fn bibliographic_level(&self) -> u8 {
        self.0[7]
    }

    /// Leader/08, type of control.
    pub fn control_type(&self) -> u8 {
        self.0[8]
    }

    /// Leader/09 as a byte.
    pub fn coding_byte(&self) -> u8 {
        self.0[9]
    }

    /// Leader/09, character coding scheme.
    pub fn encoding(&self) -> Encoding {
        match self.0[9] {
            b' ' => Encoding::Marc8,
            b'a' => Encoding::Utf8,
            b => Encoding::Other(b),
        }
    }

    /// Leader/10, indicator count (2 in MARC 21).
    pub fn indicator_count(&self) -> Option<usize> {
        parse_digits(&self.0[10..11])
    }

    /// Leader/11, subfield code length (2 in MARC 21).
    pub fn subfield_code_length(&self) -> Option<usize> {
        parse_digits(&self.0[11..12])
    }

    /// Leader/12-16, base address of data.
    pub fn base_address(&self) -> Option<usize> {
        parse_digits(&self.0[12..17])
    }

    /// Leader/17, encoding level.
    pub fn encoding_level(&self) -> u8 {
        self.0[17]
    }

    /// Leader/18, descriptive cataloguing form.
    pub fn cataloging_form(&self) -> u8 {
        self.0[18]
    }

    /// Leader/19, multipart resource record level.
    pub fn multipart_level(&self) -> u8 {
        self.0[19]
    }

    /// Leader/20-23, the entry map (`4500` in MARC 21).
    pub fn entry_map(&self) -> [u8; 4] {
        [self.0[20], self.0[21], self.0[22], self.0[23]]
    }

    /// Sets leader/05.
    pub fn set_status(&mut self, b: u8) {
        self.0[5] = b;
    }

    /// Sets leader/06.
    pub fn set_record_type(&mut self, b: u8) {
        self.0[6] = b;
    }

    /// Sets leader/07.
    pub fn set_bibliographic_level(&mut self, b: u8) {
        self.0[7] = b;
    }

    /// Sets leader/09 (`b' '` MARC-8, `b'a'` UTF-8).
    pub fn set_coding_byte(&mut self, b: u8) {
        self.0[9] = b;
    }

    /// Sets leader/17.
    pub fn set_encoding_level(&mut self, b: u8) {
        self.0[17] = b;
    }

    /// Writes `n` as five digits at `pos` (`n` must be below 100,000).
    pub(crate) fn set_five_digits(&mut self, pos: usize, n: usize) {
        let mut n = n.min(99_999);
        for i in (pos..pos + 5).rev() {
            self.0[i] = b'0' + (n % 10) as u8;
            n /= 10;
        }
    }

    /// Sets leader/00-04 (clamped to 99999).
    pub fn set_record_length(&mut self, n: usize) {
        self.set_five_digits(0, n);
    }

    /// Sets leader/12-16 (clamped to 99999).
    pub fn set_base_address(&mut self, n: usize) {
        self.set_five_digits(12, n);
    }
}

impl Default for Leader {
    /// A new bibliographic monograph in UTF-8 with zero lengths.
    fn default() -> Leader {
        Leader(*b"00000nam a2200000 i 4500")
    }
}

impl fmt::Debug for Leader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Leader(\"{}\")", self.0.escape_ascii())
    }
}

impl fmt::Display for Leader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.escape_ascii())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits() {
        assert_eq!(parse_digits(b"00714"), Some(714));
        assert_eq!(parse_digits(b"0 714"), None);
        assert_eq!(parse_digits(b"0071a"), None);
        assert_eq!(parse_digits(b""), Some(0));
    }

    #[test]
    fn setters() {
        let mut l = Leader::default();
        l.set_record_length(1234);
        l.set_base_address(99);
        assert_eq!(&l.as_bytes()[..5], b"01234");
        assert_eq!(l.base_address(), Some(99));
        l.set_record_length(1_000_000);
        assert_eq!(l.record_length(), Some(99_999));
    }
}
