//! `perfsuite run`: every scenario in its own child process, judged, written, summarised.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::budget::Verdict;
use crate::cli::{OutputArgs, RunArgs};
use crate::commands::select_scenarios;
use crate::environment::now_rfc3339;
use crate::error::{Error, EXIT_BUDGET_FAILED, EXIT_OK, EXIT_SCENARIO_ERROR};
use crate::outdir;
use crate::progress::ProgressLine;
use crate::report;
use crate::results::{Counts, Summary, SummaryRow, SCHEMA_VERSION};
use crate::runner::{run_child, ChildOutcome};
use crate::suite::{bench_spec, error_row, scenario_result, summary_row};

/// Runs the command.
pub fn run(args: RunArgs) -> Result<u8, Error> {
    let selection = select_scenarios(&args.suite)?;
    let exe = std::env::current_exe()
        .map_err(|e| Error::Input(format!("cannot find the perfsuite binary itself: {e}")))?;
    let summary = run_suite(&selection, &exe, &args.output)?;
    finish(&summary, &args.output)
}

/// Runs the selected scenarios with `exe` as the measuring child, writing each result as soon as
/// it exists and the summary after each scenario (marked interrupted until the last).
pub fn run_suite(
    selection: &super::Selection,
    exe: &Path,
    output: &OutputArgs,
) -> Result<Summary, Error> {
    let out = &output.out;
    outdir::prepare(out)?;
    let started_at = now_rfc3339();
    let clock = Instant::now();
    let total = selection.chosen.len();
    let mut progress = ProgressLine::new(output.quiet, total);
    let mut rows: Vec<SummaryRow> = Vec::with_capacity(total);
    for (i, scenario) in selection.scenarios().enumerate() {
        progress.scenario(i, &scenario.name);
        let profile = &scenario.budget;
        let budget = selection.suite.budget_for(scenario);
        let timeout = scenario.timeout_s.map(Duration::from_secs_f64);
        let row = match run_child(exe, &bench_spec(scenario), timeout, |status| {
            progress.show(status)
        }) {
            ChildOutcome::Measured(measurement) => {
                let result = scenario_result(scenario, profile, budget, *measurement);
                outdir::write_result(out, &result)?;
                summary_row(&result)
            }
            ChildOutcome::Failed(reason) => {
                progress.clear();
                eprintln!(
                    "warning: scenario `{}` could not be measured: {reason}",
                    scenario.name
                );
                error_row(scenario, &budget, reason)
            }
        };
        rows.push(row);
        let last = i + 1 == total;
        outdir::write_summary(out, &summary(&started_at, clock.elapsed(), !last, &rows))?;
    }
    progress.clear();
    let summary = summary(&started_at, clock.elapsed(), false, &rows);
    outdir::write_summary(out, &summary)?;
    Ok(summary)
}

fn summary(started_at: &str, elapsed: Duration, interrupted: bool, rows: &[SummaryRow]) -> Summary {
    Summary {
        schema_version: SCHEMA_VERSION,
        started_at: started_at.to_owned(),
        duration_s: elapsed.as_secs_f64(),
        interrupted,
        counts: Counts::of(rows.iter().map(|r| r.verdict)),
        scenarios: rows.to_vec(),
    }
}

/// Prints the summary and picks the exit code: 0 unless `--strict`; then 3 if a scenario could
/// not be measured, else 1 if a budget check failed.
pub fn finish(summary: &Summary, output: &OutputArgs) -> Result<u8, Error> {
    if !output.quiet {
        crate::app::print_stdout(&report::render(summary, output.format));
    }
    Ok(exit_code(summary, output.strict))
}

/// The exit code of a run (DESIGN §2).
pub fn exit_code(summary: &Summary, strict: bool) -> u8 {
    let worst = summary.scenarios.iter().map(|r| r.verdict).max();
    match (strict, worst) {
        (true, Some(Verdict::Error)) => EXIT_SCENARIO_ERROR,
        (true, Some(Verdict::Fail)) => EXIT_BUDGET_FAILED,
        _ => EXIT_OK,
    }
}
