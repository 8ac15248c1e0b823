//! Turns the bytes of one delimited record into a [`RecordView`]: checks the
//! leader, decodes and bounds-checks the directory, and in lenient mode
//! repairs what it can, reporting each repair.
//!
//! Invariant on success: every [`Entry`] in the view's directory lies inside
//! the record's bytes, so field access never needs a bounds check that can
//! fail.

use memchr::memchr;

use crate::directory::{Directory, Entry, RawEntry, raw_entries};
use crate::error::{Fault, Location, show};
use crate::leader::{LEADER_LEN, parse_digits};
use crate::reader::{Mode, WarningLog};
use crate::{Error, Leader, RecordView, Tag};

pub(crate) const RECORD_TERMINATOR: u8 = 0x1D;
pub(crate) const FIELD_TERMINATOR: u8 = 0x1E;
pub(crate) const SUBFIELD_DELIMITER: u8 = 0x1F;

/// Where the record being parsed sits, for locating faults.
pub(crate) struct Context<'l> {
    pub(crate) mode: Mode,
    /// 1-based record number.
    pub(crate) record: u64,
    /// Offset of the record's first byte in the input.
    pub(crate) offset: u64,
    /// The last 001 seen before this record.
    pub(crate) last_001: &'l [u8],
}

/// Collects the faults of one record: in strict mode the first one is the
/// error; in lenient mode each goes to the log.
struct Faults<'c, 'l, 'w, 'a> {
    ctx: &'c Context<'l>,
    log: &'w mut WarningLog,
    /// Directory decoded so far (to find this record's 001).
    control_number: Option<&'a [u8]>,
}

impl Faults<'_, '_, '_, '_> {
    fn location(&self, at: usize) -> Location {
        let id = self.control_number.unwrap_or(self.ctx.last_001);
        Location {
            record: self.ctx.record,
            record_offset: self.ctx.offset,
            offset: self.ctx.offset + at as u64,
            control_number: (!id.is_empty()).then(|| String::from_utf8_lossy(id).into_owned()),
        }
    }

    /// A fault that lenient mode can repair.
    fn repairable(&mut self, at: usize, fault: Fault) -> Result<(), Error> {
        let location = self.location(at);
        match self.ctx.mode {
            Mode::Strict => Err(Error::Malformed { location, fault }),
            Mode::Lenient => {
                self.log.push(location, fault);
                Ok(())
            }
        }
    }

    /// A fault nothing can repair.
    fn fatal(&self, at: usize, fault: Fault) -> Error {
        Error::Malformed {
            location: self.location(at),
            fault,
        }
    }
}

/// Parses one record: `bytes[..len]`, as delimited by the reader (normally
/// ending with 0x1D). The rest of `bytes`, whatever follows the record, is
/// not parsed; the view keeps it for its fields' subfield search (see
/// [`RecordView`]).
pub(crate) fn parse_record<'a>(
    bytes: &'a [u8],
    len: usize,
    ctx: &Context<'_>,
    log: &mut WarningLog,
) -> Result<RecordView<'a>, Error> {
    let raw = bytes.get(..len).unwrap_or(bytes);
    let first_warning = log.len();
    let mut faults = Faults {
        ctx,
        log,
        control_number: None,
    };
    let Some(leader) = Leader::from_slice(raw) else {
        return Err(faults.fatal(
            0,
            Fault::ShortLeader {
                available: raw.len(),
            },
        ));
    };
    let lb = leader.as_bytes();
    // Data ends before the record terminator (when there is one).
    let data_end = if raw.last() == Some(&RECORD_TERMINATOR) {
        raw.len() - 1
    } else {
        raw.len()
    };

    if parse_digits(&lb[0..5]).is_none() {
        faults.repairable(
            0,
            Fault::BadRecordLength {
                found: show(&lb[0..5]),
            },
        )?;
    }
    if &lb[10..12] != b"22" {
        faults.repairable(
            10,
            Fault::BadIndicatorCount {
                found: show(&lb[10..12]),
            },
        )?;
    }
    if &lb[20..24] != b"4500" {
        faults.repairable(
            20,
            Fault::BadEntryMap {
                found: show(&lb[20..24]),
            },
        )?;
    }

    let base = base_address(raw, data_end, &leader, &mut faults)?;
    let dir = &raw[LEADER_LEN..base - 1];
    if !dir.len().is_multiple_of(12) {
        faults.repairable(LEADER_LEN, Fault::DirectoryLength { len: dir.len() })?;
    }

    let raw_dir = raw_entries(dir);
    let directory =
        if fast_path_on() && crate::clean_directory::is_clean(raw, raw_dir, base, data_end) {
            Directory::Tiled {
                base: base as u32,
                count: raw_dir.len() as u32,
            }
        } else {
            check_entries(raw, raw_dir, base, data_end, &mut faults)?
        };

    // Faults found before the 001 was known are labelled with it now.
    if faults.log.len() > first_warning
        && let Some(id) = directory.find(raw, Tag::new(1))
    {
        let id = String::from_utf8_lossy(&raw[id.range()]);
        faults.log.relabel_from(first_warning, &id);
    }
    Ok(RecordView::from_parts(
        bytes,
        raw.len(),
        directory,
        ctx.record,
        ctx.offset,
    ))
}

