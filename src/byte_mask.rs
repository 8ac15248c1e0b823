//! Where one byte value occurs in a short run of bytes, as a bit mask: bit
//! `i` is set when byte `i` equals the byte searched for.
//!
//! This is what lets [`Subfields`](crate::Subfields) find every delimiter
//! of a field with one compare per 16 bytes instead of a search per
//! subfield. On x86 and x86-64, SSE2 (part of the x86-64 baseline) does the
//! compare through the `safe_arch` crate, whose functions are safe to call
//! wherever the target enables the instructions; elsewhere, and on 32-bit
//! x86 without SSE2, a portable version computes the same masks eight bytes
//! at a time in a register.
//!
//! Invariant: every function here returns exactly the positions of `byte`
//! in the bytes it was given, and no bit beyond them.

/// The positions of `byte` in a 16-byte block.
#[inline(always)]
pub(crate) fn mask16(block: [u8; 16], byte: u8) -> u32 {
    imp::mask16(block, byte)
}

/// The number of bytes one mask covers.
pub(crate) const WINDOW: usize = 64;

/// The positions of `byte` in `bytes[at..]`, at most [`WINDOW`] of them
/// (bit 0 is `bytes[at]`). Empty when `at` is past the end.
///
/// Reads whole 16-byte blocks: the four from `at`, or, near the end, the
/// last 64 bytes (shifted so that bit 0 is `bytes[at]`). Only runs shorter
/// than 64 bytes in all are put together from blocks that may overlap (or
/// words, below 16 bytes).
///
/// The readers use [`ends_within`]; this is its reference in the tests.
#[cfg(test)]
fn mask_at(bytes: &[u8], at: usize, byte: u8) -> u64 {
    if let Some(window) = bytes.get(at..).and_then(<[u8]>::first_chunk::<WINDOW>) {
        return mask64(window, byte);
    }
    mask_near_end(bytes, at, byte)
}

/// The positions of `byte` in `bytes[at..]` when they do not fill a whole
/// window: the last 64 bytes, shifted so that bit 0 is `bytes[at]`; only
/// runs shorter than 64 bytes in all are put together from blocks that may
/// overlap (or words, below 16 bytes). Empty when `at` is past the end.
/// Rare on record views, whose bytes run on past the record: out of line,
/// so that the loops it would be inlined into keep their registers.
#[cold]
#[inline(never)]
fn mask_near_end(bytes: &[u8], at: usize, byte: u8) -> u64 {
    let len = bytes.len();
    if at >= len {
        return 0;
    }
    if let Some(last) = bytes.last_chunk::<WINDOW>() {
        // The last window ends where `bytes` does and starts before `at`;
        // `len - at` is 1 to 63.
        return mask64(last, byte) >> (WINDOW - (len - at));
    }
    short_mask(bytes, byte) >> at
}

/// Where a run `bytes[at..len]` is cut: the positions of `byte` in it (at
/// most [`WINDOW`] of them, bit 0 is `bytes[at]`), plus the bit of `len`
/// itself when it lies within the window. The window is read whole from
/// `bytes` when it fits there, even when `bytes` runs on past `len` (the
/// bits from `len` on are then dropped), which spares the fields of a
/// record the piecing together that [`mask_near_end`] does.
#[inline(always)]
pub(crate) fn ends_within(bytes: &[u8], len: usize, at: usize, byte: u8) -> u64 {
    let rest = len.wrapping_sub(at);
    // Computed once: the bits below it are kept, and it is the end.
    let end = bit_at(rest);
    if let Some(window) = bytes.get(at..).and_then(<[u8]>::first_chunk::<WINDOW>)
        && rest <= len
    {
        return (mask64(window, byte) & end.wrapping_sub(1)) | end;
    }
    // The window does not fit in `bytes` either, or starts past `len`.
    mask_near_end(bytes.get(..len).unwrap_or(bytes), at, byte) | end
}

/// `1 << n`, or 0 from 64 on; a conditional move rather than a branch,
/// since fields end at unpredictable places.
#[inline(always)]
pub(crate) fn bit_at(n: usize) -> u64 {
    1u64.checked_shl(n.min(64) as u32).unwrap_or(0)
}

/// The positions of `byte` in a window of [`WINDOW`] bytes.
#[inline(always)]
fn mask64(window: &[u8; WINDOW], byte: u8) -> u64 {
    whole_blocks(window, byte)
}

/// The positions of `byte` in the whole 16-byte blocks of `bytes` (at
/// most four of them; bytes after the last whole block are not looked at).
#[inline(always)]
fn whole_blocks(bytes: &[u8], byte: u8) -> u64 {
    let mut m = 0;
    for (i, block) in bytes.chunks_exact(16).take(4).enumerate() {
        let block = block.try_into().unwrap_or([0; 16]);
        m |= u64::from(mask16(block, byte)) << (16 * i);
    }
    m
}

