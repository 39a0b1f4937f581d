//! Running an external engine: its invocations, each timed and its report checked, folded into
//! one [`Measurement`].

use std::ffi::OsString;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::time::Instant;

use super::protocol::{self, Asked, Report};
use super::{ExternalCommand, ExternalInfo};
use crate::data::DataInfo;
use crate::environment::{now_rfc3339, Environment};
use crate::measure::child::{self, End, Limits};
use crate::measure::{BenchSpec, Progress};
use crate::results::{Measurement, Phases, SCHEMA_VERSION};
use crate::stats::Distribution;

/// Measures `spec`, whose `command` is set: reads its data file (outside any timing, for the
/// data's digest and row count), runs `spec.warmup` uncounted invocations and `spec.repeats`
/// measured ones, each asked for one repeat, and reads each report. Every error names the
/// command.
pub fn measure(
    spec: &BenchSpec,
    command: &ExternalCommand,
    mut progress: impl FnMut(Progress),
) -> Result<Measurement, String> {
    let named = |e: String| format!("engine command `{}`: {e}", command.display());
    let started_at = now_rfc3339();
    let clock = Instant::now();
    progress(Progress::Generating);
    let data = match &spec.data {
        Some(path) => Some(
            crate::data::read(path, spec.candles)
                .map_err(|e| e.to_string())?
                .info,
        ),
        None => None,
    };
    let generation_s = clock.elapsed().as_secs_f64();
    let program = command.locate().map_err(named)?;
    let asked = Asked {
        candles: spec.candles,
        repeats: 1,
        seed: spec.seed,
        symbol: spec.symbol.clone(),
    };
    let args = runbook_args(spec, &asked)?;
    let invoke = || invoke(command, &program, &args, &asked).map_err(named);

    let warm = Instant::now();
    for i in 1..=spec.warmup {
        progress(Progress::Warmup(i, spec.warmup));
        invoke()?;
    }
    let warmup_s = warm.elapsed().as_secs_f64();
    // cannot panic: repeats <= 10,000 (config::REPEATS, checked by config and clap).
    let mut runs = Vec::with_capacity(spec.repeats as usize);
    for i in 1..=spec.repeats {
        progress(Progress::Repeat(i, spec.repeats));
        runs.push(invoke()?);
    }
    // Read before anything else is started and waited for (git, for the environment).
    let peak_rss_mb = children_peak_rss_mb();
    let candles = candles(spec, data.as_ref(), &runs).map_err(named)?;
    // cannot panic: repeats >= 1 (config::REPEATS, checked by config and clap), so runs has one.
    let fingerprint = runs[0].1.fingerprint.clone();
    if runs.iter().any(|(_, r)| r.fingerprint != fingerprint) {
        return Err(named(
            "its invocations reported different fingerprints: the engine is not deterministic"
                .to_owned(),
        ));
    }
    let wall_s: Vec<f64> = runs.iter().map(|(wall, _)| *wall).collect();
    let samples: Vec<f64> = runs.iter().flat_map(|(_, r)| r.samples.clone()).collect();
    let slowest = runs
        .iter()
        .map(|(_, r)| r)
        .max_by(|a, b| {
            let p95 = |r: &Report| r.p95_stage_latency_ms.unwrap_or(0.0);
            p95(a).total_cmp(&p95(b))
        })
        .expect("at least one repeat");
    Ok(Measurement {
        schema_version: SCHEMA_VERSION,
        candles,
        // cannot panic: at most 10,000 invocations of at most MAX_SAMPLES samples fit in u32.
        repeats: samples.len() as u32,
        warmup: spec.warmup,
        seed: spec.seed,
        symbol: spec.symbol.clone(),
        candles_per_sec: Distribution::of(samples).expect("every report has a sample"),
        p95_stage_latency_ms: slowest.p95_stage_latency_ms,
        stages: slowest.stages.clone(),
        peak_rss_mb,
        peak_rss_mb_max: peak_rss_mb,
        instructions: None,
        instructions_per_candle: None,
        fingerprint,
        engine: spec.engine,
        environment: Environment::detect(),
        started_at,
        duration_s: clock.elapsed().as_secs_f64(),
        phases: Phases {
            generation_s,
            warmup_s,
            measured_s: wall_s.iter().sum(),
        },
        external: Some(ExternalInfo {
            command: command.argv.clone(),
            protocol: protocol::PROTOCOL,
            wall_s,
            reported_peak_rss_mb: runs
                .iter()
                .filter_map(|(_, r)| r.peak_rss_mb)
                .max_by(f64::total_cmp),
        }),
        data,
    })
}

