//! UTF-8 -> MARC-8.

use std::io::Write as _;

use unicode_normalization::char::{compose, decompose_canonical};

use super::decoder::parse_ncr;
use super::tables::{self, REV_COMBINING};
use super::{CharacterSet, Marc8EncodeError};

const ESC: u8 = 0x1B;

/// One way to write a character: a set and its code there (as the code tables
/// give it: G1 range for ANSEL and the extended sets, 24 bits for EACC).
#[derive(Clone, Copy, Debug)]
struct Cand {
    set: CharacterSet,
    code: u32,
    combining: bool,
}

/// The ways to write a character, preferred first.
#[derive(Clone, Copy)]
struct Cands {
    list: [Option<Cand>; 8],
}

impl Cands {
    fn iter(&self) -> impl Iterator<Item = Cand> + '_ {
        self.list.iter().map_while(|c| *c)
    }

    fn first(&self) -> Option<Cand> {
        self.list[0]
    }
}

fn lookup(ch: char) -> Cands {
    let u = u32::from(ch);
    let mut list = [None; 8];
    let mut n = 0;
    let lo = tables::REVERSE.partition_point(|e| e.0 < u);
    for &(_, code, fin, flags) in tables::REVERSE[lo..].iter().take_while(|e| e.0 == u) {
        if let (Some(set), Some(slot)) = (CharacterSet::from_final_byte(fin), list.get_mut(n)) {
            *slot = Some(Cand {
                set,
                code,
                combining: flags & REV_COMBINING != 0,
            });
            n += 1;
        }
    }
    let i = tables::EACC_BY_UCS
        .partition_point(|&i| tables::EACC_UCS.get(usize::from(i)).is_some_and(|&v| v < u));
    let eacc = tables::EACC_BY_UCS
        .get(i)
        .map(|&idx| usize::from(idx))
        .filter(|&idx| tables::EACC_UCS.get(idx) == Some(&u))
        .and_then(|idx| tables::EACC_CODES.get(idx));
    if let (Some(&code), Some(slot)) = (eacc, list.get_mut(n)) {
        *slot = Some(Cand {
            set: CharacterSet::Eacc,
            code,
            combining: false,
        });
    }
    Cands { list }
}

/// A piece of the input, after decomposition.
#[derive(Clone, Copy, Debug)]
enum Unit {
    /// A character MARC-8 has.
    Mapped { ch: char, combining: bool },
    /// SPACE, the same in every set.
    Space,
    /// A C0 control other than ESC, or DEL: written as it is.
    Control(u8),
    /// A character written as `&#xXXXX;`.
    Ncr(char),
}

impl Unit {
    fn is_mark(self) -> bool {
        matches!(
            self,
            Unit::Mapped {
                combining: true,
                ..
            }
        )
    }
}

/// Converts the character `ch` at `input[offset..]` into units appended to
/// `units`, or finds it unmappable. `last` is the unit before it. Returns the
/// number of bytes used, and a replacement for `last` if `ch` composes with it.
///
/// A character MARC-8 lacks is tried, in turn, as its canonical decomposition
/// (`é` -> `e` + U+0301), composed with the base character before it (`O` +
/// U+031B horn -> `Ơ`), and composed with the characters after it (Hangul
/// jamo -> syllable).
fn units_of(
    input: &str,
    offset: usize,
    ch: char,
    lossy: bool,
    last: Option<Unit>,
    units: &mut Vec<Unit>,
    parts: &mut Vec<char>,
) -> Result<(usize, Option<Unit>), Marc8EncodeError> {
    let mut used = ch.len_utf8();
    let unit = match ch {
        ' ' => Unit::Space,
        '&' if amp_starts_reference(input, offset, parts) => Unit::Ncr('&'),
        '\u{1B}' => unmappable(ch, offset, lossy)?,
        '\0'..='\u{1F}' | '\u{7F}' => Unit::Control(ch as u8),
        '!'..='~' => Unit::Mapped {
            ch,
            combining: false,
        },
        _ => {
            if let Some(unit) = mapped(ch) {
                unit
            } else if decomposed(ch, parts) {
                units.extend(parts.iter().filter_map(|&d| mapped(d)));
                return Ok((used, None));
            } else if let Some(unit) = compose_with_last(last, ch) {
                return Ok((used, Some(unit)));
            } else if let Some((unit, more)) = compose_with_next(ch, &input[offset + used..]) {
                used += more;
                unit
            } else {
                unmappable(ch, offset, lossy)?
            }
        }
    };
    units.push(unit);
    Ok((used, None))
}

