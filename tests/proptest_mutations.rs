//! Damaged input never panics, and damage to one record costs no other
//! record that the boundary rules can tell apart from it.
//!
//! * Arbitrary bytes, and files of good records with any mix of damage
//!   (truncation, flipped bytes, corrupt leader and directory digits,
//!   injected and deleted 0x1D/0x1E/0x1F, CR/LF between records), go through
//!   the fuzz targets' checks (`fuzz/src/checks.rs`): lenient and strict
//!   slice readers, the stream reader in random pieces, round trips of every
//!   good record; nothing panics and every invariant holds.
//! * Resynchronization. A file holds good records R1..RN (from the corpus
//!   and generated), possibly with filler (CR, LF, NUL, space) between them;
//!   record Rk is damaged into D. The lenient reader must return R1..R(k-1)
//!   and every record after the damage that the damage cannot reach,
//!   byte-identical, at their offsets, with nothing else in between but one
//!   item (good or bad) for the damaged bytes. Exactly which records the
//!   damage can reach follows from the boundary rules (src/boundary.rs):
//!   - content damage (any bytes but 0x1D changed, inserted or deleted after
//!     leader/00-04) with the declared length still right: none;
//!   - the record terminator lost (replaced or deleted) with the declared
//!     length right, with or without filler after it: none (rule 3: a
//!     plausible leader follows the declared end);
//!   - a wrong declared length (not digits, at most 24, or past the end of
//!     D) with the terminator kept: none, unless the length lands exactly on
//!     the terminator of a later record Rj: then rule 2 takes D through Rj,
//!     and R(k+1)..Rj are legitimately swallowed;
//!   - truncation (D is a prefix of Rk without its terminator, its declared
//!     length now too long, R(k+1) right after it), on generated records
//!     that hold no leader-like bytes: the record runs to the next
//!     terminator, so R(k+1) is swallowed, or R(k+1)..Rj when the old length
//!     lands exactly on the terminator of Rj (rule 2); every record after
//!     that comes back.
//!
//! Cases per property: `PROPTEST_CASES` (default 64, a few seconds).

#[path = "../fuzz/src/checks.rs"]
mod checks;
mod common;

use std::sync::OnceLock;

use proptest::prelude::*;
use proptest::sample::Index;

use marcview::Reader;

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

const FILLER: &[u8] = b"\r\n\0 ";

/// Good records to build files from.
struct Pool {
    /// Generated records without digits or letters where a leader could be
    /// mistaken to start (see `generated`).
    plain: Vec<Vec<u8>>,
    /// `plain` followed by well-formed corpus records.
    all: Vec<Vec<u8>>,
}

fn pool() -> &'static Pool {
    static POOL: OnceLock<Pool> = OnceLock::new();
    POOL.get_or_init(|| {
        let plain: Vec<Vec<u8>> = (0..200).map(generated).collect();
        let mut all = plain.clone();
        all.extend(corpus_records());
        Pool { plain, all }
    })
}

/// Tiny deterministic generator.
fn lcg(state: &mut u64) -> usize {
    *state = state
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (*state >> 33) as usize
}

/// A generated record with numeric tags, data without any ASCII digit, and
/// blanks in leader/17-19: no byte window inside it other than its own
/// leader looks like a leader (5 digits, a letter at 6, 5 digits at 12),
/// so the boundary rules cannot be misled by its content.
fn generated(i: usize) -> Vec<u8> {
    use marcview::{Field, Leader, Record, Tag};
    let mut s = i as u64 + 1;
    let mut rec = Record::with_leader(Leader::from_bytes(*b"00000nam a2200000   4500"));
    let words = [
        "Walden", "or", "life", "in", "the", "woods", "été", "日本", "Ærø", ":", "/", ";",
    ];
    let text = |s: &mut u64, n: usize| -> String {
        (0..1 + lcg(s) % n)
            .map(|_| words[lcg(s) % words.len()])
            .collect::<Vec<_>>()
            .join(" ")
    };
    rec.push_field(Field::control(Tag::new(1), format!("ocm{}", text(&mut s, 2))).expect("001"))
        .expect("push");
    for _ in 0..1 + lcg(&mut s) % 45 {
        let tag = Tag::new([100, 245, 250, 260, 300, 500, 520, 650, 700, 856][lcg(&mut s) % 10]);
        let mut f = Field::new(tag, [b" ab"[lcg(&mut s) % 3], b' ']);
        for _ in 0..1 + lcg(&mut s) % 4 {
            let code = b"abcdxyz"[lcg(&mut s) % 7];
            f.push_subfield(code, text(&mut s, 12)).expect("subfield");
        }
        rec.push_field(f).expect("push");
    }
    rec.to_iso2709().expect("small record")
}

