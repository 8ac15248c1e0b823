//! [`is_clean`](super::is_clean) with AVX2, eight directory entries at a
//! time.
//!
//! Each entry is read as 16 bytes (its 12 and 4 of the next), two entries
//! to a register. In each 128-bit lane one shuffle lines up the digits in
//! pairs, and two multiply-adds make the length, the two halves of the
//! start and a number that is 0 for a control field's tag. Four such
//! registers are then transposed into vectors of the eight lengths, starts
//! (one multiply joins the halves) and tags, in the order 0, 2, 4, 6, 1, 3,
//! 5, 7 in all of them. Each entry's start is compared with the end of the
//! entry before it: no running sum, so no chain from one entry to the next.
//! Only the four-byte word at each field's start is read one entry at a
//! time, as scalar reads with their bounds tests.
//!
//! The last group of eight may overlap the one before it; testing an entry
//! twice changes nothing. Directories of fewer than eight entries, and
//! those too near the end of the record to read 16 bytes for each entry,
//! go to the portable version.
//!
//! Every intrinsic used takes and returns values (no pointers), so none
//! needs `unsafe` inside this function; calling it needs the CPU check.

use std::arch::x86_64::{
    __m128i, __m256i, _mm256_add_epi32, _mm256_and_si256, _mm256_andnot_si256, _mm256_blend_epi32,
    _mm256_blendv_epi8, _mm256_cmpeq_epi32, _mm256_cmpgt_epi32, _mm256_extract_epi32,
    _mm256_madd_epi16, _mm256_maddubs_epi16, _mm256_max_epu8, _mm256_mullo_epi32, _mm256_or_si256,
    _mm256_permutevar8x32_epi32, _mm256_set_m128i, _mm256_set1_epi8, _mm256_set1_epi16,
    _mm256_set1_epi32, _mm256_setr_epi8, _mm256_setr_epi16, _mm256_setr_epi32,
    _mm256_setzero_si256, _mm256_shuffle_epi8, _mm256_sub_epi8, _mm256_subs_epu8,
    _mm256_testz_si256, _mm256_unpackhi_epi32, _mm256_unpackhi_epi64, _mm256_unpacklo_epi32,
    _mm256_unpacklo_epi64, _mm256_xor_si256,
};

use super::{ends_well, portable};
use crate::directory::RawEntry;

/// Entries per group.
const GROUP: usize = 8;

/// The bytes a group reads: its entries and 4 more.
const BLOCK: usize = 12 * GROUP + 4;

/// See [`is_clean`](super::is_clean).
#[target_feature(enable = "avx2")]
pub(super) fn is_clean(raw: &[u8], dir: &[RawEntry], base: usize, data_end: usize) -> bool {
    let count = dir.len();
    // The entries are read from `raw`, so they must be the ones there; every
    // entry's 16 bytes must lie in `raw` (24 + 12 * count + 4), and
    // positions fit in 32-bit lanes.
    let in_place = raw.get(24..).map(<[u8]>::as_ptr) == Some(bytemuck::cast_slice(dir).as_ptr());
    if !in_place || count < GROUP || raw.len() < 28 + 12 * count || base > i32::MAX as usize / 2 {
        return portable(raw, dir, base, data_end);
    }
    let k = Constants::new();
    // Nonzero wherever a test of some entry failed.
    let mut bad = _mm256_setzero_si256();
    // The ends of the previous group's fields, moved one place on, in the
    // vector order (see `Group::prev_ends`): its first element is the end
    // of the field before this group's first; the first field's start is 0.
    let mut carry = _mm256_setzero_si256();
    let mut first = 0;
    let mut end_of_last = 0;
    while first < count {
        // The last group overlaps the one before unless `count` is a
        // multiple of 8. Its first entry was tested with that group, so it
        // is compared with its own start.
        let overlap = first + GROUP > count;
        let at = if overlap { count - GROUP } else { first };
        let Some(block) = raw.get(24 + 12 * at..).and_then(<[u8]>::first_chunk) else {
            // Not reached: the length was checked above.
            return portable(raw, dir, base, data_end);
        };
        let g = Group::decode(&k, block);
        let prev = g.prev_ends(&k);
        // A select, not a branch: whether the last group overlaps depends
        // on the record.
        let before = _mm256_blendv_epi8(carry, g.starts, _mm256_set1_epi32(-i32::from(overlap)));
        let want = _mm256_blend_epi32::<1>(prev, before);
        carry = prev;
        bad = _mm256_or_si256(bad, g.faults(want));
        let Some(words) = g.word_faults(raw, base) else {
            return portable(raw, dir, base, data_end);
        };
        bad = _mm256_or_si256(bad, words);
        end_of_last = _mm256_extract_epi32::<7>(g.ends) as u32 as usize;
        first = at + GROUP;
    }
    (_mm256_testz_si256(bad, bad) != 0) & ends_well(raw, base + end_of_last, data_end)
}

