//! [`Record`]: an owned, editable record.

use smallvec::SmallVec;

use crate::directory::Entry;
use crate::writer::{WriteOptions, write_fields};
use crate::{Error, Field, FieldView, IntoTag, Leader, RecordView, Tag};

/// Fields an owned record keeps inline before spilling to the heap.
pub const RECORD_INLINE_FIELDS: usize = 24;

/// An owned MARC record that can be edited and written.
///
/// Compact by construction: the field bytes live back to back in one buffer,
/// in the same form as in ISO 2709 (indicators, delimiters and values, no
/// terminators), and the fields are `(tag, start, length)` entries in a
/// [`SmallVec`]. A typical record therefore costs one allocation, and reading
/// it goes through the same [`FieldView`] as a borrowed record.
///
/// Invariant: every entry's range lies in `data`; `garbage` counts the bytes
/// of `data` no entry refers to (left behind by edits), and is compacted
/// away when it grows past half the buffer.
///
/// ```
/// use marcview::{Field, Record, Tag};
/// # fn main() -> Result<(), marcview::Error> {
/// let mut rec = Record::new();
/// rec.push_field(Field::control(Tag::new(1), "ocm00012345")?)?;
/// rec.push_field(
///     Field::new(Tag::new(245), *b"10")
///         .with_subfield(b'a', "Walden ;")?
///         .with_subfield(b'b', "or, Life in the woods /")?,
/// )?;
/// rec.leader_mut().set_record_type(b'a');
/// rec.edit_field(1, |f| f.set_subfield(b'a', "Walden, or Life in the Woods"))?;
/// let bytes = rec.to_iso2709()?;
/// assert_eq!(&bytes[..5], format!("{:05}", bytes.len()).as_bytes());
/// assert_eq!(marcview::RecordView::parse(&bytes)?.to_owned(), rec);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Default)]
pub struct Record {
    leader: Leader,
    data: Vec<u8>,
    entries: SmallVec<[Entry; RECORD_INLINE_FIELDS]>,
    garbage: usize,
}

impl PartialEq for Record {
    /// Records are equal when their leaders and fields (tags and bytes, in
    /// order) are equal. The record length (leader/00-04) and base address
    /// (leader/12-16) are derived when a record is written, so they take no
    /// part.
    fn eq(&self, other: &Record) -> bool {
        let (a, b) = (self.leader.as_bytes(), other.leader.as_bytes());
        a[5..12] == b[5..12]
            && a[17..] == b[17..]
            && self.entries.len() == other.entries.len()
            && self.fields().zip(other.fields()).all(|(a, b)| a == b)
    }
}

impl Eq for Record {}

impl Record {
    /// An empty record with the default leader (`nam a`, UTF-8).
    pub fn new() -> Record {
        Record::default()
    }

    /// An empty record with `leader`.
    pub fn with_leader(leader: Leader) -> Record {
        Record {
            leader,
            ..Record::default()
        }
    }

    /// Copies a view: leader as is, fields in directory order. The field
    /// bytes keep their layout in the data area, so that a record whose
    /// directory is not in data order (allowed by ISO 2709) is rewritten
    /// byte for byte.
    pub fn from_view(view: &RecordView<'_>) -> Record {
        let total: usize = view.entries().map(|e| e.len as usize).sum();
        let mut data = Vec::with_capacity(total);
        let mut entries: SmallVec<[Entry; RECORD_INLINE_FIELDS]> = view.entries().collect();
        let raw = view.raw();
        let ordered = entries
            .windows(2)
            .all(|w| (w[0].start, w[0].len) < (w[1].start, w[1].len));
        if ordered {
            for e in entries.iter_mut() {
                let bytes = raw.get(e.range()).unwrap_or_default();
                (e.start, e.len) = (data.len() as u32, bytes.len() as u32);
                data.extend_from_slice(bytes);
            }
        } else {
            // Copy in data-area order, keep directory order in `entries`.
            let mut order: Vec<usize> = (0..entries.len()).collect();
            order.sort_by_key(|&i| (entries[i].start, entries[i].len));
            for i in order {
                let e = &mut entries[i];
                let bytes = raw.get(e.range()).unwrap_or_default();
                (e.start, e.len) = (data.len() as u32, bytes.len() as u32);
                data.extend_from_slice(bytes);
            }
        }
        Record {
            leader: *view.leader(),
            data,
            entries,
            garbage: 0,
        }
    }

