//! The target ratios of BENCHMARKS.md from one run: every workload of
//! `benches/common` runs once per round, round after round (interleaved,
//! so that load from other processes hits all of them alike), and the best
//! time of each is kept, both wall-clock and on-CPU time of the thread
//! (which a shared, busy machine disturbs much less). Then the parallel
//! full walk on 1, 2, … threads against the sequential one (wall time).
//!
//! `cargo run --release --example ratios -- [FILE] [ROUNDS] [single|parallel]`
//! (FILE defaults to the BooksAll benchmark file, `-` for it; ROUNDS
//! defaults to 7; the last argument runs one half only).

#[path = "../benches/common/mod.rs"]
mod common;

use std::hint::black_box;
use std::time::Instant;

use common::{Tally, Work};

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .filter(|a| !a.is_empty() && a != "-")
        .map(std::path::PathBuf::from)
        .or_else(common::booksall_path);
    let Some(path) = path else {
        eprintln!("no input file");
        std::process::exit(2);
    };
    let rounds: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(7);
    let only = args.next().unwrap_or_default();
    let file = marcview::MappedFile::open(&path).expect("open the input");
    let bytes = file.bytes();
    println!(
        "{} ({} bytes), {rounds} rounds",
        path.display(),
        bytes.len()
    );
    if only != "parallel" {
        single(bytes, rounds);
    }
    if only != "single" {
        parallel(bytes, rounds);
    }
}

/// One-thread workloads of marcview and its peers, interleaved.
fn single(bytes: &[u8], rounds: usize) {
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a pool");
    let workloads: &[(&str, Work)] = &[
        ("marcview count", common::mv_count),
        ("marcview directory", common::mv_directory),
        ("marcview full walk", common::mv_full_walk),
        ("marcview 245a", common::mv_title),
        ("marcview to_owned", common::mv_to_owned),
        ("marcview write", common::mv_write),
        ("marc fields", common::marc_fields),
        ("marc full walk", common::marc_full_walk),
        ("marc 245a", common::marc_title),
        ("marc21 full walk", common::marc21_full_walk),
        ("marc21 245a", common::marc21_title),
        ("mrrc full walk", common::mrrc_full_walk),
        ("mrrc 245a", common::mrrc_title),
    ];
    let mut best = vec![(f64::INFINITY, f64::INFINITY, Tally::default()); workloads.len()];
    for _ in 0..rounds {
        for (i, (_, work)) in workloads.iter().enumerate() {
            // Run on the one-thread pool's thread (the count uses rayon) and
            // take that thread's CPU time.
            let t = Instant::now();
            let (tally, cpu) = one.install(|| {
                let c = thread_cpu();
                let tally = black_box(work(black_box(bytes)));
                (tally, thread_cpu() - c)
            });
            let wall = t.elapsed().as_secs_f64();
            best[i].0 = best[i].0.min(wall);
            best[i].1 = best[i].1.min(cpu);
            best[i].2 = tally;
        }
    }
    println!(
        "\n{:<20} {:>10} {:>10} {:>12} {:>9}",
        "workload", "wall ms", "cpu ms", "records/s", "MB/s"
    );
    for ((name, _), (wall, cpu, tally)) in workloads.iter().zip(&best) {
        let t = if *cpu > 0.0 { *cpu } else { *wall };
        println!(
            "{name:<20} {:>10.1} {:>10.1} {:>12.0} {:>9.0}",
            wall * 1e3,
            cpu * 1e3,
            tally.records as f64 / t,
            bytes.len() as f64 / t / 1e6
        );
    }
    let time = |name: &str, cpu: bool| {
        let i = workloads.iter().position(|(n, _)| *n == name).unwrap_or(0);
        if cpu && best[i].1 > 0.0 {
            best[i].1
        } else {
            best[i].0
        }
    };
    println!(
        "\nthe thread CPU clock moved in steps of up to {:.2} ms (1 ms slices of work)",
        cpu_clock_step() * 1e3
    );
    println!("\nratios (same run):             on-CPU     wall");
    for (what, ours, theirs, target) in [
        (
            "full walk vs marc",
            "marcview full walk",
            "marc full walk",
            3.0,
        ),
        (
            "full walk vs marc21",
            "marcview full walk",
            "marc21 full walk",
            0.0,
        ),
        (
            "full walk vs mrrc",
            "marcview full walk",
            "mrrc full walk",
            15.0,
        ),
        ("245a vs marc", "marcview 245a", "marc 245a", 0.0),
        ("245a vs marc21", "marcview 245a", "marc21 245a", 0.0),
        ("245a vs mrrc", "marcview 245a", "mrrc 245a", 0.0),
        (
            "directory vs marc fields",
            "marcview directory",
            "marc fields",
            2.0,
        ),
    ] {
        let r = time(theirs, true) / time(ours, true);
        let w = time(theirs, false) / time(ours, false);
        let goal = if target > 0.0 {
            format!("(target >= {target}x)")
        } else {
            String::new()
        };
        println!("  {what:<26} {r:>7.2}x {w:>7.2}x {goal}");
    }
}

