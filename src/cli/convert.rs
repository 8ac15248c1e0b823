//! `marcview convert --to FORMAT`: rewrites records in another format.
//!
//! To add a format: a variant of [`Format`], and its arms in
//! [`Format::spec`], [`Format::encode`] and, when it has something around
//! its records, [`Framed`].

use std::collections::VecDeque;
use std::io::{self, Write};
use std::sync::Mutex;

use marcview::marc8::Marc8Options;
use marcview::transcode::{self, SourceEncoding, TextEncoding};
use marcview::{
    Leader, Location, Record, RecordSource, RecordView, Warning, WriteOptions, json, mnemonic, xml,
};

use super::CliError;
use super::Status;
use super::args::{Common, ConvertArgs};
use super::input::display_name;
use super::output::Output;
use super::parallel_scan::{self, Opened};
use super::problems::{Report, StderrReport, plural};
use super::scan::{ScanOptions, scan};

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

impl Format {
    /// Appends `rec` in this format to `out`, as the library's writer for
    /// the format writes it between what comes before the first record and
    /// after the last ([`Framed`] writes those). A JSON array's records
    /// each start with the `,` that separates them from the one before.
    /// Returns how many characters the format could not hold and were
    /// written as U+FFFD. On error `out` may hold part of the record.
    fn encode(
        self,
        rec: &(impl RecordSource + ?Sized),
        out: &mut Vec<u8>,
    ) -> Result<u64, marcview::Error> {
        Ok(match self {
            // ISO 2709 goes through the owned record, which checks lengths.
            Format::Mrc => {
                let mut owned = Record::with_leader(*rec.leader());
                for f in rec.fields() {
                    owned.push_field(marcview::Field::from_view(&f))?;
                }
                owned.write_iso2709_into(out, WriteOptions::default())?;
                0
            }
            Format::Xml => xml::append_record(out, rec),
            Format::Json => {
                out.extend_from_slice(JSON_SEPARATOR);
                json::append_record(out, rec)
            }
            Format::Ndjson => {
                let replaced = json::append_record(out, rec);
                out.push(b'\n');
                replaced
            }
            Format::Mrk | Format::Print => {
                mnemonic::append_record(out, rec);
                0
            }
        })
    }
}

/// What separates two records of a JSON array.
const JSON_SEPARATOR: &[u8] = b",\n";

/// The output, with what the format writes before the first record and
/// after the last.
struct Framed {
    out: Output,
    format: Format,
    /// Records written.
    written: u64,
}

impl Framed {
    fn new(out: Output, format: Format) -> Framed {
        Framed {
            out,
            format,
            written: 0,
        }
    }

    /// Writes `records` records, encoded one after the other by
    /// [`Format::encode`].
    fn write(&mut self, mut bytes: &[u8], records: u64) -> io::Result<()> {
        if records == 0 {
            return Ok(());
        }
        if self.written == 0 {
            match self.format {
                Format::Xml => self.out.write_all(xml::COLLECTION_START.as_bytes())?,
                Format::Json => {
                    self.out.write_all(b"[\n")?;
                    bytes = bytes.strip_prefix(JSON_SEPARATOR).unwrap_or(bytes);
                }
                _ => {}
            }
        }
        self.written += records;
        self.out.write_all(bytes)
    }

    /// Writes what comes after the last record (an empty collection or
    /// array when there was none), and flushes.
    fn finish(mut self) -> Result<(), CliError> {
        let end = match (self.format, self.written) {
            (Format::Json, 0) => "[]\n",
            (Format::Json, _) => "\n]\n",
            (Format::Xml, 0) => &format!("{}{}", xml::COLLECTION_START, xml::COLLECTION_END),
            (Format::Xml, _) => xml::COLLECTION_END,
            _ => "",
        };
        if let Err(e) = self.out.write_all(end.as_bytes()) {
            return Err(self.out.error(e));
        }
        self.out.finish()
    }
}

/// How records are converted.
#[derive(Clone, Copy)]
struct Encoder {
    format: Format,
    /// Decode MARC-8 (and mislabelled) records to UTF-8.
    decode: bool,
    source: SourceEncoding,
    marc8: Marc8Options,
}

/// What converting one record can have to report, after its text.
enum Event {
    /// A problem met decoding its text (the record was written).
    Text(Warning),
    /// The record could not be written in the format (it was skipped).
    Skipped(Location, marcview::Error),
}

