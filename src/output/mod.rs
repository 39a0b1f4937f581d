//! Output for people and tools: the run summary ([`report`]), the table style ([`table`]), how
//! numbers are written ([`numbers`]), GitHub annotations ([`github`]), JUnit XML ([`junit`]),
//! the progress line on stderr ([`progress`]), the history's HTML page ([`html`]), and stdout
//! itself.

pub mod escape;
pub mod github;
pub mod html;
pub mod junit;
pub mod numbers;
pub mod progress;
pub mod report;
pub mod table;

use std::io::Write;

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
/// closed pipe (`perfsuite ... | head`) is not an error: the reader has what it wanted.
pub fn print_stdout(text: &str) {
    let mut out = anstream::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|_| out.flush());
}