/// What boundary rule 3 accepts as a leader (src/boundary.rs,
/// `plausible_leader`).
fn plausible_leader(b: &[u8]) -> bool {
    let digits = |r: std::ops::Range<usize>| -> Option<usize> {
        let s = b.get(r)?;
        s.iter()
            .all(u8::is_ascii_digit)
            .then(|| s.iter().fold(0, |n, d| n * 10 + usize::from(d - b'0')))
    };
    match (digits(0..5), digits(12..17), b.get(6)) {
        (Some(len), Some(base), Some(t)) => t.is_ascii_alphabetic() && base > 24 && base < len,
        _ => false,
    }
}

/// Well-formed corpus records (strict mode takes them) with exactly one
/// 0x1D, a plausible leader, and at most 20,000 bytes; at most 4 a file.
fn corpus_records() -> Vec<Vec<u8>> {
    let Some(dir) = common::corpus_dir() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (_, bytes) in common::iso2709_files(&dir) {
        let taken = Reader::new(&bytes)
            .strict()
            .filter_map(Result::ok)
            .map(|v| v.raw())
            .filter(|r| r.len() <= 20_000)
            .filter(|r| r.iter().filter(|&&b| b == 0x1D).count() == 1)
            .filter(|r| plausible_leader(r))
            .take(4)
            .map(<[u8]>::to_vec)
            .collect::<Vec<_>>();
        out.extend(taken);
    }
    out
}

/// A file of pool records with filler between them.
#[derive(Debug, Clone)]
struct File {
    recs: Vec<Vec<u8>>,
    /// Filler before each record.
    gaps: Vec<Vec<u8>>,
}

fn file(from_plain: bool) -> impl Strategy<Value = File> {
    let n = if from_plain {
        pool().plain.len()
    } else {
        pool().all.len()
    };
    prop::collection::vec(
        (
            0..n,
            prop::collection::vec(prop::sample::select(FILLER), 0..3),
        ),
        2..7,
    )
    .prop_map(move |picks| {
        let p = pool();
        let src = if from_plain { &p.plain } else { &p.all };
        File {
            recs: picks.iter().map(|(i, _)| src[*i].clone()).collect(),
            gaps: picks.into_iter().map(|(_, g)| g).collect(),
        }
    })
}

/// One change to the bytes of a record.
#[derive(Debug, Clone)]
enum Edit {
    /// Overwrite a byte (any position after leader/00-04, before the
    /// terminator) with a byte that is not 0x1D.
    Set(Index, u8),
    /// Overwrite a leader byte (05-23).
    Leader(usize, u8),
    /// Overwrite a byte of a directory entry with a digit, letter or blank.
    Directory(Index, u8),
    /// Insert a byte that is not 0x1D (0x1E, 0x1F, CR, LF or any other).
    Insert(Index, u8),
    /// Delete a byte (never the terminator).
    Delete(Index),
    /// Delete a field terminator or subfield delimiter, if there is one.
    DeleteDelimiter(Index),
}

fn not_1d(b: u8) -> u8 {
    if b == 0x1D { 0x1E } else { b }
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<Index>(), any::<u8>()).prop_map(|(i, b)| Edit::Set(i, not_1d(b))),
        (5usize..24, any::<u8>()).prop_map(|(i, b)| Edit::Leader(i, not_1d(b))),
        (
            any::<Index>(),
            prop::sample::select(&b"0123456789AZaz -"[..])
        )
            .prop_map(|(i, b)| Edit::Directory(i, b)),
        (
            any::<Index>(),
            prop_oneof![
                Just(0x1Eu8),
                Just(0x1F),
                Just(b'\r'),
                Just(b'\n'),
                any::<u8>().prop_map(not_1d)
            ]
        )
            .prop_map(|(i, b)| Edit::Insert(i, b)),
        any::<Index>().prop_map(Edit::Delete),
        any::<Index>().prop_map(Edit::DeleteDelimiter),
    ]
}

/// Applies `edits` to the part of `rec` after leader/00-04 and before its
/// last byte (the terminator); the terminator stays where it is.
fn apply(rec: &mut Vec<u8>, edits: &[Edit]) {
    for e in edits {
        let body = 5..rec.len() - 1;
        let at = |i: &Index| body.start + i.index(body.len());
        match e {
            Edit::Set(i, b) => {
                let p = at(i);
                rec[p] = *b;
            }
            Edit::Leader(p, b) => rec[*p] = *b,
            Edit::Directory(i, b) => {
                let base = rec
                    .iter()
                    .position(|&b| b == 0x1E)
                    .unwrap_or(rec.len() - 1)
                    .max(25);
                let p = 24 + i.index(base - 24);
                if p < rec.len() - 1 {
                    rec[p] = *b;
                }
            }
            Edit::Insert(i, b) => {
                let p = at(i);
                rec.insert(p, *b);
            }
            Edit::Delete(i) => {
                if rec.len() > 30 {
                    let p = at(i);
                    rec.remove(p);
                }
            }
            Edit::DeleteDelimiter(i) => {
                let found: Vec<usize> = (body.start..body.end)
                    .filter(|&p| rec[p] == 0x1E || rec[p] == 0x1F)
                    .collect();
                if !found.is_empty() && rec.len() > 30 {
                    rec.remove(found[i.index(found.len())]);
                }
            }
        }
    }
}

