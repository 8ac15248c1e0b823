//! The directory check of the common case: does a record's directory
//! describe clean, tiled fields? (See [`is_clean`].)
//!
//! Two versions decide alike: the portable one, entry by entry, and on
//! x86-64 CPUs with AVX2 one that decodes eight entries at a time. The CPU
//! is asked once (the standard library keeps the answer) and the AVX2
//! version is called only where it said yes: the one `unsafe` block here.

use crate::directory::RawEntry;
use crate::parse::FIELD_TERMINATOR;

#[cfg(target_arch = "x86_64")]
mod avx2;

/// The common case in one pass that records nothing: true when the
/// directory entries `dir` of record `raw` (its bytes from 24 on) need no
/// repair, give no warning, and are tiled (see `Directory::Tiled`), which
/// is how writers lay records out. That is, every entry is all digits with a
/// length of at least 1; its field starts where the one before it ends (the
/// first at the base address `base`) and ends with 0x1E; a data field holds
/// nothing, just two indicators, or indicators and a delimiter; and the
/// last field ends where the data area does (at `data_end`). Tiling makes
/// the bounds of each field follow from the last one's, so they need no
/// test of their own. Whatever else the entries hold (including clean
/// fields in another order), the parser's checks entry by entry find it and
/// report it.
///
/// A field's start and the terminator before it are checked with one read
/// of four bytes (the field before it ends where it starts), the last
/// field's terminator at the end. Entries of other bytes than digits decode
/// to numbers that mean nothing (reads stay in bounds), but the answer is
/// false by then. A base of 0 (never a record's) or of 2^31 or more gives
/// false: the parser's checks then decide, as for any other directory.
#[inline(always)]
pub(crate) fn is_clean(raw: &[u8], dir: &[RawEntry], base: usize, data_end: usize) -> bool {
    #[cfg(target_arch = "x86_64")]
    if avx2_on() {
        // SAFETY: `avx2::is_clean` needs only the AVX2 instructions, and
        // `avx2_on` is true only on a CPU that reported them at run time.
        #[allow(unsafe_code)]
        let clean = unsafe { avx2::is_clean(raw, dir, base, data_end) };
        // Under cargo-fuzz every record read is also a test that the two
        // versions agree.
        #[cfg(fuzzing)]
        assert_eq!(
            clean,
            portable(raw, dir, base, data_end),
            "AVX2 and portable checks differ"
        );
        return clean;
    }
    portable(raw, dir, base, data_end)
}

/// Whether the AVX2 version may run: the CPU has AVX2 (asked once; later
/// calls read a cached answer).
#[cfg(all(target_arch = "x86_64", not(test)))]
#[inline(always)]
fn avx2_on() -> bool {
    std::is_x86_feature_detected!("avx2")
}

#[cfg(all(target_arch = "x86_64", test))]
thread_local! {
    /// Tests turn the AVX2 version off to check the portable one.
    static AVX2: std::cell::Cell<bool> = const { std::cell::Cell::new(true) };
}

#[cfg(all(target_arch = "x86_64", test))]
fn avx2_on() -> bool {
    AVX2.with(std::cell::Cell::get) && std::is_x86_feature_detected!("avx2")
}

