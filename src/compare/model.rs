//! What a comparison is: the metrics, scenarios and tally that every renderer reads and the
//! comparison JSON's schema is derived from. Building one is [`super::compare`]'s job.

use schemars::JsonSchema;
use serde::Serialize;

use super::{render, Better, ChangeVerdict, Loosening, Noise};
use crate::engine::fingerprint::Fingerprint;
use crate::judge::{Regression, Statistic};

/// A judged metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Throughput samples; more is better.
    CandlesPerSec,
    /// The largest stage p95, one value per run; less is better.
    P95StageLatencyMs,
    /// Peak resident memory, one value per run; less is better.
    PeakRssMb,
    /// Instructions per measured run, counted under callgrind: exact; less is better.
    Instructions,
}

impl Metric {
    /// The key as in bench.json.
    pub fn key(self) -> &'static str {
        match self {
            Metric::CandlesPerSec => "candles_per_sec",
            Metric::P95StageLatencyMs => "p95_stage_latency_ms",
            Metric::PeakRssMb => "peak_rss_mb",
            Metric::Instructions => "instructions",
        }
    }

    /// Which direction is an improvement.
    pub fn better(self) -> Better {
        match self {
            Metric::CandlesPerSec => Better::Higher,
            Metric::P95StageLatencyMs | Metric::PeakRssMb | Metric::Instructions => Better::Lower,
        }
    }
}

/// One metric of one scenario, base against head.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct MetricComparison {
    /// The metric.
    pub metric: Metric,
    /// The statistic compared, for a sampled metric (HEAD's `regression.stat`).
    pub stat: Option<Statistic>,
    /// Which direction is an improvement.
    pub better: Better,
    /// BASE's value; `None` when not measured.
    pub base: Option<f64>,
    /// HEAD's value; `None` when not measured.
    pub head: Option<f64>,
    /// `(head − base) × 100 / base`.
    pub change_pct: Option<f64>,
    /// The verdict; `None` when either side was not measured.
    pub verdict: Option<ChangeVerdict>,
    /// The noise check behind the verdict.
    pub noise: Option<Noise>,
    /// Why the verdict is `inconclusive`, in words ("2 samples a side, 5 needed").
    pub reason: Option<String>,
}

impl MetricComparison {
    /// Which side(s) did not measure the metric: `"not measured"`, `"not measured on base"`,
    /// ...; `None` when both did.
    pub fn not_measured(&self) -> Option<&'static str> {
        match (self.base, self.head) {
            (Some(_), Some(_)) => None,
            (None, None) => Some("not measured"),
            (None, Some(_)) => Some("not measured on base"),
            (Some(_), None) => Some("not measured on head"),
        }
    }
}

/// A value that differs between base and head.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Change<T> {
    /// BASE's value.
    pub base: T,
    /// HEAD's value.
    pub head: T,
}

/// An environment key that differs: `cpu`, `cores` or `build_profile`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, JsonSchema)]
pub struct EnvironmentDifference {
    /// The key, as in bench.json's `environment`.
    pub key: String,
    /// BASE's value, as text.
    pub base: String,
    /// HEAD's value, as text.
    pub head: String,
}

/// One scenario present on both sides.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ScenarioComparison {
    /// The scenario's name.
    pub scenario: String,
    /// The worst metric verdict (in the order of [`ChangeVerdict`]); `None` when not compared
    /// or nothing was measured on both sides.
    pub outcome: Option<ChangeVerdict>,
    /// HEAD's `[regression]` thresholds, by which the metrics were judged.
    pub thresholds: Regression,
    /// The judged metrics; empty when the config digest changed.
    pub metrics: Vec<MetricComparison>,
    /// The config digests, when they differ: not the same work, so not compared.
    pub config_changed: Option<Change<String>>,
    /// The fingerprints, when the digests differ on the same work: the backtest's output
    /// changed.
    pub behaviour_changed: Option<Change<Fingerprint>>,
    /// Machine and build differences; numbers from different ones are not comparable.
    pub environment: Vec<EnvironmentDifference>,
    /// Budget keys HEAD loosened.
    pub loosened: Vec<Loosening>,
}