/// Checks the directory entry by entry, reporting each fault (the error in
/// strict mode), and in lenient mode repairs what it can: entries skipped,
/// fields re-cut at their terminators.
fn check_entries<'a>(
    raw: &'a [u8],
    raw_dir: &[RawEntry],
    base: usize,
    data_end: usize,
    faults: &mut Faults<'_, '_, '_, 'a>,
) -> Result<Directory, Error> {
    let mode = faults.ctx.mode;
    // Until an entry needs repair, the directory is read in place and
    // nothing is stored; from then on (lenient mode only) the entries go to
    // `list`, starting with the good ones before it.
    let mut list: Option<Vec<Entry>> = None;
    let in_place = |upto: usize| -> Vec<Entry> {
        let mut v = Vec::with_capacity(raw_dir.len());
        let so_far = Directory::InPlace {
            base: base as u32,
            count: upto as u32,
        };
        v.extend(so_far.entries(raw));
        v
    };
    let mut needs_recut = false;
    // Whether some data field lacks its indicators and first delimiter.
    let mut bad_start = false;
    // End of the furthest field, to find data no entry covers.
    let mut covered = base;
    for (i, e) in raw_dir.iter().enumerate() {
        let at = LEADER_LEN + i * 12;
        // Fast path: an all-digit entry whose field ends with 0x1E in place.
        if let Some((tag, len, start)) = digit_entry(e) {
            let abs_start = base + start;
            let abs_end = abs_start + len;
            if len != 0 && abs_end <= data_end && raw[abs_end - 1] == FIELD_TERMINATOR {
                let entry = Entry {
                    start: abs_start as u32,
                    len: (len - 1) as u32,
                    tag,
                };
                if tag == Tag::new(1) && faults.control_number.is_none() && !needs_recut {
                    faults.control_number = Some(&raw[entry.range()]);
                }
                bad_start |= !starts_well(raw, &entry);
                covered = covered.max(abs_end);
                if let Some(list) = &mut list {
                    list.push(entry);
                }
                continue;
            }
        }
        let Some(tag) = Tag::from_bytes(e.tag) else {
            faults.repairable(
                at,
                Fault::BadTag {
                    entry: i,
                    found: show(&e.tag),
                },
            )?;
            list.get_or_insert_with(|| in_place(i));
            continue;
        };
        let (Some(len), Some(start)) = (parse_digits(&e.length), parse_digits(&e.start)) else {
            faults.repairable(
                at + 3,
                Fault::BadDirectoryEntry {
                    entry: i,
                    tag,
                    found: show(&raw[at + 3..at + 12]),
                },
            )?;
            list.get_or_insert_with(|| in_place(i));
            continue;
        };
        let abs_start = base + start;
        let abs_end = abs_start + len;
        if len == 0 || abs_end > data_end {
            if mode == Mode::Strict {
                return Err(faults.fatal(
                    at,
                    Fault::FieldOutOfBounds {
                        entry: i,
                        tag,
                        start,
                        end: start + len,
                        data_len: data_end - base,
                    },
                ));
            }
            needs_recut = true;
        } else if raw[abs_end - 1] != FIELD_TERMINATOR {
            if mode == Mode::Strict {
                return Err(faults.fatal(abs_end - 1, Fault::FieldNotTerminated { entry: i, tag }));
            }
            needs_recut = true;
        }
        // Lengths are below 10^4 and starts below 10^5 + 10^5: u32 holds them.
        let entry = Entry {
            start: abs_start as u32,
            len: len.saturating_sub(1) as u32,
            tag,
        };
        if tag == Tag::new(1) && faults.control_number.is_none() && !needs_recut {
            faults.control_number = Some(&raw[entry.range()]);
        }
        covered = covered.max(abs_end);
        if needs_recut {
            list.get_or_insert_with(|| in_place(i)).push(entry);
        } else {
            bad_start |= !starts_well(raw, &entry);
            if let Some(list) = &mut list {
                list.push(entry);
            }
        }
    }

    let directory = match list {
        Some(mut list) => {
            if needs_recut {
                recut(raw, base, data_end, &mut list, faults)?;
            } else if covered < data_end {
                unlisted(covered, data_end, faults)?;
            }
            // Re-cut fields are checked as they are now.
            bad_start = list.iter().any(|e| !starts_well(raw, e));
            Directory::Repaired(list)
        }
        None => {
            if covered < data_end {
                unlisted(covered, data_end, faults)?;
            }
            Directory::InPlace {
                base: base as u32,
                count: raw_dir.len() as u32,
            }
        }
    };

    // Data fields start with two indicators and a delimiter.
    if bad_start {
        for (i, e) in directory.entries(raw).enumerate() {
            if !starts_well(raw, &e) {
                let (entry, tag) = (i, e.tag);
                faults.repairable(e.start as usize, Fault::BadFieldStart { entry, tag })?;
            }
        }
    }
    Ok(directory)
}