/// The shuffles and weights, made once per directory.
struct Constants {
    ascii0: __m256i,
    shuffle: __m256i,
    tens: __m256i,
    hundreds: __m256i,
    lane_entry: __m256i,
    prev_order: __m256i,
}

impl Constants {
    #[inline]
    #[target_feature(enable = "avx2")]
    fn new() -> Constants {
        // 0x80 zeroes a byte in the shuffle.
        let z = -128i8;
        // Per lane, the entry's bytes as pairs: length 3-4, 5-6; start
        // (0)-7, 8-9, 10-11; tag 0-1.
        let lane = [3, 4, 5, 6, z, 7, 8, 9, 10, 11, z, z, 0, 1, z, z];
        let m = |i: usize| lane[i % 16];
        Constants {
            ascii0: _mm256_set1_epi8(b'0' as i8),
            #[rustfmt::skip]
            shuffle: _mm256_setr_epi8(
                m(0), m(1), m(2), m(3), m(4), m(5), m(6), m(7),
                m(8), m(9), m(10), m(11), m(12), m(13), m(14), m(15),
                m(0), m(1), m(2), m(3), m(4), m(5), m(6), m(7),
                m(8), m(9), m(10), m(11), m(12), m(13), m(14), m(15),
            ),
            // Pairs of digits: 10 * first + second.
            tens: _mm256_set1_epi16(0x010A),
            // Per lane: length = 100 * pair + pair; start's high part =
            // 100 * (first digit) + pair; low part = pair; tag pair.
            hundreds: _mm256_setr_epi16(100, 1, 100, 1, 1, 0, 1, 0, 100, 1, 100, 1, 1, 0, 1, 0),
            // Bytes 0-11 of each lane: the entry's own.
            #[rustfmt::skip]
            lane_entry: _mm256_setr_epi8(
                -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0,
                -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0,
            ),
            prev_order: _mm256_setr_epi32(7, 4, 5, 6, 0, 1, 2, 3),
        }
    }
}

/// Eight decoded entries, each vector in the order 0, 2, 4, 6, 1, 3, 5, 7.
struct Group {
    lens: __m256i,
    starts: __m256i,
    ends: __m256i,
    /// All ones for a data field, zero for a control field (tag `00X`).
    data: __m256i,
    /// Per byte, nonzero where an entry's byte is not a digit.
    not_digits: __m256i,
}

