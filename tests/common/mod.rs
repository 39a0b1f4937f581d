//! What the integration tests share: a temp dir with fixture files written into it, the
//! perfsuite binary run inside it, and ways to watch the processes it starts.
//!
//! Every test file includes this module, and none uses all of it.
#![allow(dead_code)]

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

/// The fault-injection variable of `perfsuite bench` (see `perfsuite::commands::bench`).
pub const FAULT_VAR: &str = perfsuite::commands::bench::FAULT_VAR;

/// How long a test waits for anything before it gives up and fails.
pub const PATIENCE: Duration = Duration::from_secs(60);

/// A temp dir that perfsuite runs in.
pub struct Fixture {
    dir: TempDir,
}

impl Fixture {
    /// A temp dir holding `files` (path relative to it, contents).
    pub fn new(files: &[(&str, &str)]) -> Self {
        let fixture = Fixture {
            dir: tempfile::tempdir().unwrap(),
        };
        for (path, contents) in files {
            fixture.write(path, contents);
        }
        fixture
    }

    /// Writes `contents` to `path` (relative to the fixture), creating folders.
    pub fn write(&self, path: &str, contents: impl AsRef<[u8]>) {
        let path = self.path(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
    }

    /// `rel` inside the fixture.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// The fixture's own folder.
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// `perfsuite ARGS` run inside the fixture, with no fault injected unless the test says so.
    pub fn perfsuite(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_perfsuite"));
        cmd.args(args)
            .current_dir(self.dir.path())
            .env_remove(FAULT_VAR)
            .env_remove(perfsuite::commands::bench::MEMORY_LIMIT_VAR)
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
        let text = std::fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{rel}: {e}"))
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
