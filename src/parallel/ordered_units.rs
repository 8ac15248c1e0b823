//! The order-preserving fold of
//! [`ParallelReader::fold_ordered`](super::ParallelReader::fold_ordered)
//! (and so of `map_ordered`), planned as it goes.
//!
//! Units are read a window at a time ([`step`]: the results of one window
//! are handed on in input order while the next window is read), and while
//! a window is read, the shards that the next window needs are walked. So
//! output starts once the first window is read, not after a walk over the
//! whole input, and a file larger than memory is not read once to plan and
//! again to map. Memory stays bounded: the units planned and not yet read
//! are about two windows (a shard whose walk ran past the next ones gives
//! several), the results held two windows.
//!
//! Invariant of [`Plan`]: shards `0..walked` have been walked and handed to
//! the [`Stitcher`] (those it had passed by then it dropped), and `units`
//! holds, in input order, the units it has numbered that are not yet read.

use crate::{Error, ReadOptions, RecordView, Warning, WarningLog};

use super::ordered::{step, window_len};
use super::plan::walk_shards;
use super::stitcher::Stitcher;
use super::unit::{Unit, UnitIter};

/// What [`fold_units_ordered`] gives: the number of records, and the
/// units' warnings in input order (empty logs left out).
pub(crate) struct Folded {
    pub(crate) records: u64,
    pub(crate) logs: Vec<WarningLog>,
}

/// Folds the records of each unit of `buf` into an accumulator of its own
/// (`init`, then `fold` record by record), and hands each unit's
/// accumulator with the warnings its records raised to `sink`, in input
/// order; shards of about `shard_bytes`. Stops at the first error of
/// `sink`.
pub(crate) fn fold_units_ordered<'a, T, I, F, S, E>(
    buf: &'a [u8],
    opts: ReadOptions,
    shard_bytes: usize,
    init: &I,
    fold: &F,
    sink: &mut S,
) -> Result<Folded, E>
where
    T: Send,
    I: Fn() -> T + Sync,
    F: Fn(T, Result<RecordView<'a>, Error>) -> T + Sync,
    S: FnMut(T, &[Warning]) -> Result<(), E> + Send,
    E: Send,
{
    let window = window_len();
    let mut plan = Plan {
        stitcher: Stitcher::new(buf, opts, shard_bytes),
        walked: 0,
        units: Vec::new(),
    };
    let mut logs = Vec::new();
    let work = |u: &mut Unit<'a>| {
        let mut it = UnitIter::new(buf, u, opts);
        let acc = it.by_ref().fold(init(), fold);
        (acc, it.into_log())
    };
    let mut hand_on = |(acc, log): (T, WarningLog)| {
        let sunk = sink(acc, log.warnings());
        if log.total() > 0 {
            logs.push(log);
        }
        sunk
    };
    let mut done = Vec::new();
    loop {
        plan.fill(window);
        if plan.units.is_empty() {
            break;
        }
        let take = window.min(plan.units.len());
        let mut current: Vec<Unit<'a>> = plan.units.drain(..take).collect();
        let (stepped, ()) = rayon::join(
            || step(&mut done, &mut current, &work, &mut hand_on),
            || plan.walk_next(window),
        );
        done = stepped?;
    }
    done.into_iter().try_for_each(&mut hand_on)?;
    Ok(Folded {
        records: plan.stitcher.records(),
        logs,
    })
}

/// The units numbered so far and the walks behind them.
struct Plan<'a> {
    stitcher: Stitcher<'a>,
    /// Shards before this one are walked.
    walked: usize,
    /// Units numbered and not yet read, in input order.
    units: Vec<Unit<'a>>,
}

impl Plan<'_> {
    /// Walks the next `n` shards, from the first one neither walked nor
    /// passed by the stitcher, and numbers the units they determine.
    fn walk_next(&mut self, n: usize) {
        let shards = self.stitcher.shards();
        let from = self
            .stitcher
            .needed()
            .map_or(shards, |next| next.max(self.walked))
            .min(shards);
        let to = from.saturating_add(n).min(shards);
        walk_shards(&mut self.stitcher, from, to);
        self.walked = self.walked.max(to);
        self.stitcher.stitch(&mut self.units);
    }

    /// Walks shards (in parallel, `n` at a time) until `n` units are
    /// planned or the plan is complete. Each round walks new shards or lets
    /// the stitcher go on with walks it holds (shards before `walked` that
    /// it has not passed are in its hands), so the loop ends.
    fn fill(&mut self, n: usize) {
        while self.units.len() < n && !self.stitcher.is_finished() {
            self.walk_next(n);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parallel::plan::tests::rec;

    fn records(n: usize) -> Vec<u8> {
        rec("id").repeat(n)
    }

    #[test]
    fn a_window_is_planned_without_walking_the_rest() {
        let bytes = records(2_000);
        let mut plan = Plan {
            stitcher: Stitcher::new(&bytes, ReadOptions::default(), 1_000),
            walked: 0,
            units: Vec::new(),
        };
        let shards = plan.stitcher.shards();
        assert!(shards > 50, "{shards} shards");
        plan.fill(4);
        assert!(plan.units.len() >= 4, "{} units", plan.units.len());
        assert!(
            plan.walked <= 8,
            "{} of {shards} shards walked",
            plan.walked
        );
        assert!(!plan.stitcher.is_finished());
        // Units follow one another from the start of the input.
        let mut at = 0;
        let mut before = 0;
        for u in &plan.units {
            assert_eq!((u.start, u.records_before), (at, before));
            (at, before) = (u.end, before + u.records);
        }
    }

    #[test]
    fn every_record_is_mapped_once_in_order_whatever_the_shards() {
        let bytes = records(500);
        let len = bytes.len() / 500;
        for shard in [1, 7, len, 3 * len + 1, 100_000] {
            let mut out = Vec::new();
            let mapped = fold_units_ordered(
                &bytes,
                ReadOptions::default(),
                shard,
                &Vec::new,
                &|mut buf: Vec<u8>, r: Result<RecordView<'_>, Error>| {
                    buf.extend_from_slice(format!("{},", r.unwrap().record_number()).as_bytes());
                    buf
                },
                &mut |chunk: Vec<u8>, warnings: &[Warning]| {
                    assert!(warnings.is_empty());
                    out.extend_from_slice(&chunk);
                    Ok::<(), ()>(())
                },
            )
            .unwrap();
            let want: String = (1..=500).map(|i| format!("{i},")).collect();
            assert_eq!(String::from_utf8(out).unwrap(), want, "shard {shard}");
            assert_eq!(mapped.records, 500);
            assert!(mapped.logs.is_empty());
        }
    }
}
