//! The one helper the integration tests share: a temp dir to write scenario and budget files
//! into, and `perfsuite` run inside it, as a user would from a repository's root.
//!
//! Each test gets a fresh [`Workspace`], so tests run in parallel without seeing each other's
//! files, and relative paths in messages (`scenarios/x.toml:2:1`) read as a user would see them.

// Each test file uses a different part of this module.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::time::Duration;

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
    pub fn write(&self, rel: &str, contents: &str) -> &Self {
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
            &format!("candles = {candles}\n{extra_toml}\n"),
        )
    }

    /// `perfsuite ARGS` with the workspace as its working directory, no injected fault unless
    /// the test sets one, and a time limit.
    pub fn perfsuite<I, S>(&self, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_perfsuite"));
        cmd.current_dir(self.path())
            .env_remove("PERFSUITE_INJECT_FAULT")
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
