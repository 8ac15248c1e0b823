//! Whether a run of bytes is all ASCII digits, sixteen bytes at a time: the
//! first check on every directory, whose entries are twelve digits each
//! (tag, length, start) in all but damaged records.
//!
//! On x86 and x86-64 SSE2 does it through the `safe_arch` crate (as in
//! [`byte_mask`](crate::byte_mask)); elsewhere the plain byte loop, which
//! compilers vectorize themselves where they can.

/// True when every byte of `bytes` is `0`-`9` (also when it is empty).
#[inline]
pub(crate) fn all_digits(bytes: &[u8]) -> bool {
    imp::all_digits(bytes)
}

#[cfg(any(
    target_arch = "x86_64",
    all(target_arch = "x86", target_feature = "sse2")
))]
mod imp {
    use safe_arch::{
        cmp_eq_mask_i8_m128i, m128i, move_mask_i8_m128i, set_splat_i8_m128i, sub_i8_m128i,
        sub_saturating_u8_m128i, zeroed_m128i,
    };

    pub(super) fn all_digits(bytes: &[u8]) -> bool {
        let Some(last) = bytes.last_chunk::<16>() else {
            return bytes.iter().all(u8::is_ascii_digit);
        };
        // Per byte, how far it lies above '9' once '0' is taken away (bytes
        // below '0' wrap round to large values): zero for digits. OR-ed
        // over the blocks, then the last 16 bytes, which may overlap them.
        let above = |block: &[u8; 16]| {
            let d = sub_i8_m128i(m128i::from(*block), set_splat_i8_m128i(b'0' as i8));
            sub_saturating_u8_m128i(d, set_splat_i8_m128i(9))
        };
        let mut acc = above(last);
        for block in bytes.chunks_exact(16) {
            acc |= above(block.try_into().unwrap_or(&[b'0'; 16]));
        }
        move_mask_i8_m128i(cmp_eq_mask_i8_m128i(acc, zeroed_m128i())) == 0xFFFF
    }
}

#[cfg(not(any(
    target_arch = "x86_64",
    all(target_arch = "x86", target_feature = "sse2")
)))]
mod imp {
    pub(super) fn all_digits(bytes: &[u8]) -> bool {
        bytes.iter().all(u8::is_ascii_digit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_byte_in_every_place() {
        for len in 0..70 {
            let digits: Vec<u8> = (0..len).map(|i| b'0' + (i % 10) as u8).collect();
            assert!(all_digits(&digits), "{len}");
            for at in 0..len {
                for b in 0..=255u8 {
                    let mut v = digits.clone();
                    v[at] = b;
                    assert_eq!(all_digits(&v), b.is_ascii_digit(), "{len} {at} {b}");
                }
            }
        }
    }
}
