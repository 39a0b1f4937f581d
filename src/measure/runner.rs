//! Measuring a scenario in child processes, one per measured repeat: the same (or another)
//! perfsuite binary runs `bench` and prints its measurement as JSON. The child's peak RSS is its
//! own, a crash stays contained, a time limit can be enforced by killing it, and each sample is
//! an independent process.
//!
//! The interface is `perfsuite bench --candles N --seed S --repeats R --warmup W --symbol SYM
//! --engine-json JSON [--data FILE] [--engine-command JSON] --progress` (`--candles` left out
//! for every row of a data file): one [`Measurement`] JSON object on stdout, progress lines
//! (`perfsuite-progress: repeat 2/3`) on stderr. Its `schema_version` says how to read it.

use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Command, ExitStatus};
use std::time::Instant;

use crate::engine::fingerprint::Fingerprint;
use crate::engine::settings::EngineSettings;
pub use crate::measure::child::Deadline;
use crate::measure::child::{self, End, Limits};
use crate::measure::BenchSpec;
use crate::results::{newer_schema, Measurement, SCHEMA_VERSION};
use crate::sampling::{RunPlan, Sampling};
use crate::stats::Distribution;

/// Prefix of the progress lines a child prints on stderr.
pub const PROGRESS_PREFIX: &str = "perfsuite-progress: ";

/// The failure reason of a child stopped because perfsuite itself was interrupted.
pub const INTERRUPTED: &str = "interrupted (Ctrl-C)";

/// How a child run ended.
#[derive(Debug)]
pub enum ChildOutcome {
    /// The child printed a measurement.
    Measured(Box<Measurement>),
    /// It could not be measured; why, in words.
    Failed(String),
}

/// The command that makes `exe` measure `spec`.
fn bench_command(exe: &Path, spec: &BenchSpec) -> Command {
    let mut cmd = Command::new(exe);
    bench_args(&mut cmd, spec);
    cmd
}

/// Adds the `bench` arguments for `spec` to `cmd` (the program, or a wrapper such as valgrind
/// followed by the program). Values go as `--key=value`, so one that starts with `-` (a symbol
/// `-X`, a data file `-x.csv`) stays a value.
pub fn bench_args(cmd: &mut Command, spec: &BenchSpec) {
    // Plain numbers and strings: serde_json cannot fail on them (non-finite floats become null).
    let engine = serde_json::to_string(&spec.engine).expect("engine settings serialize");
    cmd.arg("bench");
    if let Some(n) = spec.candles {
        cmd.args(["--candles", &n.to_string()]);
    }
    if let Some(data) = &spec.data {
        let mut arg = std::ffi::OsString::from("--data=");
        arg.push(data);
        cmd.arg(arg);
    }
    if let Some(command) = &spec.command {
        let json = serde_json::to_string(command).expect("a command serializes");
        cmd.args(["--engine-command", &json]);
    }
    cmd.args(["--seed", &spec.seed.to_string()])
        .args(["--repeats", &spec.repeats.to_string()])
        .args(["--warmup", &spec.warmup.to_string()])
        .arg(format!("--symbol={}", spec.symbol))
        .args(["--engine-json", &engine])
        .arg("--progress");
}

/// Runs `exe bench` for `spec` (see [`child::run`]: own process group, capped output, killed at
/// `deadline` or on an interruption). `on_progress` receives each progress message (without its
/// prefix) as it arrives.
pub fn run_child(
    exe: &Path,
    spec: &BenchSpec,
    deadline: Option<Deadline>,
    on_progress: impl FnMut(&str),
) -> ChildOutcome {
    run_bench_command(bench_command(exe, spec), deadline, on_progress)
}

/// Runs `cmd`, a `bench` child made with [`bench_args`] (possibly behind a wrapper such as
/// valgrind), as [`run_child`] does.
pub(crate) fn run_bench_command(
    cmd: Command,
    deadline: Option<Deadline>,
    mut on_progress: impl FnMut(&str),
) -> ChildOutcome {
    let program = cmd.get_program().to_string_lossy().into_owned();
    let limits = Limits {
        deadline,
        ..Limits::default()
    };
    let finished = child::run(cmd, &limits, |line| {
        if let Some(progress) = line.strip_prefix(PROGRESS_PREFIX) {
            on_progress(progress);
        }
    });
    let finished = match finished {
        Ok(finished) => finished,
        Err(e) => return ChildOutcome::Failed(format!("could not run {program}: {e}")),
    };
    let messages: Vec<String> = finished
        .stderr_tail
        .into_iter()
        .filter(|line| !line.starts_with(PROGRESS_PREFIX))
        .collect();
    match finished.end {
        End::Interrupted => ChildOutcome::Failed(INTERRUPTED.to_owned()),
        End::TimedOut(limit) => ChildOutcome::Failed(format!(
            "timed out after {} s (timeout_s)",
            limit.as_secs_f64()
        )),
        End::Flooded { stream, cap } => ChildOutcome::Failed(format!(
            "printed more than {} MiB on {stream}: stopped",
            cap >> 20
        )),
        End::Exited(status) if !status.success() => {
            ChildOutcome::Failed(describe_failure(status, &messages))
        }
        End::Exited(_) => match std::str::from_utf8(&finished.stdout)
            .map_err(|e| e.to_string())
            .and_then(parse_measurement)
        {
            Ok(m) => ChildOutcome::Measured(Box::new(m)),
            Err(e) => ChildOutcome::Failed(format!("the child printed no valid result: {e}")),
        },
    }
}

