//! Scenario files: a raw serde mirror of the TOML, and its validation into [`Scenario`]s with
//! every default filled in.
//!
//! A file holds either one scenario at its top level, or a `[defaults]` table and a
//! `[[scenario]]` array whose entries override the defaults key by key (`[engine]` too).

use std::convert::identity;
use std::ops::{Range, RangeInclusive};
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::error::{ConfigError, Source};
use super::inputs;
use super::measure::{measure, Measure};
use crate::engine::fingerprint::fnv1a_bytes;
use crate::engine::settings::EngineSettings;
use crate::external::ExternalCommand;
use crate::sampling::AutoRepeats;

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

const CANDLES: RangeInclusive<i64> = 1..=100_000_000;
const REPEATS: RangeInclusive<i64> = 1..=10_000;
const WARMUP: RangeInclusive<i64> = 0..=10_000;
const SEED: RangeInclusive<i64> = 0..=i64::MAX;
const MAX_NAME_LEN: usize = 100;
const MAX_SYMBOL_LEN: usize = 32;

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

/// The keys of a scenario as written. `defaults` and `scenario` are meaningful only at the top
/// of a file; elsewhere they are rejected by [`parse_file`].
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    name: Option<Spanned<String>>,
    description: Option<Spanned<String>>,
    candles: Option<Spanned<i64>>,
    seed: Option<Spanned<i64>>,
    repeats: Option<Spanned<toml::Value>>,
    min_repeats: Option<Spanned<i64>>,
    max_repeats: Option<Spanned<i64>>,
    max_time_s: Option<Spanned<f64>>,
    precision_pct: Option<Spanned<f64>>,
    warmup: Option<Spanned<i64>>,
    symbol: Option<Spanned<String>>,
    budget: Option<Spanned<String>>,
    timeout_s: Option<Spanned<f64>>,
    data: Option<Spanned<String>>,
    engine: Option<Spanned<RawEngine>>,
    measure: Option<Spanned<Vec<Spanned<String>>>>,
    instruction_repeats: Option<Spanned<i64>>,
    defaults: Option<Spanned<Box<RawScenario>>>,
    scenario: Option<Spanned<Vec<Spanned<RawScenario>>>>,
}

impl RawScenario {
    /// This entry, with the keys it lacks taken from `defaults`; `[engine]` merges key by key.
    fn or(self, defaults: &RawScenario) -> RawScenario {
        let engine = match (self.engine, &defaults.engine) {
            (Some(own), Some(shared)) => {
                let span = own.span();
                Some(Spanned::new(span, own.into_inner().or(shared.get_ref())))
            }
            (own, shared) => own.or_else(|| shared.clone()),
        };
        RawScenario {
            name: self.name,
            description: self.description.or_else(|| defaults.description.clone()),
            candles: self.candles.or_else(|| defaults.candles.clone()),
            seed: self.seed.or_else(|| defaults.seed.clone()),
            repeats: self.repeats.or_else(|| defaults.repeats.clone()),
            min_repeats: self.min_repeats.or_else(|| defaults.min_repeats.clone()),
            max_repeats: self.max_repeats.or_else(|| defaults.max_repeats.clone()),
            max_time_s: self.max_time_s.or_else(|| defaults.max_time_s.clone()),
            precision_pct: self
                .precision_pct
                .or_else(|| defaults.precision_pct.clone()),
            warmup: self.warmup.or_else(|| defaults.warmup.clone()),
            symbol: self.symbol.or_else(|| defaults.symbol.clone()),
            budget: self.budget.or_else(|| defaults.budget.clone()),
            timeout_s: self.timeout_s.or_else(|| defaults.timeout_s.clone()),
            data: self.data.or_else(|| defaults.data.clone()),
            engine,
            measure: self.measure.or_else(|| defaults.measure.clone()),
            instruction_repeats: self
                .instruction_repeats
                .or_else(|| defaults.instruction_repeats.clone()),
            defaults: None,
            scenario: None,
        }
    }

