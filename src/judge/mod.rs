//! Resolved budgets and the verdicts they give a measurement.
//!
//! A budget here is already resolved for one scenario (profile plus per-scenario overrides); the
//! files it comes from are `config::budget`'s business.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::stats::Distribution;

/// Which statistic of a sampled metric is judged or compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Statistic {
    /// The worst sample (the runbook's choice; the noisiest).
    #[default]
    Min,
    /// The middle sample: stable under one-sided noise.
    Median,
    /// The 95th percentile.
    P95,
    /// The arithmetic mean.
    Mean,
}

impl Statistic {
    /// The key as written in TOML and JSON.
    pub fn name(self) -> &'static str {
        match self {
            Statistic::Min => "min",
            Statistic::Median => "median",
            Statistic::P95 => "p95",
            Statistic::Mean => "mean",
        }
    }

    /// This statistic of `d`.
    pub fn of(self, d: &Distribution) -> f64 {
        match self {
            Statistic::Min => d.min,
            Statistic::Median => d.median,
            Statistic::P95 => d.p95,
            Statistic::Mean => d.mean,
        }
    }
}

/// A more-is-better limit on a sampled metric.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Floor {
    /// The statistic judged.
    pub stat: Statistic,
    /// Below it: fail.
    pub floor: Option<f64>,
    /// Below it, but not below the floor: warn.
    pub warn: Option<f64>,
}

/// A less-is-better limit on a single value.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Ceiling {
    /// Above it: fail.
    pub ceiling: Option<f64>,
    /// Above it, but not above the ceiling: warn.
    pub warn: Option<f64>,
    /// For the stage latency: the engine batch size the limits assume. Stage latency grows
    /// with the batch, so a scenario with another batch size is not judged (`skip`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_size: Option<usize>,
}

/// Thresholds for calling a change against a baseline a regression.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Regression {
    /// The statistic compared.
    pub stat: Statistic,
    /// A worsening of at least this many percent warns.
    pub warn_pct: f64,
    /// A worsening of at least this many percent fails.
    pub fail_pct: f64,
    /// For exact metrics (instruction counts), which need no noise test: a worsening of at
    /// least this many percent warns.
    #[serde(default = "default_exact_warn_pct")]
    pub exact_warn_pct: f64,
    /// For exact metrics: a worsening of at least this many percent fails.
    #[serde(default = "default_exact_fail_pct")]
    pub exact_fail_pct: f64,
}

/// `exact_warn_pct` when a budget sets none.
pub const DEFAULT_EXACT_WARN_PCT: f64 = 0.5;
/// `exact_fail_pct` when a budget sets none.
pub const DEFAULT_EXACT_FAIL_PCT: f64 = 2.0;

fn default_exact_warn_pct() -> f64 {
    DEFAULT_EXACT_WARN_PCT
}

fn default_exact_fail_pct() -> f64 {
    DEFAULT_EXACT_FAIL_PCT
}

impl Default for Regression {
    fn default() -> Self {
        Self {
            stat: Statistic::Median,
            warn_pct: 5.0,
            fail_pct: 15.0,
            exact_warn_pct: DEFAULT_EXACT_WARN_PCT,
            exact_fail_pct: DEFAULT_EXACT_FAIL_PCT,
        }
    }
}

/// One scenario's budget after its profile's overrides were applied.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Budget {
    /// Throughput floor.
    pub candles_per_sec: Floor,
    /// Ceiling on the largest stage p95.
    pub p95_stage_latency_ms: Ceiling,
    /// Ceiling on peak resident memory.
    pub peak_rss_mb: Ceiling,
    /// Ceiling on instructions per candle (counted under callgrind; travels between machines).
    #[serde(default)]
    pub instructions_per_candle: Ceiling,
    /// Regression thresholds for comparisons.
    pub regression: Regression,
}

