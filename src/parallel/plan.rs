//! Phase 1 of the parallel scanner: turning candidate cuts into [`Unit`]s
//! that are proven to start where the sequential reader starts a record.
//!
//! Each shard walks record boundaries (no parsing) from its candidate start
//! until it reaches or passes the next shard's start. Shard 0 starts where
//! the sequential reader starts, and boundary decisions depend only on the
//! position and the bytes, so a walk that lands *exactly* on the next
//! shard's start proves that start; by induction the units then delimit the
//! same records as the sequential reader. A walk that jumps past the next
//! start (a record the sequential rules make longer than the cut assumed)
//! disproves it: the planner walks on from there, sequentially, until it
//! lands exactly on a later start or the end, and the shards in between are
//! dropped. Every byte is walked at most twice, so the plan stays linear
//! whatever the input.
//!
//! The walks jump from record to record by declared lengths. Each task
//! walks several shards at once, a record of each in turn, so that their
//! waits for memory overlap (`walk_together`).
//!
//! [`plan`] walks every shard, then joins the walks into units with a
//! [`Stitcher`], which also takes walks one by one, as `overlap.rs` hands
//! them in while units are being read (and `ordered_units.rs` a window of
//! shards at a time).

use rayon::prelude::*;

use crate::boundary::{Frame, ScanHint, declared_end, is_filler, next_frame};
use crate::parse::RECORD_TERMINATOR;
use crate::reader::ReadState;
use crate::{ReadOptions, Tag};

use super::stitcher::Stitcher;
use super::unit::{Unit, UnitIter};

/// Record starts remembered per walk to find its last control number.
const RING: usize = 8;

/// The outcome of walking record boundaries from one start.
#[derive(Debug)]
pub(crate) struct Walk<'a> {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) records: u64,
    /// The 001 of the walk's last readable record that has one.
    pub(crate) last_001: Option<&'a [u8]>,
}

/// Splits `buf` into units of whole records, about `shard_bytes` each.
/// Runs on the current rayon pool.
pub(crate) fn plan(buf: &[u8], opts: ReadOptions, shard_bytes: usize) -> Vec<Unit<'_>> {
    let mut stitcher = Stitcher::new(buf, opts, shard_bytes);
    let shards = stitcher.shards();
    walk_shards(&mut stitcher, 0, shards);
    let mut units = Vec::with_capacity(stitcher.shards());
    stitcher.stitch(&mut units);
    debug_assert!(stitcher.is_finished());
    units
}

/// Walks shards `from..to` of `stitcher`'s input (those of them it has),
/// [`CHAINS`] per task, on the current rayon pool, and hands the walks in.
pub(crate) fn walk_shards(stitcher: &mut Stitcher<'_>, from: usize, to: usize) {
    let (buf, opts) = (stitcher.input(), stitcher.options());
    let to = to.min(stitcher.shards());
    let spans: Vec<(usize, usize)> = (from.min(to)..to).map(|i| stitcher.span(i)).collect();
    let walks = spans
        .par_chunks(CHAINS)
        .map(|group| walk_together(buf, group, opts))
        .collect::<Vec<_>>();
    for (k, walk) in walks.into_iter().flatten().enumerate() {
        stitcher.add(from + k, walk);
    }
}

/// Shards whose boundaries one task walks at the same time. A walk is a
/// chain of loads, each waiting for the one before it, so one task gets
/// through memory only as fast as it has chains in flight: on BooksAll
/// (116 shards), walking every boundary took 6.5 ms on one thread with 8
/// chains, 3.9 ms with 16, 2.5 ms with 24 or 32 and 2.7–2.9 ms with 48 or
/// 64; on two threads 48 chains were faster than 32 (1.2 against 1.6 ms)
/// and 64 slower (see BENCHMARKS.md). 32 is the best measured on one
/// thread.
pub(crate) const CHAINS: usize = 32;

/// One walk over record boundaries (see [`walk_from`] and [`ShardWalk`]).
#[derive(Debug)]
struct Chain {
    from: usize,
    pos: usize,
    records: u64,
    /// Where the last `RING` records started, to find the walk's last 001.
    ring: [usize; RING],
    hint: ScanHint,
    /// The end rule 2 gives the record at `pos`, its terminator's line
    /// asked for from the cache but not yet looked at.
    pending: Option<usize>,
}

impl Chain {
    /// A walk from `from`, a position the sequential reader is at.
    fn new(buf: &[u8], from: usize) -> Chain {
        Chain {
            from,
            pos: from,
            records: 0,
            ring: [0; RING],
            hint: ScanHint::default(),
            pending: declared_end_ahead(buf, from),
        }
    }

