//! marcview against `marc` 3.1.1, `marc21` 0.7.0 and `mrrc` 0.9.2 in the
//! same run, on the same bytes, doing the same work (see
//! `benches/common/mod.rs`): the full walk counting every field and
//! subfield, the 245 $a of each record, and marc's fields-only pass
//! against marcview's directory pass. One thread.
//!
//! `cargo bench --bench peers [-- FILTER]` (for example `-- full_walk`);
//! `MARC_BENCH_THROUGHPUT=bytes` for bytes per second;
//! `MARC_BENCH_INPUTS=booksall|synthetic` picks one input.
//! Before timing, the libraries' tallies are printed: they must agree.

mod common;

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};

use common::{Input, Work};

fn throughput(input: &Input) -> Throughput {
    if std::env::var("MARC_BENCH_THROUGHPUT").is_ok_and(|v| v == "bytes") {
        Throughput::Bytes(input.bytes().len() as u64)
    } else {
        Throughput::Elements(input.records)
    }
}

fn peers(c: &mut Criterion) {
    let tasks: [(&str, &[(&str, Work)]); 3] = [
        (
            "full_walk",
            &[
                ("marcview", common::mv_full_walk),
                ("marc", common::marc_full_walk),
                ("marc21", common::marc21_full_walk),
                ("mrrc", common::mrrc_full_walk),
            ],
        ),
        (
            "245a",
            &[
                ("marcview", common::mv_title),
                ("marc", common::marc_title),
                ("marc21", common::marc21_title),
                ("mrrc", common::mrrc_title),
            ],
        ),
        (
            "fields_only",
            &[
                ("marcview_directory", common::mv_directory),
                ("marc_fields", common::marc_fields),
            ],
        ),
    ];
    for input in common::inputs() {
        let bytes = input.bytes();
        for (task, libs) in tasks {
            let tallies: Vec<_> = libs.iter().map(|(n, w)| (*n, w(bytes))).collect();
            println!("{}/{task}: {tallies:?}", input.name);
            let mut g = c.benchmark_group(format!("peers/{}/{task}", input.name));
            g.throughput(throughput(&input));
            // mrrc takes seconds per pass on BooksAll: one pass per sample.
            g.sampling_mode(SamplingMode::Flat);
            for (name, work) in libs {
                g.bench_function(*name, |b| b.iter(|| work(black_box(bytes))));
            }
            g.finish();
        }
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    targets = peers
}
criterion_main!(benches);
