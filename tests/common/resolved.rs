//! Everything `run`, `ab` and `bench` compute from a resolved scenario, done without measuring:
//! the time limit, the memory estimate, the sampling plans fed samples to their bounds, and the
//! child's command line parsed back by `bench`'s own parser. Every scenario `check` accepts must
//! get through it without a panic (an overflow panics in the test build) and with a child
//! command line that says what the scenario says.
//!
//! Shared by the property test `tests/resolved_scenario.rs` and the fuzz target
//! `fuzz/fuzz_targets/resolved_scenario.rs` (which includes this file by path).

use std::ffi::OsString;
use std::process::Command;
use std::time::Duration;

use clap::Parser;
use perfsuite::cli::{Cli, Command as Subcommand};
use perfsuite::compare::decision::ALPHA;
use perfsuite::config::{Scenario, Suite};
use perfsuite::measure::runner::{bench_args, Deadline};
use perfsuite::measure::{bench_spec, BenchSpec};
use perfsuite::sampling::{AbPlan, RunPlan};

/// Runs every computation of the measuring path on each scenario of `suite`; the first
/// disagreement is the error.
pub fn exercise(suite: &Suite) -> Result<(), String> {
    for s in &suite.scenarios {
        exercise_one(suite, s).map_err(|e| format!("scenario `{}`: {e}", s.name))?;
    }
    Ok(())
}

fn exercise_one(suite: &Suite, s: &Scenario) -> Result<(), String> {
    let budget = suite.budget_for(s);
    if let Some(t) = s.timeout_s {
        Deadline::after_secs(t).ok_or(format!("timeout_s {t} gives no deadline"))?;
    }
    let spec = bench_spec(s);
    if let Some(n) = spec.candles {
        spec.memory_needed(n);
    }
    // `run` and `ab` start children of one repeat each; `bench` itself takes them all.
    for repeats in [1, spec.repeats] {
        child_parses_back(&BenchSpec {
            repeats,
            ..spec.clone()
        })?;
    }

    let stat = budget.candles_per_sec.stat;
    let run = RunPlan::new(s.repeats, s.auto, stat);
    let most = run.most();
    let samples: Vec<f64> = (0..most).map(|i| 1000.0 + f64::from(i % 7)).collect();
    for n in [1, 2, 5, most / 2]
        .into_iter()
        .filter(|&n| 1 <= n && n <= most)
    {
        run.after_repeat(&samples[..n as usize], Duration::ZERO);
        run.after_repeat(&samples[..n as usize], Duration::MAX);
    }
    let stopped = run
        .after_repeat(&samples, Duration::ZERO)
        .ok_or(format!("run does not stop after its most, {most} repeats"))?;
    run.record(&samples, stopped);

    // Rounds that differ, and rounds of identical samples (no rank test possible).
    let warn = budget.regression.warn_pct.min(budget.regression.fail_pct);
    for (a, b) in [((5, 1000.0), (3, 1001.0)), ((1, 1000.0), (1, 1000.0))] {
        let mut ab = AbPlan::new(s.repeats, s.auto, ALPHA, warn);
        let most = ab.most();
        let (mut base, mut head) = (Vec::new(), Vec::new());
        let stopped = (0..most).find_map(|round| {
            base.push(a.1 + f64::from(round % a.0));
            head.push(b.1 + f64::from(round % b.0));
            ab.after_round(&base, &head, Duration::ZERO)
        });
        let stopped = stopped.ok_or(format!("ab does not stop after its most, {most} rounds"))?;
        ab.record(&base, &head, stopped);
    }
    Ok(())
}

/// The child's command line for `spec`, parsed by `perfsuite bench`'s parser, must be accepted
/// and give back the spec's values.
fn child_parses_back(spec: &BenchSpec) -> Result<(), String> {
    let mut cmd = Command::new("perfsuite");
    bench_args(&mut cmd, spec);
    let argv = std::iter::once(OsString::from("perfsuite")).chain(cmd.get_args().map(Into::into));
    let cli =
        Cli::try_parse_from(argv).map_err(|e| format!("the child refuses its arguments: {e}"))?;
    let Subcommand::Bench(args) = cli.command else {
        return Err("the child's arguments are not `bench`".into());
    };
    let parsed = (
        args.candles,
        args.seed,
        &args.symbol,
        args.repeats,
        args.warmup,
    );
    let wanted = (
        spec.candles,
        spec.seed,
        &spec.symbol,
        spec.repeats,
        spec.warmup,
    );
    if parsed != wanted {
        return Err(format!("the child reads {parsed:?}, not {wanted:?}"));
    }
    if args.data != spec.data {
        return Err(format!(
            "the child reads data {:?}, not {:?}",
            args.data, spec.data
        ));
    }
    Ok(())
}
