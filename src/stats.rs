//! [`Stats`]: counts over many records: kinds, encodings, tags, fields,
//! subfields, bytes, warnings and unreadable records.
//!
//! Adding a record never allocates, and two `Stats` built over different
//! parts of the input [`merge`](Stats::merge) into the `Stats` of the whole,
//! so the counting parallelizes by splitting the input.
//!
//! ```
//! use marcview::stats::Stats;
//! use marcview::{Field, Reader, Record, Tag};
//! # fn main() -> Result<(), marcview::Error> {
//! let mut rec = Record::new();
//! rec.push_field(Field::control(Tag::new(1), "id1")?)?;
//! rec.push_field(Field::new(Tag::new(650), *b" 0").with_subfield(b'a', "Cats")?)?;
//! rec.push_field(Field::new(Tag::new(650), *b" 0").with_subfield(b'a', "Dogs")?)?;
//! let bytes = [rec.to_iso2709()?, rec.to_iso2709()?].concat();
//!
//! let mut stats = Stats::new();
//! for view in Reader::new(&bytes) {
//!     stats.add(&view?);
//! }
//! assert_eq!(stats.records(), 2);
//! assert_eq!(stats.fields(), 6);
//! let t650 = stats.tag(Tag::new(650));
//! assert_eq!((t650.occurrences, t650.records), (4, 2));
//! println!("{stats}"); // a human-readable report
//! # Ok(()) }
//! ```

use std::fmt;

use crate::{RecordKind, RecordView, Tag};

/// Every [`RecordKind`], in report order.
const KINDS: [RecordKind; 6] = [
    RecordKind::Bibliographic,
    RecordKind::Authority,
    RecordKind::Holdings,
    RecordKind::Classification,
    RecordKind::Community,
    RecordKind::Unknown,
];

/// Position of `kind` in [`KINDS`].
fn kind_index(kind: RecordKind) -> usize {
    match kind {
        RecordKind::Bibliographic => 0,
        RecordKind::Authority => 1,
        RecordKind::Holdings => 2,
        RecordKind::Classification => 3,
        RecordKind::Community => 4,
        RecordKind::Unknown => 5,
    }
}

/// How often one tag occurs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TagCount {
    /// Fields with this tag, over all records.
    pub occurrences: u64,
    /// Records with at least one field with this tag.
    pub records: u64,
}

/// Per-tag counters, plus the number of the last record that had the tag
/// (to count each record once however often the tag repeats in it).
#[derive(Clone, Copy, Default)]
struct TagSlot {
    count: TagCount,
    /// Value of `Stats::records` when the tag was last seen; 0: never.
    last_record: u64,
}

/// Counts over a set of records.
///
/// Per-tag counts are kept in a table indexed by the packed tag value
/// (`Tag::as_u16`, below [`Tag::LIMIT`]), allocated once by
/// [`Stats::new`]; [`add`](Stats::add) then never allocates.
///
/// ```
/// use marcview::stats::Stats;
/// use marcview::{Encoding, Field, RecordKind, RecordView, Record, Tag};
/// # fn main() -> Result<(), marcview::Error> {
/// let mut rec = Record::new();
/// rec.push_field(Field::new(Tag::new(245), *b"10").with_subfield(b'a', "T")?.with_subfield(b'c', "A")?)?;
/// let bytes = rec.to_iso2709()?;
///
/// let mut part1 = Stats::new();
/// part1.add(&RecordView::parse(&bytes)?);
/// let mut part2 = Stats::new();
/// part2.add_error();
/// part2.add_warnings(3);
/// part1.merge(part2);
///
/// assert_eq!(part1.records(), 1);
/// assert_eq!(part1.errors(), 1);
/// assert_eq!(part1.warnings(), 3);
/// assert_eq!(part1.subfields(), 2);
/// assert_eq!(part1.kind(RecordKind::Bibliographic), 1);
/// assert_eq!(part1.encoding(b'a'), 1);
/// assert_eq!(part1.bytes(), bytes.len() as u64);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Stats {
    records: u64,
    errors: u64,
    warnings: u64,
    bytes: u64,
    largest_record: u64,
    fields: u64,
    control_fields: u64,
    subfields: u64,
    kinds: [u64; KINDS.len()],
    /// Records by leader/09 byte.
    encodings: [u64; 256],
    /// Indexed by `Tag::as_u16`; `Tag::LIMIT` slots.
    tags: Box<[TagSlot]>,
}

