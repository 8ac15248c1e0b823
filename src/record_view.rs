//! [`RecordView`]: a record borrowed from its input.

use crate::directory::{Directory, Entries, Entry};
use crate::leader::LEADER_LEN;
use crate::{FieldView, IntoTag, Leader, Tag};

/// A record borrowed straight from the input bytes.
///
/// The leader and the directory are checked when the record is read;
/// the leader, directory entries, fields, subfields and text are then read
/// from the input on demand, without copying or allocating. (Only a
/// record whose directory lenient mode had to repair keeps a list of its
/// repaired entries.) A view is small (under 100 bytes), so moving it
/// around costs little.
///
/// ```
/// use marcview::{Reader, Record, Field, Tag};
/// # fn main() -> Result<(), marcview::Error> {
/// # let mut r = Record::new();
/// # r.push_field(Field::control(Tag::new(1), "id1")?)?;
/// # r.push_field(Field::new(Tag::new(650), *b" 0").with_subfield(b'a', "Cats")?)?;
/// # r.push_field(Field::new(Tag::new(650), *b" 0").with_subfield(b'a', "Dogs")?)?;
/// # let bytes = r.to_iso2709()?;
/// for view in Reader::new(&bytes) {
///     let view = view?;
///     let subjects: Vec<_> = view
///         .fields_by_tag(650)
///         .filter_map(|f| f.subfield(b'a'))
///         .collect();
///     assert_eq!(subjects, [&b"Cats"[..], &b"Dogs"[..]]);
///     assert_eq!(view.control_number(), Some(&b"id1"[..]));
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct RecordView<'a> {
    /// The record's bytes and, after them, whatever followed the record
    /// where it was read (the rest of the file or of the stream's buffer).
    /// Fields hand what follows them on to their subfield search, which
    /// reads whole blocks and ignores the bytes past the field: reading on
    /// into the next record spares the last fields of each record the
    /// piecing together of a short last block.
    ///
    /// Invariant: `len <= bytes.len()`; the record is `bytes[..len]`, and
    /// nothing after it is ever part of an answer.
    bytes: &'a [u8],
    len: usize,
    entries: Directory,
    number: u64,
    offset: u64,
}

impl std::fmt::Debug for RecordView<'_> {
    /// The record, not what follows it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordView")
            .field("raw", &self.raw())
            .field("leader", self.leader())
            .field("entries", &self.entries)
            .field("number", &self.number)
            .field("offset", &self.offset)
            .finish()
    }
}