/// Whether [`is_clean`](crate::clean_directory::is_clean) may decide; the
/// tests turn it off to check that it decides as [`check_entries`] does.
#[cfg(not(test))]
#[inline(always)]
fn fast_path_on() -> bool {
    true
}

#[cfg(test)]
thread_local! {
    static FAST_PATH: std::cell::Cell<bool> = const { std::cell::Cell::new(true) };
}

#[cfg(test)]
fn fast_path_on() -> bool {
    FAST_PATH.with(std::cell::Cell::get)
}

/// Whether a field starts as it should: control fields and empty fields
/// always do; data fields with two indicators and a delimiter (or just the
/// two indicators).
#[inline(always)]
fn starts_well(raw: &[u8], e: &Entry) -> bool {
    if e.tag.is_control() || e.len == 0 {
        return true;
    }
    let field = raw.get(e.range()).unwrap_or_default();
    field.len() == 2 || field.get(2) == Some(&SUBFIELD_DELIMITER)
}

/// Data after the last field that no entry covers.
fn unlisted(
    covered: usize,
    data_end: usize,
    faults: &mut Faults<'_, '_, '_, '_>,
) -> Result<(), Error> {
    faults.repairable(
        covered,
        Fault::UnlistedData {
            len: data_end - covered,
        },
    )
}

/// Finds the base address of data. When leader/12-16 is wrong or the
/// directory lacks its terminator, lenient mode repairs it:
/// 1. a declared base whose directory is whole entries of directory bytes
///    (ASCII alphanumerics), not running on to a later terminator, is kept:
///    only the terminator byte was damaged;
/// 2. otherwise the directory ends at the first field terminator after the
///    leader.
fn base_address(
    raw: &[u8],
    data_end: usize,
    leader: &Leader,
    faults: &mut Faults<'_, '_, '_, '_>,
) -> Result<usize, Error> {
    let declared = leader.base_address();
    let in_range = declared.filter(|&b| b > LEADER_LEN && b <= data_end);
    if let Some(b) = in_range {
        if raw[b - 1] == FIELD_TERMINATOR {
            return Ok(b);
        }
        // Keep the declared base when the directory up to it is whole
        // entries of directory bytes and does not simply run on to a later
        // terminator (then leader/12-16 is what is wrong).
        let dir = &raw[LEADER_LEN..b - 1];
        let runs_on = memchr(FIELD_TERMINATOR, &raw[b - 1..data_end])
            .is_some_and(|i| raw[b - 1..b - 1 + i].iter().all(u8::is_ascii_alphanumeric));
        let whole = dir.len().is_multiple_of(12) && dir.iter().all(u8::is_ascii_alphanumeric);
        if whole && (!runs_on || directory_fits(dir, data_end - b)) {
            faults.repairable(b - 1, Fault::DirectoryNotTerminated)?;
            return Ok(b);
        }
    }
    let found = raw
        .get(LEADER_LEN..data_end)
        .and_then(|d| memchr(FIELD_TERMINATOR, d))
        .map(|i| LEADER_LEN + i + 1);
    let fault = match in_range {
        Some(_) => Fault::DirectoryNotTerminated,
        None => Fault::BadBaseAddress {
            found: show(&leader.as_bytes()[12..17]),
            record_len: raw.len(),
        },
    };
    match found {
        Some(b) => {
            faults.repairable(12, fault)?;
            Ok(b)
        }
        None => Err(faults.fatal(12, fault)),
    }
}

