//! Scenario files: the raw serde mirror of the TOML ([`raw`]) validated into [`Scenario`]s with
//! every default filled in.
//!
//! A file holds either one scenario at its top level, or a `[defaults]` table and a
//! `[[scenario]]` array whose entries override the defaults key by key (`[engine]` too).

use std::ops::{Range, RangeInclusive};
use std::path::PathBuf;

use serde::Serialize;
use toml::Spanned;

use super::error::{ConfigError, Source};
use super::inputs;
use super::measure::{measure, Measure};
use super::name::{valid_name, valid_symbol, NAME_RULE, SYMBOL_RULE};
use crate::engine::fingerprint::fnv1a_bytes;
use crate::engine::settings::EngineSettings;
use crate::external::ExternalCommand;
use crate::sampling::AutoRepeats;
use raw::{RawEngine, RawScenario};

mod raw;
#[cfg(test)]
mod tests;

/// Seed of the candle generator when a scenario sets none.
pub const DEFAULT_SEED: u64 = 1337;
/// Measured repeats when a scenario sets none.
pub const DEFAULT_REPEATS: u32 = 3;
/// Uncounted warm-up runs when a scenario sets none.
pub const DEFAULT_WARMUP: u32 = 1;
/// Symbol of the candle series when a scenario sets none.
pub const DEFAULT_SYMBOL: &str = "BTCUSDT";
/// Budget profile when a scenario names none.
pub const DEFAULT_BUDGET: &str = "default";

/// Candles a run may backtest.
pub const CANDLES: RangeInclusive<i64> = 1..=100_000_000;
/// Measured repeats a scenario may ask for (and the bounds of `repeats = "auto"`).
pub const REPEATS: RangeInclusive<i64> = 1..=10_000;
/// Uncounted warm-up runs a scenario may ask for.
pub const WARMUP: RangeInclusive<i64> = 0..=10_000;
const SEED: RangeInclusive<i64> = 0..=i64::MAX;

/// A validated scenario with every default filled in.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scenario {
    /// Unique within a suite; the file stem unless the file names it.
    pub name: String,
    /// What the scenario is for.
    pub description: Option<String>,
    /// Candles per run. `None` only with `data`: every row of the file.
    pub candles: Option<u64>,
    /// Seed of the candle generator.
    pub seed: u64,
    /// Measured repeats, at least 1; with `repeats = "auto"`, the most it may take
    /// (`max_repeats`).
    pub repeats: u32,
    /// The bounds of `repeats = "auto"`; `None` for a fixed count.
    pub auto: Option<AutoRepeats>,
    /// Uncounted warm-up runs.
    pub warmup: u32,
    /// Symbol of the candle series.
    pub symbol: String,
    /// Name of the budget profile that judges it.
    pub budget: String,
    /// Time limit for the whole scenario, in seconds.
    pub timeout_s: Option<f64>,
    /// Every engine setting, validated.
    pub engine: EngineSettings,
    /// A candle file to backtest instead of generated candles, resolved against the scenario
    /// file's folder.
    pub data: Option<PathBuf>,
    /// An external backtester run instead of the built-in engine.
    pub command: Option<ExternalCommand>,
    /// What is measured besides wall time.
    pub measure: Measure,
    /// The file it came from.
    pub source: PathBuf,
}

impl Scenario {
    /// 16 hex digits identifying the work the scenario does: FNV-1a over the JSON of candles,
    /// seed, symbol, engine settings and, where set, the external command line and the digest
    /// of the candles read from `data` (`data_digest`, known once the file is read). Repeats,
    /// warm-up, budget, time limit and description change how the work is measured or judged,
    /// not the work, so they are left out.
    pub fn config_digest(&self, data_digest: Option<&str>) -> String {
        let work = (self.candles, self.seed, &self.symbol, &self.engine);
        let mut json = serde_json::to_vec(&work).expect("plain numbers and strings serialize");
        if data_digest.is_some() || self.command.is_some() {
            let argv = self.command.as_ref().map(|c| &c.argv);
            let inputs = serde_json::to_vec(&(data_digest, argv)).expect("strings serialize");
            json.extend_from_slice(&inputs);
        }
        format!("{:016x}", fnv1a_bytes(&json))
    }
}

