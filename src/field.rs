//! [`Field`]: an owned field being built or edited.

use crate::parse::{FIELD_TERMINATOR, RECORD_TERMINATOR, SUBFIELD_DELIMITER};
use crate::{Error, FieldView, Tag, WriteError};

/// An owned field, stored as its ISO 2709 bytes (indicators, delimiters and
/// values; no terminator), so that views, records and the writer share one
/// representation.
///
/// Invariant: the bytes hold no 0x1D or 0x1E, and a control field holds no
/// 0x1F. Every constructor and editor checks values and returns
/// [`Error::Write`] with [`WriteError::DelimiterInValue`] otherwise. The one
/// exception is [`Field::from_view`] (and `From<FieldView>`), which copies
/// the view's bytes as they are: the reader checks that each field ends
/// with 0x1E, not that no other 0x1E comes before that within the length
/// the directory gives, so a damaged record can yield such a field. Use
/// [`Field::from_raw`] to have the bytes checked.
///
/// ```
/// use marcview::{Field, Tag};
/// # fn main() -> Result<(), marcview::Error> {
/// let mut f = Field::new(Tag::new(245), *b"10")
///     .with_subfield(b'a', "Moby Dick /")?
///     .with_subfield(b'c', "Herman Melville.")?;
/// f.set_subfield(b'a', "Moby-Dick /")?;
/// assert_eq!(f.view().subfield(b'a'), Some(&b"Moby-Dick /"[..]));
/// assert_eq!(f.view().subfields().count(), 2);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Field {
    tag: Tag,
    data: Vec<u8>,
}

/// Rejects values holding any of the three delimiter bytes.
fn check(tag: Tag, value: &[u8]) -> Result<(), Error> {
    match memchr::memchr3(
        RECORD_TERMINATOR,
        FIELD_TERMINATOR,
        SUBFIELD_DELIMITER,
        value,
    ) {
        Some(i) => Err(Error::Write(WriteError::DelimiterInValue {
            tag,
            byte: value[i],
        })),
        None => Ok(()),
    }
}

impl Field {
    /// A data field with indicators and no subfields yet.
    pub fn new(tag: Tag, indicators: [u8; 2]) -> Field {
        Field {
            tag,
            data: indicators.to_vec(),
        }
    }

    /// A control field with its value.
    pub fn control(tag: Tag, value: impl AsRef<[u8]>) -> Result<Field, Error> {
        let value = value.as_ref();
        check(tag, value)?;
        Ok(Field {
            tag,
            data: value.to_vec(),
        })
    }

    /// A field from its stored bytes (as [`FieldView::raw_value`] returns).
    /// Only the terminators 0x1D and 0x1E are refused: subfield delimiters
    /// are kept even in a control field, as some formats (DanMARC) and
    /// broken records put them in 00X fields and readers keep them.
    pub fn from_raw(tag: Tag, raw: impl AsRef<[u8]>) -> Result<Field, Error> {
        let raw = raw.as_ref();
        if let Some(i) = memchr::memchr2(RECORD_TERMINATOR, FIELD_TERMINATOR, raw) {
            return Err(Error::Write(WriteError::DelimiterInValue {
                tag,
                byte: raw[i],
            }));
        }
        Ok(Field {
            tag,
            data: raw.to_vec(),
        })
    }

    /// Copies a view, bytes as they are (see the invariant above for the
    /// one case where they hold a 0x1E).
    pub fn from_view(v: &FieldView<'_>) -> Field {
        Field {
            tag: v.tag(),
            data: v.raw_value().to_vec(),
        }
    }

