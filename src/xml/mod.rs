//! MARCXML (`http://www.loc.gov/MARC21/slim`): a streaming reader and a
//! fast writer.
//!
//! * [`XmlReader`] reads records one at a time from any
//!   [`BufRead`](std::io::BufRead), with bounded memory.
//! * [`XmlWriter`] writes a `<collection>`; [`write_records`],
//!   [`write_record`] (one stand-alone `<record>`) and [`append_record`]
//!   (into a buffer) are the shortcuts. They take an owned
//!   [`Record`](crate::Record) or a [`RecordView`](crate::RecordView)
//!   straight from a reader (see [`RecordSource`]).
//!
//! ```
//! use marcview::xml::{XmlReader, XmlWriter};
//! use marcview::{Field, Reader, Record, Tag};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut rec = Record::new();
//! rec.push_field(Field::control(Tag::new(1), "ocm1")?)?;
//! rec.push_field(Field::new(Tag::new(245), *b"10").with_subfield(b'a', "Tom & Jerry")?)?;
//! let iso = rec.to_iso2709()?;
//!
//! // ISO 2709 to MARCXML, straight from the views.
//! let mut w = XmlWriter::new(Vec::new());
//! for view in Reader::new(&iso) {
//!     w.write(&view?)?;
//! }
//! let doc = w.finish()?;
//!
//! // And back.
//! let back: Vec<Record> = XmlReader::new(&doc[..]).collect::<Result<_, _>>()?;
//! assert_eq!(back[0].to_iso2709()?, iso);
//! # Ok(()) }
//! ```

mod escape;
mod read;
mod write;

pub use crate::format::{FormatFault, RecordSource};
pub use read::{XmlError, XmlReader};
pub use write::{
    COLLECTION_END, COLLECTION_START, NAMESPACE, XmlWriter, append_record, write_record,
    write_records,
};
