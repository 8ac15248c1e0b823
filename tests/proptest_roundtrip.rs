//! Random owned records survive ISO 2709: write -> read (strict) ->
//! `to_owned` gives the same record, and writing that again gives the same
//! bytes.
//!
//! Records have random bytes in every leader position the writer does not
//! compute (05-09, 17-19), control fields for control tags and data fields
//! for all other tags (digits and uppercase letters), random indicators and
//! subfields whose codes and values are any bytes but the three delimiters.
//!
//! Cases: `PROPTEST_CASES` (default 256).

use proptest::prelude::*;

use marcview::{
    Field, Leader, Mode, ReadOptions, Reader, Record, StreamReader, Tag, WriteOptions, Writer,
};

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256);
    ProptestConfig {
        cases,
        // Failures are printed (shrunk); no files are written.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Leader positions the writer computes.
const COMPUTED: [std::ops::Range<usize>; 4] = [0..5, 10..12, 12..17, 20..24];

/// Any byte but 0x1D, 0x1E and 0x1F (mapped to 0x5D..0x5F).
fn plain_byte() -> impl Strategy<Value = u8> {
    any::<u8>().prop_map(|b| {
        if (0x1D..=0x1F).contains(&b) {
            b ^ 0x40
        } else {
            b
        }
    })
}

fn value(max: usize) -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(plain_byte(), 0..max)
}

fn tag() -> impl Strategy<Value = Tag> {
    const ALNUM: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    prop_oneof![
        3 => (0u16..1000).prop_map(Tag::new),
        1 => (0u16..10).prop_map(Tag::new),
        1 => prop::array::uniform3(prop::sample::select(&ALNUM[..]))
            .prop_map(|b| Tag::from_bytes(b).expect("alphanumeric")),
    ]
}

/// A generated field: the tag, and either a control value or indicators
/// with subfields.
#[derive(Clone, Debug)]
enum Gen {
    Control(Tag, Vec<u8>),
    Data(Tag, [u8; 2], Vec<(u8, Vec<u8>)>),
}

fn field() -> impl Strategy<Value = Gen> {
    (
        tag(),
        value(40),
        [plain_byte(), plain_byte()],
        prop::collection::vec((plain_byte(), value(30)), 0..6),
    )
        .prop_map(|(tag, v, ind, subs)| {
            if tag.is_control() {
                Gen::Control(tag, v)
            } else {
                Gen::Data(tag, ind, subs)
            }
        })
}

fn leader() -> impl Strategy<Value = Leader> {
    prop::array::uniform24(any::<u8>()).prop_map(|mut b| {
        // Computed positions get what a fresh leader has.
        let fresh = Leader::default();
        for r in COMPUTED {
            b[r.clone()].copy_from_slice(&fresh.as_bytes()[r]);
        }
        Leader::from_bytes(b)
    })
}

fn record() -> impl Strategy<Value = (Record, Vec<Gen>)> {
    // Up to 60 fields: past INLINE_FIELDS (40), so spilled directories too.
    (leader(), prop::collection::vec(field(), 0..60)).prop_map(|(leader, gens)| {
        let mut rec = Record::with_leader(leader);
        for g in &gens {
            let f = match g {
                Gen::Control(tag, v) => Field::control(*tag, v).expect("no delimiters"),
                Gen::Data(tag, ind, subs) => {
                    let mut f = Field::new(*tag, *ind);
                    for (code, v) in subs {
                        f.push_subfield(*code, v).expect("no delimiters");
                    }
                    f
                }
            };
            rec.push_field(f).expect("small record");
        }
        (rec, gens)
    })
}

