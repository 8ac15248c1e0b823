//! MARC-8 <-> UTF-8 conversion.
//!
//! MARC-8 is the ISO 2022-style character encoding of MARC 21 records whose
//! leader position 09 is blank. Text is made of 7-bit and 8-bit codes read
//! through two *working sets*: bytes 0x21..=0x7E through G0 (Basic Latin, that
//! is ASCII, by default) and bytes 0xA1..=0xFE through G1 (Extended Latin,
//! "ANSEL", by default). Escape sequences designate other sets: Hebrew, Basic
//! and Extended Cyrillic, Basic and Extended Arabic, Basic Greek, the three
//! small sets of Greek symbols, subscripts and superscripts, and the 3-byte
//! East Asian Character Code (EACC) for Chinese, Japanese and Korean. Combining
//! marks *precede* their base character in MARC-8, and follow it in Unicode.
//!
//! * [`decode`] / [`decode_into`] convert MARC-8 bytes to UTF-8, moving each
//!   combining mark after its base character, optionally normalizing to NFC
//!   and decoding `&#xXXXX;` numeric character references. Problems are
//!   reported as located [`Marc8Warning`]s (and U+FFFD in the output), or, in
//!   strict mode, as a [`Marc8Error`].
//! * [`encode`] / [`encode_lossy`] convert UTF-8 back to MARC-8.
//! * [`detect`] guesses whether bytes are ASCII, UTF-8 or MARC-8, for records
//!   whose leader does not tell the truth.
//!
//! The mappings come from the Library of Congress code tables, compiled into
//! the crate (see `examples/gen_marc8_tables.rs`).
//!
//! ```
//! use marcview::marc8::{self, Marc8Options};
//!
//! // "Dvořák" in MARC-8: the caron (0xE9) comes before the "r" it sits on.
//! let bytes = b"Dvo\xE9r\xE2ak";
//! let mut warnings = Vec::new();
//! let text = marc8::decode(bytes, Marc8Options::new().normalize_nfc(true), &mut warnings)?;
//! assert_eq!(text, "Dvořák");
//! assert!(warnings.is_empty());
//! assert_eq!(marc8::encode("Dvořák")?, bytes);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::borrow::Cow;
use std::fmt;

mod decoder;
mod detection;
mod encoder;
mod tables;

pub use detection::{Detected, detect};

/// Options for [`decode`] and [`decode_into`].
///
/// Build it with [`Marc8Options::new`] (or `Default`) and the chainable
/// setters. The defaults are: no normalization, lenient, numeric character
/// references decoded.
///
/// ```
/// use marcview::marc8::Marc8Options;
///
/// let opts = Marc8Options::new().normalize_nfc(true).strict(true);
/// assert!(opts.normalize_nfc && opts.strict && opts.decode_ncr);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Marc8Options {
    /// Normalize the output to Unicode Normalization Form C (precomposed
    /// characters where Unicode has them). Off by default: the output then
    /// keeps MARC-8's base + combining mark sequences (in Unicode order).
    pub normalize_nfc: bool,
    /// Fail with a [`Marc8Error`] at the first problem instead of writing
    /// U+FFFD and recording a [`Marc8Warning`]. Off by default.
    pub strict: bool,
    /// Decode numeric character references `&#xXXXX;` (hexadecimal, 1 to 6
    /// digits, written while G0 is Basic Latin) into the character they name,
    /// the convention for characters MARC-8 cannot encode. On by default.
    pub decode_ncr: bool,
}

impl Default for Marc8Options {
    fn default() -> Self {
        Self::new()
    }
}

impl Marc8Options {
    /// The default options: no NFC, lenient, `&#xXXXX;` references decoded.
    ///
    /// ```
    /// use marcview::marc8::Marc8Options;
    ///
    /// let opts = Marc8Options::new();
    /// assert!(!opts.normalize_nfc && !opts.strict && opts.decode_ncr);
    /// ```
    #[must_use]
    pub const fn new() -> Self {
        Self {
            normalize_nfc: false,
            strict: false,
            decode_ncr: true,
        }
    }

