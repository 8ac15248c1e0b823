//! Opening inputs: regular files are memory-mapped; standard input, pipes
//! and gzip-compressed data (recognized by the magic bytes 1f 8b) are read
//! as streams.

use std::fs::File;
use std::io::{self, BufReader, Cursor, Read};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use flate2::read::MultiGzDecoder;
use marcview::MappedFile;

use super::CliError;

/// The first two bytes of every gzip member.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// How an input's bytes are read.
pub enum Source {
    /// A regular, uncompressed file, mapped into memory.
    Mapped(MappedFile),
    /// Anything else, read through a `StreamReader`.
    Stream(Box<dyn Read + Send>),
}

/// An opened input.
pub struct Input {
    /// The name for messages: the path as given, or `<stdin>`.
    pub name: String,
    /// The bytes.
    pub source: Source,
    /// Size of the underlying file in bytes, when known.
    pub size: Option<u64>,
    /// Bytes taken from the underlying file or stdin so far (before any
    /// decompression), for progress reporting of streams.
    pub consumed: Arc<AtomicU64>,
}

/// Counts the bytes read through it into a shared cell.
struct Counting<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// The name used for standard input in messages.
pub const STDIN_NAME: &str = "<stdin>";

/// True when `path` names standard input (`-`).
pub fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// The name of `path` for messages.
pub fn display_name(path: &Path) -> String {
    if is_stdin(path) {
        STDIN_NAME.to_owned()
    } else {
        path.display().to_string()
    }
}

/// Opens `path` (`-`: standard input).
pub fn open(path: &Path) -> Result<Input, CliError> {
    let name = display_name(path);
    let open_err = |source: io::Error| CliError::Open {
        path: name.clone(),
        source,
    };
    let consumed = Arc::new(AtomicU64::new(0));
    if is_stdin(path) {
        let source = stream(Box::new(io::stdin()), &consumed).map_err(open_err)?;
        return Ok(Input {
            name,
            source,
            size: None,
            consumed,
        });
    }
    let file = File::open(path).map_err(open_err)?;
    let meta = file.metadata().map_err(open_err)?;
    if meta.is_dir() {
        return Err(open_err(io::Error::other("is a directory")));
    }
    if meta.is_file() {
        let mut head = [0u8; 2];
        let n = read_head(&mut &file, &mut head).map_err(open_err)?;
        if head[..n] != GZIP_MAGIC {
            let map = MappedFile::from_file(&file).map_err(|e| match e {
                marcview::Error::Io(source) => open_err(source),
                other => open_err(io::Error::other(other.to_string())),
            })?;
            return Ok(Input {
                name,
                source: Source::Mapped(map),
                size: Some(meta.len()),
                consumed,
            });
        }
        // Gzip: read from the start again (the file's own cursor moved).
        let file = File::open(path).map_err(open_err)?;
        let source = stream(Box::new(file), &consumed).map_err(open_err)?;
        return Ok(Input {
            name,
            source,
            size: Some(meta.len()),
            consumed,
        });
    }
    // A pipe, a device or the like: cannot be mapped.
    let source = stream(Box::new(file), &consumed).map_err(open_err)?;
    Ok(Input {
        name,
        source,
        size: None,
        consumed,
    })
}

/// Reads up to `buf.len()` bytes, fewer only at the end of the input.
fn read_head(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// A stream over `raw`, decompressed when it starts like gzip. The bytes
/// peeked to decide are put back in front.
fn stream(raw: Box<dyn Read + Send>, consumed: &Arc<AtomicU64>) -> io::Result<Source> {
    let mut raw = Counting {
        inner: raw,
        count: Arc::clone(consumed),
    };
    let mut head = [0u8; 2];
    let n = read_head(&mut raw, &mut head)?;
    let gzip = head[..n] == GZIP_MAGIC;
    let whole = Cursor::new(head).take(n as u64).chain(raw);
    Ok(Source::Stream(if gzip {
        Box::new(MultiGzDecoder::new(BufReader::new(whole)))
    } else {
        Box::new(whole)
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn read_all(source: Source) -> Vec<u8> {
        match source {
            Source::Stream(mut r) => {
                let mut v = Vec::new();
                r.read_to_end(&mut v).unwrap();
                v
            }
            Source::Mapped(m) => m.bytes().to_vec(),
        }
    }

    #[test]
    fn plain_stream_keeps_its_first_bytes() {
        let c = Arc::new(AtomicU64::new(0));
        let s = stream(Box::new(&b"hello"[..]), &c).unwrap();
        assert_eq!(read_all(s), b"hello");
        assert_eq!(c.load(Ordering::Relaxed), 5);
        let s = stream(Box::new(&b"h"[..]), &c).unwrap();
        assert_eq!(read_all(s), b"h");
        let s = stream(Box::new(&b""[..]), &c).unwrap();
        assert_eq!(read_all(s), b"");
    }

    #[test]
    fn gzip_stream_is_decompressed() {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(b"records").unwrap();
        let gz = enc.finish().unwrap();
        let c = Arc::new(AtomicU64::new(0));
        let s = stream(Box::new(std::io::Cursor::new(gz.clone())), &c).unwrap();
        assert_eq!(read_all(s), b"records");
        assert_eq!(c.load(Ordering::Relaxed), gz.len() as u64);
    }

    #[test]
    fn missing_file_is_an_open_error() {
        let err = open(Path::new("/nonexistent/marcview/x.mrc"))
            .err()
            .unwrap();
        assert!(matches!(err, CliError::Open { .. }), "{err}");
    }
}
