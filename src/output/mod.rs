//! Output for people and tools: the run summary ([`report`]), the table style ([`table`]), how
//! numbers are written ([`numbers`]), GitHub annotations ([`github`]), JUnit XML ([`junit`]),
//! the progress line on stderr ([`progress`]), the history's HTML page ([`html`]), and the two
//! streams themselves: [`print_stdout`] and [`stderr_line`] (through the [`say!`](crate::say)
//! macro) are the only ways perfsuite writes to them, so a write error is handled in one place.

pub mod escape;
pub mod github;
pub mod html;
pub mod junit;
pub mod numbers;
pub mod progress;
pub mod report;
pub mod table;

use std::io::Write;

use crate::error::Error;

/// An output format: of a run's summary or of a comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// A table for a terminal, readable at 80 columns.
    #[default]
    Table,
    /// Markdown for a pull-request comment or `$GITHUB_STEP_SUMMARY`.
    Markdown,
    /// JSON for tools, with stable keys.
    Json,
    /// GitHub Actions annotations: `::warning` and `::error` workflow commands.
    Github,
}

/// Writes `text` to stdout, its colours kept or stripped as `--color` and `NO_COLOR` say. A
/// closed pipe (`perfsuite ... | head`) is not an error: the reader has what it wanted. Any
/// other failure (a full disk, an I/O error) is: the output the user asked for is lost.
pub fn print_stdout(text: &str) -> Result<(), Error> {
    let mut out = anstream::stdout().lock();
    let written = out.write_all(text.as_bytes()).and_then(|()| out.flush());
    stdout_result(written)
}

/// The outcome of a write to stdout: a closed pipe is success, anything else an error.
pub fn stdout_result(written: std::io::Result<()>) -> Result<(), Error> {
    match written {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Error::Stdout(e)),
        _ => Ok(()),
    }
}

/// Writes `line` and a newline to stderr, as `eprintln!` does but never panicking: a failed
/// write (a full disk, a closed pipe) is dropped, as there is nowhere left to report it. The
/// line is one line whatever it holds: control characters and newlines from input-borne text
/// are escaped ([`escape::one_line`]). Use [`say!`](crate::say) to format one.
pub fn stderr_line(line: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{}", escape::one_line(line));
}

/// Writes `text` to stderr as it is (several lines, already escaped for where it goes, such as
/// GitHub workflow commands), dropping a failed write as [`stderr_line`] does.
pub fn stderr_raw(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(text.as_bytes());
}

/// `say!("warning: {x}")`: one line on stderr through [`stderr_line`], formatted as
/// `eprintln!` formats, without its panic when stderr cannot be written.
#[macro_export]
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::output::stderr_line(&::std::format!($($arg)*))
    };
}