    /// Sets [`normalize_nfc`](Self::normalize_nfc).
    ///
    /// ```
    /// use marcview::marc8::{self, Marc8Options};
    ///
    /// let nfc = Marc8Options::new().normalize_nfc(true);
    /// assert_eq!(marc8::decode(b"\xE2e", nfc, &mut Vec::new())?, "\u{e9}");
    /// assert_eq!(marc8::decode(b"\xE2e", Marc8Options::new(), &mut Vec::new())?, "e\u{301}");
    /// # Ok::<(), marcview::marc8::Marc8Error>(())
    /// ```
    #[must_use]
    pub const fn normalize_nfc(mut self, yes: bool) -> Self {
        self.normalize_nfc = yes;
        self
    }

    /// Sets [`strict`](Self::strict).
    ///
    /// ```
    /// use marcview::marc8::{self, Marc8Options};
    ///
    /// let err = marc8::decode(b"ab\xFF", Marc8Options::new().strict(true), &mut Vec::new());
    /// assert_eq!(err.unwrap_err().offset(), 2);
    /// ```
    #[must_use]
    pub const fn strict(mut self, yes: bool) -> Self {
        self.strict = yes;
        self
    }

    /// Sets [`decode_ncr`](Self::decode_ncr).
    ///
    /// ```
    /// use marcview::marc8::{self, Marc8Options};
    ///
    /// let raw = Marc8Options::new().decode_ncr(false);
    /// assert_eq!(marc8::decode(b"&#x2113;", raw, &mut Vec::new())?, "&#x2113;");
    /// assert_eq!(marc8::decode(b"&#x2113;", Marc8Options::new(), &mut Vec::new())?, "\u{2113}");
    /// # Ok::<(), marcview::marc8::Marc8Error>(())
    /// ```
    #[must_use]
    pub const fn decode_ncr(mut self, yes: bool) -> Self {
        self.decode_ncr = yes;
        self
    }
}

/// A MARC-8 graphic character set.
///
/// ```
/// use marcview::marc8::CharacterSet;
///
/// assert_eq!(CharacterSet::from_final_byte(b'3'), Some(CharacterSet::BasicArabic));
/// assert_eq!(CharacterSet::Eacc.final_byte(), b'1');
/// assert_eq!(CharacterSet::Ansel.to_string(), "Extended Latin (ANSEL)");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CharacterSet {
    /// Basic Latin (ASCII), final byte `B`; the default G0 set.
    BasicLatin,
    /// Extended Latin (ANSEL), final bytes `! E`; the default G1 set.
    Ansel,
    /// Greek symbols (alpha, beta, gamma), selected with `ESC g`.
    GreekSymbols,
    /// Subscript digits and signs, selected with `ESC b`.
    Subscripts,
    /// Superscript digits and signs, selected with `ESC p`.
    Superscripts,
    /// Basic Hebrew, final byte `2`.
    BasicHebrew,
    /// Basic Cyrillic, final byte `N`.
    BasicCyrillic,
    /// Extended Cyrillic, final byte `Q`.
    ExtendedCyrillic,
    /// Basic Arabic, final byte `3`.
    BasicArabic,
    /// Extended Arabic, final byte `4`.
    ExtendedArabic,
    /// Basic Greek, final byte `S`.
    BasicGreek,
    /// East Asian Character Code (Chinese, Japanese, Korean; 3 bytes a
    /// character), final byte `1`.
    Eacc,
}

