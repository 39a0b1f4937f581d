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
mod model;
pub mod render;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::environment::Environment;
use crate::judge::{Regression, Statistic};
use crate::output::Format;
use crate::results::{Measurement, ScenarioResult};
use crate::stats::Distribution;

pub use decision::{Better, ChangeVerdict, Decision, Evidence, Noise, Side};
pub(crate) use load::{check_measurement, sorted_entries, MAX_CANDLES_PER_SEC};
pub use load::{load_result_set, LoadError};
pub use loosened::{Loosening, Setting};
pub use model::{
    Change, Comparison, EnvironmentDifference, Metric, MetricComparison, ScenarioComparison, Tally,
};
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

/// Compares `head` with `base`, scenario by scenario, judging each metric by HEAD's
/// `[regression]` thresholds and the rule in [`decision`].
///
/// The scenarios that can call a wall-time change share the false-alarm rate
/// [`decision::ALPHA`] ([`decision::scenario_alpha`]).
pub fn compare(base: &ResultSet, head: &ResultSet) -> Comparison {
    let pairs: Vec<_> = base
        .results()
        .values()
        .filter_map(|b| Some((b, head.get(&b.scenario)?)))
        .collect();
    let deciding = pairs.iter().filter(|(b, h)| can_decide(b, h)).count();
    let alpha = decision::scenario_alpha(deciding);
    let scenarios = pairs
        .iter()
        .map(|(b, h)| compare_scenario(b, h, alpha))
        .collect();
    let only_in_base = base
        .results()
        .keys()
        .filter(|name| head.get(name).is_none())
        .cloned()
        .collect();
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
        deciding,
    }
}

/// Whether the throughput samples of `base` and `head` can call a change at all: the same work,
/// with enough samples a side (rounds, when paired) for the rank test at [`decision::ALPHA`].
fn can_decide(base: &ScenarioResult, head: &ScenarioResult) -> bool {
    let n = |r: &ScenarioResult| r.measurement.candles_per_sec.samples.len();
    base.config_digest == head.config_digest
        && decision::can_decide(n(base).min(n(head)), paired(base, head))
}

fn compare_scenario(
    base: &ScenarioResult,
    head: &ScenarioResult,
    alpha: f64,
) -> ScenarioComparison {
    let thresholds = head.budget.resolved.regression;
    let same_work = base.config_digest == head.config_digest;
    let metrics = if same_work {
        compare_metrics(base, head, &thresholds, alpha)
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
    alpha: f64,
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
                alpha: level(base, head, alpha),
                paired: paired(base, head),
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

/// The level the rank test holds the throughput to: the scenario's share `alpha` of
/// [`decision::ALPHA`], or the stricter nominal level of a sequential test's last look when
/// either side's samples were collected by one (`ab` with `repeats = "auto"`).
fn level(base: &ScenarioResult, head: &ScenarioResult, alpha: f64) -> f64 {
    [base, head]
        .iter()
        .filter_map(|r| r.sampling.as_ref()?.nominal_alpha())
        .fold(alpha, f64::min)
}

/// Whether the two sides' samples were taken in rounds side by side (`ab`), so that the
/// paired test judges them.
fn paired(base: &ScenarioResult, head: &ScenarioResult) -> bool {
    match (&base.sampling, &head.sampling) {
        (Some(b), Some(h)) => b.pairs_with(h),
        _ => false,
    }
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
        Format::Github => {
            crate::output::github::render(&render::github::for_comparison(c, &Default::default()))
        }
    }
}

#[cfg(test)]
pub(crate) mod fixtures;
#[cfg(test)]
mod tests;