/// The runbook's arguments, each one `--key=value` argument, so that a value starting with `-`
/// (a symbol `-X`) can never be read as a flag. The data file is passed as an absolute path, as
/// the engine runs in its scenario's folder.
fn runbook_args(spec: &BenchSpec, asked: &Asked) -> Result<Vec<OsString>, String> {
    let mut args: Vec<OsString> = Vec::new();
    if let Some(n) = asked.candles {
        args.push(format!("--candles={n}").into());
    }
    args.push(format!("--seed={}", asked.seed).into());
    args.push(format!("--repeats={}", asked.repeats).into());
    args.push(format!("--symbol={}", asked.symbol).into());
    if let Some(path) = &spec.data {
        let absolute = std::path::absolute(path)
            .map_err(|e| format!("{}: cannot make the path absolute: {e}", path.display()))?;
        let mut arg = OsString::from("--data=");
        arg.push(absolute);
        args.push(arg);
    }
    Ok(args)
}

/// One invocation: its wall time and its checked report. The engine's stderr passes through
/// to ours, line by line, so its messages reach the user and the error row.
fn invoke(
    command: &ExternalCommand,
    program: &Path,
    args: &[OsString],
    asked: &Asked,
) -> Result<(f64, Report), String> {
    let clock = Instant::now();
    let finished = child::run(command.command(program, args), &Limits::default(), |line| {
        crate::say!("{line}")
    })
    .map_err(|e| format!("could not start {}: {e}", program.display()))?;
    let wall = clock.elapsed().as_secs_f64();
    match finished.end {
        End::Exited(status) if status.success() => {
            let report = protocol::parse(&finished.stdout, asked)?;
            Ok((wall, report))
        }
        End::Exited(status) => Err(match (status.code(), status.signal()) {
            (Some(code), _) => format!("exited with code {code}"),
            (None, Some(signal)) => format!(
                "killed by signal {signal} ({})",
                crate::measure::runner::signal_name(signal)
            ),
            (None, None) => "ended abnormally".to_owned(),
        }),
        End::TimedOut(limit) => Err(format!("timed out after {} s", limit.as_secs_f64())),
        End::Interrupted => Err(crate::measure::runner::INTERRUPTED.to_owned()),
        End::Flooded { stream, cap } => {
            Err(format!("printed more than {} MiB on {stream}", cap >> 20))
        }
    }
}

/// The candles a measurement backtested: what the engine says, which must agree with the data
/// file's rows when there is one; else what was asked, or the data file's rows.
fn candles(
    spec: &BenchSpec,
    data: Option<&DataInfo>,
    runs: &[(f64, Report)],
) -> Result<u64, String> {
    let rows = data.map(|d| d.rows);
    // cannot panic: `measure` calls this with at least one run (repeats >= 1).
    if let (Some(said), Some(rows)) = (runs[0].1.candles, rows) {
        if said != rows {
            return Err(format!(
                "reports `candles` {said}, but the data file gives {rows} candles"
            ));
        }
    }
    Ok(runs[0].1.candles.or(rows).or(spec.candles).unwrap_or(0))
}

/// The largest peak resident memory of any child this process has waited for, in MiB: the
/// engine's invocations. `None` where the OS does not tell.
fn children_peak_rss_mb() -> Option<f64> {
    // SAFETY: a zeroed rusage is a valid value, and getrusage only writes into it.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: plain system call with a valid pointer.
    let rc = unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    // Linux reports ru_maxrss in KiB.
    (rc == 0 && usage.ru_maxrss > 0).then(|| usage.ru_maxrss as f64 / 1024.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_goes_as_one_key_equals_value_argument_so_a_leading_dash_stays_a_value() {
        let spec = BenchSpec {
            candles: Some(500),
            seed: 7,
            symbol: "-X".to_owned(),
            repeats: 3,
            warmup: 0,
            engine: Default::default(),
            data: Some("-x.csv".into()),
            command: None,
        };
        let asked = Asked {
            candles: spec.candles,
            repeats: 1,
            seed: spec.seed,
            symbol: spec.symbol.clone(),
        };
        let args = runbook_args(&spec, &asked).unwrap();
        let data = std::path::absolute("-x.csv").unwrap();
        let want: Vec<OsString> = vec![
            "--candles=500".into(),
            "--seed=7".into(),
            "--repeats=1".into(),
            "--symbol=-X".into(),
            format!("--data={}", data.display()).into(),
        ];
        assert_eq!(args, want);
    }
}
