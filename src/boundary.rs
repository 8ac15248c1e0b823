//! Finding where each record starts and ends in a run of bytes.
//!
//! The rules, shared by every reader so that all of them agree:
//! 1. Filler bytes between records (CR, LF, NUL, ^Z, space, tab) are skipped.
//! 2. When leader/00-04 is five digits and the byte it points at is the record
//!    terminator 0x1D, that is the record (the fast path: no scanning).
//! 3. Otherwise the terminator decides: the record runs to the next 0x1D,
//!    unless the declared length is plausible and a plausible leader follows
//!    right after it (a record that lost its terminator).
//! 4. At the end of the input, what is left is a truncated record when it is
//!    at least a leader long, else trailing bytes.

use memchr::memchr;

use crate::error::Fault;
use crate::leader::{LEADER_LEN, parse_digits};
use crate::parse::RECORD_TERMINATOR;

/// Bytes that may sit between records without meaning anything.
#[inline]
pub(crate) fn is_filler(b: u8) -> bool {
    matches!(b, b'\r' | b'\n' | 0 | 0x1A | b' ' | b'\t')
}

/// Could `b` begin a record? Leader/00-04 and leader/12-16 are digits, the
/// base address lies inside the declared length, and leader/06 (type of
/// record) is a letter — which tells a leader from a run of directory
/// entries, which are all digits.
#[inline]
pub(crate) fn plausible_leader(b: &[u8]) -> bool {
    if b.len() < LEADER_LEN || !b[6].is_ascii_alphabetic() {
        return false;
    }
    match (parse_digits(&b[0..5]), parse_digits(&b[12..17])) {
        (Some(len), Some(base)) => base > LEADER_LEN && base < len,
        _ => false,
    }
}

/// What [`next_frame`] found.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Frame {
    /// A record at `start..end`, after `skipped` filler bytes; `fault` says
    /// how its boundary was repaired, if it was.
    Record {
        skipped: usize,
        start: usize,
        end: usize,
        fault: Option<Fault>,
    },
    /// Nothing but `skipped` filler bytes and `trailing` bytes too short to be
    /// a record remain.
    End { skipped: usize, trailing: usize },
    /// More input is needed to decide (only when `at_eof` is false).
    NeedMore,
}

/// Remembers the next record terminator found by a scan, so that a run of
/// records cut by their declared lengths never rescans the same bytes: the
/// total scanning work stays linear in the input.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct ScanHint {
    /// No 0x1D in `buf[from..to]`, or a 0x1D at `to` when `found`.
    from: usize,
    to: usize,
    found: bool,
}

impl ScanHint {
    /// Position of the first 0x1D at or after `pos` in `buf`, scanning only
    /// bytes not scanned before.
    fn next_terminator(&mut self, buf: &[u8], pos: usize) -> Option<usize> {
        if pos >= self.from && pos <= self.to && self.to <= buf.len() {
            if self.found {
                return Some(self.to);
            }
            let r = memchr(RECORD_TERMINATOR, &buf[self.to..]).map(|i| self.to + i);
            self.from = pos;
            self.to = r.unwrap_or(buf.len());
            self.found = r.is_some();
            return r;
        }
        let r = memchr(RECORD_TERMINATOR, &buf[pos..]).map(|i| pos + i);
        self.from = pos;
        self.to = r.unwrap_or(buf.len());
        self.found = r.is_some();
        r
    }

    /// The buffer's first `n` bytes were dropped (stream readers).
    pub(crate) fn shift(&mut self, n: usize) {
        if self.from >= n {
            self.from -= n;
            self.to -= n;
        } else {
            *self = ScanHint::default();
        }
    }
}

/// Leader/00-04 of the record at `buf[pos..]`, when it is five digits.
#[inline(always)]
fn declared_len(buf: &[u8], pos: usize) -> Option<usize> {
    parse_digits(buf.get(pos..pos.checked_add(5)?)?)
}

/// Where a record at `buf[pos..]` that declares `n` bytes ends, when `n`
/// is more than a leader and that end lies in `buf`.
#[inline(always)]
fn end_of(buf: &[u8], pos: usize, n: usize) -> Option<usize> {
    let end = pos + n;
    (n > LEADER_LEN && end <= buf.len()).then_some(end)
}

/// Rule 2 for a record ending at `end` (an [`end_of`], so above 0): the
/// byte before it is the record terminator.
#[inline(always)]
fn terminated_at(buf: &[u8], end: usize) -> bool {
    buf.get(end - 1) == Some(&RECORD_TERMINATOR)
}

/// Where the record at `buf[pos..]` ends by its declared length, when
/// leader/00-04 is five digits, more than a leader, and that end lies in
/// `buf`. Rule 2 takes it when the byte before it is the record terminator
/// ([`exact_record`]).
#[inline(always)]
pub(crate) fn declared_end(buf: &[u8], pos: usize) -> Option<usize> {
    end_of(buf, pos, declared_len(buf, pos)?)
}

/// The end of the record at `buf[pos..]` when rule 2 finds it there with
/// no filler before it: its declared end ([`declared_end`]) follows the
/// record terminator. Readers try this before [`next_frame`], which finds
/// the same record the same way.
#[inline(always)]
pub(crate) fn exact_record(buf: &[u8], pos: usize) -> Option<usize> {
    declared_end(buf, pos).filter(|&end| terminated_at(buf, end))
}

