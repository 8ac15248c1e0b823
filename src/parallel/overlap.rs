//! Phases 1 and 2 of the parallel scanner at the same time: each task that
//! reads a unit (phase 2) also walks the boundaries of a later shard
//! (phase 1), one record of the walk per record read.
//!
//! A walk on its own mostly waits for memory: each step jumps to a record
//! that is not in the cache yet. Between the records of a unit being read,
//! the step's wait overlaps the reading, so the walk costs little more than
//! its instructions, and there is no pause between the phases.
//!
//! Order of work: the first shards are walked before any reading starts
//! (enough to keep every thread busy); from then on, each unit's task walks
//! the next shard no task has walked yet. When a task is done it hands its
//! walk to the [`Stitcher`] (under a lock taken once per unit, never per
//! record), which numbers the units the walks now determine, and spawns a
//! task for each.

use std::sync::{Mutex, PoisonError};

use rayon::ScopeFifo;
use rayon::prelude::*;

use crate::{Error, ReadOptions, RecordView, WarningLog};

use super::plan::{CHAINS, ShardWalk, Stitcher, Walk, walk_together};
use super::unit::{Unit, UnitIter};

/// Units ready to be read, per thread, that the first walks provide.
const AHEAD_PER_THREAD: usize = 4;

/// What every task shares.
struct Shared<'a, T> {
    stitcher: Stitcher<'a>,
    /// Shards `0..walked` have been walked or handed to a task to walk.
    walked: usize,
    /// Each unit's folded value and warnings, in unit order.
    results: Vec<Option<(T, WarningLog)>>,
}

/// The fixed parts of the work, borrowed by every task.
struct Job<'j, 'a, T, I, F> {
    buf: &'a [u8],
    opts: ReadOptions,
    init: &'j I,
    fold: &'j F,
    shared: Mutex<Shared<'a, T>>,
}

/// Folds every record of `buf`, unit by unit, with shards of about
/// `shard_bytes`: for each unit in input order, its folded value (`init`,
/// then `fold` for each of its records) and its warnings; and the number
/// of records.
pub(crate) fn fold_units<'a, T, I, F>(
    buf: &'a [u8],
    opts: ReadOptions,
    shard_bytes: usize,
    init: &I,
    fold: &F,
) -> (Vec<(T, WarningLog)>, u64)
where
    T: Send,
    I: Fn() -> T + Sync,
    F: Fn(T, Result<RecordView<'a>, Error>) -> T + Sync,
{
    let mut stitcher = Stitcher::new(buf, opts, shard_bytes);
    let first = (rayon::current_num_threads().max(1) * AHEAD_PER_THREAD).min(stitcher.shards());
    let spans: Vec<(usize, usize)> = (0..first).map(|i| stitcher.span(i)).collect();
    let walks = spans
        .par_chunks(CHAINS)
        .map(|group| walk_together(buf, group, opts))
        .collect::<Vec<_>>();
    for (i, walk) in walks.into_iter().flatten().enumerate() {
        stitcher.add(i, walk);
    }
    let job = Job {
        buf,
        opts,
        init,
        fold,
        shared: Mutex::new(Shared {
            stitcher,
            walked: first,
            results: Vec::new(),
        }),
    };
    rayon::scope_fifo(|scope| job.advance(scope, None));
    let shared = job
        .shared
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner);
    debug_assert!(shared.stitcher.is_finished());
    let records = shared.stitcher.records();
    (shared.results.into_iter().flatten().collect(), records)
}