/// Whether the `&` at `input[offset]` would start a `&#x...;` reference
/// once written, so that it must be written as one itself.
///
/// The combining marks that follow the `&` in the text are written before
/// it in MARC-8, so in the output the `&` is followed by what follows them:
/// `&` U+0301 `#x41;` becomes `0xE2 & # x 4 1 ;`, which decodes as U+0301
/// on `A`. Looking only at the bytes right after the `&` missed that.
fn amp_starts_reference(input: &str, offset: usize, parts: &mut Vec<char>) -> bool {
    let rest = &input[offset + 1..];
    let after_marks = rest
        .char_indices()
        .find(|&(_, c)| !written_as_marks(c, parts))
        .map_or(rest.len(), |(i, _)| i);
    let tail = &rest.as_bytes()[after_marks..];
    // The longest reference, `&#x10FFFF;`, is ten bytes; one more shows
    // that a seventh digit does not end it.
    let mut probe = [b'&'; 12];
    let n = tail.len().min(11);
    probe[1..=n].copy_from_slice(&tail[..n]);
    parse_ncr(&probe[..=n]).is_some()
}

/// Whether `ch` is written as combining marks only (which MARC-8 puts
/// before the base character they follow in Unicode), as [`units_of`]
/// converts it.
fn written_as_marks(ch: char, parts: &mut Vec<char>) -> bool {
    match mapped(ch) {
        Some(unit) => unit.is_mark(),
        None => {
            decomposed(ch, parts)
                && parts
                    .iter()
                    .all(|&d| mapped(d).is_some_and(|u| u.is_mark()))
        }
    }
}

/// `ch` as a unit, if MARC-8 has it.
fn mapped(ch: char) -> Option<Unit> {
    lookup(ch).first().map(|c| Unit::Mapped {
        ch,
        combining: c.combining,
    })
}

/// Whether `ch` has a canonical decomposition made of characters MARC-8 has
/// (left in `parts`).
fn decomposed(ch: char, parts: &mut Vec<char>) -> bool {
    parts.clear();
    decompose_canonical(ch, |d| parts.push(d));
    parts.as_slice() != [ch] && parts.iter().all(|&d| mapped(d).is_some())
}

/// A mark MARC-8 lacks may compose with the base before it into a character
/// MARC-8 has: the composed base.
fn compose_with_last(last: Option<Unit>, mark: char) -> Option<Unit> {
    let Some(Unit::Mapped {
        ch: base,
        combining: false,
    }) = last
    else {
        return None;
    };
    mapped(compose(base, mark)?)
}

/// The longest composition of `ch` with the characters of `next` that MARC-8
/// has, and how many bytes of `next` it takes.
fn compose_with_next(ch: char, next: &str) -> Option<(Unit, usize)> {
    let mut best = None;
    let mut c = ch;
    for (i, d) in next.char_indices() {
        let Some(composed) = compose(c, d) else {
            break;
        };
        c = composed;
        if let Some(unit) = mapped(c) {
            best = Some((unit, i + d.len_utf8()));
        }
    }
    best
}

fn unmappable(ch: char, offset: usize, lossy: bool) -> Result<Unit, Marc8EncodeError> {
    if lossy {
        Ok(Unit::Ncr(ch))
    } else {
        Err(Marc8EncodeError::Unmappable { ch, offset })
    }
}

/// Whether `input` can be copied as it is: ASCII without ESC, and no `&`
/// that would read as a reference.
fn is_plain(input: &str) -> bool {
    let bytes = input.as_bytes();
    input.is_ascii()
        && memchr::memchr(ESC, bytes).is_none()
        && !memchr::memchr_iter(b'&', bytes).any(|i| parse_ncr(&bytes[i..]).is_some())
}