    /// Borrows the field as a view, for reading.
    pub fn view(&self) -> FieldView<'_> {
        FieldView::new(self.tag, &self.data)
    }

    /// The tag.
    pub fn tag(&self) -> Tag {
        self.tag
    }

    /// Changes the tag. Changing between control and data tags keeps the
    /// bytes as they are.
    pub fn set_tag(&mut self, tag: Tag) {
        self.tag = tag;
    }

    /// The stored bytes (no terminator).
    pub fn raw_value(&self) -> &[u8] {
        &self.data
    }

    /// Replaces a control field's value.
    pub fn set_value(&mut self, value: impl AsRef<[u8]>) -> Result<(), Error> {
        let value = value.as_ref();
        check(self.tag, value)?;
        self.data.clear();
        self.data.extend_from_slice(value);
        Ok(())
    }

    /// Sets both indicators of a data field (inserting them when missing).
    pub fn set_indicators(&mut self, ind: [u8; 2]) -> Result<(), Error> {
        check(self.tag, &ind)?;
        let head = memchr::memchr(SUBFIELD_DELIMITER, &self.data).unwrap_or(self.data.len());
        self.data.splice(..head.min(2), ind);
        Ok(())
    }

    /// Appends a subfield.
    pub fn push_subfield(&mut self, code: u8, value: impl AsRef<[u8]>) -> Result<(), Error> {
        let value = value.as_ref();
        check(self.tag, &[code])?;
        check(self.tag, value)?;
        self.data.reserve(2 + value.len());
        self.data.push(SUBFIELD_DELIMITER);
        self.data.push(code);
        self.data.extend_from_slice(value);
        Ok(())
    }

    /// Appends a subfield, builder style.
    pub fn with_subfield(mut self, code: u8, value: impl AsRef<[u8]>) -> Result<Field, Error> {
        self.push_subfield(code, value)?;
        Ok(self)
    }

    /// Byte ranges of the subfields (delimiter included) in `data`.
    fn subfield_ranges(&self) -> impl Iterator<Item = (u8, std::ops::Range<usize>)> + '_ {
        let d = &self.data;
        memchr::memchr_iter(SUBFIELD_DELIMITER, d).filter_map(move |i| {
            let end =
                memchr::memchr(SUBFIELD_DELIMITER, &d[i + 1..]).map_or(d.len(), |j| i + 1 + j);
            let code = *d.get(i + 1).filter(|_| i + 1 < end)?;
            Some((code, i..end))
        })
    }

    /// Replaces the value of the first subfield with `code`, or appends one.
    pub fn set_subfield(&mut self, code: u8, value: impl AsRef<[u8]>) -> Result<(), Error> {
        let value = value.as_ref();
        check(self.tag, value)?;
        let found = self
            .subfield_ranges()
            .find(|(c, _)| *c == code)
            .map(|(_, r)| r);
        match found {
            Some(r) => {
                self.data.splice(r.start + 2..r.end, value.iter().copied());
                Ok(())
            }
            None => self.push_subfield(code, value),
        }
    }

    /// Removes every subfield with `code`; returns how many.
    pub fn remove_subfields(&mut self, code: u8) -> usize {
        self.retain_subfields(|c, _| c != code)
    }

    /// Keeps the subfields for which `keep(code, value)` is true; returns how
    /// many were removed.
    pub fn retain_subfields(&mut self, mut keep: impl FnMut(u8, &[u8]) -> bool) -> usize {
        let head = memchr::memchr(SUBFIELD_DELIMITER, &self.data).unwrap_or(self.data.len());
        let mut out = self.data[..head].to_vec();
        let mut removed = 0;
        for s in self.view().subfields() {
            if keep(s.code, s.value) {
                out.push(SUBFIELD_DELIMITER);
                out.push(s.code);
                out.extend_from_slice(s.value);
            } else {
                removed += 1;
            }
        }
        self.data = out;
        removed
    }

    /// Inserts a subfield before the `index`-th subfield (or at the end).
    pub fn insert_subfield(
        &mut self,
        index: usize,
        code: u8,
        value: impl AsRef<[u8]>,
    ) -> Result<(), Error> {
        let value = value.as_ref();
        check(self.tag, &[code])?;
        check(self.tag, value)?;
        let at = self
            .subfield_ranges()
            .nth(index)
            .map_or(self.data.len(), |(_, r)| r.start);
        let mut ins = Vec::with_capacity(2 + value.len());
        ins.push(SUBFIELD_DELIMITER);
        ins.push(code);
        ins.extend_from_slice(value);
        self.data.splice(at..at, ins);
        Ok(())
    }
}

impl From<FieldView<'_>> for Field {
    fn from(v: FieldView<'_>) -> Field {
        Field::from_view(&v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits() {
        let mut f = Field::new(Tag::new(650), *b" 0")
            .with_subfield(b'a', "Cats")
            .unwrap()
            .with_subfield(b'x', "History")
            .unwrap()
            .with_subfield(b'x', "Juvenile")
            .unwrap();
        assert_eq!(f.remove_subfields(b'x'), 2);
        assert_eq!(f.raw_value(), b" 0\x1faCats");
        f.insert_subfield(0, b'6', "880-01").unwrap();
        assert_eq!(f.raw_value(), b" 0\x1f6880-01\x1faCats");
        f.set_indicators(*b"14").unwrap();
        assert_eq!(f.view().indicators(), *b"14");
        f.set_subfield(b'a', "Dogs").unwrap();
        assert_eq!(f.raw_value(), b"14\x1f6880-01\x1faDogs");
        assert!(f.push_subfield(b'b', "bad\x1evalue").is_err());
        assert!(Field::control(Tag::new(1), "a\x1fb").is_err());
        let mut g = Field::from_raw(Tag::new(245), b"\x1faNo indicators").unwrap();
        g.set_indicators(*b"00").unwrap();
        assert_eq!(g.raw_value(), b"00\x1faNo indicators");
    }
}