    /// The first key of `repeats = "auto"` set here, with its span.
    fn auto_key(&self) -> Option<(&'static str, Range<usize>)> {
        fn at<T>(
            key: &'static str,
            v: &Option<Spanned<T>>,
        ) -> Option<(&'static str, Range<usize>)> {
            v.as_ref().map(|v| (key, v.span()))
        }
        at("min_repeats", &self.min_repeats)
            .or_else(|| at("max_repeats", &self.max_repeats))
            .or_else(|| at("max_time_s", &self.max_time_s))
            .or_else(|| at("precision_pct", &self.precision_pct))
    }

    /// The first scenario key set here, with its span: what may not sit beside `[[scenario]]`.
    fn first_scenario_key(&self) -> Option<(&'static str, Range<usize>)> {
        fn at<T>(
            key: &'static str,
            v: &Option<Spanned<T>>,
        ) -> Option<(&'static str, Range<usize>)> {
            v.as_ref().map(|v| (key, v.span()))
        }
        at("name", &self.name)
            .or_else(|| at("description", &self.description))
            .or_else(|| at("candles", &self.candles))
            .or_else(|| at("seed", &self.seed))
            .or_else(|| at("repeats", &self.repeats))
            .or_else(|| at("min_repeats", &self.min_repeats))
            .or_else(|| at("max_repeats", &self.max_repeats))
            .or_else(|| at("max_time_s", &self.max_time_s))
            .or_else(|| at("precision_pct", &self.precision_pct))
            .or_else(|| at("warmup", &self.warmup))
            .or_else(|| at("symbol", &self.symbol))
            .or_else(|| at("budget", &self.budget))
            .or_else(|| at("timeout_s", &self.timeout_s))
            .or_else(|| at("data", &self.data))
            .or_else(|| at("engine", &self.engine))
            .or_else(|| at("measure", &self.measure))
            .or_else(|| at("instruction_repeats", &self.instruction_repeats))
    }
}

/// Generates [`RawEngine`], the `[engine]` table as written, from the list of
/// [`EngineSettings`] fields: every key optional and spanned. TOML integers are `i64`; they are
/// converted into the setting's type saturating, and `EngineSettings::validate` (which bounds
/// every integer setting well inside its type) rejects what saturated, in its own words.
macro_rules! raw_engine {
    ($($key:ident: $raw:ty => $into:expr),* $(,)?) => {
        /// The `[engine]` table as written.
        #[derive(Debug, Default, Clone, Deserialize)]
        #[serde(deny_unknown_fields)]
        struct RawEngine {
            command: Option<Spanned<Vec<Spanned<String>>>>,
            $($key: Option<Spanned<$raw>>,)*
        }

        impl RawEngine {
            /// These keys, with the ones missing taken from `shared`.
            fn or(self, shared: &RawEngine) -> RawEngine {
                RawEngine {
                    command: self.command.or_else(|| shared.command.clone()),
                    $($key: self.$key.or_else(|| shared.$key.clone()),)*
                }
            }

            /// The first setting of the built-in engine set here, with its span.
            fn first_builtin_key(&self) -> Option<(&'static str, Range<usize>)> {
                $(if let Some(v) = &self.$key {
                    return Some((stringify!($key), v.span()));
                })*
                None
            }

            /// The engine's defaults with every key set here applied.
            fn settings(&self) -> EngineSettings {
                let mut settings = EngineSettings::default();
                $(if let Some(v) = &self.$key {
                    settings.$key = $into(*v.get_ref());
                })*
                settings
            }

            /// The span of `key` where it is set here.
            fn span_of(&self, key: &str) -> Option<Range<usize>> {
                match key {
                    $(stringify!($key) => self.$key.as_ref().map(Spanned::span),)*
                    _ => None,
                }
            }
        }
    };
}

raw_engine! {
    batch_size: i64 => saturate_usize,
    ema_fast: i64 => saturate_u32,
    ema_slow: i64 => saturate_u32,
    rsi_period: i64 => saturate_u32,
    rsi_overbought: f64 => identity,
    atr_period: i64 => saturate_u32,
    risk_per_trade: f64 => identity,
    stop_atr_multiple: f64 => identity,
    max_exposure: f64 => identity,
    slippage_bps: f64 => identity,
    commission_bps: f64 => identity,
    initial_cash: f64 => identity,
}

