//! Comparing two result sets, e.g. the base branch with a pull request's head.
//!
//! [`load_result_set`] reads a results folder (or one bench.json), [`compare`] matches the
//! scenarios by name and judges every metric by the rule in [`decision`], and [`render`] writes
//! the outcome as a table, a pull-request comment or JSON. Nothing here measures: a comparison
//! is a pure function of two sets of results, so it is tested on hand-built ones.
//!
//! Besides speed, a comparison reports what a reviewer must not miss: a changed fingerprint (the
//! backtest's output differs), a changed config digest (not the same work, so not compared),
//! results from different machines or build profiles, budgets loosened on HEAD, and scenarios
//! present on one side only.

pub mod decision;
pub mod exact;
mod load;
pub mod loosened;
pub mod render;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::Serialize;

use crate::engine::fingerprint::Fingerprint;
use crate::environment::Environment;
use crate::judge::{Regression, Statistic};
use crate::output::Format;
use crate::results::{Measurement, ScenarioResult};
use crate::stats::Distribution;

pub use decision::{Better, ChangeVerdict, Decision, Evidence, Noise, Side};
pub use load::{load_result_set, LoadError};
pub(crate) use load::{name_problem, sorted_entries};
pub use loosened::{Loosening, Setting};
pub use render::json::COMPARISON_SCHEMA_VERSION;

/// The results of one run (or one side of an A/B run), by scenario name.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ResultSet {
    source: PathBuf,
    results: BTreeMap<String, ScenarioResult>,
}

impl ResultSet {
    /// An empty set whose results come from `source` (a folder, a file, or a label such as
    /// `base` for results held in memory).
    pub fn new(source: impl Into<PathBuf>) -> Self {
        Self {
            source: source.into(),
            results: BTreeMap::new(),
        }
    }

    /// Adds `result` under its scenario name; returns the result it replaced, if any.
    pub fn insert(&mut self, result: ScenarioResult) -> Option<ScenarioResult> {
        self.results.insert(result.scenario.clone(), result)
    }

    /// Where the results come from.
    pub fn source(&self) -> &Path {
        &self.source
    }

    /// The results, by scenario name.
    pub fn results(&self) -> &BTreeMap<String, ScenarioResult> {
        &self.results
    }

    /// The result of `scenario`.
    pub fn get(&self, scenario: &str) -> Option<&ScenarioResult> {
        self.results.get(scenario)
    }

    /// How many scenarios the set holds.
    pub fn len(&self) -> usize {
        self.results.len()
    }

    /// Whether the set holds no scenario.
    pub fn is_empty(&self) -> bool {
        self.results.is_empty()
    }
}

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

/// Compares `head` with `base`, scenario by scenario, judging each metric by HEAD's
/// `[regression]` thresholds and the rule in [`decision`].
pub fn compare(base: &ResultSet, head: &ResultSet) -> Comparison {
    let mut scenarios = Vec::new();
    let mut only_in_base = Vec::new();
    for (name, b) in base.results() {
        match head.get(name) {
            Some(h) => scenarios.push(compare_scenario(b, h)),
            None => only_in_base.push(name.clone()),
        }
    }
    let only_in_head = head
        .results()
        .keys()
        .filter(|name| base.get(name).is_none())
        .cloned()
        .collect();
    Comparison {
        base: base.source().display().to_string(),
        head: head.source().display().to_string(),
        scenarios,
        only_in_base,
        only_in_head,
    }
}

fn compare_scenario(base: &ScenarioResult, head: &ScenarioResult) -> ScenarioComparison {
    let thresholds = head.budget.resolved.regression;
    let same_work = base.config_digest == head.config_digest;
    let metrics = if same_work {
        compare_metrics(base, head, &thresholds)
    } else {
        Vec::new()
    };
    let (bf, hf) = (&base.measurement.fingerprint, &head.measurement.fingerprint);
    ScenarioComparison {
        scenario: head.scenario.clone(),
        outcome: metrics.iter().filter_map(|m| m.verdict).max(),
        thresholds,
        metrics,
        config_changed: (!same_work).then(|| Change {
            base: base.config_digest.clone(),
            head: head.config_digest.clone(),
        }),
        behaviour_changed: match (bf, hf) {
            (Some(bf), Some(hf)) if same_work && bf.digest != hf.digest => Some(Change {
                base: bf.clone(),
                head: hf.clone(),
            }),
            _ => None,
        },
        environment: environment_differences(
            &base.measurement.environment,
            &head.measurement.environment,
        ),
        loosened: loosened::loosened(&base.budget.resolved, &head.budget.resolved),
    }
}

fn compare_metrics(
    base: &ScenarioResult,
    head: &ScenarioResult,
    thresholds: &Regression,
) -> Vec<MetricComparison> {
    let (b, h) = (&base.measurement, &head.measurement);
    let stat = thresholds.stat;
    let (base_rss, head_rss) = like_for_like_rss(b, h);
    let mut metrics = vec![
        judge(
            Metric::CandlesPerSec,
            Some(stat),
            sampled(&b.candles_per_sec, stat),
            sampled(&h.candles_per_sec, stat),
            thresholds,
            Evidence::Sampled {
                alpha: level(base, head),
            },
        ),
        judge(
            Metric::P95StageLatencyMs,
            None,
            single(&b.p95_stage_latency_ms),
            single(&h.p95_stage_latency_ms),
            thresholds,
            Evidence::Single,
        ),
        judge(
            Metric::PeakRssMb,
            None,
            single(base_rss),
            single(head_rss),
            thresholds,
            Evidence::Single,
        ),
    ];
    // Shown only where counted, so suites that never count see no empty row.
    if b.instructions.is_some() || h.instructions.is_some() {
        metrics.push(instructions(b, h, thresholds));
    }
    metrics
}