fn set_length(rec: &mut [u8], n: usize) {
    rec[..5].copy_from_slice(format!("{:05}", n.min(99_999)).as_bytes());
}

/// The assembled file: bytes, and the offset of each record.
fn assemble(f: &File, k: usize, damaged: &[u8]) -> (Vec<u8>, Vec<usize>) {
    let mut bytes = Vec::new();
    let mut offsets = Vec::new();
    for (i, (r, gap)) in f.recs.iter().zip(&f.gaps).enumerate() {
        bytes.extend_from_slice(gap);
        offsets.push(bytes.len());
        bytes.extend_from_slice(if i == k { damaged } else { r });
    }
    (bytes, offsets)
}

/// Reads `bytes` leniently and checks: records `0..k` come back as they
/// are, then one item for the damaged bytes, then exactly the records
/// `survivors..` as they are. `survivors` is the index of the first record
/// after the damage that must come back (records from `k + 1` to it are
/// swallowed).
fn check_resync(
    f: &File,
    k: usize,
    bytes: &[u8],
    offsets: &[usize],
    survivors: usize,
) -> Result<(), TestCaseError> {
    let items: Vec<_> = Reader::new(bytes).collect();
    let n = f.recs.len();
    let expected_items = k + 1 + (n - survivors);
    prop_assert_eq!(
        items.len(),
        expected_items,
        "records {}, damaged {}, first survivor {}",
        n,
        k,
        survivors
    );
    let expect = (0..k).chain(survivors..n);
    let got = items[..k].iter().chain(&items[k + 1..]);
    for (j, item) in expect.zip(got) {
        let v = match item {
            Ok(v) => v,
            Err(e) => return Err(TestCaseError::fail(format!("record {j} lost: {e}"))),
        };
        prop_assert_eq!(v.offset(), offsets[j] as u64, "record {} moved", j);
        prop_assert!(v.raw() == &f.recs[j][..], "record {} changed", j);
    }
    Ok(())
}

