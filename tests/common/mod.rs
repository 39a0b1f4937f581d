//! The one helper the integration tests share: a temp dir to write scenario and budget files
//! into, and `perfsuite` run inside it, as a user would from a repository's root.
//!
//! Each test gets a fresh [`Workspace`], so tests run in parallel without seeing each other's
//! files, and relative paths in messages (`scenarios/x.toml:2:1`) read as a user would see them.
//! [`Fixture`] is the same folder for the fault tests, which start perfsuite as a plain process
//! so that they can signal it and watch its children.

// Each test file uses a different part of this module.
#![allow(dead_code)]

pub mod history;
pub mod resolved;
pub mod schema;

use std::ffi::OsStr;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use tempfile::TempDir;

/// Longest any single perfsuite invocation may take before the test fails instead of hanging
/// (the suites here finish in well under a second).
const COMMAND_TIMEOUT: Duration = Duration::from_secs(120);

/// A temporary folder standing in for a user's repository.
pub struct Workspace {
    dir: TempDir,
}

impl Default for Workspace {
    fn default() -> Self {
        Self::new()
    }
}

impl Workspace {
    /// An empty workspace.
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("a temp dir"),
        }
    }

    /// The workspace's absolute path.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `rel` inside the workspace.
    pub fn join(&self, rel: impl AsRef<Path>) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Writes `contents` to `rel`, creating its folders.
    pub fn write(&self, rel: &str, contents: impl AsRef<[u8]>) -> &Self {
        let path = self.join(rel);
        std::fs::create_dir_all(path.parent().expect("a file has a parent")).unwrap();
        std::fs::write(&path, contents).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        self
    }

    /// The text of `rel`.
    pub fn read(&self, rel: &str) -> String {
        let path = self.join(rel);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// `rel` parsed as JSON.
    pub fn json(&self, rel: &str) -> serde_json::Value {
        serde_json::from_str(&self.read(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    /// Whether `rel` exists.
    pub fn exists(&self, rel: &str) -> bool {
        self.join(rel).exists()
    }

    /// Writes `scenarios/<name>.toml`: `candles = <candles>`, then `extra_toml` verbatim. Every
    /// other key keeps the product's default (3 repeats, 1 warm-up, BTCUSDT, profile `default`),
    /// so `extra_toml` may set any of them once.
    pub fn tiny_scenario(&self, name: &str, candles: u64, extra_toml: &str) -> &Self {
        self.write(
            &format!("scenarios/{name}.toml"),
            format!("candles = {candles}\n{extra_toml}\n"),
        )
    }

    /// `perfsuite ARGS` with the workspace as its working directory, no injected fault unless
    /// the test sets one, outside GitHub Actions (no annotations on stderr) unless the test says
    /// otherwise, tables at their piped width and colour as `--color` says unless the test sets
    /// `COLUMNS` or `NO_COLOR`, and a time limit.
    pub fn perfsuite<I, S>(&self, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_perfsuite"));
        cmd.current_dir(self.path())
            .env_remove(FAULT_VAR)
            .env_remove("COLUMNS")
            .env_remove("NO_COLOR")
            .env_remove(perfsuite::commands::bench::MEMORY_LIMIT_VAR)
            .env_remove(perfsuite::output::github::GITHUB_ACTIONS)
            .timeout(COMMAND_TIMEOUT)
            .args(args);
        cmd
    }

    /// `text` with the workspace's path replaced by `[WORKSPACE]`, for snapshots.
    pub fn redact(&self, text: &str) -> String {
        let mut text = text.to_owned();
        // The canonical form first: on some systems the temp dir is reached through a link.
        if let Ok(real) = std::fs::canonicalize(self.path()) {
            text = text.replace(&real.display().to_string(), "[WORKSPACE]");
        }
        text.replace(&self.path().display().to_string(), "[WORKSPACE]")
    }

    /// `(scenario, verdict)` of each row of `<out>/summary.json`, in file order.
    pub fn summary_rows(&self, out: &str) -> Vec<(String, String)> {
        let summary = self.json(&format!("{out}/summary.json"));
        summary["scenarios"]
            .as_array()
            .unwrap_or_else(|| panic!("{out}/summary.json has no `scenarios` array"))
            .iter()
            .map(|row| {
                (
                    row["scenario"].as_str().unwrap().to_owned(),
                    row["verdict"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    }

    /// Copies the folder `from` to `to` (both relative), recursively.
    pub fn copy_dir(&self, from: &str, to: &str) {
        fn copy(from: &Path, to: &Path) {
            std::fs::create_dir_all(to).unwrap();
            for entry in std::fs::read_dir(from).unwrap() {
                let entry = entry.unwrap();
                let target = to.join(entry.file_name());
                if entry.file_type().unwrap().is_dir() {
                    copy(&entry.path(), &target);
                } else {
                    std::fs::copy(entry.path(), target).unwrap();
                }
            }
        }
        copy(&self.join(from), &self.join(to));
    }
}

/// The stdout of a finished command, as text.
pub fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The stderr of a finished command, as text.
pub fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// `text` with every run of whitespace made one space: table cells wrap long reasons over
/// several lines, and this joins them again.
pub fn squeeze(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The fault-injection variable of `perfsuite bench` (see `perfsuite::commands::bench`).
pub const FAULT_VAR: &str = perfsuite::commands::bench::FAULT_VAR;

/// How long a test waits for anything before it gives up and fails.
pub const PATIENCE: Duration = Duration::from_secs(60);

/// A [`Workspace`] whose perfsuite runs are plain processes, to be signalled and watched.
pub struct Fixture {
    ws: Workspace,
}

impl Fixture {
    /// A temp dir holding `files` (path relative to it, contents).
    pub fn new(files: &[(&str, &str)]) -> Self {
        let ws = Workspace::new();
        for (path, contents) in files {
            ws.write(path, contents);
        }
        Fixture { ws }
    }

    /// Writes `contents` to `path` (relative to the fixture), creating folders.
    pub fn write(&self, path: &str, contents: impl AsRef<[u8]>) {
        self.ws.write(path, contents);
    }

    /// Writes the shell script `body` (after a `#!/bin/sh` line) to `rel`, executable; returns
    /// its path as text, ready to pass as an argument.
    pub fn write_script(&self, rel: &str, body: &str) -> String {
        use std::os::unix::fs::PermissionsExt;
        self.write(rel, format!("#!/bin/sh\n{body}\n"));
        let path = self.path(rel);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path.display().to_string()
    }

    /// `rel` inside the fixture.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.ws.join(rel)
    }

    /// The fixture's own folder.
    pub fn root(&self) -> &Path {
        self.ws.path()
    }

    /// `perfsuite ARGS` run inside the fixture as a plain process, with no fault injected
    /// unless the test says so.
    pub fn perfsuite(&self, args: &[&str]) -> std::process::Command {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_perfsuite"));
        cmd.args(args)
            .current_dir(self.root())
            .env_remove(FAULT_VAR)
            .env_remove(perfsuite::commands::bench::MEMORY_LIMIT_VAR)
            .env_remove(perfsuite::output::github::GITHUB_ACTIONS)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd
    }

    /// Runs `perfsuite ARGS` to its end.
    pub fn run(&self, args: &[&str]) -> Outcome {
        finish(self.perfsuite(args).spawn().unwrap())
    }

    /// Every file below the fixture's folder, relative to it, sorted.
    pub fn tree(&self) -> Vec<String> {
        let mut files = Vec::new();
        let mut folders = vec![self.root().to_owned()];
        while let Some(folder) = folders.pop() {
            for entry in std::fs::read_dir(&folder).unwrap() {
                let path = entry.unwrap().path();
                let rel = path
                    .strip_prefix(self.root())
                    .unwrap()
                    .display()
                    .to_string();
                if path.is_dir() {
                    files.push(format!("{rel}/"));
                    folders.push(path);
                } else {
                    files.push(rel);
                }
            }
        }
        files.sort();
        files
    }

    /// The JSON file at `rel`.
    pub fn json(&self, rel: &str) -> serde_json::Value {
        self.ws.json(rel)
    }
}

/// A tiny scenario file: a few thousand candles, one repeat, no warm-up.
pub fn tiny(name: &str, symbol: &str, extra: &str) -> String {
    format!(
        "name = '{name}'\ncandles = 3000\nrepeats = 1\nwarmup = 0\nsymbol = '{symbol}'\n{extra}"
    )
}

/// How a perfsuite process ended.
#[derive(Debug)]
pub struct Outcome {
    /// Its exit status.
    pub status: ExitStatus,
    /// Everything it printed on stdout.
    pub stdout: String,
    /// Everything it printed on stderr.
    pub stderr: String,
}

impl Outcome {
    /// The exit code, after checking that the process neither panicked nor died of a signal.
    pub fn code(&self) -> i32 {
        assert!(
            !self.stderr.contains("panicked"),
            "perfsuite panicked: {}",
            self.stderr
        );
        self.status
            .code()
            .unwrap_or_else(|| panic!("perfsuite died of a signal: {:?}", self.status))
    }
}

/// Waits for `child` to end (failing the test after [`PATIENCE`]) and collects its output.
pub fn finish(mut child: Child) -> Outcome {
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > PATIENCE {
            let _ = child.kill();
            let _ = child.wait();
            panic!("perfsuite did not end within {PATIENCE:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Outcome {
        status,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    }
}

/// Polls `condition` every 10 ms until it holds; fails the test after [`PATIENCE`].
pub fn wait_until(what: &str, mut condition: impl FnMut() -> bool) {
    let started = Instant::now();
    while !condition() {
        assert!(started.elapsed() < PATIENCE, "gave up waiting: {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The pid of the child of `parent` whose command line holds `needle`, once it exists.
pub fn child_with(parent: u32, needle: &str) -> u32 {
    let mut found = None;
    wait_until(&format!("a child of {parent} running {needle}"), || {
        found = children_of(parent).into_iter().find(|&pid| {
            std::fs::read(format!("/proc/{pid}/cmdline"))
                .is_ok_and(|c| String::from_utf8_lossy(&c).contains(needle))
        });
        found.is_some()
    });
    found.unwrap()
}

/// The pids whose parent is `parent`, from `/proc/*/stat`.
pub fn children_of(parent: u32) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|&pid| stat(pid).is_some_and(|(_, ppid)| ppid == parent))
        .collect()
}

/// Whether `pid` is a process that runs (neither gone nor a zombie).
pub fn is_running(pid: u32) -> bool {
    stat(pid).is_some_and(|(state, _)| state != 'Z' && state != 'X')
}

/// State and parent pid of `pid`.
fn stat(pid: u32) -> Option<(char, u32)> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let mut fields = text.rsplit_once(')')?.1.split_whitespace();
    let state = fields.next()?.chars().next()?;
    Some((state, fields.next()?.parse().ok()?))
}

/// Sends `signal` to `pid` (a negative pid: to that process group).
pub fn signal(pid: i64, signal: i32) {
    // SAFETY: kill(2) with a pid this test started; no memory is shared.
    let status = unsafe { libc::kill(pid as libc::pid_t, signal) };
    assert_eq!(status, 0, "kill({pid}, {signal}) failed");
}

/// Whether this process runs as root, which ignores permission bits.
pub fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}