impl Group {
    /// Decodes the eight entries of `block` (and reads the 4 bytes after
    /// them).
    #[inline]
    #[target_feature(enable = "avx2")]
    fn decode(k: &Constants, block: &[u8; BLOCK]) -> Group {
        let entry = |i: usize| -> __m128i {
            let mut bytes = [0; 16];
            bytes.copy_from_slice(&block[12 * i..12 * i + 16]);
            bytemuck::cast(bytes)
        };
        // Lanes [entry a | entry a + 1]; the digits and the other bytes
        // less `0`, and elements [length, start / 100, start % 100, tag
        // pair] (as the digits say).
        let pair = |a: usize| {
            let v = _mm256_set_m128i(entry(a + 1), entry(a));
            let d = _mm256_sub_epi8(v, k.ascii0);
            let pairs = _mm256_maddubs_epi16(_mm256_shuffle_epi8(d, k.shuffle), k.tens);
            (d, _mm256_madd_epi16(pairs, k.hundreds))
        };
        let ((d0, y0), (d1, y1), (d2, y2), (d3, y3)) = (pair(0), pair(2), pair(4), pair(6));
        // Digits less `0` are 0-9 and every other byte more: the largest of
        // each byte's four tells.
        let most = _mm256_max_epu8(_mm256_max_epu8(d0, d1), _mm256_max_epu8(d2, d3));
        let above = _mm256_subs_epu8(most, _mm256_set1_epi8(9));
        // [l0 l2 h0 h2 | l1 l3 h1 h3], [s0 s2 t0 t2 | s1 s3 t1 t3] and so on.
        let (a, b) = (_mm256_unpacklo_epi32(y0, y1), _mm256_unpacklo_epi32(y2, y3));
        let (c, d) = (_mm256_unpackhi_epi32(y0, y1), _mm256_unpackhi_epi32(y2, y3));
        let lens = _mm256_unpacklo_epi64(a, b);
        let high = _mm256_unpackhi_epi64(a, b);
        let starts = _mm256_add_epi32(
            _mm256_mullo_epi32(high, _mm256_set1_epi32(100)),
            _mm256_unpacklo_epi64(c, d),
        );
        let not_digits = _mm256_and_si256(above, k.lane_entry);
        // The tag pair is 0 for `00X` (when the bytes are digits).
        let control = _mm256_cmpeq_epi32(_mm256_unpackhi_epi64(c, d), _mm256_setzero_si256());
        Group {
            lens,
            starts,
            ends: _mm256_add_epi32(starts, lens),
            data: _mm256_andnot_si256(control, _mm256_set1_epi32(-1)),
            not_digits,
        }
    }

    /// Each entry's predecessor's end; the first entry's place holds the
    /// last entry's end (for the next group).
    #[inline]
    #[target_feature(enable = "avx2")]
    fn prev_ends(&self, k: &Constants) -> __m256i {
        _mm256_permutevar8x32_epi32(self.ends, k.prev_order)
    }

    /// Nonzero where a test failed: a start not at `want`, a length of 0,
    /// a data field of one byte, a byte that is not a digit.
    #[inline]
    #[target_feature(enable = "avx2")]
    fn faults(&self, want: __m256i) -> __m256i {
        let two = _mm256_cmpeq_epi32(self.lens, _mm256_set1_epi32(2));
        let one_byte = _mm256_and_si256(self.data, two);
        let empty = _mm256_cmpeq_epi32(self.lens, _mm256_setzero_si256());
        let misplaced = _mm256_cmpeq_epi32(self.starts, want);
        let entry = _mm256_andnot_si256(misplaced, _mm256_set1_epi32(-1));
        _mm256_or_si256(
            _mm256_or_si256(entry, empty),
            _mm256_or_si256(one_byte, self.not_digits),
        )
    }

    /// Nonzero where a field's word (the byte before the field and its
    /// first three) does not match `0x1F00_001E` in the bytes that must
    /// (see [`portable`]); `None` when a word would run
    /// past the end of `raw`, which only a last field of one or two bytes
    /// without a record terminator after it makes happen. Each read's
    /// bounds test is a branch that is never taken in clean records, and
    /// there is no word to make up when it is.
    #[inline]
    #[target_feature(enable = "avx2")]
    fn word_faults(&self, raw: &[u8], base: usize) -> Option<__m256i> {
        let at = _mm256_add_epi32(self.starts, _mm256_set1_epi32(base as i32 - 1));
        let at: [u32; GROUP] = bytemuck::cast(at);
        let mut words = [0u32; GROUP];
        for (word, &i) in words.iter_mut().zip(&at) {
            let i = i as usize;
            *word = u32::from_le_bytes(raw.get(i..i + 4)?.try_into().ok()?);
        }
        let longer = _mm256_cmpgt_epi32(self.lens, _mm256_set1_epi32(3));
        let indicators = _mm256_and_si256(self.data, longer);
        let masks = _mm256_blendv_epi8(
            _mm256_set1_epi32(0xFF),
            _mm256_set1_epi32(0xFF00_00FF_u32 as i32),
            indicators,
        );
        let diff = _mm256_xor_si256(bytemuck::cast(words), _mm256_set1_epi32(0x1F00_001E));
        Some(_mm256_and_si256(diff, masks))
    }
}
