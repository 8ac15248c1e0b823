//! [`MappedFile`]: a file mapped into memory, read without copying.
//!
//! One of the two places with `unsafe` code (the other calls the AVX2
//! directory check, in `clean_directory`): memmap2 requires it to map a file.

use std::fs::File;
use std::path::Path;

use memmap2::Mmap;

use crate::{ReadOptions, Reader};

/// A read-only memory map of a whole file.
///
/// Mapping is how marcview reads files fastest: records are views straight
/// into the page cache. As with every memory-mapped reader, the bytes must
/// not change while the map is alive: another process truncating or
/// rewriting the file at that moment makes the contents (and, on truncation,
/// the process) undefined. Read files that are being written through
/// [`StreamReader`](crate::StreamReader) instead.
///
/// ```no_run
/// use marcview::MappedFile;
/// # fn main() -> Result<(), marcview::Error> {
/// let file = MappedFile::open("records.mrc")?;
/// let mut fields = 0;
/// for rec in file.records() {
///     fields += rec?.len();
/// }
/// println!("{fields} fields");
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct MappedFile {
    /// `None` for an empty file, which cannot be mapped.
    map: Option<Mmap>,
}

impl MappedFile {
    /// Maps the file at `path`.
    pub fn open(path: impl AsRef<Path>) -> Result<MappedFile, crate::Error> {
        let file = File::open(path)?;
        MappedFile::from_file(&file)
    }

    /// Maps an open file.
    pub fn from_file(file: &File) -> Result<MappedFile, crate::Error> {
        if file.metadata()?.len() == 0 {
            return Ok(MappedFile { map: None });
        }
        // SAFETY: memmap2 requires that the file is not modified or truncated
        // while mapped. We map read-only and never write through the map; the
        // remaining hazard, another process changing the file, is documented
        // on this type as the caller's responsibility, as for every reader of
        // mapped files.
        #[allow(unsafe_code)]
        let map = unsafe { Mmap::map(file)? };
        #[cfg(unix)]
        {
            // Records are read front to back: ask for aggressive read-ahead.
            // Advice is only a hint, so a failure is of no consequence.
            let _ = map.advise(memmap2::Advice::Sequential);
        }
        Ok(MappedFile { map: Some(map) })
    }

    /// The file's bytes.
    pub fn bytes(&self) -> &[u8] {
        self.map.as_deref().unwrap_or(&[])
    }

    /// A lenient reader over the file's records.
    pub fn records(&self) -> Reader<'_> {
        Reader::new(self.bytes())
    }

    /// A reader with explicit options.
    pub fn records_with(&self, opts: ReadOptions) -> Reader<'_> {
        Reader::with_options(self.bytes(), opts)
    }
}
