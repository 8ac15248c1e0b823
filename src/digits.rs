//! Whether a run of bytes is all ASCII digits, sixteen bytes to a compare:
//! the first check on every directory, whose entries are twelve digits each
//! (tag, length, start) in all but damaged records.
//!
//! A run of 64 bytes or more is read in steps of 64 (four compares), then
//! its last 64 bytes (which overlap the steps before): one loop with one
//! exit. Directories vary in length, so that exit mispredicts, and a loop
//! of 16-byte steps, which the compiler unrolled into a loop of 64-byte
//! steps followed by one of 16-byte steps, had two such exits: on BooksAll
//! the single loop took the directory pass from 45.0–45.2 to 43.5–43.7 ms
//! and the full walk from 95.1–95.2 to 93.1–93.4 ms (AMD EPYC Zen 4; on the
//! Zen 5 machine of 2 December it made no difference).
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
        // Per byte, how far it lies above '9' once '0' is taken away (bytes
        // below '0' wrap round to large values): zero for digits. OR-ed
        // over the blocks.
        let above = |block: &[u8; 16]| {
            let d = sub_i8_m128i(m128i::from(*block), set_splat_i8_m128i(b'0' as i8));
            sub_saturating_u8_m128i(d, set_splat_i8_m128i(9))
        };
        let four = |b: &[u8; 64]| {
            let q = |i: usize| above(b[16 * i..16 * i + 16].try_into().unwrap_or(&[b'0'; 16]));
            q(0) | q(1) | q(2) | q(3)
        };
        let acc = if let Some(last) = bytes.last_chunk::<64>() {
            // Steps of 64 bytes, then the last 64 (which may overlap them).
            bytes.chunks_exact(64).fold(four(last), |acc, b| {
                acc | four(b.try_into().unwrap_or(&[b'0'; 64]))
            })
        } else if let Some(last) = bytes.last_chunk::<16>() {
            // Steps of 16 bytes, then the last 16.
            bytes.chunks_exact(16).fold(above(last), |acc, b| {
                acc | above(b.try_into().unwrap_or(&[b'0'; 16]))
            })
        } else {
            return bytes.iter().all(u8::is_ascii_digit);
        };
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

    #[test]
    fn long_directories_in_every_place() {
        // Several 64-byte steps and a last step that overlaps them.
        for len in [127, 128, 129, 191, 192, 193, 240, 252, 500] {
            let digits: Vec<u8> = (0..len).map(|i| b'0' + (i % 10) as u8).collect();
            assert!(all_digits(&digits), "{len}");
            for at in 0..len {
                for b in [b'/', b':', 0, 0xFF, 0xB0, b'A', 0x1E] {
                    let mut v = digits.clone();
                    v[at] = b;
                    assert!(!all_digits(&v), "{len} {at} {b}");
                }
            }
        }
    }

    #[test]
    fn digit_blocks_match_bytes() {
        for b in 0..=255u8 {
            let block: [u8; 16] = std::array::from_fn(|i| b.wrapping_add(i as u8));
            assert_eq!(all_digits(&block), block.iter().all(u8::is_ascii_digit));
        }
    }
}