/// The instruction counts, judged by the exact rule.
fn instructions(b: &Measurement, h: &Measurement, thresholds: &Regression) -> MetricComparison {
    let (base, head) = (&b.instructions, &h.instructions);
    let decision = match (base, head) {
        (Some(base), Some(head)) => Some(exact::decide_exact(base, head, thresholds)),
        _ => None,
    };
    MetricComparison {
        metric: Metric::Instructions,
        stat: None,
        better: Better::Lower,
        base: base.as_ref().map(|i| i.per_run as f64),
        head: head.as_ref().map(|i| i.per_run as f64),
        change_pct: decision.as_ref().and_then(|d| d.change_pct),
        verdict: decision.as_ref().map(|d| d.verdict),
        noise: decision.as_ref().map(|d| d.noise),
        reason: decision.and_then(|d| d.reason),
    }
}

/// The level the rank test holds the throughput to: [`decision::ALPHA`], or the stricter
/// nominal level of a sequential test's last look when either side's samples were collected by
/// one (`ab` with `repeats = "auto"`).
fn level(base: &ScenarioResult, head: &ScenarioResult) -> f64 {
    [base, head]
        .iter()
        .filter_map(|r| r.sampling.as_ref()?.nominal_alpha())
        .fold(decision::ALPHA, f64::min)
}

/// Peak RSS of both sides, like for like: the median over the measuring processes, unless one
/// side's file predates the median (no `peak_rss_mb_max`; its `peak_rss_mb` is the largest
/// value), in which case both sides' largest values.
fn like_for_like_rss<'a>(
    b: &'a crate::results::Measurement,
    h: &'a crate::results::Measurement,
) -> (&'a Option<f64>, &'a Option<f64>) {
    match (b.peak_rss_mb_max.is_some(), h.peak_rss_mb_max.is_some()) {
        (false, true) => (&b.peak_rss_mb, &h.peak_rss_mb_max),
        (true, false) => (&b.peak_rss_mb_max, &h.peak_rss_mb),
        _ => (&b.peak_rss_mb, &h.peak_rss_mb),
    }
}

/// A sampled metric, compared on `stat`. A distribution without samples (a hand-made file)
/// has too few samples to decide.
fn sampled(d: &Distribution, stat: Statistic) -> Option<Side<'_>> {
    Some(Side {
        value: stat.of(d),
        samples: &d.samples,
    })
}

/// A single-valued metric as one sample; `None` when not measured.
fn single(v: &Option<f64>) -> Option<Side<'_>> {
    v.as_ref().map(|x| Side {
        value: *x,
        samples: std::slice::from_ref(x),
    })
}

/// Said of a latency change past the threshold: it is never called.
pub const LATENCY_UNJUDGED: &str = "one value per run, its noise unknown";

/// Judges `metric`; no verdict when either side did not measure it.
fn judge(
    metric: Metric,
    stat: Option<Statistic>,
    base: Option<Side>,
    head: Option<Side>,
    thresholds: &Regression,
    evidence: Evidence,
) -> MetricComparison {
    let decision = match (base, head) {
        (Some(b), Some(h)) => {
            let mut d = decision::decide(b, h, metric.better(), thresholds, evidence);
            // One latency figure per run says nothing of its own noise, and sub-millisecond
            // stage times swing by tens of percent between processes: never call it outright.
            if metric == Metric::P95StageLatencyMs && d.verdict != ChangeVerdict::Unchanged {
                d.verdict = ChangeVerdict::Inconclusive;
                d.reason = Some(LATENCY_UNJUDGED.to_owned());
            }
            Some(d)
        }
        _ => None,
    };
    MetricComparison {
        metric,
        stat,
        better: metric.better(),
        base: base.map(|b| b.value),
        head: head.map(|h| h.value),
        change_pct: decision.as_ref().and_then(|d| d.change_pct),
        verdict: decision.as_ref().map(|d| d.verdict),
        noise: decision.as_ref().map(|d| d.noise),
        reason: decision.and_then(|d| d.reason),
    }
}

/// The keys that make numbers incomparable: CPU model, core count and build profile.
fn environment_differences(base: &Environment, head: &Environment) -> Vec<EnvironmentDifference> {
    [
        ("cpu", base.cpu.clone(), head.cpu.clone()),
        ("cores", base.cores.to_string(), head.cores.to_string()),
        (
            "build_profile",
            base.build_profile.clone(),
            head.build_profile.clone(),
        ),
    ]
    .into_iter()
    .filter(|(_, b, h)| b != h)
    .map(|(key, base, head)| EnvironmentDifference {
        key: key.to_owned(),
        base,
        head,
    })
    .collect()
}

/// `c` written in `format`.
pub fn render(c: &Comparison, format: Format) -> String {
    match format {
        Format::Table => render::table::render(c, crate::output::table::width()),
        Format::Markdown => render::markdown::render(c),
        Format::Json => render::json::render(c),
        Format::Github => crate::output::github::render(&crate::output::github::for_comparison(
            c,
            &Default::default(),
        )),
    }
}

#[cfg(test)]
pub(crate) mod fixtures;
#[cfg(test)]
mod tests;
