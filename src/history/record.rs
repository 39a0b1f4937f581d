//! Recording checked bench.json results into the history, each once.
//!
//! A result is known by its scenario and a run key: a digest of when it started, the commit,
//! the fingerprint and the bit patterns of every throughput sample. Adding the same file again,
//! or the same results from another copy of an artifact, is a no-op; two measurements never
//! share a key unless every sample is equal to the last bit.

use rusqlite::params;

use crate::engine::fingerprint::fnv1a_bytes;
use crate::results::ScenarioResult;

use super::db::{DbError, History};

/// What a call to [`record`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Recorded {
    /// Results new to the history.
    pub added: usize,
    /// Results it already held.
    pub present: usize,
}

/// One metric of one result, as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricRow {
    /// The metric's key.
    pub name: &'static str,
    /// The value trends follow: the median for sampled metrics.
    pub value: f64,
    /// The smallest sample, for sampled metrics.
    pub low: Option<f64>,
    /// The largest sample, for sampled metrics.
    pub high: Option<f64>,
    /// Every sample, in the order measured (empty for single values).
    pub samples: Vec<f64>,
}

/// Records `results` in one transaction: all of them, or none on an error.
pub fn record(history: &mut History, results: &[ScenarioResult]) -> Result<Recorded, DbError> {
    let mut done = Recorded::default();
    let outcome = (|| -> rusqlite::Result<()> {
        let tx = history
            .conn()
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        for r in results {
            let m = &r.measurement;
            let env = &m.environment;
            let checks =
                serde_json::to_string(&r.budget.checks).expect("budget checks serialise to JSON");
            let inserted = tx.execute(
                "INSERT OR IGNORE INTO result (scenario, run_key, started_at, git_commit,
                    git_branch, perfsuite, build_profile, os, cpu, cores, memory_mb,
                    config_digest, fingerprint_digest, trades, final_equity, budget_profile,
                    checks, verdict)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                    ?17, ?18)",
                params![
                    r.scenario,
                    run_key(r),
                    m.started_at,
                    env.git_commit,
                    env.git_branch,
                    env.perfsuite,
                    env.build_profile,
                    env.os,
                    env.cpu,
                    // cannot panic: check_measurement bounds these three below i64::MAX.
                    env.cores as i64,
                    env.memory_mb as i64,
                    r.config_digest,
                    m.fingerprint.as_ref().map(|f| f.digest.as_str()),
                    m.fingerprint.as_ref().map(|f| f.trades as i64),
                    m.fingerprint.as_ref().map(|f| f.final_equity),
                    r.budget.profile,
                    checks,
                    r.verdict.name(),
                ],
            )?;
            if inserted == 0 {
                done.present += 1;
                continue;
            }
            done.added += 1;
            let id = tx.last_insert_rowid();
            for row in metrics(r) {
                tx.execute(
                    "INSERT INTO metric (result_id, name, value, low, high) VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![id, row.name, row.value, row.low, row.high],
                )?;
                for (seq, s) in row.samples.iter().enumerate() {
                    tx.execute(
                        "INSERT INTO sample (result_id, name, seq, value) VALUES (?1, ?2, ?3, ?4)",
                        params![id, row.name, seq as i64, s],
                    )?;
                }
            }
        }
        tx.commit()
    })();
    outcome.map_err(|e| history.error(e))?;
    Ok(done)
}

/// The key that makes re-adding a result a no-op.
pub fn run_key(r: &ScenarioResult) -> String {
    let m = &r.measurement;
    let mut bytes = Vec::new();
    for part in [
        m.started_at.as_str(),
        m.environment.git_commit.as_deref().unwrap_or(""),
        m.fingerprint.as_ref().map_or("", |f| f.digest.as_str()),
    ] {
        bytes.extend_from_slice(part.as_bytes());
        bytes.push(0);
    }
    for s in &m.candles_per_sec.samples {
        bytes.extend_from_slice(&s.to_bits().to_le_bytes());
    }
    format!("{:016x}", fnv1a_bytes(&bytes))
}

/// The metrics of `r` the history keeps: throughput with its samples, the single-valued
/// metrics that were measured, and instructions per candle where they were counted.
pub fn metrics(r: &ScenarioResult) -> Vec<MetricRow> {
    let m = &r.measurement;
    let cps = &m.candles_per_sec;
    let single = |name, value: Option<f64>| {
        value.map(|value| MetricRow {
            name,
            value,
            low: None,
            high: None,
            samples: Vec::new(),
        })
    };
    std::iter::once(MetricRow {
        name: "candles_per_sec",
        value: cps.median,
        low: Some(cps.min),
        high: Some(cps.samples.iter().copied().fold(cps.min, f64::max)),
        samples: cps.samples.clone(),
    })
    .chain(single("p95_stage_latency_ms", m.p95_stage_latency_ms))
    .chain(single("peak_rss_mb", m.peak_rss_mb))
    .chain(single("instructions_per_candle", m.instructions_per_candle))
    .collect()
}
