//! Reading a result set from disk: a results folder holding `<scenario>/bench.json`, or one
//! bench.json file.
//!
//! The files may come from another perfsuite version, a CI artifact or a hand edit, so each is
//! checked before it is compared: a truncated file, a newer schema, a number that no measurement
//! can produce or a scenario name that is a path is an error naming the file, never a silently
//! wrong verdict.

use std::path::{Path, PathBuf};

use crate::config::name_problem;
use crate::results::folder::BENCH_JSON;
use crate::results::{newer_schema, Measurement, ScenarioResult, SCHEMA_VERSION};

use super::ResultSet;

/// Why a result set could not be read. Every variant names the file (or folder) at fault.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file or folder could not be read.
    #[error("{}: cannot read", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A folder with no bench.json in it or in its subfolders.
    #[error("{}: not a result set: no {BENCH_JSON} in it or in its subfolders (expected <scenario>/{BENCH_JSON}, as `perfsuite run --out` writes)", path.display())]
    NotAResultSet {
        /// The folder.
        path: PathBuf,
    },
    /// Not JSON, cut short, or not shaped like a bench.json. The message is serde_json's,
    /// rewritten to lead with the file and position, so it is not repeated as a cause.
    #[error("{}", json_message(path, source))]
    Json {
        /// The file.
        path: PathBuf,
        /// The cause, with line and column.
        source: serde_json::Error,
    },
    /// Written by a newer perfsuite, whose schema this one cannot read.
    #[error("{}: written by a newer perfsuite (schema_version {found}; this perfsuite reads up to {SCHEMA_VERSION}): upgrade perfsuite to compare it", path.display())]
    NewerSchema {
        /// The file.
        path: PathBuf,
        /// Its `schema_version`.
        found: u64,
    },
    /// Larger than any bench.json perfsuite writes: not read at all.
    #[error("{}: {} MiB is too large for a bench.json (perfsuite writes a few KiB; the limit is {} MiB): not read", path.display(), bytes >> 20, MAX_FILE_BYTES >> 20)]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size in bytes.
        bytes: u64,
    },
    /// A value no measurement can produce.
    #[error("{}: `{key}` {problem}", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The key, as a JSON path: `candles_per_sec.samples[2]`.
        key: String,
        /// What is wrong with it.
        problem: String,
    },
    /// Two files hold the same scenario.
    #[error("{}: scenario `{scenario}` is also in {}: a result set holds each scenario once", second.display(), first.display())]
    DuplicateScenario {
        /// The scenario's name.
        scenario: String,
        /// The file read first.
        first: PathBuf,
        /// The file read second.
        second: PathBuf,
    },
}

impl LoadError {
    /// The file or folder at fault (for a duplicate, the second file).
    pub fn path(&self) -> &Path {
        match self {
            LoadError::Io { path, .. }
            | LoadError::NotAResultSet { path }
            | LoadError::Json { path, .. }
            | LoadError::NewerSchema { path, .. }
            | LoadError::TooLarge { path, .. }
            | LoadError::Invalid { path, .. } => path,
            LoadError::DuplicateScenario { second, .. } => second,
        }
    }
}

impl From<LoadError> for crate::error::Error {
    fn from(e: LoadError) -> Self {
        Self::Results(Box::new(e))
    }
}

/// `path:line:column: what: message`, from serde_json's message with its location moved ahead.
fn json_message(path: &Path, source: &serde_json::Error) -> String {
    let what = match source.classify() {
        serde_json::error::Category::Eof => "cut short (truncated JSON)",
        serde_json::error::Category::Syntax => "not valid JSON",
        serde_json::error::Category::Data => "not a bench.json",
        serde_json::error::Category::Io => "cannot read",
    };
    let (line, column) = (source.line(), source.column());
    let message = source.to_string();
    let message = message
        .strip_suffix(&format!(" at line {line} column {column}"))
        .unwrap_or(&message);
    format!("{}:{line}:{column}: {what}: {message}", path.display())
}

/// Reads the result set at `path`: a folder holding `<scenario>/bench.json` one level deep
/// (a `bench.json` directly in the folder counts too; `summary.json` and other files are
/// ignored), or one bench.json file.
pub fn load_result_set(path: &Path) -> Result<ResultSet, LoadError> {
    let io = |source| LoadError::Io {
        path: path.to_owned(),
        source,
    };
    let files = if std::fs::metadata(path).map_err(io)?.is_dir() {
        bench_files(path)?
    } else {
        vec![path.to_owned()]
    };
    let mut set = ResultSet::new(path);
    let mut from: std::collections::BTreeMap<String, PathBuf> = Default::default();
    for file in files {
        let result = load_bench_json(&file)?;
        if let Some(first) = from.get(&result.scenario) {
            return Err(LoadError::DuplicateScenario {
                scenario: result.scenario,
                first: first.clone(),
                second: file,
            });
        }
        from.insert(result.scenario.clone(), file);
        set.insert(result);
    }
    Ok(set)
}