/// A scenario as validated from one file, with where its name and budget were written, for the
/// checks that need the whole suite (duplicate names, unknown profiles).
#[derive(Debug)]
pub(crate) struct Parsed {
    pub scenario: Scenario,
    /// Span of `name`; `None` when the name is the file stem.
    pub name_span: Option<Range<usize>>,
    /// Span of `budget`; `None` when it is the default.
    pub budget_span: Option<Range<usize>>,
}

/// Parses and validates every scenario in one file.
pub(crate) fn parse_file(src: &Source) -> Result<Vec<Parsed>, ConfigError> {
    let mut raw: RawScenario = src.parse()?;
    let defaults = raw.defaults.take();
    let entries = raw.scenario.take();
    let Some(entries) = entries.filter(|e| !e.get_ref().is_empty()) else {
        if let Some(defaults) = defaults {
            return Err(src.error_at(
                defaults.span(),
                "`[defaults]` applies to `[[scenario]]` entries, and this file has none",
            ));
        }
        if raw.candles.is_none() && raw.data.is_none() {
            return Err(src.error(
                "no scenario here: set `candles` (or `data`) at the top level for one scenario, \
                 or list scenarios as `[[scenario]]` entries",
            ));
        }
        return Ok(vec![validate(src, raw)?]);
    };
    if let Some((key, span)) = raw.first_scenario_key() {
        return Err(src.value_error(
            span,
            key,
            "cannot sit at the top level of a file with `[[scenario]]` entries: \
             put shared settings under `[defaults]`",
        ));
    }
    let defaults = match defaults {
        Some(d) => nested_only(src, *d.into_inner(), "[defaults]")?,
        None => RawScenario::default(),
    };
    if let Some(name) = &defaults.name {
        return Err(src.value_error(
            name.span(),
            "name",
            "cannot be a default: each `[[scenario]]` entry names itself",
        ));
    }
    let mut parsed = Vec::new();
    for entry in entries.into_inner() {
        let span = entry.span();
        let entry = nested_only(src, entry.into_inner(), "[[scenario]] entries")?;
        if entry.name.is_none() {
            return Err(src.error_at(span, "this `[[scenario]]` entry needs a `name`"));
        }
        parsed.push(validate(src, entry.or(&defaults))?);
    }
    Ok(parsed)
}

/// Rejects `defaults` and `scenario` below the top level of a file.
fn nested_only(src: &Source, raw: RawScenario, place: &str) -> Result<RawScenario, ConfigError> {
    let nested = raw.defaults.as_ref().map(|d| ("defaults", d.span()));
    match nested.or_else(|| raw.scenario.as_ref().map(|s| ("scenario", s.span()))) {
        Some((key, span)) => Err(src.value_error(
            span,
            key,
            format_args!("is not allowed in {place}, only at the top of the file"),
        )),
        None => Ok(raw),
    }
}

/// The file stem, as the name of a scenario that sets none.
fn stem_name(src: &Source) -> Result<String, ConfigError> {
    let stem = src.path.file_stem().unwrap_or_default();
    match stem.to_str() {
        Some(name) if valid_name(name) => Ok(name.to_owned()),
        // Shown escaped: a stem that is not UTF-8 was shown as "" (its bytes as `\xNN` now).
        _ => Err(src.error(format!(
            "the file name \"{}\" is no valid scenario name: set `name`, {NAME_RULE}",
            crate::output::escape::shown(std::path::Path::new(stem))
        ))),
    }
}

