//! `perfsuite ab --base OTHER_BINARY [PATH...]`: each scenario's repeats run alternately on the
//! other build (A, the base) and on this one (B, the head), A B A B ..., each repeat in a child
//! process of its own, so both builds see the same machine state. The other build only needs to
//! speak the `bench` interface (see `runner`), so a build from an older commit can serve.
//! Scenarios that count instructions are then counted on each build, one after the other: counts
//! do not depend on the machine's state, so they need no interleaving. A base build too old to
//! mark its runs for callgrind leaves its count null, with a warning.

use std::time::Instant;

use crate::cli::AbArgs;
use crate::commands::compare::{compare_sets, Output};
use crate::commands::emit::scenario_files;
use crate::commands::run::{count_every_scenario, current_exe, write_result_set};
use crate::commands::select_scenarios;
use crate::compare::ResultSet;
use crate::environment::now_rfc3339;
use crate::error::{Error, EXIT_INTERRUPTED, EXIT_SCENARIO_ERROR};
use crate::interrupt;
use crate::measure::bench_spec;
use crate::measure::callgrind::Counter;
use crate::measure::runner::{combine, run_child, ChildOutcome, Deadline, INTERRUPTED};
use crate::output::junit;
use crate::output::progress::ProgressLine;
use crate::results::folder::Lock;
use crate::results::outcome::{error_row, scenario_result};
use crate::results::{Measurement, ScenarioResult, SummaryRow};

/// Runs the command.
pub fn ab(args: AbArgs) -> Result<u8, Error> {
    let mut selection = select_scenarios(&args.suite)?;
    if args.instructions {
        count_every_scenario(&mut selection);
    }
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
    let mut counter = Counter::default();
    for (i, scenario) in selection.scenarios().enumerate() {
        progress.scenario(i, &scenario.name);
        let budget = selection.suite.budget_for(scenario);
        let spec = crate::measure::BenchSpec {
            repeats: 1,
            ..bench_spec(scenario)
        };
        let deadline = scenario.timeout_s.and_then(Deadline::after_secs);
        match interleave(&sides, &spec, scenario.repeats, deadline, &progress) {
            Ok(runs) => {
                for (side, runs) in runs.into_iter().enumerate() {
                    let mut combined = combine(runs).map_err(|e| {
                        Error::Measure(format!("scenario `{}`: {e}", scenario.name))
                    })?;
                    if scenario.measure.instructions {
                        let label = ["A (base)", "B (head)"][side];
                        let runs = scenario.measure.instruction_repeats;
                        counter.add(
                            &scenario.name,
                            &mut combined,
                            &sides[side],
                            (&spec, runs),
                            deadline,
                            |status| progress.show(&format!("{label} {status}")),
                        );
                        progress.clear();
                    }
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
    let mut summaries = Vec::new();
    for (side, name) in ["base", "head"].iter().enumerate() {
        let dir = args.output.out.join(name);
        summaries.push(write_result_set(
            &lock,
            &dir,
            &results[side],
            &errors[side],
            &started_at,
            duration,
        )?);
        let mut set = ResultSet::new(dir);
        results[side]
            .iter()
            .cloned()
            .for_each(|r| drop(set.insert(r)));
        sets.push(set);
    }
    let how = Output {
        format: args.output.format,
        strict: args.output.strict,
        quiet: args.output.quiet,
        junit: args.output.junit.as_deref(),
    };
    let head_budgets = junit::budgets("perfsuite budgets (head)", &summaries[1], sets[1].results());
    let (_, code) = compare_sets(
        &sets[0],
        &sets[1],
        &how,
        &scenario_files(&selection),
        [head_budgets],
    )?;
    let had_errors = !errors[1].is_empty() || counter.uncounted > 0;
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
    deadline: Option<Deadline>,
    progress: &ProgressLine,
) -> Result<[Vec<Measurement>; 2], String> {
    let mut runs: [Vec<Measurement>; 2] = Default::default();
    for round in 1..=repeats {
        for (side, exe) in sides.iter().enumerate() {
            let label = ["A (base)", "B (head)"][side];
            progress.show(&format!("round {round}/{repeats} {label}"));
            match run_child(exe, spec, deadline, |_| {}) {
                ChildOutcome::Measured(m) => runs[side].push(*m),
                ChildOutcome::Failed(reason) => {
                    return Err(format!("{label} {}: {reason}", exe.display()))
                }
            }
        }
    }
    Ok(runs)
}