impl ScenarioComparison {
    /// Whether the speed was compared (the config digest is the same on both sides).
    pub fn compared(&self) -> bool {
        self.config_changed.is_none()
    }
}

/// The comparison of two result sets.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Comparison {
    /// Where BASE came from.
    pub base: String,
    /// Where HEAD came from.
    pub head: String,
    /// Scenarios on both sides, by name.
    pub scenarios: Vec<ScenarioComparison>,
    /// Scenarios in BASE only.
    pub only_in_base: Vec<String>,
    /// Scenarios in HEAD only.
    pub only_in_head: Vec<String>,
    /// Scenarios with enough throughput samples to call a change; they share the false-alarm
    /// rate, each held to `0.01 / deciding`.
    pub deciding: usize,
}

/// How many scenarios ended how: the headline of a comparison.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Tally {
    /// Scenarios with a metric past the fail threshold.
    pub regressed_fail: usize,
    /// Scenarios with a metric past the warn threshold only.
    pub regressed_warn: usize,
    /// Scenarios with a change past the threshold that did not clear the noise.
    pub inconclusive: usize,
    /// Scenarios that improved and regressed nowhere.
    pub improved: usize,
    /// Scenarios within the thresholds.
    pub unchanged: usize,
    /// Scenarios with no metric measured on both sides.
    pub not_measured: usize,
    /// Scenarios whose config digest changed.
    pub not_compared: usize,
    /// Scenarios whose backtest output changed.
    pub behaviour_changed: usize,
    /// Scenarios whose budget HEAD loosened.
    pub budgets_loosened: usize,
    /// Scenarios measured on different machines or build profiles.
    pub different_environment: usize,
    /// Scenarios in BASE only.
    pub only_in_base: usize,
    /// Scenarios in HEAD only.
    pub only_in_head: usize,
}

impl Tally {
    /// Regressions of either level.
    pub fn regressions(&self) -> usize {
        self.regressed_fail + self.regressed_warn
    }
}

impl Comparison {
    /// Whether `--strict` fails: a metric regressed past its fail threshold, or a backtest's
    /// output changed.
    pub fn should_fail_strict(&self) -> bool {
        self.scenarios.iter().any(|s| {
            s.outcome == Some(ChangeVerdict::RegressedFail) || s.behaviour_changed.is_some()
        })
    }

    /// How many scenarios ended how.
    pub fn tally(&self) -> Tally {
        let mut t = Tally {
            only_in_base: self.only_in_base.len(),
            only_in_head: self.only_in_head.len(),
            ..Tally::default()
        };
        for s in &self.scenarios {
            *match (s.compared(), s.outcome) {
                (false, _) => &mut t.not_compared,
                (true, None) => &mut t.not_measured,
                (true, Some(ChangeVerdict::Unchanged)) => &mut t.unchanged,
                (true, Some(ChangeVerdict::Improved)) => &mut t.improved,
                (true, Some(ChangeVerdict::Inconclusive)) => &mut t.inconclusive,
                (true, Some(ChangeVerdict::RegressedWarn)) => &mut t.regressed_warn,
                (true, Some(ChangeVerdict::RegressedFail)) => &mut t.regressed_fail,
            } += 1;
            t.behaviour_changed += usize::from(s.behaviour_changed.is_some());
            t.budgets_loosened += usize::from(!s.loosened.is_empty());
            t.different_environment += usize::from(!s.environment.is_empty());
        }
        t
    }

    /// The headline, e.g. `2 regressions (1 past fail), 1 behaviour change, 5 unchanged`.
    pub fn headline(&self) -> String {
        render::headline(&self.tally())
    }
}
