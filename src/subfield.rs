//! [`SubfieldView`] and the lazy [`Subfields`] iterator.

use std::borrow::Cow;

use memchr::memchr;

use crate::parse::SUBFIELD_DELIMITER;

/// One subfield, borrowed from the record: its code and its value bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SubfieldView<'a> {
    /// The subfield code (`b'a'` for $a).
    pub code: u8,
    /// The value, without delimiter.
    pub value: &'a [u8],
}

impl<'a> SubfieldView<'a> {
    /// The value as text: borrowed when it is valid UTF-8, otherwise with
    /// U+FFFD for each invalid sequence. MARC-8 records need
    /// [`marc8`](crate::marc8) decoding first.
    ///
    /// ```
    /// use marcview::SubfieldView;
    /// let s = SubfieldView { code: b'a', value: "Café".as_bytes() };
    /// assert_eq!(s.text(), "Café");
    /// ```
    #[inline]
    pub fn text(&self) -> Cow<'a, str> {
        String::from_utf8_lossy(self.value)
    }

    /// The code as a `char`.
    #[inline]
    pub fn code_char(&self) -> char {
        char::from(self.code)
    }
}

/// Iterates the subfields of a data field, parsing as it goes.
///
/// Bytes before the first delimiter (the indicators, and anything else
/// there) are not subfields. An empty chunk between two delimiters has no
/// code and is skipped.
///
/// ```
/// use marcview::Subfields;
/// let v: Vec<_> = Subfields::new(b"\x1faOne\x1f\x1fbTwo")
///     .map(|s| (s.code, s.value))
///     .collect();
/// assert_eq!(v, [(b'a', &b"One"[..]), (b'b', &b"Two"[..])]);
/// ```
#[derive(Clone, Debug)]
pub struct Subfields<'a> {
    rest: &'a [u8],
}

impl<'a> Subfields<'a> {
    /// Subfields in `data`, which is everything after the indicators (or the
    /// whole field body: the part before the first delimiter is skipped).
    #[inline]
    pub fn new(data: &'a [u8]) -> Subfields<'a> {
        let rest = match memchr(SUBFIELD_DELIMITER, data) {
            Some(i) => &data[i + 1..],
            None => &[],
        };
        Subfields { rest }
    }

    /// No subfields.
    pub fn empty() -> Subfields<'a> {
        Subfields { rest: &[] }
    }
}

impl<'a> Iterator for Subfields<'a> {
    type Item = SubfieldView<'a>;

    #[inline]
    fn next(&mut self) -> Option<SubfieldView<'a>> {
        loop {
            if self.rest.is_empty() {
                return None;
            }
            let chunk;
            match memchr(SUBFIELD_DELIMITER, self.rest) {
                Some(i) => {
                    chunk = &self.rest[..i];
                    self.rest = &self.rest[i + 1..];
                }
                None => {
                    chunk = self.rest;
                    self.rest = &[];
                }
            }
            if let Some((&code, value)) = chunk.split_first() {
                return Some(SubfieldView { code, value });
            }
        }
    }
}

impl std::iter::FusedIterator for Subfields<'_> {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edge_cases() {
        assert_eq!(Subfields::new(b"").count(), 0);
        assert_eq!(Subfields::new(b"10").count(), 0);
        assert_eq!(Subfields::new(b"10\x1f").count(), 0);
        let v: Vec<_> = Subfields::new(b"10junk\x1fa\x1fbx\x1f").collect();
        assert_eq!(
            v,
            [
                SubfieldView {
                    code: b'a',
                    value: b""
                },
                SubfieldView {
                    code: b'b',
                    value: b"x"
                }
            ]
        );
    }
}