impl<'j, 'a, T, I, F> Job<'j, 'a, T, I, F>
where
    T: Send,
    I: Fn() -> T + Sync,
    F: Fn(T, Result<RecordView<'a>, Error>) -> T + Sync,
{
    /// Reads unit number `index` while walking `shard` (its number and
    /// span), if any.
    fn run<'s>(
        &'s self,
        scope: &ScopeFifo<'s>,
        index: usize,
        unit: Unit<'a>,
        shard: Option<(usize, (usize, usize))>,
    ) where
        'j: 's,
        'a: 's,
    {
        let mut it = UnitIter::new(self.buf, &unit, self.opts);
        let mut acc = (self.init)();
        let walked = match shard {
            Some((i, span)) => {
                let mut walk = ShardWalk::new(self.buf, span);
                for r in it.by_ref() {
                    acc = (self.fold)(acc, r);
                    walk.step(self.buf);
                }
                Some((i, walk.finish(self.buf, self.opts)))
            }
            None => {
                acc = it.by_ref().fold(acc, self.fold);
                None
            }
        };
        let mut shared = self.shared();
        if let Some(slot) = shared.results.get_mut(index) {
            *slot = Some((acc, it.into_log()));
        }
        drop(shared);
        self.advance(scope, walked);
    }

    /// Hands in `walked` and spawns a task for every unit that is then
    /// ready, each with the next shard to walk.
    ///
    /// Invariant: the shard the stitcher waits for has been handed to a
    /// task (or walked before reading started). Shards are handed out in
    /// order, from the one the stitcher needs on, each time units come out;
    /// and the shard it needs changes only when units come out.
    fn advance<'s>(&'s self, scope: &ScopeFifo<'s>, walked: Option<(usize, Walk<'a>)>)
    where
        'j: 's,
        'a: 's,
    {
        let mut units = Vec::new();
        let mut shared = self.shared();
        if let Some((i, walk)) = walked {
            shared.stitcher.add(i, walk);
        }
        shared.stitcher.stitch(&mut units);
        let first_index = shared.results.len();
        shared.results.extend(units.iter().map(|_| None));
        // Shards before the one the stitcher needs are past.
        if let Some(needed) = shared.stitcher.needed() {
            shared.walked = shared.walked.max(needed);
        }
        let tasks: Vec<_> = units
            .into_iter()
            .enumerate()
            .map(|(k, unit)| {
                let i = shared.walked;
                let shard = (i < shared.stitcher.shards()).then(|| (i, shared.stitcher.span(i)));
                shared.walked += usize::from(shard.is_some());
                (first_index + k, unit, shard)
            })
            .collect();
        debug_assert!(
            shared.stitcher.needed().is_none_or(|n| n < shared.walked),
            "the next shard to stitch is walked by no one"
        );
        drop(shared);
        for (index, unit, shard) in tasks {
            scope.spawn_fifo(move |scope| self.run(scope, index, unit, shard));
        }
    }

    /// The shared state; a panic elsewhere (in a caller's closure, never
    /// while the lock is held) does not make it unusable.
    fn shared(&self) -> std::sync::MutexGuard<'_, Shared<'a, T>> {
        self.shared.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Field, Reader, Record, Tag};

    fn rec(id: &str) -> Vec<u8> {
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

    /// Record numbers, offsets and 001s as the units read them, in order.
    fn read(buf: &[u8], shard: usize, pool: &rayon::ThreadPool) -> Vec<String> {
        let init = Vec::new;
        let fold = |mut v: Vec<String>, r: Result<RecordView<'_>, Error>| {
            v.push(match r {
                Ok(v) => format!(
                    "{} {} {:?}",
                    v.record_number(),
                    v.offset(),
                    v.control_number()
                ),
                Err(e) => e.to_string(),
            });
            v
        };
        let (parts, records) =
            pool.install(|| fold_units(buf, ReadOptions::default(), shard, &init, &fold));
        let all: Vec<String> = parts.into_iter().flat_map(|(v, _)| v).collect();
        assert_eq!(records, all.len() as u64);
        all
    }

    #[test]
    fn units_come_out_in_order_whatever_the_cuts() {
        // Record 3 declares a length that swallows record 4, so cuts after
        // record 3 are disproved and walked past, at every shard size, some
        // of them beyond the shards walked before reading starts.
        let mut buf = Vec::new();
        for i in 0..3 {
            buf.extend(rec(&format!("a{i}")));
        }
        let mut long = rec("long");
        let swallowed = rec("gone");
        let joined = long.len() + swallowed.len();
        long[0..5].copy_from_slice(format!("{joined:05}").as_bytes());
        buf.extend(long);
        buf.extend(swallowed);
        for i in 0..60 {
            buf.extend(rec(&format!("b{i}")));
        }
        let want: Vec<String> = Reader::new(&buf)
            .map(|r| match r {
                Ok(v) => format!(
                    "{} {} {:?}",
                    v.record_number(),
                    v.offset(),
                    v.control_number()
                ),
                Err(e) => e.to_string(),
            })
            .collect();
        assert_eq!(want.len(), 64);
        for threads in [1, 2, 3] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            for shard in (1..200).chain([333, 1000, 100_000]) {
                let got = read(&buf, shard, &pool);
                assert_eq!(got, want, "shard {shard}, {threads} threads");
            }
            assert!(read(&[], 10, &pool).is_empty());
        }
    }
}
