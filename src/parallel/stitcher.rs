//! [`Stitcher`]: joining the walks of phase 1 (see `plan.rs`) into units,
//! in shard order, as the walks come in.

use crate::ReadOptions;

use super::cut::candidate_starts;
use super::plan::{Walk, walk_from};
use super::unit::Unit;

/// Joins the walks of the shards, in shard order, into units: checks each
/// walk's end against the next shard's start (see `plan.rs`), and
/// numbers the records. Walks may be added in any order; units come out as
/// soon as every walk before them is in.
#[derive(Debug)]
pub(crate) struct Stitcher<'a> {
    buf: &'a [u8],
    opts: ReadOptions,
    /// Candidate starts, one per shard; shard `i` spans `starts[i]` to
    /// `starts[i + 1]` (or the end).
    starts: Vec<usize>,
    /// Walks added but not stitched yet, by shard.
    walks: Vec<Option<Walk<'a>>>,
    /// The shard whose walk comes next: it starts where the last unit ended.
    next: usize,
    /// Records in the units so far.
    records: u64,
    /// The control number the sequential reader carries into the next unit.
    last_001: &'a [u8],
    finished: bool,
}

impl<'a> Stitcher<'a> {
    pub(crate) fn new(buf: &'a [u8], opts: ReadOptions, shard_bytes: usize) -> Stitcher<'a> {
        let starts = candidate_starts(buf, shard_bytes);
        Stitcher {
            buf,
            opts,
            walks: (0..starts.len()).map(|_| None).collect(),
            starts,
            next: 0,
            records: 0,
            last_001: &[],
            finished: false,
        }
    }

    /// The input.
    pub(crate) fn input(&self) -> &'a [u8] {
        self.buf
    }

    /// The reading options.
    pub(crate) fn options(&self) -> ReadOptions {
        self.opts
    }

    /// Number of shards.
    pub(crate) fn shards(&self) -> usize {
        self.starts.len()
    }

    /// Where shard `i` starts and where the next one starts.
    pub(crate) fn span(&self, i: usize) -> (usize, usize) {
        let from = self.starts.get(i).copied().unwrap_or(self.buf.len());
        let to = self.starts.get(i + 1).copied().unwrap_or(self.buf.len());
        (from, to)
    }

    /// Whether every unit is out: the last one ends at the end of the input.
    pub(crate) fn is_finished(&self) -> bool {
        self.finished
    }

    /// Records in the units so far.
    pub(crate) fn records(&self) -> u64 {
        self.records
    }

    /// The shard whose walk the next unit waits for (`None` once finished).
    /// Shards before it are no longer needed.
    pub(crate) fn needed(&self) -> Option<usize> {
        (!self.finished).then_some(self.next)
    }

    /// Hands in the walk of shard `i` (see [`ShardWalk::finish`](super::plan::ShardWalk::finish)).
    pub(crate) fn add(&mut self, i: usize, walk: Walk<'a>) {
        if i >= self.next
            && let Some(slot) = self.walks.get_mut(i)
        {
            *slot = Some(walk);
        }
    }

    /// Appends to `units` every unit that the walks added so far determine.
    pub(crate) fn stitch(&mut self, units: &mut Vec<Unit<'a>>) {
        while !self.finished {
            let Some(walk) = self.walks.get_mut(self.next).and_then(Option::take) else {
                if self.next >= self.starts.len() {
                    // No shards at all (never so: shard 0 starts at 0).
                    self.finished = true;
                }
                return;
            };
            self.join(walk, units);
        }
    }

    /// Turns `walk`, which starts where the sequential reader is, into a
    /// unit, and decides where the next unit starts.
    fn join(&mut self, mut walk: Walk<'a>, units: &mut Vec<Unit<'a>>) {
        loop {
            units.push(Unit {
                start: walk.start,
                end: walk.end,
                records_before: self.records,
                records: walk.records,
                last_001: self.last_001,
            });
            self.records += walk.records;
            if let Some(id) = walk.last_001 {
                self.last_001 = id;
            }
            if walk.end >= self.buf.len() {
                self.finished = true;
                return;
            }
            let end = walk.end;
            match self.starts.binary_search(&end) {
                // Proven: the shard starting here delimits what the
                // sequential reader delimits.
                Ok(j) => {
                    self.next = j;
                    return;
                }
                // The walk jumped past a cut: walk on until a later cut is
                // met exactly (or the end).
                Err(mut k) => {
                    let starts = &self.starts;
                    walk = walk_from(self.buf, end, self.opts, |pos| {
                        while starts.get(k).is_some_and(|&s| s < pos) {
                            k += 1;
                        }
                        starts.get(k) == Some(&pos)
                    });
                }
            }
        }
    }
}
