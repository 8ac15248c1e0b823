//! The directory: 12-byte entries cast with bytemuck and decoded into
//! compact [`Entry`] values as they are read, straight from the record's
//! bytes.

use crate::Tag;

/// One directory entry as it is on disk: tag, length, start.
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
#[repr(C)]
pub(crate) struct RawEntry {
    pub(crate) tag: [u8; 3],
    pub(crate) length: [u8; 4],
    pub(crate) start: [u8; 5],
}

impl RawEntry {
    /// The length and start as numbers, for an entry of digits. Bytes that
    /// are not digits give numbers that mean nothing but stay below
    /// 65,536 and 656,000, so that sums of them never overflow.
    ///
    /// Both come from one 64-bit word, bytes 3-10 (the four length digits
    /// and the first four of the start), combined in a register (SWAR):
    /// pairs of digits, then pairs of pairs; the start's last digit is
    /// added on.
    #[inline(always)]
    pub(crate) fn length_and_start(&self) -> (u32, u32) {
        let (_, pairs) = self.digit_pairs(3);
        // Pairs 0, 2, 4, 6 (bytes 3-4, 5-6, 7-8, 9-10), then pairs of them.
        let pairs = pairs & 0x00FF_00FF_00FF_00FF;
        // Bits 0-15: the length; bits 32-47: the start's first four digits.
        let quads = pairs.wrapping_mul(100).wrapping_add(pairs >> 16) & 0x0000_FFFF_0000_FFFF;
        let len = quads as u32;
        let last = bytemuck::cast_ref::<RawEntry, [u8; 12]>(self)[11];
        let start = (quads >> 32) as u32 * 10 + u32::from(last.wrapping_sub(b'0'));
        (len, start)
    }

    /// The tag and the length, for an entry of digits, from one 64-bit
    /// word (bytes 0-7: the tag, the length and the start's first digit)
    /// combined in a register: adjacent digits are paired (byte `k` of
    /// `pairs` is `10 * digit k + digit k+1`), then the tag is pair 0 and
    /// digit 2, the length pairs 3 and 5. Bytes that are not digits give
    /// some numeric tag and a length below 65,536, never a panic.
    #[inline(always)]
    pub(crate) fn tag_and_length(&self) -> (Tag, u32) {
        let (v, pairs) = self.digit_pairs(0);
        let byte = |w: u64, k: u32| (w >> (8 * k)) as u8;
        let tag = u16::from(byte(pairs, 0)) * 10 + u16::from(byte(v, 2));
        let len = u32::from(byte(pairs, 3)) * 100 + u32::from(byte(pairs, 5));
        (Tag::numeric(tag), len)
    }

    /// Bytes `from..from + 8` of the entry, `0` taken from each (`v`), and
    /// adjacent digits paired: byte `k` of `pairs` is `10 * v[k] + v[k+1]`.
    /// For digits no byte exceeds 99, so none carries into the next.
    #[inline(always)]
    fn digit_pairs(&self, from: usize) -> (u64, u64) {
        let b: &[u8; 12] = bytemuck::cast_ref(self);
        let mut word = [0u8; 8];
        word.copy_from_slice(&b[from..from + 8]);
        let v = u64::from_le_bytes(word).wrapping_sub(0x3030_3030_3030_3030);
        (v, v.wrapping_mul(10).wrapping_add(v >> 8))
    }

    /// Whether the tag is a control field's (`00X`): its first two bytes
    /// are `0`.
    #[inline(always)]
    pub(crate) fn is_control(&self) -> bool {
        // One compare of both bytes, not two branches.
        u16::from_le_bytes([self.tag[0], self.tag[1]]) == u16::from_le_bytes(*b"00")
    }
}

/// Casts directory bytes to entries; the trailing partial entry, if any, is
/// not included.
#[inline]
pub(crate) fn raw_entries(dir: &[u8]) -> &[RawEntry] {
    let whole = dir.len() / 12 * 12;
    bytemuck::cast_slice(&dir[..whole])
}

