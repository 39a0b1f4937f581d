//! Measuring one scenario: candles are generated (or read from the scenario's data file) before
//! any clock starts, warm-ups run uncounted, then each repeat is timed as one wall-clock
//! interval around the engine's run while the engine times its stages per batch.
//!
//! [`measure`] produces raw samples; [`Samples::into_measurement`] turns them into the reported
//! figures, so the arithmetic is tested on hand-built samples with exact numbers. [`child`] runs
//! any child process under limits; [`runner`] runs a measurement in a child process and reads
//! back what it printed. Under callgrind ([`Mode::CallgrindMarks`]) the same runs are marked for
//! counting instead of timed per stage; [`callgrind`] runs such a child and reads its counts.

pub mod callgrind;
pub mod child;
pub mod client_request;
pub mod runner;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use crate::config::Scenario;
use crate::data::{DataError, DataInfo};
use crate::engine::candles::{generate, CandleSeries};
use crate::engine::settings::EngineSettings;
use crate::engine::timing::{Stage, StageTimings};
use crate::engine::{Engine, EngineError, Outcome};
use crate::environment::Environment;
use crate::external::ExternalCommand;
use crate::results::{Measurement, Phases, StageStats, SCHEMA_VERSION};
use crate::stats::{percentile_of_sorted, Distribution};

/// What to measure.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchSpec {
    /// Candles per run, at least 1. `None` only with `data`: every row of the file.
    pub candles: Option<u64>,
    /// Seed of the candle generator.
    pub seed: u64,
    /// Symbol of the series.
    pub symbol: String,
    /// Measured repeats, at least 1.
    pub repeats: u32,
    /// Uncounted warm-up runs.
    pub warmup: u32,
    /// Engine settings, already validated.
    pub engine: EngineSettings,
    /// A candle file to backtest instead of generated candles.
    pub data: Option<PathBuf>,
    /// An external engine to run instead of the built-in one.
    pub command: Option<ExternalCommand>,
}

/// What a child process must measure for `scenario`.
pub fn bench_spec(scenario: &Scenario) -> BenchSpec {
    BenchSpec {
        candles: scenario.candles,
        seed: scenario.seed,
        symbol: scenario.symbol.clone(),
        repeats: scenario.repeats,
        warmup: scenario.warmup,
        engine: scenario.engine,
        data: scenario.data.clone(),
        command: scenario.command.clone(),
    }
}

/// Bytes a measurement plans for each candle: the six candle columns take 48 (8 bytes each of
/// time, open, high, low, close, volume); the rest is margin for the trade ledger and the
/// allocator.
pub const BYTES_PER_CANDLE: u64 = 64;
/// Bytes a measurement plans for each batch of each timed repeat: one 8-byte time per stage.
pub const BYTES_PER_TIMED_BATCH: u64 = 8 * Stage::ALL.len() as u64;
/// Bytes a batch's scratch columns take per candle of the batch (nine `f64` columns and one
/// `i8`).
pub const BYTES_PER_BATCH_SLOT: u64 = 9 * 8 + 1;
/// Bytes planned for the process itself: code, stacks, the allocator's own overhead.
pub const PROCESS_OVERHEAD_BYTES: u64 = 64 << 20;

impl BenchSpec {
    /// The memory a measurement of this spec needs at most, in bytes, estimated before anything
    /// is allocated: [`BYTES_PER_CANDLE`] per candle, [`BYTES_PER_TIMED_BATCH`] per batch per
    /// repeat, the batch scratch columns and [`PROCESS_OVERHEAD_BYTES`]. Saturates instead of
    /// overflowing, so an absurd spec asks for an absurd amount rather than wrapping to a small
    /// one.
    pub fn memory_needed(&self, candles: u64) -> u64 {
        let batch = (self.engine.batch_size.max(1) as u64).min(candles.max(1));
        let timed_batches = candles
            .div_ceil(batch)
            .saturating_mul(u64::from(self.repeats));
        candles
            .saturating_mul(BYTES_PER_CANDLE)
            .saturating_add(timed_batches.saturating_mul(BYTES_PER_TIMED_BATCH))
            .saturating_add(batch.saturating_mul(BYTES_PER_BATCH_SLOT))
            .saturating_add(PROCESS_OVERHEAD_BYTES)
    }
}

