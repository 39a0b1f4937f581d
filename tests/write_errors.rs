//! Output that cannot be written: a full disk is never success, a closed pipe may be.
//!
//! `/dev/full` fails every write with ENOSPC, as a full disk does. A pipe whose reader has gone
//! (`perfsuite ... | head -c1`) fails with EPIPE: the reader has what it wanted, so that is not
//! an error. Neither may make perfsuite panic (exit 101), on stdout or on stderr.

mod common;

use std::fs::File;
use std::process::{Command, Stdio};

use common::{stderr, Workspace};

/// A workspace with one tiny scenario measured into `base/`.
fn measured() -> Workspace {
    let ws = Workspace::new();
    ws.tiny_scenario("btc", 3000, "repeats = 1\nwarmup = 0");
    ws.perfsuite(["run", "--quiet", "--out", "base"])
        .assert()
        .code(0);
    ws
}

/// `/dev/full`, opened for writing.
fn full() -> File {
    File::options()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full")
}

/// `perfsuite ARGS` in `ws` as a plain process, so its streams can go anywhere.
fn perfsuite(ws: &Workspace, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_perfsuite"));
    cmd.current_dir(ws.path())
        .args(args)
        .env_remove("GITHUB_ACTIONS")
        .env_remove(perfsuite::commands::bench::MEMORY_LIMIT_VAR);
    cmd
}

/// The exit code and stderr of `args` with stdout on `/dev/full`.
fn with_stdout_full(ws: &Workspace, args: &[&str]) -> (i32, String) {
    let out = perfsuite(ws, args)
        .stdout(full())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    (out.status.code().unwrap_or(-1), stderr(&out))
}

/// The exit code of `args` with stderr on `/dev/full`.
fn with_stderr_full(ws: &Workspace, args: &[&str]) -> i32 {
    let status = perfsuite(ws, args)
        .stdout(Stdio::null())
        .stderr(full())
        .status()
        .unwrap();
    status.code().unwrap_or(-1)
}

/// The exit code of `args` with stdout a pipe whose reading end is closed before perfsuite
/// writes (or, if it wrote first, after: both are a reader that went away).
fn with_stdout_closed(ws: &Workspace, args: &[&str]) -> i32 {
    let mut child = perfsuite(ws, args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    child.wait().unwrap().code().unwrap_or(-1)
}

#[test]
fn an_error_message_that_cannot_be_written_still_exits_with_the_errors_code_not_a_panic() {
    let ws = Workspace::new();
    assert_eq!(with_stderr_full(&ws, &["check", "/nonexistent"]), 2);
    assert_eq!(
        with_stderr_full(&ws, &["bench", "--no-such-flag"]),
        2,
        "clap's own error"
    );
    ws.tiny_scenario("btc", 3000, "repeats = 1\nwarmup = 0");
    assert_eq!(
        with_stderr_full(&ws, &["run", "--out", "out", "--filter", "nothing"]),
        2
    );
}

#[test]
fn check_list_bench_and_help_on_a_full_disk_exit_2_saying_stdout_could_not_be_written() {
    let ws = measured();
    for args in [
        &["check"][..],
        &["list"],
        &[
            "bench",
            "--candles",
            "2000",
            "--repeats",
            "1",
            "--warmup",
            "0",
        ],
        &["--help"],
        &["completions", "bash"],
    ] {
        let (code, err) = with_stdout_full(&ws, args);
        assert_eq!(code, 2, "{args:?}: {err}");
        if args[0] != "--help" {
            assert!(
                err.contains("error: cannot write to stdout: No space left on device"),
                "{args:?}: {err}"
            );
        }
    }
}

#[test]
fn compare_and_run_on_a_full_disk_exit_2_and_run_keeps_its_results_and_junit() {
    let ws = measured();
    let (code, err) = with_stdout_full(&ws, &["compare", "base", "base"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("cannot write to stdout"), "{err}");
    let (code, err) = with_stdout_full(&ws, &["run", "--out", "head", "--junit", "head.xml"]);
    assert_eq!(code, 2, "{err}");
    assert!(ws.exists("head/btc/bench.json") && ws.exists("head/summary.json"));
    assert!(
        ws.exists("head.xml"),
        "the JUnit file is written all the same"
    );
}

#[test]
fn a_closed_pipe_on_stdout_is_success() {
    let ws = measured();
    for args in [
        &["check"][..],
        &["list"],
        &["compare", "base", "base"],
        &[
            "bench",
            "--candles",
            "2000",
            "--repeats",
            "1",
            "--warmup",
            "0",
        ],
        &["--help"],
    ] {
        assert_eq!(with_stdout_closed(&ws, args), 0, "{args:?}");
    }
}