/// The paths of `dir`'s entries, in sorted order; an error names `dir`.
pub(crate) fn sorted_entries(dir: &Path) -> Result<Vec<PathBuf>, LoadError> {
    let io = |source| LoadError::Io {
        path: dir.to_owned(),
        source,
    };
    let mut entries = std::fs::read_dir(dir)
        .map_err(io)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(io)?;
    entries.sort();
    Ok(entries)
}

/// `dir/bench.json` and every `dir/*/bench.json`, in sorted order.
fn bench_files(dir: &Path) -> Result<Vec<PathBuf>, LoadError> {
    let entries = sorted_entries(dir)?;
    let files: Vec<PathBuf> = std::iter::once(dir.join(BENCH_JSON))
        .chain(
            entries
                .into_iter()
                .filter(|p| p.is_dir())
                .map(|p| p.join(BENCH_JSON)),
        )
        .filter(|p| p.is_file())
        .collect();
    if files.is_empty() {
        return Err(LoadError::NotAResultSet {
            path: dir.to_owned(),
        });
    }
    Ok(files)
}

/// Reads and checks one bench.json.
pub(super) fn load_bench_json(path: &Path) -> Result<ScenarioResult, LoadError> {
    let io = |source| LoadError::Io {
        path: path.to_owned(),
        source,
    };
    let bytes = std::fs::metadata(path).map_err(io)?.len();
    if bytes > MAX_FILE_BYTES {
        return Err(LoadError::TooLarge {
            path: path.to_owned(),
            bytes,
        });
    }
    // Bytes, not a String: a file that is not UTF-8 is invalid JSON, not unreadable. Read as a
    // regular file with the cap counted while reading: the size above may be a lie (`/dev/zero`).
    let text = crate::input::read_input(path).map_err(io)?;
    let json = |source| LoadError::Json {
        path: path.to_owned(),
        source,
    };
    let value: serde_json::Value = serde_json::from_slice(&text).map_err(json)?;
    if let Some(found) = newer_schema(&value) {
        return Err(LoadError::NewerSchema {
            path: path.to_owned(),
            found,
        });
    }
    let result: ScenarioResult = serde_json::from_slice(&text).map_err(json)?;
    validate(&result).map_err(|(key, problem)| LoadError::Invalid {
        path: path.to_owned(),
        key,
        problem,
    })?;
    Ok(result)
}

/// The first value in `r` that no measurement can produce, as `(key, problem)`.
fn validate(r: &ScenarioResult) -> Result<(), (String, String)> {
    if let Some(problem) = name_problem(&r.scenario) {
        return Err((
            "scenario".into(),
            format!(
                "{:?} {problem}: a scenario name must be a plain name, as it names a folder of results",
                r.scenario
            ),
        ));
    }
    check_measurement(&r.measurement)?;
    let regression = r.budget.resolved.regression;
    for (key, v) in [
        ("warn_pct", regression.warn_pct),
        ("fail_pct", regression.fail_pct),
    ] {
        if !(v.is_finite() && v >= 0.0) {
            return Err((
                format!("budget.resolved.regression.{key}"),
                format!("must be a non-negative number, got {v}"),
            ));
        }
    }
    Ok(())
}

