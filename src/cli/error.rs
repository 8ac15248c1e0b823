//! [`CliError`]: what stops the binary from doing its work (as opposed to
//! problems in the records, which are reported and counted).

use std::io;

/// A usage or I/O error; the exit status is 2.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CliError {
    /// An input could not be opened.
    #[error("{path}: cannot open: {source}")]
    Open {
        /// The input as named on the command line.
        path: String,
        /// Why.
        source: io::Error,
    },
    /// Reading an input failed part way (e.g. a corrupt gzip stream).
    #[error("{path}: read error: {source}")]
    Read {
        /// The input.
        path: String,
        /// Why.
        source: io::Error,
    },
    /// Writing the output failed.
    #[error("{path}: write error: {source}")]
    Write {
        /// The output.
        path: String,
        /// Why.
        source: io::Error,
    },
    /// The arguments make no sense together.
    #[error("{0}")]
    Usage(String),
}

impl CliError {
    /// True when the output's reader went away (`marcview print f | head`):
    /// not worth a message.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, CliError::Write { source, .. } if source.kind() == io::ErrorKind::BrokenPipe)
    }

    /// True when nothing more can be done: the output failed. (A bad input
    /// only stops that input.)
    pub fn is_fatal(&self) -> bool {
        matches!(self, CliError::Write { .. } | CliError::Usage(_))
    }
}
