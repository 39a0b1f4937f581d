//! Budgets that HEAD loosened compared with BASE.
//!
//! A pull request that makes the backtester slower and lowers the floor in the same commit
//! passes its own budget; a reviewer must see the second change to judge the first. Every
//! bench.json records its resolved budget, so the two sides can be compared key by key.

use schemars::JsonSchema;
use serde::Serialize;

use crate::judge::{Budget, Ceiling, Statistic};

/// A budget setting, as it stood on one side.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum Setting {
    /// Not set: no limit.
    Unset,
    /// A limit or threshold.
    Number(f64),
    /// A judged statistic.
    Stat(Statistic),
}

impl std::fmt::Display for Setting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Setting::Unset => f.write_str("none"),
            Setting::Number(v) => f.write_str(&crate::judge::number(*v)),
            Setting::Stat(s) => f.write_str(s.name()),
        }
    }
}

impl From<Option<f64>> for Setting {
    fn from(v: Option<f64>) -> Self {
        v.map_or(Setting::Unset, Setting::Number)
    }
}

/// One budget key that HEAD loosened.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Loosening {
    /// The key as in a budget file: `candles_per_sec.floor`, `regression.fail_pct`.
    pub key: String,
    /// BASE's setting.
    pub base: Setting,
    /// HEAD's setting.
    pub head: Setting,
}

/// Every key of `head` that is looser than in `base`, in the order of a budget file:
///
/// - `candles_per_sec.floor` / `.warn` lowered or removed;
/// - `candles_per_sec.stat` moved to a statistic that is never lower (from `min` to any other,
///   from `median` to `p95`);
/// - a `ceiling` or its `warn` raised or removed, for `p95_stage_latency_ms`, `peak_rss_mb` and
///   `instructions_per_candle`;
/// - `regression.warn_pct` / `.fail_pct` / `.exact_warn_pct` / `.exact_fail_pct` raised.
///
/// A limit added where there was none tightens, and is not listed.
pub fn loosened(base: &Budget, head: &Budget) -> Vec<Loosening> {
    let mut out = Vec::new();
    let mut push = |key: &str, base: Setting, head: Setting| {
        out.push(Loosening {
            key: key.to_owned(),
            base,
            head,
        });
    };
    let (b, h) = (base.candles_per_sec, head.candles_per_sec);
    if never_lower(b.stat, h.stat) {
        push(
            "candles_per_sec.stat",
            Setting::Stat(b.stat),
            Setting::Stat(h.stat),
        );
    }
    for (key, b, h) in [
        ("candles_per_sec.floor", b.floor, h.floor),
        ("candles_per_sec.warn", b.warn, h.warn),
    ] {
        if let Some(b) = b {
            if h.is_none_or(|h| h < b) {
                push(key, Setting::Number(b), h.into());
            }
        }
    }
    for (metric, b, h) in [
        (
            "p95_stage_latency_ms",
            base.p95_stage_latency_ms,
            head.p95_stage_latency_ms,
        ),
        ("peak_rss_mb", base.peak_rss_mb, head.peak_rss_mb),
        (
            "instructions_per_candle",
            base.instructions_per_candle,
            head.instructions_per_candle,
        ),
    ] {
        ceiling(metric, b, h, &mut push);
    }
    let (b, h) = (base.regression, head.regression);
    for (key, b, h) in [
        ("regression.warn_pct", b.warn_pct, h.warn_pct),
        ("regression.fail_pct", b.fail_pct, h.fail_pct),
        (
            "regression.exact_warn_pct",
            b.exact_warn_pct,
            h.exact_warn_pct,
        ),
        (
            "regression.exact_fail_pct",
            b.exact_fail_pct,
            h.exact_fail_pct,
        ),
    ] {
        if h > b {
            push(key, Setting::Number(b), Setting::Number(h));
        }
    }
    out
}

fn ceiling(
    metric: &str,
    base: Ceiling,
    head: Ceiling,
    push: &mut impl FnMut(&str, Setting, Setting),
) {
    for (name, b, h) in [
        ("ceiling", base.ceiling, head.ceiling),
        ("warn", base.warn, head.warn),
    ] {
        if let Some(b) = b {
            if h.is_none_or(|h| h > b) {
                push(&format!("{metric}.{name}"), Setting::Number(b), h.into());
            }
        }
    }
}

/// Whether statistic `to` differs from `from` and is at least `from` for any set of samples.
fn never_lower(from: Statistic, to: Statistic) -> bool {
    matches!(
        (from, to),
        (
            Statistic::Min,
            Statistic::Median | Statistic::P95 | Statistic::Mean
        ) | (Statistic::Median, Statistic::P95)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runbook() -> Budget {
        Budget {
            peak_rss_mb: Ceiling {
                ceiling: Some(1024.0),
                warn: None,
                batch_size: None,
            },
            ..crate::judge::runbook_budget()
        }
    }

    fn keys(base: &Budget, head: &Budget) -> Vec<String> {
        loosened(base, head)
            .into_iter()
            .map(|l| format!("{} {} → {}", l.key, l.base, l.head))
            .collect()
    }

    #[test]
    fn the_same_budget_loosens_nothing() {
        assert!(loosened(&runbook(), &runbook()).is_empty());
    }

    #[test]
    fn lowered_or_removed_floors_are_loosened() {
        let mut head = runbook();
        head.candles_per_sec.floor = Some(700.0);
        head.candles_per_sec.warn = None;
        assert_eq!(
            keys(&runbook(), &head),
            [
                "candles_per_sec.floor 833 → 700",
                "candles_per_sec.warn 900 → none"
            ]
        );
    }

    #[test]
    fn raised_or_removed_ceilings_are_loosened() {
        let mut head = runbook();
        head.p95_stage_latency_ms = Ceiling {
            ceiling: Some(80.0),
            warn: Some(40.0),
            batch_size: None,
        };
        head.peak_rss_mb.ceiling = None;
        assert_eq!(
            keys(&runbook(), &head),
            [
                "p95_stage_latency_ms.ceiling 50 → 80",
                "peak_rss_mb.ceiling 1024 → none"
            ]
        );
    }

    #[test]
    fn raised_regression_thresholds_are_loosened() {
        let mut head = runbook();
        head.regression.warn_pct = 10.0;
        head.regression.fail_pct = 30.0;
        assert_eq!(
            keys(&runbook(), &head),
            ["regression.warn_pct 5 → 10", "regression.fail_pct 15 → 30"]
        );
    }

    #[test]
    fn judging_a_statistic_that_is_never_lower_is_loosened() {
        let mut head = runbook();
        head.candles_per_sec.stat = Statistic::Median;
        assert_eq!(
            keys(&runbook(), &head),
            ["candles_per_sec.stat min → median"]
        );
        assert!(loosened(&head, &runbook()).is_empty());
    }

    #[test]
    fn tightened_or_added_limits_are_not_listed() {
        let mut head = runbook();
        head.candles_per_sec.floor = Some(1000.0);
        head.peak_rss_mb.warn = Some(900.0);
        head.p95_stage_latency_ms.ceiling = Some(45.0);
        head.regression.fail_pct = 10.0;
        assert!(loosened(&runbook(), &head).is_empty());
    }
}
