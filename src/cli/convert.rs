//! `marcview convert --to FORMAT`: rewrites records in another format.
//!
//! To add a format: a variant of [`Format`], its arm in [`Format::spec`],
//! and a [`RecordWriter`] for it.

use std::io::{self, Write};

use marcview::json::{JsonStyle, JsonWriter};
use marcview::marc8::Marc8Options;
use marcview::mnemonic::MnemonicWriter;
use marcview::transcode::{self, SourceEncoding, TextEncoding};
use marcview::xml::XmlWriter;
use marcview::{Leader, Location, Record, RecordSource, RecordView, Writer};

use super::CliError;
use super::Status;
use super::args::{Common, ConvertArgs};
use super::input::display_name;
use super::output::Output;
use super::problems::{Report, StderrReport, plural};
use super::scan::{ScanOptions, scan_path};

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// MARC 21 in ISO 2709, through the owned record.
    Mrc,
    /// MARCXML, one `<collection>` (UTF-8).
    Xml,
    /// MARC-in-JSON, one array of records (UTF-8).
    Json,
    /// MARC-in-JSON, one record per line (UTF-8).
    Ndjson,
    /// Mnemonic text (MarcEdit .mrk).
    Mrk,
    /// The same text `marcview print` shows (mnemonic).
    Print,
}

/// What the rest of the command needs to know about a format.
struct FormatSpec {
    /// Binary output is never written to a terminal.
    binary: bool,
    /// The format holds Unicode only: MARC-8 records are decoded.
    unicode_only: bool,
}

impl Format {
    /// The format's properties.
    fn spec(self) -> FormatSpec {
        match self {
            Format::Mrc => FormatSpec {
                binary: true,
                unicode_only: false,
            },
            Format::Xml | Format::Json | Format::Ndjson => FormatSpec {
                binary: false,
                unicode_only: true,
            },
            Format::Mrk | Format::Print => FormatSpec {
                binary: false,
                unicode_only: false,
            },
        }
    }
}

/// A writer of any output format.
enum AnyWriter {
    Mrc(Writer<Output>),
    Xml(XmlWriter<Output>),
    Json(JsonWriter<Output>),
    Mrk(MnemonicWriter<Output>),
}

impl AnyWriter {
    fn open(format: Format, out: Output) -> AnyWriter {
        match format {
            Format::Mrc => AnyWriter::Mrc(Writer::new(out)),
            Format::Xml => AnyWriter::Xml(XmlWriter::new(out)),
            Format::Json => AnyWriter::Json(JsonWriter::new(out, JsonStyle::Array)),
            Format::Ndjson => AnyWriter::Json(JsonWriter::new(out, JsonStyle::Lines)),
            Format::Mrk | Format::Print => AnyWriter::Mrk(MnemonicWriter::new(out)),
        }
    }

    /// Writes one record. `Err(marcview::Error::Write)`: this record cannot
    /// be written in this format (it is skipped and reported); any other
    /// error is an output failure.
    fn write(&mut self, rec: &(impl RecordSource + ?Sized)) -> Result<(), marcview::Error> {
        match self {
            // ISO 2709 goes through the owned record, which checks lengths.
            AnyWriter::Mrc(w) => {
                let mut owned = Record::with_leader(*rec.leader());
                for f in rec.fields() {
                    owned.push_field(marcview::Field::from_view(&f))?;
                }
                w.write(&owned)
            }
            AnyWriter::Xml(w) => Ok(w.write(rec)?),
            AnyWriter::Json(w) => Ok(w.write(rec)?),
            AnyWriter::Mrk(w) => Ok(w.write(rec)?),
        }
    }

    /// Characters the format cannot hold that were written as U+FFFD.
    fn replacements(&self) -> u64 {
        match self {
            AnyWriter::Xml(w) => w.replacements(),
            AnyWriter::Json(w) => w.replacements(),
            AnyWriter::Mrc(_) | AnyWriter::Mrk(_) => 0,
        }
    }

