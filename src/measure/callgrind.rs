//! Counting a scenario's instructions: a `bench` child of its own runs under
//! `valgrind --tool=callgrind --instr-atstart=no --collect-atstart=no`, marks its measured engine
//! runs with client requests ([`super::client_request`]), and callgrind writes the count of just
//! those runs to a file in a temporary folder, which is read here.
//!
//! Counts are exact: the same build doing the same work executes the same instructions on a
//! busy machine as on an idle one. So one warm-up and one counted run are enough; each counted
//! run is a child of its own, and every sample is kept, so that a build whose counts differ
//! between runs (a nondeterminism bug) shows as such.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::engine::fingerprint::Fingerprint;
use crate::measure::runner::{bench_args, run_bench_command, ChildOutcome, Deadline};
use crate::measure::BenchSpec;
use crate::results::{Instructions, Measurement};

/// The program run; found on `PATH`.
pub const VALGRIND: &str = "valgrind";

/// Warm-up runs before each counted run: the first run of a process grows the trade ledger,
/// later runs do not.
pub const WARMUP: u32 = 1;

/// What to do where valgrind is missing, in one line.
pub const INSTALL_HINT: &str = "valgrind is not installed, so instructions were not counted: \
     install it (Debian/Ubuntu: `sudo apt-get install valgrind`, Fedora: `sudo dnf install \
     valgrind`); it does not run on macOS or Windows";

/// Why instructions could not be counted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CountError {
    /// valgrind is not on `PATH` (or cannot run here).
    Missing,
    /// valgrind ran, but the count failed; why, in words.
    Failed(String),
}

impl std::fmt::Display for CountError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CountError::Missing => f.write_str(INSTALL_HINT),
            CountError::Failed(why) => write!(f, "instructions could not be counted: {why}"),
        }
    }
}

/// The counts of a scenario's runs, with the fingerprint the counted runs produced.
#[derive(Debug, Clone, PartialEq)]
pub struct Counted {
    /// One sample per counted run.
    pub instructions: Instructions,
    /// What the counted runs' backtest produced: the same work as the timed runs, or not
    /// comparable.
    pub fingerprint: Option<Fingerprint>,
    /// `valgrind --version`, e.g. `valgrind-3.19.0`.
    pub valgrind: String,
}

/// The installed valgrind's version (`valgrind-3.19.0`); [`CountError::Missing`] when there is
/// none.
pub fn valgrind_version() -> Result<String, CountError> {
    let out = Command::new(VALGRIND)
        .arg("--version")
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .map_err(|_| CountError::Missing)?;
    let version = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    if out.status.success() && !version.is_empty() {
        Ok(version)
    } else {
        Err(CountError::Missing)
    }
}

/// Counts the instructions of `runs` measured runs of `spec` (its `repeats` and `warmup` are
/// replaced by one run after [`WARMUP`]), each in a child of `exe` under callgrind.
/// `on_progress` receives each progress message.
pub fn count(
    exe: &Path,
    spec: &BenchSpec,
    runs: u32,
    deadline: Option<Deadline>,
    mut on_progress: impl FnMut(&str),
) -> Result<Counted, CountError> {
    let valgrind = valgrind_version()?;
    let one = BenchSpec {
        repeats: 1,
        warmup: WARMUP,
        ..spec.clone()
    };
    // cannot panic: runs is instruction_repeats (1..=100, config::measure) or 1.
    let mut samples = Vec::with_capacity(runs as usize);
    let mut fingerprint: Option<Option<Fingerprint>> = None;
    for run in 1..=runs.max(1) {
        let dir = TempDir::new()
            .map_err(|e| CountError::Failed(format!("cannot create a temporary folder: {e}")))?;
        let out_file = dir.path().join("callgrind.out");
        let mut cmd = Command::new(VALGRIND);
        cmd.args([
            "--tool=callgrind",
            "--quiet",
            "--instr-atstart=no",
            "--collect-atstart=no",
        ])
        .arg(format!("--callgrind-out-file={}", out_file.display()))
        .arg(exe);
        bench_args(&mut cmd, &one);
        cmd.arg("--callgrind-marks");
        let measured = match run_bench_command(cmd, deadline, |status| {
            on_progress(&format!("instructions {run}/{runs}: {status}"))
        }) {
            ChildOutcome::Measured(m) => m,
            ChildOutcome::Failed(why) => return Err(CountError::Failed(why)),
        };
        let text = std::fs::read_to_string(&out_file)
            .map_err(|e| CountError::Failed(format!("cannot read {}: {e}", out_file.display())))?;
        match total(&text) {
            Some(0) | None => {
                return Err(CountError::Failed(format!(
                    "callgrind counted nothing: {} does not mark its measured runs \
                     (a perfsuite build older than instruction counts?)",
                    exe.display()
                )))
            }
            Some(n) => samples.push(n),
        }
        match &fingerprint {
            Some(first) if *first != measured.fingerprint => {
                return Err(CountError::Failed(
                    "counted runs disagree on the fingerprint: the build is not deterministic"
                        .to_owned(),
                ))
            }
            Some(_) => {}
            None => fingerprint = Some(measured.fingerprint),
        }
    }
    Ok(Counted {
        instructions: Instructions::of(samples).expect("at least one run"),
        fingerprint: fingerprint.expect("at least one run"),
        valgrind,
    })
}