/// One scenario, defaults filled in and every range checked. Without a `name` (only a
/// top-level scenario may lack one) it is named after its file.
fn validate(src: &Source, raw: RawScenario) -> Result<Parsed, ConfigError> {
    let name_span = raw.name.as_ref().map(Spanned::span);
    let name = match raw.name.clone() {
        Some(name) if !valid_name(name.get_ref()) => {
            let got = name.get_ref();
            return Err(src.value_error(
                name.span(),
                "name",
                format_args!("must be {NAME_RULE}, got {got:?}"),
            ));
        }
        Some(name) => name.into_inner(),
        None => stem_name(src)?,
    };
    let data = inputs::data(src, raw.data.as_ref())?;
    if raw.candles.is_none() && data.is_none() {
        let rule = format!(
            "scenario `{name}` needs `candles`: how many candles each run backtests, {} to {} \
             (or `data`: a candle file to backtest)",
            CANDLES.start(),
            CANDLES.end()
        );
        return Err(src.error_near(name_span, rule));
    }
    let candles = opt_in_range(src, raw.candles.as_ref(), "candles", CANDLES)?;
    let seed =
        // cannot panic: SEED bounds seed to 0..=i64::MAX, so `as u64` is exact.
        opt_in_range(src, raw.seed.as_ref(), "seed", SEED)?.map_or(DEFAULT_SEED, |v| v as u64);
    let (repeats, auto) = repeats(src, &raw)?;
    let warmup = opt_in_range(src, raw.warmup.as_ref(), "warmup", WARMUP)?
        // cannot panic: WARMUP bounds warmup to 0..=10,000, so `as u32` is exact.
        .map_or(DEFAULT_WARMUP, |v| v as u32);
    let symbol = match raw.symbol {
        Some(s) if !valid_symbol(s.get_ref()) => {
            let got = s.get_ref();
            return Err(src.value_error(
                s.span(),
                "symbol",
                format_args!("must be {SYMBOL_RULE}, got {got:?}"),
            ));
        }
        Some(s) => s.into_inner(),
        None => DEFAULT_SYMBOL.to_owned(),
    };
    let timeout_s = match raw.timeout_s {
        Some(t) if !(t.get_ref().is_finite() && *t.get_ref() > 0.0) => {
            let got = t.get_ref();
            return Err(src.value_error(
                t.span(),
                "timeout_s",
                format_args!("must be a finite number of seconds greater than 0, got {got}"),
            ));
        }
        t => t.map(Spanned::into_inner),
    };
    let engine = engine(src, raw.engine.as_ref())?;
    let raw_engine = raw.engine.as_ref().map(Spanned::get_ref);
    let command = inputs::command(
        src,
        raw_engine.and_then(|e| e.command.as_ref()),
        raw_engine.and_then(RawEngine::first_builtin_key),
    )?;
    let measure = measure(src, raw.measure.as_ref(), raw.instruction_repeats.as_ref())?;
    let budget_span = raw.budget.as_ref().map(Spanned::span);
    Ok(Parsed {
        scenario: Scenario {
            name,
            description: raw.description.map(Spanned::into_inner),
            // cannot panic: CANDLES bounds candles to 1..=1e8, so `as u64` is exact.
            candles: candles.map(|v| v as u64),
            seed,
            repeats,
            auto,
            warmup,
            symbol,
            budget: raw
                .budget
                .map_or_else(|| DEFAULT_BUDGET.to_owned(), Spanned::into_inner),
            timeout_s,
            engine,
            data,
            command,
            measure,
            source: src.path.to_owned(),
        },
        name_span,
        budget_span,
    })
}