/// Records converted one after the other: their output, and what there is
/// to report about them, by record number.
#[derive(Default)]
struct Converted {
    bytes: Vec<u8>,
    /// Records `bytes` holds.
    records: u64,
    /// Characters written as U+FFFD.
    replaced: u64,
    events: VecDeque<(u64, Event)>,
}

impl Encoder {
    /// Adds `view`, converted, to `into`.
    fn convert(&self, view: &RecordView<'_>, into: &mut Converted) {
        let mark = into.bytes.len();
        let out = &mut into.bytes;
        let mut warnings = Vec::new();
        let written = if self.decode && !is_clean_utf8(view, self.source) {
            transcode::to_utf8(view, self.source, self.marc8, &mut warnings)
                .and_then(|rec| self.format.encode(&rec, out))
        } else if self.decode {
            let mut utf8 = *view.leader();
            utf8.set_coding_byte(b'a');
            self.format.encode(&Relabelled { view, leader: utf8 }, out)
        } else {
            self.format.encode(view, out)
        };
        let n = view.record_number();
        into.events
            .extend(warnings.into_iter().map(|w| (n, Event::Text(w))));
        match written {
            Ok(replaced) => {
                into.records += 1;
                into.replaced += replaced;
            }
            Err(e) => {
                into.bytes.truncate(mark);
                let location = Location {
                    record: n,
                    record_offset: view.offset(),
                    offset: view.offset(),
                    control_number: view
                        .control_number()
                        .map(|id| String::from_utf8_lossy(id).into_owned()),
                };
                into.events.push_back((n, Event::Skipped(location, e)));
            }
        }
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
    fn record(&mut self, input: &str, location: &Location, err: &marcview::Error) {
        self.count += 1;
        if self.count <= self.max_shown {
            let _ = writeln!(
                io::stderr().lock(),
                "{input}: error: {location}: cannot convert: {err} (record skipped)"
            );
        }
    }
}

/// Where converted records go: the framed output, and the reports of what
/// could not be converted as it was.
struct Sink {
    framed: Framed,
    /// Problems met while decoding text.
    text_report: StderrReport,
    skipped: Skipped,
    replaced: u64,
}

impl Sink {
    /// Reports what `c` holds for records up to number `through`; at
    /// `u64::MAX`, writes its records too and leaves it empty.
    fn hand_on(&mut self, input: &str, c: &mut Converted, through: u64) -> Result<(), CliError> {
        while c.events.front().is_some_and(|(n, _)| *n <= through) {
            let Some((_, event)) = c.events.pop_front() else {
                break;
            };
            match event {
                Event::Text(w) => self.text_report.warning(input, &w)?,
                Event::Skipped(location, e) => self.skipped.record(input, &location, &e),
            }
        }
        if through == u64::MAX {
            self.framed
                .write(&c.bytes, c.records)
                .map_err(|e| self.framed.out.error(e))?;
            self.replaced += c.replaced;
            c.bytes.clear();
            c.records = 0;
            c.replaced = 0;
        }
        Ok(())
    }
}

/// Runs `convert`: every input, one after the other, into one output.
/// ISO 2709 inputs are converted on `-j` threads, each batch of records
/// into a buffer of its own; the buffers and the problems are handed on in
/// input order, so the output is the same for any number of threads.
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
    let opts = ScanOptions::new(common.strict, false)
        .with_format(common.from)
        .with_parallel_streams();
    let mut report = StderrReport::new(common.max_warnings);
    let encoder = Encoder {
        format: args.to,
        decode: spec.unicode_only || args.utf8,
        source: common.encoding.source(),
        marc8: Marc8Options::new()
            .normalize_nfc(true)
            .strict(common.strict),
    };
    let mut sink = Sink {
        framed: Framed::new(out, args.to),
        text_report: StderrReport::new(common.max_warnings),
        skipped: Skipped {
            count: 0,
            max_shown: common.max_warnings,
        },
        replaced: 0,
    };
    let threads = common.thread_count();
    // Buffers handed on go back here for the next batches: a fresh one per
    // batch would be paged in again each time.
    let spare = Mutex::new(Vec::<Converted>::new());
    let fresh = || {
        spare
            .lock()
            .ok()
            .and_then(|mut s| s.pop())
            .unwrap_or_default()
    };
    let give_back = |c: &mut Converted| {
        if let Ok(mut s) = spare.lock()
            && s.len() < 4 * threads
        {
            s.push(std::mem::take(c));
        }
    };
    for path in files {
        let name = display_name(path);
        let converted = parallel_scan::open(path, opts, threads).and_then(|opened| match opened {
            Opened::Sequential(input) => {
                let mut c = Converted::default();
                let mut convert = |view: &RecordView<'_>| {
                    encoder.convert(view, &mut c);
                    sink.hand_on(&name, &mut c, u64::MAX)
                };
                scan(input, opts, &mut convert, &mut report)
            }
            Opened::Parallel(input) => parallel_scan::scan_parallel(
                input,
                opts,
                threads,
                fresh,
                |mut c, view| {
                    encoder.convert(view, &mut c);
                    c
                },
                |c, through| {
                    sink.hand_on(&name, c, through)?;
                    if through == u64::MAX {
                        give_back(c);
                    }
                    Ok(())
                },
                &mut report,
            ),
        });
        if let Err(e) = converted {
            status.fail(&e);
            if e.is_fatal() {
                return status;
            }
        }
    }
    let Sink {
        framed,
        mut text_report,
        skipped,
        replaced,
    } = sink;
    if replaced > 0 {
        eprintln!(
            "marcview: {replaced} character{} the output format cannot hold (invalid UTF-8, \
             control characters) written as U+FFFD",
            plural(replaced)
        );
        status.problems_found();
    }
    if let Err(e) = framed.finish() {
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

#[cfg(test)]
mod tests {
    use super::*;
    use marcview::json::{JsonStyle, JsonWriter};
    use marcview::mnemonic::MnemonicWriter;
    use marcview::xml::XmlWriter;
    use marcview::{Field, Reader, Tag, Writer};

    fn records(n: usize) -> Vec<u8> {
        let mut bytes = Vec::new();
        for i in 0..n {
            let mut r = Record::new();
            r.push_field(Field::control(Tag::new(1), format!("id{i}")).unwrap())
                .unwrap();
            r.push_field(
                Field::new(Tag::new(245), *b"10")
                    .with_subfield(b'a', format!("T\u{e9}tre & <{i}> \u{1}"))
                    .unwrap(),
            )
            .unwrap();
            bytes.extend(r.to_iso2709().unwrap());
        }
        bytes
    }

    /// What the library's writer for `format` writes for `views`.
    fn library(format: Format, views: &[RecordView<'_>]) -> Vec<u8> {
        match format {
            Format::Mrc => {
                let mut w = Writer::new(Vec::new());
                for v in views {
                    w.write(&v.to_owned()).unwrap();
                }
                w.into_inner().unwrap()
            }
            Format::Xml => {
                let mut w = XmlWriter::new(Vec::new());
                views.iter().for_each(|v| w.write(v).unwrap());
                w.finish().unwrap()
            }
            Format::Json | Format::Ndjson => {
                let style = if format == Format::Json {
                    JsonStyle::Array
                } else {
                    JsonStyle::Lines
                };
                let mut w = JsonWriter::new(Vec::new(), style);
                views.iter().for_each(|v| w.write(v).unwrap());
                w.finish().unwrap()
            }
            Format::Mrk | Format::Print => {
                let mut w = MnemonicWriter::new(Vec::new());
                views.iter().for_each(|v| w.write(v).unwrap());
                w.finish().unwrap()
            }
        }
    }

    #[test]
    fn batches_framed_give_what_the_library_writers_give() {
        let dir = std::env::temp_dir().join(format!("marcview-convert-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("out");
        for n in [0, 1, 2, 5] {
            let bytes = records(n);
            let views: Vec<RecordView<'_>> = Reader::new(&bytes).map(Result::unwrap).collect();
            for format in [
                Format::Mrc,
                Format::Xml,
                Format::Json,
                Format::Ndjson,
                Format::Mrk,
                Format::Print,
            ] {
                let encoder = Encoder {
                    format,
                    decode: false,
                    source: SourceEncoding::Auto,
                    marc8: Marc8Options::new(),
                };
                let mut framed = Framed::new(Output::open(Some(&path), &[]).unwrap(), format);
                // Batches of one and of two records, an empty one between.
                for batch in views.chunks(2).flat_map(|c| [c, &[]]) {
                    let mut c = Converted::default();
                    for v in batch {
                        encoder.convert(v, &mut c);
                    }
                    assert!(c.events.is_empty());
                    framed.write(&c.bytes, c.records).unwrap();
                }
                framed.finish().unwrap();
                let got = std::fs::read(&path).unwrap();
                let want = library(format, &views);
                assert!(
                    got == want,
                    "{format:?}, {n} records:\n{}\n---\n{}",
                    String::from_utf8_lossy(&got),
                    String::from_utf8_lossy(&want)
                );
            }
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