/// The first value in `m` that no measurement can produce, as `(key, problem)`: what a
/// bench.json must hold, and what a child process (`run`'s, `ab --base`) must print.
pub(crate) fn check_measurement(m: &Measurement) -> Result<(), (String, String)> {
    if m.candles == 0 {
        return Err((
            "candles".into(),
            "must be at least 1, got 0: a measurement backtests candles".into(),
        ));
    }
    let cps = &m.candles_per_sec;
    if cps.samples.is_empty() {
        return Err((
            "candles_per_sec.samples".into(),
            "is empty: at least one measured repeat is needed".into(),
        ));
    }
    if cps.samples.len() != m.repeats as usize {
        return Err((
            "repeats".into(),
            format!(
                "is {} but `candles_per_sec.samples` holds {}: one sample per measured repeat",
                m.repeats,
                cps.samples.len()
            ),
        ));
    }
    for (i, &s) in cps.samples.iter().enumerate() {
        if !(s.is_finite() && s > 0.0) {
            return Err((
                format!("candles_per_sec.samples[{i}]"),
                format!("must be a positive number, got {s}"),
            ));
        }
        if s > MAX_CANDLES_PER_SEC {
            return Err((
                format!("candles_per_sec.samples[{i}]"),
                format!("is {s:e}: more than {MAX_CANDLES_PER_SEC:e} candles a second is no measurement"),
            ));
        }
    }
    let (lo, hi) = cps
        .samples
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &s| {
            (lo.min(s), hi.max(s))
        });
    let slack = hi * 1e-9;
    for (stat, v) in [
        ("min", cps.min),
        ("median", cps.median),
        ("p95", cps.p95),
        ("mean", cps.mean),
    ] {
        if !(v.is_finite() && lo - slack <= v && v <= hi + slack) {
            return Err((
                format!("candles_per_sec.{stat}"),
                format!("is {v}, outside the samples' range [{lo}, {hi}]: the file was edited or damaged"),
            ));
        }
    }
    if !(cps.stddev.is_finite() && cps.stddev >= 0.0) {
        return Err((
            "candles_per_sec.stddev".into(),
            format!("must be a non-negative number, got {}", cps.stddev),
        ));
    }
    for (key, v) in [
        ("p95_stage_latency_ms", m.p95_stage_latency_ms),
        ("peak_rss_mb", m.peak_rss_mb),
        ("instructions_per_candle", m.instructions_per_candle),
    ] {
        if let Some(v) = v.filter(|v| !(v.is_finite() && *v >= 0.0)) {
            return Err((
                key.into(),
                format!("must be a non-negative number or null, got {v}"),
            ));
        }
        // The history's trends sum these: far below f64's range, a sum of them stays finite.
        if let Some(v) = v.filter(|&v| v > MAX_FIGURE) {
            return Err((
                key.into(),
                format!("is {v:e}: more than {MAX_FIGURE:e} is no measurement"),
            ));
        }
    }
    if let Some(v) = m.peak_rss_mb.filter(|&v| v > MAX_PEAK_RSS_MB) {
        return Err((
            "peak_rss_mb".into(),
            format!("is {v:e}: more than {MAX_PEAK_RSS_MB:e} MiB is no measurement"),
        ));
    }
    let times = m
        .stages
        .iter()
        .flat_map(|(stage, s)| {
            [
                ("p50_ms", s.p50_ms),
                ("p95_ms", s.p95_ms),
                ("max_ms", s.max_ms),
                ("total_ms", s.total_ms),
            ]
            .map(|(key, v)| (format!("stages.{stage}.{key}"), v))
        })
        .chain([
            ("duration_s".to_owned(), m.duration_s),
            ("phases.generation_s".to_owned(), m.phases.generation_s),
            ("phases.warmup_s".to_owned(), m.phases.warmup_s),
            ("phases.measured_s".to_owned(), m.phases.measured_s),
        ]);
    for (key, v) in times {
        if !(v.is_finite() && v >= 0.0) {
            return Err((key, format!("must be a non-negative number, got {v}")));
        }
    }
    if let Err(e) = m.engine.validate() {
        return Err((
            format!("engine.{}", e.key),
            format!("must be {}", e.expected),
        ));
    }
    // The history stores these as SQLite's signed 64-bit integers: a larger one would wrap.
    let trades = m
        .fingerprint
        .as_ref()
        .map(|f| ("fingerprint.trades", f.trades));
    let env = &m.environment;
    for (key, v, most) in [
        ("environment.cores", Some(env.cores as u64), MAX_CORES),
        (
            "environment.memory_mb",
            Some(env.memory_mb),
            MAX_PEAK_RSS_MB as u64,
        ),
        ("fingerprint.trades", trades.map(|t| t.1), i64::MAX as u64),
    ] {
        if let Some(v) = v.filter(|&v| v > most) {
            return Err((
                key.into(),
                format!("is {v}: more than {most} is no measurement"),
            ));
        }
    }
    Ok(())
}

/// The largest file read as a bench.json: 1,000 times what perfsuite writes.
pub(crate) const MAX_FILE_BYTES: u64 = 64 << 20;
/// Throughput no machine reaches: a candle a picosecond.
pub(crate) const MAX_CANDLES_PER_SEC: f64 = 1e12;
/// Peak memory no machine has: a million GiB.
const MAX_PEAK_RSS_MB: f64 = 1e9;
/// Logical cores no machine has.
const MAX_CORES: u64 = 1 << 20;
/// A latency or an instruction count per candle no measurement reaches (31,000 years in ms).
const MAX_FIGURE: f64 = 1e15;
#[cfg(test)]
mod tests;
