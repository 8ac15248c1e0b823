//! `marcview validate`: every structural problem, one line each, then a
//! summary.
//!
//! Strict reading stops at a record's first fault, so validation reads
//! leniently and lists every warning (each repair is a problem) and every
//! unreadable record. `--strict` makes no difference here.

use std::io::Write;

use marcview::{Fault, Location, Warning};

use super::CliError;
use super::Status;
use super::args::{Common, Inputs};
use super::input::display_name;
use super::output::Output;
use super::problems::{Report, Severity, plural, write_line, write_text_line};
use super::scan::{ScanOptions, Summary, fold_path};
use super::text_input::TextProblem;

/// Writes each problem to the output as it is found.
struct ListReport {
    out: Output,
}

impl Report for ListReport {
    fn warning(&mut self, input: &str, w: &Warning) -> Result<(), CliError> {
        write_line(
            &mut self.out,
            input,
            Severity::Warning,
            &w.location,
            &w.fault,
        )
        .map_err(|e| self.out.error(e))
    }

    fn bad_record(
        &mut self,
        input: &str,
        location: &Location,
        fault: &Fault,
    ) -> Result<(), CliError> {
        write_line(&mut self.out, input, Severity::Error, location, fault)
            .map_err(|e| self.out.error(e))
    }

    fn text_problem(&mut self, input: &str, problem: &TextProblem) -> Result<(), CliError> {
        write_text_line(&mut self.out, input, problem).map_err(|e| self.out.error(e))
    }

    fn unlisted(&mut self, input: &str, n: u64) -> Result<(), CliError> {
        writeln!(
            self.out,
            "{input}: {n} more warning{} not listed (too many in one record)",
            plural(n)
        )
        .map_err(|e| self.out.error(e))
    }
}

/// The summary line for `name`.
fn summary_line(name: &str, s: &Summary) -> String {
    let mut line = format!("{name}: {} record{} read", s.records, plural(s.records));
    if s.has_problems() {
        line.push_str(&format!(
            ", {} unreadable, {} warning{}",
            s.bad_records,
            s.warnings,
            plural(s.warnings)
        ));
    } else {
        line.push_str(", no problems");
    }
    line
}

/// Runs `validate`.
pub fn run(common: &Common, args: &Inputs) -> Status {
    let mut status = Status::default();
    let out = match Output::open(common.output.as_deref(), &args.files) {
        Ok(out) => out,
        Err(e) => {
            status.fail(&e);
            return status;
        }
    };
    let opts = ScanOptions::new(false, out.is_terminal()).with_format(common.from);
    let mut report = ListReport { out };
    let mut total = Summary::default();
    for path in &args.files {
        let threads = common.thread_count();
        let scanned = fold_path(
            path,
            opts,
            threads,
            || (),
            |(), _| (),
            |(), ()| (),
            &mut report,
        );
        let result = scanned.and_then(|((), s)| {
            total.records += s.records;
            total.bad_records += s.bad_records;
            total.warnings += s.warnings;
            if s.has_problems() {
                status.problems_found();
            }
            writeln!(report.out, "{}", summary_line(&display_name(path), &s))
                .map_err(|e| report.out.error(e))
        });
        if let Err(e) = result {
            status.fail(&e);
            if e.is_fatal() {
                return status;
            }
        }
    }
    let mut out = report.out;
    let mut result = Ok(());
    if args.files.len() > 1 {
        result = writeln!(out, "{}", summary_line("total", &total)).map_err(|e| out.error(e));
    }
    if let Err(e) = result.and_then(|()| out.finish()) {
        status.fail(&e);
    }
    status
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_lines() {
        let clean = Summary {
            records: 1,
            ..Summary::default()
        };
        assert_eq!(summary_line("a", &clean), "a: 1 record read, no problems");
        let bad = Summary {
            records: 5,
            bad_records: 1,
            warnings: 2,
        };
        assert_eq!(
            summary_line("b", &bad),
            "b: 5 records read, 1 unreadable, 2 warnings"
        );
    }
}
