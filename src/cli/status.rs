//! [`Status`]: what a run found, and the exit code it maps to.

use std::process::ExitCode;

use super::CliError;

/// Outcome of a run, accumulated over its inputs.
#[derive(Debug, Default)]
pub struct Status {
    /// Some input had warnings or unreadable records.
    problems: bool,
    /// A usage or I/O error happened.
    failed: bool,
}

impl Status {
    /// Notes that the input had problems.
    pub fn problems_found(&mut self) {
        self.problems = true;
    }

    /// Reports `err` on standard error and notes the failure. A broken
    /// pipe (the reader of the output went away, as in
    /// `marcview print f | head`) is no failure and goes unreported.
    pub fn fail(&mut self, err: &CliError) {
        if !err.is_broken_pipe() {
            eprintln!("marcview: {err}");
            self.failed = true;
        }
    }

    /// 2 after a usage or I/O error, else 1 after problems, else 0.
    pub fn exit_code(&self) -> ExitCode {
        if self.failed {
            ExitCode::from(2)
        } else if self.problems {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        }
    }
}
