//! `perfsuite ab --base OTHER_BINARY [PATH...]`: each scenario's repeats run in rounds, one
//! repeat on the other build (A, the base) and one on this one (B, the head), A B, B A, A B, ...
//! (which goes first alternates, so neither side always follows the other), each repeat in a
//! child process of its own, so both runs of a round see the same machine state and the round's
//! ratio cancels it (the paired test in `compare::decision`). The other build only needs to
//! speak the `bench` interface (see `runner`), so a build from an older commit can serve.
//! Scenarios that count instructions are then counted on each build, one after the other: counts
//! do not depend on the machine's state, so they need no interleaving. A base build too old to
//! mark its runs for callgrind leaves its count null, with a warning.
//!
//! A scenario with an external engine (`engine.command`) compares the command on two checkouts
//! instead: both sides are measured by this perfsuite, A running the command in the scenario's
//! folder inside `--base-dir`, B in the scenario's own folder (see `ab_sides`).

use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::cli::AbArgs;
use crate::commands::compare::{compare_sets, Output};
use crate::commands::emit::scenario_files;
use crate::commands::run::{count_every_scenario, current_exe, write_result_set};
use crate::commands::select_scenarios;
use crate::compare::{decision, ResultSet};
use crate::config::Scenario;
use crate::environment::now_rfc3339;
use crate::error::{Error, EXIT_INTERRUPTED, EXIT_SCENARIO_ERROR};
use crate::external::ExternalCommand;
use crate::interrupt;
use crate::measure::callgrind::Counter;
use crate::measure::runner::{
    combine, probe_base, run_child, ChildOutcome, Deadline, INTERRUPTED, PROBE_CANDLES,
};
use crate::measure::{bench_spec, BenchSpec};
use crate::output::escape::shown;
use crate::output::junit;
use crate::output::progress::ProgressLine;
use crate::results::folder::ResultsFolder;
use crate::results::lock::Lock;
use crate::results::outcome::{error_row, scenario_result};
use crate::results::{Measurement, ScenarioResult, SummaryRow};
use crate::sampling::{AbPlan, Sampling};

/// The level each scenario's stopping rule is planned at: the scenarios whose rounds can call a
/// change share [`decision::ALPHA`], as `compare` shares it when it judges them
/// ([`decision::scenario_alpha`]).
pub(crate) fn planned_alpha<'a>(scenarios: impl Iterator<Item = &'a Scenario>) -> f64 {
    let most_rounds = |s: &Scenario| s.auto.map_or(s.repeats, |a| a.max_repeats);
    let deciding = scenarios
        .filter(|s| decision::can_decide(most_rounds(s) as usize, true))
        .count();
    decision::scenario_alpha(deciding)
}