pub(super) fn encode_into(
    input: &str,
    lossy: bool,
    out: &mut Vec<u8>,
) -> Result<(), Marc8EncodeError> {
    if is_plain(input) {
        out.extend_from_slice(input.as_bytes());
        return Ok(());
    }
    let start = out.len();
    let mut e = Encoder {
        out,
        g0: CharacterSet::BasicLatin,
        g1: CharacterSet::Ansel,
        pending_half: None,
    };
    // The current cluster: a base character (unless the text starts with a
    // mark) and the marks after it.
    let mut cluster: Vec<Unit> = Vec::new();
    let mut next: Vec<Unit> = Vec::new();
    let mut parts: Vec<char> = Vec::new();
    let mut pos = 0;
    // Where the run of printable ASCII (but `&`) that `pos` is in ends.
    // Found once per run: rescanning the rest of the run for each of its
    // characters, as long as they are written in a set other than Basic
    // Latin (digits and punctuation after Cyrillic or Greek), made encoding
    // quadratic (1.4 s for 80,000 digits).
    let mut run_end = 0;
    while let Some(ch) = input[pos..].chars().next() {
        // Fast path: a run of printable ASCII (but `&`) in the default state
        // is copied, except its last character, which may take marks.
        if pos >= run_end {
            run_end = pos
                + input.as_bytes()[pos..]
                    .iter()
                    .position(|&b| !(0x20..0x7F).contains(&b) || b == b'&')
                    .unwrap_or(input.len() - pos);
        }
        let run = run_end - pos;
        if run > 1 {
            e.flush(&mut cluster, true);
            if e.g0 == CharacterSet::BasicLatin && e.pending_half.is_none() {
                e.out
                    .extend_from_slice(&input.as_bytes()[pos..pos + run - 1]);
                pos += run - 1;
                continue;
            }
        }
        let last = cluster.last().copied();
        match units_of(input, pos, ch, lossy, last, &mut next, &mut parts) {
            Ok((used, replace)) => {
                pos += used;
                if let (Some(unit), Some(last)) = (replace, cluster.last_mut()) {
                    *last = unit;
                }
            }
            Err(err) => {
                e.out.truncate(start);
                return Err(err);
            }
        }
        for unit in next.drain(..) {
            // A control character is no base: marks after it stay after it.
            let after_control = matches!(cluster.first(), Some(Unit::Control(_)));
            if !cluster.is_empty() && (!unit.is_mark() || after_control) {
                let base = !unit.is_mark() && !matches!(unit, Unit::Control(_));
                e.flush(&mut cluster, base);
            }
            cluster.push(unit);
        }
    }
    e.cluster(&cluster);
    e.finish();
    Ok(())
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Register {
    G0,
    G1,
}

struct Encoder<'o> {
    out: &'o mut Vec<u8>,
    g0: CharacterSet,
    g1: CharacterSet,
    /// ANSEL code of the second half of a double-width diacritic, to write
    /// before the next base character.
    pending_half: Option<u32>,
}

