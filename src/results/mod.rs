//! The result files: the measurement a `bench` run prints, the `bench.json` of a scenario, and a
//! run's `summary.json`. These types are the documented schema; tests read them from the user's
//! side too, so a renamed key fails a test.
//!
//! Around the schema: [`outcome`] builds a scenario's result from its measurement and budget,
//! [`folder`] is the results folder, [`atomic`] writes its files so none is ever half-written.

pub mod atomic;
pub mod folder;
#[cfg(test)]
mod folder_props;
pub mod lock;
pub mod outcome;

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::data::DataInfo;
use crate::engine::fingerprint::Fingerprint;
use crate::engine::settings::EngineSettings;
use crate::environment::Environment;
use crate::external::ExternalInfo;
use crate::judge::{Budget, Check, Verdict};
use crate::sampling::Sampling;
use crate::stats::Distribution;

/// Version of the result schema; bumped on any change a reader could trip over (docs/ci.md).
/// 2: a fingerprint may be null (an external engine reports none) and records `max_drawdown`.
/// 3: `sampling.paired` says the samples were taken in rounds with the other side's (`ab`).
/// Files of an older version are still read; a newer one is refused ([`newer_schema`]).
pub const SCHEMA_VERSION: u32 = 3;

/// The `schema_version` of a result file's JSON (bench.json, summary.json or a child's
/// measurement) when it is newer than this perfsuite reads. Readers check it before parsing:
/// a newer schema may not parse, and saying so helps more than the first key it trips over.
pub fn newer_schema(json: &serde_json::Value) -> Option<u64> {
    json.get("schema_version")
        .and_then(serde_json::Value::as_u64)
        .filter(|&found| found > u64::from(SCHEMA_VERSION))
}

/// Wall-time summary of one engine stage over every batch of the measured repeats.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StageStats {
    /// Median per-batch time.
    pub p50_ms: f64,
    /// 95th percentile per-batch time.
    pub p95_ms: f64,
    /// Slowest batch.
    pub max_ms: f64,
    /// Sum over every batch of every measured repeat.
    pub total_ms: f64,
}

/// Where a measurement's wall time went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Phases {
    /// Generating the candles, before any clock for the metrics starts.
    pub generation_s: f64,
    /// Warm-up runs, not counted.
    pub warmup_s: f64,
    /// The measured repeats.
    pub measured_s: f64,
}

/// Instruction counts of the measured engine runs, from callgrind: exact, so every sample of
/// the same build and work should be the same number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Instructions {
    /// Instructions of one measured run: the sample when they all agree, else their median
    /// (lower middle), and [`Instructions::agree`] is false.
    pub per_run: u64,
    /// Every counted run, in order.
    pub samples: Vec<u64>,
}

impl Instructions {
    /// The counts of `samples`; `None` without any.
    pub fn of(samples: Vec<u64>) -> Option<Self> {
        let mut sorted = samples.clone();
        sorted.sort_unstable();
        let per_run = *sorted.get((sorted.len().max(1) - 1) / 2)?;
        Some(Self { per_run, samples })
    }

    /// Whether every sample is the same count, as it must be for a deterministic build.
    pub fn agree(&self) -> bool {
        self.samples.windows(2).all(|w| w[0] == w[1])
    }

    /// Instructions of one run per candle.
    pub fn per_candle(&self, candles: u64) -> f64 {
        self.per_run as f64 / candles.max(1) as f64
    }
}