/// Records `counted` in `m`: the counts, the count per candle and valgrind's version. Counts
/// of other work than the timed runs' (another fingerprint) are refused.
pub fn record(m: &mut Measurement, counted: Counted) -> Result<(), CountError> {
    if counted.fingerprint != m.fingerprint {
        let digest = |f: &Option<Fingerprint>| {
            f.as_ref()
                .map_or_else(|| "none".to_owned(), |f| f.digest.clone())
        };
        return Err(CountError::Failed(format!(
            "the counted runs produced other results than the timed ones (digest {} vs {})",
            digest(&counted.fingerprint),
            digest(&m.fingerprint)
        )));
    }
    m.instructions_per_candle = Some(counted.instructions.per_candle(m.candles));
    m.instructions = Some(counted.instructions);
    m.environment.valgrind = Some(counted.valgrind);
    Ok(())
}

/// Adds instruction counts to the measurements of a run's scenarios that ask for them, saying
/// once, not per scenario, that valgrind is missing.
#[derive(Debug, Default)]
pub struct Counter {
    said_missing: bool,
    /// Scenarios whose instructions were asked for but could not be counted.
    pub uncounted: usize,
}

impl Counter {
    /// Counts `runs` runs of `spec` with `exe` into `m`, the timed measurement of `scenario`.
    /// A count that fails leaves the metric `None` and says why on stderr.
    pub fn add(
        &mut self,
        scenario: &str,
        m: &mut Measurement,
        exe: &Path,
        (spec, runs): (&BenchSpec, u32),
        deadline: Option<Deadline>,
        on_progress: impl FnMut(&str),
    ) {
        let counted = count(exe, spec, runs, deadline, on_progress);
        match counted.and_then(|c| record(m, c)) {
            Ok(()) => return,
            Err(CountError::Missing) if self.said_missing => {}
            Err(CountError::Missing) => {
                self.said_missing = true;
                crate::say!("warning: {INSTALL_HINT}");
            }
            Err(e) => crate::say!("warning: scenario `{scenario}`: {e}"),
        }
        self.uncounted += 1;
    }
}

/// The total of the first event (instructions, `Ir`) in a callgrind output file: its
/// `summary:` line, else its `totals:` line.
pub fn total(callgrind_out: &str) -> Option<u64> {
    let first_number = |prefix: &str| {
        callgrind_out
            .lines()
            .find_map(|l| l.strip_prefix(prefix))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|n| n.parse().ok())
    };
    first_number("summary:").or_else(|| first_number("totals:"))
}

/// A folder of our own under the system's temporary folder, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> std::io::Result<Self> {
        let base = std::env::temp_dir();
        let pid = std::process::id();
        let mut attempt = 0u32;
        loop {
            let path = base.join(format!("perfsuite-callgrind-{pid}-{attempt}"));
            match std::fs::create_dir(&path) {
                Ok(()) => return Ok(Self(path)),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < 1000 => {
                    attempt += 1;
                }
                Err(e) => return Err(e),
            }
        }
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        // Only what callgrind wrote into a folder this process created.
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_total_is_read_from_the_summary_line() {
        let out = "version: 1\ncreator: callgrind-3.19.0\npid: 7\ncmd: perfsuite bench\n\
                   events: Ir\nfl= (1) src/engine/mod.rs\nfn= (1) run\n5 100\n\
                   summary: 41058698\n\n\ntotals: 41058698\n";
        assert_eq!(total(out), Some(41_058_698));
        assert_eq!(total("events: Ir\ntotals: 12 7\n"), Some(12));
        assert_eq!(total("events: Ir\n"), None);
        assert_eq!(total("summary: many\n"), None);
    }

    #[test]
    fn the_missing_valgrind_message_is_one_line_saying_how_to_install_it() {
        let text = CountError::Missing.to_string();
        assert!(!text.contains('\n'));
        assert!(text.contains("apt-get install valgrind"), "{text}");
    }

    #[test]
    fn a_temporary_folder_is_removed_when_dropped() {
        let dir = TempDir::new().unwrap();
        let path = dir.path().to_owned();
        std::fs::write(path.join("callgrind.out"), "x").unwrap();
        let other = TempDir::new().unwrap();
        assert_ne!(other.path(), path);
        drop(dir);
        assert!(!path.exists());
    }
}
