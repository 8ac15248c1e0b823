//! The quick start: writes a file of synthetic MARC 21 records, then reads it
//! back the ways marcview users do (count, full walk, 245 $a extraction,
//! owned copies and a byte-identical rewrite, the damaged-file repair) and
//! prints what it saw and how fast.
//!
//! `cargo run --release --example quickstart [-- RECORDS [FILE]]`

use std::time::Instant;

use marcview::{Field, MappedFile, Reader, Record, Tag, Writer};

/// A small deterministic generator (xorshift), so runs are comparable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn word(&mut self) -> &'static str {
        const WORDS: &[&str] = &[
            "history",
            "of",
            "the",
            "library",
            "catalogue",
            "Bibliothèque",
            "naturelle",
            "études",
            "science",
            "Ελληνικά",
            "русский",
            "日本語",
            "Zeitschrift",
            "für",
            "art",
            "music",
            "poetry",
            "and",
            "philosophy",
            "maps",
        ];
        WORDS[self.below(WORDS.len() as u64) as usize]
    }
    fn phrase(&mut self, words: u64) -> String {
        let n = 1 + self.below(words);
        (0..n).map(|_| self.word()).collect::<Vec<_>>().join(" ")
    }
}

fn synthetic(i: u64, rng: &mut Rng) -> Result<Record, marcview::Error> {
    let mut r = Record::new();
    r.push_field(Field::control(Tag::new(1), format!("mv{i:09}"))?)?;
    r.push_field(Field::control(Tag::new(5), "20261124120000.0")?)?;
    r.push_field(Field::control(
        Tag::new(8),
        format!(
            "261124s{}    xxu           000 0 eng d",
            1900 + rng.below(126)
        ),
    )?)?;
    r.push_field(
        Field::new(Tag::new(20), *b"  ")
            .with_subfield(b'a', format!("978{:010}", rng.next() % 10_000_000_000))?,
    )?;
    r.push_field(Field::new(Tag::new(100), *b"1 ").with_subfield(b'a', rng.phrase(3))?)?;
    r.push_field(
        Field::new(Tag::new(245), *b"10")
            .with_subfield(b'a', format!("{} /", rng.phrase(6)))?
            .with_subfield(b'c', rng.phrase(4))?,
    )?;
    r.push_field(
        Field::new(Tag::new(264), *b" 1")
            .with_subfield(b'a', "Paris :")?
            .with_subfield(b'b', rng.phrase(2))?
            .with_subfield(b'c', format!("{}.", 1900 + rng.below(126)))?,
    )?;
    for _ in 0..rng.below(6) {
        r.push_field(
            Field::new(Tag::new(650), *b" 0")
                .with_subfield(b'a', rng.phrase(3))?
                .with_subfield(b'x', rng.phrase(2))?,
        )?;
    }
    Ok(r)
}

fn main() -> Result<(), marcview::Error> {
    let mut args = std::env::args().skip(1);
    let n: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(200_000);
    let path = args.next().unwrap_or_else(|| {
        std::env::temp_dir()
            .join("marcview-quickstart.mrc")
            .display()
            .to_string()
    });

    // 1. Write.
    let t = Instant::now();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let file = std::io::BufWriter::new(std::fs::File::create(&path)?);
    let mut w = Writer::new(file);
    for i in 0..n {
        w.write(&synthetic(i, &mut rng)?)?;
    }
    w.into_inner()?;
    let size = std::fs::metadata(&path)?.len();
    println!(
        "wrote   {n} synthetic records, {:.1} MB, to {path} in {:.2}s",
        size as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );

    let map = MappedFile::open(&path)?;
    let rate = |what: &str, count: u64, t: Instant| {
        let s = t.elapsed().as_secs_f64();
        println!(
            "{what:<7} {count} in {s:.3}s: {:.0} records/s, {:.0} MB/s",
            n as f64 / s,
            size as f64 / s / 1e6
        );
    };

    // 2. Count (boundaries, leader and directory checks).
    let t = Instant::now();
    let count = map.records().count() as u64;
    rate("count", count, t);

    // 3. Full walk: every field and subfield.
    let t = Instant::now();
    let mut subfields = 0u64;
    for rec in map.records() {
        for f in rec?.fields() {
            subfields += f.subfields().count() as u64;
        }
    }
    rate("walk", subfields, t);

    // 4. 245 $a of each record.
    let t = Instant::now();
    let mut title_bytes = 0u64;
    for rec in map.records() {
        if let Some(a) = rec?.field(245).and_then(|f| f.subfield(b'a')) {
            title_bytes += a.len() as u64;
        }
    }
    rate("245$a", title_bytes, t);

    // 5. Owned copies rewritten byte for byte.
    let t = Instant::now();
    let mut out = Vec::with_capacity(size as usize);
    for rec in map.records() {
        rec?.to_owned()
            .write_iso2709_into(&mut out, Default::default())?;
    }
    rate("rewrite", out.len() as u64, t);
    println!("rewrite identical to the input: {}", out == map.bytes());

    // 6. Damage a copy and read it leniently: the broken record is repaired
    //    or reported, and every other record still comes back.
    let mut damaged = map.bytes().to_vec();
    let cut = damaged.len() / 2;
    damaged[cut] = 0x1D; // a stray record terminator mid-record
    damaged.splice(100..100, *b"\r\n");
    let mut reader = Reader::new(&damaged);
    let ok = reader.by_ref().filter(|r| r.is_ok()).count();
    println!(
        "damaged copy: {ok} records read, {} warnings; first: {}",
        reader.warning_log().total(),
        reader
            .warnings()
            .first()
            .map(|w| w.to_string())
            .unwrap_or_default()
    );
    assert_eq!(count, n);
    Ok(())
}