impl CharacterSet {
    /// Every MARC-8 character set.
    ///
    /// ```
    /// use marcview::marc8::CharacterSet;
    ///
    /// let multibyte: Vec<_> = CharacterSet::ALL.iter().filter(|s| s.is_multibyte()).collect();
    /// assert_eq!(multibyte, [&CharacterSet::Eacc]);
    /// ```
    pub const ALL: [CharacterSet; 12] = [
        Self::BasicLatin,
        Self::Ansel,
        Self::GreekSymbols,
        Self::Subscripts,
        Self::Superscripts,
        Self::BasicHebrew,
        Self::BasicCyrillic,
        Self::ExtendedCyrillic,
        Self::BasicArabic,
        Self::ExtendedArabic,
        Self::BasicGreek,
        Self::Eacc,
    ];

    /// The set whose escape-sequence final byte (ISO registration) is `f`.
    /// ANSEL, whose final is the two bytes `! E`, answers to `E` (0x45).
    ///
    /// ```
    /// use marcview::marc8::CharacterSet;
    ///
    /// assert_eq!(CharacterSet::from_final_byte(b'N'), Some(CharacterSet::BasicCyrillic));
    /// assert_eq!(CharacterSet::from_final_byte(b'Z'), None);
    /// ```
    #[must_use]
    pub const fn from_final_byte(f: u8) -> Option<Self> {
        Some(match f {
            0x42 => Self::BasicLatin,
            0x45 => Self::Ansel,
            0x67 => Self::GreekSymbols,
            0x62 => Self::Subscripts,
            0x70 => Self::Superscripts,
            0x32 => Self::BasicHebrew,
            0x4E => Self::BasicCyrillic,
            0x51 => Self::ExtendedCyrillic,
            0x33 => Self::BasicArabic,
            0x34 => Self::ExtendedArabic,
            0x53 => Self::BasicGreek,
            0x31 => Self::Eacc,
            _ => return None,
        })
    }

    /// The escape-sequence final byte of this set (`E` for ANSEL, whose full
    /// final is `! E`).
    ///
    /// ```
    /// use marcview::marc8::CharacterSet;
    ///
    /// assert_eq!(CharacterSet::BasicHebrew.final_byte(), b'2');
    /// ```
    #[must_use]
    pub const fn final_byte(self) -> u8 {
        match self {
            Self::BasicLatin => 0x42,
            Self::Ansel => 0x45,
            Self::GreekSymbols => 0x67,
            Self::Subscripts => 0x62,
            Self::Superscripts => 0x70,
            Self::BasicHebrew => 0x32,
            Self::BasicCyrillic => 0x4E,
            Self::ExtendedCyrillic => 0x51,
            Self::BasicArabic => 0x33,
            Self::ExtendedArabic => 0x34,
            Self::BasicGreek => 0x53,
            Self::Eacc => 0x31,
        }
    }

    /// The name the Library of Congress code tables give the set.
    ///
    /// ```
    /// use marcview::marc8::CharacterSet;
    ///
    /// assert_eq!(CharacterSet::Eacc.name(), "Chinese, Japanese, Korean (EACC)");
    /// ```
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::BasicLatin => "Basic Latin (ASCII)",
            Self::Ansel => "Extended Latin (ANSEL)",
            Self::GreekSymbols => "Greek Symbols",
            Self::Subscripts => "Subscripts",
            Self::Superscripts => "Superscripts",
            Self::BasicHebrew => "Basic Hebrew",
            Self::BasicCyrillic => "Basic Cyrillic",
            Self::ExtendedCyrillic => "Extended Cyrillic",
            Self::BasicArabic => "Basic Arabic",
            Self::ExtendedArabic => "Extended Arabic",
            Self::BasicGreek => "Basic Greek",
            Self::Eacc => "Chinese, Japanese, Korean (EACC)",
        }
    }

    /// Whether a character of this set takes three bytes (EACC only).
    ///
    /// ```
    /// use marcview::marc8::CharacterSet;
    ///
    /// assert!(CharacterSet::Eacc.is_multibyte());
    /// assert!(!CharacterSet::Ansel.is_multibyte());
    /// ```
    #[must_use]
    pub const fn is_multibyte(self) -> bool {
        matches!(self, Self::Eacc)
    }

    /// The 94-entry table of a single-byte set.
    pub(crate) fn table(self) -> Option<&'static [u32; 94]> {
        Some(match self {
            Self::BasicLatin => &tables::BASIC_LATIN,
            Self::Ansel => &tables::ANSEL,
            Self::GreekSymbols => &tables::GREEK_SYMBOLS,
            Self::Subscripts => &tables::SUBSCRIPTS,
            Self::Superscripts => &tables::SUPERSCRIPTS,
            Self::BasicHebrew => &tables::BASIC_HEBREW,
            Self::BasicCyrillic => &tables::BASIC_CYRILLIC,
            Self::ExtendedCyrillic => &tables::EXTENDED_CYRILLIC,
            Self::BasicArabic => &tables::BASIC_ARABIC,
            Self::ExtendedArabic => &tables::EXTENDED_ARABIC,
            Self::BasicGreek => &tables::BASIC_GREEK,
            Self::Eacc => return None,
        })
    }
}