/// A decoded, checked field location.
///
/// Invariant: `start..start + len` lies inside the record (or the owned
/// record's value buffer) it was made for, and excludes the field
/// terminator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    pub(crate) start: u32,
    pub(crate) len: u32,
    pub(crate) tag: Tag,
}

impl Entry {
    /// The field's tag.
    #[inline]
    pub fn tag(&self) -> Tag {
        self.tag
    }

    /// The field's byte range (terminator excluded).
    #[inline]
    pub fn range(&self) -> std::ops::Range<usize> {
        self.start as usize..self.start as usize + self.len as usize
    }
}

/// Decodes an entry that the parser checked: a valid tag, digits for the
/// length (at least 1) and start. `base` is the record's base address.
#[inline(always)]
fn decode(e: &RawEntry, base: u32) -> Entry {
    // The parser checked the tag; 0 is never used.
    located(e, base, Tag::from_bytes(e.tag).unwrap_or_default())
}

/// [`decode`] for an entry whose tag the parser found to be digits.
#[inline(always)]
fn decode_numeric(e: &RawEntry, base: u32) -> Entry {
    located(e, base, Tag::from_digits(e.tag))
}

/// [`decode_numeric`] for a tiled directory: the field starts at `at`,
/// which moves on past it. No start digits are decoded, and `at` is a
/// running sum, ready before this entry is read.
#[inline(always)]
fn decode_tiled(e: &RawEntry, at: &mut usize) -> Entry {
    let (tag, len) = e.tag_and_length();
    let start = *at as u32;
    *at = at.wrapping_add(len as usize);
    Entry {
        start,
        len: len.saturating_sub(1),
        tag,
    }
}

/// The entry `e` with its tag decoded: where its field lies.
#[inline(always)]
fn located(e: &RawEntry, base: u32, tag: Tag) -> Entry {
    let (len, start) = e.length_and_start();
    Entry {
        start: base.wrapping_add(start),
        len: len.saturating_sub(1),
        tag,
    }
}

/// The `count` raw entries of record `raw`'s own directory (none if the
/// bytes are shorter, which the parser rules out).
#[inline(always)]
fn in_place(raw: &[u8], count: u32) -> &[RawEntry] {
    raw.get(24..24 + 12 * count as usize)
        .map_or(&[][..], raw_entries)
}

/// The directory of one [`RecordView`](crate::RecordView).
///
/// Invariant: every entry it yields lies inside the record's bytes (see
/// [`Entry`]).
#[derive(Clone, Debug)]
pub(crate) enum Directory {
    /// Like `InPlace`, for a directory that the parser found all digits,
    /// tags included, with fields that follow one another in directory
    /// order, the first at `base`, each starting where the one before it
    /// ends: what writers produce. Decoding skips the check for letters in
    /// tags and needs no start digits, since a field's start is the sum of
    /// the lengths before it; that start is known as soon as the entry
    /// before it is decoded, however long the caller spends on that field.
    Tiled {
        /// Base address of data.
        base: u32,
        /// Number of entries.
        count: u32,
    },
    /// The record's own directory, read in place: `count` whole entries
    /// from byte 24 on, each of which the parser checked (valid tag, digit
    /// length and start, field inside the data area ending with 0x1E), and
    /// data starting at `base`. No copy, no allocation.
    InPlace {
        /// Base address of data.
        base: u32,
        /// Number of entries.
        count: u32,
    },
    /// Entries that lenient mode repaired (skipped entries, fields re-cut
    /// at their terminators): only damaged records need this list.
    Repaired(Vec<Entry>),
}

impl Directory {
    /// Number of entries.
    #[inline]
    pub(crate) fn len(&self) -> usize {
        match self {
            Directory::InPlace { count, .. } | Directory::Tiled { count, .. } => *count as usize,
            Directory::Repaired(v) => v.len(),
        }
    }

