//! `perfsuite ab --base OTHER_BINARY [PATH...]`: each scenario's repeats run alternately on the
//! other build (A, the base) and on this one (B, the head), A B A B ..., each repeat in a child
//! process of its own, so both builds see the same machine state. The other build only needs to
//! speak the `bench` interface (see `runner`), so a build from an older commit can serve.

use std::time::{Duration, Instant};

use crate::cli::AbArgs;
use crate::commands::compare::compare_sets;
use crate::commands::run::{current_exe, write_result_set};
use crate::commands::select_scenarios;
use crate::compare::ResultSet;
use crate::environment::now_rfc3339;
use crate::error::{Error, EXIT_INTERRUPTED, EXIT_SCENARIO_ERROR};
use crate::interrupt;
use crate::outdir::Lock;
use crate::progress::ProgressLine;
use crate::results::{Measurement, ScenarioResult, SummaryRow};
use crate::runner::{run_child, ChildOutcome, INTERRUPTED};
use crate::stats::Distribution;
use crate::suite::{bench_spec, error_row, scenario_result};

/// Runs the command.
pub fn ab(args: AbArgs) -> Result<u8, Error> {
    let selection = select_scenarios(&args.suite)?;
    if !args.base.is_file() {
        return Err(Error::Input(format!(
            "--base {}: no such binary",
            args.base.display()
        )));
    }
    let sides = [args.base.clone(), current_exe()?];
    // Taken before measuring, so a second run into the same folder is refused up front.
    let lock = Lock::acquire(&args.output.out)?;
    interrupt::install();
    let started_at = now_rfc3339();
    let clock = Instant::now();
    let mut progress = ProgressLine::new(args.output.quiet, selection.chosen.len());
    let mut results: [Vec<ScenarioResult>; 2] = Default::default();
    let mut errors: [Vec<SummaryRow>; 2] = Default::default();
    for (i, scenario) in selection.scenarios().enumerate() {
        progress.scenario(i, &scenario.name);
        let budget = selection.suite.budget_for(scenario);
        let spec = crate::measure::BenchSpec {
            repeats: 1,
            ..bench_spec(scenario)
        };
        let timeout = scenario.timeout_s.map(Duration::from_secs_f64);
        match interleave(&sides, &spec, scenario.repeats, timeout, &progress) {
            Ok(runs) => {
                for (side, runs) in runs.into_iter().enumerate() {
                    let combined = combine(runs).map_err(|e| {
                        Error::Measure(format!("scenario `{}`: {e}", scenario.name))
                    })?;
                    results[side].push(scenario_result(
                        scenario,
                        &scenario.budget,
                        budget,
                        combined,
                    ));
                }
            }
            Err(reason) if reason == INTERRUPTED => break,
            Err(reason) => {
                progress.clear();
                eprintln!(
                    "warning: scenario `{}` could not be measured: {reason}",
                    scenario.name
                );
                for side in &mut errors {
                    side.push(error_row(scenario, &budget, reason.clone()));
                }
            }
        }
    }
    progress.clear();
    if interrupt::requested() {
        eprintln!("interrupted: nothing written");
        return Ok(EXIT_INTERRUPTED);
    }
    let duration = clock.elapsed().as_secs_f64();
    let mut sets = Vec::new();
    for (side, name) in ["base", "head"].iter().enumerate() {
        let dir = args.output.out.join(name);
        write_result_set(
            &lock,
            &dir,
            &results[side],
            &errors[side],
            &started_at,
            duration,
        )?;
        let mut set = ResultSet::new(dir);
        results[side]
            .iter()
            .cloned()
            .for_each(|r| drop(set.insert(r)));
        sets.push(set);
    }
    let code = compare_sets(
        &sets[0],
        &sets[1],
        args.output.format,
        args.output.strict,
        args.output.quiet,
    );
    let had_errors = !errors[1].is_empty();
    Ok(if args.output.strict && had_errors {
        EXIT_SCENARIO_ERROR
    } else {
        code
    })
}

/// Runs `repeats` rounds of one repeat on each side, A then B; returns each side's runs.
fn interleave(
    sides: &[std::path::PathBuf; 2],
    spec: &crate::measure::BenchSpec,
    repeats: u32,
    timeout: Option<Duration>,
    progress: &ProgressLine,
) -> Result<[Vec<Measurement>; 2], String> {
    let mut runs: [Vec<Measurement>; 2] = Default::default();
    for round in 1..=repeats {
        for (side, exe) in sides.iter().enumerate() {
            let label = ["A (base)", "B (head)"][side];
            progress.show(&format!("round {round}/{repeats} {label}"));
            match run_child(exe, spec, timeout, |_| {}) {
                ChildOutcome::Measured(m) => runs[side].push(*m),
                ChildOutcome::Failed(reason) => {
                    return Err(format!("{label} {}: {reason}", exe.display()))
                }
            }
        }
    }
    Ok(runs)
}

/// One measurement from single-repeat runs of the same work: every throughput sample; the stage
/// figures of the run with the median stage latency; the largest peak RSS. The runs must agree
/// on the fingerprint.
pub fn combine(mut runs: Vec<Measurement>) -> Result<Measurement, String> {
    let first = runs.first().ok_or("no run")?.fingerprint.clone();
    if let Some(other) = runs.iter().find(|m| m.fingerprint != first) {
        return Err(format!(
            "runs disagree on the fingerprint ({} vs {}): the build is not deterministic",
            first.digest, other.fingerprint.digest
        ));
    }
    let samples: Vec<f64> = runs
        .iter()
        .flat_map(|m| m.candles_per_sec.samples.iter().copied())
        .collect();
    let peak = runs
        .iter()
        .filter_map(|m| m.peak_rss_mb)
        .max_by(f64::total_cmp);
    let (duration, generation, warmup, measured) =
        runs.iter().fold((0.0, 0.0, 0.0, 0.0), |acc, m| {
            (
                acc.0 + m.duration_s,
                acc.1 + m.phases.generation_s,
                acc.2 + m.phases.warmup_s,
                acc.3 + m.phases.measured_s,
            )
        });
    let started_at = runs[0].started_at.clone();
    runs.sort_by(|a, b| {
        a.p95_stage_latency_ms
            .unwrap_or(0.0)
            .total_cmp(&b.p95_stage_latency_ms.unwrap_or(0.0))
    });
    let count = runs.len();
    let mut m = runs.swap_remove(count / 2);
    m.repeats = samples.len() as u32;
    m.candles_per_sec = Distribution::of(samples).ok_or("no samples")?;
    m.peak_rss_mb = peak;
    m.started_at = started_at;
    m.duration_s = duration;
    (
        m.phases.generation_s,
        m.phases.warmup_s,
        m.phases.measured_s,
    ) = (generation, warmup, measured);
    Ok(m)
}
