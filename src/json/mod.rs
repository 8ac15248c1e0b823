//! MARC-in-JSON, the JSON form pymarc, MARC::Record and marc4j share:
//! `{"leader":"…","fields":[{"001":"…"},{"245":{"ind1":"1","ind2":"0",
//! "subfields":[{"a":"…"}]}}]}`.
//!
//! * [`JsonReader`] reads a record, an array of records or a run of record
//!   objects; [`NdjsonReader`] reads NDJSON line by line.
//! * [`JsonWriter`] writes an array or NDJSON ([`JsonStyle`]);
//!   [`write_records`], [`write_ndjson`], [`write_record`] and
//!   [`append_record`] are the shortcuts. They take an owned
//!   [`Record`](crate::Record) or a [`RecordView`](crate::RecordView)
//!   straight from a reader (see [`RecordSource`]).
//!
//! ```
//! use marcview::json::{JsonStyle, JsonWriter, NdjsonReader};
//! use marcview::{Field, Reader, Record, Tag};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut rec = Record::new();
//! rec.push_field(Field::control(Tag::new(1), "ocm1")?)?;
//! rec.push_field(Field::new(Tag::new(245), *b"10").with_subfield(b'a', "Title")?)?;
//! let iso = rec.to_iso2709()?;
//!
//! let mut w = JsonWriter::new(Vec::new(), JsonStyle::Lines);
//! for view in Reader::new(&iso) {
//!     w.write(&view?)?;
//! }
//! let ndjson = w.finish()?;
//! let back: Vec<Record> = NdjsonReader::new(&ndjson[..]).collect::<Result<_, _>>()?;
//! assert_eq!(back[0].to_iso2709()?, iso);
//! # Ok(()) }
//! ```

mod escape;
mod read;
mod write;

pub use crate::format::{FormatFault, RecordSource};
pub use read::{JsonError, JsonReader, NdjsonReader};
pub use write::{JsonStyle, JsonWriter, append_record, write_ndjson, write_record, write_records};
