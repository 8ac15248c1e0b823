//! What the text formats (MARCXML, MARC-in-JSON, mnemonic) share: the
//! [`RecordSource`] trait their writers take, the record builder their
//! readers fill, and the [`FormatFault`]s those readers report.

mod build;
#[cfg(test)]
pub(crate) mod damage;
mod source;
#[cfg(any(feature = "xml", feature = "json"))]
pub(crate) mod utf8;

pub use build::{BLANK_LEADER, DEFAULT_MAX_RECORD_BYTES, FormatFault};
pub(crate) use build::{Built, Issue, RecordBuilder};
pub use source::RecordSource;
