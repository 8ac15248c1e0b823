//! The full walk in parallel at 1, 2, 4, … and all threads (a rayon pool of
//! each size), next to the sequential reader, on the same bytes: the
//! sharded scanner over the mapped file, and the stream pipeline reading
//! the same bytes as a stream. The tallies of every run are checked
//! against the sequential one before timing.
//!
//! `cargo bench --bench parallel [-- FILTER]`;
//! `MARC_BENCH_THROUGHPUT=bytes` for bytes per second;
//! `MARC_BENCH_INPUTS=booksall|synthetic` picks one input.

mod common;

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

use common::Input;

fn throughput(input: &Input) -> Throughput {
    if std::env::var("MARC_BENCH_THROUGHPUT").is_ok_and(|v| v == "bytes") {
        Throughput::Bytes(input.bytes().len() as u64)
    } else {
        Throughput::Elements(input.records)
    }
}

/// 1, 2, 4, … up to the available cores, and the core count itself.
fn thread_counts() -> Vec<usize> {
    let max = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut v: Vec<usize> = std::iter::successors(Some(1usize), |n| Some(n * 2))
        .take_while(|&n| n < max)
        .collect();
    v.push(max);
    v
}

fn parallel(c: &mut Criterion) {
    for input in common::inputs() {
        let bytes = input.bytes();
        let expected = common::mv_full_walk(bytes);
        let mut g = c.benchmark_group(format!("parallel/{}/full_walk", input.name));
        g.throughput(throughput(&input));
        g.bench_function("sequential", |b| {
            b.iter(|| common::mv_full_walk(black_box(bytes)))
        });
        for threads in thread_counts() {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("a thread pool");
            let got = pool.install(|| common::mv_par_full_walk(bytes));
            assert_eq!(got, expected, "parallel walk on {threads} threads");
            let got = pool.install(|| common::mv_pipeline_full_walk(bytes));
            assert_eq!(got, expected, "pipeline walk on {threads} threads");
            g.bench_function(format!("sharded/{threads}"), |b| {
                b.iter(|| pool.install(|| common::mv_par_full_walk(black_box(bytes))))
            });
            g.bench_function(format!("pipeline/{threads}"), |b| {
                b.iter(|| pool.install(|| common::mv_pipeline_full_walk(black_box(bytes))))
            });
        }
        g.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    targets = parallel
}
criterion_main!(benches);