/// Whether the entries of `dir` end exactly where a data area of `data_len`
/// bytes ends: the mark of a directory that is complete.
fn directory_fits(dir: &[u8], data_len: usize) -> bool {
    let end = raw_entries(dir)
        .iter()
        .filter_map(|e| Some(parse_digits(&e.start)? + parse_digits(&e.length)?))
        .max();
    end == Some(data_len)
}

/// Re-derives field positions from the field terminators when the directory's
/// lengths or starts are wrong (lenient mode only).
///
/// If the data area holds at least as many terminated fields as the
/// directory has entries, the fields are paired with the entries in order:
/// this is the common case of lengths counted in characters instead of
/// bytes (fields past the directory's are reported). Otherwise each entry
/// keeps its declared start (clamped to the data area) and ends at the first
/// terminator from there.
fn recut(
    raw: &[u8],
    base: usize,
    data_end: usize,
    entries: &mut [Entry],
    faults: &mut Faults<'_, '_, '_, '_>,
) -> Result<(), Error> {
    faults.repairable(base, Fault::FieldsRecut)?;
    let data = &raw[base..data_end];
    let pieces = memchr::memchr_iter(FIELD_TERMINATOR, data).count();
    // A last piece without terminator before the record end counts as a field.
    let tail = data.len() - memchr::memrchr(FIELD_TERMINATOR, data).map_or(0, |i| i + 1);
    let fields = pieces + usize::from(tail > 0);
    if fields >= entries.len() {
        // In order; fields beyond the directory's are reported, not read.
        if fields > entries.len() {
            faults.repairable(
                base,
                Fault::FieldCountMismatch {
                    entries: entries.len(),
                    fields,
                },
            )?;
        }
        let mut pos = 0;
        for e in entries.iter_mut() {
            let len = memchr(FIELD_TERMINATOR, &data[pos..]).unwrap_or(data.len() - pos);
            e.start = (base + pos) as u32;
            e.len = len as u32;
            pos = (pos + len + 1).min(data.len());
        }
        return Ok(());
    }
    let n = entries.len();
    // Each entry ends at the first terminator from its start: found in the
    // sorted list of terminators (fewer than the entries here), so that the
    // work is linear in the data whatever the entries claim.
    let terminators: Vec<usize> = memchr::memchr_iter(FIELD_TERMINATOR, data)
        .map(|i| base + i)
        .collect();
    for e in entries.iter_mut() {
        let start = (e.start as usize).clamp(base, data_end);
        let k = terminators.partition_point(|&t| t < start);
        let end = terminators.get(k).copied().unwrap_or(data_end);
        e.start = start as u32;
        e.len = (end - start) as u32;
    }
    if fields < n {
        faults.repairable(base, Fault::FieldCountMismatch { entries: n, fields })?;
    }
    Ok(())
}

/// Decodes an entry whose twelve bytes are all ASCII digits.
#[inline(always)]
fn digit_entry(e: &RawEntry) -> Option<(Tag, usize, usize)> {
    if !crate::digits::all_digits(bytemuck::bytes_of(e)) {
        return None;
    }
    let (len, start) = e.length_and_start();
    Some((Tag::from_bytes(e.tag)?, len as usize, start as usize))
}

#[cfg(test)]
mod tests {
    use crate::clean_directory::with_avx2;
    use crate::{Fault, Field, Reader, Record, RecordView, Tag};

    fn sample() -> Vec<u8> {
        let mut r = Record::new();
        r.push_field(Field::control(Tag::new(1), "ocm123456789").unwrap())
            .unwrap();
        for t in [100, 245, 650] {
            r.push_field(
                Field::new(Tag::new(t), *b"10")
                    .with_subfield(b'a', format!("value {t}"))
                    .unwrap(),
            )
            .unwrap();
        }
        r.to_iso2709().unwrap()
    }