impl Default for Stats {
    fn default() -> Stats {
        Stats::new()
    }
}

impl Stats {
    /// Empty counts (allocates the per-tag table, about 1 MiB).
    ///
    /// ```
    /// let stats = marcview::stats::Stats::new();
    /// assert_eq!(stats.records(), 0);
    /// assert_eq!(stats.tags().count(), 0);
    /// ```
    pub fn new() -> Stats {
        Stats {
            records: 0,
            errors: 0,
            warnings: 0,
            bytes: 0,
            largest_record: 0,
            fields: 0,
            control_fields: 0,
            subfields: 0,
            kinds: [0; KINDS.len()],
            encodings: [0; 256],
            tags: vec![TagSlot::default(); usize::from(Tag::LIMIT)].into_boxed_slice(),
        }
    }

    /// Counts one record. Never allocates.
    ///
    /// ```
    /// use marcview::stats::Stats;
    /// use marcview::{Field, Record, RecordView, Tag};
    /// # fn main() -> Result<(), marcview::Error> {
    /// let mut rec = Record::new();
    /// rec.push_field(Field::control(Tag::new(1), "x")?)?;
    /// let bytes = rec.to_iso2709()?;
    /// let mut stats = Stats::new();
    /// stats.add(&RecordView::parse(&bytes)?);
    /// assert_eq!(stats.control_fields(), 1);
    /// assert_eq!(stats.tag(Tag::new(1)).records, 1);
    /// # Ok(()) }
    /// ```
    pub fn add(&mut self, view: &RecordView<'_>) {
        self.records += 1;
        let len = view.raw().len() as u64;
        self.bytes += len;
        self.largest_record = self.largest_record.max(len);
        self.kinds[kind_index(view.leader().kind())] += 1;
        self.encodings[usize::from(view.leader().coding_byte())] += 1;
        self.fields += view.len() as u64;
        let stamp = self.records;
        for field in view.fields() {
            if field.is_control() {
                self.control_fields += 1;
            } else {
                self.subfields += field.subfields().count() as u64;
            }
            // Every `Tag` is below `Tag::LIMIT`; `get_mut` keeps this
            // panic-free regardless.
            if let Some(slot) = self.tags.get_mut(usize::from(field.tag().as_u16())) {
                slot.count.occurrences += 1;
                if slot.last_record != stamp {
                    slot.last_record = stamp;
                    slot.count.records += 1;
                }
            }
        }
    }

    /// Counts one record that could not be read.
    ///
    /// ```
    /// let mut stats = marcview::stats::Stats::new();
    /// stats.add_error();
    /// assert_eq!((stats.errors(), stats.records()), (1, 0));
    /// ```
    pub fn add_error(&mut self) {
        self.errors += 1;
    }

    /// Counts `n` records that could not be read.
    ///
    /// ```
    /// let mut stats = marcview::stats::Stats::new();
    /// stats.add_errors(3);
    /// assert_eq!(stats.errors(), 3);
    /// ```
    pub fn add_errors(&mut self, n: u64) {
        self.errors += n;
    }

    /// Counts `n` reader warnings (repairs and skipped bytes).
    ///
    /// ```
    /// let mut stats = marcview::stats::Stats::new();
    /// stats.add_warnings(2);
    /// assert_eq!(stats.warnings(), 2);
    /// ```
    pub fn add_warnings(&mut self, n: u64) {
        self.warnings += n;
    }

    /// Adds the counts of `other` (e.g. made by another thread over another
    /// part of the input) to these.
    ///
    /// ```
    /// use marcview::stats::Stats;
    /// let mut a = Stats::new();
    /// a.add_error();
    /// let mut b = Stats::new();
    /// b.add_error();
    /// a.merge(b);
    /// assert_eq!(a.errors(), 2);
    /// ```
    pub fn merge(&mut self, other: Stats) {
        self.records += other.records;
        self.errors += other.errors;
        self.warnings += other.warnings;
        self.bytes += other.bytes;
        self.largest_record = self.largest_record.max(other.largest_record);
        self.fields += other.fields;
        self.control_fields += other.control_fields;
        self.subfields += other.subfields;
        for (a, b) in self.kinds.iter_mut().zip(other.kinds) {
            *a += b;
        }
        for (a, b) in self.encodings.iter_mut().zip(other.encodings) {
            *a += b;
        }
        // `last_record` stamps stay below `self.records + 1`, the stamp of
        // the next record added here, so they need no merging.
        for (a, b) in self.tags.iter_mut().zip(other.tags.iter()) {
            a.count.occurrences += b.count.occurrences;
            a.count.records += b.count.records;
        }
    }

