//! Hand-built results for the comparison's tests: exact numbers, no clock.

use std::collections::BTreeMap;

use crate::engine::fingerprint::Fingerprint;
use crate::engine::settings::EngineSettings;
use crate::environment::Environment;
use crate::judge::{Budget, Ceiling, Verdict};
use crate::results::{BudgetReport, Measurement, Phases, ScenarioResult, SCHEMA_VERSION};
use crate::sampling::Sampling;
use crate::stats::Distribution;

use super::ResultSet;

/// The machine every fixture was "measured" on.
pub fn environment() -> Environment {
    Environment {
        perfsuite: "0.1.0".into(),
        build_profile: "release".into(),
        git_commit: Some("0123456789abcdef0123456789abcdef01234567".into()),
        git_branch: Some("main".into()),
        os: "Linux 6.8".into(),
        cpu: "AMD EPYC 7763 64-Core Processor".into(),
        cores: 4,
        memory_mb: 16_000,
        valgrind: None,
    }
}

/// The runbook's budget: floor 833 / warn 900 on the min, latency ceiling 50 / warn 40,
/// memory ceiling 1024, regression on the median, 5 % / 15 %.
pub fn budget() -> Budget {
    Budget {
        peak_rss_mb: Ceiling {
            ceiling: Some(1024.0),
            warn: None,
            batch_size: None,
        },
        ..crate::judge::runbook_budget()
    }
}

/// A result of scenario `name` with throughput `samples`, 20 ms p95 stage latency and 200 MiB
/// peak memory.
pub fn result(name: &str, samples: &[f64]) -> ScenarioResult {
    ScenarioResult {
        scenario: name.into(),
        measurement: Measurement {
            schema_version: SCHEMA_VERSION,
            candles: 50_000,
            repeats: samples.len() as u32,
            warmup: 1,
            seed: 1337,
            symbol: "BTCUSDT".into(),
            candles_per_sec: Distribution::of(samples.to_vec()).expect("fixtures have samples"),
            p95_stage_latency_ms: Some(20.0),
            stages: BTreeMap::new(),
            peak_rss_mb: Some(200.0),
            peak_rss_mb_max: Some(200.0),
            instructions: None,
            instructions_per_candle: None,
            fingerprint: Some(Fingerprint {
                trades: 42,
                final_equity: 1_012_345.5,
                max_drawdown: 0.0625,
                digest: "9e3779b97f4a7c15".into(),
            }),
            engine: EngineSettings::default(),
            environment: environment(),
            started_at: "2024-01-01T00:00:00Z".into(),
            duration_s: 1.5,
            phases: Phases {
                generation_s: 0.1,
                warmup_s: 0.2,
                measured_s: 1.2,
            },
            data: None,
            external: None,
        },
        config_digest: format!("{name}-c0ffee"),
        budget: BudgetReport {
            profile: "default".into(),
            resolved: budget(),
            checks: Vec::new(),
        },
        verdict: Verdict::Pass,
        sampling: Some(Sampling::fixed(samples.len() as u32)),
    }
}

/// `samples` each multiplied by `factor`.
pub fn scaled(samples: &[f64], factor: f64) -> Vec<f64> {
    samples.iter().map(|s| s * factor).collect()
}

/// A result set labelled `source` holding `results`.
pub fn set(source: &str, results: impl IntoIterator<Item = ScenarioResult>) -> ResultSet {
    let mut set = ResultSet::new(source);
    for r in results {
        set.insert(r);
    }
    set
}

/// Base and head of a pull request that shows every kind of finding.
pub fn pull_request() -> super::Comparison {
    // Eight samples, so that a clear change is called at 0.01 / 3, the share of each of the
    // three scenarios that can decide.
    let tight = [
        250_000.0, 251_000.0, 249_500.0, 250_400.0, 249_800.0, 250_700.0, 250_100.0, 250_300.0,
    ];
    let mut base = vec![
        result("btc-50k", &tight),
        result("eth-10k", &scaled(&tight, 0.5)),
        result("sol-1m", &scaled(&tight, 0.8)),
        result("btc-fast", &[100_000.0, 104_000.0, 98_000.0]),
        result("retired", &tight),
        result("ada-20k", &scaled(&tight, 0.3)),
    ];
    base[1].measurement.p95_stage_latency_ms = Some(31.5);

    let mut head = vec![
        result("btc-50k", &scaled(&tight, 0.72)),
        result("eth-10k", &scaled(&tight, 0.505)),
        result("sol-1m", &scaled(&tight, 0.78)),
        result("btc-fast", &[92_000.0, 99_000.0, 93_500.0]),
        result("brand-new", &tight),
        result("ada-20k", &scaled(&tight, 0.302)),
    ];
    head[0].measurement.p95_stage_latency_ms = Some(26.25);
    head[0].budget.resolved.candles_per_sec.floor = Some(700.0);
    head[0].budget.resolved.regression.warn_pct = 8.0;
    head[1].measurement.fingerprint = Some(crate::engine::fingerprint::Fingerprint {
        trades: 40,
        final_equity: 1_009_876.25,
        max_drawdown: 0.125,
        digest: "5bd1e9955bd1e995".into(),
    });
    head[1].measurement.p95_stage_latency_ms = Some(18.0);
    head[1].measurement.peak_rss_mb = None;
    head[2].config_digest = "sol-1m-beef".into();
    for h in &mut head {
        h.measurement.environment.cpu = "Intel Xeon Platinum 8370C".into();
    }
    super::compare(&set("perf-results-main", base), &set("perf-results", head))
}

/// The scenario files of the fixtures' scenarios, as annotations name them.
pub fn scenario_files() -> crate::output::github::Files {
    ["btc-5m", "eth-200k", "huge", "btc-50k"]
        .into_iter()
        .map(|s| {
            (
                s.to_owned(),
                std::path::PathBuf::from(format!("scenarios/{s}.toml")),
            )
        })
        .collect()
}
