//! Exit codes and the errors that end a command.
//!
//! Every error kind maps to its exit code in one place, [`Error::exit_code`].

use std::fmt;
use std::path::{Path, PathBuf};

/// The suite ran; budget warnings and failures alone never change this without `--strict`.
pub const EXIT_OK: u8 = 0;
/// `--strict`, and a budget check failed (or, for compare, a regression past its fail
/// threshold or a changed fingerprint).
pub const EXIT_BUDGET_FAILED: u8 = 1;
/// Nothing could be judged: bad command line, invalid scenario or budget, unreadable results.
pub const EXIT_INVALID_INPUT: u8 = 2;
/// `--strict`, and a scenario could not be measured (crash, time-out).
pub const EXIT_SCENARIO_ERROR: u8 = 3;
/// Interrupted by Ctrl-C (SIGINT), by the shell's convention 128 + 2.
pub const EXIT_INTERRUPTED: u8 = 130;

/// An error that ends a command.
#[derive(Debug)]
pub enum Error {
    /// Invalid input: command line, scenario, budget or result files.
    Input(String),
    /// Reading or writing `path` failed.
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// A one-off measurement (`perfsuite bench`) failed.
    Measure(String),
}

impl Error {
    /// An I/O error on `path`.
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        Error::Io {
            path: path.to_owned(),
            source,
        }
    }

    /// The process exit code for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Input(_) | Error::Io { .. } => EXIT_INVALID_INPUT,
            Error::Measure(_) => EXIT_SCENARIO_ERROR,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Input(message) | Error::Measure(message) => f.write_str(message),
            Error::Io { path, source } => write!(f, "{}: {source}", path.display()),
        }
    }
}

impl std::error::Error for Error {}
