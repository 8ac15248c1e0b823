//! [`Tag`]: a field tag packed into a `u16`.

use std::fmt;

/// A MARC field tag, packed into a `u16`.
///
/// Invariant: the value is below [`Tag::LIMIT`] and encodes exactly one
/// three-character tag made of ASCII digits and ASCII uppercase letters:
///
/// * `000`–`999` (all digits) are stored as their number, so `Tag(245)` is
///   the tag `245` and comparisons order numeric tags numerically;
/// * every other tag of digits and uppercase letters (`CAT`, `LKR`, `OWN`,
///   `SYS`, `FMT`, `A10`, …) is stored as `1000 +` its rank among those tags
///   (base 36, digits before letters), so all 46,656 such tags round-trip
///   losslessly through [`Tag::from_bytes`] and [`Tag::to_bytes`].
///
/// Lower-case letters and other bytes cannot be represented: there are
/// 62³ = 238,328 alphanumeric tags when case matters, more than a `u16`
/// holds, and no integrated library system writes lower-case tags (the
/// lower-case "tags" seen in the wild are directory bytes of broken records).
/// Such a tag is a structural fault of its record.
///
/// ```
/// use marcview::Tag;
/// let t = Tag::from_bytes(*b"245").unwrap();
/// assert_eq!(t, Tag::new(245));
/// assert_eq!(t.to_string(), "245");
/// let local = Tag::from_bytes(*b"CAT").unwrap();
/// assert_eq!(&local.to_bytes(), b"CAT");
/// assert!(!local.is_control());
/// assert!(Tag::new(1).is_control());
/// assert!(Tag::from_bytes(*b"2a5").is_none());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Tag(u16);

const ALPHABET: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

#[inline]
fn digit36(b: u8) -> Option<u16> {
    match b {
        b'0'..=b'9' => Some(u16::from(b - b'0')),
        b'A'..=b'Z' => Some(u16::from(b - b'A') + 10),
        _ => None,
    }
}

impl Tag {
    /// One past the largest encoded value.
    pub const LIMIT: u16 = 1000 + 36 * 36 * 36 - 1000;

    /// Builds a numeric tag. Numbers above 999 are clamped into range
    /// by taking them modulo 1000, so `new` never fails.
    ///
    /// ```
    /// assert_eq!(marcview::Tag::new(8).to_string(), "008");
    /// ```
    #[inline]
    pub const fn new(number: u16) -> Tag {
        Tag(number % 1000)
    }

    /// Parses three tag bytes; `None` for anything but ASCII digits and
    /// uppercase letters.
    ///
    /// ```
    /// use marcview::Tag;
    /// assert_eq!(Tag::from_bytes(*b"010"), Some(Tag::new(10)));
    /// assert_eq!(Tag::from_bytes(*b" 10"), None);
    /// ```
    #[inline]
    pub fn from_bytes(b: [u8; 3]) -> Option<Tag> {
        if b.iter().all(u8::is_ascii_digit) {
            return Some(Tag::from_digits(b));
        }
        Tag::from_alphanumeric(b)
    }

    /// The tag of three bytes known to be ASCII digits, unchecked (other
    /// bytes give some numeric tag, never an invalid one).
    #[inline(always)]
    pub(crate) fn from_digits(b: [u8; 3]) -> Tag {
        let d = |i: usize| u16::from(b[i].wrapping_sub(b'0') & 0x0F);
        Tag::numeric(d(0) * 100 + d(1) * 10 + d(2))
    }

    /// The numeric tag `n`, for a number computed from bytes known to be
    /// digits; anything above 999 (from other bytes) gives 999, never an
    /// invalid tag.
    #[inline(always)]
    pub(crate) fn numeric(n: u16) -> Tag {
        Tag(n.min(999))
    }

    /// [`Tag::from_bytes`] for tags with letters, kept out of the loops that
    /// read numeric tags.
    #[cold]
    #[inline(never)]
    fn from_alphanumeric(b: [u8; 3]) -> Option<Tag> {
        let (a, c, d) = (b[0], b[1], b[2]);
        let rank = digit36(a)? * 1296 + digit36(c)? * 36 + digit36(d)?;
        // `rank` is not all-digits here; shift it above the numeric range.
        // Ranks of all-digit tags are interleaved with the others, so
        // subtract how many all-digit ranks lie below this one.
        Some(Tag(1000 + rank - numeric_ranks_below(rank)))
    }

    /// Parses a tag from a string of exactly three characters.
    ///
    /// ```
    /// assert_eq!(marcview::Tag::parse("LKR").unwrap().to_string(), "LKR");
    /// ```
    pub fn parse(s: &str) -> Option<Tag> {
        let b: [u8; 3] = s.as_bytes().try_into().ok()?;
        Tag::from_bytes(b)
    }

