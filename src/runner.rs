//! Measuring a scenario in a child process: the same (or another) perfsuite binary runs
//! `bench` and prints its measurement as JSON. The child's peak RSS is its own, a crash stays
//! contained, and a time limit can be enforced by killing it.
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

/// Runs `exe bench` for `spec`, killing it after `timeout`. `on_progress` receives each
/// progress message (without its prefix) as it arrives.
pub fn run_child(
    exe: &Path,
    spec: &BenchSpec,
    timeout: Option<Duration>,
    mut on_progress: impl FnMut(&str),
) -> ChildOutcome {
    let started = Instant::now();
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
        if let Some(limit) = timeout.filter(|&limit| started.elapsed() > limit) {
            kill(&mut child);
            break Err(format!(
                "timed out after {} s (timeout_s)",
                limit.as_secs_f64()
            ));
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
