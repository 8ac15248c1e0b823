//! Phase 2 of the parallel scanner: reading one planned run of records.

use crate::reader::ReadState;
use crate::{Error, ReadOptions, RecordView, Tag, WarningLog};

/// A run of whole records that can be read on its own with the same result
/// as the sequential reader: the sequential reader is at `start` (before
/// any filler) after `records_before` records, with `last_001` as the last
/// control number seen, and it reaches `end` after the run's `records`
/// records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Unit<'a> {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) records_before: u64,
    pub(crate) records: u64,
    pub(crate) last_001: &'a [u8],
}

/// Reads the records of one [`Unit`], exactly as [`Reader`](crate::Reader)
/// reads them, warnings included.
#[derive(Debug)]
pub(crate) struct UnitIter<'a> {
    buf: &'a [u8],
    pos: usize,
    end: usize,
    state: ReadState,
    last_001: &'a [u8],
}

impl<'a> UnitIter<'a> {
    pub(crate) fn new(buf: &'a [u8], unit: &Unit<'a>, opts: ReadOptions) -> UnitIter<'a> {
        let mut state = ReadState::new(opts);
        state.records = unit.records_before;
        UnitIter {
            buf,
            pos: unit.start,
            end: unit.end,
            state,
            last_001: unit.last_001,
        }
    }

    /// The warnings of the records read so far.
    pub(crate) fn into_log(self) -> WarningLog {
        self.state.log
    }

    /// The last control number seen (the one a record after this run gets).
    pub(crate) fn last_001(&self) -> &'a [u8] {
        self.last_001
    }
}

impl<'a> Iterator for UnitIter<'a> {
    type Item = Result<RecordView<'a>, Error>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.pos >= self.end {
            return None;
        }
        let mut needs_more = false;
        let r = self.state.next(
            self.buf,
            &mut self.pos,
            0,
            true,
            self.last_001,
            &mut needs_more,
        );
        let Some(r) = r else {
            self.pos = self.end;
            return None;
        };
        if let Ok(view) = &r
            && let Some(id) = view.control_field(Tag::new(1))
        {
            self.last_001 = id;
        }
        Some(r)
    }
}

impl std::iter::FusedIterator for UnitIter<'_> {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Field, Reader, Record};

    fn file() -> Vec<u8> {
        let mut out = Vec::new();
        for i in 0..5 {
            let mut r = Record::new();
            r.push_field(Field::control(Tag::new(1), format!("id{i}")).unwrap())
                .unwrap();
            out.extend(r.to_iso2709().unwrap());
            out.push(b'\n');
        }
        out
    }

    #[test]
    fn reads_like_the_reader_from_a_known_state() {
        let buf = file();
        let whole: Vec<_> = Reader::new(&buf).map(|r| r.unwrap()).collect();
        let cut = whole[2].offset() as usize - 1; // before the newline
        let unit = Unit {
            start: cut,
            end: buf.len(),
            records_before: 2,
            records: 3,
            last_001: b"id1",
        };
        let mut it = UnitIter::new(&buf, &unit, ReadOptions::default());
        let tail: Vec<_> = it.by_ref().map(|r| r.unwrap()).collect();
        assert_eq!(tail.len(), 3);
        assert_eq!(tail[0].record_number(), 3);
        assert_eq!(tail[0].offset(), whole[2].offset());
        assert_eq!(it.last_001(), b"id4");
        let log = it.into_log();
        // Three stray newlines and the trailing one, as the reader says.
        let mut reader = Reader::new(&buf);
        reader.by_ref().for_each(drop);
        let expected: Vec<_> = reader.warnings()[1..].to_vec();
        assert_eq!(log.warnings(), &expected[..]);
        assert_eq!(
            log.warnings()[0].location.control_number.as_deref(),
            Some("id1")
        );
    }
}