fn saturate_u32(v: i64) -> u32 {
    u32::try_from(v.max(0)).unwrap_or(u32::MAX)
}

fn saturate_usize(v: i64) -> usize {
    usize::try_from(v.max(0)).unwrap_or(usize::MAX)
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
    let stem = src
        .path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    if !valid_name(stem) {
        return Err(src.error(format!(
            "the file name {stem:?} is no valid scenario name: set `name`, \
             {NAME_RULE}"
        )));
    }
    Ok(stem.to_owned())
}

/// Names a scenario cannot take: the files of a results folder beside the scenarios' folders
/// (`results::folder` checks that they match its file names).
pub const RESERVED_NAMES: [&str; 2] = ["summary.json", "summary.md"];

const NAME_RULE: &str = "1 to 100 ASCII letters, digits, `-`, `_` or `.`, not starting with `.`, \
     without `..`, and not `summary.json` or `summary.md` (file names of the results folder)";

/// Scenario names become folder names under `--out`, so they must not be paths. `..` anywhere
/// is refused too, as `compare` refuses it in a result file: a name that runs must also compare.
fn valid_name(name: &str) -> bool {
    (1..=MAX_NAME_LEN).contains(&name.len())
        && !name.starts_with('.')
        && !name.contains("..")
        && !RESERVED_NAMES.contains(&name)
        && plain(name)
}

fn valid_symbol(symbol: &str) -> bool {
    (1..=MAX_SYMBOL_LEN).contains(&symbol.len()) && plain(symbol)
}