/// Finds the next record in `buf` from `pos`.
pub(crate) fn next_frame(buf: &[u8], pos: usize, at_eof: bool, hint: &mut ScanHint) -> Frame {
    let mut start = pos;
    while start < buf.len() && is_filler(buf[start]) {
        start += 1;
    }
    let skipped = start - pos;
    let rest = &buf[start..];
    if rest.is_empty() {
        return if at_eof {
            Frame::End {
                skipped,
                trailing: 0,
            }
        } else {
            Frame::NeedMore
        };
    }
    if rest.len() < 5 && !at_eof {
        return Frame::NeedMore;
    }
    let declared = declared_len(buf, start);
    // Rule 2: the declared length lands on a terminator.
    let by_length = declared.and_then(|n| end_of(buf, start, n));
    if let Some(end) = by_length.filter(|&end| terminated_at(buf, end)) {
        return Frame::Record {
            skipped,
            start,
            end,
            fault: None,
        };
    }
    if let Some(n) = declared
        && n > rest.len()
        && !at_eof
        && n <= crate::reader::MAX_DECLARED_LEN
    {
        // The rest of the record has not been read yet.
        return Frame::NeedMore;
    }
    // Rule 3: a lost terminator before a plausible next leader (filler
    // between them allowed). It needs the whole next leader to judge it.
    let mut lost_terminator = None;
    if let Some(n) = declared.filter(|&n| n > LEADER_LEN && n < rest.len()) {
        let mut q = n;
        while q < rest.len() && is_filler(rest[q]) {
            q += 1;
        }
        if !at_eof && rest.len() < q + LEADER_LEN && rest[n - 1] != RECORD_TERMINATOR {
            return Frame::NeedMore;
        }
        if plausible_leader(&rest[q..]) {
            lost_terminator = Some(n);
        }
    }
    match hint.next_terminator(buf, start) {
        Some(t) => {
            let actual = t + 1 - start;
            if let Some(n) = lost_terminator
                && n < actual
            {
                return Frame::Record {
                    skipped,
                    start,
                    end: start + n,
                    fault: Some(Fault::NoRecordTerminator),
                };
            }
            let fault = declared.map(|declared| Fault::LengthMismatch { declared, actual });
            Frame::Record {
                skipped,
                start,
                end: t + 1,
                fault,
            }
        }
        None if !at_eof => Frame::NeedMore,
        None => {
            if let Some(n) = lost_terminator {
                return Frame::Record {
                    skipped,
                    start,
                    end: start + n,
                    fault: Some(Fault::NoRecordTerminator),
                };
            }
            if rest.len() < LEADER_LEN {
                return Frame::End {
                    skipped,
                    trailing: rest.len(),
                };
            }
            let fault = match declared {
                Some(n) if n > rest.len() => Fault::Truncated {
                    declared: n,
                    available: rest.len(),
                },
                _ => Fault::NoRecordTerminator,
            };
            Frame::Record {
                skipped,
                start,
                end: buf.len(),
                fault: Some(fault),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(buf: &[u8]) -> Frame {
        next_frame(buf, 0, true, &mut ScanHint::default())
    }

    fn rec(len: usize) -> Vec<u8> {
        let mut r = format!("{len:05}nam a2200025 a 4500").into_bytes();
        r.push(0x1E);
        r.resize(len - 1, b'x');
        r.push(0x1D);
        r
    }

    #[test]
    fn fast_path() {
        let r = rec(40);
        assert_eq!(
            frame(&r),
            Frame::Record {
                skipped: 0,
                start: 0,
                end: 40,
                fault: None
            }
        );
    }

    #[test]
    fn skips_filler() {
        let mut b = b"\r\n\0\x1a ".to_vec();
        b.extend(rec(30));
        assert!(matches!(
            frame(&b),
            Frame::Record {
                skipped: 5,
                start: 5,
                end: 35,
                fault: None
            }
        ));
    }

    #[test]
    fn wrong_length_uses_terminator() {
        let mut r = rec(40);
        r[..5].copy_from_slice(b"00042");
        assert_eq!(
            frame(&r),
            Frame::Record {
                skipped: 0,
                start: 0,
                end: 40,
                fault: Some(Fault::LengthMismatch {
                    declared: 42,
                    actual: 40
                })
            }
        );
    }

    #[test]
    fn lost_terminator_before_next_leader() {
        let mut b = rec(40);
        b[39] = b'x';
        b.extend(rec(30));
        assert_eq!(
            frame(&b),
            Frame::Record {
                skipped: 0,
                start: 0,
                end: 40,
                fault: Some(Fault::NoRecordTerminator)
            }
        );
    }

    #[test]
    fn end_cases() {
        assert_eq!(
            frame(b"\n\n"),
            Frame::End {
                skipped: 2,
                trailing: 0
            }
        );
        assert_eq!(
            frame(b"\nabc"),
            Frame::End {
                skipped: 1,
                trailing: 3
            }
        );
        let r = rec(40);
        assert_eq!(
            frame(&r[..30]),
            Frame::Record {
                skipped: 0,
                start: 0,
                end: 30,
                fault: Some(Fault::Truncated {
                    declared: 40,
                    available: 30
                })
            }
        );
        assert_eq!(
            next_frame(&r[..30], 0, false, &mut ScanHint::default()),
            Frame::NeedMore
        );
    }
}
