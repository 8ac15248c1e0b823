//! Runs one benchmark workload on a file, for `perf` and `callgrind`, and
//! prints its checksum and speed.
//!
//! `cargo run --release --example profile -- WORKLOAD [FILE] [REPEAT]`
//!
//! WORKLOAD is one of `count directory full_walk title to_owned write
//! par_full_walk pipeline_full_walk marc_full_walk marc_fields marc_title
//! marc21_full_walk marc21_title mrrc_full_walk mrrc_title`; FILE defaults
//! to the BooksAll benchmark file (found as the benches find it; `-` for it).
//! `RAYON_NUM_THREADS` sets the threads of the parallel workloads.

#[path = "../benches/common/mod.rs"]
mod common;

use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let name = args.next().unwrap_or_else(|| "full_walk".into());
    let Some(work) = common::workload(&name) else {
        eprintln!("unknown workload {name}");
        std::process::exit(2);
    };
    let path = args
        .next()
        .filter(|a| !a.is_empty() && a != "-")
        .map(std::path::PathBuf::from)
        .or_else(common::booksall_path);
    let Some(path) = path else {
        eprintln!("no input file");
        std::process::exit(2);
    };
    let repeat: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(1);
    let file = marcview::MappedFile::open(&path).expect("open the input");
    let bytes = file.bytes();
    let mut best = f64::INFINITY;
    let mut best_cpu = f64::INFINITY;
    let mut tally = common::Tally::default();
    for _ in 0..repeat {
        let (t, c) = (Instant::now(), thread_cpu());
        tally = std::hint::black_box(work(std::hint::black_box(bytes)));
        best = best.min(t.elapsed().as_secs_f64());
        best_cpu = best_cpu.min(thread_cpu() - c);
    }
    println!(
        "{name}: {tally:?}; best of {repeat}: {best:.6} s wall ({:.0} records/s, {:.1} MB/s), \
         {best_cpu:.6} s on this thread's CPU",
        tally.records as f64 / best,
        bytes.len() as f64 / best / 1e6
    );
}

/// Seconds this thread has run on a CPU (Linux; 0 elsewhere). On a shared,
/// busy machine this is steadier than wall time for one-thread work.
fn thread_cpu() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(0.0, |ns| ns / 1e9)
}