impl fmt::Display for CharacterSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What went wrong at the place a [`Marc8Warning`] (or [`Marc8Error`]) points to.
///
/// ```
/// use marcview::marc8::{self, CharacterSet, Marc8Options, Marc8WarningKind};
///
/// let mut warnings = Vec::new();
/// marc8::decode(b"(2P(B", Marc8Options::new(), &mut warnings)?;
/// let kind = &warnings[0].kind;
/// assert_eq!(kind, &Marc8WarningKind::UnmappedCode { set: CharacterSet::BasicHebrew });
/// assert_eq!(kind.to_string(), "code not assigned in Basic Hebrew");
/// # Ok::<(), marcview::marc8::Marc8Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum Marc8WarningKind {
    /// The code is not assigned in the character set designated for it.
    #[error("code not assigned in {set}")]
    UnmappedCode {
        /// The set the code was read from.
        set: CharacterSet,
    },
    /// A byte that MARC-8 does not define in any set: 0xA0, 0xFF and the C1
    /// controls other than 0x88, 0x89, 0x8D and 0x8E.
    #[error("byte not defined in MARC-8")]
    UndefinedByte,
    /// `ESC` not followed by a recognizable escape sequence.
    #[error("invalid escape sequence")]
    InvalidEscape,
    /// A well-formed escape sequence designating a set MARC-8 does not have.
    /// The working sets are left unchanged.
    #[error("escape sequence designates an unknown character set (final byte 0x{final_byte:02X})")]
    UnknownCharacterSet {
        /// The final byte of the escape sequence.
        final_byte: u8,
    },
    /// The input ends inside an escape sequence.
    #[error("truncated escape sequence")]
    TruncatedEscape,
    /// An EACC character cut short by the end of the input, an escape or a
    /// MARC delimiter.
    #[error("truncated 3-byte EACC character")]
    TruncatedMultibyte,
    /// Combining mark(s) not followed by a base character (at the end of the
    /// input or before a control character); they are kept as they are.
    #[error("combining mark(s) without a base character")]
    DanglingCombining,
}

/// A problem found while decoding, located in the input.
///
/// In lenient mode the decoder records one of these and goes on (writing
/// U+FFFD in place of undecodable bytes); in strict mode it is returned inside
/// a [`Marc8Error`].
///
/// ```
/// use marcview::marc8::{self, Marc8Options, Marc8WarningKind};
///
/// let mut warnings = Vec::new();
/// let text = marc8::decode(b"a\x1B(Zb", Marc8Options::new(), &mut warnings)?;
/// assert_eq!(text, "a\u{FFFD}b");
/// assert_eq!(warnings[0].offset, 1);
/// assert_eq!(warnings[0].bytes, b"\x1B(Z");
/// assert_eq!(warnings[0].kind, Marc8WarningKind::UnknownCharacterSet { final_byte: b'Z' });
/// # Ok::<(), marcview::marc8::Marc8Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[error("MARC-8 at byte {offset}{}: {kind}", HexBytes(bytes))]
#[non_exhaustive]
pub struct Marc8Warning {
    /// Byte offset of the problem within the input slice.
    pub offset: usize,
    /// The offending bytes: at most a few (for
    /// [`Marc8WarningKind::DanglingCombining`], the first mark's byte).
    pub bytes: Vec<u8>,
    /// What was wrong.
    pub kind: Marc8WarningKind,
}

