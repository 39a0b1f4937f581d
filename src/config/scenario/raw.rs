//! A scenario file as written: every key optional and spanned, so validation can name the line
//! and column of any value it rejects, and `[defaults]` can be merged into `[[scenario]]`
//! entries key by key before anything is validated.

use std::convert::identity;
use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

use crate::engine::settings::EngineSettings;

/// The keys of a scenario as written. `defaults` and `scenario` are meaningful only at the top
/// of a file; elsewhere they are rejected by [`super::parse_file`].
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawScenario {
    pub(super) name: Option<Spanned<String>>,
    pub(super) description: Option<Spanned<String>>,
    pub(super) candles: Option<Spanned<i64>>,
    pub(super) seed: Option<Spanned<i64>>,
    pub(super) repeats: Option<Spanned<toml::Value>>,
    pub(super) min_repeats: Option<Spanned<i64>>,
    pub(super) max_repeats: Option<Spanned<i64>>,
    pub(super) max_time_s: Option<Spanned<f64>>,
    pub(super) precision_pct: Option<Spanned<f64>>,
    pub(super) warmup: Option<Spanned<i64>>,
    pub(super) symbol: Option<Spanned<String>>,
    pub(super) budget: Option<Spanned<String>>,
    pub(super) timeout_s: Option<Spanned<f64>>,
    pub(super) data: Option<Spanned<String>>,
    pub(super) engine: Option<Spanned<RawEngine>>,
    pub(super) measure: Option<Spanned<Vec<Spanned<String>>>>,
    pub(super) instruction_repeats: Option<Spanned<i64>>,
    pub(super) defaults: Option<Spanned<Box<RawScenario>>>,
    pub(super) scenario: Option<Spanned<Vec<Spanned<RawScenario>>>>,
}

impl RawScenario {
    /// This entry, with the keys it lacks taken from `defaults`; `[engine]` merges key by key.
    pub(super) fn or(self, defaults: &RawScenario) -> RawScenario {
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
    pub(super) fn auto_key(&self) -> Option<(&'static str, Range<usize>)> {
        at("min_repeats", &self.min_repeats)
            .or_else(|| at("max_repeats", &self.max_repeats))
            .or_else(|| at("max_time_s", &self.max_time_s))
            .or_else(|| at("precision_pct", &self.precision_pct))
    }

    /// The first scenario key set here, with its span: what may not sit beside `[[scenario]]`.
    pub(super) fn first_scenario_key(&self) -> Option<(&'static str, Range<usize>)> {
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

/// `key` with the span of its value, where it is set.
fn at<T>(key: &'static str, v: &Option<Spanned<T>>) -> Option<(&'static str, Range<usize>)> {
    v.as_ref().map(|v| (key, v.span()))
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
        pub(super) struct RawEngine {
            pub(super) command: Option<Spanned<Vec<Spanned<String>>>>,
            $(pub(super) $key: Option<Spanned<$raw>>,)*
        }

        impl RawEngine {
            /// These keys, with the ones missing taken from `shared`.
            pub(super) fn or(self, shared: &RawEngine) -> RawEngine {
                RawEngine {
                    command: self.command.or_else(|| shared.command.clone()),
                    $($key: self.$key.or_else(|| shared.$key.clone()),)*
                }
            }

            /// The first setting of the built-in engine set here, with its span.
            pub(super) fn first_builtin_key(&self) -> Option<(&'static str, Range<usize>)> {
                $(if let Some(v) = &self.$key {
                    return Some((stringify!($key), v.span()));
                })*
                None
            }

            /// The engine's defaults with every key set here applied.
            pub(super) fn settings(&self) -> EngineSettings {
                let mut settings = EngineSettings::default();
                $(if let Some(v) = &self.$key {
                    settings.$key = $into(*v.get_ref());
                })*
                settings
            }

            /// The span of `key` where it is set here.
            pub(super) fn span_of(&self, key: &str) -> Option<Range<usize>> {
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
