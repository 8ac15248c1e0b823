//! The `marcview` command line: count, print, summarize, validate and
//! convert MARC 21 (ISO 2709) files. See `marcview --help`.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
