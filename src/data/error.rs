//! Errors reading a candle file: each names the file, and where it has one the line and column,
//! and says what is wrong in words.

use std::fmt;
use std::path::{Path, PathBuf};

/// A candle file that could not be read, or holds something that is not a valid candle.
///
/// Displays as `data/btc.csv:17:32: `high` 99.5 is below `low` 100.1`, or `path: message` where
/// no position applies (an unreadable file, too few rows).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataError {
    path: PathBuf,
    at: Option<(u64, usize)>,
    message: String,
}

impl DataError {
    /// An error about the whole file.
    pub fn file(path: &Path, message: impl Into<String>) -> Self {
        Self {
            path: path.to_owned(),
            at: None,
            message: message.into(),
        }
    }

    /// An error at `line` (1-based) and `column` (1-based, in bytes of the line).
    pub fn at(path: &Path, line: u64, column: usize, message: impl Into<String>) -> Self {
        Self {
            path: path.to_owned(),
            at: Some((line, column)),
            message: message.into(),
        }
    }

    /// Line and column, where the error has a position.
    pub fn location(&self) -> Option<(u64, usize)> {
        self.at
    }

    /// What is wrong, without the position.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", crate::output::escape::shown(&self.path))?;
        if let Some((line, column)) = self.at {
            write!(f, ":{line}:{column}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for DataError {}
