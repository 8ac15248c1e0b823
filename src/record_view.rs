//! [`RecordView`]: a record borrowed from its input.

use crate::directory::{Directory, Entries, Entry};
use crate::{FieldView, IntoTag, Leader, Tag};

/// A record borrowed straight from the input bytes.
///
/// The leader is copied (24 bytes) and the directory checked when the
/// record is read; directory entries, fields, subfields and text are then
/// read from the input on demand, without copying or allocating. (Only a
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
#[derive(Clone, Debug)]
pub struct RecordView<'a> {
    raw: &'a [u8],
    leader: Leader,
    entries: Directory,
    number: u64,
    offset: u64,
}

impl<'a> RecordView<'a> {
    /// Callers guarantee the invariant of [`Entry`]: every entry of
    /// `entries` lies in `raw`.
    pub(crate) fn from_parts(
        raw: &'a [u8],
        leader: Leader,
        entries: Directory,
        number: u64,
        offset: u64,
    ) -> RecordView<'a> {
        debug_assert!(entries.entries(raw).all(|e| e.range().end <= raw.len()));
        RecordView {
            raw,
            leader,
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
        &self.leader
    }

    /// The record's bytes as delimited in the input (normally ending 0x1D).
    #[inline]
    pub fn raw(&self) -> &'a [u8] {
        self.raw
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
        self.entries.entries(self.raw)
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
        FieldView::of_entry(self.raw, &e)
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
        self.entries.find(self.raw, tag).map(|e| self.view(e))
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
