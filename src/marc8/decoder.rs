//! MARC-8 -> UTF-8.

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

use super::tables::{self, COMBINING, NO_OUTPUT};
use super::{CharacterSet, Marc8Error, Marc8Options, Marc8Warning, Marc8WarningKind};

const ESC: u8 = 0x1B;

/// Non-standard EACC codes written by Innovative Interfaces (III) systems for
/// a few punctuation marks that EACC lacks. They are not in the Library of
/// Congress tables; decoding them is harmless because the codes are otherwise
/// unassigned.
const III_EACC: [(u32, char); 6] = [
    (0x21_203D, '\u{2026}'), // horizontal ellipsis
    (0x21_2040, '\u{201C}'), // left double quotation mark
    (0x7F_2014, '\u{2014}'), // em dash
    (0x7F_2019, '\u{2019}'), // right single quotation mark
    (0x7F_2020, '\u{201D}'), // right double quotation mark
    (0x7F_2122, '\u{2122}'), // trade mark sign
];

/// The input as `&str` when decoding it would change nothing: ASCII only,
/// no escape, no `&#x` reference to decode.
pub(super) fn as_plain_ascii(input: &[u8], opts: Marc8Options) -> Option<&str> {
    let mut pos = 0;
    loop {
        pos += ascii_run_len(&input[pos..]);
        match input.get(pos) {
            None => return std::str::from_utf8(input).ok(),
            Some(b'&') if !(opts.decode_ncr && parse_ncr(&input[pos..]).is_some()) => pos += 1,
            Some(_) => return None,
        }
    }
}

/// Parses `&#xH;` .. `&#xHHHHHH;` at the start of `bytes`: the character and
/// the length of the reference.
pub(super) fn parse_ncr(bytes: &[u8]) -> Option<(char, usize)> {
    let rest = bytes.strip_prefix(b"&#")?;
    let rest = rest
        .strip_prefix(b"x")
        .or_else(|| rest.strip_prefix(b"X"))?;
    let digits = rest
        .iter()
        .take(7)
        .take_while(|b| b.is_ascii_hexdigit())
        .count();
    if digits == 0 || digits > 6 || rest.get(digits) != Some(&b';') {
        return None;
    }
    let mut value = 0u32;
    for &b in &rest[..digits] {
        value = value * 16 + char::from(b).to_digit(16)?;
    }
    Some((char::from_u32(value)?, 3 + digits + 1))
}

/// Length of the leading run of bytes that decode to themselves while G0 is
/// Basic Latin: below 0x80, not ESC, not `&`.
fn ascii_run_len(bytes: &[u8]) -> usize {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    // A byte of `x` is flagged if it is zero. Borrows can flag bytes above a
    // zero byte too, which is harmless: only the lowest flag is used.
    const fn zero_bytes(x: u64) -> u64 {
        x.wrapping_sub(LO) & !x & HI
    }
    let mut n = 0;
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let Ok(arr) = <[u8; 8]>::try_from(chunk) else {
            break;
        };
        let w = u64::from_le_bytes(arr);
        let special = (w & HI) | zero_bytes(w ^ (LO * 0x1B)) | zero_bytes(w ^ (LO * 0x26));
        if special != 0 {
            return n + (special.trailing_zeros() / 8) as usize;
        }
        n += 8;
    }
    for &b in &bytes[n..] {
        if b >= 0x80 || b == ESC || b == b'&' {
            break;
        }
        n += 1;
    }
    n
}

/// Looks up a 24-bit EACC code.
fn eacc_lookup(code: u32) -> Option<char> {
    if let Ok(i) = tables::EACC_CODES.binary_search(&code) {
        return tables::EACC_UCS.get(i).copied().and_then(char::from_u32);
    }
    III_EACC
        .iter()
        .find(|&&(c, _)| c == code)
        .map(|&(_, ch)| ch)
}

/// The full decoder, for input that [`as_plain_ascii`] refused.
pub(super) fn decode_slow(
    input: &[u8],
    opts: Marc8Options,
    out: &mut String,
    warnings: &mut Vec<Marc8Warning>,
) -> Result<(), Marc8Error> {
    let start = out.len();
    let mut d = Decoder {
        input,
        pos: 0,
        out,
        warnings,
        opts,
        g0: CharacterSet::BasicLatin,
        g1: CharacterSet::Ansel,
        marks_at: None,
        marks_offset: 0,
    };
    if let Err(e) = d.run() {
        d.out.truncate(start);
        return Err(e);
    }
    if opts.normalize_nfc {
        nfc_tail(out, start);
    }
    Ok(())
}