    /// The entries of the record `raw` (the bytes this directory was made
    /// for).
    #[inline]
    pub(crate) fn entries<'v>(&'v self, raw: &'v [u8]) -> Entries<'v> {
        let inner = match self {
            Directory::Tiled { base, count } => Inner::Tiled {
                raw: in_place(raw, *count).iter(),
                base: *base,
                at: *base as usize,
            },
            Directory::InPlace { base, count } => Inner::InPlace {
                raw: in_place(raw, *count).iter(),
                base: *base,
            },
            Directory::Repaired(v) => Inner::Repaired(v.iter()),
        };
        Entries { inner }
    }

    /// The first entry with `tag` (compared as the three directory bytes
    /// when the directory is read in place, without decoding the others).
    #[inline]
    pub(crate) fn find(&self, raw: &[u8], tag: Tag) -> Option<Entry> {
        match self {
            Directory::InPlace { base, count } | Directory::Tiled { base, count } => {
                let bytes = tag.to_bytes();
                in_place(raw, *count)
                    .iter()
                    .find(|e| e.tag == bytes)
                    // Its tag is `tag`: nothing to decode.
                    .map(|e| located(e, *base, tag))
            }
            Directory::Repaired(v) => v.iter().find(|e| e.tag == tag).copied(),
        }
    }
}

/// The directory entries of a [`RecordView`](crate::RecordView), decoded as
/// they are read; see [`RecordView::entries`](crate::RecordView::entries).
///
/// ```
/// use marcview::{Field, Record, RecordView, Tag};
/// # fn main() -> Result<(), marcview::Error> {
/// let mut r = Record::new();
/// r.push_field(Field::control(Tag::new(1), "id1")?)?;
/// r.push_field(Field::new(Tag::new(245), *b"10").with_subfield(b'a', "Title")?)?;
/// let bytes = r.to_iso2709()?;
/// let view = RecordView::parse(&bytes)?;
/// let tags: Vec<_> = view.entries().map(|e| e.tag().to_string()).collect();
/// assert_eq!(tags, ["001", "245"]);
/// assert_eq!(view.entries().len(), 2);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Entries<'v> {
    inner: Inner<'v>,
}

#[derive(Clone, Debug)]
enum Inner<'v> {
    Tiled {
        raw: std::slice::Iter<'v, RawEntry>,
        /// For `nth` and `next_back`, which decode the start digits.
        base: u32,
        /// Where the next field starts.
        at: usize,
    },
    InPlace {
        raw: std::slice::Iter<'v, RawEntry>,
        base: u32,
    },
    Repaired(std::slice::Iter<'v, Entry>),
}

impl Iterator for Entries<'_> {
    type Item = Entry;

    #[inline(always)]
    fn next(&mut self) -> Option<Entry> {
        match &mut self.inner {
            Inner::Tiled { raw, at, .. } => raw.next().map(|e| decode_tiled(e, at)),
            Inner::InPlace { raw, base } => raw.next().map(|e| decode(e, *base)),
            Inner::Repaired(it) => it.next().copied(),
        }
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.len();
        (n, Some(n))
    }

    #[inline]
    fn nth(&mut self, n: usize) -> Option<Entry> {
        match &mut self.inner {
            Inner::Tiled { raw, base, at } => raw.nth(n).map(|e| {
                let entry = decode_numeric(e, *base);
                // The field after it starts right after its terminator.
                *at = entry.range().end + 1;
                entry
            }),
            Inner::InPlace { raw, base } => raw.nth(n).map(|e| decode(e, *base)),
            Inner::Repaired(it) => it.nth(n).copied(),
        }
    }
}

impl DoubleEndedIterator for Entries<'_> {
    #[inline]
    fn next_back(&mut self) -> Option<Entry> {
        match &mut self.inner {
            Inner::Tiled { raw, base, .. } => raw.next_back().map(|e| decode_numeric(e, *base)),
            Inner::InPlace { raw, base } => raw.next_back().map(|e| decode(e, *base)),
            Inner::Repaired(it) => it.next_back().copied(),
        }
    }
}

impl ExactSizeIterator for Entries<'_> {
    #[inline]
    fn len(&self) -> usize {
        match &self.inner {
            Inner::InPlace { raw, .. } | Inner::Tiled { raw, .. } => raw.len(),
            Inner::Repaired(it) => it.len(),
        }
    }
}

