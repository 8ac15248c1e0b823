//! Phases 1 and 2 of the parallel scanner at the same time: each task that
//! reads a unit (phase 2) also walks the boundaries of a later shard
//! (phase 1), one record of the walk per record read.
//!
//! A walk on its own mostly waits for memory: each step jumps to a record
//! that is not in the cache yet. Taken between the records of a unit being
//! read, part of that wait overlaps the reading (on BooksAll the sharded
//! walk on one thread went from 8–9 % to 5–6 % slower than the sequential
//! reader; see BENCHMARKS.md), and there is no pause between the phases.
//!
//! Order of work: the first shards are walked before any reading starts
//! (enough to keep every thread busy); from then on, each new unit's task
//! walks the next shard no task has walked yet. When a task is done it
//! hands its walk to the [`Stitcher`] (under a lock taken once per unit,
//! never per record), which numbers the units the walks now determine, and
//! a task is spawned for each.
//!
//! Results are combined in input order as soon as all units before them
//! are done, and a unit is started only while it is fewer than [`WINDOW`]
//! units per thread ahead of the first unfinished one: the units read, the
//! shards walked and the results held stay bounded whatever the input size.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Mutex, MutexGuard, PoisonError};

use rayon::ScopeFifo;

use crate::{Error, ReadOptions, RecordView, WarningLog};

use super::plan::{ShardWalk, Walk, walk_shards};
use super::stitcher::Stitcher;
use super::unit::{Unit, UnitIter};

/// Shards per thread walked before reading starts.
const AHEAD_PER_THREAD: usize = 4;

/// Units per thread that may be started past the first unfinished one.
const WINDOW: usize = 2 * AHEAD_PER_THREAD;

/// A unit to read, with its number and the shard (number and span) its
/// task walks.
type Task<'a> = (usize, Unit<'a>, Option<(usize, (usize, usize))>);

/// What every task shares.
struct Shared<'a, T> {
    stitcher: Stitcher<'a>,
    /// Shards `0..walked` have been walked or handed to a task to walk.
    walked: usize,
    /// Units numbered so far.
    units: usize,
    /// Units started so far (`0..started`); the rest wait in `waiting`.
    started: usize,
    waiting: VecDeque<Task<'a>>,
    /// Units `0..combined` are combined into `acc`, their warnings in
    /// `logs`.
    combined: usize,
    acc: Option<T>,
    logs: Vec<WarningLog>,
    /// Results of units after `combined` that finished early.
    done: BTreeMap<usize, (T, WarningLog)>,
}

/// The fixed parts of the work, borrowed by every task.
struct Job<'j, 'a, T, I, F, R> {
    buf: &'a [u8],
    opts: ReadOptions,
    init: &'j I,
    fold: &'j F,
    reduce: &'j R,
    /// Units that may be started past the first unfinished one.
    window: usize,
    shared: Mutex<Shared<'a, T>>,
}

/// What [`fold_units`] gives: the combined value (`None` for no units), the
/// units' warnings in input order (empty logs left out), and the number of
/// records.
pub(crate) struct Folded<T> {
    pub(crate) acc: Option<T>,
    pub(crate) logs: Vec<WarningLog>,
    pub(crate) records: u64,
}

/// Folds every record of `buf`, with shards of about `shard_bytes`: each
/// unit's records into a value of its own (`init`, then `fold` for each
/// record), and those values together with `reduce`, in input order.
pub(crate) fn fold_units<'a, T, I, F, R>(
    buf: &'a [u8],
    opts: ReadOptions,
    shard_bytes: usize,
    init: &I,
    fold: &F,
    reduce: &R,
) -> Folded<T>
where
    T: Send,
    I: Fn() -> T + Sync,
    F: Fn(T, Result<RecordView<'a>, Error>) -> T + Sync,
    R: Fn(T, T) -> T + Sync,
{
    let threads = rayon::current_num_threads().max(1);
    let mut stitcher = Stitcher::new(buf, opts, shard_bytes);
    let first = (threads * AHEAD_PER_THREAD).min(stitcher.shards());
    walk_shards(&mut stitcher, 0, first);
    let job = Job {
        buf,
        opts,
        init,
        fold,
        reduce,
        window: threads * WINDOW,
        shared: Mutex::new(Shared {
            stitcher,
            walked: first,
            units: 0,
            started: 0,
            waiting: VecDeque::new(),
            combined: 0,
            acc: None,
            logs: Vec::new(),
            done: BTreeMap::new(),
        }),
    };
    rayon::scope_fifo(|scope| job.advance(scope, None));
    let shared = job
        .shared
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner);
    debug_assert!(shared.stitcher.is_finished());
    debug_assert!(shared.waiting.is_empty() && shared.done.is_empty());
    debug_assert_eq!(shared.combined, shared.units);
    Folded {
        acc: shared.acc,
        logs: shared.logs,
        records: shared.stitcher.records(),
    }
}

