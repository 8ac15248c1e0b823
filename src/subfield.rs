//! [`SubfieldView`] and the lazy [`Subfields`] iterator.

use std::borrow::Cow;

use memchr::memchr;

use crate::byte_mask::{WINDOW, ends_within};
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
#[derive(Clone)]
pub struct Subfields<'a> {
    /// The field's bytes (everything after the indicators, or the whole
    /// body) and, when it lies in a record, the rest of that record.
    bytes: &'a [u8],
    /// The length of the field in `bytes`: subfields end there.
    len: usize,
    /// Where the next subfield (its code) starts: after the field's first
    /// delimiter, then after each delimiter taken; past `len` when done.
    pos: usize,
    /// Start of the window of [`WINDOW`] bytes that `ends` describes.
    window: usize,
    /// Where subfields end in `bytes[window..window + WINDOW]`, from `pos`
    /// on, one bit each (bit 0 is `bytes[window]`): at each delimiter before
    /// `len`, and at `len` when it lies inside the window (a field that
    /// ends right after a window has its end at bit 0 of the next).
    ///
    /// Invariant: every delimiter in `bytes[pos..(window + WINDOW).min(len)]`
    /// has its bit here, and no bit lies before `pos` or after `len`; so
    /// the bits taken lowest first are where the subfields from `pos` on
    /// end, in order.
    ends: u64,
}

impl std::fmt::Debug for Subfields<'_> {
    /// The part of the field not read yet (not the record after it).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let rest = self.bytes.get(self.pos.min(self.len)..self.len);
        f.debug_struct("Subfields")
            .field("rest", &rest.unwrap_or_default())
            .finish()
    }
}

impl<'a> Subfields<'a> {
    /// Subfields in `data`, which is everything after the indicators (or the
    /// whole field body: the part before the first delimiter is skipped).
    #[inline]
    pub fn new(data: &'a [u8]) -> Subfields<'a> {
        Subfields::with_tail(data, data.len())
    }

    /// Subfields in `bytes[..len]` (`len` at most `bytes.len()`), searched
    /// with reads that may run on into the rest of `bytes`.
    #[inline]
    pub(crate) fn with_tail(bytes: &'a [u8], len: usize) -> Subfields<'a> {
        let len = len.min(bytes.len());
        let data = &bytes[..len];
        // Fast path: two indicators, then the first delimiter.
        let pos = if let [a, b, SUBFIELD_DELIMITER, ..] = data
            && *a != SUBFIELD_DELIMITER
            && *b != SUBFIELD_DELIMITER
        {
            3
        } else {
            match memchr(SUBFIELD_DELIMITER, data) {
                Some(i) => i + 1,
                None => len,
            }
        };
        Subfields {
            bytes,
            len,
            pos,
            window: pos,
            ends: ends_at(bytes, len, pos),
        }
    }

    /// No subfields.
    pub fn empty() -> Subfields<'a> {
        Subfields {
            bytes: &[],
            len: 0,
            pos: 1,
            window: 0,
            ends: 0,
        }
    }
}

/// The first window after the one at `window` that holds the end of a
/// subfield, and those ends; no ends (0) when the field ended before it.
/// Subfields longer than a window, and fields whose subfields fill more
/// than one, come here. Out of line, and on plain values in and out (two
/// registers back), so that the iterator's state stays in registers.
#[inline(never)]
fn later_window(bytes: &[u8], len: usize, mut window: usize) -> (usize, u64) {
    loop {
        window += WINDOW;
        if window > len {
            return (window, 0);
        }
        let ends = ends_at(bytes, len, window);
        if ends != 0 {
            return (window, ends);
        }
    }
}

/// The `ends` of the window at `at` (at most `len`): the delimiters in it
/// before `len`, and `len` itself when it is in reach.
#[inline(always)]
fn ends_at(bytes: &[u8], len: usize, at: usize) -> u64 {
    ends_within(bytes, len, at, SUBFIELD_DELIMITER)
}

impl<'a> Iterator for Subfields<'a> {
    type Item = SubfieldView<'a>;

    #[inline(always)]
    fn next(&mut self) -> Option<SubfieldView<'a>> {
        loop {
            if self.ends == 0 {
                // Past the end of the field once its end was taken.
                if self.pos > self.len {
                    return None;
                }
                (self.window, self.ends) = later_window(self.bytes, self.len, self.window);
                if self.ends == 0 {
                    self.pos = self.len + 1;
                    return None;
                }
            }
            let end = self.window + self.ends.trailing_zeros() as usize;
            self.ends &= self.ends - 1;
            let start = std::mem::replace(&mut self.pos, end + 1);
            // `start <= end <= len` by the invariant of `ends`; `get` keeps
            // it panic-free all the same. An empty chunk is skipped.
            let chunk = self.bytes.get(start..end.min(self.len));
            if let Some((&code, value)) = chunk.and_then(<[u8]>::split_first) {
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
    fn bytes_after_the_field_change_nothing() {
        // Fields of every length up to 100 with delimiters in varied
        // places, followed by bytes that are all delimiters.
        let mut rng = crate::test_rng::TestRng::new(0x2545_F491_4F6C_DD1D);
        for len in 0..100 {
            for round in 0..20 {
                let field: Vec<u8> = (0..len)
                    .map(|_| {
                        let r = rng.next();
                        if r.is_multiple_of(6) {
                            0x1F
                        } else {
                            b'a' + (r % 26) as u8
                        }
                    })
                    .collect();
                let want: Vec<_> = Subfields::new(&field).collect();
                let mut bytes = field.clone();
                bytes.extend_from_slice(&[0x1F; 70][..round * 7 % 70]);
                let got: Vec<_> = Subfields::with_tail(&bytes, len).collect();
                assert_eq!(got, want, "{}", field.escape_ascii());
            }
        }
        // A length beyond the bytes is cut to them.
        assert_eq!(Subfields::with_tail(b"10\x1fab", 99).count(), 1);
    }

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
