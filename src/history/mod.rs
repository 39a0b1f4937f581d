//! The history of result sets: an embedded SQLite database (`db`) that `history add` and
//! `history import` record bench.json files into (`record`, `import`), and the per-scenario
//! series that `trend` and `report` read back out of it (`series`).

pub mod db;
pub mod import;
pub mod record;
pub mod series;

pub use db::{DbError, History, DEFAULT_PATH};

/// A metric kept in the history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MetricInfo {
    /// Its key, as in bench.json and the database.
    pub name: &'static str,
    /// Its unit, for tables and chart axes.
    pub unit: &'static str,
    /// Whether a larger value is better (throughput) or worse (latency, memory).
    pub higher_is_better: bool,
    /// Whether it is deterministic: the same build on the same input gives the same value, so
    /// every change is a change point, without a significance test.
    pub exact: bool,
}

/// Every metric the history records, in the order tables show them.
pub const METRICS: &[MetricInfo] = &[
    MetricInfo {
        name: "candles_per_sec",
        unit: "candles/s",
        higher_is_better: true,
        exact: false,
    },
    MetricInfo {
        name: "p95_stage_latency_ms",
        unit: "ms",
        higher_is_better: false,
        exact: false,
    },
    MetricInfo {
        name: "peak_rss_mb",
        unit: "MiB",
        higher_is_better: false,
        exact: false,
    },
    MetricInfo {
        name: "instructions_per_candle",
        unit: "instructions/candle",
        higher_is_better: false,
        exact: true,
    },
];

/// The metric named `name`, if the history knows it.
pub fn metric(name: &str) -> Option<&'static MetricInfo> {
    METRICS.iter().find(|m| m.name == name)
}