/// The largest step by which [`thread_cpu`] moved while this thread
/// computed for 0.2 s in slices of 1 ms, reading it after each slice: about
/// 1 ms where CPU time is accounted finely, several milliseconds where the
/// kernel accounts it only at scheduler ticks. That step bounds the error of
/// each on-CPU time above (the wall times have no such steps).
fn cpu_clock_step() -> f64 {
    let mut last = thread_cpu();
    let mut step: f64 = 0.0;
    for _ in 0..200 {
        let t = Instant::now();
        let mut x = 0u64;
        while t.elapsed().as_secs_f64() < 1e-3 {
            for i in 0..1000u64 {
                x = black_box(x.wrapping_mul(31).wrapping_add(i));
            }
        }
        let now = thread_cpu();
        step = step.max(now - last);
        last = now;
    }
    step
}

/// The full walk, sharded and piped, on 1, 2, 4, … threads.
fn parallel(bytes: &[u8], rounds: usize) {
    let expected = common::mv_full_walk(bytes);
    let max = std::thread::available_parallelism().map_or(1, |n| n.get());
    let counts: Vec<usize> = std::iter::successors(Some(1usize), |n| Some(n * 2))
        .take_while(|&n| n < max)
        .chain([max])
        .collect();
    let pools: Vec<_> = counts
        .iter()
        .map(|&n| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .expect("a pool")
        })
        .collect();
    let mut seq = f64::INFINITY;
    let mut sharded = vec![f64::INFINITY; counts.len()];
    let mut piped = vec![f64::INFINITY; counts.len()];
    for _ in 0..rounds {
        let t = Instant::now();
        black_box(common::mv_full_walk(black_box(bytes)));
        seq = seq.min(t.elapsed().as_secs_f64());
        for (k, pool) in pools.iter().enumerate() {
            let t = Instant::now();
            let got = pool.install(|| common::mv_par_full_walk(black_box(bytes)));
            sharded[k] = sharded[k].min(t.elapsed().as_secs_f64());
            assert_eq!(got, expected, "sharded walk on {} threads", counts[k]);
            let t = Instant::now();
            let got = pool.install(|| common::mv_pipeline_full_walk(black_box(bytes)));
            piped[k] = piped[k].min(t.elapsed().as_secs_f64());
            assert_eq!(got, expected, "pipeline walk on {} threads", counts[k]);
        }
    }
    println!("\nparallel full walk (best wall time; identical tallies checked):");
    println!("  sequential reader      {:>8.1} ms", seq * 1e3);
    for (k, n) in counts.iter().enumerate() {
        println!(
            "  {n:>2} threads: sharded {:>8.1} ms ({:.2}x sequential, {:.2}x its 1 thread), pipeline {:>8.1} ms ({:.2}x)",
            sharded[k] * 1e3,
            seq / sharded[k],
            sharded[0] / sharded[k],
            piped[k] * 1e3,
            seq / piped[k]
        );
    }
}

/// Seconds this thread has run on a CPU (Linux; 0 elsewhere).
fn thread_cpu() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(0.0, |ns| ns / 1e9)
}
