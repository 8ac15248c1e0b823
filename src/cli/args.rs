//! Command-line arguments (clap derive).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use super::convert::Format;
use super::text_input::InputFormat;

/// Read MARC 21 records (ISO 2709) fast and forgivingly.
///
/// Inputs are files or `-` for standard input; gzip-compressed input is
/// recognized by its first bytes. Exit status: 0 when all is well, 1 when
/// the input has problems (warnings or unreadable records), 2 on a usage or
/// I/O error.
#[derive(Debug, Parser)]
#[command(name = "marcview", version, about, long_about)]
pub struct Cli {
    /// Options every subcommand takes.
    #[command(flatten)]
    pub common: Common,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Options every subcommand takes (before or after its name).
#[derive(Debug, Args)]
pub struct Common {
    /// Treat every fault inside a record as an error (the record is
    /// skipped) instead of repairing it.
    #[arg(long, global = true)]
    pub strict: bool,

    /// Write the output to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE", global = true)]
    pub output: Option<PathBuf>,

    /// Show at most N warnings on standard error (all are counted).
    #[arg(long, value_name = "N", default_value_t = 50, global = true)]
    pub max_warnings: u64,

    /// Worker threads for `count`, `stats`, `validate` and `convert` on ISO
    /// 2709 files, and for `stats` and `convert` on ISO 2709 streams (stdin,
    /// gzip) too (default: all cores). The output, warnings included, is
    /// the same for any number. Text formats and `print` are read on one
    /// thread.
    #[arg(short = 'j', long, value_name = "N", global = true)]
    pub threads: Option<usize>,

    /// Input format; `auto` decides from the first bytes (`<` MARCXML,
    /// `{`/`[` MARC-in-JSON, `=` mnemonic, else ISO 2709).
    #[arg(
        long,
        value_enum,
        value_name = "FORMAT",
        default_value = "auto",
        global = true
    )]
    pub from: InputFormat,

    /// How to read the records' text: `auto` takes leader/09 as a hint and
    /// checks it against the bytes (MARC-8-flagged records that are really
    /// UTF-8, and the reverse, are recognized).
    #[arg(
        long,
        value_enum,
        value_name = "ENCODING",
        default_value = "auto",
        global = true
    )]
    pub encoding: EncodingArg,
}

impl Common {
    /// The number of worker threads to use.
    pub fn thread_count(&self) -> usize {
        self.threads
            .filter(|&n| n > 0)
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
    }
}

/// Values of `--encoding`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum EncodingArg {
    /// Leader/09 checked against the bytes.
    #[default]
    Auto,
    /// UTF-8 whatever leader/09 says.
    Utf8,
    /// MARC-8 whatever leader/09 says.
    Marc8,
}

impl EncodingArg {
    /// The library's equivalent.
    pub fn source(self) -> marcview::transcode::SourceEncoding {
        use marcview::transcode::SourceEncoding;
        match self {
            EncodingArg::Auto => SourceEncoding::Auto,
            EncodingArg::Utf8 => SourceEncoding::Utf8,
            EncodingArg::Marc8 => SourceEncoding::Marc8,
        }
    }
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Count records: one line per input when there are several, and the
    /// total alone on the last line.
    Count(Inputs),
    /// Print records as mnemonic text (MarcEdit .mrk), separated by blank
    /// lines.
    Print(Inputs),
    /// Summarize: record kinds, encodings, tag frequencies, field and
    /// subfield counts, warnings and errors.
    Stats(StatsArgs),
    /// List every structural problem (record number, byte offset, 001),
    /// then a summary. Exits with 1 if there is any problem.
    Validate(Inputs),
    /// Convert records to another format.
    Convert(ConvertArgs),
}

/// Input files.
#[derive(Debug, Args)]
pub struct Inputs {
    /// Input files; `-` reads standard input.
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
}

/// Arguments of `stats`.
#[derive(Debug, Args)]
pub struct StatsArgs {
    /// Write JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Input files (counted together); `-` reads standard input.
    #[command(flatten)]
    pub inputs: Inputs,
}

/// Arguments of `convert`.
#[derive(Debug, Args)]
pub struct ConvertArgs {
    /// Output format. MARCXML and JSON are Unicode: MARC-8 records are
    /// decoded to UTF-8 (NFC) and leader/09 set to `a`.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub to: Format,
    /// Decode MARC-8 records to UTF-8 for `mrc` and `mrk` output too.
    #[arg(long)]
    pub utf8: bool,
    /// Input files (written one after the other); `-` reads standard input.
    #[command(flatten)]
    pub inputs: Inputs,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn global_options_go_before_or_after_the_subcommand() {
        let a = Cli::try_parse_from(["marcview", "--strict", "count", "a.mrc"]).unwrap();
        let b = Cli::try_parse_from(["marcview", "count", "a.mrc", "--strict"]).unwrap();
        assert!(a.common.strict && b.common.strict);
    }

    #[test]
    fn inputs_are_required() {
        assert!(Cli::try_parse_from(["marcview", "count"]).is_err());
        assert!(Cli::try_parse_from(["marcview", "convert", "--to", "mrc"]).is_err());
        assert!(Cli::try_parse_from(["marcview", "convert", "x.mrc"]).is_err());
    }
}