/// Index of the record after `k` whose terminator is at `end - 1`, if any.
fn lands_on(offsets: &[usize], f: &File, end: usize, k: usize) -> Option<usize> {
    (k + 1..f.recs.len()).find(|&j| offsets[j] + f.recs[j].len() == end)
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..3000)) {
        checks::lenient_slice(&bytes);
        checks::strict_slice(&bytes);
        let mut stream = vec![0x02u8, 1, 17, 0xF1];
        stream.extend_from_slice(&bytes);
        checks::stream_chunks(&stream);
        stream[0] = 0x80;
        checks::stream_chunks(&stream);
    }

    #[test]
    fn damaged_files_never_panic(
        f in file(false),
        k in any::<Index>(),
        edits in prop::collection::vec(edit(), 0..6),
        truncate in prop::option::of(any::<Index>()),
        terminator in prop::option::of(any::<u8>()),
        ctl in any::<u8>(),
        sizes in prop::collection::vec(any::<u8>(), 1..4),
    ) {
        let k = k.index(f.recs.len());
        let mut d = f.recs[k].clone();
        apply(&mut d, &edits);
        if let Some(b) = terminator {
            *d.last_mut().expect("non-empty") = b; // may inject 0x1D too
        }
        if let Some(i) = truncate {
            d.truncate(i.index(d.len()));
        }
        let (bytes, _) = assemble(&f, k, &d);
        checks::lenient_slice(&bytes);
        checks::strict_slice(&bytes);
        let mut stream = vec![(ctl & 0xF8) | (sizes.len() as u8 - 1)];
        stream.extend_from_slice(&sizes);
        stream.extend_from_slice(&bytes);
        checks::stream_chunks(&stream);
    }

    /// Content damage, declared length still right: costs nothing else.
    #[test]
    fn content_damage_costs_no_other_record(
        f in file(false),
        k in any::<Index>(),
        edits in prop::collection::vec(edit(), 1..6),
    ) {
        let k = k.index(f.recs.len());
        let mut d = f.recs[k].clone();
        apply(&mut d, &edits);
        let len = d.len();
        set_length(&mut d, len);
        let (bytes, offsets) = assemble(&f, k, &d);
        check_resync(&f, k, &bytes, &offsets, k + 1)?;
    }

    /// The terminator lost (replaced or deleted), declared length right,
    /// maybe other damage and filler after it: costs nothing else.
    #[test]
    fn lost_terminator_with_right_length_costs_no_other_record(
        f in file(false),
        k in any::<Index>(),
        edits in prop::collection::vec(edit(), 0..4),
        replace in prop::option::of(any::<u8>()),
    ) {
        let k = k.index(f.recs.len());
        let mut d = f.recs[k].clone();
        apply(&mut d, &edits);
        match replace {
            Some(b) => *d.last_mut().expect("non-empty") = not_1d(b),
            None => {
                d.pop();
            }
        }
        let len = d.len();
        set_length(&mut d, len);
        let (bytes, offsets) = assemble(&f, k, &d);
        check_resync(&f, k, &bytes, &offsets, k + 1)?;
    }

    /// A wrong declared length, terminator kept: costs nothing else unless
    /// the length lands exactly on a later record's terminator.
    #[test]
    fn wrong_length_swallows_only_what_it_reaches(
        f in file(false),
        k in any::<Index>(),
        kind in 0..4u8,
        pick in any::<Index>(),
    ) {
        let k = k.index(f.recs.len());
        let mut d = f.recs[k].clone();
        let (bytes0, offsets0) = assemble(&f, k, &d);
        match kind {
            0 => d[..5].copy_from_slice(b"0x1?a"),
            1 => set_length(&mut d, pick.index(25)),
            // Past the end of the damaged record, anywhere in the file or
            // beyond it.
            2 => {
                let n = d.len() + 1 + pick.index(bytes0.len() + 100);
                set_length(&mut d, n);
            }
            // Exactly onto the terminator of a later record (or the last
            // byte of the file).
            _ => {
                let later: Vec<usize> = (k + 1..f.recs.len())
                    .map(|j| offsets0[j] + f.recs[j].len() - offsets0[k])
                    .collect();
                let n = later.get(pick.index(later.len().max(1))).copied().unwrap_or(d.len() + 7);
                set_length(&mut d, n);
            }
        }
        let (bytes, offsets) = assemble(&f, k, &d);
        let declared = std::str::from_utf8(&d[..5]).ok().and_then(|s| s.parse::<usize>().ok());
        let swallowed = declared
            .filter(|&n| n > d.len())
            .and_then(|n| lands_on(&offsets, &f, offsets[k] + n, k));
        let survivors = swallowed.map_or(k + 1, |j| j + 1);
        check_resync(&f, k, &bytes, &offsets, survivors)?;
    }

    /// Truncation (generated records): the damaged record runs on to the
    /// next terminator; every record after the one it swallows comes back.
    #[test]
    fn truncation_swallows_at_most_up_to_the_next_terminator(
        mut f in file(true),
        k in any::<Index>(),
        cut in any::<Index>(),
    ) {
        let k = k.index(f.recs.len());
        let rec = &f.recs[k];
        // Keep at least the leader; lose at least the terminator.
        let p = 24 + cut.index(rec.len() - 24);
        let d = rec[..p].to_vec();
        if k + 1 < f.recs.len() {
            f.gaps[k + 1].clear(); // no filler right after the damage
        }
        let (bytes, offsets) = assemble(&f, k, &d);
        let n = rec.len(); // the declared length, now too long
        let end = offsets[k] + n;
        // Rule 3 cannot cut at the old declared end: it lies past R(k+1)'s
        // first byte, so a leader there would be after the next terminator.
        let survivors = if k + 1 == f.recs.len() {
            k + 1
        } else if let Some(j) = lands_on(&offsets, &f, end, k) {
            j + 1 // rule 2: the old length lands on the terminator of Rj
        } else {
            k + 2 // the next terminator is R(k+1)'s
        };
        check_resync(&f, k, &bytes, &offsets, survivors.min(f.recs.len()))?;
    }
}

#[test]
fn pool_is_big_enough() {
    let p = pool();
    assert_eq!(p.plain.len(), 200);
    for r in &p.plain {
        assert!(plausible_leader(r));
        // No leader-like window but the record's own leader.
        for i in 1..r.len() {
            assert!(!plausible_leader(&r[i..]), "window at {i}");
        }
        let v = Reader::new(r).strict().next().expect("one").expect("valid");
        assert!(v.len() >= 2);
    }
    if common::corpus_dir().is_some() {
        assert!(
            p.all.len() > 500,
            "only {} corpus records",
            p.all.len() - 200
        );
    }
}
