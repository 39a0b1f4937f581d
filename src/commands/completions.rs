//! `perfsuite completions SHELL` and `perfsuite completions --man`: generated from the clap
//! definition itself, so they cannot drift from the command line.

use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs};
use crate::error::{Error, EXIT_OK};
use crate::output::print_stdout;

/// Runs the command: the script or the man page on stdout.
pub fn completions(args: CompletionsArgs) -> Result<u8, Error> {
    let mut command = Cli::command();
    let mut out = Vec::new();
    match args.shell {
        Some(shell) if !args.man => {
            clap_complete::generate(shell, &mut command, "perfsuite", &mut out);
        }
        _ => clap_mangen::Man::new(command)
            .render(&mut out)
            .expect("writing into memory cannot fail"),
    }
    print_stdout(&String::from_utf8_lossy(&out))?;
    Ok(EXIT_OK)
}