/// Normalizes `out[start..]` to NFC.
///
/// Only the stretches around non-ASCII characters are normalized: an ASCII
/// character has combining class 0 and is never the second character of a
/// composition, so nothing before it interacts with it or with what follows
/// (it can still be the base of the marks after it, so it starts the stretch).
fn nfc_tail(out: &mut String, start: usize) {
    let tail = &out[start..];
    if is_nfc_quick(tail.chars()) == IsNormalized::Yes {
        return;
    }
    let bytes = tail.as_bytes();
    let mut nfc = String::with_capacity(tail.len());
    let mut pos = 0;
    while pos < bytes.len() {
        let Some(j) = bytes[pos..]
            .iter()
            .position(|&b| b >= 0x80)
            .map(|j| pos + j)
        else {
            nfc.push_str(&tail[pos..]);
            break;
        };
        // `j - 1` is an ASCII byte (a character boundary) when `j > pos`.
        let seg = if j > pos { j - 1 } else { j };
        nfc.push_str(&tail[pos..seg]);
        let end = bytes[j..]
            .iter()
            .position(|&b| b < 0x80)
            .map_or(bytes.len(), |k| j + k);
        nfc.extend(tail[seg..end].nfc());
        pos = end;
    }
    out.truncate(start);
    out.push_str(&nfc);
}

struct Decoder<'i, 'o> {
    input: &'i [u8],
    pos: usize,
    out: &'o mut String,
    warnings: &'o mut Vec<Marc8Warning>,
    opts: Marc8Options,
    g0: CharacterSet,
    g1: CharacterSet,
    /// Where the combining marks waiting for their base character start in
    /// `out` (they are written at once; the base is inserted before them).
    marks_at: Option<usize>,
    /// Input offset of the first waiting mark.
    marks_offset: usize,
}

impl Decoder<'_, '_> {
    fn run(&mut self) -> Result<(), Marc8Error> {
        let input = self.input;
        while let Some(&b) = input.get(self.pos) {
            if self.g0 == CharacterSet::BasicLatin && self.marks_at.is_none() {
                let run = ascii_run_len(&input[self.pos..]);
                if run > 0 {
                    let bytes = &input[self.pos..self.pos + run];
                    match std::str::from_utf8(bytes) {
                        Ok(s) => self.out.push_str(s),
                        Err(_) => self.out.push_str(&String::from_utf8_lossy(bytes)),
                    }
                    self.pos += run;
                    continue;
                }
            }
            match b {
                ESC => self.escape()?,
                0x00..=0x1F => self.control(b)?,
                0x7F if self.g0 != CharacterSet::Eacc => self.control(b)?,
                b' ' => {
                    self.base(' ');
                    self.pos += 1;
                }
                0x21..=0x7F => {
                    if self.g0 == CharacterSet::Eacc {
                        self.eacc(false)?;
                    } else if b != b'&' || !self.ncr() {
                        self.single(self.g0, b)?;
                    }
                }
                0x80..=0x9F => {
                    let c1 = tables::ANSEL_C1
                        .iter()
                        .find(|&&(c, _)| c == b)
                        .and_then(|&(_, u)| char::from_u32(u));
                    match c1 {
                        Some(ch) => {
                            self.base(ch);
                            self.pos += 1;
                        }
                        None => self.problem(self.pos, 1, Marc8WarningKind::UndefinedByte)?,
                    }
                }
                0xA0 | 0xFF => self.problem(self.pos, 1, Marc8WarningKind::UndefinedByte)?,
                0xA1..=0xFE => {
                    if self.g1 == CharacterSet::Eacc {
                        self.eacc(true)?;
                    } else {
                        self.single(self.g1, b)?;
                    }
                }
            }
        }
        self.dangling_marks()
    }

    /// Writes a control byte as it is.
    fn control(&mut self, b: u8) -> Result<(), Marc8Error> {
        self.dangling_marks()?;
        self.out.push(char::from(b));
        self.pos += 1;
        Ok(())
    }

