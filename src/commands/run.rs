//! `perfsuite run`: every scenario in its own child process, judged, written, summarised.

use std::time::{Duration, Instant};

use crate::cli::{OutputArgs, RunArgs};
use crate::commands::emit;
use crate::commands::{select_scenarios, Selection};
use crate::compare::{self, load_result_set, ResultSet};
use crate::config::Scenario;
use crate::environment::now_rfc3339;
use crate::error::{Error, EXIT_BUDGET_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_SCENARIO_ERROR};
use crate::interrupt;
use crate::judge::Verdict;
use crate::measure::bench_spec;
use crate::measure::callgrind::Counter;
use crate::measure::runner::{run_repeats, Deadline, INTERRUPTED};
use crate::output::escape::shown;
use crate::output::junit;
use crate::output::progress::ProgressLine;
use crate::results::folder::ResultsFolder;
use crate::results::lock::Lock;
use crate::results::outcome::{error_row, scenario_result, summary_row};
use crate::results::{Counts, Measurement, ScenarioResult, Summary, SummaryRow, SCHEMA_VERSION};
use crate::sampling::{RunPlan, Sampling};

/// Runs the command.
pub fn run(args: RunArgs) -> Result<u8, Error> {
    let mut selection = select_scenarios(&args.suite)?;
    super::repeats::apply_all(&mut selection, &args.sampling)?;
    // Checked here, not only in each child: a bad value is one error up front, not an error
    // row for every scenario.
    crate::commands::memory::memory_limit_mib()?;
    let baseline = args.baseline.as_deref().map(load_result_set).transpose()?;
    if args.instructions {
        count_every_scenario(&mut selection);
    }
    let exe = current_exe()?;
    interrupt::install();
    let mut counter = Counter::default();
    let summary = run_suite(
        &selection,
        &args.output,
        |scenario, plan, deadline, progress| {
            let spec = bench_spec(scenario);
            let mut outcome =
                run_repeats(&exe, &spec, plan, deadline, |status| progress.show(status));
            if let (Ok((m, _)), true, None) = (
                &mut outcome,
                scenario.measure.instructions,
                &scenario.command,
            ) {
                let runs = scenario.measure.instruction_repeats;
                counter.add(&scenario.name, m, &exe, (&spec, runs), deadline, |status| {
                    progress.show(status)
                });
                progress.clear();
            }
            outcome
        },
    )?;
    let output = &args.output;
    let need_results = baseline.is_some() || output.junit.is_some();
    let head = if need_results
        && !summary.interrupted
        && summary.scenarios.iter().any(|r| r.bench.is_some())
    {
        load_result_set(&output.out)?
    } else {
        ResultSet::new(&output.out)
    };
    let comparison = match baseline {
        Some(base) if !summary.interrupted => Some(compare::compare(&base, &head)),
        _ => None,
    };
    let files = emit::scenario_files(&selection);
    // The JUnit file is written even when stdout cannot be: nothing that can be kept is lost.
    let printed = emit::print(
        Some(&summary),
        comparison.as_ref(),
        output.format,
        output.quiet,
        &files,
    );
    let mut suites = vec![junit::budgets("perfsuite run", &summary, head.results())];
    suites.extend(
        comparison
            .as_ref()
            .map(|c| compare::render::junit::comparison("perfsuite compare", c)),
    );
    emit::write_junit(output.junit.as_deref(), suites)?;
    printed?;
    if summary.interrupted {
        crate::say!(
            "interrupted: finished scenarios are in {}",
            shown(&output.out)
        );
    }
    let compared = match &comparison {
        Some(c) if output.strict && c.should_fail_strict() => EXIT_BUDGET_FAILED,
        _ => EXIT_OK,
    };
    let uncounted = match counter.uncounted {
        n if n > 0 && output.strict && !summary.interrupted => EXIT_SCENARIO_ERROR,
        _ => EXIT_OK,
    };
    Ok(exit_code(&summary, output.strict)
        .max(compared)
        .max(uncounted))
}

/// `--instructions`: every scenario counts instructions, as if it listed them in `measure`.
pub fn count_every_scenario(selection: &mut Selection) {
    for s in &mut selection.suite.scenarios {
        s.measure.instructions = true;
    }
}

/// This very binary, which measures scenarios in child processes.
pub fn current_exe() -> Result<std::path::PathBuf, Error> {
    std::env::current_exe()
        .map_err(|e| Error::Input(format!("cannot find the perfsuite binary itself: {e}")))
}

