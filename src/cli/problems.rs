//! Problem lines (`file: warning: record 3 at byte 1234 (001 "x"): …`) and
//! [`Report`], where a scan sends them; [`StderrReport`] shows a capped
//! number on standard error and counts all.

use std::io::{self, Write};

use marcview::{Fault, Location, Warning};

use super::CliError;
use super::text_input::TextProblem;

/// How bad a problem is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    /// Repaired or stepped over; the record was read.
    Warning,
    /// The record could not be read and was skipped.
    Error,
}

/// Writes one problem line (with newline):
/// `{input}: warning: record N at byte B (001 "x"): {fault}`, and
/// ` (record skipped)` after an error.
pub fn write_line(
    out: &mut impl Write,
    input: &str,
    severity: Severity,
    location: &Location,
    fault: &Fault,
) -> io::Result<()> {
    match severity {
        Severity::Warning => writeln!(out, "{input}: warning: {location}: {fault}"),
        Severity::Error => writeln!(out, "{input}: error: {location}: {fault} (record skipped)"),
    }
}

/// Receives the problems a scan finds.
pub trait Report {
    /// A warning: something repaired or stepped over.
    fn warning(&mut self, input: &str, warning: &Warning) -> Result<(), CliError>;
    /// A record that could not be read.
    fn bad_record(
        &mut self,
        input: &str,
        location: &Location,
        fault: &Fault,
    ) -> Result<(), CliError>;
    /// `n` warnings that were counted but not kept by the reader.
    fn unlisted(&mut self, input: &str, n: u64) -> Result<(), CliError>;
    /// A problem of a text-format input (MARCXML, JSON, mnemonic), whose
    /// reader located it itself.
    fn text_problem(&mut self, input: &str, problem: &TextProblem) -> Result<(), CliError>;
    /// The most warnings it shows (the others it only counts): a parallel
    /// scan keeps no more than this many for each batch of records.
    fn shown_at_most(&self) -> usize {
        usize::MAX
    }
}

/// Writes the line of a text-format problem.
pub fn write_text_line(out: &mut impl Write, input: &str, problem: &TextProblem) -> io::Result<()> {
    match problem {
        TextProblem::Warning(m) => writeln!(out, "{input}: warning: {m}"),
        TextProblem::Error(m) => writeln!(out, "{input}: error: {m} (record skipped)"),
    }
}

/// Shows the first problems on standard error and counts them all.
pub struct StderrReport {
    max_shown: u64,
    shown: u64,
    warnings: u64,
    errors: u64,
    /// Standard error, except in tests.
    sink: Box<dyn Write + Send>,
}

impl StderrReport {
    /// Shows at most `max_shown` lines.
    pub fn new(max_shown: u64) -> StderrReport {
        StderrReport::with_sink(max_shown, Box::new(io::stderr()))
    }

    /// Shows at most `max_shown` lines on `sink`.
    fn with_sink(max_shown: u64, sink: Box<dyn Write + Send>) -> StderrReport {
        StderrReport {
            max_shown,
            shown: 0,
            warnings: 0,
            errors: 0,
            sink,
        }
    }

    /// True when any problem was reported.
    pub fn any(&self) -> bool {
        self.warnings + self.errors > 0
    }

    /// Writes the closing count line when there were problems.
    pub fn finish(&mut self) {
        if !self.any() {
            return;
        }
        let total = self.warnings + self.errors;
        let mut line = format!(
            "marcview: {} warning{}, {} unreadable record{}",
            self.warnings,
            plural(self.warnings),
            self.errors,
            plural(self.errors)
        );
        if self.shown < total {
            line.push_str(&format!(
                " ({} shown; `marcview validate` lists all)",
                self.shown
            ));
        }
        let _ = writeln!(self.sink, "{line}");
    }

    fn show(&mut self, input: &str, severity: Severity, location: &Location, fault: &Fault) {
        if self.shown < self.max_shown {
            self.shown += 1;
            // Standard error failing is nothing to stop for.
            let _ = write_line(&mut self.sink, input, severity, location, fault);
        }
    }
}

impl Report for StderrReport {
    fn warning(&mut self, input: &str, w: &Warning) -> Result<(), CliError> {
        self.warnings += 1;
        self.show(input, Severity::Warning, &w.location, &w.fault);
        Ok(())
    }

    fn bad_record(
        &mut self,
        input: &str,
        location: &Location,
        fault: &Fault,
    ) -> Result<(), CliError> {
        self.errors += 1;
        self.show(input, Severity::Error, location, fault);
        Ok(())
    }

    fn unlisted(&mut self, _input: &str, n: u64) -> Result<(), CliError> {
        self.warnings += n;
        Ok(())
    }

    fn shown_at_most(&self) -> usize {
        usize::try_from(self.max_shown).unwrap_or(usize::MAX)
    }

    fn text_problem(&mut self, input: &str, problem: &TextProblem) -> Result<(), CliError> {
        match problem {
            TextProblem::Warning(_) => self.warnings += 1,
            TextProblem::Error(_) => self.errors += 1,
        }
        if self.shown < self.max_shown {
            self.shown += 1;
            let _ = write_text_line(&mut self.sink, input, problem);
        }
        Ok(())
    }
}

/// `"s"` unless `n` is 1.
pub fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loc() -> Location {
        Location {
            record: 3,
            record_offset: 1000,
            offset: 1234,
            control_number: Some("ocm\"1".to_owned()),
        }
    }

    #[test]
    fn lines_name_record_offset_and_001() {
        let mut out = Vec::new();
        let fault = Fault::DirectoryNotTerminated;
        write_line(&mut out, "a.mrc", Severity::Warning, &loc(), &fault).unwrap();
        write_line(&mut out, "a.mrc", Severity::Error, &loc(), &fault).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines,
            [
                "a.mrc: warning: record 3 at byte 1234 (001 \"ocm\\\"1\"): directory is not terminated by 0x1E",
                "a.mrc: error: record 3 at byte 1234 (001 \"ocm\\\"1\"): directory is not terminated by 0x1E (record skipped)",
            ]
        );
    }

    #[test]
    fn stderr_report_counts_beyond_the_cap() {
        let mut r = StderrReport::with_sink(1, Box::new(io::sink()));
        let w = Warning {
            location: loc(),
            fault: Fault::NoRecordTerminator,
        };
        r.warning("a", &w).unwrap();
        r.warning("a", &w).unwrap();
        r.bad_record("a", &loc(), &Fault::NoRecordTerminator)
            .unwrap();
        r.unlisted("a", 4).unwrap();
        assert_eq!((r.shown, r.warnings, r.errors), (1, 6, 1));
        assert!(r.any());
        assert!(!StderrReport::new(5).any());
        assert_eq!(r.max_shown, 1);
    }
}
