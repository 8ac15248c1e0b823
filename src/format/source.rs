//! [`RecordSource`]: what the text-format writers read a record from.

use crate::{FieldView, Leader, Record, RecordView};

/// Anything that has a leader and fields in order: an owned [`Record`] or a
/// borrowed [`RecordView`] (and references to either).
///
/// Every writer of the text formats ([`xml`](crate::xml),
/// [`json`](crate::json), [`mnemonic`](crate::mnemonic)) takes
/// `&impl RecordSource`, so records can be converted straight from the
/// views a [`Reader`](crate::Reader) yields, without an owned copy.
///
/// ```
/// use marcview::RecordSource;
/// use marcview::{Field, Reader, Record, Tag};
/// # fn main() -> Result<(), marcview::Error> {
/// fn count_fields(r: &impl RecordSource) -> usize {
///     r.fields().count()
/// }
/// let mut rec = Record::new();
/// rec.push_field(Field::control(Tag::new(1), "x")?)?;
/// let bytes = rec.to_iso2709()?;
/// let view = Reader::new(&bytes).next().unwrap()?;
/// assert_eq!(count_fields(&rec), 1);
/// assert_eq!(count_fields(&view), 1);
/// assert_eq!(RecordSource::leader(&view).coding_byte(), b'a');
/// # Ok(()) }
/// ```
pub trait RecordSource {
    /// The leader, as stored (lengths are not recomputed).
    fn leader(&self) -> &Leader;

    /// The fields, in record order.
    fn fields(&self) -> impl ExactSizeIterator<Item = FieldView<'_>> + Clone + '_;
}

/// Shortens a view's lifetime to the borrow it is reached through.
#[inline]
fn shorten<'s, 'a: 's>(f: FieldView<'a>) -> FieldView<'s> {
    f
}

impl RecordSource for Record {
    #[inline]
    fn leader(&self) -> &Leader {
        Record::leader(self)
    }

    #[inline]
    fn fields(&self) -> impl ExactSizeIterator<Item = FieldView<'_>> + Clone + '_ {
        Record::fields(self)
    }
}

impl RecordSource for RecordView<'_> {
    #[inline]
    fn leader(&self) -> &Leader {
        RecordView::leader(self)
    }

    #[inline]
    fn fields(&self) -> impl ExactSizeIterator<Item = FieldView<'_>> + Clone + '_ {
        RecordView::fields(self).map(shorten)
    }
}

impl<T: RecordSource + ?Sized> RecordSource for &T {
    #[inline]
    fn leader(&self) -> &Leader {
        (**self).leader()
    }

    #[inline]
    fn fields(&self) -> impl ExactSizeIterator<Item = FieldView<'_>> + Clone + '_ {
        (**self).fields()
    }
}
