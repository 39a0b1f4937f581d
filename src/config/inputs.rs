//! The scenario keys that point outside the scenario file: `data` (a candle file) and
//! `engine.command` (an external backtester). Both are resolved against the folder of the
//! scenario file, and checked to exist before anything runs, so a typo is exit 2 with the
//! file, line and column of the key, never an error row after minutes of measuring.

use std::ops::Range;
use std::path::PathBuf;

use toml::Spanned;

use super::error::{ConfigError, Source};
use crate::external::ExternalCommand;

/// The folder that a scenario file's relative paths are resolved against.
pub(crate) fn scenario_dir(src: &Source) -> PathBuf {
    match src.path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_owned(),
        _ => PathBuf::from("."),
    }
}

/// `data`, resolved against the scenario's folder; it must be a readable file.
pub(crate) fn data(
    src: &Source,
    raw: Option<&Spanned<String>>,
) -> Result<Option<PathBuf>, ConfigError> {
    let Some(raw) = raw else {
        return Ok(None);
    };
    let written = raw.get_ref();
    if written.trim().is_empty() {
        return Err(src.value_error(raw.span(), "data", "must name a candle file, got \"\""));
    }
    let path = scenario_dir(src).join(written);
    match std::fs::metadata(&path) {
        Ok(meta) if meta.is_file() => Ok(Some(path)),
        Ok(_) => Err(src.value_error(
            raw.span(),
            "data",
            format_args!("names {}, which is not a file", path.display()),
        )),
        Err(e) => Err(src.value_error(
            raw.span(),
            "data",
            format_args!(
                "names {} (relative to the scenario's folder), which cannot be read: {e}",
                path.display()
            ),
        )),
    }
}

/// `engine.command`: a non-empty array of strings whose program exists. `builtin_key` is the
/// first setting of the built-in engine the same `[engine]` table sets: with a command, such a
/// setting would be silently ignored, so it is an error.
pub(crate) fn command(
    src: &Source,
    raw: Option<&Spanned<Vec<Spanned<String>>>>,
    builtin_key: Option<(&'static str, Range<usize>)>,
) -> Result<Option<ExternalCommand>, ConfigError> {
    let Some(raw) = raw else {
        return Ok(None);
    };
    if let Some((key, span)) = builtin_key {
        return Err(src.value_error(
            span,
            &format!("engine.{key}"),
            "is a setting of the built-in engine, and this scenario runs `engine.command`: \
             an external engine takes only the runbook's arguments",
        ));
    }
    let argv: Vec<String> = raw.get_ref().iter().map(|a| a.get_ref().clone()).collect();
    let command = ExternalCommand {
        argv,
        dir: scenario_dir(src),
    };
    if command.argv.is_empty() {
        return Err(src.value_error(
            raw.span(),
            "engine.command",
            "must name a program, e.g. [\"python3\", \"bench_backtester.py\"]",
        ));
    }
    // cannot panic: an empty argv was refused just above.
    let program_span = raw.get_ref()[0].span();
    command.locate().map_err(|why| {
        src.value_error(
            program_span,
            "engine.command",
            format_args!("cannot run: {why}"),
        )
    })?;
    Ok(Some(command))
}