    fn faults(bytes: &[u8]) -> (Vec<Vec<u8>>, Vec<Fault>) {
        let mut reader = Reader::new(bytes);
        let values = reader
            .by_ref()
            .flat_map(|v| {
                v.unwrap()
                    .fields()
                    .map(|f| f.raw_value().to_vec())
                    .collect::<Vec<_>>()
            })
            .collect();
        let faults = reader.warnings().iter().map(|w| w.fault.clone()).collect();
        (values, faults)
    }

    /// Everything a reader gives for `bytes`: each record's fields or
    /// error, then the warnings.
    fn outcome(bytes: &[u8], strict: bool) -> String {
        use std::fmt::Write;
        let mut reader = Reader::new(bytes);
        if strict {
            reader = reader.strict();
        }
        let mut out = String::new();
        for r in reader.by_ref() {
            let line = match r {
                Ok(v) => format!(
                    "{:?}",
                    v.fields()
                        .map(|f| (f.tag(), f.raw_value()))
                        .collect::<Vec<_>>()
                ),
                Err(e) => e.to_string(),
            };
            writeln!(out, "{line}").unwrap();
        }
        writeln!(out, "{:?}", reader.warnings()).unwrap();
        out
    }

    #[test]
    fn clean_directory_decides_as_the_entry_by_entry_checks() {
        // Control and data fields, one of indicators only.
        let mut r = Record::new();
        r.push_field(Field::control(Tag::new(1), "id 42").unwrap())
            .unwrap();
        r.push_field(Field::control(Tag::new(8), "880101s").unwrap())
            .unwrap();
        r.push_field(
            Field::new(Tag::new(245), *b"10")
                .with_subfield(b'a', "Ti")
                .unwrap(),
        )
        .unwrap();
        r.push_field(Field::new(Tag::new(246), *b"1 ")).unwrap();
        r.push_field(
            Field::new(Tag::new(500), *b"  ")
                .with_subfield(b'a', "n")
                .unwrap(),
        )
        .unwrap();
        let good = [r.to_iso2709().unwrap(), r.to_iso2709().unwrap()].concat();
        let one = good.len() / 2;
        let values = [
            b'0', b'1', b'9', b'5', 0x1E, 0x1F, 0x1D, b'A', b' ', 0, b'/', b':',
        ];
        let mut rng = crate::test_rng::TestRng::new(0x9E37_79B9_7F4A_7C15);
        let mut next = |n: usize| rng.below(n);
        let (mut clean, mut warned) = (0, 0);
        let base: usize = std::str::from_utf8(&good[12..17]).unwrap().parse().unwrap();
        let entries = (base - 25) / 12;
        let mut inputs = Vec::new();
        // Each entry given each short length, its field terminated there
        // (fields of 0, 1, 2, 3 bytes, control or data).
        for e in 0..entries {
            for len in 0..6usize {
                let mut b = good.clone();
                let at = 24 + 12 * e;
                b[at + 3..at + 7].copy_from_slice(format!("{len:04}").as_bytes());
                let start: usize = std::str::from_utf8(&b[at + 7..at + 12])
                    .unwrap()
                    .parse()
                    .unwrap();
                if len > 0 {
                    b[base + start + len - 1] = 0x1E;
                }
                inputs.push(b);
            }
        }
        for _ in 0..20_000 {
            let mut b = good.clone();
            for _ in 0..1 + next(3) {
                // The first record's directory and data, where the two
                // paths could part.
                let at = 24 + next(one - 25);
                b[at] = match next(3) {
                    0 => b[at].wrapping_add(1),
                    1 => b[at].wrapping_sub(1),
                    _ => values[next(values.len())],
                };
            }
            inputs.push(b);
        }
        for b in inputs {
            for strict in [false, true] {
                // Both versions of the check (AVX2 and portable).
                let fast = outcome(&b, strict);
                let portable = with_avx2(false, || outcome(&b, strict));
                assert_eq!(fast, portable, "{}", b.escape_ascii());
                super::FAST_PATH.with(|f| f.set(false));
                let slow = outcome(&b, strict);
                super::FAST_PATH.with(|f| f.set(true));
                assert_eq!(fast, slow, "{}", b.escape_ascii());
                if !strict {
                    if fast.ends_with("[]\n") {
                        clean += 1;
                    } else {
                        warned += 1;
                    }
                }
            }
        }
        // Both kinds of input were tried.
        assert!(
            clean > 1000 && warned > 1000,
            "{clean} clean, {warned} warned"
        );
    }