/// Candles of the probe [`probe_base`] measures.
pub const PROBE_CANDLES: u64 = 1_000;

/// Seconds the probe may take; a working build needs a small fraction of it.
const PROBE_TIMEOUT_S: f64 = 60.0;

/// Asks `exe` for a tiny measurement ([`PROBE_CANDLES`] candles, no warm-up), to tell a
/// perfsuite build that speaks the `bench` protocol from any other program before `ab` measures
/// with it. The interface is the one every build since the first has, so old builds pass.
pub fn probe_base(exe: &Path) -> ChildOutcome {
    let spec = BenchSpec {
        candles: Some(PROBE_CANDLES),
        seed: 1,
        symbol: "PROBE".to_owned(),
        repeats: 1,
        warmup: 0,
        engine: EngineSettings::default(),
        data: None,
        command: None,
    };
    run_child(exe, &spec, Deadline::after_secs(PROBE_TIMEOUT_S), |_| {})
}

/// Measures `spec` as child processes of one repeat each, every one after its own warm-ups, so
/// that each sample is an independent process: a process that happens to run slow (a noisy
/// neighbour, an unlucky memory layout) shows up in the spread instead of shifting every sample
/// at once. `plan` says when to stop (a fixed count, or `repeats = "auto"`); the runs are then
/// [`combine`]d into one measurement, returned with the record of how they were taken.
pub fn run_repeats(
    exe: &Path,
    spec: &BenchSpec,
    plan: &RunPlan,
    deadline: Option<Deadline>,
    mut on_progress: impl FnMut(&str),
) -> Result<(Measurement, Sampling), String> {
    let one = BenchSpec {
        repeats: 1,
        ..spec.clone()
    };
    let started = Instant::now();
    let most = plan.most();
    let mut runs = Vec::new();
    let mut samples = Vec::new();
    let stopped = loop {
        let repeat = runs.len() + 1;
        let outcome = run_child(exe, &one, deadline, |status| {
            on_progress(&format!("repeat {repeat}/{most}: {status}"))
        });
        match outcome {
            ChildOutcome::Measured(m) => {
                samples.extend_from_slice(&m.candles_per_sec.samples);
                runs.push(*m);
            }
            ChildOutcome::Failed(reason) => return Err(reason),
        }
        if let Some(stop) = plan.after_repeat(&samples, started.elapsed()) {
            break stop;
        }
    };
    Ok((combine(runs)?, plan.record(&samples, stopped)))
}

/// One measurement from single-repeat runs of the same work: every throughput sample; the stage
/// figures of the run with the median stage latency; the median peak RSS of the runs (so it
/// does not grow with their number) and the largest; an external engine's every invocation
/// time. The runs must agree on the fingerprint and on the data file's digest.
pub fn combine(mut runs: Vec<Measurement>) -> Result<Measurement, String> {
    let data = |m: &Measurement| m.data.as_ref().map(|d| d.digest.clone());
    // cannot panic: `any` on no runs calls nothing; one run has a first.
    if runs.iter().any(|m| data(m) != data(&runs[0])) {
        return Err("the data file changed between repeats".to_owned());
    }
    let first = runs.first().ok_or("no run")?.fingerprint.clone();
    if let Some(other) = runs.iter().find(|m| m.fingerprint != first) {
        let digest = |f: &Option<Fingerprint>| {
            f.as_ref()
                .map_or_else(|| "none".to_owned(), |f| f.digest.clone())
        };
        return Err(format!(
            "runs disagree on the fingerprint ({} vs {}): the build is not deterministic",
            digest(&first),
            digest(&other.fingerprint)
        ));
    }
    let samples: Vec<f64> = runs
        .iter()
        .flat_map(|m| m.candles_per_sec.samples.iter().copied())
        .collect();
    let peaks: Vec<f64> = runs.iter().filter_map(|m| m.peak_rss_mb).collect();
    let peak = crate::stats::percentile(&peaks, 50.0);
    let largest = peaks.iter().copied().max_by(f64::total_cmp);
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
    let wall_s: Vec<f64> = runs
        .iter()
        .filter_map(|m| m.external.as_ref())
        .flat_map(|e| e.wall_s.iter().copied())
        .collect();
    runs.sort_by(|a, b| {
        a.p95_stage_latency_ms
            .unwrap_or(0.0)
            .total_cmp(&b.p95_stage_latency_ms.unwrap_or(0.0))
    });
    let count = runs.len();
    let mut m = runs.swap_remove(count / 2);
    // cannot panic: <= 10,000 repeats of <= 10,000 samples a child (runner) fit u32.
    m.repeats = samples.len() as u32;
    m.candles_per_sec = Distribution::of(samples).ok_or("no samples")?;
    m.peak_rss_mb = peak;
    m.peak_rss_mb_max = largest;
    m.started_at = started_at;
    m.duration_s = duration;
    if let Some(external) = &mut m.external {
        external.wall_s = wall_s;
    }
    (
        m.phases.generation_s,
        m.phases.warmup_s,
        m.phases.measured_s,
    ) = (generation, warmup, measured);
    Ok(m)
}

