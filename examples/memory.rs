//! Memory figures for BENCHMARKS.md, measured with a counting global
//! allocator:
//!
//! * heap bytes held by 10,000 owned records against their ISO 2709 size
//!   (`Record::heap_bytes()` and what the allocator saw);
//! * allocations per record on the view path (directory pass, full walk,
//!   245 $a), which must be zero (only records whose directory lenient
//!   mode repairs allocate, once);
//! * the distribution of field counts (which sizes `RECORD_INLINE_FIELDS`).
//!
//! `cargo run --release --example memory -- [FILE]` (FILE defaults to the
//! BooksAll benchmark file, found as the benches find it).

#[path = "../benches/common/mod.rs"]
mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use marcview::{RECORD_INLINE_FIELDS, Reader, Record};

/// Counts allocations and live bytes, delegating the work to `System`.
struct Counting;

static ALLOCS: AtomicU64 = AtomicU64::new(0);
static ALLOCATED: AtomicU64 = AtomicU64::new(0);
static FREED: AtomicU64 = AtomicU64::new(0);

// SAFETY: every method forwards to `System` with the caller's arguments
// unchanged, so `System`'s guarantees hold; the counters are plain atomics.
// A global allocator cannot be written without `unsafe`; this one lives in
// a measuring example, not in the library.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Relaxed);
        ALLOCATED.fetch_add(layout.size() as u64, Relaxed);
        // SAFETY: forwarded as is (see above).
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        FREED.fetch_add(layout.size() as u64, Relaxed);
        // SAFETY: forwarded as is (see above).
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCS.fetch_add(1, Relaxed);
        ALLOCATED.fetch_add(new_size as u64, Relaxed);
        FREED.fetch_add(layout.size() as u64, Relaxed);
        // SAFETY: forwarded as is (see above).
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn live() -> u64 {
    ALLOCATED.load(Relaxed) - FREED.load(Relaxed)
}

fn allocs() -> u64 {
    ALLOCS.load(Relaxed)
}

fn main() {
    let path = std::env::args()
        .nth(1)
        .map(std::path::PathBuf::from)
        .or_else(common::booksall_path);
    let Some(path) = path else {
        eprintln!("no input file");
        std::process::exit(2);
    };
    let file = marcview::MappedFile::open(&path).expect("open the input");
    let bytes = file.bytes();
    println!("input: {} ({} bytes)", path.display(), bytes.len());

    owned_records(bytes, 10_000);
    view_path(bytes);
    field_counts(bytes);
}

/// Heap held by `n` owned records against their ISO 2709 bytes.
fn owned_records(bytes: &[u8], n: usize) {
    let mut slots: Vec<Record> = Vec::with_capacity(n);
    let (before, allocs_before) = (live(), allocs());
    let mut iso = 0usize;
    for view in Reader::new(bytes).flatten().take(n) {
        iso += view.raw().len();
        slots.push(view.to_owned());
    }
    let heap_seen = live() - before;
    let allocs_seen = allocs() - allocs_before;
    let heap_bytes: usize = slots.iter().map(Record::heap_bytes).sum();
    let inline = slots.len() * std::mem::size_of::<Record>();
    println!("\n{} owned records, {iso} bytes as ISO 2709:", slots.len());
    println!(
        "  Record::heap_bytes(): {heap_bytes} bytes = {:.3} x ISO",
        heap_bytes as f64 / iso as f64
    );
    println!(
        "  counting allocator:   {heap_seen} bytes in {allocs_seen} allocations ({:.2} per record) = {:.3} x ISO",
        allocs_seen as f64 / slots.len() as f64,
        heap_seen as f64 / iso as f64
    );
    println!(
        "  plus the Record values themselves ({} bytes each, {} fields inline): {inline} bytes; total {:.3} x ISO",
        std::mem::size_of::<Record>(),
        RECORD_INLINE_FIELDS,
        (heap_seen as usize + inline) as f64 / iso as f64
    );
}

/// Allocations on the view path, per workload.
fn view_path(bytes: &[u8]) {
    let records = Reader::new(bytes).count() as u64;
    let most = Reader::new(bytes).flatten().map(|v| v.len()).max();
    println!(
        "\nview path over {records} records (up to {} fields):",
        most.unwrap_or(0)
    );
    let workloads: [(&str, common::Work); 3] = [
        ("directory pass", common::mv_directory),
        ("full walk", common::mv_full_walk),
        ("245 $a", common::mv_title),
    ];
    for (name, work) in workloads {
        let a = allocs();
        let t = std::hint::black_box(work(bytes));
        let n = allocs() - a;
        println!(
            "  {name:<15} {n} allocations = {:.6} per record ({} records)",
            n as f64 / records as f64,
            t.records
        );
    }
}

/// How many fields records have.
fn field_counts(bytes: &[u8]) {
    let mut counts: Vec<usize> = Reader::new(bytes).flatten().map(|v| v.len()).collect();
    counts.sort_unstable();
    if counts.is_empty() {
        return;
    }
    let at = |q: f64| counts[((counts.len() - 1) as f64 * q) as usize];
    println!(
        "\nfields per record: median {}, p99 {}, p99.9 {}, p99.95 {}, max {}",
        at(0.5),
        at(0.99),
        at(0.999),
        at(0.9995),
        counts[counts.len() - 1]
    );
    for limit in [24, 32, 40, 48, 64] {
        let over = counts.iter().filter(|&&c| c > limit).count();
        println!(
            "  more than {limit:>2} fields: {over:>6} records ({:.4}%)",
            100.0 * over as f64 / counts.len() as f64
        );
    }
}
