//! `marcview convert --to FORMAT`: rewrites records in another format.
//!
//! To add a format: a variant of [`Format`], its arm in [`Format::spec`],
//! and a [`RecordWriter`] for it.

use std::io::{self, Write};

use marcview::{Location, RecordView, Writer};

use super::CliError;
use super::Status;
use super::args::{Common, ConvertArgs};
use super::input::display_name;
use super::output::Output;
use super::problems::{StderrReport, plural};
use super::scan::{ScanOptions, scan_path};

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// MARC 21 in ISO 2709, as written by marcview's Writer.
    Mrc,
}

/// What the rest of the command needs to know about a format.
struct FormatSpec {
    /// Binary output is never written to a terminal.
    binary: bool,
    /// Makes the writer.
    open: fn(Output) -> Box<dyn RecordWriter>,
}

impl Format {
    /// The format's properties and writer.
    fn spec(self) -> FormatSpec {
        match self {
            Format::Mrc => FormatSpec {
                binary: true,
                open: |out| Box::new(MrcWriter::new(out)),
            },
        }
    }
}

/// Writes records in one format.
trait RecordWriter {
    /// Writes one record. `Err(marcview::Error::Write)`: this record cannot
    /// be written in this format (it is skipped and reported); any other
    /// error is an output failure.
    fn write(&mut self, view: &RecordView<'_>) -> Result<(), marcview::Error>;
    /// Wraps an output failure.
    fn error(&self, source: io::Error) -> CliError;
    /// Writes whatever closes the output, and flushes it.
    fn finish(self: Box<Self>) -> Result<(), CliError>;
}

/// ISO 2709 through the owned [`marcview::Record`].
struct MrcWriter {
    /// The output's name, for errors.
    name: String,
    writer: Writer<Output>,
}

impl MrcWriter {
    fn new(out: Output) -> MrcWriter {
        MrcWriter {
            name: out.name().to_owned(),
            writer: Writer::new(out),
        }
    }
}

impl RecordWriter for MrcWriter {
    fn write(&mut self, view: &RecordView<'_>) -> Result<(), marcview::Error> {
        self.writer.write(&view.to_owned())
    }

    fn error(&self, source: io::Error) -> CliError {
        CliError::Write {
            path: self.name.clone(),
            source,
        }
    }

    fn finish(self: Box<Self>) -> Result<(), CliError> {
        let name = self.name;
        match self.writer.into_inner() {
            Ok(out) => out.finish(),
            Err(marcview::Error::Io(source)) => Err(CliError::Write { path: name, source }),
            Err(other) => Err(CliError::Write {
                path: name,
                source: io::Error::other(other.to_string()),
            }),
        }
    }
}

/// Counts (and shows, up to a cap) the records a format cannot hold.
struct Skipped {
    count: u64,
    max_shown: u64,
}

impl Skipped {
    fn record(&mut self, input: &str, view: &RecordView<'_>, err: &marcview::Error) {
        self.count += 1;
        if self.count <= self.max_shown {
            let location = Location {
                record: view.record_number(),
                record_offset: view.offset(),
                offset: view.offset(),
                control_number: view
                    .control_number()
                    .map(|id| String::from_utf8_lossy(id).into_owned()),
            };
            let _ = writeln!(
                io::stderr().lock(),
                "{input}: error: {location}: cannot convert: {err} (record skipped)"
            );
        }
    }
}

/// Runs `convert`: every input, one after the other, into one output.
pub fn run(common: &Common, args: &ConvertArgs) -> Status {
    let mut status = Status::default();
    let files = &args.inputs.files;
    let spec = args.to.spec();
    let out = match Output::open(common.output.as_deref(), files) {
        Ok(out) if spec.binary && out.is_terminal() => {
            status.fail(&CliError::Usage(
                "refusing to write binary records to a terminal; use -o FILE or redirect"
                    .to_owned(),
            ));
            return status;
        }
        Ok(out) => out,
        Err(e) => {
            status.fail(&e);
            return status;
        }
    };
    let opts = ScanOptions::new(common.strict, false);
    let mut report = StderrReport::new(common.max_warnings);
    let mut writer = (spec.open)(out);
    let mut skipped = Skipped {
        count: 0,
        max_shown: common.max_warnings,
    };
    for path in files {
        let name = display_name(path);
        let mut convert = |view: &RecordView<'_>| match writer.write(view) {
            Ok(()) => Ok(()),
            Err(e @ marcview::Error::Write(_)) => {
                skipped.record(&name, view, &e);
                Ok(())
            }
            Err(marcview::Error::Io(e)) => Err(writer.error(e)),
            Err(other) => Err(writer.error(io::Error::other(other.to_string()))),
        };
        if let Err(e) = scan_path(path, opts, &mut convert, &mut report) {
            status.fail(&e);
            if e.is_fatal() {
                return status;
            }
        }
    }
    if let Err(e) = writer.finish() {
        status.fail(&e);
    }
    report.finish();
    if skipped.count > 0 {
        eprintln!(
            "marcview: {} record{} could not be converted",
            skipped.count,
            plural(skipped.count)
        );
        status.problems_found();
    }
    if report.any() {
        status.problems_found();
    }
    status
}