/// [`is_clean`] entry by entry, for any CPU.
///
/// The digits are checked for the whole directory at once; the other
/// conditions of each entry are combined without branching on them, which
/// keeps this loop short and free of mispredictions.
///
/// Out of line: inlined into the parser, the loop ran short of registers
/// and took about 57 instructions an entry instead of 46.
#[inline(never)]
pub(crate) fn portable(raw: &[u8], dir: &[RawEntry], base: usize, data_end: usize) -> bool {
    // Positions are counted in 32 bits, which makes each read's bounds test
    // one compare (`i + 4` cannot wrap). Lengths are below 65,536 and
    // entries below 8,334, so from a base below 2^31 no sum wraps; a base
    // of at least 1 keeps `at - 1` from wrapping.
    let Some(base32) = u32::try_from(base)
        .ok()
        .filter(|&b| (1..1 << 31).contains(&b))
    else {
        return false;
    };
    let mut ok = crate::digits::all_digits(bytemuck::cast_slice(dir));
    // Where the next field must start.
    let mut at = base32;
    for e in dir {
        let (len, start) = e.length_and_start();
        let field_len = len.wrapping_sub(1);
        // One read covers the terminator of the field before (for the
        // first field, the directory's) and this field's first three bytes.
        // `at >= base > 0`, so `at - 1` cannot wrap.
        let word = word_at(raw, (at - 1) as usize);
        let data = !e.is_control();
        // A data field of more than two bytes starts with two indicators
        // and a delimiter; one of a single byte is malformed.
        let mask = if data & (field_len > 2) {
            0xFF00_00FF
        } else {
            0xFF
        };
        let starts = (word & mask) == (0x1F00_001E & mask);
        ok &= (base32 + start == at) & (len != 0) & starts & !(data & (field_len == 1));
        at += len;
    }
    ok & ends_well(raw, at as usize, data_end)
}

/// Whether the last field, ending at `at`, ends where the data area does
/// (at `data_end`) with a terminator: the one terminator the entries' reads
/// did not cover. With every field where the one before it ended, and none
/// empty, all then lie inside the data area.
#[inline(always)]
fn ends_well(raw: &[u8], at: usize, data_end: usize) -> bool {
    (at == data_end) & (raw.get(data_end.wrapping_sub(1)) == Some(&FIELD_TERMINATOR))
}

/// Bytes `i..i + 4` of `raw` as a little-endian word; bytes past the end
/// of `raw` read as 0. `i` is below 2^32.
#[inline(always)]
fn word_at(raw: &[u8], i: usize) -> u32 {
    match raw.get(i..i + 4).and_then(|w| w.first_chunk()) {
        Some(w) => u32::from_le_bytes(*w),
        None => word_near_end(raw, i),
    }
}

/// [`word_at`] for a word that runs past the end of `raw` (or starts past it).
#[cold]
#[inline(never)]
fn word_near_end(raw: &[u8], i: usize) -> u32 {
    let rest = raw.get(i..).unwrap_or_default();
    let n = rest.len().min(4);
    let mut w = [0u8; 4];
    w[..n].copy_from_slice(&rest[..n]);
    u32::from_le_bytes(w)
}