/// Error of [`decode`] and [`decode_into`] in strict mode.
///
/// ```
/// use marcview::marc8::{self, Marc8Options, Marc8WarningKind};
///
/// let err = marc8::decode(b"abc\x1B", Marc8Options::new().strict(true), &mut Vec::new())
///     .unwrap_err();
/// assert_eq!(err.offset(), 3);
/// assert_eq!(err.kind(), &Marc8WarningKind::TruncatedEscape);
/// assert_eq!(err.to_string(), "MARC-8 at byte 3 (1B): truncated escape sequence");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum Marc8Error {
    /// The first problem found in strict mode.
    #[error(transparent)]
    Strict(Marc8Warning),
}

impl Marc8Error {
    /// The located problem.
    ///
    /// ```
    /// use marcview::marc8::{self, Marc8Options};
    ///
    /// let err = marc8::decode(b"\x80", Marc8Options::new().strict(true), &mut Vec::new());
    /// assert_eq!(err.unwrap_err().warning().bytes, [0x80]);
    /// ```
    #[must_use]
    pub fn warning(&self) -> &Marc8Warning {
        match self {
            Self::Strict(w) => w,
        }
    }

    /// Byte offset of the problem within the input slice.
    ///
    /// ```
    /// use marcview::marc8::{self, Marc8Options};
    ///
    /// let err = marc8::decode(b"ok \xA0", Marc8Options::new().strict(true), &mut Vec::new());
    /// assert_eq!(err.unwrap_err().offset(), 3);
    /// ```
    #[must_use]
    pub fn offset(&self) -> usize {
        self.warning().offset
    }

    /// The offending bytes.
    ///
    /// ```
    /// use marcview::marc8::{self, Marc8Options};
    ///
    /// let err = marc8::decode(b"\x1B$1!", Marc8Options::new().strict(true), &mut Vec::new());
    /// assert_eq!(err.unwrap_err().bytes(), b"!");
    /// ```
    #[must_use]
    pub fn bytes(&self) -> &[u8] {
        &self.warning().bytes
    }

    /// What was wrong.
    ///
    /// ```
    /// use marcview::marc8::{self, Marc8Options, Marc8WarningKind};
    ///
    /// let err = marc8::decode(b"\x1Bz", Marc8Options::new().strict(true), &mut Vec::new());
    /// assert_eq!(err.unwrap_err().kind(), &Marc8WarningKind::InvalidEscape);
    /// ```
    #[must_use]
    pub fn kind(&self) -> &Marc8WarningKind {
        &self.warning().kind
    }
}

/// Error of [`encode`]: a character MARC-8 cannot represent.
///
/// ```
/// use marcview::marc8::{self, Marc8EncodeError};
///
/// let err = marc8::encode("naïve ☃").unwrap_err();
/// assert_eq!(err, Marc8EncodeError::Unmappable { ch: '☃', offset: 7 });
/// assert_eq!(err.to_string(), "character U+2603 '☃' at byte 7 has no MARC-8 encoding");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum Marc8EncodeError {
    /// `ch`, at byte `offset` of the input string, has no MARC-8 encoding,
    /// neither as such nor as a canonical decomposition.
    #[error("character U+{:04X} {ch:?} at byte {offset} has no MARC-8 encoding", u32::from(*ch))]
    Unmappable {
        /// The character.
        ch: char,
        /// Its byte offset in the input string.
        offset: usize,
    },
}

