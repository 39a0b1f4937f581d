//! Exit codes and the errors that end a command.
//!
//! Every error kind maps to its exit code in one place, [`Error::exit_code`]; [`Chain`] prints an
//! error with its causes, `outer: cause: cause`, the way `main` shows it. This module sits low
//! (the results folder's writes return its [`Error`]), so errors of the layers above it
//! (`compare::LoadError`, `measure::MeasureError`) are kept whole as the source of a variant,
//! converted by a `From` written beside them.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::config::ConfigError;

/// An error of a layer above this module, kept whole as a cause.
pub type Cause = Box<dyn std::error::Error + Send + Sync + 'static>;

/// The suite ran; budget warnings and failures alone never change this without `--strict`.
pub const EXIT_OK: u8 = 0;
/// `--strict`, and a budget check failed (or, for compare, a regression past its fail
/// threshold or a changed fingerprint).
pub const EXIT_BUDGET_FAILED: u8 = 1;
/// Nothing could be judged: bad command line, invalid scenario or budget, unreadable results;
/// or what was asked for could not be written (a full disk on stdout).
pub const EXIT_INVALID_INPUT: u8 = 2;
/// `--strict`, and a scenario could not be measured (crash, time-out).
pub const EXIT_SCENARIO_ERROR: u8 = 3;
/// Interrupted by Ctrl-C (SIGINT), by the shell's convention 128 + 2.
pub const EXIT_INTERRUPTED: u8 = 130;

/// An error that ends a command.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Invalid input, described where it was found: command line, output folder, result files.
    #[error("{0}")]
    Input(String),
    /// An unreadable or invalid scenario or budget file.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A result set that could not be read (a `compare::LoadError`).
    #[error(transparent)]
    Results(Cause),
    /// `--engine-json` is not a JSON object of engine settings.
    #[error("--engine-json")]
    EngineJson(#[source] serde_json::Error),
    /// Reading or writing `path` failed.
    #[error("{}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },
    /// stdout could not be written: a full disk or an I/O error (a closed pipe is no error).
    #[error("cannot write to stdout")]
    Stdout(#[source] std::io::Error),
    /// A one-off measurement (`perfsuite bench`) was refused or its child failed.
    #[error("{0}")]
    Measure(String),
    /// The engine failed while measuring (a `measure::MeasureError`).
    #[error(transparent)]
    Measurement(Cause),
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
            Error::Input(_)
            | Error::Config(_)
            | Error::Results(_)
            | Error::EngineJson(_)
            | Error::Io { .. }
            | Error::Stdout(_) => EXIT_INVALID_INPUT,
            Error::Measure(_) | Error::Measurement(_) => EXIT_SCENARIO_ERROR,
        }
    }
}

/// An error with its whole cause chain, `outer: cause: cause`, as ripgrep and anyhow's `{:#}`
/// print it. A cause whose text the error before it already ends with is not repeated.
pub struct Chain<'a>(pub &'a (dyn std::error::Error + 'static));

impl fmt::Display for Chain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut shown = self.0.to_string();
        f.write_str(&shown)?;
        let mut cause = self.0.source();
        while let Some(e) = cause {
            let text = e.to_string();
            if !shown.ends_with(&text) {
                write!(f, ": {text}")?;
            }
            shown = text;
            cause = e.source();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_io_error_prints_its_path_then_what_the_os_said() {
        let e = Error::io(
            Path::new("out/bench.json"),
            std::io::Error::from(std::io::ErrorKind::PermissionDenied),
        );
        assert_eq!(Chain(&e).to_string(), "out/bench.json: permission denied");
        assert_eq!(e.exit_code(), EXIT_INVALID_INPUT);
    }

    #[test]
    fn a_cause_already_in_the_message_is_not_repeated() {
        let json = serde_json::from_str::<u32>("x").unwrap_err();
        let text = json.to_string();
        let e = Error::EngineJson(json);
        assert_eq!(Chain(&e).to_string(), format!("--engine-json: {text}"));
    }

    #[test]
    fn measurement_failures_exit_3_and_input_errors_exit_2() {
        assert_eq!(Error::Measure("x".into()).exit_code(), EXIT_SCENARIO_ERROR);
        assert_eq!(Error::Input("x".into()).exit_code(), EXIT_INVALID_INPUT);
    }
}