    /// Walks one record: the end rule 2 gave it when its terminator is
    /// there, else what `next_frame` decides. False when the input ended
    /// instead (`pos` is then the end of the input).
    fn step(&mut self, buf: &[u8]) -> bool {
        let end = match self.pending.take() {
            Some(end) if buf.get(end - 1) == Some(&RECORD_TERMINATOR) => end,
            _ => match next_frame(buf, self.pos, true, &mut self.hint) {
                Frame::Record { end, .. } => end,
                Frame::End { .. } | Frame::NeedMore => {
                    self.pos = buf.len();
                    return false;
                }
            },
        };
        self.ring[(self.records % RING as u64) as usize] = self.pos;
        self.records += 1;
        self.pos = end;
        if end < buf.len() {
            self.pending = declared_end_ahead(buf, end);
        }
        true
    }

    /// The finished walk, with its last control number.
    fn into_walk(self, buf: &[u8], opts: ReadOptions) -> Walk<'_> {
        let mut walk = Walk {
            start: self.from,
            end: self.pos,
            records: self.records,
            last_001: None,
        };
        walk.last_001 = last_001(buf, &walk, &self.ring, opts);
        walk
    }
}

/// The walk of one shard, from its start until it reaches or passes the
/// next shard's start, taken one record at a time ([`ShardWalk::step`]) so
/// that other work can go on between the steps.
#[derive(Debug)]
pub(crate) struct ShardWalk {
    chain: Chain,
    to: usize,
    done: bool,
}

impl ShardWalk {
    /// The walk of the shard spanning `(from, to)` (see [`Stitcher::span`]).
    pub(crate) fn new(buf: &[u8], (from, to): (usize, usize)) -> ShardWalk {
        ShardWalk {
            chain: Chain::new(buf, from),
            to,
            done: from >= buf.len(),
        }
    }

    /// Walks one more record, if the walk is not over. Each step asks the
    /// cache for the next record's terminator, so that fetching it overlaps
    /// whatever runs before the next step.
    #[inline]
    pub(crate) fn step(&mut self, buf: &[u8]) {
        if !self.done {
            self.done =
                !self.chain.step(buf) || self.chain.pos >= self.to || self.chain.pos >= buf.len();
        }
    }

    /// Whether the walk is over.
    #[inline]
    pub(crate) fn is_done(&self) -> bool {
        self.done
    }

    /// Walks to the end of the shard and gives the result.
    pub(crate) fn finish(mut self, buf: &[u8], opts: ReadOptions) -> Walk<'_> {
        while !self.done {
            self.step(buf);
        }
        self.chain.into_walk(buf, opts)
    }
}

/// Walks each span `(from, to)` of `spans` (see [`ShardWalk`]), all at the
/// same time: one record of each in turn. A single walk waits for memory at
/// every jump to the next record; here, while one walk's next terminator is
/// on its way from memory (asked for by [`declared_end_ahead`]), the others go on,
/// and only two cache lines per record are read instead of all of them.
pub(crate) fn walk_together<'a>(
    buf: &'a [u8],
    spans: &[(usize, usize)],
    opts: ReadOptions,
) -> Vec<Walk<'a>> {
    let mut walks: Vec<ShardWalk> = spans.iter().map(|&s| ShardWalk::new(buf, s)).collect();
    while walks.iter().any(|w| !w.is_done()) {
        for w in &mut walks {
            w.step(buf);
        }
    }
    walks.into_iter().map(|w| w.finish(buf, opts)).collect()
}

/// Where the record at `pos` (after any filler) ends by its declared
/// length ([`declared_end`]: rule 2 of the boundary rules, the first thing
/// `next_frame` tries), with the line of that end asked for from the
/// cache; whether a terminator is there is checked later.
#[inline]
fn declared_end_ahead(buf: &[u8], pos: usize) -> Option<usize> {
    let mut start = pos;
    while start < buf.len() && is_filler(buf[start]) {
        start += 1;
    }
    let end = declared_end(buf, start)?;
    crate::prefetch::line(buf, end - 1);
    Some(end)
}

/// Walks record boundaries from `from` (a position the sequential reader is
/// at) until `stop(pos)` holds after a record, or the input ends. Used
/// alone only to walk past a disproved cut, which is rare: on its own a
/// walk waits for memory at each record.
pub(crate) fn walk_from<'a>(
    buf: &'a [u8],
    from: usize,
    opts: ReadOptions,
    mut stop: impl FnMut(usize) -> bool,
) -> Walk<'a> {
    let mut chain = Chain::new(buf, from);
    while chain.pos < buf.len() && chain.step(buf) && !stop(chain.pos) {}
    chain.into_walk(buf, opts)
}