    /// Writes a base character, before any waiting combining marks.
    fn base(&mut self, ch: char) {
        match self.marks_at.take() {
            Some(at) => self.out.insert(at, ch),
            None => self.out.push(ch),
        }
    }

    /// Writes a combining mark; it waits for the next base character.
    fn mark(&mut self, ch: char) {
        if self.marks_at.is_none() {
            self.marks_at = Some(self.out.len());
            self.marks_offset = self.pos;
        }
        self.out.push(ch);
    }

    /// Reports marks left without a base character (they stay as they are).
    fn dangling_marks(&mut self) -> Result<(), Marc8Error> {
        if self.marks_at.take().is_some() {
            let offset = self.marks_offset;
            let w = Marc8Warning {
                offset,
                bytes: self.input.get(offset..=offset).unwrap_or_default().to_vec(),
                kind: Marc8WarningKind::DanglingCombining,
            };
            if self.opts.strict {
                return Err(Marc8Error::Strict(w));
            }
            self.warnings.push(w);
        }
        Ok(())
    }

    /// Records a problem with `len` bytes at `offset`, writes U+FFFD and moves
    /// past them; or fails in strict mode.
    fn problem(
        &mut self,
        offset: usize,
        len: usize,
        kind: Marc8WarningKind,
    ) -> Result<(), Marc8Error> {
        let end = (offset + len).min(self.input.len());
        let w = Marc8Warning {
            offset,
            bytes: self.input[offset.min(end)..end].to_vec(),
            kind,
        };
        if self.opts.strict {
            return Err(Marc8Error::Strict(w));
        }
        self.warnings.push(w);
        self.base('\u{FFFD}');
        self.pos = end;
        Ok(())
    }

    /// Decodes the single-byte code `b` through `set`.
    fn single(&mut self, set: CharacterSet, b: u8) -> Result<(), Marc8Error> {
        let entry = set
            .table()
            .and_then(|t| t.get(usize::from((b & 0x7F).wrapping_sub(0x21))))
            .copied()
            .unwrap_or(0);
        if entry & NO_OUTPUT == 0 {
            match char::from_u32(entry & 0x001F_FFFF).filter(|_| entry != 0) {
                Some(ch) if entry & COMBINING != 0 => self.mark(ch),
                Some(ch) => self.base(ch),
                None => return self.problem(self.pos, 1, Marc8WarningKind::UnmappedCode { set }),
            }
        }
        self.pos += 1;
        Ok(())
    }

    /// Decodes a 3-byte EACC character at `pos` (`high`: read through G1).
    fn eacc(&mut self, high: bool) -> Result<(), Marc8Error> {
        let start = self.pos;
        let mut code = 0u32;
        for i in 0..3 {
            match self.input.get(start + i) {
                Some(&b) if i == 0 || !matches!(b, ESC | 0x1D..=0x1F) => {
                    let b = if high { b & 0x7F } else { b };
                    code = code << 8 | u32::from(b);
                }
                _ => return self.problem(start, i, Marc8WarningKind::TruncatedMultibyte),
            }
        }
        match eacc_lookup(code) {
            Some(ch) => {
                self.base(ch);
                self.pos = start + 3;
                Ok(())
            }
            None => self.problem(
                start,
                3,
                Marc8WarningKind::UnmappedCode {
                    set: CharacterSet::Eacc,
                },
            ),
        }
    }

    /// At `&` with G0 = Basic Latin: decodes a numeric character reference if
    /// there is one (and the option is on). Returns whether it did.
    fn ncr(&mut self) -> bool {
        let found = if self.opts.decode_ncr && self.g0 == CharacterSet::BasicLatin {
            parse_ncr(&self.input[self.pos..])
        } else {
            None
        };
        match found {
            Some((ch, len)) => {
                self.base(ch);
                self.pos += len;
                true
            }
            None => false,
        }
    }