    /// Writes whatever closes the output, and flushes it.
    fn finish(self, name: String) -> Result<(), CliError> {
        let write_err = |source| CliError::Write {
            path: name.clone(),
            source,
        };
        let out = match self {
            AnyWriter::Mrc(w) => w.into_inner().map_err(|e| match e {
                marcview::Error::Io(source) => write_err(source),
                other => write_err(io::Error::other(other.to_string())),
            })?,
            AnyWriter::Xml(w) => w.finish().map_err(write_err)?,
            AnyWriter::Json(w) => w.finish().map_err(write_err)?,
            AnyWriter::Mrk(w) => w.finish().map_err(write_err)?,
        };
        out.finish()
    }
}

/// True when `view` is read as UTF-8 and is valid UTF-8: it can be written
/// to a Unicode format straight from the input bytes.
fn is_clean_utf8(view: &RecordView<'_>, source: SourceEncoding) -> bool {
    transcode::detect_encoding(view, source) == TextEncoding::Utf8
        && std::str::from_utf8(view.raw()).is_ok()
}

/// A view with another leader (leader/09 set to `a` for UTF-8 output).
struct Relabelled<'v, 'a> {
    view: &'v RecordView<'a>,
    leader: Leader,
}

impl RecordSource for Relabelled<'_, '_> {
    fn leader(&self) -> &Leader {
        &self.leader
    }

    fn fields(&self) -> impl ExactSizeIterator<Item = marcview::FieldView<'_>> + Clone {
        self.view.fields()
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
    let opts = ScanOptions::new(common.strict, false).with_format(common.from);
    let mut report = StderrReport::new(common.max_warnings);
    // Problems met while decoding text go to their own report.
    let mut text_report = StderrReport::new(common.max_warnings);
    let out_name = out.name().to_owned();
    let mut writer = AnyWriter::open(args.to, out);
    let decode = spec.unicode_only || args.utf8;
    let source = common.encoding.source();
    let marc8_opts = Marc8Options::new()
        .normalize_nfc(true)
        .strict(common.strict);
    let mut text_warnings = Vec::new();
    let mut skipped = Skipped {
        count: 0,
        max_shown: common.max_warnings,
    };
    for path in files {
        let name = display_name(path);
        let write_err = |source| CliError::Write {
            path: out_name.clone(),
            source,
        };
        let mut convert = |view: &RecordView<'_>| {
            let written = if decode && !is_clean_utf8(view, source) {
                match transcode::to_utf8(view, source, marc8_opts, &mut text_warnings) {
                    Ok(rec) => writer.write(&rec),
                    Err(e) => Err(e),
                }
            } else if decode {
                let mut utf8 = *view.leader();
                utf8.set_coding_byte(b'a');
                writer.write(&Relabelled { view, leader: utf8 })
            } else {
                writer.write(view)
            };
            for w in text_warnings.drain(..) {
                let _ = text_report.warning(&name, &w);
            }
            match written {
                Ok(()) => Ok(()),
                Err(e @ (marcview::Error::Write(_) | marcview::Error::Malformed { .. })) => {
                    skipped.record(&name, view, &e);
                    Ok(())
                }
                Err(marcview::Error::Io(e)) => Err(write_err(e)),
                Err(other) => Err(write_err(io::Error::other(other.to_string()))),
            }
        };
        if let Err(e) = scan_path(path, opts, &mut convert, &mut report) {
            status.fail(&e);
            if e.is_fatal() {
                return status;
            }
        }
    }
    let replaced = writer.replacements();
    if replaced > 0 {
        eprintln!(
            "marcview: {replaced} character{} the output format cannot hold (invalid UTF-8, \
             control characters) written as U+FFFD",
            plural(replaced)
        );
        status.problems_found();
    }
    if let Err(e) = writer.finish(out_name) {
        status.fail(&e);
    }
    report.finish();
    text_report.finish();
    if text_report.any() {
        status.problems_found();
    }
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