/// Runs `f` with the AVX2 version on or off (tests only; on CPUs without
/// AVX2 it is off either way).
#[cfg(test)]
pub(crate) fn with_avx2<T>(on: bool, f: impl FnOnce() -> T) -> T {
    #[cfg(target_arch = "x86_64")]
    let was = AVX2.with(|a| a.replace(on));
    let out = f();
    #[cfg(target_arch = "x86_64")]
    AVX2.with(|a| a.set(was));
    #[cfg(not(target_arch = "x86_64"))]
    let _ = on;
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::directory::raw_entries;
    use crate::test_rng::TestRng;

    /// A record of `fields` (tag, value without terminator), laid out as
    /// writers do, with `base` and the record terminator.
    fn record(fields: &[(u16, Vec<u8>)]) -> Vec<u8> {
        let base = 24 + 12 * fields.len() + 1;
        let mut dir = Vec::new();
        let mut data = Vec::new();
        for (tag, value) in fields {
            let len = value.len() + 1;
            dir.extend_from_slice(format!("{tag:03}{len:04}{:05}", data.len()).as_bytes());
            data.extend_from_slice(value);
            data.push(FIELD_TERMINATOR);
        }
        let total = base + data.len() + 1;
        let mut r = format!("{total:05}nam a22{base:05}   4500").into_bytes();
        r.extend_from_slice(&dir);
        r.push(FIELD_TERMINATOR);
        r.extend_from_slice(&data);
        r.push(0x1D);
        r
    }

    /// Fields of every kind the check tells apart: control fields, data
    /// fields of 0 to 3 bytes, with and without their delimiter, and longer
    /// ones.
    fn fields(rng: &mut TestRng, n: usize) -> Vec<(u16, Vec<u8>)> {
        (0..n)
            .map(|_| {
                let control = rng.below(4) == 0;
                let tag = if control {
                    1 + rng.below(9) as u16
                } else {
                    10 + rng.below(990) as u16
                };
                let mut v = if control {
                    Vec::new()
                } else {
                    b"10\x1fa".to_vec()
                };
                let len = match rng.below(6) {
                    0 => rng.below(4),
                    _ => v.len() + rng.below(40),
                };
                v.resize(len, b'x');
                (tag, v)
            })
            .collect()
    }

    /// Both versions' answers for `raw` with the base and data end its
    /// leader and length give.
    fn both(raw: &[u8]) -> (bool, bool) {
        let count = (raw.len().max(25) - 25) / 12;
        let base: usize = std::str::from_utf8(&raw[12..17])
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(25);
        let count = count.min((base.max(25) - 25) / 12);
        let data_end = raw.len() - 1;
        let dir = raw_entries(&raw[24..24 + 12 * count]);
        let fast = with_avx2(true, || is_clean(raw, dir, base, data_end));
        let slow = with_avx2(false, || is_clean(raw, dir, base, data_end));
        (fast, slow)
    }

    #[test]
    fn both_versions_decide_alike() {
        #[cfg(target_arch = "x86_64")]
        if !std::is_x86_feature_detected!("avx2") {
            eprintln!("this CPU has no AVX2: only the portable version runs");
        }
        let mut rng = TestRng::new(0x2545_F491_4F6C_DD1D);
        let values = [
            b'0', b'1', b'9', 0x1E, 0x1F, 0x1D, b'A', b' ', 0, b'/', b':', b'x',
        ];
        let (mut clean, mut unclean) = (0, 0);
        // Directories of 0 to 40 entries: groups of eight, a last group
        // that overlaps, and the short ones the portable version takes.
        for n in 0..=40 {
            for round in 0..300 {
                let good = record(&fields(&mut rng, n));
                let mut raw = good.clone();
                if round > 0 {
                    for _ in 0..1 + rng.below(3) {
                        let at = 24 + rng.below(raw.len() - 25);
                        raw[at] = match rng.below(3) {
                            0 => raw[at].wrapping_add(1),
                            1 => raw[at].wrapping_sub(1),
                            _ => values[rng.below(values.len())],
                        };
                    }
                }
                let (fast, slow) = both(&raw);
                assert_eq!(fast, slow, "{}", raw.escape_ascii());
                if fast {
                    clean += 1;
                } else {
                    unclean += 1;
                }
                // Unchanged records that writers make are clean unless a
                // data field is a single byte.
                if round == 0 && !good.windows(3).any(|w| w[0] == 0x1E && w[2] == 0x1E) {
                    assert!(slow, "{}", raw.escape_ascii());
                }
            }
        }
        assert!(
            clean > 2000 && unclean > 2000,
            "{clean} clean, {unclean} not"
        );
    }

    #[test]
    fn words_near_the_end_of_the_record() {
        // A last field of one or two bytes, with and without the record
        // terminator after it: the AVX2 version hands these over.
        for n in [7, 8, 9, 16, 17] {
            for last in [vec![], b"1".to_vec(), b"12".to_vec()] {
                let mut f: Vec<(u16, Vec<u8>)> = (0..n - 1)
                    .map(|i| (100 + i as u16, b"10\x1fabc".to_vec()))
                    .collect();
                f.push((5, last));
                let raw = record(&f);
                assert_eq!(both(&raw), (true, true));
                let cut = &raw[..raw.len() - 1];
                for end in [cut.len(), cut.len() - 1] {
                    let dir = raw_entries(&cut[24..24 + 12 * n]);
                    let base = 24 + 12 * n + 1;
                    let fast = with_avx2(true, || is_clean(cut, dir, base, end));
                    let slow = with_avx2(false, || is_clean(cut, dir, base, end));
                    assert_eq!(fast, slow);
                    assert_eq!(fast, end == cut.len());
                }
            }
        }
    }
}
