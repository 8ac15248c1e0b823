//! `marcview print`: records as mnemonic text (MarcEdit `.mrk`).

use marcview::mnemonic;

use super::Status;
use super::args::{Common, Inputs};
use super::output::Output;
use super::problems::StderrReport;
use super::scan::{ScanOptions, scan_path};

/// Runs `print`: every record of every input, each followed by a blank
/// line.
pub fn run(common: &Common, args: &Inputs) -> Status {
    let mut status = Status::default();
    let mut out = match Output::open(common.output.as_deref(), &args.files) {
        Ok(out) => out,
        Err(e) => {
            status.fail(&e);
            return status;
        }
    };
    let opts = ScanOptions::new(common.strict, out.is_terminal()).with_format(common.from);
    let mut report = StderrReport::new(common.max_warnings);
    let mut stopped = false;
    for path in &args.files {
        let mut print = |view: &marcview::RecordView<'_>| {
            mnemonic::write_record(&mut out, view.leader(), view.fields()).map_err(|e| out.error(e))
        };
        if let Err(e) = scan_path(path, opts, &mut print, &mut report) {
            status.fail(&e);
            if e.is_fatal() {
                stopped = true;
                break;
            }
        }
    }
    if !stopped && let Err(e) = out.finish() {
        status.fail(&e);
    }
    report.finish();
    if report.any() {
        status.problems_found();
    }
    status
}
