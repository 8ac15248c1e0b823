//! Guessing the encoding of a field whose record leader may be wrong.

use super::CharacterSet;
use super::tables::{self, COMBINING};

const ESC: u8 = 0x1B;

/// What [`detect`] found.
///
/// ```
/// use marcview::marc8::{detect, Detected};
///
/// // A field of a record whose leader says MARC-8, but which is UTF-8.
/// let field = "Pérez Galdós".as_bytes();
/// assert_eq!(detect(field), Detected::Utf8);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Detected {
    /// Only bytes below 0x80 and no MARC-8 escape sequence: the same text in
    /// MARC-8 and in UTF-8.
    Ascii,
    /// Valid UTF-8 with at least one multi-byte sequence, and no MARC-8
    /// escape sequence.
    Utf8,
    /// MARC-8: it has a MARC-8 escape sequence, or it is not valid UTF-8 and
    /// every byte above 0x7F is a plausible ANSEL character.
    Marc8,
    /// Neither: bytes that ANSEL does not assign, a combining mark at the very
    /// end, or another 8-bit encoding (ISO 8859-1, Windows-1252...).
    Unknown,
}

/// Guesses whether `bytes` (a field, or a whole record) are ASCII, UTF-8 or
/// MARC-8, to catch records whose leader/09 does not match their content,
/// such as a record flagged MARC-8 (blank) that is really UTF-8, or the
/// reverse.
///
/// The rules, in order:
/// 1. an `ESC` starting a MARC-8 designation (`ESC ( 3`, `ESC $ 1`, `ESC s`,
///    ...) means [`Detected::Marc8`];
/// 2. only bytes below 0x80: [`Detected::Ascii`];
/// 3. valid UTF-8: [`Detected::Utf8`] (MARC-8 text is almost never valid
///    UTF-8, because ANSEL's combining marks 0xE0..=0xFE precede a base
///    character, where UTF-8 needs continuation bytes 0x80..=0xBF);
/// 4. every byte above 0x7F is assigned in ANSEL (or is one of its C1
///    controls), and no combining mark ends the input: [`Detected::Marc8`];
/// 5. otherwise [`Detected::Unknown`].
///
/// It is a heuristic: short Latin-1 text can look like ANSEL.
///
/// ```
/// use marcview::marc8::{detect, Detected};
///
/// assert_eq!(detect(b"Moby Dick"), Detected::Ascii);
/// assert_eq!(detect("Dvořák".as_bytes()), Detected::Utf8);
/// assert_eq!(detect(b"Dvo\xE9r\xE2ak"), Detected::Marc8);
/// assert_eq!(detect(b"\x1B(NmOSKWA\x1B(B"), Detected::Marc8);
/// assert_eq!(detect(b"M\xFCller"), Detected::Unknown); // ISO 8859-1
/// ```
#[must_use]
pub fn detect(bytes: &[u8]) -> Detected {
    if memchr::memchr_iter(ESC, bytes).any(|i| is_designation(&bytes[i + 1..])) {
        return Detected::Marc8;
    }
    if bytes.is_ascii() {
        return Detected::Ascii;
    }
    if std::str::from_utf8(bytes).is_ok() {
        return Detected::Utf8;
    }
    if plausible_ansel(bytes) {
        Detected::Marc8
    } else {
        Detected::Unknown
    }
}

/// Whether `rest` (the bytes after an `ESC`) starts a designation of a
/// MARC-8 character set.
fn is_designation(rest: &[u8]) -> bool {
    let mut i = match rest {
        [b'g' | b'b' | b'p' | b's', ..] => return true,
        [b'$', b'(' | b',' | b')' | b'-', ..] => 2,
        [b'(' | b',' | b')' | b'-' | b'$', ..] => 1,
        _ => return false,
    };
    if rest.get(i) == Some(&b'!') {
        i += 1;
    }
    rest.get(i)
        .is_some_and(|&f| CharacterSet::from_final_byte(f).is_some())
}

fn plausible_ansel(bytes: &[u8]) -> bool {
    for (i, &b) in bytes.iter().enumerate() {
        if b < 0x80 {
            continue;
        }
        if tables::ANSEL_C1.iter().any(|&(c, _)| c == b) {
            continue;
        }
        let entry = match b {
            0xA1..=0xFE => tables::ANSEL[usize::from(b - 0xA1)],
            _ => 0,
        };
        if entry == 0 || (entry & COMBINING != 0 && i + 1 == bytes.len()) {
            return false;
        }
    }
    true
}
