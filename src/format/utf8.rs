//! Byte-level helpers for the text-format writers: finding the next byte
//! that needs attention eight bytes at a time, and validating one UTF-8
//! sequence the way `String::from_utf8_lossy` does (maximal subparts).

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// `b` in every byte of a word.
#[inline(always)]
pub(crate) const fn splat(b: u8) -> u64 {
    LO * b as u64
}

/// High bit set in (at least) the lowest byte of `x` equal to `b`; bytes
/// above the lowest match may be flagged falsely, never those below.
#[inline(always)]
pub(crate) const fn eq_mask(x: u64, b: u8) -> u64 {
    let y = x ^ splat(b);
    y.wrapping_sub(LO) & !y & HI
}

/// High bit set in (at least) the lowest byte of `x` below 0x20 or above
/// 0x7F, with the same false positives as [`eq_mask`].
#[inline(always)]
pub(crate) const fn control_or_high_mask(x: u64) -> u64 {
    (x.wrapping_sub(splat(0x20)) & !x & HI) | (x & HI)
}

/// The index of the first byte at or after `i` that `mask` flags, eight
/// bytes at a time (the last few through a zero-padded word), or
/// `s.len()`. `mask` must flag every byte that needs attention and may flag
/// bytes above the first such byte falsely (the padding of the last word is
/// cut off here).
#[inline(always)]
pub(crate) fn next_marked(s: &[u8], mut i: usize, mask: impl Fn(u64) -> u64) -> usize {
    while let Some(chunk) = s.get(i..i + 8) {
        let Ok(word) = <[u8; 8]>::try_from(chunk) else {
            break;
        };
        let m = mask(u64::from_le_bytes(word));
        if m != 0 {
            return i + (m.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    let rest = s.get(i..).unwrap_or_default();
    if rest.is_empty() {
        return s.len();
    }
    let mut word = [0u8; 8];
    word[..rest.len()].copy_from_slice(rest);
    // Only the bytes that are there (fewer than eight).
    let live = (1u64 << (8 * rest.len())) - 1;
    let m = mask(u64::from_le_bytes(word)) & live;
    if m != 0 {
        i + (m.trailing_zeros() / 8) as usize
    } else {
        s.len()
    }
}

/// The UTF-8 sequence at the start of `s` (which starts with a byte above
/// 0x7F): `Ok(len)` when valid, else `Err(n)`, the length of the maximal
/// invalid subpart to replace by one U+FFFD (at least 1).
#[inline]
pub(crate) fn sequence(s: &[u8]) -> Result<usize, usize> {
    let Some(&lead) = s.first() else {
        return Err(1);
    };
    // Allowed range of the second byte, and the sequence length.
    let (lo, hi, len) = match lead {
        0xC2..=0xDF => (0x80, 0xBF, 2),
        0xE0 => (0xA0, 0xBF, 3),
        0xE1..=0xEC | 0xEE..=0xEF => (0x80, 0xBF, 3),
        0xED => (0x80, 0x9F, 3),
        0xF0 => (0x90, 0xBF, 4),
        0xF1..=0xF3 => (0x80, 0xBF, 4),
        0xF4 => (0x80, 0x8F, 4),
        _ => return Err(1),
    };
    match s.get(1) {
        Some(&b) if (lo..=hi).contains(&b) => {}
        _ => return Err(1),
    }
    for k in 2..len {
        match s.get(k) {
            Some(&b) if (0x80..=0xBF).contains(&b) => {}
            _ => return Err(k),
        }
    }
    Ok(len)
}

/// The subfield code at the start of a subfield chunk (code and value):
/// its length in bytes and whether it is a character. A code is one byte in
/// ISO 2709, but a byte above 0x7F that starts a UTF-8 character is written
/// as that whole character (as yaz and pymarc do), so that nothing is lost;
/// an invalid sequence counts as one code, written as U+FFFD.
#[inline]
pub(crate) fn code_len(chunk: &[u8]) -> (usize, bool) {
    match chunk.first() {
        Some(b) if b.is_ascii() => (1, true),
        Some(_) => match sequence(chunk) {
            Ok(n) => (n, true),
            Err(n) => (n, false),
        },
        None => (0, false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Replaces like `from_utf8_lossy` using [`sequence`].
    fn lossy(s: &[u8]) -> String {
        let mut out = String::new();
        let mut i = 0;
        while let Some(&b) = s.get(i) {
            if b < 0x80 {
                out.push(char::from(b));
                i += 1;
                continue;
            }
            match sequence(&s[i..]) {
                Ok(n) => {
                    out.push_str(std::str::from_utf8(&s[i..i + n]).unwrap());
                    i += n;
                }
                Err(n) => {
                    out.push('\u{FFFD}');
                    i += n;
                }
            }
        }
        out
    }

    #[test]
    fn sequences_match_the_standard_library() {
        let cases: &[&[u8]] = &[
            "é☃😀".as_bytes(),
            b"\xe0\xa0\x41",
            b"\xed\xa0\x80",
            b"\xf4\x90\x80\x80",
            b"\xf0\x9f\x98",
            b"\xc0\xaf\x80\xbf\xfe\xff",
            b"\xe2\x82",
            b"a\xf1\x80\x80\xe1\x80\xc2b",
        ];
        for c in cases {
            assert_eq!(lossy(c), String::from_utf8_lossy(c), "{c:?}");
        }
        // Every two-byte combination after a lead, exhaustively.
        for a in 0x80..=0xFFu8 {
            for b in 0..=0xFFu8 {
                for c in [0x41u8, 0x80, 0xBF] {
                    let v = [a, b, c, 0x80];
                    assert_eq!(lossy(&v), String::from_utf8_lossy(&v), "{v:?}");
                }
            }
        }
    }

    #[test]
    fn codes_take_whole_characters() {
        assert_eq!(code_len(b"aTitle"), (1, true));
        assert_eq!(code_len("ηx".as_bytes()), (2, true));
        assert_eq!(code_len(b"\xef\xbf\xbdb"), (3, true));
        assert_eq!(code_len(b"\xe2\x82b"), (2, false));
        assert_eq!(code_len(b"\xffb"), (1, false));
        assert_eq!(code_len(b""), (0, false));
    }

    #[test]
    fn masks_find_the_first_marked_byte() {
        let mask = |x: u64| control_or_high_mask(x) | eq_mask(x, b'<');
        for len in 0..20 {
            for pos in 0..=len {
                for special in [b'<', 0x01, 0xC3, 0x1F, 0xFF] {
                    let mut v = vec![b'a'; len];
                    if pos < len {
                        v[pos] = special;
                    }
                    assert_eq!(next_marked(&v, 0, mask), pos.min(len));
                }
            }
        }
        assert_eq!(next_marked(b"abcdefghij<", 3, mask), 10);
        assert_eq!(next_marked(b"abc", 0, mask), 3);
        assert_eq!(next_marked(b"", 0, mask), 0);
    }
}