    /// Records counted (read, possibly after repairs).
    pub fn records(&self) -> u64 {
        self.records
    }

    /// Records that could not be read.
    pub fn errors(&self) -> u64 {
        self.errors
    }

    /// Reader warnings.
    pub fn warnings(&self) -> u64 {
        self.warnings
    }

    /// Bytes in the counted records.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Length in bytes of the largest record counted.
    pub fn largest_record(&self) -> u64 {
        self.largest_record
    }

    /// Fields, control fields included.
    pub fn fields(&self) -> u64 {
        self.fields
    }

    /// Control fields (`00X`).
    pub fn control_fields(&self) -> u64 {
        self.control_fields
    }

    /// Subfields of data fields.
    pub fn subfields(&self) -> u64 {
        self.subfields
    }

    /// Records of one kind (leader/06).
    ///
    /// ```
    /// use marcview::{stats::Stats, RecordKind};
    /// assert_eq!(Stats::new().kind(RecordKind::Authority), 0);
    /// ```
    pub fn kind(&self, kind: RecordKind) -> u64 {
        self.kinds[kind_index(kind)]
    }

    /// Every kind with its record count, zeros included, in a fixed order
    /// (bibliographic, authority, holdings, classification, community,
    /// unknown).
    ///
    /// ```
    /// let stats = marcview::stats::Stats::new();
    /// assert_eq!(stats.kinds().count(), 6);
    /// ```
    pub fn kinds(&self) -> impl Iterator<Item = (RecordKind, u64)> + '_ {
        KINDS.iter().map(|&k| (k, self.kind(k)))
    }

    /// Records whose leader/09 (character coding scheme) is `byte`.
    ///
    /// ```
    /// assert_eq!(marcview::stats::Stats::new().encoding(b' '), 0);
    /// ```
    pub fn encoding(&self, byte: u8) -> u64 {
        self.encodings[usize::from(byte)]
    }

    /// The leader/09 bytes seen, with their record counts, by byte value.
    ///
    /// ```
    /// assert_eq!(marcview::stats::Stats::new().encodings().count(), 0);
    /// ```
    pub fn encodings(&self) -> impl Iterator<Item = (u8, u64)> + '_ {
        (0..=u8::MAX)
            .map(|b| (b, self.encoding(b)))
            .filter(|&(_, n)| n > 0)
    }

    /// Counts for one tag (zeros when never seen).
    ///
    /// ```
    /// use marcview::{stats::Stats, Tag};
    /// assert_eq!(Stats::new().tag(Tag::new(245)).occurrences, 0);
    /// ```
    pub fn tag(&self, tag: Tag) -> TagCount {
        self.tags
            .get(usize::from(tag.as_u16()))
            .map(|s| s.count)
            .unwrap_or_default()
    }

    /// The tags seen, in tag order (numeric tags first, then the others),
    /// with their counts.
    ///
    /// ```
    /// assert_eq!(marcview::stats::Stats::new().tags().count(), 0);
    /// ```
    pub fn tags(&self) -> impl Iterator<Item = (Tag, TagCount)> + '_ {
        all_tags().filter_map(|t| {
            let c = self.tag(t);
            (c.occurrences > 0).then_some((t, c))
        })
    }
}

/// Every representable tag in packed order: `000`–`999`, then the
/// alphanumeric ones in base-36 order (digits before letters).
fn all_tags() -> impl Iterator<Item = Tag> {
    const ALPHABET: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let digit = |i: usize| ALPHABET.get(i % 36).copied().unwrap_or(b'0');
    let numeric = (0..1000u16).map(Tag::new);
    let alphanumeric = (0..36 * 36 * 36usize).filter_map(move |r| {
        let b = [digit(r / 1296), digit(r / 36), digit(r)];
        if b.iter().all(u8::is_ascii_digit) {
            None
        } else {
            Tag::from_bytes(b)
        }
    });
    numeric.chain(alphanumeric)
}