/// How a check, or a whole scenario, came out. Ordered from best to worst, so that a
/// scenario's verdict is the maximum of its checks.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Not judged: no limit set, or the metric was not measured.
    Skip,
    /// Within budget.
    Pass,
    /// Past the warn level, within the hard limit.
    Warn,
    /// Past the hard limit.
    Fail,
    /// The scenario could not be measured.
    Error,
}

impl Verdict {
    /// The verdict as written in tables and JSON.
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Skip => "skip",
            Verdict::Pass => "pass",
            Verdict::Warn => "warn",
            Verdict::Fail => "fail",
            Verdict::Error => "error",
        }
    }
}

/// The direction of a limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum LimitKind {
    /// More is better.
    Floor,
    /// Less is better.
    Ceiling,
}

/// One metric judged against its limits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Check {
    /// The metric, with its statistic where it has one: `candles_per_sec.min`.
    pub metric: String,
    /// Whether more (floor) or less (ceiling) is better.
    pub kind: LimitKind,
    /// The measured value; `None` when not measured.
    pub value: Option<f64>,
    /// The hard lower limit, for floors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub floor: Option<f64>,
    /// The hard upper limit, for ceilings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ceiling: Option<f64>,
    /// The warn level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warn: Option<f64>,
    /// The outcome.
    pub verdict: Verdict,
    /// Why a check with limits was not judged, when it was skipped on purpose.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
}

impl Check {
    /// Why the check is not a pass, in words ("min 812 < floor 833"); `None` for a pass or
    /// a metric without limits.
    pub fn reason(&self) -> Option<String> {
        let short = match self.metric.as_str() {
            key @ ("p95_stage_latency_ms" | "peak_rss_mb" | "instructions_per_candle") => {
                metric_label(key)
            }
            other => other.rsplit('.').next().unwrap_or(other),
        };
        if let Some(why) = &self.skipped {
            return Some(why.clone());
        }
        match (self.verdict, self.value) {
            (Verdict::Skip, None) if self.floor.or(self.ceiling).or(self.warn).is_some() => {
                Some(format!("{} not measured", self.metric))
            }
            (Verdict::Warn | Verdict::Fail, Some(value)) => {
                let (op, name, limit) = match (self.kind, self.verdict) {
                    (LimitKind::Floor, Verdict::Fail) => ("<", "floor", self.floor),
                    (LimitKind::Floor, _) => ("<", "warn", self.warn),
                    (LimitKind::Ceiling, Verdict::Fail) => (">", "ceiling", self.ceiling),
                    (LimitKind::Ceiling, _) => (">", "warn", self.warn),
                };
                Some(format!(
                    "{short} {} {op} {name} {}",
                    number(value),
                    number(limit?)
                ))
            }
            _ => None,
        }
    }
}

/// A metric's name and unit as every table, Markdown file and message writes it: `candles/s`,
/// `p95 stage ms`, `peak RSS MiB`. `key` is the metric's bench.json key; an unknown key is
/// shown as it is.
pub fn metric_label(key: &str) -> &str {
    match key {
        "candles_per_sec" => "candles/s",
        "p95_stage_latency_ms" => "p95 stage ms",
        "peak_rss_mb" => "peak RSS MiB",
        "instructions_per_candle" => "instructions/candle",
        other => other,
    }
}

/// A number as people read it in a table: no needless decimals.
pub fn number(v: f64) -> String {
    if v.abs() >= 100.0 || v.fract() == 0.0 {
        format!("{v:.0}")
    } else if v.abs() >= 1.0 {
        format!("{v:.2}")
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_owned()
    } else {
        format!("{v:.3}")
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_owned()
    }
}

/// The metrics a budget judges, as measured.
#[derive(Debug, Clone, Copy)]
pub struct Metrics<'a> {
    /// Throughput samples.
    pub candles_per_sec: &'a Distribution,
    /// Largest stage p95, if measured.
    pub p95_stage_latency_ms: Option<f64>,
    /// Peak resident memory, if known.
    pub peak_rss_mb: Option<f64>,
    /// The engine batch size the scenario ran with.
    pub batch_size: usize,
    /// Instructions per candle, if counted.
    pub instructions_per_candle: Option<f64>,
}

