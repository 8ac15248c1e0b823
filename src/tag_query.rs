//! [`IntoTag`]: lets lookups take `245`, `"245"` or a [`Tag`].

use crate::Tag;

/// Anything that names a tag in a lookup: a [`Tag`], a number `0..=999`, a
/// three-character string or three bytes. A value that names no valid tag
/// matches no field.
///
/// ```
/// use marcview::{IntoTag, Tag};
/// assert_eq!(245u16.into_tag(), Some(Tag::new(245)));
/// assert_eq!("CAT".into_tag(), Tag::parse("CAT"));
/// assert_eq!(1000u16.into_tag(), None);
/// ```
pub trait IntoTag {
    /// The tag, or `None` when this names none.
    fn into_tag(self) -> Option<Tag>;
}

impl IntoTag for Tag {
    #[inline]
    fn into_tag(self) -> Option<Tag> {
        Some(self)
    }
}

impl IntoTag for u16 {
    #[inline]
    fn into_tag(self) -> Option<Tag> {
        (self < 1000).then(|| Tag::new(self))
    }
}

impl IntoTag for i32 {
    #[inline]
    fn into_tag(self) -> Option<Tag> {
        u16::try_from(self).ok()?.into_tag()
    }
}

impl IntoTag for &str {
    #[inline]
    fn into_tag(self) -> Option<Tag> {
        Tag::parse(self)
    }
}

impl IntoTag for [u8; 3] {
    #[inline]
    fn into_tag(self) -> Option<Tag> {
        Tag::from_bytes(self)
    }
}

impl IntoTag for &[u8; 3] {
    #[inline]
    fn into_tag(self) -> Option<Tag> {
        Tag::from_bytes(*self)
    }
}
