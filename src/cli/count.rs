//! `marcview count`: records per input, and the total alone on the last
//! line (so that `tail -1` gives it).

use std::io::Write;

use super::Status;
use super::args::{Common, Inputs};
use super::input::display_name;
use super::output::Output;
use super::problems::StderrReport;
use super::scan::{ScanOptions, fold_path};

/// Runs `count`. With several inputs, writes `N<TAB>name` per input before
/// the total. Unreadable records are not counted (they are reported).
pub fn run(common: &Common, args: &Inputs) -> Status {
    let mut status = Status::default();
    let mut out = match Output::open(common.output.as_deref(), &args.files) {
        Ok(out) => out,
        Err(e) => {
            status.fail(&e);
            return status;
        }
    };
    let opts = ScanOptions::new(common.strict, false).with_format(common.from);
    let mut report = StderrReport::new(common.max_warnings);
    let several = args.files.len() > 1;
    let mut total = 0u64;
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
        let result = scanned.and_then(|((), summary)| {
            total += summary.records;
            if several {
                writeln!(out, "{}\t{}", summary.records, display_name(path))
                    .map_err(|e| out.error(e))?;
            }
            Ok(())
        });
        if let Err(e) = result {
            status.fail(&e);
            if e.is_fatal() {
                return status;
            }
        }
    }
    let result = writeln!(out, "{total}")
        .map_err(|e| out.error(e))
        .and_then(|()| out.finish());
    if let Err(e) = result {
        status.fail(&e);
    }
    report.finish();
    if report.any() {
        status.problems_found();
    }
    status
}