    /// The three tag characters.
    #[inline]
    pub fn to_bytes(self) -> [u8; 3] {
        let v = self.0;
        if v < 1000 {
            return [
                b'0' + (v / 100) as u8,
                b'0' + (v / 10 % 10) as u8,
                b'0' + (v % 10) as u8,
            ];
        }
        // Non-numeric rank r is stored as 1000 + (non-numeric ranks below r).
        // f(r) = r - numeric_ranks_below(r) counts those and grows by one
        // exactly after each non-numeric rank, so the wanted rank is the
        // smallest r with f(r + 1) > v - 1000: a binary search.
        let target = v - 1000;
        let (mut lo, mut hi) = (0u16, 36 * 36 * 36 - 1);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if mid + 1 - numeric_ranks_below(mid + 1) > target {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        let rank = lo;
        let r = usize::from(rank);
        [
            ALPHABET[r / 1296 % 36],
            ALPHABET[r / 36 % 36],
            ALPHABET[r % 36],
        ]
    }

    /// The numeric value for `000`–`999`, `None` for alphanumeric tags.
    #[inline]
    pub fn number(self) -> Option<u16> {
        (self.0 < 1000).then_some(self.0)
    }

    /// The packed `u16` (see the type's invariant).
    #[inline]
    pub fn as_u16(self) -> u16 {
        self.0
    }

    /// Control fields are `001`–`009` (and `000`): no indicators, no subfields.
    #[inline]
    pub fn is_control(self) -> bool {
        self.0 < 10
    }
}

/// How many all-digit base-36 ranks are `< rank`. A rank is all-digit when
/// each of its three base-36 digits is below 10.
#[inline]
fn numeric_ranks_below(rank: u16) -> u16 {
    let (h, m, l) = (rank / 1296, rank / 36 % 36, rank % 36);
    // All-digit ranks with a smaller high digit, then with equal high and
    // smaller middle digit, then equal high and middle and smaller low digit.
    let mut n = h.min(10) * 100;
    if h < 10 {
        n += m.min(10) * 10;
        if m < 10 {
            n += l.min(10);
        }
    }
    n
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = self.to_bytes();
        // All three bytes are ASCII by construction.
        f.write_str(std::str::from_utf8(&b).unwrap_or("???"))
    }
}

impl fmt::Debug for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Tag({self})")
    }
}

impl From<u16> for Tag {
    /// Same as [`Tag::new`].
    fn from(n: u16) -> Tag {
        Tag::new(n)
    }
}

impl std::str::FromStr for Tag {
    type Err = crate::Error;
    fn from_str(s: &str) -> Result<Tag, crate::Error> {
        Tag::parse(s).ok_or_else(|| crate::Error::InvalidTag(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_digits_agrees_with_from_bytes() {
        for n in 0..1000u16 {
            let b = Tag::new(n).to_bytes();
            assert_eq!(Tag::from_digits(b), Tag::new(n));
        }
        // Other bytes give some numeric tag, never an invalid one.
        for b in [*b"CAT", [0xFF; 3], [0; 3]] {
            assert!(Tag::from_digits(b).number().is_some());
        }
    }

    #[test]
    fn every_uppercase_alphanumeric_tag_round_trips() {
        let mut seen = vec![false; usize::from(Tag::LIMIT)];
        for &a in ALPHABET {
            for &b in ALPHABET {
                for &c in ALPHABET {
                    let t = Tag::from_bytes([a, b, c]).unwrap();
                    assert!(t.as_u16() < Tag::LIMIT);
                    assert_eq!(t.to_bytes(), [a, b, c]);
                    assert!(!seen[usize::from(t.as_u16())], "collision at {t}");
                    seen[usize::from(t.as_u16())] = true;
                }
            }
        }
        assert!(seen.iter().all(|&s| s));
    }

    #[test]
    fn numeric_tags_are_their_number() {
        for n in 0..1000u16 {
            let s = format!("{n:03}");
            let t = Tag::parse(&s).unwrap();
            assert_eq!(t.as_u16(), n);
            assert_eq!(t.number(), Some(n));
            assert_eq!(t.to_string(), s);
        }
        assert_eq!(Tag::parse("CAT").unwrap().number(), None);
    }

    #[test]
    fn rejects_other_bytes() {
        for bad in [b"ab1", b"2 5", b"\x1e01", b"24\0", b"cat"] {
            assert_eq!(Tag::from_bytes(*bad), None);
        }
        assert_eq!(Tag::parse("24"), None);
        assert_eq!(Tag::parse("2455"), None);
    }
}