/// The control number the sequential reader carries out of `walk`: the 001
/// of its last record that reads as `Ok`. Reads the last records backwards,
/// and the whole walk again only when none of them has one.
fn last_001<'a>(
    buf: &'a [u8],
    walk: &Walk<'a>,
    ring: &[usize; RING],
    opts: ReadOptions,
) -> Option<&'a [u8]> {
    let quiet = ReadOptions {
        mode: opts.mode,
        max_warnings: 0,
    };
    let mut state = ReadState::new(quiet);
    let remembered = walk.records.min(RING as u64);
    for back in 0..remembered {
        let slot = ((walk.records - 1 - back) % RING as u64) as usize;
        let mut pos = ring[slot];
        let mut needs_more = false;
        if let Some(Ok(view)) = state.next(buf, &mut pos, 0, true, &[], &mut needs_more)
            && let Some(id) = view.control_field(Tag::new(1))
        {
            return Some(id);
        }
    }
    if walk.records <= RING as u64 {
        return None;
    }
    let unit = Unit {
        start: walk.start,
        end: walk.end,
        records_before: 0,
        records: walk.records,
        last_001: &[],
    };
    let mut it = UnitIter::new(buf, &unit, quiet);
    let mut found = false;
    for view in it.by_ref().flatten() {
        found |= view.control_field(Tag::new(1)).is_some();
    }
    found.then(|| it.last_001())
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::{Field, Reader, Record};

    /// `before` records, then one that declares a length landing on the
    /// next record's terminator (the sequential reader takes both as one
    /// record, so a cut after its own terminator is wrong and must be
    /// walked past), then `after` records.
    pub(in crate::parallel) fn swallowing(before: usize, after: usize) -> Vec<u8> {
        let mut buf = Vec::new();
        for i in 0..before {
            buf.extend(rec(&format!("a{i}")));
        }
        let mut long = rec("long");
        let swallowed = rec("gone");
        let joined = long.len() + swallowed.len();
        long[0..5].copy_from_slice(format!("{joined:05}").as_bytes());
        buf.extend(long);
        buf.extend(swallowed);
        for i in 0..after {
            buf.extend(rec(&format!("b{i}")));
        }
        buf
    }

    /// A small record with 001 `id` (shared by the scanner's unit tests).
    pub(in crate::parallel) fn rec(id: &str) -> Vec<u8> {
        let mut r = Record::new();
        r.push_field(Field::control(Tag::new(1), id).unwrap())
            .unwrap();
        r.push_field(
            Field::new(Tag::new(245), *b"10")
                .with_subfield(b'a', "Title")
                .unwrap(),
        )
        .unwrap();
        r.to_iso2709().unwrap()
    }

    fn check(buf: &[u8], shard: usize) -> Vec<Unit<'_>> {
        let units = plan(buf, ReadOptions::default(), shard);
        let seq: Vec<_> = Reader::new(buf).map(|r| r.map(|v| v.offset())).collect();
        let mut got = Vec::new();
        for w in units.windows(2) {
            assert_eq!(w[0].end, w[1].start);
        }
        for u in &units {
            let it = UnitIter::new(buf, u, ReadOptions::default());
            got.extend(it.map(|r| r.map(|v| v.offset())));
        }
        assert_eq!(format!("{got:?}"), format!("{seq:?}"));
        units
    }

    #[test]
    fn units_cover_clean_input() {
        let mut buf = Vec::new();
        for i in 0..40 {
            buf.extend(rec(&format!("n{i}")));
        }
        for shard in [1, 7, 50, 100, 1000, 100_000] {
            let units = check(&buf, shard);
            assert_eq!(units.first().map(|u| u.start), Some(0));
        }
        assert!(check(&buf, 100).len() > 10);
    }

    #[test]
    fn a_long_record_swallowing_a_cut_is_handled() {
        let buf = swallowing(1, 10);
        for shard in 1..200 {
            check(&buf, shard);
        }
    }

    #[test]
    fn last_001_comes_from_the_last_readable_record() {
        let mut buf = Vec::new();
        buf.extend(rec("first"));
        let mut none = Record::new();
        none.push_field(Field::new(Tag::new(245), *b"10")).unwrap();
        for _ in 0..(RING + 3) {
            buf.extend(none.to_iso2709().unwrap());
        }
        let w = walk_from(&buf, 0, ReadOptions::default(), |_| false);
        assert_eq!(w.last_001, Some(&b"first"[..]));
        let w = walk_from(&buf, buf.len() - 30, ReadOptions::default(), |_| false);
        assert_eq!(w.last_001, None);
    }
}
