//! Mnemonic text as MarcEdit users know it (`.mrk`): `=LDR  …`,
//! `=245  10$aTitle`.
//!
//! Blanks in indicators and in the leader and control fields are written as
//! `\`, a literal `$` in data as `{dollar}`.

use std::io::{self, Write};

use crate::{FieldView, Leader};

/// Writes one field's line (without newline).
fn write_field(out: &mut impl Write, f: &FieldView<'_>) -> io::Result<()> {
    write!(out, "={}  ", f.tag())?;
    if f.is_control() {
        return write_text(out, f.raw_value(), true);
    }
    for b in f.indicators() {
        out.write_all(if b == b' ' {
            b"\\"
        } else {
            std::slice::from_ref(&b)
        })?;
    }
    for s in f.subfields() {
        out.write_all(b"$")?;
        write_text(out, std::slice::from_ref(&s.code), false)?;
        write_text(out, s.value, false)?;
    }
    Ok(())
}

/// Writes `value`, escaping `$` and, in fixed fields, blanks. Invalid UTF-8
/// is written with U+FFFD.
fn write_text(out: &mut impl Write, value: &[u8], blanks: bool) -> io::Result<()> {
    let text = String::from_utf8_lossy(value);
    let mut last = 0;
    for (i, c) in text.char_indices() {
        let rep: &[u8] = match c {
            '$' => b"{dollar}",
            ' ' if blanks => b"\\",
            _ => continue,
        };
        out.write_all(&text.as_bytes()[last..i])?;
        out.write_all(rep)?;
        last = i + c.len_utf8();
    }
    out.write_all(&text.as_bytes()[last..])
}

/// Writes a record as mnemonic lines followed by an empty line.
///
/// ```
/// use marcview::{mnemonic, Field, Record, Tag};
/// # fn main() -> Result<(), marcview::Error> {
/// let mut r = Record::new();
/// r.push_field(Field::new(Tag::new(245), *b"1 ").with_subfield(b'a', "Price $5")?)?;
/// let mut out = Vec::new();
/// mnemonic::write_record(&mut out, r.leader(), r.fields())?;
/// let text = String::from_utf8(out).unwrap();
/// assert!(text.starts_with("=LDR  00000nam\\a2200000\\i\\4500\n"));
/// assert!(text.contains("=245  1\\$aPrice {dollar}5\n"));
/// # Ok(()) }
/// ```
pub fn write_record<'f>(
    out: &mut impl Write,
    leader: &Leader,
    fields: impl Iterator<Item = FieldView<'f>>,
) -> io::Result<()> {
    out.write_all(b"=LDR  ")?;
    write_text(out, leader.as_bytes(), true)?;
    out.write_all(b"\n")?;
    for f in fields {
        write_field(out, &f)?;
        out.write_all(b"\n")?;
    }
    out.write_all(b"\n")
}