    /// The leader. Lengths and base address in it are only updated when the
    /// record is written.
    pub fn leader(&self) -> &Leader {
        &self.leader
    }

    /// The leader, for changing.
    pub fn leader_mut(&mut self) -> &mut Leader {
        &mut self.leader
    }

    /// Replaces the leader.
    pub fn set_leader(&mut self, leader: Leader) {
        self.leader = leader;
    }

    /// Number of fields.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when there are no fields.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn view(&self, e: &Entry) -> FieldView<'_> {
        FieldView::of_entry(&self.data, e)
    }

    /// Every field, in order.
    pub fn fields(&self) -> impl ExactSizeIterator<Item = FieldView<'_>> + Clone + '_ {
        self.entries.iter().map(|e| self.view(e))
    }

    /// The field at `index`.
    pub fn field_at(&self, index: usize) -> Option<FieldView<'_>> {
        self.entries.get(index).map(|e| self.view(e))
    }

    /// The fields with tag `tag`.
    pub fn fields_by_tag(&self, tag: impl IntoTag) -> impl Iterator<Item = FieldView<'_>> + '_ {
        let tag = tag.into_tag();
        self.entries
            .iter()
            .filter(move |e| Some(e.tag) == tag)
            .map(|e| self.view(e))
    }

    /// The first field with tag `tag`.
    pub fn field(&self, tag: impl IntoTag) -> Option<FieldView<'_>> {
        let tag = tag.into_tag()?;
        self.entries
            .iter()
            .find(|e| e.tag == tag)
            .map(|e| self.view(e))
    }

    /// The value of the first control field with tag `tag`.
    pub fn control_field(&self, tag: impl IntoTag) -> Option<&[u8]> {
        self.field(tag).map(|f| f.raw_value())
    }

    /// The 001 control number.
    pub fn control_number(&self) -> Option<&[u8]> {
        self.control_field(Tag::new(1))
    }

    /// Stores `field`'s bytes and returns its entry.
    fn store(&mut self, field: &Field) -> Entry {
        let start = self.data.len();
        self.data.extend_from_slice(field.raw_value());
        Entry {
            start: start as u32,
            len: field.raw_value().len() as u32,
            tag: field.tag(),
        }
    }

    fn forget(&mut self, e: Entry) {
        self.garbage += e.len as usize;
        if self.garbage > 4096 && self.garbage * 2 > self.data.len() {
            self.compact();
        }
    }

    /// Drops bytes no field refers to.
    fn compact(&mut self) {
        let mut data = Vec::with_capacity(self.data.len() - self.garbage);
        for e in self.entries.iter_mut() {
            let start = data.len();
            data.extend_from_slice(&self.data[e.range()]);
            e.start = start as u32;
        }
        self.data = data;
        self.garbage = 0;
    }

    /// The record would outgrow what `u32` offsets address.
    fn check_room(&self, field: &Field) -> Result<(), Error> {
        if self.data.len() + field.raw_value().len() > u32::MAX as usize / 2 {
            return Err(Error::InvalidValue("record too large to edit".into()));
        }
        Ok(())
    }

    /// Appends a field.
    pub fn push_field(&mut self, field: Field) -> Result<(), Error> {
        self.check_room(&field)?;
        let e = self.store(&field);
        self.entries.push(e);
        Ok(())
    }

    /// Inserts a field before `index` (at the end when `index >= len`).
    pub fn insert_field(&mut self, index: usize, field: Field) -> Result<(), Error> {
        self.check_room(&field)?;
        let e = self.store(&field);
        self.entries.insert(index.min(self.entries.len()), e);
        Ok(())
    }

    /// Inserts a field after the last field whose tag is not greater, the
    /// usual place for a new field in a tag-ordered record.
    pub fn insert_field_in_order(&mut self, field: Field) -> Result<(), Error> {
        let at = self
            .entries
            .iter()
            .rposition(|e| e.tag <= field.tag())
            .map_or(0, |i| i + 1);
        self.insert_field(at, field)
    }

    /// Removes and returns the field at `index`.
    pub fn remove_field(&mut self, index: usize) -> Option<Field> {
        if index >= self.entries.len() {
            return None;
        }
        let e = self.entries.remove(index);
        let f = Field::from_view(&self.view(&e));
        self.forget(e);
        Some(f)
    }

    /// Removes every field with tag `tag`; returns how many.
    pub fn remove_fields(&mut self, tag: impl IntoTag) -> usize {
        let Some(tag) = tag.into_tag() else { return 0 };
        self.retain_fields(|f| f.tag() != tag)
    }

    /// Keeps the fields for which `keep` is true; returns how many were
    /// removed.
    pub fn retain_fields(&mut self, mut keep: impl FnMut(&FieldView<'_>) -> bool) -> usize {
        let before = self.entries.len();
        let mut dropped = 0;
        let data = &self.data;
        self.entries.retain(|e| {
            let k = keep(&FieldView::new(
                e.tag,
                data.get(e.range()).unwrap_or_default(),
            ));
            if !k {
                dropped += e.len as usize;
            }
            k
        });
        self.garbage += dropped;
        if self.garbage > 4096 && self.garbage * 2 > self.data.len() {
            self.compact();
        }
        before - self.entries.len()
    }

    /// Replaces the field at `index`; returns the old one.
    pub fn replace_field(&mut self, index: usize, field: Field) -> Result<Field, Error> {
        if index >= self.entries.len() {
            return Err(Error::InvalidValue(format!(
                "no field at index {index} (record has {})",
                self.entries.len()
            )));
        }
        self.check_room(&field)?;
        let old = self.entries[index];
        let old_field = Field::from_view(&self.view(&old));
        if field.raw_value().len() <= old.len as usize {
            // Overwrite in place.
            let s = old.start as usize;
            let n = field.raw_value().len();
            self.data[s..s + n].copy_from_slice(field.raw_value());
            self.entries[index] = Entry {
                start: old.start,
                len: n as u32,
                tag: field.tag(),
            };
            self.garbage += old.len as usize - n;
        } else {
            let e = self.store(&field);
            self.entries[index] = e;
            self.forget(old);
        }
        Ok(old_field)
    }

    /// Edits the field at `index` through an owned [`Field`]; the closure's
    /// error, if any, leaves the record unchanged.
    pub fn edit_field(
        &mut self,
        index: usize,
        edit: impl FnOnce(&mut Field) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let mut f = self
            .field_at(index)
            .map(Field::from)
            .ok_or_else(|| Error::InvalidValue(format!("no field at index {index}")))?;
        edit(&mut f)?;
        self.replace_field(index, f).map(drop)
    }

    /// Edits every field with tag `tag`; returns how many were edited.
    pub fn edit_fields(
        &mut self,
        tag: impl IntoTag,
        mut edit: impl FnMut(&mut Field) -> Result<(), Error>,
    ) -> Result<usize, Error> {
        let Some(tag) = tag.into_tag() else {
            return Ok(0);
        };
        let mut n = 0;
        for i in 0..self.entries.len() {
            if self.entries[i].tag == tag {
                self.edit_field(i, &mut edit)?;
                n += 1;
            }
        }
        Ok(n)
    }

    /// Heap bytes this record holds (its buffers' capacities), not counting
    /// the `Record` value itself.
    pub fn heap_bytes(&self) -> usize {
        let entries = if self.entries.spilled() {
            self.entries.capacity() * std::mem::size_of::<Entry>()
        } else {
            0
        };
        self.data.capacity() + entries
    }

    /// Writes the record as ISO 2709, refusing records over 99,999 bytes and
    /// fields over 9,999 bytes.
    pub fn to_iso2709(&self) -> Result<Vec<u8>, Error> {
        let mut out = Vec::with_capacity(self.data.len() + 26 + 13 * self.len());
        self.write_iso2709_into(&mut out, WriteOptions::default())?;
        Ok(out)
    }

    /// Appends the record as ISO 2709 to `out`. On error `out` is unchanged.
    pub fn write_iso2709_into(&self, out: &mut Vec<u8>, opts: WriteOptions) -> Result<(), Error> {
        let ordered = self
            .entries
            .windows(2)
            .all(|w| (w[0].start, w[0].len) < (w[1].start, w[1].len));
        if ordered {
            return write_fields(&self.leader, self.fields(), None, out, opts).map_err(Error::from);
        }
        // Lay the data out as it is in the buffer (see `from_view`).
        let mut order: Vec<usize> = (0..self.entries.len()).collect();
        order.sort_by_key(|&i| (self.entries[i].start, self.entries[i].len));
        write_fields(&self.leader, self.fields(), Some(&order), out, opts).map_err(Error::from)
    }
}

