//! Asks the cache for bytes the reader reaches soon, so that fetching them
//! from memory overlaps with the work on the records before them.
//!
//! On x86-64 (and x86 with SSE) this is the prefetch instruction (through the
//! `safe_arch` crate, safe because it takes a reference and never faults),
//! which does not wait for the bytes. Elsewhere one byte of each cache line
//! is read instead; the reads overlap with the work that follows, but the
//! processor has to wait for them before it can retire that work.

/// How far ahead of the record being read the cache is asked for: about
/// four records of the Library of Congress files (median 870 bytes), a few
/// microseconds of work, longer than a fetch from memory takes.
pub(crate) const DISTANCE: usize = 4096;

/// Asks for `buf[start + DISTANCE..end + DISTANCE]` (what lies in `buf` of
/// it), one request per cache line, for the record at `start..end`. As a
/// reader moves from one record to the next, this window moves with it and
/// covers every line once, so the requests per record stay proportional to
/// its length.
#[inline(always)]
pub(crate) fn ahead(buf: &[u8], start: usize, end: usize) {
    let from = start.saturating_add(DISTANCE);
    let to = end.saturating_add(DISTANCE).min(buf.len());
    if let Some(bytes) = buf.get(from..to) {
        imp::lines(bytes);
    }
}

/// Asks for the cache line of `buf[at]`, if there is such a byte.
#[inline(always)]
pub(crate) fn line(buf: &[u8], at: usize) {
    if let Some(b) = buf.get(at..at.saturating_add(1)) {
        imp::lines(b);
    }
}

#[cfg(any(
    target_arch = "x86_64",
    all(target_arch = "x86", target_feature = "sse")
))]
mod imp {
    /// Prefetches the cache lines of `bytes` into all cache levels.
    #[inline(always)]
    pub(super) fn lines(bytes: &[u8]) {
        for b in bytes.iter().step_by(64) {
            safe_arch::prefetch_t0(b);
        }
    }
}

#[cfg(not(any(
    target_arch = "x86_64",
    all(target_arch = "x86", target_feature = "sse")
)))]
mod imp {
    /// Reads one byte of each cache line of `bytes`.
    #[inline(always)]
    pub(super) fn lines(bytes: &[u8]) {
        let acc = bytes.iter().step_by(64).fold(0u8, |acc, b| acc ^ b);
        std::hint::black_box(acc);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_window_is_safe() {
        let buf = vec![7u8; 3 * DISTANCE];
        for (start, end) in [
            (0, 10),
            (0, 0),
            (DISTANCE, 3 * DISTANCE),
            (usize::MAX - 1, usize::MAX),
        ] {
            ahead(&buf, start, end);
        }
        ahead(&[], 0, 100);
    }
}