/// `repeats` and, for `repeats = "auto"`, its bounds: `(max repeats, bounds)`. The bounds are
/// refused beside a fixed count, where they would silently do nothing.
fn repeats(src: &Source, raw: &RawScenario) -> Result<(u32, Option<AutoRepeats>), ConfigError> {
    let auto = match &raw.repeats {
        None => false,
        Some(v) => match v.get_ref() {
            toml::Value::String(word) if word == "auto" => true,
            toml::Value::Integer(n) => {
                let n = in_range(src, &Spanned::new(v.span(), *n), "repeats", REPEATS)?;
                if let Some((key, span)) = raw.auto_key() {
                    return Err(src.value_error(
                        span,
                        key,
                        format_args!("applies only with repeats = \"auto\", not repeats = {n}"),
                    ));
                }
                // cannot panic: in_range bounds n to REPEATS (1..=10,000), so `as u32` is exact.
                return Ok((n as u32, None));
            }
            other => {
                return Err(src.value_error(
                    v.span(),
                    "repeats",
                    format_args!(
                        "must be a whole number from 1 to {} or \"auto\", got {other}",
                        REPEATS.end()
                    ),
                ))
            }
        },
    };
    if !auto {
        if let Some((key, span)) = raw.auto_key() {
            return Err(src.value_error(span, key, "applies only with repeats = \"auto\""));
        }
        return Ok((DEFAULT_REPEATS, None));
    }
    let defaults = AutoRepeats::default();
    let min = opt_in_range(src, raw.min_repeats.as_ref(), "min_repeats", REPEATS)?
        // cannot panic: REPEATS bounds both to 1..=10,000, so `as u32` is exact.
        .map_or(defaults.min_repeats, |v| v as u32);
    let max = opt_in_range(src, raw.max_repeats.as_ref(), "max_repeats", REPEATS)?
        .map_or(defaults.max_repeats.max(min), |v| v as u32);
    if max < min {
        let span = raw
            .max_repeats
            .as_ref()
            .or(raw.min_repeats.as_ref())
            .map(Spanned::span);
        let message = format!("`max_repeats` ({max}) must be at least `min_repeats` ({min})");
        return Err(match span {
            Some(span) => src.error_at(span, message),
            None => src.error(message),
        });
    }
    let positive = |v: &Option<Spanned<f64>>, key: &str, default: f64| match v {
        Some(t) if !(t.get_ref().is_finite() && *t.get_ref() > 0.0) => Err(src.value_error(
            t.span(),
            key,
            format_args!(
                "must be a finite number greater than 0, got {}",
                t.get_ref()
            ),
        )),
        Some(t) => Ok(*t.get_ref()),
        None => Ok(default),
    };
    let auto = AutoRepeats {
        min_repeats: min,
        max_repeats: max,
        max_time_s: positive(&raw.max_time_s, "max_time_s", defaults.max_time_s)?,
        precision_pct: positive(&raw.precision_pct, "precision_pct", defaults.precision_pct)?,
    };
    Ok((max, Some(auto)))
}

fn in_range(
    src: &Source,
    v: &Spanned<i64>,
    key: &str,
    range: RangeInclusive<i64>,
) -> Result<i64, ConfigError> {
    let got = *v.get_ref();
    if got < *range.start() {
        Err(src.value_error(
            v.span(),
            key,
            format_args!("must be at least {}, got {got}", range.start()),
        ))
    } else if got > *range.end() {
        Err(src.value_error(
            v.span(),
            key,
            format_args!("must be at most {}, got {got}", range.end()),
        ))
    } else {
        Ok(got)
    }
}

fn opt_in_range(
    src: &Source,
    v: Option<&Spanned<i64>>,
    key: &str,
    range: RangeInclusive<i64>,
) -> Result<Option<i64>, ConfigError> {
    v.map(|v| in_range(src, v, key, range)).transpose()
}

/// The engine's defaults overlaid with `[engine]`, validated. An invalid setting is reported at
/// its key, or at the `[engine]` table when the offender is a default the table did not set
/// (`ema_slow` when only `ema_fast` was raised past it).
fn engine(src: &Source, raw: Option<&Spanned<RawEngine>>) -> Result<EngineSettings, ConfigError> {
    let Some(raw) = raw else {
        return Ok(EngineSettings::default());
    };
    let settings = raw.get_ref().settings();
    let Err(invalid) = settings.validate() else {
        return Ok(settings);
    };
    let key = invalid.key;
    let expected = invalid.expected;
    Err(match raw.get_ref().span_of(key) {
        Some(span) => {
            let got = src.text.get(span.clone()).unwrap_or_default();
            src.value_error(
                span,
                &format!("engine.{key}"),
                format_args!("must be {expected}, got {got}"),
            )
        }
        None => {
            let default = serde_json::to_value(EngineSettings::default())
                .ok()
                .and_then(|v| v.get(key).map(ToString::to_string))
                .unwrap_or_default();
            src.error_at(
                raw.span(),
                format!(
                    "`engine.{key}` must be {expected}, got its default {default}: set `{key}` too"
                ),
            )
        }
    })
}