/// Reads a child's measurement, refusing one written by a newer schema.
pub fn parse_measurement(text: &str) -> Result<Measurement, String> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    if value
        .get("schema_version")
        .and_then(|v| v.as_u64())
        .is_none()
    {
        return Err("no schema_version".to_owned());
    }
    if let Some(version) = newer_schema(&value) {
        return Err(format!(
            "schema_version {version} is newer than this perfsuite reads ({SCHEMA_VERSION})"
        ));
    }
    let m: Measurement = serde_json::from_value(value).map_err(|e| e.to_string())?;
    // A child may be any program (`ab --base`): its numbers are checked as a bench.json's are
    // before any statistic, sum or file is made of them.
    crate::compare::check_measurement(&m).map_err(|(key, problem)| format!("`{key}` {problem}"))?;
    // Every child measures one repeat: one sample, or one external report's. Bounded, a run's
    // samples (at most 10,000 children) fit the u32 counts of bench.json.
    let n = m.candles_per_sec.samples.len();
    if n > crate::external::protocol::MAX_SAMPLES {
        return Err(format!(
            "`candles_per_sec.samples` holds {n} samples for one repeat; at most {}",
            crate::external::protocol::MAX_SAMPLES
        ));
    }
    Ok(m)
}

/// Why a child failed, in words: its exit code or signal, and the last lines it printed.
fn describe_failure(status: ExitStatus, messages: &[String]) -> String {
    let how = match (status.code(), status.signal()) {
        (Some(code), _) => format!("exited with code {code}"),
        (None, Some(signal)) => format!("killed by signal {signal} ({})", signal_name(signal)),
        (None, None) => "ended abnormally".to_owned(),
    };
    // A panic prints "thread '...' panicked at file:line:" and its message on the next line;
    // a backtrace may follow, so the panic's own lines are looked for first.
    let lines: &[String] = match messages.iter().position(|l| l.contains("panicked at")) {
        Some(i) => &messages[i..(i + 2).min(messages.len())],
        None => &messages[messages.len().saturating_sub(3)..],
    };
    let tail: Vec<&str> = lines
        .iter()
        .map(|l| l.trim())
        .filter(|l| !l.is_empty())
        .collect();
    if tail.is_empty() {
        how
    } else {
        format!("{how}: {}", tail.join(" | "))
    }
}

/// The conventional name of a Unix signal.
pub fn signal_name(signal: i32) -> &'static str {
    match signal {
        1 => "SIGHUP",
        2 => "SIGINT",
        3 => "SIGQUIT",
        4 => "SIGILL",
        6 => "SIGABRT",
        7 => "SIGBUS",
        8 => "SIGFPE",
        9 => "SIGKILL",
        11 => "SIGSEGV",
        13 => "SIGPIPE",
        15 => "SIGTERM",
        _ => "signal",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::fixtures::result;

    fn run(sample: f64, latency: f64, rss: f64) -> Measurement {
        let mut m = result("s", &[sample]).measurement;
        m.p95_stage_latency_ms = Some(latency);
        m.peak_rss_mb = Some(rss);
        m
    }

    #[test]
    fn combined_runs_keep_every_sample_the_median_and_largest_rss_and_the_median_latency_run() {
        let m = combine(vec![
            run(30.0, 0.9, 10.0),
            run(10.0, 0.1, 30.0),
            run(20.0, 0.5, 20.0),
        ])
        .unwrap();
        assert_eq!(m.candles_per_sec.samples, vec![30.0, 10.0, 20.0]);
        assert_eq!(
            (m.candles_per_sec.min, m.candles_per_sec.median),
            (10.0, 20.0)
        );
        assert_eq!(m.repeats, 3);
        assert_eq!((m.peak_rss_mb, m.peak_rss_mb_max), (Some(20.0), Some(30.0)));
        assert_eq!(m.p95_stage_latency_ms, Some(0.5));
    }

    #[test]
    fn runs_that_disagree_on_the_fingerprint_are_refused() {
        let mut other = run(10.0, 0.1, 10.0);
        other.fingerprint.as_mut().unwrap().digest = "0000000000000000".into();
        let err = combine(vec![run(10.0, 0.1, 10.0), other]).unwrap_err();
        assert!(err.contains("not deterministic"), "{err}");
    }
}
