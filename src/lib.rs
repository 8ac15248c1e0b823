//! # marcview
//!
//! Fast, zero-copy and forgiving reading of MARC 21 records (bibliographic,
//! authority, holdings) in ISO 2709, with an owned record for editing and
//! writing.
//!
//! * [`Reader`] (over a slice), [`MappedFile`] (memory-mapped) and
//!   [`StreamReader`] (any `io::Read`) yield [`RecordView`]s that borrow the
//!   input: the leader and directory are checked, then directory entries,
//!   fields and subfields are decoded from the input lazily, without
//!   copying or allocating.
//! * Lenient mode (the default) repairs what real-world files get wrong and
//!   reports each repair as a located [`Warning`]; strict mode makes each
//!   fault an [`Error`]. Either way, a broken record never costs the records
//!   around it.
//! * [`Record`] is the owned, editable form; [`Writer`] writes ISO 2709.
//!
//! ```
//! use marcview::{Field, Reader, Record, Tag};
//! # fn main() -> Result<(), marcview::Error> {
//! // Make some input (normally: MappedFile::open("file.mrc")?.records()).
//! let mut rec = Record::new();
//! rec.push_field(Field::control(Tag::new(1), "12345")?)?;
//! rec.push_field(Field::new(Tag::new(245), *b"10").with_subfield(b'a', "Dune /")?)?;
//! let bytes = rec.to_iso2709()?;
//!
//! for view in Reader::new(&bytes) {
//!     let view = view?;
//!     let title = view.field(245).and_then(|f| f.subfield_text(b'a'));
//!     assert_eq!(title.as_deref(), Some("Dune /"));
//! }
//! # Ok(()) }
//! ```
#![forbid(unsafe_op_in_unsafe_fn)]
// `unsafe` is allowed in two places only: the memory map and the call of
// the AVX2 directory check, each with its `// SAFETY:` comment.
#![deny(unsafe_code)]
#![deny(missing_docs)]

mod boundary;
mod byte_mask;
mod clean_directory;
mod digits;
mod directory;
mod error;
mod field;
mod field_view;
mod format;
#[cfg(feature = "json")]
pub mod json;
mod leader;
mod mapped_file;
pub mod marc8;
pub mod mnemonic;
#[cfg(feature = "parallel")]
pub mod parallel;
mod parse;
mod prefetch;
mod reader;
mod record;
mod record_view;
pub mod stats;
mod stream_reader;
mod subfield;
mod tag;
mod tag_query;
#[cfg(test)]
mod test_rng;
pub mod transcode;
mod writer;
#[cfg(feature = "xml")]
pub mod xml;

pub use directory::{Entries, Entry};
pub use error::{Error, Fault, Location, Warning, WriteError};
pub use field::Field;
pub use field_view::FieldView;
pub use format::{FormatFault, RecordSource};
pub use leader::{Encoding, LEADER_LEN, Leader, RecordKind};
pub use mapped_file::MappedFile;
pub use reader::{Mode, ReadOptions, Reader, WarningLog};
pub use record::{RECORD_INLINE_FIELDS, Record};
pub use record_view::RecordView;
pub use stream_reader::{MAX_PENDING, StreamReader};
pub use subfield::{SubfieldView, Subfields};
pub use tag::Tag;
pub use tag_query::IntoTag;
pub use writer::{MAX_FIELD_LEN, MAX_RECORD_LEN, WriteOptions, Writer};

/// The record terminator byte, 0x1D.
pub const RECORD_TERMINATOR: u8 = parse::RECORD_TERMINATOR;
/// The field terminator byte, 0x1E.
pub const FIELD_TERMINATOR: u8 = parse::FIELD_TERMINATOR;
/// The subfield delimiter byte, 0x1F.
pub const SUBFIELD_DELIMITER: u8 = parse::SUBFIELD_DELIMITER;
