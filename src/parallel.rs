//! Reading in parallel: a sharded scanner over a slice or mapped file
//! ([`ParallelReader`]) and a producer-consumer pipeline for streams
//! ([`StreamPipeline`]).
//!
//! Both give exactly what the sequential readers give: the same records
//! with the same record numbers and offsets, and the same warnings in the
//! same order (see [`Summary`]). Work is handed to rayon in batches of whole
//! records, and the calling thread's rayon pool is used (run inside
//! `ThreadPool::install` to choose the number of threads).
//!
//! ```
//! use marcview::parallel::ParallelReader;
//! use marcview::{Field, Record, Tag};
//! # fn main() -> Result<(), marcview::Error> {
//! let mut rec = Record::new();
//! rec.push_field(Field::new(Tag::new(650), *b" 0").with_subfield(b'a', "Cats")?)?;
//! let bytes = rec.to_iso2709()?.repeat(1000);
//!
//! let (subfields, summary) = ParallelReader::new(&bytes).fold_records(
//!     || 0usize,
//!     |n, r| n + r.map_or(0, |v| v.fields().map(|f| f.subfields().count()).sum()),
//!     |a, b| a + b,
//! );
//! assert_eq!(subfields, 1000);
//! assert_eq!(summary.records(), 1000);
//! # Ok(()) }
//! ```

mod cut;
mod ordered;
mod ordered_units;
mod overlap;
mod pipeline;
mod plan;
mod slice_reader;
mod stitcher;
mod summary;
mod unit;

pub use pipeline::StreamPipeline;
pub use slice_reader::ParallelReader;
pub use summary::Summary;
