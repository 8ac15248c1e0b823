//! [`Progress`]: a progress bar on standard error for large inputs, hidden
//! unless standard error is a terminal.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Inputs at least this large get a progress bar.
const MIN_SIZE: u64 = 64 * 1024 * 1024;

/// A progress bar over an input's bytes (hidden when not useful).
pub struct Progress {
    bar: ProgressBar,
}

impl Progress {
    /// A bar for an input of `size` bytes: shown only when standard error
    /// is a terminal, the size is known and at least 64 MiB, and `quiet`
    /// is false (the command writes to the same terminal).
    pub fn new(size: Option<u64>, quiet: bool) -> Progress {
        let bar = match size {
            Some(len) if len >= MIN_SIZE && !quiet && std::io::stderr().is_terminal() => {
                let style = ProgressStyle::with_template(
                    "{bar:40} {bytes}/{total_bytes} ({bytes_per_sec}, {eta} left)",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar());
                ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr())
                    .with_style(style)
            }
            _ => ProgressBar::hidden(),
        };
        Progress { bar }
    }

    /// True when nothing is drawn.
    pub fn is_hidden(&self) -> bool {
        self.bar.is_hidden()
    }

    /// Moves the bar to byte `pos`.
    pub fn set(&self, pos: u64) {
        self.bar.set_position(pos);
    }

    /// Runs `f` (which writes to standard error) with the bar cleared.
    pub fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        if self.bar.is_hidden() {
            f()
        } else {
            self.bar.suspend(f)
        }
    }

    /// Removes the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_or_unknown_inputs_get_no_bar() {
        assert!(Progress::new(None, false).is_hidden());
        assert!(Progress::new(Some(1000), false).is_hidden());
        assert!(Progress::new(Some(MIN_SIZE * 2), true).is_hidden());
        assert_eq!(Progress::new(None, false).suspend(|| 7), 7);
    }
}
