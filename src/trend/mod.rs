//! Trends over the history: per scenario and metric, where the level changed.
//!
//! Noisy metrics (throughput, latency, memory) go through E-divisive means with a t-test
//! ([`edivisive`]); deterministic ones (instructions per candle, the fingerprint) change exactly
//! where their value does, so every change is a change point. Everything here is a pure function
//! of the series, tested on generated ones.

pub mod edivisive;
pub mod render;
pub mod ttest;

use serde::Serialize;

use crate::history::series::ScenarioHistory;
use crate::history::{metric, MetricInfo};

pub use edivisive::Settings;

/// The name of the fingerprint's series.
pub const FINGERPRINT: &str = "fingerprint";

/// A level before or after a change point.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Level {
    /// A metric's mean over the segment (or its value, for an exact metric).
    Number(f64),
    /// A fingerprint digest.
    Digest(String),
}

/// Whether a change point is settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Significant, with at least the minimum points on either side.
    Change,
    /// Significant, but the new level has fewer than the minimum points so far.
    Pending,
}

/// Which way a change went for the metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Worse: slower, or more latency or memory.
    Regression,
    /// Better.
    Improvement,
    /// Neither better nor worse: a different fingerprint.
    Changed,
}

/// One change point of one series.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangePoint {
    /// Index in the series of the first point of the new level.
    pub index: usize,
    /// The last commit measured before the change, if known.
    pub from_commit: Option<String>,
    /// The first commit measured after it, if known: the change came in with a commit after
    /// `from_commit`, up to and including this one.
    pub to_commit: Option<String>,
    /// The level before.
    pub before: Level,
    /// The level after.
    pub after: Level,
    /// `after / before - 1`, in percent; `None` for a fingerprint.
    pub change_pct: Option<f64>,
    /// The t-test's p-value; `None` for exact metrics.
    pub p_value: Option<f64>,
    /// Settled or pending.
    pub status: Status,
    /// Better or worse.
    pub direction: Direction,
}

/// One scenario's metric over the history, with its change points.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeriesTrend {
    /// The scenario.
    pub scenario: String,
    /// The metric (or `fingerprint`).
    pub metric: String,
    /// Points in the series.
    pub points: usize,
    /// The latest value.
    pub latest: Level,
    /// Change points, oldest first.
    pub change_points: Vec<ChangePoint>,
}

/// The trends of every series of `histories`: the fingerprint first, then each metric.
pub fn analyse(histories: &[ScenarioHistory], settings: &Settings) -> Vec<SeriesTrend> {
    let mut out = Vec::new();
    for h in histories {
        out.push(fingerprint_trend(h));
        for (name, points) in &h.metrics {
            let values: Vec<f64> = points.iter().map(|p| p.value).collect();
            let info = metric(name);
            let commit = |i: usize| h.runs[points[i].run].commit.clone();
            let change_points = if info.is_some_and(|m| m.exact) {
                exact_changes(&values)
            } else {
                edivisive::change_points(&values, settings)
                    .into_iter()
                    .map(|s| {
                        (
                            s.index,
                            s.before.mean,
                            s.after.mean,
                            Some(s.p_value),
                            s.pending,
                        )
                    })
                    .collect()
            };
            out.push(SeriesTrend {
                scenario: h.scenario.clone(),
                metric: name.clone(),
                points: values.len(),
                latest: Level::Number(values.last().copied().unwrap_or(f64::NAN)),
                change_points: change_points
                    .into_iter()
                    .map(|(index, before, after, p_value, pending)| ChangePoint {
                        index,
                        // cannot panic: a change point splits the series, so index >= 1.
                        from_commit: commit(index - 1),
                        to_commit: commit(index),
                        before: Level::Number(before),
                        after: Level::Number(after),
                        change_pct: Some(percent(before, after)),
                        p_value,
                        status: if pending {
                            Status::Pending
                        } else {
                            Status::Change
                        },
                        direction: direction(info, before, after),
                    })
                    .collect(),
            });
        }
    }
    out
}

/// Every index whose value differs from the one before: `(index, before, after, p, pending)`.
fn exact_changes(values: &[f64]) -> Vec<(usize, f64, f64, Option<f64>, bool)> {
    (1..values.len())
        .filter(|&i| {
            let (a, b) = (values[i - 1], values[i]);
            (a - b).abs() > 1e-12 * a.abs().max(b.abs())
        })
        .map(|i| (i, values[i - 1], values[i], None, false))
        .collect()
}

