//! Walks a file: every field and subfield of every record, and counts them.
//! `cargo run --release --example walk -- FILE`
use marcview::MappedFile;

fn main() -> Result<(), marcview::Error> {
    let path = std::env::args().nth(1).expect("usage: walk FILE");
    let file = MappedFile::open(&path)?;
    let t = std::time::Instant::now();
    let (mut recs, mut fields, mut subs, mut errs, mut bytes) = (0u64, 0u64, 0u64, 0u64, 0u64);
    let mut reader = file.records();
    for r in reader.by_ref() {
        match r {
            Ok(v) => {
                recs += 1;
                for f in v.fields() {
                    fields += 1;
                    for s in f.subfields() {
                        subs += 1;
                        bytes += s.value.len() as u64;
                    }
                }
            }
            Err(e) => {
                errs += 1;
                eprintln!("error: {e}");
            }
        }
    }
    let dt = t.elapsed();
    println!(
        "{recs} records, {errs} errors, {fields} fields, {subs} subfields, {bytes} value bytes, {} warnings in {:.3}s ({:.0} records/s)",
        reader.warning_log().total(),
        dt.as_secs_f64(),
        recs as f64 / dt.as_secs_f64()
    );
    for w in reader.warnings().iter().take(20) {
        eprintln!("warning: {w}");
    }
    Ok(())
}
