//! Where to cut a byte slice into shards: candidate record starts.
//!
//! A candidate start is the byte after a record terminator (0x1D) from which
//! a plausible leader follows (after filler) and the declared lengths chain
//! over [`CHAIN`] records, each landing on a terminator. The check only makes
//! a good guess: the planner (see `plan.rs`) still proves each cut against
//! the sequential rules before it is used.

use memchr::memchr_iter;

use crate::boundary::{is_filler, plausible_leader};
use crate::leader::{LEADER_LEN, parse_digits};
use crate::parse::RECORD_TERMINATOR;

/// Records whose lengths must chain from a candidate start.
pub(crate) const CHAIN: usize = 3;

/// Cut points for shards of about `shard_bytes`: always `0` first, then at
/// most one verified start in each later window of `shard_bytes` bytes,
/// strictly increasing. Linear in `buf.len()`.
pub(crate) fn candidate_starts(buf: &[u8], shard_bytes: usize) -> Vec<usize> {
    let shard_bytes = shard_bytes.max(1);
    let mut starts = vec![0];
    let mut cut = shard_bytes;
    while cut < buf.len() {
        let limit = cut.saturating_add(shard_bytes).min(buf.len());
        if let Some(s) = find_start(buf, cut, limit) {
            starts.push(s);
        }
        cut = limit;
    }
    starts
}

/// The first verified start `s` with `from <= s <= limit` whose terminator
/// lies before `limit`.
fn find_start(buf: &[u8], from: usize, limit: usize) -> Option<usize> {
    let lo = from.saturating_sub(1);
    let window = buf.get(lo..limit)?;
    memchr_iter(RECORD_TERMINATOR, window)
        .map(|i| lo + i + 1)
        .find(|&s| s >= from && s < buf.len() && chains(buf, s))
}

/// Does a chain of [`CHAIN`] records (or fewer, up to the end of the
/// input) start at `s`?
pub(crate) fn chains(buf: &[u8], s: usize) -> bool {
    let mut q = s;
    for hop in 0..CHAIN {
        while q < buf.len() && is_filler(buf[q]) {
            q += 1;
        }
        let Some(rest) = buf.get(q..).filter(|r| !r.is_empty()) else {
            return hop > 0;
        };
        if !plausible_leader(rest) {
            return false;
        }
        let Some(n) = rest.get(0..5).and_then(parse_digits) else {
            return false;
        };
        if n <= LEADER_LEN || rest.get(n - 1) != Some(&RECORD_TERMINATOR) {
            return false;
        }
        q += n;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(len: usize) -> Vec<u8> {
        let mut r = format!("{len:05}nam a2200025 a 4500").into_bytes();
        r.push(0x1E);
        r.resize(len - 1, b'x');
        r.push(0x1D);
        r
    }

    #[test]
    fn starts_land_after_terminators() {
        let mut buf = Vec::new();
        for i in 0..50 {
            buf.extend(rec(40 + i));
            buf.extend_from_slice(b"\r\n");
        }
        let starts = candidate_starts(&buf, 100);
        assert_eq!(starts[0], 0);
        assert!(starts.len() > 10);
        for w in starts.windows(2) {
            assert!(w[0] < w[1]);
        }
        for &s in &starts[1..] {
            assert_eq!(buf[s - 1], 0x1D);
        }
    }

    #[test]
    fn rejects_broken_chains() {
        let mut buf = rec(40);
        buf.extend(rec(40));
        let mut bad = rec(40);
        bad[0..5].copy_from_slice(b"00041");
        buf.extend(bad);
        buf.extend(rec(40));
        buf.extend(rec(40));
        // From records 1 and 2 the chain meets the bad length within three
        // hops; from record 4 it does not.
        assert!(!chains(&buf, 0));
        assert!(!chains(&buf, 40));
        assert!(chains(&buf, 120));
        // A chain that reaches the end early is fine; the end itself is not.
        assert!(chains(&buf, 160));
        assert!(!chains(&buf, 200));
    }

    #[test]
    fn garbage_has_no_starts() {
        let buf = vec![0x1D; 1000];
        assert_eq!(candidate_starts(&buf, 10), [0]);
        assert_eq!(candidate_starts(&[], 10), [0]);
    }
}
