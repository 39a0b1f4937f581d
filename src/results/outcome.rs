//! From scenario to judged result: the glue between the validated suite, the measurement a
//! child printed, and the budget. Pure functions, tested without running anything.

use crate::config::Scenario;
use crate::judge::{judge, overall, Budget, Metrics, Verdict};
use crate::results::folder::bench_path;
use crate::results::{BudgetReport, Measurement, ScenarioResult, SummaryRow};
use crate::sampling::Sampling;

/// The bench.json of `scenario`: its measurement judged against `budget` from `profile`, with
/// how its samples were taken.
pub fn scenario_result(
    scenario: &Scenario,
    profile: &str,
    budget: Budget,
    measurement: Measurement,
    sampling: Sampling,
) -> ScenarioResult {
    let checks = judge(
        &budget,
        Metrics {
            candles_per_sec: &measurement.candles_per_sec,
            p95_stage_latency_ms: measurement.p95_stage_latency_ms,
            peak_rss_mb: measurement.peak_rss_mb,
            batch_size: measurement.engine.batch_size,
            instructions_per_candle: measurement.instructions_per_candle,
        },
    );
    ScenarioResult {
        scenario: scenario.name.clone(),
        verdict: overall(&checks),
        config_digest: scenario.config_digest(measurement.data.as_ref().map(|d| d.digest.as_str())),
        budget: BudgetReport {
            profile: profile.to_owned(),
            resolved: budget,
            checks,
        },
        measurement,
        sampling: Some(sampling),
    }
}

/// A measured scenario's line in the summary.
pub fn summary_row(r: &ScenarioResult) -> SummaryRow {
    let m = &r.measurement;
    let stat = r.budget.resolved.candles_per_sec.stat;
    SummaryRow {
        scenario: r.scenario.clone(),
        candles: m.candles,
        judged_stat: stat.name().to_owned(),
        candles_per_sec: Some(stat.of(&m.candles_per_sec)),
        candles_per_sec_median: Some(m.candles_per_sec.median),
        p95_stage_latency_ms: m.p95_stage_latency_ms,
        peak_rss_mb: m.peak_rss_mb,
        instructions_per_candle: m.instructions_per_candle,
        verdict: r.verdict,
        reasons: r.budget.checks.iter().filter_map(|c| c.reason()).collect(),
        bench: Some(bench_path(&r.scenario)),
    }
}

/// The line of a scenario that could not be measured.
pub fn error_row(scenario: &Scenario, budget: &Budget, reason: String) -> SummaryRow {
    SummaryRow {
        scenario: scenario.name.clone(),
        candles: scenario.candles.unwrap_or(0),
        judged_stat: budget.candles_per_sec.stat.name().to_owned(),
        candles_per_sec: None,
        candles_per_sec_median: None,
        p95_stage_latency_ms: None,
        peak_rss_mb: None,
        instructions_per_candle: None,
        verdict: Verdict::Error,
        reasons: vec![reason],
        bench: None,
    }
}
