//! Output for people and tools: the run summary ([`report`]), the progress line on stderr
//! ([`progress`]), and stdout itself.

pub mod progress;
pub mod report;

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
}

/// Writes `text` to stdout. A closed pipe (`perfsuite ... | head`) is not an error: the reader
/// has what it wanted.
pub fn print_stdout(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|_| out.flush());
}