/// Runs the selected scenarios through `measure`, writing each result as soon as it exists and
/// the summary after each scenario (marked interrupted until the last), so a crash or Ctrl-C
/// never loses a finished result. The results folder is locked for the whole run (see
/// [`Lock`]); the lock is released on every way out, errors included.
pub fn run_suite(
    selection: &Selection,
    output: &OutputArgs,
    mut measure: impl FnMut(
        &Scenario,
        &RunPlan,
        Option<Deadline>,
        &ProgressLine,
    ) -> Result<(Measurement, Sampling), String>,
) -> Result<Summary, Error> {
    let out = &output.out;
    let lock = Lock::acquire(out)?;
    let names: Vec<&str> = selection.scenarios().map(|s| s.name.as_str()).collect();
    let folder = ResultsFolder::prepare(&lock, out, &names)?;
    let started_at = now_rfc3339();
    let clock = Instant::now();
    let total = selection.chosen.len();
    let mut progress = ProgressLine::new(output.quiet, total);
    let mut rows: Vec<SummaryRow> = Vec::with_capacity(total);
    let write_summary = |summary: &Summary| folder.write_summary(summary);
    write_summary(&summary(&started_at, clock.elapsed(), total > 0, &rows))?;
    for (i, scenario) in selection.scenarios().enumerate() {
        if interrupt::requested() {
            break;
        }
        progress.scenario(i, &scenario.name);
        let budget = selection.suite.budget_for(scenario);
        let deadline = scenario.timeout_s.and_then(Deadline::after_secs);
        let plan = RunPlan::new(scenario.repeats, scenario.auto, budget.candles_per_sec.stat);
        let row = match measure(scenario, &plan, deadline, &progress) {
            Ok((measurement, sampling)) => {
                let result =
                    scenario_result(scenario, &scenario.budget, budget, measurement, sampling);
                folder.write_result(&result)?;
                summary_row(&result)
            }
            Err(reason) if reason == INTERRUPTED => break,
            Err(reason) => {
                progress.clear();
                crate::say!(
                    "warning: scenario `{}` could not be measured: {reason}",
                    scenario.name
                );
                error_row(scenario, &budget, reason)
            }
        };
        rows.push(row);
        let unfinished = rows.len() < total;
        write_summary(&summary(&started_at, clock.elapsed(), unfinished, &rows))?;
    }
    progress.clear();
    let summary = summary(&started_at, clock.elapsed(), rows.len() < total, &rows);
    write_summary(&summary)?;
    Ok(summary)
}

/// A summary of `rows`.
pub fn summary(
    started_at: &str,
    elapsed: Duration,
    interrupted: bool,
    rows: &[SummaryRow],
) -> Summary {
    Summary {
        schema_version: SCHEMA_VERSION,
        started_at: started_at.to_owned(),
        duration_s: elapsed.as_secs_f64(),
        interrupted,
        counts: Counts::of(rows.iter().map(|r| r.verdict)),
        scenarios: rows.to_vec(),
    }
}

/// The exit code of a run (DESIGN §2): 130 when interrupted; 0 unless `--strict`; then 3 if a
/// scenario could not be measured, else 1 if a budget check failed.
pub fn exit_code(summary: &Summary, strict: bool) -> u8 {
    let worst = summary.scenarios.iter().map(|r| r.verdict).max();
    match (summary.interrupted, strict, worst) {
        (true, _, _) => EXIT_INTERRUPTED,
        (_, true, Some(Verdict::Error)) => EXIT_SCENARIO_ERROR,
        (_, true, Some(Verdict::Fail)) => EXIT_BUDGET_FAILED,
        _ => EXIT_OK,
    }
}

/// Writes `results` as a complete result set into `folder`: each bench.json and the summary.
pub fn write_result_set(
    folder: &ResultsFolder,
    results: &[ScenarioResult],
    errors: &[SummaryRow],
    started_at: &str,
    duration_s: f64,
) -> Result<Summary, Error> {
    let mut rows: Vec<SummaryRow> = Vec::with_capacity(results.len() + errors.len());
    for result in results {
        folder.write_result(result)?;
        rows.push(summary_row(result));
    }
    rows.extend(errors.iter().cloned());
    rows.sort_by(|a, b| a.scenario.cmp(&b.scenario));
    let summary = summary(
        started_at,
        Duration::from_secs_f64(duration_s),
        false,
        &rows,
    );
    folder.write_summary(&summary)?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::report::fixtures;

    #[test]
    fn exit_codes_follow_the_contract() {
        let mut s = fixtures::summary();
        assert_eq!(
            exit_code(&s, false),
            EXIT_OK,
            "warnings, failures and errors alone never fail"
        );
        assert_eq!(
            exit_code(&s, true),
            EXIT_SCENARIO_ERROR,
            "an error outranks a failed budget"
        );
        s.scenarios.retain(|r| r.verdict != Verdict::Error);
        assert_eq!(exit_code(&s, true), EXIT_BUDGET_FAILED);
        s.scenarios.retain(|r| r.verdict != Verdict::Fail);
        assert_eq!(
            exit_code(&s, true),
            EXIT_OK,
            "warn passes even in strict mode"
        );
        s.interrupted = true;
        assert_eq!(exit_code(&s, false), EXIT_INTERRUPTED);
    }
}
