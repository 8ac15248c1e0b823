//! [`Summary`]: what a parallel read found besides the records themselves.

use crate::error::{Fault, Location};
use crate::{Warning, WarningLog};

/// The outcome of a parallel read: how many records were delimited and the
/// warnings, exactly as the sequential reader over the same bytes would
/// report them (same order, same cap, same total).
///
/// ```
/// use marcview::parallel::ParallelReader;
/// use marcview::{Field, Record, Tag};
/// # fn main() -> Result<(), marcview::Error> {
/// let mut rec = Record::new();
/// rec.push_field(Field::control(Tag::new(1), "a1")?)?;
/// let bytes = [rec.to_iso2709()?, b"\r\n".to_vec(), rec.to_iso2709()?].concat();
///
/// let summary = ParallelReader::new(&bytes).for_each(|r| assert!(r.is_ok()));
/// assert_eq!(summary.records(), 2);
/// assert_eq!(summary.warnings().len(), 1); // the stray CR LF
/// assert_eq!(summary.warnings()[0].location.control_number.as_deref(), Some("a1"));
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Default)]
pub struct Summary {
    records: u64,
    log: WarningLog,
}

impl Summary {
    /// Joins the logs of consecutive runs of records, in input order, into
    /// one log that keeps the first `cap` warnings and counts all of them.
    pub(crate) fn from_logs(
        records: u64,
        cap: usize,
        logs: impl IntoIterator<Item = WarningLog>,
    ) -> Summary {
        let mut log = WarningLog::new(cap);
        for mut part in logs {
            let total = part.total();
            let kept = part.take();
            let dropped = total.saturating_sub(kept.len() as u64);
            for w in kept {
                log.push(w.location, w.fault);
            }
            // A run drops warnings only once it has kept `cap` of them, so
            // the joined log is full by now: these pushes only count.
            for _ in 0..dropped {
                log.push(Location::default(), Fault::StrayBytes { len: 0 });
            }
        }
        Summary { records, log }
    }

    /// Records delimited (good and bad), as
    /// [`Reader::records_read`](crate::Reader::records_read) would say at the end.
    ///
    /// ```
    /// # use marcview::parallel::ParallelReader;
    /// assert_eq!(ParallelReader::new(b"").for_each(|_| {}).records(), 0);
    /// ```
    pub fn records(&self) -> u64 {
        self.records
    }

    /// The kept warnings, in input order.
    ///
    /// ```
    /// # use marcview::parallel::ParallelReader;
    /// let s = ParallelReader::new(b"\n\n").for_each(|_| {});
    /// assert_eq!(s.warnings().len(), 1); // trailing bytes
    /// ```
    pub fn warnings(&self) -> &[Warning] {
        self.log.warnings()
    }

    /// The warning log (kept warnings and the total count).
    ///
    /// ```
    /// # use marcview::parallel::ParallelReader;
    /// let s = ParallelReader::new(b"\n\n").for_each(|_| {});
    /// assert_eq!(s.warning_log().total(), 1);
    /// ```
    pub fn warning_log(&self) -> &WarningLog {
        &self.log
    }

    /// Takes the kept warnings out (the total stays).
    ///
    /// ```
    /// # use marcview::parallel::ParallelReader;
    /// let mut s = ParallelReader::new(b"\n\n").for_each(|_| {});
    /// assert_eq!(s.take_warnings().len(), 1);
    /// assert!(s.warnings().is_empty());
    /// ```
    pub fn take_warnings(&mut self) -> Vec<Warning> {
        self.log.take()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log_of(cap: usize, n: usize, first: u64) -> WarningLog {
        let mut log = WarningLog::new(cap);
        for i in 0..n as u64 {
            let loc = Location {
                record: first + i,
                ..Location::default()
            };
            log.push(loc, Fault::NoRecordTerminator);
        }
        log
    }

    #[test]
    fn joins_in_order_with_cap_and_total() {
        let s = Summary::from_logs(9, 4, [log_of(4, 3, 1), log_of(4, 6, 10), log_of(4, 2, 20)]);
        assert_eq!(s.records(), 9);
        assert_eq!(s.warning_log().total(), 11);
        let records: Vec<u64> = s.warnings().iter().map(|w| w.location.record).collect();
        assert_eq!(records, [1, 2, 3, 10]);
    }

    #[test]
    fn zero_cap_counts_only() {
        let s = Summary::from_logs(0, 0, [log_of(0, 5, 1), log_of(0, 1, 9)]);
        assert!(s.warnings().is_empty());
        assert_eq!(s.warning_log().total(), 6);
    }
}
