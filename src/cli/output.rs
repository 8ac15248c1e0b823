//! [`Output`]: standard output or the `-o` file, buffered.

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};

use super::CliError;
use super::input::is_stdin;

/// Where the output goes.
pub struct Output {
    inner: BufWriter<Box<dyn Write + Send>>,
    name: String,
    terminal: bool,
}

impl Output {
    /// Creates (truncates) `path`, or uses standard output when `None`.
    /// Refuses to write over one of `inputs`, which may be memory-mapped.
    pub fn open(path: Option<&Path>, inputs: &[PathBuf]) -> Result<Output, CliError> {
        let Some(path) = path else {
            let stdout = io::stdout();
            let terminal = stdout.is_terminal();
            return Ok(Output {
                inner: BufWriter::with_capacity(256 * 1024, Box::new(stdout)),
                name: "<stdout>".to_owned(),
                terminal,
            });
        };
        let name = path.display().to_string();
        if let Some(same) = inputs.iter().find(|i| same_file(i, path)) {
            return Err(CliError::Usage(format!(
                "output {name} is also input {}",
                same.display()
            )));
        }
        let file = File::create(path).map_err(|source| CliError::Write {
            path: name.clone(),
            source,
        })?;
        Ok(Output {
            inner: BufWriter::with_capacity(256 * 1024, Box::new(file)),
            name,
            terminal: false,
        })
    }

    /// True when writing to a terminal.
    pub fn is_terminal(&self) -> bool {
        self.terminal
    }

    /// Wraps an I/O error of this output.
    pub fn error(&self, source: io::Error) -> CliError {
        CliError::Write {
            path: self.name.clone(),
            source,
        }
    }

    /// Flushes everything written.
    pub fn finish(mut self) -> Result<(), CliError> {
        self.inner.flush().map_err(|e| self.error(e))
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.inner.write_all(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// True when `a` and `b` name the same existing file.
fn same_file(a: &Path, b: &Path) -> bool {
    if is_stdin(a) {
        return false;
    }
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_to_overwrite_an_input() {
        let dir = std::env::temp_dir().join(format!("marcview-output-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("in.mrc");
        std::fs::write(&f, b"x").unwrap();
        let err = Output::open(Some(&f), &[PathBuf::from("-"), f.clone()])
            .err()
            .unwrap();
        assert!(matches!(err, CliError::Usage(_)), "{err}");
        assert_eq!(std::fs::read(&f).unwrap(), b"x");
        let other = dir.join("out.mrc");
        let mut out = Output::open(Some(&other), &[f]).unwrap();
        out.write_all(b"y").unwrap();
        out.finish().unwrap();
        assert_eq!(std::fs::read(&other).unwrap(), b"y");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