impl<'j, 'a, T, I, F, R> Job<'j, 'a, T, I, F, R>
where
    T: Send,
    I: Fn() -> T + Sync,
    F: Fn(T, Result<RecordView<'a>, Error>) -> T + Sync,
    R: Fn(T, T) -> T + Sync,
{
    /// Reads unit number `index` while walking `shard` (its number and
    /// span), if any.
    fn run<'s>(&'s self, scope: &ScopeFifo<'s>, (index, unit, shard): Task<'a>)
    where
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
        let mut guard = self.shared();
        let shared = &mut *guard;
        shared.done.insert(index, (acc, it.into_log()));
        // Combine what is now in order (the caller's `reduce`, under the
        // lock: one unit's worth at a time, in input order).
        while let Some((acc, log)) = shared.done.remove(&shared.combined) {
            shared.acc = Some(match shared.acc.take() {
                Some(a) => (self.reduce)(a, acc),
                None => acc,
            });
            if log.total() > 0 {
                shared.logs.push(log);
            }
            shared.combined += 1;
        }
        drop(guard);
        self.advance(scope, walked);
    }

    /// Hands in `walked`, numbers the units that are then known, each with
    /// the next shard to walk, and starts the units the window allows.
    ///
    /// Invariant: the shard the stitcher waits for has been handed to a
    /// task (or walked before reading started). Shards are handed out in
    /// order, from the one the stitcher needs on, each time units come out;
    /// and the shard it needs changes only when units come out. A waiting
    /// unit is started once the units before the window's end are done,
    /// which does not depend on it.
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
        // Shards before the one the stitcher needs are past.
        if let Some(needed) = shared.stitcher.needed() {
            shared.walked = shared.walked.max(needed);
        }
        for unit in units {
            let i = shared.walked;
            let shard = (i < shared.stitcher.shards()).then(|| (i, shared.stitcher.span(i)));
            shared.walked += usize::from(shard.is_some());
            let index = shared.units;
            shared.units += 1;
            shared.waiting.push_back((index, unit, shard));
        }
        debug_assert!(
            shared.stitcher.needed().is_none_or(|n| n < shared.walked),
            "the next shard to stitch is walked by no one"
        );
        let mut start = Vec::new();
        while shared.started < shared.combined + self.window
            && let Some(task) = shared.waiting.pop_front()
        {
            shared.started += 1;
            start.push(task);
        }
        drop(shared);
        for task in start {
            scope.spawn_fifo(move |scope| self.run(scope, task));
        }
    }

    /// The shared state. A panic in a caller's closure ends the work with
    /// that panic once the tasks are done; until then the state stays
    /// usable.
    fn shared(&self) -> MutexGuard<'_, Shared<'a, T>> {
        self.shared.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Reader;
    use crate::parallel::plan::tests::{rec, swallowing};

    /// What the tests compare of each record: its number, offset and 001,
    /// or the error.
    fn describe(r: Result<RecordView<'_>, Error>) -> String {
        match r {
            Ok(v) => format!(
                "{} {} {:?}",
                v.record_number(),
                v.offset(),
                v.control_number()
            ),
            Err(e) => e.to_string(),
        }
    }

    /// Record numbers, offsets and 001s as the units read them, in order.
    fn read(buf: &[u8], shard: usize, pool: &rayon::ThreadPool) -> Vec<String> {
        let init = Vec::new;
        let fold = |mut v: Vec<String>, r: Result<RecordView<'_>, Error>| {
            v.push(describe(r));
            v
        };
        let concat = |mut a: Vec<String>, b: Vec<String>| {
            a.extend(b);
            a
        };
        let folded =
            pool.install(|| fold_units(buf, ReadOptions::default(), shard, &init, &fold, &concat));
        let all = folded.acc.unwrap_or_default();
        assert_eq!(folded.records, all.len() as u64);
        all
    }

    #[test]
    fn units_come_out_in_order_whatever_the_cuts() {
        // Record 4 declares a length that swallows record 5, so cuts after
        // record 4 are disproved and walked past, at every shard size, some
        // of them beyond the shards walked before reading starts.
        let buf = swallowing(3, 60);
        let want: Vec<String> = Reader::new(&buf).map(describe).collect();
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

    #[test]
    fn results_held_stay_bounded() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static LIVE: AtomicUsize = AtomicUsize::new(0);
        static MOST: AtomicUsize = AtomicUsize::new(0);
        /// A value that counts how many of its kind exist.
        struct Counted(u64);
        impl Counted {
            fn new(n: u64) -> Counted {
                let live = LIVE.fetch_add(1, Ordering::SeqCst) + 1;
                MOST.fetch_max(live, Ordering::SeqCst);
                Counted(n)
            }
        }
        impl Drop for Counted {
            fn drop(&mut self) {
                LIVE.fetch_sub(1, Ordering::SeqCst);
            }
        }
        let buf: Vec<u8> = (0..3000).flat_map(|i| rec(&format!("n{i}"))).collect();
        for threads in [1, 3] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            MOST.store(0, Ordering::SeqCst);
            // A unit per record or two: about 2,000 units.
            let folded = pool.install(|| {
                fold_units(
                    &buf,
                    ReadOptions::default(),
                    100,
                    &|| Counted::new(0),
                    &|c: Counted, r: Result<RecordView<'_>, Error>| {
                        Counted::new(c.0 + u64::from(r.is_ok()))
                    },
                    &|a: Counted, b: Counted| Counted::new(a.0 + b.0),
                )
            });
            assert_eq!(folded.acc.map(|c| c.0), Some(3000));
            assert_eq!(folded.records, 3000);
            // The running total, and per thread a unit being read, its
            // new value and the finished units waiting for earlier ones
            // (at most the window).
            let most = MOST.load(Ordering::SeqCst);
            assert!(most <= 3 + threads * (WINDOW + 3), "{most} values at once");
        }
    }
}