/// How the measured repeats are taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// Timed: wall time per run, stage times per batch.
    #[default]
    Timed,
    /// Marked for callgrind (run under `--instr-atstart=no --collect-atstart=no`): instrumentation
    /// starts after generation and warm-ups, and counting is switched on around each measured
    /// engine run only, without stage timing. Outside valgrind the marks are no-ops.
    CallgrindMarks,
}

/// Where a measurement is, for progress displays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// Generating candles.
    Generating,
    /// Warm-up run `i` of `n` (1-based).
    Warmup(u32, u32),
    /// Measured repeat `i` of `n` (1-based).
    Repeat(u32, u32),
}

/// Raw results of a measurement, before any statistic.
#[derive(Debug, Clone)]
pub struct Samples {
    /// Wall time of each measured repeat, in seconds.
    pub run_seconds: Vec<f64>,
    /// Per-stage per-batch times of the measured repeats.
    pub timings: StageTimings,
    /// The backtest's outcome (identical in every run).
    pub outcome: Outcome,
    /// Wall-time split.
    pub phases: Phases,
    /// The candle file read, if the spec has one.
    pub data: Option<DataInfo>,
}

/// Why a measurement failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MeasureError {
    /// The candle file could not be read, or holds an invalid candle.
    #[error(transparent)]
    Data(DataError),
    /// The engine rejected the data.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// The measurement needs more memory than can be allocated.
    #[error("{0}")]
    OutOfMemory(String),
    /// Two runs of the same candles disagreed: the engine is not deterministic.
    #[error("repeat {repeat} produced other results than the first run: the engine is not deterministic")]
    Nondeterministic {
        /// The repeat that disagreed with the first run.
        repeat: u32,
    },
}

impl From<MeasureError> for crate::error::Error {
    fn from(e: MeasureError) -> Self {
        Self::Measurement(Box::new(e))
    }
}

/// Runs `spec`: generation, warm-ups, then the measured repeats, as `mode` says.
pub fn measure(
    spec: &BenchSpec,
    mode: Mode,
    mut progress: impl FnMut(Progress),
) -> Result<Samples, MeasureError> {
    progress(Progress::Generating);
    let clock = Instant::now();
    let (series, data) = candles(spec).map_err(MeasureError::Data)?;
    let generation_s = clock.elapsed().as_secs_f64();

    // One batch holds the whole series at most: a `batch_size` far above the candles (1e8 for
    // 1,000) must not allocate scratch columns for candles that do not exist. Results and
    // stage timings are the same, as the series is one batch either way.
    let mut engine = Engine::new(EngineSettings {
        batch_size: spec.engine.batch_size.min(series.len().max(1)),
        ..spec.engine
    });
    let mut expected: Option<Outcome> = None;
    let clock = Instant::now();
    for i in 1..=spec.warmup {
        progress(Progress::Warmup(i, spec.warmup));
        expected = Some(engine.run(&series, None).map_err(MeasureError::Engine)?);
    }
    let warmup_s = clock.elapsed().as_secs_f64();

    let marked = mode == Mode::CallgrindMarks;
    let timed_batches = if marked {
        0
    } else {
        engine.batches(series.len())
    };
    // A data file's rows are not in the up-front memory check: its batches times the repeats
    // may ask for more than there is, which is an error here, not an abort.
    let batches = timed_batches.saturating_mul(spec.repeats as usize);
    let mut timings = StageTimings::try_with_capacity(batches).map_err(|_| {
        MeasureError::OutOfMemory(format!(
            "timing {batches} batches ({timed_batches} a run \u{d7} {} repeats) needs about \
             {} MiB, which cannot be allocated: use fewer repeats or a larger `batch_size`",
            spec.repeats,
            (batches as u64).saturating_mul(BYTES_PER_TIMED_BATCH) >> 20
        ))
    })?;
    // cannot panic: repeats <= 10,000 (config::REPEATS, checked by config and clap).
    let mut run_seconds = Vec::with_capacity(spec.repeats as usize);
    if marked {
        client_request::start_instrumentation();
    }
    for i in 1..=spec.repeats {
        progress(Progress::Repeat(i, spec.repeats));
        let clock = Instant::now();
        let outcome = if marked {
            client_request::toggle_collect();
            let outcome = engine.run(&series, None);
            client_request::toggle_collect();
            outcome
        } else {
            engine.run(&series, Some(&mut timings))
        };
        run_seconds.push(clock.elapsed().as_secs_f64());
        let outcome = outcome.map_err(MeasureError::Engine)?;
        match &expected {
            Some(first) if *first != outcome => {
                return Err(MeasureError::Nondeterministic { repeat: i })
            }
            Some(_) => {}
            None => expected = Some(outcome),
        }
    }
    let measured_s = run_seconds.iter().sum();
    Ok(Samples {
        run_seconds,
        timings,
        outcome: expected.expect("at least one repeat ran"),
        phases: Phases {
            generation_s,
            warmup_s,
            measured_s,
        },
        data,
    })
}

