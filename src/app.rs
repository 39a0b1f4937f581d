//! The top of the program: parse the command line, dispatch, map the outcome to an exit code.

use std::ffi::OsString;

use clap::Parser;

use crate::cli::{Cli, Command};
use crate::commands;
use crate::error::{Chain, Error, EXIT_INVALID_INPUT, EXIT_OK};

/// Runs perfsuite with `args` (the program name first) and returns the exit code. Errors are
/// printed on stderr as `error: ...`.
pub fn main_with(args: impl IntoIterator<Item = OsString>) -> u8 {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            // clap's own output, whole: help and version on stdout; an error with its usage
            // line and typo suggestions on stderr. A closed pipe is not an error; help that
            // cannot be written to a full disk is.
            let printed = e.print();
            return match crate::output::stdout_result(printed) {
                _ if e.use_stderr() => EXIT_INVALID_INPUT,
                Ok(()) => EXIT_OK,
                Err(err) => fail(&err),
            };
        }
    };
    anstream::ColorChoice::write_global(cli.color.into());
    match dispatch(cli.command) {
        Ok(code) => code,
        Err(e) => fail(&e),
    }
}

/// Prints `e` on stderr as `error: ...` (never panicking, see [`crate::say!`]) and returns its
/// exit code.
fn fail(e: &Error) -> u8 {
    crate::say!("error: {}", Chain(e));
    e.exit_code()
}

fn dispatch(command: Command) -> Result<u8, Error> {
    crate::engine::extra_work::configure_from_env().map_err(Error::Input)?;
    match command {
        Command::Bench(args) => commands::bench::bench(args),
        Command::Run(args) => commands::run::run(args),
        Command::Check(args) => commands::check::check(args),
        Command::List(args) => commands::check::list(args),
        Command::Compare(args) => commands::compare::run(args),
        Command::Ab(args) => commands::ab::ab(args),
        Command::Merge(args) => commands::merge::merge(args),
        Command::Calibrate(args) => commands::calibrate::calibrate(args),
        Command::Completions(args) => commands::completions::completions(args),
        Command::History(args) => commands::history::history(args),
        Command::Trend(args) => commands::history::trend(args),
        Command::Report(args) => commands::history::report(args),
    }
}