impl From<&RecordView<'_>> for Record {
    fn from(v: &RecordView<'_>) -> Record {
        Record::from_view(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Record {
        let mut r = Record::new();
        r.push_field(Field::control(Tag::new(1), "id").unwrap())
            .unwrap();
        r.push_field(Field::control(Tag::new(8), "800101s1999    xx ").unwrap())
            .unwrap();
        r.push_field(
            Field::new(Tag::new(245), *b"00")
                .with_subfield(b'a', "T")
                .unwrap(),
        )
        .unwrap();
        r
    }

    #[test]
    fn editing() {
        let mut r = sample();
        r.insert_field_in_order(
            Field::new(Tag::new(100), *b"1 ")
                .with_subfield(b'a', "Author")
                .unwrap(),
        )
        .unwrap();
        let tags: Vec<u16> = r.fields().map(|f| f.tag().as_u16()).collect();
        assert_eq!(tags, [1, 8, 100, 245]);
        assert_eq!(r.remove_fields(8), 1);
        let old = r
            .replace_field(0, Field::control(Tag::new(1), "a-much-longer-id").unwrap())
            .unwrap();
        assert_eq!(old.raw_value(), b"id");
        assert_eq!(r.control_number(), Some(&b"a-much-longer-id"[..]));
        assert!(
            r.replace_field(9, Field::new(Tag::new(500), *b"  "))
                .is_err()
        );
        assert_eq!(r.remove_field(0).unwrap().raw_value(), b"a-much-longer-id");
        assert_eq!(r.len(), 2);
        let edited = r
            .edit_fields(245, |f| f.push_subfield(b'c', "by me"))
            .unwrap();
        assert_eq!(edited, 1);
        assert_eq!(r.field(245).unwrap().subfield(b'c'), Some(&b"by me"[..]));
    }

    #[test]
    fn compaction_keeps_content() {
        let mut r = sample();
        for i in 0..2000 {
            let v = format!("value number {i} with some padding to grow");
            r.replace_field(0, Field::control(Tag::new(1), &v).unwrap())
                .unwrap();
            assert_eq!(r.control_number(), Some(v.as_bytes()));
        }
        assert!(r.data.len() < 10_000, "garbage was not compacted");
        assert_eq!(r.field(245).unwrap().subfield(b'a'), Some(&b"T"[..]));
    }
}
