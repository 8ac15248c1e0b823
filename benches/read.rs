//! marcview's single-thread read paths on BooksAll and on ~20 MB of
//! generated records: 1. count (boundary walk only), 2. iterate + decode
//! the directory, 3. full walk (every field and subfield), 4. 245 $a,
//! 5. `to_owned`, 6. write ISO 2709.
//!
//! `cargo bench --bench read [-- FILTER]`; throughput is in records per
//! second, or in bytes with `MARC_BENCH_THROUGHPUT=bytes`;
//! `MARC_BENCH_INPUTS=booksall|synthetic` picks one input.

mod common;

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

use common::Input;

/// Records per second, or bytes per second with `MARC_BENCH_THROUGHPUT=bytes`.
pub fn throughput(input: &Input) -> Throughput {
    if std::env::var("MARC_BENCH_THROUGHPUT").is_ok_and(|v| v == "bytes") {
        Throughput::Bytes(input.bytes().len() as u64)
    } else {
        Throughput::Elements(input.records)
    }
}

fn read(c: &mut Criterion) {
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a one-thread pool");
    let workloads: [(&str, common::Work); 6] = [
        ("1_count", common::mv_count),
        ("2_directory", common::mv_directory),
        ("3_full_walk", common::mv_full_walk),
        ("4_245a", common::mv_title),
        ("5_to_owned", common::mv_to_owned),
        ("6_write_iso2709", common::mv_write),
    ];
    for input in common::inputs() {
        let mut g = c.benchmark_group(format!("read/{}", input.name));
        g.throughput(throughput(&input));
        for (name, work) in workloads {
            let bytes = input.bytes();
            // The count runs on a one-thread rayon pool: one thread, as
            // every other workload here.
            g.bench_function(name, |b| b.iter(|| one.install(|| work(black_box(bytes)))));
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
    targets = read
}
criterion_main!(benches);
