//! Measuring a scenario in child processes, one per measured repeat: the same (or another)
//! perfsuite binary runs `bench` and prints its measurement as JSON. The child's peak RSS is its
//! own, a crash stays contained, a time limit can be enforced by killing it, and each sample is
//! an independent process.
//!
//! The interface is `perfsuite bench --candles N --seed S --repeats R --warmup W --symbol SYM
//! --engine-json JSON --progress`: one [`Measurement`] JSON object on stdout, progress lines
//! (`perfsuite-progress: repeat 2/3`) on stderr. Its `schema_version` says how to read it.

use std::io::{BufRead, BufReader, Read};
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use crate::measure::BenchSpec;
use crate::results::{Measurement, SCHEMA_VERSION};
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

/// The arguments that make `exe` measure `spec`.
fn bench_command(exe: &Path, spec: &BenchSpec) -> Command {
    let engine = serde_json::to_string(&spec.engine).expect("engine settings serialize");
    let mut cmd = Command::new(exe);
    cmd.arg("bench")
        .args(["--candles", &spec.candles.to_string()])
        .args(["--seed", &spec.seed.to_string()])
        .args(["--repeats", &spec.repeats.to_string()])
        .args(["--warmup", &spec.warmup.to_string()])
        .args(["--symbol", &spec.symbol])
        .args(["--engine-json", &engine])
        .arg("--progress")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    die_with_parent(&mut cmd);
    cmd
}

/// Makes the child die with perfsuite: if perfsuite itself is killed (SIGKILL, OOM killer), a
/// hung or long child must not live on as an orphan holding a core and memory.
#[cfg(target_os = "linux")]
fn die_with_parent(cmd: &mut Command) {
    use std::os::unix::process::CommandExt;
    let parent = libc::pid_t::try_from(std::process::id()).unwrap_or(0);
    // SAFETY: prctl and getppid are async-signal-safe and touch no memory of the parent.
    unsafe {
        cmd.pre_exec(move || {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            // The parent may have died before the line above: then nobody would kill us.
            if libc::getppid() != parent {
                return Err(std::io::Error::other(
                    "perfsuite exited before its child started",
                ));
            }
            Ok(())
        });
    }
}

#[cfg(not(target_os = "linux"))]
fn die_with_parent(_: &mut Command) {}

/// A scenario's time limit (`timeout_s`), shared by every child process that measures it.
#[derive(Debug, Clone, Copy)]
pub struct Deadline {
    at: Instant,
    limit: Duration,
}

impl Deadline {
    /// `limit` from now.
    pub fn after(limit: Duration) -> Self {
        Self {
            at: Instant::now() + limit,
            limit,
        }
    }

    fn passed(&self) -> bool {
        Instant::now() > self.at
    }

    fn reason(&self) -> String {
        format!("timed out after {} s (timeout_s)", self.limit.as_secs_f64())
    }
}

/// Runs `exe bench` for `spec`, killing it at `deadline`. `on_progress` receives each progress
/// message (without its prefix) as it arrives.
pub fn run_child(
    exe: &Path,
    spec: &BenchSpec,
    deadline: Option<Deadline>,
    mut on_progress: impl FnMut(&str),
) -> ChildOutcome {
    let mut child = match bench_command(exe, spec).spawn() {
        Ok(child) => child,
        Err(e) => return ChildOutcome::Failed(format!("could not start {}: {e}", exe.display())),
    };
    let mut stdout = child.stdout.take().expect("stdout is piped");
    let stdout_reader = std::thread::spawn(move || {
        let mut text = String::new();
        stdout.read_to_string(&mut text).map(|_| text)
    });
    let (lines_tx, lines) = mpsc::channel();
    let stderr = child.stderr.take().expect("stderr is piped");
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });

    let mut messages = Vec::new();
    let mut handle_line = |line: String| match line.strip_prefix(PROGRESS_PREFIX) {
        Some(progress) => on_progress(progress),
        None => messages.push(line),
    };
    let status = loop {
        match lines.recv_timeout(Duration::from_millis(5)) {
            Ok(line) => handle_line(line),
            // stderr closed: the child is exiting, and is reaped within a fraction of a ms.
            Err(RecvTimeoutError::Disconnected) => std::thread::sleep(Duration::from_micros(200)),
            Err(RecvTimeoutError::Timeout) => {}
        }
        match child.try_wait() {
            Ok(Some(status)) => break Ok(status),
            Ok(None) => {}
            Err(e) => break Err(format!("could not wait for the child process: {e}")),
        }
        if let Some(deadline) = deadline.filter(Deadline::passed) {
            kill(&mut child);
            break Err(deadline.reason());
        }
        if crate::interrupt::requested() {
            kill(&mut child);
            break Err(INTERRUPTED.to_owned());
        }
    };
    // The child has exited: its stderr closes, so this drains the last lines and ends.
    lines.iter().for_each(&mut handle_line);
    let output = stdout_reader.join().unwrap_or_else(|_| Ok(String::new()));
    match status {
        Err(reason) => ChildOutcome::Failed(reason),
        // A Ctrl-C in a terminal reaches the child too (same process group), which may die of
        // it before the loop above sees the flag: that is an interruption, not a crash.
        Ok(status) if !status.success() && crate::interrupt::requested() => {
            ChildOutcome::Failed(INTERRUPTED.to_owned())
        }
        Ok(status) if !status.success() => {
            ChildOutcome::Failed(describe_failure(status, &messages))
        }
        Ok(_) => match output
            .map_err(|e| e.to_string())
            .and_then(|text| parse_measurement(&text))
        {
            Ok(m) => ChildOutcome::Measured(Box::new(m)),
            Err(e) => ChildOutcome::Failed(format!("the child printed no valid result: {e}")),
        },
    }
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
/// does not grow with their number) and the largest. The runs must agree on the fingerprint.
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
    m.peak_rss_mb_max = largest;
    m.started_at = started_at;
    m.duration_s = duration;
    (
        m.phases.generation_s,
        m.phases.warmup_s,
        m.phases.measured_s,
    ) = (generation, warmup, measured);
    Ok(m)
}

fn kill(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}

/// Reads a child's measurement, refusing one written by a newer schema.
pub fn parse_measurement(text: &str) -> Result<Measurement, String> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let version = value
        .get("schema_version")
        .and_then(|v| v.as_u64())
        .ok_or("no schema_version")?;
    if version > u64::from(SCHEMA_VERSION) {
        return Err(format!(
            "schema_version {version} is newer than this perfsuite reads ({SCHEMA_VERSION})"
        ));
    }
    serde_json::from_value(value).map_err(|e| e.to_string())
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
        other.fingerprint.digest = "0000000000000000".into();
        let err = combine(vec![run(10.0, 0.1, 10.0), other]).unwrap_err();
        assert!(err.contains("not deterministic"), "{err}");
    }
}
