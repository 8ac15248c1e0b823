//! MARC-8 decoding throughput on generated bibliographic text (about 1 MB
//! each): mostly ASCII with a few diacritics and escapes, ANSEL-heavy text,
//! and CJK (EACC). Each case is decoded as one buffer and field by field.
//!
//! ```text
//! cargo bench --bench marc8
//! ```

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use marcview::marc8::{self, Marc8Options};

const TARGET: usize = 1 << 20;

/// A small deterministic generator (64-bit LCG).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.next() as usize % items.len()]
    }

    fn chance(&mut self, per_thousand: u64) -> bool {
        self.next() % 1000 < per_thousand
    }
}

const WORDS: &[&str] = &[
    "history",
    "of",
    "the",
    "United",
    "States",
    "library",
    "catalog",
    "edition",
    "press",
    "university",
    "proceedings",
    "conference",
    "annual",
    "report",
    "New",
    "York",
    "London",
    "Washington",
    "studies",
    "in",
    "and",
    "with",
    "introduction",
    "notes",
    "by",
    "translated",
    "bibliographical",
    "references",
    "index",
    "illustrations",
    "maps",
    "volume",
    "series",
    "Congress",
    "government",
    "printing",
    "office",
    "1998",
    "2004",
    "p.",
    "cm.",
    "ed.",
];

/// Words with ANSEL diacritics (combining marks before their base) and
/// special letters.
const ANSEL_WORDS: &[&[u8]] = &[
    b"Dvo\xE9r\xE2ak",
    b"Anton\xE2in",
    b"\xA1\xF1od\xE2z",
    b"Vi\xF2\xE3et",
    b"Fran\xF0cais",
    b"M\xE8uller",
    b"S\xE3ao Paulo",
    b"\xA5r\xB2sk\xB2bing",
    b"Stra\xC7e",
    b"Bo\xE8ell",
    b"\xE1a la",
    b"Nguy\xE4\xE3en",
    b"Tolsto\xE6i",
    b"\xB0Abd al-Ra\xF2hm\xE5an",
];

/// A Cyrillic phrase, with its escapes.
const CYRILLIC: &[u8] = b"\x1B(NwOJNA I MIR\x1B(B";

/// EACC triples (Chinese, Japanese, Korean).
const EACC: &[&[u8]] = &[
    b"!0d", b"!S+", b"!#!", b"'`X", b"!_s", b"!K2", b"!3I", b"!?V", b"!0[", b"!4&", b"!PA", b"!Q=",
    b"!9M", b"!NI", b"!Ct", b"!Ek",
];

fn field(rng: &mut Rng, out: &mut Vec<u8>, ansel_rate: u64, cjk: bool) {
    let words = 4 + rng.next() % 12;
    for i in 0..words {
        if i > 0 {
            out.push(b' ');
        }
        if cjk && rng.chance(700) {
            out.extend_from_slice(b"\x1B$1");
            for _ in 0..2 + rng.next() % 6 {
                out.extend_from_slice(rng.pick(EACC));
            }
            out.extend_from_slice(b"\x1B(B");
        } else if rng.chance(ansel_rate) {
            out.extend_from_slice(rng.pick(ANSEL_WORDS));
        } else if rng.chance(3) {
            out.extend_from_slice(CYRILLIC);
        } else {
            out.extend_from_slice(rng.pick(WORDS).as_bytes());
        }
    }
    out.push(if rng.chance(500) { b'.' } else { b' ' });
}

/// About 1 MB of fields; returns the fields as ranges of one buffer.
fn corpus(ansel_rate: u64, cjk: bool) -> (Vec<u8>, Vec<(usize, usize)>) {
    let mut rng = Rng(0x4D41_5243_2D38);
    let mut buf = Vec::with_capacity(TARGET + 256);
    let mut fields = Vec::new();
    while buf.len() < TARGET {
        let start = buf.len();
        field(&mut rng, &mut buf, ansel_rate, cjk);
        fields.push((start, buf.len()));
        buf.push(0x1E);
    }
    (buf, fields)
}

fn bench(c: &mut Criterion) {
    let cases = [
        ("mostly_ascii", corpus(20, false)),
        ("ansel_heavy", corpus(450, false)),
        ("cjk", corpus(30, true)),
    ];
    let opts = Marc8Options::new();
    let mut group = c.benchmark_group("marc8_decode");
    for (name, (buf, fields)) in &cases {
        group.throughput(Throughput::Bytes(buf.len() as u64));
        let mut out = String::with_capacity(buf.len() * 2);
        let mut warnings = Vec::new();
        group.bench_function(format!("{name}/buffer"), |b| {
            b.iter(|| {
                out.clear();
                marc8::decode_into(black_box(buf), opts, &mut out, &mut warnings).unwrap();
                assert!(warnings.is_empty());
                out.len()
            })
        });
        group.bench_function(format!("{name}/fields"), |b| {
            b.iter(|| {
                let mut total = 0;
                for &(s, e) in fields {
                    let text = marc8::decode(black_box(&buf[s..e]), opts, &mut warnings).unwrap();
                    total += text.len();
                }
                total
            })
        });
        let nfc = opts.normalize_nfc(true);
        group.bench_function(format!("{name}/fields_nfc"), |b| {
            b.iter(|| {
                let mut total = 0;
                for &(s, e) in fields {
                    let text = marc8::decode(black_box(&buf[s..e]), nfc, &mut warnings).unwrap();
                    total += text.len();
                }
                total
            })
        });
    }
    group.finish();

    let mut group = c.benchmark_group("marc8_encode");
    let text = marc8::decode(&cases[0].1.0, opts, &mut Vec::new())
        .unwrap()
        .into_owned();
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function("mostly_ascii/buffer", |b| {
        b.iter(|| marc8::encode(black_box(&text)).unwrap().len())
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
