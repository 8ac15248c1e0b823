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

/// How much is asked for per record: 16 cache lines, about one record of
/// the Library of Congress files (mean 967 bytes).
pub(crate) const SPAN: usize = 1024;

/// Asks for `buf[start + DISTANCE..][..SPAN]`, one request per cache line,
/// for the record that starts at `start`. As a reader moves from one record
/// to the next, this window moves with it. The number of requests is fixed,
/// so the loop has no exit that depends on the record's length (one that
/// mispredicted about once a record): on BooksAll this took the directory
/// pass from 46.2 to 44.9–45.2 ms and the full walk from 97.1 to 94.8–95.7
/// ms against asking for exactly the lines of the record (see
/// BENCHMARKS.md, 6 December). Lines of longer records that the window
/// misses are left to the hardware prefetcher, which follows the reader's
/// sequential reads anyway; within `SPAN` of the end of `buf` nothing is
/// asked for.
#[inline(always)]
pub(crate) fn ahead(buf: &[u8], start: usize) {
    let from = start.saturating_add(DISTANCE);
    if let Some(bytes) = buf.get(from..).and_then(<[u8]>::first_chunk::<SPAN>) {
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
        for start in [
            0,
            10,
            DISTANCE,
            2 * DISTANCE - SPAN,
            2 * DISTANCE - SPAN + 1,
            3 * DISTANCE,
            usize::MAX - 1,
            usize::MAX,
        ] {
            ahead(&buf, start);
            line(&buf, start);
        }
        ahead(&[], 0);
        line(&[], 0);
    }
}
