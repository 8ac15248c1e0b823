//! Errors and warnings: every fault carries where it happened.

use std::fmt;

use crate::Tag;

/// Where a fault was found in the input.
///
/// `record` counts every record the reader delimited, good or bad, from 1.
/// Offsets are in bytes from the start of the input (the file, or the
/// stream since it was opened).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Location {
    /// 1-based record number in the input (0: before the first record).
    pub record: u64,
    /// Byte offset of the record's first byte.
    pub record_offset: u64,
    /// Byte offset of the fault itself.
    pub offset: u64,
    /// The 001 of this record, or when it could not be read, of the last
    /// record that had one.
    pub control_number: Option<String>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "record {} at byte {}", self.record, self.offset)?;
        if let Some(id) = &self.control_number {
            write!(f, " (001 {id:?})")?;
        }
        Ok(())
    }
}

/// What is wrong with a record or with the bytes between records.
///
/// Byte strings are kept as they were found (at most a few bytes).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Fault {
    /// Fewer than 24 bytes where a leader should be.
    #[error("only {available} bytes left, too short for a 24-byte leader")]
    ShortLeader {
        /// Bytes available.
        available: usize,
    },
    /// Leader/00-04 is not five ASCII digits.
    #[error("record length {found:?} is not five digits")]
    BadRecordLength {
        /// The five bytes found.
        found: String,
    },
    /// The declared record length is impossible or disagrees with the bytes.
    #[error("declared record length {declared} but {actual} bytes up to the record terminator")]
    LengthMismatch {
        /// Length in leader/00-04.
        declared: usize,
        /// Length the terminators imply.
        actual: usize,
    },
    /// The record does not end with 0x1D.
    #[error("record does not end with a record terminator (0x1D)")]
    NoRecordTerminator,
    /// Input ended inside a record.
    #[error("input ends inside the record: declared {declared} bytes, {available} available")]
    Truncated {
        /// Length in leader/00-04.
        declared: usize,
        /// Bytes left in the input.
        available: usize,
    },
    /// Leader/12-16 is not five digits or points outside the record.
    #[error("base address of data {found:?} is not valid for a record of {record_len} bytes")]
    BadBaseAddress {
        /// The five bytes found.
        found: String,
        /// The record's length.
        record_len: usize,
    },
    /// Leader/10 or leader/11 is not `2`.
    #[error("indicator count / subfield code length is {found:?}, expected \"22\"")]
    BadIndicatorCount {
        /// Leader/10-11 as found.
        found: String,
    },
    /// Leader/20-23 is not `4500`.
    #[error("entry map (leader/20-23) is {found:?}, expected \"4500\"")]
    BadEntryMap {
        /// Leader/20-23 as found.
        found: String,
    },
    /// The directory is not a whole number of 12-byte entries.
    #[error("directory is {len} bytes, not a multiple of 12")]
    DirectoryLength {
        /// Directory length in bytes.
        len: usize,
    },
    /// The byte before the base address is not a field terminator.
    #[error("directory is not terminated by 0x1E")]
    DirectoryNotTerminated,
    /// A directory entry's tag is not ASCII digits or uppercase letters.
    #[error("directory entry {entry} has invalid tag {found:?}")]
    BadTag {
        /// 0-based entry index.
        entry: usize,
        /// The three bytes found.
        found: String,
    },
    /// A directory entry's length or start is not digits.
    #[error("directory entry {entry} ({tag}) has non-digit length or start {found:?}")]
    BadDirectoryEntry {
        /// 0-based entry index.
        entry: usize,
        /// The entry's tag.
        tag: Tag,
        /// The nine length+start bytes found.
        found: String,
    },
    /// A field's bytes lie (partly) outside the data area.
    #[error(
        "field {tag} (entry {entry}) spans bytes {start}..{end} outside the data area of {data_len} bytes"
    )]
    FieldOutOfBounds {
        /// 0-based entry index.
        entry: usize,
        /// The field's tag.
        tag: Tag,
        /// Declared start relative to the base address.
        start: usize,
        /// Declared end relative to the base address.
        end: usize,
        /// Size of the data area.
        data_len: usize,
    },
    /// A field does not end with 0x1E.
    #[error("field {tag} (entry {entry}) does not end with a field terminator (0x1E)")]
    FieldNotTerminated {
        /// 0-based entry index.
        entry: usize,
        /// The field's tag.
        tag: Tag,
    },
    /// A data field does not start with two indicators and a subfield
    /// delimiter; its bytes before the first delimiter are not subfields.
    #[error(
        "data field {tag} (entry {entry}) does not start with two indicators and a subfield delimiter"
    )]
    BadFieldStart {
        /// 0-based index among the record's fields.
        entry: usize,
        /// The field's tag.
        tag: Tag,
    },
    /// Text that is not valid in the record's character encoding.
    #[error("field {tag}: {detail}")]
    BadCharacters {
        /// The field's tag.
        tag: Tag,
        /// What was wrong, with the bytes.
        detail: String,
    },
    /// Directory lengths disagree with the field terminators; the fields were
    /// re-cut at the terminators.
    #[error("directory offsets disagree with the field terminators; fields re-cut at 0x1E")]
    FieldsRecut,
    /// Fewer field terminators than directory entries.
    #[error("directory has {entries} entries but the data area holds {fields} fields")]
    FieldCountMismatch {
        /// Entries in the directory.
        entries: usize,
        /// Fields found by their terminators.
        fields: usize,
    },
    /// Bytes in the data area that no directory entry covers (they are not
    /// read as fields).
    #[error("{len} bytes of the data area belong to no field in the directory")]
    UnlistedData {
        /// How many bytes.
        len: usize,
    },
    /// Bytes between records that belong to no record.
    #[error("{len} stray bytes between records")]
    StrayBytes {
        /// How many bytes were skipped.
        len: usize,
    },
    /// Bytes at the end of the input that form no record.
    #[error("{len} trailing bytes form no record")]
    TrailingBytes {
        /// How many bytes.
        len: usize,
    },
    /// A record longer than the format allows (only in lenient reading).
    #[error("record of {len} bytes is longer than the 99999 bytes ISO 2709 allows")]
    RecordTooLong {
        /// Record length in bytes.
        len: usize,
    },
}