/// Judges `m` against `budget`. A value equal to a limit passes; an unmeasured metric or one
/// without limits is `skip`.
pub fn judge(budget: &Budget, m: Metrics) -> Vec<Check> {
    let floor = budget.candles_per_sec;
    let cps = floor.stat.of(m.candles_per_sec);
    vec![
        Check {
            metric: format!("candles_per_sec.{}", floor.stat.name()),
            kind: LimitKind::Floor,
            value: Some(cps),
            floor: floor.floor,
            ceiling: None,
            warn: floor.warn,
            verdict: grade(Some(cps), floor.floor, floor.warn, |v, limit| v < limit),
            skipped: None,
        },
        latency_check(m, budget.p95_stage_latency_ms),
        ceiling_check("peak_rss_mb", m.peak_rss_mb, budget.peak_rss_mb),
        ceiling_check(
            "instructions_per_candle",
            m.instructions_per_candle,
            budget.instructions_per_candle,
        ),
    ]
}

/// The stage latency check: skipped, with the reason, when the budget assumes another batch
/// size than the scenario's.
fn latency_check(m: Metrics, c: Ceiling) -> Check {
    let mut check = ceiling_check("p95_stage_latency_ms", m.p95_stage_latency_ms, c);
    if let Some(assumed) = c.batch_size.filter(|&b| b != m.batch_size) {
        check.verdict = Verdict::Skip;
        check.skipped = Some(format!(
            "p95 stage ms not judged: the budget assumes batch_size {assumed}, the scenario runs {}",
            m.batch_size
        ));
    }
    check
}

fn ceiling_check(metric: &str, value: Option<f64>, c: Ceiling) -> Check {
    Check {
        metric: metric.to_owned(),
        kind: LimitKind::Ceiling,
        value,
        floor: None,
        ceiling: c.ceiling,
        warn: c.warn,
        verdict: grade(value, c.ceiling, c.warn, |v, limit| v > limit),
        skipped: None,
    }
}

/// `fail` past the hard limit, `warn` past the warn level, else `pass`; `skip` without a value
/// or without any limit. `past(v, limit)` is strict, so a value equal to a limit passes.
fn grade(
    value: Option<f64>,
    hard: Option<f64>,
    warn: Option<f64>,
    past: impl Fn(f64, f64) -> bool,
) -> Verdict {
    let Some(v) = value else { return Verdict::Skip };
    if hard.is_none() && warn.is_none() {
        Verdict::Skip
    } else if hard.is_some_and(|h| past(v, h)) {
        Verdict::Fail
    } else if warn.is_some_and(|w| past(v, w)) {
        Verdict::Warn
    } else {
        Verdict::Pass
    }
}

/// A scenario's verdict: its worst check; `skip` when nothing was judged.
pub fn overall(checks: &[Check]) -> Verdict {
    checks
        .iter()
        .map(|c| c.verdict)
        .max()
        .unwrap_or(Verdict::Skip)
}

/// The old runbook's budget, for tests: floor 833 / warn 900 on the min, p95 stage latency
/// ceiling 50 / warn 40 at batch size 4096, no memory limit, regression on the median at 5 % / 15 %.
#[cfg(test)]
pub(crate) fn runbook_budget() -> Budget {
    Budget {
        candles_per_sec: Floor {
            stat: Statistic::Min,
            floor: Some(833.0),
            warn: Some(900.0),
        },
        p95_stage_latency_ms: Ceiling {
            ceiling: Some(50.0),
            warn: Some(40.0),
            batch_size: Some(4096),
        },
        peak_rss_mb: Ceiling::default(),
        instructions_per_candle: Ceiling::default(),
        regression: Regression::default(),
    }
}

#[cfg(test)]
mod tests;
