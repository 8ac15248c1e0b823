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
        // Fast path: two indicators, then the first delimiter.
        let rest = if let [a, b, SUBFIELD_DELIMITER, rest @ ..] = data
            && *a != SUBFIELD_DELIMITER
            && *b != SUBFIELD_DELIMITER
        {
            rest
        } else {
            match memchr(SUBFIELD_DELIMITER, data) {
                Some(i) => &data[i + 1..],
                None => &[],
            }
        };
        Subfields { rest }
    }

    /// No subfields.
    pub fn empty() -> Subfields<'a> {
        Subfields { rest: &[] }
    }
}

/// Position of the first subfield delimiter in `hay`. Subfields are short
/// (19 bytes on average in the LoC file), so the first 32 bytes are
/// searched eight at a time in a register, and only the rest with `memchr`,
/// whose call costs more than such a short search.
#[inline(always)]
fn find_delimiter(hay: &[u8]) -> Option<usize> {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    const PAT: u64 = LO * SUBFIELD_DELIMITER as u64;
    let mut i = 0;
    while i < 32 {
        let Some(chunk) = hay.get(i..i + 8) else {
            return hay
                .get(i..)?
                .iter()
                .position(|&b| b == SUBFIELD_DELIMITER)
                .map(|p| i + p);
        };
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let v = u64::from_le_bytes(word) ^ PAT;
        // The lowest set bit marks the first zero byte of `v` exactly.
        let m = v.wrapping_sub(LO) & !v & HI;
        if m != 0 {
            return Some(i + (m.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    memchr(SUBFIELD_DELIMITER, hay.get(i..)?).map(|p| i + p)
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
            match find_delimiter(self.rest) {
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