/// Only ASCII letters, digits, `-`, `_` and `.`.
fn plain(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
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
        opt_in_range(src, raw.seed.as_ref(), "seed", SEED)?.map_or(DEFAULT_SEED, |v| v as u64);
    let (repeats, auto) = repeats(src, &raw)?;
    let warmup = opt_in_range(src, raw.warmup.as_ref(), "warmup", WARMUP)?
        .map_or(DEFAULT_WARMUP, |v| v as u32);
    let symbol = match raw.symbol {
        Some(s) if !valid_symbol(s.get_ref()) => {
            let got = s.get_ref();
            return Err(src.value_error(
                s.span(),
                "symbol",
                format_args!("must be 1 to 32 ASCII letters, digits, `-`, `_` or `.`, got {got:?}"),
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

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    /// The scenarios of a file `scenarios/x.toml` holding `text`, or its error as displayed.
    fn parse(text: &str) -> Result<Vec<Scenario>, String> {
        let src = Source::new(Path::new("scenarios/x.toml"), text);
        parse_file(&src)
            .map(|v| v.into_iter().map(|p| p.scenario).collect())
            .map_err(|e| e.to_string())
    }

    fn one(text: &str) -> Scenario {
        let mut all = parse(text).unwrap();
        assert_eq!(all.len(), 1);
        all.remove(0)
    }

    #[test]
    fn a_scenario_with_only_candles_gets_every_default() {
        let s = one("candles = 50000\n");
        assert_eq!(
            s,
            Scenario {
                name: "x".into(),
                description: None,
                candles: Some(50_000),
                seed: 1337,
                repeats: 3,
                auto: None,
                warmup: 1,
                symbol: "BTCUSDT".into(),
                budget: "default".into(),
                timeout_s: None,
                engine: EngineSettings::default(),
                data: None,
                command: None,
                measure: Measure::default(),
                source: "scenarios/x.toml".into(),
            }
        );
    }

    #[test]
    fn every_key_is_read_into_its_field() {
        let s = one(
            "name = 'btc-1m'\ndescription = 'big'\ncandles = 1000000\nseed = 7\nrepeats = 5\nwarmup = 0\n\
             symbol = 'ETH-USD_1.x'\nbudget = 'strict'\ntimeout_s = 600\n[engine]\nbatch_size = 512\n",
        );
        assert_eq!(
            (
                s.name.as_str(),
                s.description.as_deref(),
                s.candles,
                s.seed,
                s.repeats,
                s.warmup
            ),
            ("btc-1m", Some("big"), Some(1_000_000), 7, 5, 0)
        );
        assert_eq!(
            (s.symbol.as_str(), s.budget.as_str(), s.timeout_s),
            ("ETH-USD_1.x", "strict", Some(600.0))
        );
        assert_eq!(
            s.engine,
            EngineSettings {
                batch_size: 512,
                ..EngineSettings::default()
            }
        );
    }

    #[test]
    fn every_engine_setting_can_be_set_in_a_scenario_file() {
        let wanted = EngineSettings {
            batch_size: 100,
            ema_fast: 5,
            ema_slow: 9,
            rsi_period: 7,
            rsi_overbought: 80.0,
            atr_period: 21,
            risk_per_trade: 0.02,
            stop_atr_multiple: 3.0,
            max_exposure: 0.5,
            slippage_bps: 1.5,
            commission_bps: 2.5,
            initial_cash: 5000.0,
        };
        let table = toml::to_string(&wanted).unwrap();
        assert_eq!(
            one(&format!("candles = 10\n[engine]\n{table}")).engine,
            wanted
        );
    }

    #[test]
    fn defaults_apply_to_every_entry_and_entries_override_them_key_by_key() {
        let all = parse(
            "[defaults]\ncandles = 1000\nrepeats = 5\nsymbol = 'ETHUSDT'\n\
             [defaults.engine]\nbatch_size = 256\nema_fast = 5\n\
             [[scenario]]\nname = 'a'\n\
             [[scenario]]\nname = 'b'\ncandles = 2000\n[scenario.engine]\nema_fast = 8\n",
        )
        .unwrap();
        let summary: Vec<_> = all
            .iter()
            .map(|s| (s.name.as_str(), s.candles, s.repeats, s.symbol.as_str()))
            .collect();
        assert_eq!(
            summary,
            [
                ("a", Some(1000), 5, "ETHUSDT"),
                ("b", Some(2000), 5, "ETHUSDT")
            ]
        );
        assert_eq!((all[0].engine.batch_size, all[0].engine.ema_fast), (256, 5));
        assert_eq!((all[1].engine.batch_size, all[1].engine.ema_fast), (256, 8));
        assert_eq!(all[1].engine.ema_slow, EngineSettings::default().ema_slow);
    }

    #[test]
    fn a_file_with_neither_candles_nor_scenarios_says_so() {
        let err = parse("seed = 1\n").unwrap_err();
        assert!(
            err.starts_with("scenarios/x.toml: no scenario here: set `candles`"),
            "{err}"
        );
        assert!(parse("").unwrap_err().contains("no scenario here"));
    }

    #[test]
    fn out_of_range_values_name_the_key_the_value_and_the_range() {
        let cases = [
            ("candles = 10\nrepeats = 0\n", "scenarios/x.toml:2:11: `repeats` must be at least 1, got 0"),
            ("candles = 0\n", "scenarios/x.toml:1:11: `candles` must be at least 1, got 0"),
            ("candles = 100000001\n", "scenarios/x.toml:1:11: `candles` must be at most 100000000, got 100000001"),
            ("candles = 1\nwarmup = -1\n", "scenarios/x.toml:2:10: `warmup` must be at least 0, got -1"),
            ("candles = 1\nwarmup = 10001\n", "scenarios/x.toml:2:10: `warmup` must be at most 10000, got 10001"),
            ("candles = 1\nrepeats = 10001\n", "scenarios/x.toml:2:11: `repeats` must be at most 10000, got 10001"),
            ("candles = 1\nseed = -5\n", "scenarios/x.toml:2:8: `seed` must be at least 0, got -5"),
            (
                "candles = 1\ntimeout_s = 0\n",
                "scenarios/x.toml:2:13: `timeout_s` must be a finite number of seconds greater than 0, got 0",
            ),
            (
                "candles = 1\ntimeout_s = nan\n",
                "scenarios/x.toml:2:13: `timeout_s` must be a finite number of seconds greater than 0, got NaN",
            ),
            (
                "candles = 1\nsymbol = ''\n",
                "scenarios/x.toml:2:10: `symbol` must be 1 to 32 ASCII letters, digits, `-`, `_` or `.`, got \"\"",
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(parse(text).unwrap_err(), expected, "{text}");
        }
        assert!(parse("candles = 1\nsymbol = 'BTC/USDT'\n")
            .unwrap_err()
            .contains("`symbol`"));
        assert!(
            parse(&format!("candles = 1\nsymbol = '{}'\n", "A".repeat(33)))
                .unwrap_err()
                .contains("`symbol`")
        );
    }

    #[test]
    fn names_that_could_be_paths_are_rejected() {
        for bad in [
            "../x",
            "..",
            "a..b",
            "/abs",
            "a/b",
            "a\\\\b",
            ".hidden",
            "a\\u0001b",
            "line\\nbreak",
            "",
            "a b",
            &"n".repeat(101),
        ] {
            let err = parse(&format!("name = \"{bad}\"\ncandles = 1\n")).unwrap_err();
            assert!(
                err.starts_with("scenarios/x.toml:1:8: `name` must be 1 to 100 ASCII letters"),
                "{bad}: {err}"
            );
        }
        assert_eq!(
            one(&format!("name = '{}'\ncandles = 1\n", "n".repeat(100)))
                .name
                .len(),
            100
        );
        assert_eq!(one("name = 'v1.2_b-3'\ncandles = 1\n").name, "v1.2_b-3");
    }

    #[test]
    fn a_file_name_that_is_no_valid_name_asks_for_a_name() {
        let src = Source::new(Path::new("scenarios/my scenario.toml"), "candles = 1\n");
        let err = parse_file(&src).unwrap_err().to_string();
        assert!(err.starts_with("scenarios/my scenario.toml: the file name \"my scenario\" is no valid scenario name: set `name`"), "{err}");
        let named = Source::new(
            Path::new("scenarios/my scenario.toml"),
            "name = 'mine'\ncandles = 1\n",
        );
        assert_eq!(parse_file(&named).unwrap()[0].scenario.name, "mine");
    }

    #[test]
    fn an_invalid_engine_setting_is_reported_at_its_key_in_the_engines_words() {
        assert_eq!(
            parse("candles = 1\n[engine]\nbatch_size = 0\n").unwrap_err(),
            "scenarios/x.toml:3:14: `engine.batch_size` must be between 1 and 100000000, got 0"
        );
        assert_eq!(
            parse("[defaults]\ncandles = 1\n[defaults.engine]\nmax_exposure = 1.5\n[[scenario]]\nname = 'a'\n").unwrap_err(),
            "scenarios/x.toml:4:16: `defaults.engine.max_exposure` must be greater than 0 and at most 1, got 1.5"
        );
    }

    #[test]
    fn integer_engine_settings_outside_their_type_are_rejected_not_wrapped() {
        for key in [
            "batch_size",
            "ema_fast",
            "ema_slow",
            "rsi_period",
            "atr_period",
        ] {
            for value in ["-1", "1099511627776"] {
                let err = parse(&format!("candles = 1\n[engine]\n{key} = {value}\n")).unwrap_err();
                assert!(err.starts_with("scenarios/x.toml:3:"), "{err}");
                assert!(
                    err.contains(&format!("`engine.{key}` must be "))
                        && err.ends_with(&format!("got {value}")),
                    "{err}"
                );
            }
        }
    }

    #[test]
    fn an_engine_default_made_invalid_by_another_key_is_reported_at_the_engine_table() {
        assert_eq!(
            parse("candles = 1\n[engine]\nema_fast = 30\n").unwrap_err(),
            "scenarios/x.toml:2:1: `engine.ema_slow` must be greater than ema_fast (30) and at most 100000, \
             got its default 26: set `ema_slow` too"
        );
    }

    #[test]
    fn scenario_keys_beside_scenario_entries_are_rejected() {
        let err = parse("candles = 1\n[[scenario]]\nname = 'a'\n").unwrap_err();
        assert!(
            err.starts_with("scenarios/x.toml:1:11: `candles` cannot sit at the top level"),
            "{err}"
        );
        assert!(
            err.ends_with("put shared settings under `[defaults]`"),
            "{err}"
        );
    }

    #[test]
    fn each_scenario_entry_names_itself() {
        let err = parse("[[scenario]]\ncandles = 1\n").unwrap_err();
        assert_eq!(
            err,
            "scenarios/x.toml:1:1: this `[[scenario]]` entry needs a `name`"
        );
        let err =
            parse("[defaults]\nname = 'a'\ncandles = 1\n[[scenario]]\nname = 'b'\n").unwrap_err();
        assert!(
            err.starts_with("scenarios/x.toml:2:8: `defaults.name` cannot be a default"),
            "{err}"
        );
    }

    #[test]
    fn defaults_without_entries_and_nested_entries_are_rejected() {
        let err = parse("candles = 1\n[defaults]\nseed = 1\n").unwrap_err();
        assert!(
            err.starts_with("scenarios/x.toml:2:1: `[defaults]` applies to `[[scenario]]` entries"),
            "{err}"
        );
        let err =
            parse("[[scenario]]\nname = 'a'\ncandles = 1\n[[scenario.scenario]]\nname = 'b'\n")
                .unwrap_err();
        assert!(
            err.starts_with(
                "scenarios/x.toml:4:1: `scenario` is not allowed in [[scenario]] entries"
            ),
            "{err}"
        );
    }

    #[test]
    fn a_missing_candles_names_the_scenario() {
        let err = parse("[[scenario]]\nname = 'a'\nseed = 2\n").unwrap_err();
        assert_eq!(err, "scenarios/x.toml:2:8: scenario `a` needs `candles`: how many candles each run backtests, 1 to 100000000 (or `data`: a candle file to backtest)");
    }

    #[test]
    fn measure_lists_wall_and_optionally_instructions() {
        let s = one("candles = 1\nmeasure = ['wall', 'instructions']\ninstruction_repeats = 3\n");
        assert_eq!(
            s.measure,
            Measure {
                instructions: true,
                instruction_repeats: 3
            }
        );
        assert_eq!(
            one("candles = 1\nmeasure = ['wall']\n").measure,
            Measure::default()
        );
        let all = parse(
            "[defaults]\ncandles = 1\nmeasure = ['wall', 'instructions']\n\
             [[scenario]]\nname = 'a'\n[[scenario]]\nname = 'b'\nmeasure = ['wall']\n",
        )
        .unwrap();
        assert!(all[0].measure.instructions && !all[1].measure.instructions);
    }

    #[test]
    fn a_bad_measure_names_the_value_and_what_is_valid() {
        let cases = [
            (
                "candles = 1\nmeasure = ['wall', 'cycles']\n",
                "scenarios/x.toml:2:20: `measure` lists \"cycles\", which is no measurement: use \"wall\" and \"instructions\"",
            ),
            (
                "candles = 1\nmeasure = ['wall', 'wall']\n",
                "scenarios/x.toml:2:20: `measure` lists \"wall\" twice",
            ),
            (
                "candles = 1\nmeasure = ['instructions']\n",
                "scenarios/x.toml:2:11: `measure` must list \"wall\": wall time is the metric of record and always measured, e.g. measure = [\"wall\", \"instructions\"]",
            ),
            (
                "candles = 1\ninstruction_repeats = 0\n",
                "scenarios/x.toml:2:23: `instruction_repeats` must be between 1 and 100, got 0",
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(parse(text).unwrap_err(), expected, "{text}");
        }
    }

    #[test]
    fn the_config_digest_changes_with_the_work_and_only_with_the_work() {
        let base = one("candles = 1000\n");
        let digest = base.config_digest(None);
        assert_eq!(digest.len(), 16);
        assert!(digest.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_ne!(
            base.config_digest(Some("20e45b0f17dddff5")),
            digest,
            "other candles"
        );
        let same_work = one("candles = 1000\nrepeats = 9\nwarmup = 0\nbudget = 'x'\ntimeout_s = 5\ndescription = 'd'\n\
                             measure = ['wall', 'instructions']\n");
        assert_eq!(same_work.config_digest(None), digest);
        for other in [
            "candles = 1001\n",
            "candles = 1000\nseed = 1\n",
            "candles = 1000\nsymbol = 'ETHUSDT'\n",
            "candles = 1000\n[engine]\nbatch_size = 1\n",
        ] {
            assert_ne!(one(other).config_digest(None), digest, "{other}");
        }
    }
}