/// Formats bytes as ` (1B 28 5A)`: uppercase hex in parentheses after a
/// space, or nothing when there are none.
struct HexBytes<'a>(&'a [u8]);

impl fmt::Display for HexBytes<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return Ok(());
        }
        f.write_str(" (")?;
        for (i, b) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{b:02X}")?;
        }
        f.write_str(")")
    }
}

/// Decodes MARC-8 `input` to UTF-8.
///
/// Each call starts in the MARC-8 default state (G0 = Basic Latin, G1 =
/// ANSEL), as every MARC field does: decode one field (or subfield) at a time.
/// Pure ASCII input without escape sequences or `&#x` references is returned
/// as [`Cow::Borrowed`], without allocating.
///
/// Problems are appended to `warnings` (with U+FFFD written in place of the
/// bytes that could not be decoded), or returned as the error in strict mode.
/// The decoder never panics and does work linear in the input length.
///
/// # Errors
///
/// In strict mode ([`Marc8Options::strict`]), the first problem found, as
/// [`Marc8Error::Strict`]. In lenient mode, never.
///
/// Details:
/// * escape sequences: `ESC ( F`, `ESC , F` (G0), `ESC ) F`, `ESC - F` (G1),
///   `ESC $ F`, `ESC $ , F` (multibyte G0), `ESC $ ) F`, `ESC $ - F`
///   (multibyte G1), where `F` is a set's final byte (`! E` or `E` for ANSEL),
///   and `ESC g`, `ESC b`, `ESC p`, `ESC s` for the Greek symbol, subscript,
///   superscript and back-to-ASCII G0 sets;
/// * combining marks are written after the base character that follows them;
///   the second halves of the double-width ligature (0xEC) and double tilde
///   (0xFB) produce nothing, as the first half maps to the single
///   Unicode mark spanning both characters (U+0361, U+0360) and is placed
///   after the first character, where Unicode wants it;
/// * in EACC, a space (0x20) or a control byte read where a character starts
///   stands for itself; six non-standard EACC codes written by Innovative
///   Interfaces systems (0x21203D, 0x212040, 0x7F2014, 0x7F2019, 0x7F2020,
///   0x7F2122: ellipsis, quotation marks, em dash, trade mark) are decoded too;
/// * control bytes (0x00..=0x1F but ESC, and 0x7F) pass through unchanged; 0x88/0x89 (non-sort begin/end) map
///   to U+0098/U+009C and 0x8D/0x8E to ZERO WIDTH (NON-)JOINER.
///
/// ```
/// use std::borrow::Cow;
/// use marcview::marc8::{self, Marc8Options};
///
/// let mut warnings = Vec::new();
/// let opts = Marc8Options::new();
/// assert!(matches!(marc8::decode(b"Plain ASCII", opts, &mut warnings)?, Cow::Borrowed(_)));
///
/// // Hebrew, then back to ASCII; EACC (Chinese).
/// assert_eq!(marc8::decode(b"\x1B(2`Ba\x1B(B!", opts, &mut warnings)?, "\u{5d0}\u{5d1}\u{5b6}!");
/// assert_eq!(marc8::decode(b"\x1B$1!0d\x1B(B", opts, &mut warnings)?, "\u{4eba}");
///
/// // An unassigned ANSEL code: U+FFFD and a warning.
/// assert_eq!(marc8::decode(b"a\xAFb", opts, &mut warnings)?, "a\u{FFFD}b");
/// assert_eq!(warnings.len(), 1);
/// assert_eq!(warnings[0].offset, 1);
/// # Ok::<(), marcview::marc8::Marc8Error>(())
/// ```
pub fn decode<'a>(
    input: &'a [u8],
    opts: Marc8Options,
    warnings: &mut Vec<Marc8Warning>,
) -> Result<Cow<'a, str>, Marc8Error> {
    if let Some(s) = decoder::as_plain_ascii(input, opts) {
        return Ok(Cow::Borrowed(s));
    }
    let mut out = String::with_capacity(input.len() + input.len() / 4);
    decoder::decode_slow(input, opts, &mut out, warnings)?;
    Ok(Cow::Owned(out))
}