/// The positions of `byte` in all of `bytes`, which is shorter than
/// [`WINDOW`]: its whole 16-byte blocks and the last 16 bytes, or two
/// overlapping words below 16 bytes.
#[inline(never)]
fn short_mask(bytes: &[u8], byte: u8) -> u64 {
    let len = bytes.len();
    if let Some(last) = bytes.last_chunk::<16>() {
        return whole_blocks(bytes, byte) | u64::from(mask16(*last, byte)) << (len - 16);
    }
    if let (Some(first), Some(last)) = (bytes.first_chunk::<8>(), bytes.last_chunk::<8>()) {
        // Bytes 0..8 and len-8..len.
        let mut b = [0u8; 16];
        b[..8].copy_from_slice(first);
        b[8..].copy_from_slice(last);
        let m = u64::from(mask16(b, byte));
        return (m & 0xFF) | ((m >> 8) << (len - 8));
    }
    bytes
        .iter()
        .enumerate()
        .filter(|&(_, &b)| b == byte)
        .fold(0, |m, (i, _)| m | 1 << i)
}

#[cfg(any(
    target_arch = "x86_64",
    all(target_arch = "x86", target_feature = "sse2")
))]
use sse2 as imp;

#[cfg(not(any(
    target_arch = "x86_64",
    all(target_arch = "x86", target_feature = "sse2")
)))]
use portable as imp;

#[cfg(any(
    target_arch = "x86_64",
    all(target_arch = "x86", target_feature = "sse2")
))]
mod sse2 {
    use safe_arch::{cmp_eq_mask_i8_m128i, m128i, move_mask_i8_m128i, set_splat_i8_m128i};

    /// SSE2: one compare and one move-mask for 16 bytes.
    #[inline(always)]
    pub(super) fn mask16(block: [u8; 16], byte: u8) -> u32 {
        let eq = cmp_eq_mask_i8_m128i(m128i::from(block), set_splat_i8_m128i(byte as i8));
        // The move-mask sets the low 16 bits only.
        move_mask_i8_m128i(eq) as u32
    }
}

/// Also built for the tests, which compare it with SSE2 where both exist.
#[cfg(any(
    test,
    not(any(
        target_arch = "x86_64",
        all(target_arch = "x86", target_feature = "sse2")
    ))
))]
mod portable {
    /// Portable: two 8-byte words in a register.
    #[inline(always)]
    pub(super) fn mask16(block: [u8; 16], byte: u8) -> u32 {
        let mut lo = [0u8; 8];
        lo.copy_from_slice(&block[..8]);
        let mut hi = [0u8; 8];
        hi.copy_from_slice(&block[8..]);
        mask8(u64::from_le_bytes(lo), byte) | mask8(u64::from_le_bytes(hi), byte) << 8
    }

    /// The positions of `byte` in the eight bytes of `word` (little-endian).
    #[inline(always)]
    fn mask8(word: u64, byte: u8) -> u32 {
        const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
        let v = word ^ (0x0101_0101_0101_0101 * u64::from(byte));
        // 0x80 in exactly the bytes of `v` that are zero (no borrow between
        // bytes, unlike the shorter test for "some byte is zero").
        let zero = !(((v & LOW7) + LOW7) | v | LOW7);
        // Gathers bit 7 of each byte into the top byte, byte i to bit 56+i:
        // the partial products never overlap, so nothing carries.
        ((zero >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(bytes: &[u8], at: usize, byte: u8) -> u64 {
        bytes
            .iter()
            .enumerate()
            .skip(at)
            .take(WINDOW)
            .filter(|&(_, &b)| b == byte)
            .fold(0, |m, (i, _)| m | 1 << (i - at))
    }

    #[test]
    fn masks_match_a_byte_by_byte_search() {
        // Every length below 150, every start, delimiters at varied places,
        // and bytes that differ from the delimiter in one bit only.
        let mut rng = crate::test_rng::TestRng::new(0x2545_F491_4F6C_DD1D);
        for len in 0..150 {
            for round in 0..50 {
                let bytes: Vec<u8> = (0..len)
                    .map(|_| {
                        let r = rng.next();
                        match r % 5 {
                            0 => 0x1F,
                            1 => 0x9F,
                            2 => 0x1E,
                            3 => 0x00,
                            _ => (r >> 8) as u8,
                        }
                    })
                    .collect();
                if let Ok(block) = <[u8; 16]>::try_from(&bytes[..len.min(16)]) {
                    assert_eq!(
                        u64::from(portable::mask16(block, 0x1F)),
                        naive(&block, 0, 0x1F)
                    );
                }
                for at in 0..=len + 2 {
                    let want = naive(&bytes, at, 0x1F);
                    // The same bytes followed by others, read past the end.
                    let mut longer = bytes.clone();
                    longer.extend_from_slice(&[0x1F; 80][..round * 3 % 80]);
                    let end = bit_at(len.wrapping_sub(at));
                    assert_eq!(
                        ends_within(&longer, len, at, 0x1F),
                        want | end,
                        "{bytes:?} at {at}"
                    );
                    assert_eq!(
                        mask_at(&bytes, at, 0x1F),
                        want,
                        "{bytes:?} at {at} ({round})"
                    );
                }
            }
        }
    }

    #[test]
    fn every_byte_value() {
        for byte in 0..=255u8 {
            let block: [u8; 16] = std::array::from_fn(|i| byte.wrapping_add(i as u8 % 3));
            assert_eq!(u64::from(mask16(block, byte)), naive(&block, 0, byte));
            assert_eq!(
                u64::from(portable::mask16(block, byte)),
                naive(&block, 0, byte)
            );
        }
    }
}