    /// Handles an escape sequence at `pos`.
    fn escape(&mut self) -> Result<(), Marc8Error> {
        let start = self.pos;
        let rest = &self.input[start + 1..];
        let Some(&first) = rest.first() else {
            return self.problem(start, 1, Marc8WarningKind::TruncatedEscape);
        };
        // Technique 1: the MARC-specific two-byte sequences.
        let technique1 = match first {
            b'g' => Some(CharacterSet::GreekSymbols),
            b'b' => Some(CharacterSet::Subscripts),
            b'p' => Some(CharacterSet::Superscripts),
            b's' => Some(CharacterSet::BasicLatin),
            _ => None,
        };
        if let Some(set) = technique1 {
            self.g0 = set;
            self.pos = start + 2;
            return Ok(());
        }
        // Technique 2: ESC, intermediate byte(s), final byte(s).
        let (g1, intermediates) = match (first, rest.get(1)) {
            (b'(' | b',', _) => (false, 1),
            (b')' | b'-', _) => (true, 1),
            (b'$', Some(b'(' | b',')) => (false, 2),
            (b'$', Some(b')' | b'-')) => (true, 2),
            (b'$', _) => (false, 1),
            _ => return self.problem(start, 1, Marc8WarningKind::InvalidEscape),
        };
        let mut fin = 1 + intermediates;
        // ANSEL's final is the two bytes `! E`.
        if self.input.get(start + fin) == Some(&b'!') {
            fin += 1;
        }
        let Some(&f) = self.input.get(start + fin) else {
            return self.problem(
                start,
                self.input.len() - start,
                Marc8WarningKind::TruncatedEscape,
            );
        };
        if !(0x30..=0x7E).contains(&f) {
            return self.problem(start, fin, Marc8WarningKind::InvalidEscape);
        }
        let len = fin + 1;
        match CharacterSet::from_final_byte(f) {
            Some(set) => {
                if g1 {
                    self.g1 = set;
                } else {
                    self.g0 = set;
                }
                self.pos = start + len;
                Ok(())
            }
            None => self.problem(
                start,
                len,
                Marc8WarningKind::UnknownCharacterSet { final_byte: f },
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_run_len_finds_first_special_byte() {
        for len in 0..40 {
            for special in [0x1B, b'&', 0x80, 0xFF, 0xE2] {
                for at in 0..=len {
                    let mut v = vec![b'a'; len];
                    if at < len {
                        v[at] = special;
                        // Bytes after the special one must not matter.
                        for x in v.iter_mut().skip(at + 1) {
                            *x = 0x00;
                        }
                    }
                    assert_eq!(ascii_run_len(&v), at.min(len), "len {len} at {at}");
                }
            }
        }
        assert_eq!(ascii_run_len(b"\x00\x01\x1A\x1C\x1D\x1E\x1F\x7F"), 8);
        assert_eq!(
            ascii_run_len(b"\x00\x01\x02\x03\x04\x05\x06\x07\x1B"),
            9 - 1
        );
    }

    #[test]
    fn nfc_by_stretches_equals_full_nfc() {
        let pieces = [
            "a", "e", " ", ".", "\u{301}", "\u{323}", "\u{302}", "\u{1100}", "\u{1161}",
            "\u{11A8}", "\u{5d1}", "\u{5bc}", "\u{5b8}", "\u{3b1}", "\u{313}", "\u{342}",
            "\u{4eba}", "\u{f900}", "\u{212b}", "\u{e9}", "\u{1e9b}", "\x1f",
        ];
        let mut rng = 12345u64;
        for _ in 0..20_000 {
            let mut s = String::from("keep\u{301}|");
            let start = s.len();
            for _ in 0..8 {
                rng = rng.wrapping_mul(6364136223846793005).wrapping_add(1);
                s.push_str(pieces[(rng >> 33) as usize % pieces.len()]);
            }
            let want: String = s[..start].to_owned() + &s[start..].nfc().collect::<String>();
            nfc_tail(&mut s, start);
            assert_eq!(s, want);
        }
    }

    #[test]
    fn ncr_parsing() {
        assert_eq!(parse_ncr(b"&#x41;"), Some(('A', 6)));
        assert_eq!(parse_ncr(b"&#X10FFFF;x"), Some(('\u{10FFFF}', 10)));
        assert_eq!(parse_ncr(b"&#x110000;"), None);
        assert_eq!(parse_ncr(b"&#xD800;"), None);
        assert_eq!(parse_ncr(b"&#x;"), None);
        assert_eq!(parse_ncr(b"&#x0000041;"), None);
        assert_eq!(parse_ncr(b"&#x41"), None);
        assert_eq!(parse_ncr(b"&#65;"), None);
        assert_eq!(parse_ncr(b"&amp;"), None);
    }
}
