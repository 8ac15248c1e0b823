//! Mnemonic text as MarcEdit and MARCMaker users know it (`.mrk`):
//! `=LDR  …`, `=245  10$aTitle`, records separated by empty lines.
//!
//! * [`MnemonicReader`] reads records from any [`BufRead`](std::io::BufRead)
//!   one at a time; [`MnemonicWriter`], [`write()`], [`write_records`] and
//!   [`append_record`] write them (see [`append_record`] for the escapes).
//!   Writing and reading back gives the same record, byte for byte.
//! * Blanks in the leader, control fields and indicators are written `\`,
//!   a literal `$` as `{dollar}`; other characters have `{name}` mnemonics.
//!
//! ```
//! use marcview::mnemonic::{self, MnemonicReader};
//! use marcview::{Field, Record, Tag};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut rec = Record::new();
//! rec.push_field(Field::control(Tag::new(1), "ocm 1")?)?;
//! rec.push_field(Field::new(Tag::new(245), *b"10").with_subfield(b'a', "Price: $5")?)?;
//! let mut text = Vec::new();
//! mnemonic::write(&mut text, &rec)?;
//! assert_eq!(
//!     String::from_utf8(text.clone())?,
//!     "=LDR  00000nam\\a2200000\\i\\4500\n=001  ocm\\1\n=245  10$aPrice: {dollar}5\n\n"
//! );
//! let back = MnemonicReader::new(&text[..]).next().unwrap()?;
//! assert_eq!(back, rec);
//! # Ok(()) }
//! ```

mod names;
mod read;
mod write;

pub use crate::format::{BLANK_LEADER, DEFAULT_MAX_RECORD_BYTES, FormatFault, RecordSource};
pub use read::{MnemonicError, MnemonicReader};
pub use write::{MnemonicWriter, append_record, write, write_record, write_records};
