//! The top of the program: parse the command line, dispatch, map the outcome to an exit code.

use std::ffi::OsString;

use clap::Parser;

use crate::cli::{Cli, Command};
use crate::commands;
use crate::error::{Error, EXIT_INVALID_INPUT, EXIT_OK};
use crate::output::print_stdout;

/// Runs perfsuite with `args` (the program name first) and returns the exit code. Errors are
/// printed on stderr as `error: ...`.
pub fn main_with(args: impl IntoIterator<Item = OsString>) -> u8 {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            print_stdout(&e.render().to_string());
            return EXIT_OK;
        }
        Err(e) => {
            // One line, clap's first; the usage hint would only repeat `--help`.
            let rendered = e.render().to_string();
            eprintln!(
                "{} (see --help)",
                rendered.lines().next().unwrap_or("invalid command line")
            );
            return EXIT_INVALID_INPUT;
        }
    };
    match dispatch(cli.command) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            e.exit_code()
        }
    }
}

fn dispatch(command: Command) -> Result<u8, Error> {
    match command {
        Command::Bench(args) => commands::bench::bench(args),
        Command::Run(args) => commands::run::run(args),
        Command::Check(args) => commands::check::check(args),
        Command::List(args) => commands::check::list(args),
        Command::Compare(args) => commands::compare::run(args),
        Command::Ab(args) => commands::ab::ab(args),
        Command::Merge(args) => commands::merge::merge(args),
        Command::Calibrate(args) => commands::calibrate::calibrate(args),
    }
}