    fn clean_values() -> Vec<Vec<u8>> {
        faults(&sample()).0
    }

    #[test]
    fn clean_fields_out_of_directory_order_are_read_in_directory_order() {
        // Entries 1 and 2 swapped: the fields no longer follow one another
        // in directory order (not tiled), which is clean all the same.
        let b = sample();
        let mut swapped = b.clone();
        let (x, y) = (24 + 12, 24 + 24);
        swapped[x..x + 12].copy_from_slice(&b[y..y + 12]);
        swapped[y..y + 12].copy_from_slice(&b[x..x + 12]);
        let (values, faults) = faults(&swapped);
        assert_eq!(faults, []);
        let mut want = clean_values();
        want.swap(1, 2);
        assert_eq!(values, want);
        for strict in [false, true] {
            let fast = outcome(&swapped, strict);
            super::FAST_PATH.with(|f| f.set(false));
            let slow = outcome(&swapped, strict);
            super::FAST_PATH.with(|f| f.set(true));
            assert_eq!(fast, slow);
        }
        // Every way of walking the entries agrees, tiled or not.
        for bytes in [&b, &swapped] {
            let view = RecordView::parse(bytes).unwrap();
            let all: Vec<_> = view.entries().collect();
            assert_eq!(all.len(), 4);
            for n in 0..5 {
                assert_eq!(view.entries().nth(n), all.get(n).copied(), "{n}");
                let mut rest = view.entries();
                rest.nth(n);
                assert!(rest.eq(all.iter().copied().skip(n + 1)), "{n}");
            }
            assert!(view.entries().rev().eq(all.iter().rev().copied()));
        }
    }

    #[test]
    fn damaged_directory_terminator_keeps_the_declared_base() {
        let mut b = sample();
        let base: usize = std::str::from_utf8(&b[12..17]).unwrap().parse().unwrap();
        b[base - 1] = b'X'; // the 001 after it is alphanumeric too
        let (values, faults) = faults(&b);
        assert_eq!(values, clean_values());
        assert_eq!(faults, [Fault::DirectoryNotTerminated]);
    }

    #[test]
    fn wrong_base_address_is_found_from_the_terminator() {
        let mut b = sample();
        b[12..17].copy_from_slice(b"00036"); // one entry short of the truth
        let (values, faults) = faults(&b);
        assert_eq!(values, clean_values());
        assert_eq!(faults.len(), 1);
        assert!(
            matches!(faults[0], Fault::DirectoryNotTerminated),
            "{faults:?}"
        );
    }

    #[test]
    fn lengths_in_characters_are_recut_in_order() {
        // Every field one byte longer than its directory entry says.
        let mut r = Record::new();
        r.push_field(Field::control(Tag::new(1), "id").unwrap())
            .unwrap();
        r.push_field(
            Field::new(Tag::new(245), *b"00")
                .with_subfield(b'a', "Ærø")
                .unwrap(),
        )
        .unwrap();
        let mut b = r.to_iso2709().unwrap();
        // 245 entry: declare one byte less (as if "Æ" counted once).
        let dir245 = 24 + 12 + 3;
        let len: usize = std::str::from_utf8(&b[dir245..dir245 + 4])
            .unwrap()
            .parse()
            .unwrap();
        b[dir245..dir245 + 4].copy_from_slice(format!("{:04}", len - 1).as_bytes());
        let (values, faults) = faults(&b);
        assert_eq!(values[1], "00\u{1f}aÆrø".as_bytes());
        assert_eq!(faults, [Fault::FieldsRecut]);
    }

    #[test]
    fn unlisted_trailing_field_is_reported() {
        let b = sample();
        // Insert an extra terminated field before the record terminator.
        let mut extra = b[..b.len() - 1].to_vec();
        extra.extend_from_slice(b"  \x1faextra\x1e\x1d");
        let n = extra.len();
        extra[..5].copy_from_slice(format!("{n:05}").as_bytes());
        // Every listed field is intact; the extra bytes are reported.
        let (values, faults) = faults(&extra);
        assert_eq!(values, clean_values());
        assert_eq!(faults, [Fault::UnlistedData { len: 10 }]);
    }
}