/// Runs the command.
pub fn ab(args: AbArgs) -> Result<u8, Error> {
    let mut selection = select_scenarios(&args.suite)?;
    super::repeats::apply_all(&mut selection, &args.sampling)?;
    if args.instructions {
        count_every_scenario(&mut selection);
    }
    crate::commands::memory::memory_limit_mib()?;
    let head = current_exe()?;
    let base = args.base.as_deref().map(named_file);
    let sides: Vec<[(PathBuf, BenchSpec); 2]> = selection
        .scenarios()
        .map(|scenario| ab_sides(&args, base.as_deref(), &head, scenario))
        .collect::<Result<_, _>>()?;
    // Taken before measuring, so a second run into the same folder is refused up front.
    let lock = Lock::acquire(&args.output.out)?;
    interrupt::install();
    if let Some(base) = sides.iter().map(|s| &s[0].0).find(|exe| **exe != head) {
        if !probe(base, args.base.as_deref().unwrap_or(base.as_path()))? {
            crate::say!("interrupted: nothing written");
            return Ok(EXIT_INTERRUPTED);
        }
    }
    let alpha = planned_alpha(selection.scenarios());
    let names: Vec<&str> = selection.scenarios().map(|s| s.name.as_str()).collect();
    let folders = [
        ResultsFolder::prepare(&lock, &args.output.out.join("base"), &names)?,
        ResultsFolder::prepare(&lock, &args.output.out.join("head"), &names)?,
    ];
    let started_at = now_rfc3339();
    let clock = Instant::now();
    let mut progress = ProgressLine::new(args.output.quiet, selection.chosen.len());
    let mut results: [Vec<ScenarioResult>; 2] = Default::default();
    let mut errors: [Vec<SummaryRow>; 2] = Default::default();
    let mut counter = Counter::default();
    for (i, (scenario, sides)) in selection.scenarios().zip(&sides).enumerate() {
        progress.scenario(i, &scenario.name);
        let budget = selection.suite.budget_for(scenario);
        let deadline = scenario.timeout_s.and_then(Deadline::after_secs);
        let mut plan = AbPlan::new(
            scenario.repeats,
            scenario.auto,
            alpha,
            budget.regression.warn_pct.min(budget.regression.fail_pct),
        );
        match interleave(sides, &mut plan, deadline, &progress) {
            Ok((runs, sampling)) => {
                for (side, runs) in runs.into_iter().enumerate() {
                    let mut combined = combine(runs).map_err(|e| {
                        Error::Measure(format!("scenario `{}`: {e}", scenario.name))
                    })?;
                    if scenario.measure.instructions && scenario.command.is_none() {
                        let label = ["A (base)", "B (head)"][side];
                        let runs = scenario.measure.instruction_repeats;
                        let (exe, spec) = &sides[side];
                        counter.add(
                            &scenario.name,
                            &mut combined,
                            exe,
                            (spec, runs),
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
                        sampling.clone(),
                    ));
                }
            }
            Err(reason) if reason == INTERRUPTED => break,
            Err(reason) => {
                progress.clear();
                crate::say!(
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
        crate::say!("interrupted: nothing written");
        return Ok(EXIT_INTERRUPTED);
    }
    let duration = clock.elapsed().as_secs_f64();
    let mut sets = Vec::new();
    let mut summaries = Vec::new();
    for (side, name) in ["base", "head"].iter().enumerate() {
        let dir = args.output.out.join(name);
        summaries.push(write_result_set(
            &folders[side],
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

/// `--base NAME` means the file the user named: a name without a folder is the file in the
/// current folder, as `./NAME`, never a program looked up on `PATH` (which `Command` would do).
fn named_file(base: &Path) -> PathBuf {
    if base.as_os_str().as_encoded_bytes().contains(&b'/') {
        base.to_owned()
    } else {
        Path::new(".").join(base)
    }
}

/// Refuses a `--base` that is not a perfsuite build speaking the `bench` protocol (`/bin/true`,
/// a script that prints nothing, a build too new to read), before anything is measured or
/// written: a tiny `bench` run must print a measurement. `named` is the binary as the user
/// named it, for the message. `false` when interrupted meanwhile.
fn probe(base: &Path, named: &Path) -> Result<bool, Error> {
    match probe_base(base) {
        ChildOutcome::Measured(_) => Ok(true),
        ChildOutcome::Failed(reason) if reason == INTERRUPTED => Ok(false),
        ChildOutcome::Failed(reason) => Err(Error::Input(format!(
            "--base {}: not a perfsuite build that speaks the `bench` protocol: a probe \
             measuring {PROBE_CANDLES} candles failed: {reason}",
            shown(named)
        ))),
    }
}

/// What A and B run for `scenario`, one repeat each time: on the built-in engine, the
/// `--base` binary and this one; on an external engine, this binary both times, A with the
/// command's folder moved into `--base-dir`. The data file, if any, is the same for both, so
/// the results stay comparable. Every missing piece is an input error, before anything runs.
fn ab_sides(
    args: &AbArgs,
    base: Option<&Path>,
    head: &Path,
    scenario: &Scenario,
) -> Result<[(PathBuf, BenchSpec); 2], Error> {
    let spec = BenchSpec {
        repeats: 1,
        ..bench_spec(scenario)
    };
    let Some(command) = &spec.command else {
        let (Some(base), Some(named)) = (base, &args.base) else {
            return Err(Error::Input(format!(
                "scenario `{}` runs the built-in engine: give --base, the other perfsuite build",
                scenario.name
            )));
        };
        if !base.is_file() {
            return Err(Error::Input(format!(
                "--base {}: no such file{}",
                shown(named),
                if base == named.as_path() {
                    ""
                } else {
                    " in the current folder (--base is a path, never looked up on PATH)"
                }
            )));
        }
        return Ok([(base.to_owned(), spec.clone()), (head.to_owned(), spec)]);
    };
    let Some(base_dir) = &args.base_dir else {
        return Err(Error::Input(format!(
            "scenario `{}` runs an external engine (`{}`): give --base-dir, the base checkout \
             in which A runs it",
            scenario.name,
            command.display()
        )));
    };
    let relative = if command.dir.is_absolute() {
        let cwd = std::env::current_dir().map_err(|e| Error::io(Path::new("."), e))?;
        command
            .dir
            .strip_prefix(&cwd)
            .map(Path::to_path_buf)
            .map_err(|_| {
                Error::Input(format!(
                "scenario `{}`: its folder {} is outside the current folder, so it has no place \
                 in --base-dir",
                scenario.name,
                command.dir.display()
            ))
            })?
    } else {
        command.dir.clone()
    };
    let base_command = ExternalCommand {
        argv: command.argv.clone(),
        dir: base_dir.join(relative),
    };
    if !base_command.dir.is_dir() {
        return Err(Error::Input(format!(
            "--base-dir: scenario `{}` runs its command in {}, which is no folder",
            scenario.name,
            base_command.dir.display()
        )));
    }
    base_command
        .locate()
        .map_err(|why| Error::Input(format!("--base-dir: scenario `{}`: {why}", scenario.name)))?;
    let base_spec = BenchSpec {
        command: Some(base_command),
        data: spec
            .data
            .as_deref()
            .map(std::path::absolute)
            .transpose()
            .map_err(|e| Error::Input(format!("scenario `{}`: {e}", scenario.name)))?,
        ..spec.clone()
    };
    Ok([(head.to_owned(), base_spec), (head.to_owned(), spec)])
}

/// Runs rounds of one repeat on each side, A then B in odd rounds and B then A in even ones,
/// until `plan` says stop; returns each side's runs (in round order, so the i-th of each side
/// form a pair) and the record of how they were taken.
pub(crate) fn interleave(
    sides: &[(PathBuf, BenchSpec); 2],
    plan: &mut AbPlan,
    deadline: Option<Deadline>,
    progress: &ProgressLine,
) -> Result<([Vec<Measurement>; 2], Sampling), String> {
    let started = Instant::now();
    let most = plan.most();
    let mut runs: [Vec<Measurement>; 2] = Default::default();
    let mut samples: [Vec<f64>; 2] = Default::default();
    let mut round = 0;
    loop {
        round += 1;
        let order = if round % 2 == 1 { [0, 1] } else { [1, 0] };
        for side in order {
            let (exe, spec) = &sides[side];
            let label = ["A (base)", "B (head)"][side];
            progress.show(&format!("round {round}/{most} {label}"));
            match run_child(exe, spec, deadline, |_| {}) {
                ChildOutcome::Measured(m) => {
                    samples[side].extend_from_slice(&m.candles_per_sec.samples);
                    runs[side].push(*m);
                }
                ChildOutcome::Failed(reason) => {
                    let what = spec.command.as_ref().map_or_else(
                        || exe.display().to_string(),
                        |c| format!("`{}` in {}", c.display(), c.dir.display()),
                    );
                    return Err(format!("{label} {what}: {reason}"));
                }
            }
        }
        if let Some(stop) = plan.after_round(&samples[0], &samples[1], started.elapsed()) {
            let sampling = plan.record(&samples[0], &samples[1], stop);
            return Ok((runs, sampling));
        }
    }
}
