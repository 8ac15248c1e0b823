//! [`FieldView`]: one field, borrowed.

use std::borrow::Cow;

use crate::directory::Entry;
use crate::parse::SUBFIELD_DELIMITER;
use crate::{Subfields, Tag};

/// A field borrowed from a record (a [`RecordView`](crate::RecordView) or an
/// owned [`Record`](crate::Record)).
///
/// For control fields (`00X`) the value is everything; data fields start with
/// two indicators followed by subfields.
///
/// ```
/// use marcview::{FieldView, Tag};
/// let f = FieldView::new(Tag::new(245), b"10\x1faTitle :\x1fbsubtitle");
/// assert_eq!(f.indicators(), *b"10");
/// assert_eq!(f.subfield(b'b'), Some(&b"subtitle"[..]));
/// assert_eq!(f.subfields().count(), 2);
/// ```
#[derive(Clone, Copy)]
pub struct FieldView<'a> {
    tag: Tag,
    /// The field's bytes, and after them, when the field was read from a
    /// record, whatever followed the field where the record was read (the
    /// rest of the record, and of the file or buffer after it).
    ///
    /// Invariant: `len <= bytes.len()`; the field is `bytes[..len]`. The
    /// bytes after it are never part of any answer: only the subfield
    /// search reads them, whole blocks at a time, and ignores them.
    bytes: &'a [u8],
    len: usize,
}

impl PartialEq for FieldView<'_> {
    /// Same tag and same bytes (what follows the field does not count).
    fn eq(&self, other: &FieldView<'_>) -> bool {
        self.tag == other.tag && self.raw_value() == other.raw_value()
    }
}

impl Eq for FieldView<'_> {}

impl std::fmt::Debug for FieldView<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FieldView")
            .field("tag", &self.tag)
            .field("data", &self.raw_value())
            .finish()
    }
}

impl<'a> FieldView<'a> {
    /// A view of `data` (the field's bytes without terminator).
    #[inline]
    pub fn new(tag: Tag, data: &'a [u8]) -> FieldView<'a> {
        FieldView {
            tag,
            bytes: data,
            len: data.len(),
        }
    }

    /// The field of entry `e` in `bytes` (a record, or an owned record's
    /// values), with what follows it in `bytes`, which the subfield search
    /// may read past the field's end. An entry beyond `bytes` (never so by
    /// the invariant of [`Entry`]) gives a shorter or empty field, not a
    /// panic.
    #[inline(always)]
    pub(crate) fn of_entry(bytes: &'a [u8], e: &Entry) -> FieldView<'a> {
        let bytes = bytes.get(e.start as usize..).unwrap_or_default();
        FieldView {
            tag: e.tag,
            bytes,
            len: (e.len as usize).min(bytes.len()),
        }
    }

    /// The tag.
    #[inline]
    pub fn tag(&self) -> Tag {
        self.tag
    }

    /// True for control fields (`00X`).
    #[inline]
    pub fn is_control(&self) -> bool {
        self.tag.is_control()
    }

    /// The field's bytes as stored, without the field terminator: the value
    /// of a control field, or indicators plus subfields of a data field.
    #[inline]
    pub fn raw_value(&self) -> &'a [u8] {
        // Never empty-handed: `len <= bytes.len()` by the invariant.
        self.bytes.get(..self.len).unwrap_or_default()
    }

    /// The two indicators. Missing indicators read as blanks; only bytes
    /// before the first subfield delimiter count.
    #[inline]
    pub fn indicators(&self) -> [u8; 2] {
        let d = self.raw_value();
        if let [a, b, SUBFIELD_DELIMITER, ..] = *d
            && a != SUBFIELD_DELIMITER
            && b != SUBFIELD_DELIMITER
        {
            return [a, b];
        }
        let head = match memchr::memchr(SUBFIELD_DELIMITER, d) {
            Some(i) => &d[..i],
            None => d,
        };
        [
            head.first().copied().unwrap_or(b' '),
            head.get(1).copied().unwrap_or(b' '),
        ]
    }

    /// The subfields, parsed lazily. Control fields have none.
    #[inline]
    pub fn subfields(&self) -> Subfields<'a> {
        if self.is_control() {
            Subfields::empty()
        } else {
            Subfields::with_tail(self.bytes, self.len)
        }
    }

    /// The value of the first subfield with `code`.
    #[inline]
    pub fn subfield(&self, code: u8) -> Option<&'a [u8]> {
        self.subfields().find(|s| s.code == code).map(|s| s.value)
    }

    /// The values of every subfield with `code`, in order.
    pub fn subfields_with(&self, code: u8) -> impl Iterator<Item = &'a [u8]> + use<'a> {
        self.subfields()
            .filter(move |s| s.code == code)
            .map(|s| s.value)
    }

    /// The first subfield with `code` as text (see [`SubfieldView::text`](crate::SubfieldView::text)).
    pub fn subfield_text(&self, code: u8) -> Option<Cow<'a, str>> {
        self.subfield(code).map(String::from_utf8_lossy)
    }

    /// The field as text: a control field's value, or a data field's
    /// subfield values joined by spaces. Borrowed whenever no joining or
    /// repair is needed.
    ///
    /// ```
    /// use marcview::{FieldView, Tag};
    /// assert_eq!(FieldView::new(Tag::new(1), b"ocm1").text(), "ocm1");
    /// assert_eq!(FieldView::new(Tag::new(650), b" 0\x1faCats\x1fxHistory").text(), "Cats History");
    /// ```
    pub fn text(&self) -> Cow<'a, str> {
        if self.is_control() {
            return String::from_utf8_lossy(self.raw_value());
        }
        let mut subs = self.subfields();
        let Some(first) = subs.next() else {
            return Cow::Borrowed("");
        };
        let mut out = first.text();
        for s in subs {
            let o = out.to_mut();
            o.push(' ');
            o.push_str(&s.text());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indicators_are_never_delimiters() {
        let f = FieldView::new(Tag::new(245), b"10\x1faTitle");
        assert_eq!(f.indicators(), *b"10");
        // Found by fuzzing (marc8_decode): a field starting with a subfield
        // read a delimiter and the first code as its indicators.
        let f = FieldView::new(Tag::new(245), b"\x1fa\x1fbc");
        assert_eq!(f.indicators(), *b"  ");
        let f = FieldView::new(Tag::new(245), b"1\x1f\x1fbc");
        assert_eq!(f.indicators(), *b"1 ");
        let f = FieldView::new(Tag::new(245), b"\x1f1\x1fbc");
        assert_eq!(f.indicators(), *b"  ");
        assert_eq!(FieldView::new(Tag::new(245), b"").indicators(), *b"  ");
    }
}