/// What a leader/09 byte means: `"MARC-8"` (blank), `"UTF-8"` (`a`) or
/// `"other"`.
///
/// ```
/// assert_eq!(marcview::stats::coding_name(b'a'), "UTF-8");
/// assert_eq!(marcview::stats::coding_name(b'x'), "other");
/// ```
pub fn coding_name(byte: u8) -> &'static str {
    match byte {
        b' ' => "MARC-8",
        b'a' => "UTF-8",
        _ => "other",
    }
}

/// `part` as a percentage of `whole`.
fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 * 100.0 / whole as f64
    }
}

impl PartialEq for Stats {
    /// Equal counts (how the counts were reached does not matter).
    fn eq(&self, other: &Stats) -> bool {
        self.records == other.records
            && self.errors == other.errors
            && self.warnings == other.warnings
            && self.bytes == other.bytes
            && self.largest_record == other.largest_record
            && self.fields == other.fields
            && self.control_fields == other.control_fields
            && self.subfields == other.subfields
            && self.kinds == other.kinds
            && self.encodings == other.encodings
            && self
                .tags
                .iter()
                .zip(other.tags.iter())
                .all(|(a, b)| a.count == b.count)
    }
}

impl Eq for Stats {}

impl fmt::Debug for Stats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Stats")
            .field("records", &self.records)
            .field("errors", &self.errors)
            .field("warnings", &self.warnings)
            .field("bytes", &self.bytes)
            .field("fields", &self.fields)
            .field("subfields", &self.subfields)
            .field("tags", &self.tags().count())
            .finish_non_exhaustive()
    }
}

impl fmt::Display for Stats {
    /// A plain-text report: totals, then kinds, encodings and a tag table.
    ///
    /// ```
    /// let text = marcview::stats::Stats::new().to_string();
    /// assert!(text.starts_with("records"));
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.records;
        writeln!(f, "records             {:>14}", n)?;
        writeln!(f, "unreadable records  {:>14}", self.errors)?;
        writeln!(f, "warnings            {:>14}", self.warnings)?;
        writeln!(f, "bytes               {:>14}", self.bytes)?;
        writeln!(f, "largest record      {:>14}", self.largest_record)?;
        let per = |x: u64| if n == 0 { 0.0 } else { x as f64 / n as f64 };
        writeln!(
            f,
            "fields              {:>14}  ({:.1} per record)",
            self.fields,
            per(self.fields)
        )?;
        writeln!(f, "  control fields    {:>14}", self.control_fields)?;
        writeln!(
            f,
            "  data fields       {:>14}",
            self.fields - self.control_fields.min(self.fields)
        )?;
        writeln!(
            f,
            "subfields           {:>14}  ({:.1} per record)",
            self.subfields,
            per(self.subfields)
        )?;

        writeln!(f, "\nrecord kinds (leader/06)")?;
        for (kind, count) in self.kinds().filter(|&(_, c)| c > 0) {
            writeln!(
                f,
                "  {:<18}{:>14}  {:>5.1}%",
                kind.name(),
                count,
                percent(count, n)
            )?;
        }

        writeln!(f, "\ncharacter coding (leader/09)")?;
        for (byte, count) in self.encodings() {
            let label = format!("'{}' {}", [byte].escape_ascii(), coding_name(byte));
            writeln!(f, "  {label:<18}{count:>14}  {:>5.1}%", percent(count, n))?;
        }

