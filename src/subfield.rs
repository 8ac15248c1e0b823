//! [`SubfieldView`] and the lazy [`Subfields`] iterator.

use std::borrow::Cow;

use memchr::memchr;

use crate::byte_mask::mask_at;
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
    data: &'a [u8],
    /// Where the next subfield (its code) starts; past the end when done.
    pos: usize,
    /// Start of the block of up to 16 bytes that `mask` describes.
    block: usize,
    /// The delimiters in `data[block..block + 16]` at or after `pos`, one
    /// bit each (bit 0 is `data[block]`).
    ///
    /// Invariant: every delimiter in `data[pos..block + 16]` has its bit
    /// here, and `block <= pos` whenever `mask` is not empty; so the bits
    /// taken lowest first are the delimiters from `pos` on, in order.
    mask: u32,
}

impl<'a> Subfields<'a> {
    /// Subfields in `data`, which is everything after the indicators (or the
    /// whole field body: the part before the first delimiter is skipped).
    #[inline]
    pub fn new(data: &'a [u8]) -> Subfields<'a> {
        // Fast path: two indicators, then the first delimiter.
        let pos = if let [a, b, SUBFIELD_DELIMITER, ..] = data
            && *a != SUBFIELD_DELIMITER
            && *b != SUBFIELD_DELIMITER
        {
            3
        } else {
            match memchr(SUBFIELD_DELIMITER, data) {
                Some(i) => i + 1,
                None => data.len(),
            }
        };
        Subfields {
            data,
            pos,
            block: pos,
            mask: mask_at(data, pos, SUBFIELD_DELIMITER),
        }
    }

    /// No subfields.
    pub fn empty() -> Subfields<'a> {
        Subfields {
            data: &[],
            pos: 0,
            block: 0,
            mask: 0,
        }
    }
}

impl<'a> Iterator for Subfields<'a> {
    type Item = SubfieldView<'a>;

    #[inline]
    fn next(&mut self) -> Option<SubfieldView<'a>> {
        let len = self.data.len();
        loop {
            let start = self.pos;
            if start >= len {
                return None;
            }
            // The subfield ends at the next delimiter, found in the masks
            // of the blocks from `start` on, or at the end of the data.
            let end = loop {
                if self.mask != 0 {
                    let d = self.block + self.mask.trailing_zeros() as usize;
                    self.mask &= self.mask - 1;
                    break d;
                }
                self.block += 16;
                if self.block >= len {
                    break len;
                }
                self.mask = mask_at(self.data, self.block, SUBFIELD_DELIMITER);
            };
            self.pos = end + 1;
            // `start <= end <= len` by the invariant of `mask`; `get` keeps
            // it panic-free all the same.
            if let Some((&code, value)) = self.data.get(start..end).and_then(<[u8]>::split_first) {
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
        // A delimiter among the indicators starts the subfields there.
        let v: Vec<_> = Subfields::new(b"\x1fa\x1fbc").map(|s| s.code).collect();
        assert_eq!(v, [b'a', b'b']);
        // Values longer than the first 32 bytes searched word by word.
        let long = [&b"  \x1fa"[..], &[b'x'; 100], b"\x1fbend"].concat();
        let v: Vec<_> = Subfields::new(&long)
            .map(|s| (s.code, s.value.len()))
            .collect();
        assert_eq!(v, [(b'a', 100), (b'b', 3)]);
        for n in 0..70 {
            let f = [&b"10\x1fa"[..], &vec![b'y'; n], b"\x1fz"].concat();
            let v: Vec<_> = Subfields::new(&f)
                .map(|s| (s.code, s.value.len()))
                .collect();
            assert_eq!(v, [(b'a', n), (b'z', 0)]);
        }
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