/// One measurement: what `perfsuite bench` prints, and the core of every bench.json. This is
/// also the interface between `run` and the child process measuring a scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Measurement {
    /// [`SCHEMA_VERSION`] of the writer.
    pub schema_version: u32,
    /// Candles per run.
    pub candles: u64,
    /// Measured repeats.
    pub repeats: u32,
    /// Uncounted warm-up runs before them.
    pub warmup: u32,
    /// Seed of the candle generator.
    pub seed: u64,
    /// Symbol of the candle series.
    pub symbol: String,
    /// Throughput of each measured repeat: candles / wall time of the run.
    pub candles_per_sec: Distribution,
    /// The largest stage p95, in ms.
    pub p95_stage_latency_ms: Option<f64>,
    /// Per-stage batch latencies.
    pub stages: BTreeMap<String, StageStats>,
    /// Peak resident memory of the measuring process, in MiB; over several processes (one per
    /// repeat), the median of theirs, so it does not grow with the number of repeats.
    pub peak_rss_mb: Option<f64>,
    /// The largest peak resident memory of the measuring processes, in MiB. `None` in files
    /// written before it existed, whose `peak_rss_mb` is this largest value.
    #[serde(default)]
    pub peak_rss_mb_max: Option<f64>,
    /// Instructions per measured engine run, counted under callgrind in a child of its own;
    /// `None` when not asked for or not measurable (no valgrind).
    #[serde(default)]
    pub instructions: Option<Instructions>,
    /// `instructions.per_run / candles`.
    #[serde(default)]
    pub instructions_per_candle: Option<f64>,
    /// What the backtest produced; `null` for an external engine that reports none. The key
    /// is required all the same, so a result that lost it is refused.
    #[serde(deserialize_with = "Option::deserialize")]
    pub fingerprint: Option<Fingerprint>,
    /// Every resolved engine setting.
    pub engine: EngineSettings,
    /// Machine, build and revision.
    pub environment: Environment,
    /// When the measurement started (RFC 3339, UTC).
    pub started_at: String,
    /// Wall time of the whole measurement, generation included.
    pub duration_s: f64,
    /// The split of that wall time.
    pub phases: Phases,
    /// The candle file read, for a scenario with `data`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<DataInfo>,
    /// The external engine that ran, for a scenario with `engine.command`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external: Option<ExternalInfo>,
}

/// The budget part of a bench.json.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BudgetReport {
    /// The budget profile's name.
    pub profile: String,
    /// The scenario's budget after overrides.
    pub resolved: Budget,
    /// Every metric judged.
    pub checks: Vec<Check>,
}

/// A scenario's `bench.json`: self-contained, so `compare` needs no scenario or budget file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ScenarioResult {
    /// The scenario's unique name.
    pub scenario: String,
    /// The measurement, its keys at the top level as the runbook's were.
    #[serde(flatten)]
    pub measurement: Measurement,
    /// Digest of the work measured (candles, seed, symbol, engine settings).
    pub config_digest: String,
    /// The budget and its checks.
    pub budget: BudgetReport,
    /// The worst check.
    pub verdict: Verdict,
    /// How the samples were taken and why sampling stopped; `None` in files written before it
    /// was recorded.
    #[serde(default)]
    pub sampling: Option<Sampling>,
}

/// One scenario's line in a run's summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SummaryRow {
    /// The scenario's name.
    pub scenario: String,
    /// Candles per run.
    pub candles: u64,
    /// The throughput statistic the budget judges (`min`, `median`, ...).
    pub judged_stat: String,
    /// Its value; `None` for an error row.
    pub candles_per_sec: Option<f64>,
    /// Median throughput.
    pub candles_per_sec_median: Option<f64>,
    /// Largest stage p95, in ms.
    pub p95_stage_latency_ms: Option<f64>,
    /// Peak resident memory, in MiB.
    pub peak_rss_mb: Option<f64>,
    /// Instructions per candle, when counted.
    #[serde(default)]
    pub instructions_per_candle: Option<f64>,
    /// The scenario's verdict.
    pub verdict: Verdict,
    /// For anything not `pass`: why, in words.
    pub reasons: Vec<String>,
    /// The bench.json of this scenario, relative to the results folder; `None` for an error row.
    pub bench: Option<String>,
}

/// How many scenarios ended with each verdict.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Counts {
    /// Within budget.
    pub pass: usize,
    /// Past a warn level only.
    pub warn: usize,
    /// Past a hard limit.
    pub fail: usize,
    /// Not measured.
    pub error: usize,
    /// Nothing judged.
    pub skip: usize,
}

impl Counts {
    /// Tallies `verdicts`.
    pub fn of(verdicts: impl IntoIterator<Item = Verdict>) -> Self {
        let mut c = Counts::default();
        for v in verdicts {
            *match v {
                Verdict::Pass => &mut c.pass,
                Verdict::Warn => &mut c.warn,
                Verdict::Fail => &mut c.fail,
                Verdict::Error => &mut c.error,
                Verdict::Skip => &mut c.skip,
            } += 1;
        }
        c
    }
}

/// A run's `summary.json`: every scenario's headline and verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Summary {
    /// [`SCHEMA_VERSION`] of the writer.
    pub schema_version: u32,
    /// When the run started (RFC 3339, UTC).
    pub started_at: String,
    /// Wall time of the whole run.
    pub duration_s: f64,
    /// Whether the run was stopped before every scenario ran.
    pub interrupted: bool,
    /// Verdict tallies.
    pub counts: Counts,
    /// One row per scenario, in run order.
    pub scenarios: Vec<SummaryRow>,
}