/// A problem the lenient reader repaired or stepped over.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{location}: {fault}")]
pub struct Warning {
    /// Where.
    pub location: Location,
    /// What.
    pub fault: Fault,
}

/// Why a record could not be written as ISO 2709.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WriteError {
    /// The record would exceed 99,999 bytes.
    #[error("record would be {len} bytes, more than the 99999 ISO 2709 allows")]
    RecordTooLong {
        /// Length the record would have.
        len: usize,
    },
    /// A field would exceed 9,999 bytes.
    #[error("field {tag} would be {len} bytes, more than the 9999 ISO 2709 allows")]
    FieldTooLong {
        /// The field's tag.
        tag: Tag,
        /// Length the field would have, terminator included.
        len: usize,
    },
    /// A value holds a delimiter byte (0x1D, 0x1E or 0x1F).
    #[error("field {tag} holds delimiter byte {byte:#04x} inside a value")]
    DelimiterInValue {
        /// The field's tag.
        tag: Tag,
        /// The byte.
        byte: u8,
    },
}

/// Everything that can go wrong in marcview.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A record is malformed (strict mode), or beyond repair (lenient mode).
    #[error("{location}: {fault}")]
    Malformed {
        /// Where.
        location: Location,
        /// What.
        fault: Fault,
    },
    /// Reading or writing failed.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// Writing a record failed.
    #[error(transparent)]
    Write(#[from] WriteError),
    /// A string is not a valid tag.
    #[error("invalid tag {0:?}: expected three ASCII digits or uppercase letters")]
    InvalidTag(String),
    /// A value passed to an editing method is not acceptable.
    #[error("invalid value: {0}")]
    InvalidValue(String),
    /// Reading MARCXML failed.
    #[cfg(feature = "xml")]
    #[error(transparent)]
    Xml(#[from] crate::xml::XmlError),
    /// Reading MARC-in-JSON failed.
    #[cfg(feature = "json")]
    #[error(transparent)]
    Json(#[from] crate::json::JsonError),
    /// Reading mnemonic text failed.
    #[error(transparent)]
    Mnemonic(#[from] crate::mnemonic::MnemonicError),
}

impl Error {
    /// The location of a malformed record, if this is one.
    pub fn location(&self) -> Option<&Location> {
        match self {
            Error::Malformed { location, .. } => Some(location),
            _ => None,
        }
    }

    /// The fault of a malformed record, if this is one.
    pub fn fault(&self) -> Option<&Fault> {
        match self {
            Error::Malformed { fault, .. } => Some(fault),
            _ => None,
        }
    }
}

impl From<Warning> for Error {
    fn from(w: Warning) -> Error {
        Error::Malformed {
            location: w.location,
            fault: w.fault,
        }
    }
}

/// Shows up to 12 bytes of `b` as text with escapes, for fault messages.
pub(crate) fn show(b: &[u8]) -> String {
    let b = &b[..b.len().min(12)];
    b.escape_ascii().to_string()
}