/// Decodes MARC-8 `input` to UTF-8, appending to `out`.
///
/// Same conversion as [`decode`]; useful to reuse one buffer for many fields.
/// On error (strict mode only) `out` is left as it was before the call.
///
/// # Errors
///
/// As [`decode`]: only in strict mode.
///
/// ```
/// use marcview::marc8::{self, Marc8Options};
///
/// let mut out = String::from("245: ");
/// marc8::decode_into(b"Fran\xF0cais", Marc8Options::new(), &mut out, &mut Vec::new())?;
/// assert_eq!(out, "245: Franc\u{327}ais");
/// # Ok::<(), marcview::marc8::Marc8Error>(())
/// ```
pub fn decode_into(
    input: &[u8],
    opts: Marc8Options,
    out: &mut String,
    warnings: &mut Vec<Marc8Warning>,
) -> Result<(), Marc8Error> {
    if let Some(s) = decoder::as_plain_ascii(input, opts) {
        out.push_str(s);
        return Ok(());
    }
    decoder::decode_slow(input, opts, out, warnings)
}

/// Encodes `input` as MARC-8.
///
/// Chooses escape sequences as needed (staying in the current set when it has
/// the character), moves combining marks before their base character,
/// decomposes precomposed characters that MARC-8 only has as base + combining
/// mark (e.g. `é` -> `e` + U+0301), and ends in the default state (G0 = Basic
/// Latin, G1 = ANSEL). U+0361 and U+0360 (the marks spanning two characters)
/// become the ANSEL first and second halves around the two characters; the
/// legacy half marks U+FE20..=U+FE23 are accepted too. A literal `&` that
/// starts a `&#x...;` reference is written as `&#x0026;` so that decoding
/// gives the text back.
///
/// A character with no MARC-8 encoding is an error naming it and its byte
/// offset; see [`encode_lossy`] to write `&#xXXXX;` references instead.
///
/// # Errors
///
/// [`Marc8EncodeError::Unmappable`] for the first character that MARC-8
/// cannot encode.
///
/// ```
/// use marcview::marc8;
///
/// assert_eq!(marc8::encode("Ærø")?, b"\xA5r\xB2");
/// assert_eq!(marc8::encode("Москва")?, b"\x1B(NmOSKWA\x1B(B");
/// assert_eq!(marc8::encode("人")?, b"\x1B$1!0d\x1B(B");
/// # Ok::<(), marcview::marc8::Marc8EncodeError>(())
/// ```
pub fn encode(input: &str) -> Result<Vec<u8>, Marc8EncodeError> {
    let mut out = Vec::with_capacity(input.len() + 8);
    encoder::encode_into(input, false, &mut out)?;
    Ok(out)
}

/// Encodes `input` as MARC-8, writing characters that MARC-8 cannot encode
/// as numeric character references `&#xXXXX;` (the usual practice, which
/// [`decode`] undoes).
///
/// ```
/// use marcview::marc8::{self, Marc8Options};
///
/// let bytes = marc8::encode_lossy("Snow ☃!");
/// assert_eq!(bytes, b"Snow &#x2603;!");
/// assert_eq!(marc8::decode(&bytes, Marc8Options::new(), &mut Vec::new())?, "Snow ☃!");
/// # Ok::<(), marcview::marc8::Marc8Error>(())
/// ```
#[must_use]
pub fn encode_lossy(input: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len() + 8);
    // The lossy encoder has no error to report.
    let _ = encoder::encode_into(input, true, &mut out);
    out
}

#[cfg(test)]
mod tests;
