//! Converts an ISO 2709 file to MARCXML straight from the views and prints
//! the rate:
//! `cargo run --release --features xml --example to_xml -- IN [OUT]`
//! (OUT defaults to /dev/null).

#[cfg(feature = "xml")]
fn main() -> Result<(), Box<dyn std::error::Error>> {
    use std::fs::File;
    use std::time::Instant;

    use marcview::MappedFile;
    use marcview::xml::XmlWriter;

    let mut args = std::env::args().skip(1);
    let input = args.next().ok_or("usage: to_xml IN [OUT]")?;
    let output = args.next().unwrap_or_else(|| "/dev/null".into());
    let file = MappedFile::open(&input)?;
    let cpu0 = cpu_seconds();
    let t = Instant::now();
    let mut w = XmlWriter::new(File::create(&output)?);
    let mut errors = 0u64;
    for view in file.records() {
        match view {
            Ok(v) => w.write(&v)?,
            Err(_) => errors += 1,
        }
    }
    let (n, replaced) = (w.records_written(), w.replacements());
    w.finish()?;
    let dt = t.elapsed().as_secs_f64();
    println!(
        "{n} records in {dt:.3} s: {:.0} records/s ({:.1} MB/s of input); \
         {errors} unreadable, {replaced} characters replaced",
        n as f64 / dt,
        file.bytes().len() as f64 / dt / 1e6
    );
    if let (Some(a), Some(b)) = (cpu0, cpu_seconds()) {
        let cpu = b - a;
        println!(
            "on-CPU time {cpu:.3} s: {:.0} records/s per core",
            n as f64 / cpu
        );
    }
    Ok(())
}

/// Seconds this thread has run on a CPU (Linux), to see past other load.
#[cfg(feature = "xml")]
fn cpu_seconds() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/schedstat").ok()?;
    let ns: f64 = s.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}

#[cfg(not(feature = "xml"))]
fn main() {
    eprintln!("build with --features xml");
}