impl<'a> RecordView<'a> {
    /// The record `bytes[..len]` (`len` at most `bytes.len()`), followed
    /// by the rest of `bytes`. Callers guarantee that the record holds a
    /// leader, and the invariant of [`Entry`]: every entry of `entries`
    /// lies in the record.
    pub(crate) fn from_parts(
        bytes: &'a [u8],
        len: usize,
        entries: Directory,
        number: u64,
        offset: u64,
    ) -> RecordView<'a> {
        let len = len.min(bytes.len());
        debug_assert!(entries.entries(bytes).all(|e| e.range().end <= len));
        debug_assert!(len >= LEADER_LEN);
        RecordView {
            bytes,
            len,
            entries,
            number,
            offset,
        }
    }

    /// Parses one record from `bytes` leniently, as record 1 at offset 0;
    /// warnings are dropped. For real input use a [`Reader`](crate::Reader).
    ///
    /// ```
    /// # use marcview::{Record, RecordView};
    /// let bytes = Record::new().to_iso2709().unwrap();
    /// let view = RecordView::parse(&bytes).unwrap();
    /// assert_eq!(view.fields().count(), 0);
    /// ```
    pub fn parse(bytes: &'a [u8]) -> Result<RecordView<'a>, crate::Error> {
        let mut reader = crate::Reader::new(bytes);
        reader.next().unwrap_or_else(|| {
            Err(crate::Error::Malformed {
                location: crate::Location::default(),
                fault: crate::Fault::ShortLeader {
                    available: bytes.len(),
                },
            })
        })
    }

    /// The leader.
    #[inline]
    pub fn leader(&self) -> &Leader {
        // Every view holds a leader; `NONE` is never handed out.
        static NONE: Leader = Leader::from_bytes([b' '; LEADER_LEN]);
        self.bytes
            .first_chunk::<LEADER_LEN>()
            .map_or(&NONE, bytemuck::cast_ref)
    }

    /// The record's bytes as delimited in the input (normally ending 0x1D).
    #[inline]
    pub fn raw(&self) -> &'a [u8] {
        self.bytes.get(..self.len).unwrap_or(self.bytes)
    }

    /// 1-based number of this record in its input (bad records count too).
    #[inline]
    pub fn record_number(&self) -> u64 {
        self.number
    }

    /// Byte offset of the record's first byte in its input.
    #[inline]
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// The directory entries, in directory order, decoded as they are
    /// read.
    ///
    /// ```
    /// # use marcview::{Field, Record, RecordView, Tag};
    /// # let mut r = Record::new();
    /// # r.push_field(Field::control(Tag::new(1), "id1").unwrap()).unwrap();
    /// # let bytes = r.to_iso2709().unwrap();
    /// let view = RecordView::parse(&bytes).unwrap();
    /// let e = view.entries().next().unwrap();
    /// assert_eq!(e.tag(), Tag::new(1));
    /// assert_eq!(&view.raw()[e.range()], b"id1");
    /// ```
    #[inline]
    pub fn entries(&self) -> Entries<'_> {
        // The directory is read from the start of the record.
        self.entries.entries(self.bytes)
    }

    /// Number of fields.
    #[inline]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when the record has no fields.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.entries.len() == 0
    }

    #[inline(always)]
    fn view(&self, e: Entry) -> FieldView<'a> {
        FieldView::of_entry(self.bytes, &e)
    }

    /// Every field in directory order.
    #[inline]
    pub fn fields(&self) -> impl ExactSizeIterator<Item = FieldView<'a>> + Clone + '_ {
        self.entries().map(|e| self.view(e))
    }

    /// The fields with tag `tag` (`245`, `"245"` or a [`Tag`]).
    #[inline]
    pub fn fields_by_tag(&self, tag: impl IntoTag) -> impl Iterator<Item = FieldView<'a>> + '_ {
        let tag = tag.into_tag();
        self.entries()
            .filter(move |e| Some(e.tag) == tag)
            .map(|e| self.view(e))
    }

    /// The first field with tag `tag`.
    #[inline]
    pub fn field(&self, tag: impl IntoTag) -> Option<FieldView<'a>> {
        let tag = tag.into_tag()?;
        self.entries.find(self.bytes, tag).map(|e| self.view(e))
    }

    /// The value of the first control field with tag `tag` (`1` for 001).
    #[inline]
    pub fn control_field(&self, tag: impl IntoTag) -> Option<&'a [u8]> {
        self.field(tag).map(|f| f.raw_value())
    }

    /// The 001 control number.
    #[inline]
    pub fn control_number(&self) -> Option<&'a [u8]> {
        self.control_field(Tag::new(1))
    }

    /// Copies the record into an owned, editable [`Record`](crate::Record).
    pub fn to_owned(&self) -> crate::Record {
        crate::Record::from_view(self)
    }
}

#[cfg(test)]
mod tests {
    use crate::{Field, Reader, Record, Tag};

    /// A record whose last field ends close to the record's end, so that
    /// its subfield search reads on into whatever follows.
    fn record(last: &str) -> Vec<u8> {
        let mut r = Record::new();
        r.push_field(Field::control(Tag::new(1), "id").unwrap())
            .unwrap();
        r.push_field(
            Field::new(Tag::new(650), *b" 0")
                .with_subfield(b'a', last)
                .unwrap(),
        )
        .unwrap();
        r.to_iso2709().unwrap()
    }

    #[test]
    fn what_follows_a_record_is_never_part_of_it() {
        for len in 0..80 {
            let one = record(&"x".repeat(len));
            // Then bytes that look like subfields, and the record alone.
            let mut bytes = one.clone();
            bytes.extend_from_slice(&b"\x1fzEvil\x1e\x1d".repeat(20));
            let alone = Reader::new(&one).next().unwrap().unwrap();
            let view = Reader::new(&bytes).next().unwrap().unwrap();
            assert_eq!(view.raw(), &one[..]);
            assert_eq!(view.leader().as_bytes(), &one[..24]);
            let subfields = |v: &super::RecordView<'_>| -> Vec<(u8, Vec<u8>)> {
                v.fields()
                    .flat_map(|f| f.subfields().map(|s| (s.code, s.value.to_vec())))
                    .collect()
            };
            assert_eq!(subfields(&view), subfields(&alone), "len {len}");
            assert_eq!(view.fields().last(), alone.fields().last());
            assert_eq!(format!("{view:?}"), format!("{alone:?}"));
            assert!(!format!("{view:?}").contains("Evil"));
        }
    }
}