/// The fingerprint's series: a change point wherever the digest differs from the run before.
fn fingerprint_trend(h: &ScenarioHistory) -> SeriesTrend {
    let runs = &h.runs;
    SeriesTrend {
        scenario: h.scenario.clone(),
        metric: FINGERPRINT.into(),
        points: runs.len(),
        latest: Level::Digest(
            runs.last()
                .map(|r| r.fingerprint.clone())
                .unwrap_or_default(),
        ),
        change_points: (1..runs.len())
            .filter(|&i| runs[i].fingerprint != runs[i - 1].fingerprint)
            .map(|i| ChangePoint {
                index: i,
                from_commit: runs[i - 1].commit.clone(),
                to_commit: runs[i].commit.clone(),
                before: Level::Digest(runs[i - 1].fingerprint.clone()),
                after: Level::Digest(runs[i].fingerprint.clone()),
                change_pct: None,
                p_value: None,
                status: Status::Change,
                direction: Direction::Changed,
            })
            .collect(),
    }
}

/// `after / before - 1` in percent (0 when `before` is 0).
fn percent(before: f64, after: f64) -> f64 {
    if before == 0.0 {
        0.0
    } else {
        (after / before - 1.0) * 100.0
    }
}

/// Whether going from `before` to `after` is better or worse for the metric.
fn direction(info: Option<&MetricInfo>, before: f64, after: f64) -> Direction {
    let higher_is_better = info.is_none_or(|m| m.higher_is_better);
    if (after > before) == higher_is_better {
        Direction::Improvement
    } else {
        Direction::Regression
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::history::series::{Point, Run};

    fn history(fingerprints: &[&str], metric: &str, values: &[f64]) -> ScenarioHistory {
        let runs = fingerprints
            .iter()
            .enumerate()
            .map(|(i, f)| Run {
                id: i as i64,
                commit: Some(format!("c{i}")),
                branch: Some("main".into()),
                started_at: format!("2024-01-01T00:00:{i:02}Z"),
                fingerprint: (*f).into(),
                build_profile: "release".into(),
                verdict: "pass".into(),
            })
            .collect();
        let points = values
            .iter()
            .enumerate()
            .map(|(run, &value)| Point {
                run,
                value,
                low: None,
                high: None,
            })
            .collect();
        ScenarioHistory {
            scenario: "btc".into(),
            runs,
            metrics: BTreeMap::from([(metric.to_owned(), points)]),
        }
    }

    #[test]
    fn every_fingerprint_change_is_a_change_point_with_its_commits() {
        let h = history(&["a", "a", "b", "b", "a"], "peak_rss_mb", &[1.0; 5]);
        let trends = analyse(&[h], &Settings::default());
        let f = &trends[0];
        assert_eq!(f.metric, FINGERPRINT);
        let at: Vec<_> = f.change_points.iter().map(|c| c.index).collect();
        assert_eq!(at, [2, 4]);
        assert_eq!(f.change_points[0].from_commit.as_deref(), Some("c1"));
        assert_eq!(f.change_points[0].to_commit.as_deref(), Some("c2"));
        assert_eq!(f.change_points[0].after, Level::Digest("b".into()));
        assert!(trends[1].change_points.is_empty(), "flat memory: no change");
    }

    #[test]
    fn an_instruction_count_changes_exactly_where_its_value_does() {
        let h = history(
            &["a"; 4],
            "instructions_per_candle",
            &[900.0, 900.0, 910.0, 910.0],
        );
        let trends = analyse(&[h], &Settings::default());
        let cps = &trends[1].change_points;
        assert_eq!(cps.len(), 1);
        assert_eq!(cps[0].index, 2);
        assert_eq!(cps[0].p_value, None);
        assert_eq!(cps[0].direction, Direction::Regression);
        assert!((cps[0].change_pct.unwrap() - 1.111).abs() < 1e-3);
    }

    #[test]
    fn slower_throughput_is_a_regression_and_lower_latency_an_improvement() {
        let cps = &MetricInfo {
            name: "candles_per_sec",
            unit: "",
            higher_is_better: true,
            exact: false,
        };
        assert_eq!(direction(Some(cps), 10.0, 9.0), Direction::Regression);
        assert_eq!(
            direction(metric("p95_stage_latency_ms"), 10.0, 9.0),
            Direction::Improvement
        );
    }
}