impl std::iter::FusedIterator for Entries<'_> {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_is_compact() {
        assert_eq!(std::mem::size_of::<Entry>(), 12);
        assert_eq!(std::mem::size_of::<RawEntry>(), 12);
    }

    #[test]
    fn numbers_match_parsing() {
        let mut rng = crate::test_rng::TestRng::new(0x9E37_79B9_7F4A_7C15);
        for i in 0..100_000u64 {
            let seed = rng.next();
            // Every digit in every place, and the extremes.
            let (tag, len, start) = match i {
                0 => (0, 0, 0),
                1 => (999, 9999, 99999),
                _ => (seed % 1000, (seed >> 10) % 10_000, (seed >> 30) % 100_000),
            };
            let text = format!("{tag:03}{len:04}{start:05}");
            let e = raw_entries(text.as_bytes())[0];
            assert_eq!(e.length_and_start(), (len as u32, start as u32), "{text}");
            let tag = Tag::new(tag as u16);
            assert_eq!(e.tag_and_length(), (tag, len as u32), "{text}");
        }
        // Bytes that are not digits stay within the documented bounds.
        for b in 0..=255u8 {
            let e = raw_entries(&[b; 12])[0];
            let (len, start) = e.length_and_start();
            assert!(len < 65_536 && start < 656_000, "{b}");
            let (tag, len) = e.tag_and_length();
            assert!(tag.number().is_some() && len < 65_536, "{b}");
        }
    }

    #[test]
    fn decodes_in_place() {
        let raw = b"00000nam  2200000   4500001000400000245001200004\x1e";
        let e = raw_entries(&raw[24..48]);
        let a = decode(&e[0], 49);
        assert_eq!((a.tag, a.start, a.len), (Tag::new(1), 49, 3));
        let b = decode(&e[1], 49);
        assert_eq!((b.tag, b.start, b.len), (Tag::new(245), 53, 11));
        let d = Directory::InPlace { base: 49, count: 2 };
        assert_eq!(d.len(), 2);
        let all: Vec<_> = d.entries(raw).collect();
        assert_eq!(all, [a, b]);
        assert_eq!(d.entries(raw).next_back(), Some(b));
        assert_eq!(d.entries(raw).nth(1), Some(b));
        assert_eq!(d.find(raw, Tag::new(245)), Some(b));
        assert_eq!(d.find(raw, Tag::new(100)), None);
        // A directory longer than the bytes yields nothing rather than panic.
        let short = Directory::InPlace { base: 49, count: 9 };
        assert_eq!(short.entries(raw).count(), 0);
    }

    #[test]
    fn tiled_directories_decode_alike() {
        let raw = b"00000nam  2200000   4500001000400000245001000004100000600014\x1eid1\x1e10\x1faTitle\x1e1 \x1faX\x1e\x1d";
        let t = Directory::Tiled { base: 61, count: 3 };
        let i = Directory::InPlace { base: 61, count: 3 };
        assert!(t.entries(raw).eq(i.entries(raw)));
        assert_eq!(
            &raw[t.entries(raw).nth(1).unwrap().range()],
            b"10\x1faTitle"
        );
        for n in 0..4 {
            assert_eq!(t.entries(raw).nth(n), i.entries(raw).nth(n), "{n}");
            // After `nth`, `next` goes on from the right place.
            let (mut a, mut b) = (t.entries(raw), i.entries(raw));
            a.nth(n);
            b.nth(n);
            assert!(a.eq(b), "{n}");
        }
        assert_eq!(t.entries(raw).next_back(), i.entries(raw).next_back());
        assert_eq!(t.find(raw, Tag::new(100)), i.find(raw, Tag::new(100)));
        assert_eq!(t.len(), 3);
    }

    #[test]
    fn casts_whole_entries_only() {
        let dir = b"245002000000100001300020X";
        let e = raw_entries(dir);
        assert_eq!(e.len(), 2);
        assert_eq!(&e[1].tag, b"100");
        assert_eq!(&e[1].start, b"00020");
    }
}