fn leaders_agree(a: &Leader, b: &Leader) -> bool {
    (0..24).all(|i| COMPUTED.iter().any(|r| r.contains(&i)) || a.as_bytes()[i] == b.as_bytes()[i])
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn write_read_equal((rec, gens) in record()) {
        let bytes = rec.to_iso2709().expect("fits in ISO 2709");
        let declared = Leader::from_slice(&bytes).and_then(|l| l.record_length());
        prop_assert_eq!(declared, Some(bytes.len()));

        let mut reader = Reader::new(&bytes).strict();
        let view = reader.next().expect("one record").expect("strictly valid");
        prop_assert!(reader.next().is_none());
        prop_assert_eq!(reader.warning_log().total(), 0);
        prop_assert_eq!(view.raw(), &bytes[..]);
        prop_assert!(leaders_agree(rec.leader(), view.leader()));

        // Every field, indicator and subfield as generated.
        prop_assert_eq!(view.len(), gens.len());
        for (f, g) in view.fields().zip(&gens) {
            match g {
                Gen::Control(tag, v) => {
                    prop_assert_eq!(f.tag(), *tag);
                    prop_assert_eq!(f.raw_value(), &v[..]);
                    prop_assert_eq!(f.subfields().count(), 0);
                }
                Gen::Data(tag, ind, subs) => {
                    prop_assert_eq!(f.tag(), *tag);
                    prop_assert_eq!(f.indicators(), *ind);
                    let got: Vec<(u8, &[u8])> = f.subfields().map(|s| (s.code, s.value)).collect();
                    let want: Vec<(u8, &[u8])> = subs.iter().map(|(c, v)| (*c, &v[..])).collect();
                    prop_assert_eq!(got, want);
                }
            }
        }

        // to_owned equals the record (with the leader as written).
        let back = view.to_owned();
        let mut expected = rec.clone();
        expected.set_leader(*view.leader());
        prop_assert_eq!(&back, &expected);
        // Re-writing gives the same bytes, from the owned record and from
        // the view.
        prop_assert_eq!(back.to_iso2709().expect("write"), bytes.clone());
        let mut out = Vec::new();
        Writer::new(&mut out).write_view(&view).expect("write view");
        prop_assert_eq!(out, bytes);
    }

    #[test]
    fn files_of_records_read_back_equal(
        recs in prop::collection::vec(record(), 1..8),
        newline in any::<bool>(),
        piece in 1usize..5000,
    ) {
        let mut file = Vec::new();
        {
            let mut w = Writer::new(&mut file).with_options(WriteOptions::default());
            for (r, _) in &recs {
                w.write(r).expect("write");
            }
        }
        if newline {
            // Newline-separated records (one of the common variants).
            let mut with_newlines = Vec::new();
            for v in Reader::new(&file) {
                with_newlines.extend_from_slice(v.expect("record").raw());
                with_newlines.extend_from_slice(b"\r\n");
            }
            file = with_newlines;
        }
        let strict = ReadOptions { mode: Mode::Strict, max_warnings: 100 };
        let views: Vec<_> = Reader::with_options(&file, strict)
            .map(|r| r.expect("strictly valid").to_owned())
            .collect();
        prop_assert_eq!(views.len(), recs.len());
        for (back, (rec, _)) in views.iter().zip(&recs) {
            let mut expected = rec.clone();
            expected.set_leader(*back.leader());
            prop_assert_eq!(back, &expected);
        }
        // The stream reader, fed in pieces, reads the same records.
        let mut stream = StreamReader::with_options(Pieces { data: &file, piece }, strict);
        let mut i = 0;
        while let Some(r) = stream.next_record() {
            let v = r.expect("strictly valid");
            prop_assert!(i < views.len());
            prop_assert_eq!(&v.to_owned(), &views[i]);
            i += 1;
        }
        prop_assert_eq!(i, views.len());
    }
}

/// Hands out `data` `piece` bytes at a time.
struct Pieces<'a> {
    data: &'a [u8],
    piece: usize,
}

impl std::io::Read for Pieces<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.piece.min(buf.len()).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

/// A record over the ISO 2709 limits, written with `allow_oversize`, is
/// read back leniently: lengths are re-derived from the terminators.
#[test]
fn oversize_record_reads_back_leniently() {
    let mut rec = Record::new();
    rec.push_field(Field::control(Tag::new(1), "big").expect("001"))
        .expect("push");
    for i in 0..12 {
        // 10,000 bytes: over a field's limit.
        let v = char::from(b'a' + i).to_string().repeat(10_000);
        rec.push_field(
            Field::new(Tag::new(500), *b"  ")
                .with_subfield(b'a', v)
                .expect("500"),
        )
        .expect("push");
    }
    assert!(rec.to_iso2709().is_err());
    let mut bytes = Vec::new();
    rec.write_iso2709_into(
        &mut bytes,
        WriteOptions {
            allow_oversize: true,
        },
    )
    .expect("oversize allowed");
    assert!(bytes.len() > 99_999);
    let mut reader = Reader::new(&bytes);
    let view = reader.next().expect("one record").expect("repaired");
    assert!(reader.next().is_none());
    assert!(reader.warning_log().total() > 0);
    assert!(view.fields().eq(rec.fields()));
    assert!(Reader::new(&bytes).strict().next().expect("one").is_err());
}