/// The candles of `spec`: the first `candles` rows of its data file (all without a count), or
/// as many generated ones.
pub fn candles(spec: &BenchSpec) -> Result<(CandleSeries, Option<DataInfo>), DataError> {
    match &spec.data {
        Some(path) => {
            let loaded = crate::data::read(path, spec.candles)?;
            Ok((loaded.series, Some(loaded.info)))
        }
        None => {
            let n = spec
                .candles
                .expect("a spec without data has a candle count");
            // cannot panic: candles <= 1e8 (config::CANDLES, checked by config and clap).
            Ok((generate(n as usize, spec.seed, &spec.symbol), None))
        }
    }
}

/// Per-stage statistics of batch times given in nanoseconds.
pub fn stage_stats(nanos: &[u64]) -> Option<StageStats> {
    let mut ms: Vec<f64> = nanos.iter().map(|&n| n as f64 / 1e6).collect();
    ms.sort_by(f64::total_cmp);
    Some(StageStats {
        p50_ms: percentile_of_sorted(&ms, 50.0)?,
        p95_ms: percentile_of_sorted(&ms, 95.0)?,
        max_ms: *ms.last()?,
        total_ms: ms.iter().sum(),
    })
}

impl Samples {
    /// The reported figures for `spec`, measured in `environment`.
    pub fn into_measurement(
        self,
        spec: &BenchSpec,
        environment: Environment,
        peak_rss_mb: Option<f64>,
        started_at: String,
        duration_s: f64,
    ) -> Measurement {
        let candles = self
            .data
            .as_ref()
            .map_or(spec.candles.unwrap_or(0), |d| d.rows);
        let cps: Vec<f64> = self
            .run_seconds
            .iter()
            .map(|s| candles as f64 / s)
            .collect();
        let stages: BTreeMap<String, StageStats> = Stage::ALL
            .iter()
            .filter_map(|&stage| {
                Some((
                    stage.name().to_owned(),
                    stage_stats(self.timings.samples(stage))?,
                ))
            })
            .collect();
        let p95_stage_latency_ms = stages.values().map(|s| s.p95_ms).max_by(f64::total_cmp);
        Measurement {
            schema_version: SCHEMA_VERSION,
            candles,
            repeats: spec.repeats,
            warmup: spec.warmup,
            seed: spec.seed,
            symbol: spec.symbol.clone(),
            candles_per_sec: Distribution::of(cps).expect("at least one repeat"),
            p95_stage_latency_ms,
            stages,
            peak_rss_mb,
            peak_rss_mb_max: peak_rss_mb,
            instructions: None,
            instructions_per_candle: None,
            fingerprint: Some(self.outcome.fingerprint()),
            engine: spec.engine,
            environment,
            started_at,
            duration_s,
            phases: self.phases,
            data: self.data,
            external: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(repeats: u32, warmup: u32) -> BenchSpec {
        BenchSpec {
            candles: Some(20_000),
            seed: 1337,
            symbol: "BTCUSDT".into(),
            repeats,
            warmup,
            engine: EngineSettings::default(),
            data: None,
            command: None,
        }
    }

    #[test]
    fn the_memory_estimate_covers_columns_timings_and_the_process() {
        let s = spec(3, 1);
        let batches = 1_000_000u64.div_ceil(4096);
        assert_eq!(
            s.memory_needed(1_000_000),
            64_000_000 + batches * 3 * 40 + 4096 * 73 + (64 << 20)
        );
        assert!(
            s.memory_needed(1_000_000) > 48 * 1_000_000,
            "more than the candle columns"
        );
        let absurd = BenchSpec {
            repeats: 10_000,
            engine: EngineSettings {
                batch_size: 1,
                ..EngineSettings::default()
            },
            ..spec(1, 0)
        };
        assert!(
            absurd.memory_needed(100_000_000) > 40_000_000_000_000,
            "40 TB of stage timings"
        );
    }

    #[test]
    fn warmup_runs_are_not_counted() {
        let mut seen = Vec::new();
        let samples = measure(&spec(2, 3), Mode::Timed, |p| seen.push(p)).unwrap();
        assert_eq!(samples.run_seconds.len(), 2);
        let batches = 20_000usize.div_ceil(4096);
        assert_eq!(samples.timings.samples(Stage::Execution).len(), 2 * batches);
        assert_eq!(
            seen.iter()
                .filter(|p| matches!(p, Progress::Warmup(..)))
                .count(),
            3
        );
        assert_eq!(seen.last(), Some(&Progress::Repeat(2, 2)));
    }

    #[test]
    fn runs_marked_for_callgrind_are_not_timed_per_stage_and_give_the_same_results() {
        let timed = measure(&spec(2, 1), Mode::Timed, |_| {}).unwrap();
        let marked = measure(&spec(2, 1), Mode::CallgrindMarks, |_| {}).unwrap();
        assert_eq!(marked.run_seconds.len(), 2);
        assert!(marked.timings.samples(Stage::Execution).is_empty());
        assert_eq!(marked.outcome, timed.outcome);
    }

    #[test]
    fn throughput_is_candles_over_each_runs_wall_time() {
        let s = spec(3, 0);
        let mut samples = measure(&s, Mode::Timed, |_| {}).unwrap();
        samples.run_seconds = vec![0.01, 0.02, 0.04];
        let m = samples.into_measurement(&s, Environment::detect(), None, "t".into(), 1.0);
        assert_eq!(
            m.candles_per_sec.samples,
            vec![2_000_000.0, 1_000_000.0, 500_000.0]
        );
        assert_eq!(m.candles_per_sec.min, 500_000.0);
        assert_eq!(m.candles_per_sec.median, 1_000_000.0);
        let worst = m.stages.values().map(|s| s.p95_ms).fold(0.0, f64::max);
        assert_eq!(m.p95_stage_latency_ms, Some(worst));
        assert_eq!(m.stages.len(), 5);
    }

    #[test]
    fn stage_stats_are_in_milliseconds() {
        let s = stage_stats(&[1_000_000, 2_000_000, 3_000_000, 4_000_000]).unwrap();
        assert_eq!((s.p50_ms, s.max_ms, s.total_ms), (2.5, 4.0, 10.0));
        assert!((s.p95_ms - 3.85).abs() < 1e-12);
        assert_eq!(stage_stats(&[]), None);
    }
}