        writeln!(
            f,
            "\n{:<3}  {:>14}{:>14}  {:>12}",
            "tag", "occurrences", "records", "% of records"
        )?;
        for (tag, c) in self.tags() {
            writeln!(
                f,
                "{tag}  {:>14}{:>14}  {:>11.1}%",
                c.occurrences,
                c.records,
                percent(c.records, n)
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Field, Reader, Record};

    fn record(id: &str, kind: u8, coding: u8, tags: &[&str]) -> Vec<u8> {
        let mut r = Record::new();
        r.leader_mut().set_record_type(kind);
        r.leader_mut().set_coding_byte(coding);
        r.push_field(Field::control(Tag::new(1), id).unwrap())
            .unwrap();
        for t in tags {
            let f = Field::new(Tag::parse(t).unwrap(), *b"  ")
                .with_subfield(b'a', "x")
                .unwrap()
                .with_subfield(b'b', "y")
                .unwrap();
            r.push_field(f).unwrap();
        }
        r.to_iso2709().unwrap()
    }

    fn sample() -> Vec<u8> {
        [
            record("1", b'a', b'a', &["245", "650", "650"]),
            record("2", b'z', b' ', &["100", "CAT"]),
            record("3", b'x', b'a', &["852", "852", "852"]),
            record("4", b'?', b'Z', &["650"]),
        ]
        .concat()
    }

    fn stats_of(bytes: &[u8]) -> Stats {
        let mut s = Stats::new();
        for v in Reader::new(bytes) {
            s.add(&v.unwrap());
        }
        s
    }

    #[test]
    fn counts_records_fields_and_subfields() {
        let bytes = sample();
        let s = stats_of(&bytes);
        assert_eq!(s.records(), 4);
        assert_eq!(s.bytes(), bytes.len() as u64);
        assert_eq!(s.fields(), 4 + 9);
        assert_eq!(s.control_fields(), 4);
        assert_eq!(s.subfields(), 9 * 2);
        assert_eq!(s.errors(), 0);
    }

    #[test]
    fn counts_kinds_and_encodings() {
        let s = stats_of(&sample());
        assert_eq!(s.kind(RecordKind::Bibliographic), 1);
        assert_eq!(s.kind(RecordKind::Authority), 1);
        assert_eq!(s.kind(RecordKind::Holdings), 1);
        assert_eq!(s.kind(RecordKind::Unknown), 1);
        assert_eq!(s.kind(RecordKind::Community), 0);
        assert_eq!(
            s.encodings().collect::<Vec<_>>(),
            [(b' ', 1), (b'Z', 1), (b'a', 2)]
        );
    }

    #[test]
    fn counts_tag_occurrences_and_records() {
        let s = stats_of(&sample());
        let tags: Vec<(String, u64, u64)> = s
            .tags()
            .map(|(t, c)| (t.to_string(), c.occurrences, c.records))
            .collect();
        let expected = [
            ("001", 4, 4),
            ("100", 1, 1),
            ("245", 1, 1),
            ("650", 3, 2),
            ("852", 3, 1),
            ("CAT", 1, 1),
        ];
        let expected: Vec<(String, u64, u64)> = expected
            .iter()
            .map(|&(t, o, r)| (t.to_string(), o, r))
            .collect();
        assert_eq!(tags, expected);
    }

    #[test]
    fn merge_equals_one_pass() {
        let bytes = sample();
        let views: Vec<_> = Reader::new(&bytes).map(|v| v.unwrap()).collect();
        let whole = stats_of(&bytes);
        for split in 0..=views.len() {
            let (a, b) = views.split_at(split);
            let mut left = Stats::new();
            a.iter().for_each(|v| left.add(v));
            let mut right = Stats::new();
            b.iter().for_each(|v| right.add(v));
            left.merge(right);
            assert_eq!(left, whole, "split at {split}");
            // Adding after a merge still counts a repeated tag once per record.
            left.add(&views[0]);
            assert_eq!(left.tag(Tag::new(650)).records, 3);
            assert_eq!(left.tag(Tag::new(650)).occurrences, 5);
        }
    }

    #[test]
    fn errors_and_warnings_are_counted() {
        let mut s = Stats::new();
        s.add_error();
        s.add_warnings(5);
        let mut t = Stats::new();
        t.add_warnings(1);
        s.merge(t);
        assert_eq!((s.errors(), s.warnings(), s.records()), (1, 6, 0));
    }

    #[test]
    fn every_tag_is_listed_once_in_packed_order() {
        let tags: Vec<Tag> = all_tags().collect();
        assert_eq!(tags.len(), usize::from(Tag::LIMIT));
        assert!(tags.windows(2).all(|w| w[0].as_u16() < w[1].as_u16()));
    }

    #[test]
    fn report_lists_everything() {
        let text = stats_of(&sample()).to_string();
        for needle in [
            "records                          4",
            "bibliographic",
            "authority",
            "'a' UTF-8",
            "' ' MARC-8",
            "'Z' other",
            "650               3             2         50.0%",
            "CAT",
        ] {
            assert!(text.contains(needle), "{needle:?} missing in\n{text}");
        }
    }

    #[test]
    fn empty_report_has_no_division_by_zero() {
        let text = Stats::new().to_string();
        assert!(text.contains("(0.0 per record)"));
        assert!(!text.contains("NaN"));
    }
}