impl Encoder<'_> {
    /// Writes the cluster and empties it; `base_follows`: a base character
    /// (not a control, not the end of the text) comes next.
    ///
    /// Marks without a base before them (at the start of the text, or after
    /// a control character) cannot be written as MARC-8 marks when a base
    /// character follows: MARC-8 puts a mark before its base, so they would
    /// be read back as marks on that character (U+0301 `a` came back as
    /// `á`). They are written as `&#xXXXX;` references, which decode to
    /// those characters where they are. Before a control character or the
    /// end they stay MARC-8 marks, which decode to marks without a base.
    fn flush(&mut self, cluster: &mut Vec<Unit>, base_follows: bool) {
        if base_follows && cluster.first().is_some_and(|u| u.is_mark()) {
            for &u in cluster.iter() {
                if let Unit::Mapped { ch, .. } = u {
                    self.designate_g0(CharacterSet::BasicLatin);
                    // Writing to a Vec cannot fail.
                    let _ = write!(self.out, "&#x{:04X};", u32::from(ch));
                }
            }
        } else {
            self.cluster(cluster);
        }
        cluster.clear();
    }

    /// Writes a base character and the combining marks that follow it in
    /// Unicode (or marks alone, at the start): marks first, as MARC-8 wants.
    fn cluster(&mut self, units: &[Unit]) {
        let (base, marks) = match units.split_first() {
            Some((&first, rest)) if !first.is_mark() => (Some(first), rest),
            _ => (None, units),
        };
        let half = match base {
            Some(Unit::Mapped { .. } | Unit::Space | Unit::Ncr(_)) => self.pending_half.take(),
            _ => None,
        };
        // Designate the base's set first, so that marks can come from it.
        let base_cand = match base {
            Some(Unit::Mapped { ch, .. }) => self.choose(ch),
            _ => None,
        };
        match base {
            Some(Unit::Mapped { .. }) => {
                if let Some(c) = base_cand {
                    self.designate(c.set);
                }
            }
            Some(Unit::Ncr(_)) => self.designate_g0(CharacterSet::BasicLatin),
            Some(Unit::Space | Unit::Control(_)) if self.g0 == CharacterSet::Eacc => {
                self.designate_g0(CharacterSet::BasicLatin);
            }
            _ => {}
        }
        if let Some(code) = half {
            self.emit(Cand {
                set: CharacterSet::Ansel,
                code,
                combining: true,
            });
        }
        let mut new_half = None;
        for &m in marks {
            if let Unit::Mapped { ch, .. } = m {
                if let Some(c) = self.choose(ch) {
                    self.emit(c);
                }
                match ch {
                    '\u{0361}' => new_half = Some(0xEC),
                    '\u{0360}' => new_half = Some(0xFB),
                    _ => {}
                }
            }
        }
        match base {
            Some(Unit::Mapped { .. }) => {
                if let Some(c) = base_cand {
                    self.emit(c);
                }
            }
            Some(Unit::Space) => self.out.push(b' '),
            Some(Unit::Control(b)) => self.out.push(b),
            Some(Unit::Ncr(ch)) => {
                self.designate_g0(CharacterSet::BasicLatin);
                // Writing to a Vec cannot fail.
                let _ = write!(self.out, "&#x{:04X};", u32::from(ch));
            }
            None => {}
        }
        if new_half.is_some() {
            self.pending_half = new_half;
        }
    }

    /// The preferred way to write `ch`: from G0 if it has it, else from G1,
    /// else the first candidate.
    fn choose(&self, ch: char) -> Option<Cand> {
        if ch.is_ascii_graphic() && self.g0 == CharacterSet::BasicLatin {
            return Some(Cand {
                set: CharacterSet::BasicLatin,
                code: u32::from(ch),
                combining: false,
            });
        }
        let cands = lookup(ch);
        cands
            .iter()
            .find(|c| c.set == self.g0)
            .or_else(|| cands.iter().find(|c| c.set == self.g1))
            .or_else(|| cands.first())
    }

    /// Writes a character, designating its set first if needed.
    fn emit(&mut self, c: Cand) {
        if c.set == CharacterSet::Eacc {
            self.designate_g0(CharacterSet::Eacc);
            self.out
                .extend_from_slice(&[(c.code >> 16) as u8, (c.code >> 8) as u8, c.code as u8]);
            return;
        }
        if (0x80..0xA0).contains(&c.code) {
            // ANSEL's C1 controls do not depend on the working sets.
            self.out.push(c.code as u8);
            return;
        }
        let byte = match self.designate(c.set) {
            Register::G0 => c.code & 0x7F,
            Register::G1 => c.code | 0x80,
        };
        self.out.push(byte as u8);
    }

    /// Makes `set` a working set if it is not one; returns where it is.
    fn designate(&mut self, set: CharacterSet) -> Register {
        if self.g0 == set {
            Register::G0
        } else if self.g1 == set {
            Register::G1
        } else if matches!(
            set,
            CharacterSet::Ansel | CharacterSet::ExtendedCyrillic | CharacterSet::ExtendedArabic
        ) {
            self.designate_g1(set);
            Register::G1
        } else {
            self.designate_g0(set);
            Register::G0
        }
    }

    fn designate_g0(&mut self, set: CharacterSet) {
        if self.g0 == set {
            return;
        }
        let technique1 = matches!(
            self.g0,
            CharacterSet::GreekSymbols | CharacterSet::Subscripts | CharacterSet::Superscripts
        );
        match set {
            CharacterSet::BasicLatin if technique1 => self.out.extend_from_slice(b"\x1Bs"),
            CharacterSet::GreekSymbols | CharacterSet::Subscripts | CharacterSet::Superscripts => {
                self.out.extend_from_slice(&[ESC, set.final_byte()]);
            }
            CharacterSet::Eacc => self.out.extend_from_slice(b"\x1B$1"),
            CharacterSet::Ansel => self.out.extend_from_slice(b"\x1B(!E"),
            _ => self.out.extend_from_slice(&[ESC, b'(', set.final_byte()]),
        }
        self.g0 = set;
    }

    fn designate_g1(&mut self, set: CharacterSet) {
        if self.g1 == set {
            return;
        }
        match set {
            CharacterSet::Ansel => self.out.extend_from_slice(b"\x1B)!E"),
            CharacterSet::Eacc => self.out.extend_from_slice(b"\x1B$)1"),
            _ => self.out.extend_from_slice(&[ESC, b')', set.final_byte()]),
        }
        self.g1 = set;
    }

    /// Returns to the default working sets, as each field must end.
    fn finish(&mut self) {
        self.designate_g0(CharacterSet::BasicLatin);
        self.designate_g1(CharacterSet::Ansel);
    }
}
