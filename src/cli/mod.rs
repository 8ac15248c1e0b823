//! The `marcview` binary: argument parsing and dispatch to one module per
//! subcommand. Everything here is private to the binary.

mod args;
mod convert;
mod count;
mod error;
mod input;
mod output;
mod parallel_scan;
mod print;
mod problems;
mod progress;
mod scan;
mod stats;
mod status;
mod text_input;
mod validate;

use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command};
pub(crate) use error::CliError;
pub(crate) use status::Status;

/// Parses the command line, runs the subcommand and turns the outcome into
/// the exit code: 0 all well, 1 problems found in the input, 2 usage or I/O
/// error (clap exits with 2 itself on a usage error).
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let status = match &cli.command {
        Command::Count(a) => count::run(&cli.common, a),
        Command::Print(a) => print::run(&cli.common, a),
        Command::Stats(a) => stats::run(&cli.common, a),
        Command::Validate(a) => validate::run(&cli.common, a),
        Command::Convert(a) => convert::run(&cli.common, a),
    };
    status.exit_code()
}
