//! `perfsuite calibrate [PATH...]`: this build against itself, interleaved as `ab` runs, for a
//! number of rounds per scenario; then, from the measured noise, what `ab` can detect (see
//! `calibrate`). `--write FILE` puts suggested settings in a file for review.

use std::time::Instant;

use crate::calibrate::report::{suggestions, table, ScenarioCalibration};
use crate::calibrate::{noise, pool, repeats_needed, smallest_detectable, Settings};
use crate::cli::{CalibrateArgs, Format};
use crate::commands::ab::interleave;
use crate::commands::run::current_exe;
use crate::commands::select_scenarios;
use crate::config::Scenario;
use crate::environment::Environment;
use crate::error::{Error, EXIT_INTERRUPTED, EXIT_OK};
use crate::interrupt;
use crate::judge::Budget;
use crate::measure::runner::{Deadline, INTERRUPTED};
use crate::measure::{bench_spec, BenchSpec};
use crate::output::progress::ProgressLine;
use crate::results::atomic;
use crate::sampling::{AbPlan, AutoRepeats};

/// Runs the command.
pub fn calibrate(args: CalibrateArgs) -> Result<u8, Error> {
    let mut selection = select_scenarios(&args.suite)?;
    super::repeats::apply_all(&mut selection, &args.sampling)?;
    crate::commands::memory::memory_limit_mib()?;
    let exe = current_exe()?;
    interrupt::install();
    let mut progress = ProgressLine::new(args.quiet, selection.chosen.len());
    let alpha = super::ab::planned_alpha(selection.scenarios());
    let mut rows = Vec::new();
    for (i, scenario) in selection.scenarios().enumerate() {
        progress.scenario(i, &scenario.name);
        let budget = selection.suite.budget_for(scenario);
        let spec = BenchSpec {
            repeats: 1,
            ..bench_spec(scenario)
        };
        let sides = [(exe.clone(), spec.clone()), (exe.clone(), spec)];
        let deadline = scenario.timeout_s.and_then(Deadline::after_secs);
        let mut plan = AbPlan::Fixed(args.rounds);
        let started = Instant::now();
        match interleave(&sides, &mut plan, deadline, &progress) {
            Ok((runs, _)) => {
                let round_s = started.elapsed().as_secs_f64() / f64::from(args.rounds);
                let samples: Vec<Vec<f64>> = runs
                    .iter()
                    .map(|side| {
                        side.iter()
                            .flat_map(|m| m.candles_per_sec.samples.iter().copied())
                            .collect()
                    })
                    .collect();
                progress.show("simulating");
                if let Some(row) =
                    judge(scenario, &budget, alpha, &samples[0], &samples[1], round_s)
                {
                    rows.push(row);
                }
            }
            Err(reason) if reason.ends_with(INTERRUPTED) => break,
            Err(reason) => {
                progress.clear();
                crate::say!(
                    "warning: scenario `{}` could not be measured: {reason}",
                    scenario.name
                );
            }
        }
    }
    progress.clear();
    if interrupt::requested() {
        crate::say!("interrupted: nothing written");
        return Ok(EXIT_INTERRUPTED);
    }
    if let Some(file) = &args.write {
        let env = Environment::detect();
        let machine = format!(
            "{} ({} cores), {}",
            env.cpu,
            env.cores,
            crate::environment::now_rfc3339()
        );
        atomic::write_atomic(file, suggestions(&rows, &machine).as_bytes())?;
    }
    if !args.quiet {
        let text = match args.format {
            Format::Json => format!(
                "{}\n",
                serde_json::to_string_pretty(&rows).expect("a calibration serialises")
            ),
            _ => table(&rows),
        };
        crate::output::print_stdout(&text)?;
    }
    Ok(EXIT_OK)
}

/// The calibration of one scenario from its A/A samples.
fn judge(
    scenario: &Scenario,
    budget: &Budget,
    alpha: f64,
    base: &[f64],
    head: &[f64],
    round_s: f64,
) -> Option<ScenarioCalibration> {
    let noise = noise(base, head)?;
    let pool = pool(base, head)?;
    // What `ab` would take: within max_repeats and as many rounds as fit in max_time_s.
    let auto = scenario.auto.map(|a| AutoRepeats {
        max_repeats: a
            .max_repeats
            // cannot panic: float `as u32` saturates (1e300 s: u32::MAX); min() bounds it.
            .min((a.max_time_s / round_s.max(1e-6)).floor() as u32)
            .max(a.min_repeats),
        ..a
    });
    let settings = Settings {
        repeats: auto.map_or(scenario.repeats, |a| a.max_repeats),
        auto,
        thresholds: budget.regression,
        alpha,
    };
    let min_repeats = auto.map_or(5, |a| a.min_repeats);
    Some(ScenarioCalibration {
        scenario: scenario.name.clone(),
        // cannot panic: --rounds is at most 10,000 (clap), one sample a round.
        rounds: base.len() as u32,
        round_s,
        noise,
        repeats: if auto.is_some() {
            "auto".to_owned()
        } else {
            scenario.repeats.to_string()
        },
        most_rounds: settings.repeats,
        warn_pct: budget.regression.warn_pct,
        detectable_pct: smallest_detectable(&pool, &settings),
        repeats_for_5_pct: repeats_needed(&pool, min_repeats, &budget.regression, alpha, 5.0),
        repeats_for_2_pct: repeats_needed(&pool, min_repeats, &budget.regression, alpha, 2.0),
    })
}
