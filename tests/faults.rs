//! Faults while running, from the user's side: a child killed from outside, an output folder
//! that cannot be written or vanishes, Ctrl-C, two runs into one folder, results of an earlier
//! run, memory and time limits. Each test starts the real binary on tiny scenarios and checks
//! the exit code, the message, the files left behind, and that no process is left over.

mod common;

use std::time::{Duration, Instant};

use common::{child_with, is_root, is_running, signal, tiny, wait_until, Fixture, FAULT_VAR};
use perfsuite::results::folder::LOCK_FILE;

/// Three tiny scenarios; `b` runs the symbol `HANG`, which hangs when the fault is injected.
fn three_with_a_hang_in_the_middle(b_extra: &str) -> Fixture {
    Fixture::new(&[
        ("s/a.toml", &tiny("a", "BTCUSDT", "")),
        ("s/b.toml", &tiny("b", "HANG", b_extra)),
        ("s/c.toml", &tiny("c", "ETHUSDT", "")),
    ])
}

/// `perfsuite run s --out out` started with the middle scenario hanging.
fn start_hanging_run(f: &Fixture) -> std::process::Child {
    f.perfsuite(&["run", "s", "--out", "out"])
        .env(FAULT_VAR, "hang:HANG")
        .spawn()
        .unwrap()
}

/// The summary's rows as (scenario, verdict, first reason).
fn rows(summary: &serde_json::Value) -> Vec<(String, String, String)> {
    summary["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["scenario"].as_str().unwrap().to_owned(),
                r["verdict"].as_str().unwrap().to_owned(),
                r["reasons"][0].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn is_error(row: &(String, String, String)) -> bool {
    row.1 == "error"
}

#[test]
fn a_child_killed_by_sigkill_is_an_error_row_naming_the_signal_and_the_others_run() {
    let f = three_with_a_hang_in_the_middle("");
    let run = start_hanging_run(&f);
    let hung = child_with(run.id(), "HANG");
    signal(hung.into(), libc::SIGKILL);
    let outcome = common::finish(run);
    assert_eq!(outcome.code(), 0, "{}", outcome.stderr);
    let summary = f.json("out/summary.json");
    assert_eq!(summary["interrupted"], false);
    let rows = rows(&summary);
    assert_eq!(rows.len(), 3);
    assert!(!is_error(&rows[0]) && !is_error(&rows[2]), "{rows:?}");
    assert!(is_error(&rows[1]), "{rows:?}");
    assert!(
        rows[1].2.contains("killed by signal 9 (SIGKILL)"),
        "{rows:?}"
    );
    assert!(outcome
        .stderr
        .contains("scenario `b` could not be measured"));
    f.json("out/a/bench.json");
    f.json("out/c/bench.json");
    assert!(!f.path("out/b").exists());
    assert!(!f.path("out").join(LOCK_FILE).exists());
}

#[test]
fn a_panic_and_an_abort_in_the_child_are_error_rows_and_strict_exits_3() {
    let f = three_with_a_hang_in_the_middle("");
    for (fault, expected) in [
        ("panic:HANG", "exited with code 101"),
        ("abort:HANG", "killed by signal 6 (SIGABRT)"),
    ] {
        let outcome = common::finish(
            f.perfsuite(&["run", "s", "--out", "out", "--strict"])
                .env(FAULT_VAR, fault)
                .spawn()
                .unwrap(),
        );
        assert_eq!(
            outcome.status.code(),
            Some(3),
            "{fault}: {}",
            outcome.stderr
        );
        let rows = rows(&f.json("out/summary.json"));
        assert_eq!(rows.iter().filter(|r| is_error(r)).count(), 1, "{rows:?}");
        assert!(rows[1].2.contains(expected), "{fault}: {rows:?}");
        f.json("out/a/bench.json");
        f.json("out/c/bench.json");
    }
}

#[test]
fn a_hanging_scenario_ends_at_its_timeout() {
    let f = three_with_a_hang_in_the_middle("timeout_s = 0.3\n");
    let started = Instant::now();
    let outcome = common::finish(start_hanging_run(&f));
    assert_eq!(outcome.code(), 0, "{}", outcome.stderr);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
    let rows = rows(&f.json("out/summary.json"));
    assert!(rows[1].2.contains("timed out after 0.3 s"), "{rows:?}");
    assert_eq!(rows.iter().filter(|r| is_error(r)).count(), 1);
}

#[test]
fn an_output_folder_that_cannot_be_created_is_named_and_exits_2() {
    let f = Fixture::new(&[("s/a.toml", &tiny("a", "BTCUSDT", "")), ("file", "x")]);
    for (out, says) in [
        ("file/sub", "cannot create the results folder"),
        ("file", "is a file, not a folder"),
    ] {
        for command in [
            &["run", "s", "--out", out][..],
            &["merge", "shard", "--out", out],
        ] {
            if command[0] == "merge" {
                // A valid shard to merge: the result set of a run.
                assert_eq!(f.run(&["run", "s", "--out", "shard", "-q"]).code(), 0);
            }
            let outcome = f.run(command);
            assert_eq!(outcome.code(), 2, "{command:?}: {}", outcome.stderr);
            let named = format!("error: {}: {says}", f.path(out).display());
            let relative = format!("error: {out}: {says}");
            assert!(
                outcome.stderr.starts_with(&named) || outcome.stderr.starts_with(&relative),
                "{command:?}: {}",
                outcome.stderr
            );
            assert_eq!(outcome.stderr.lines().count(), 1, "{}", outcome.stderr);
        }
    }
    assert_eq!(std::fs::read_to_string(f.path("file")).unwrap(), "x");
}

/// `perfsuite ARGS` with the fixture's `ro` folder read-only. Root ignores permission bits, so
/// as root `ro` becomes a read-only tmpfs in a mount namespace of perfsuite's own (`unshare -m`;
/// nothing outside it sees the mount), where root cannot write either. `None` when that cannot
/// be set up.
fn run_with_read_only_folder(f: &Fixture, args: &[&str]) -> Option<common::Outcome> {
    use std::os::unix::fs::PermissionsExt;
    if !is_root() {
        std::fs::set_permissions(f.path("ro"), std::fs::Permissions::from_mode(0o555)).unwrap();
        let outcome = f.run(args);
        std::fs::set_permissions(f.path("ro"), std::fs::Permissions::from_mode(0o755)).unwrap();
        return Some(outcome);
    }
    let script = "mount -t tmpfs -o ro tmpfs ro || exit 97; exec \"$@\"";
    let mut cmd = std::process::Command::new("unshare");
    cmd.args([
        "-m",
        "sh",
        "-c",
        script,
        "sh",
        env!("CARGO_BIN_EXE_perfsuite"),
    ])
    .args(args)
    .current_dir(f.path(""))
    .env_remove(FAULT_VAR)
    .stdout(std::process::Stdio::piped())
    .stderr(std::process::Stdio::piped());
    let outcome = common::finish(cmd.spawn().ok()?);
    // 97: the mount failed; 1 with unshare's own message: no mount namespace here.
    let unshare_failed = outcome.stderr.starts_with("unshare:");
    (outcome.code() != 97 && !unshare_failed).then_some(outcome)
}

#[test]
fn a_read_only_output_folder_is_named_and_exits_2() {
    let f = Fixture::new(&[("s/a.toml", &tiny("a", "BTCUSDT", ""))]);
    std::fs::create_dir(f.path("ro")).unwrap();
    for out in ["ro/out", "ro"] {
        let Some(outcome) = run_with_read_only_folder(&f, &["run", "s", "--out", out]) else {
            eprintln!(
                "not run: root ignores permission bits, and no read-only tmpfs could be mounted \
                 in a mount namespace (unshare -m)"
            );
            return;
        };
        assert_eq!(outcome.code(), 2, "{}", outcome.stderr);
        assert!(
            outcome.stderr.starts_with(&format!("error: {out}")),
            "{}",
            outcome.stderr
        );
        assert_eq!(outcome.stderr.lines().count(), 1, "{}", outcome.stderr);
    }
    assert_eq!(
        std::fs::read_dir(f.path("ro")).unwrap().count(),
        0,
        "nothing is left in the real folder"
    );
}

#[test]
fn an_output_folder_removed_mid_run_stops_the_run_with_exit_2_and_is_not_recreated() {
    let f = three_with_a_hang_in_the_middle("");
    let run = start_hanging_run(&f);
    let hung = child_with(run.id(), "HANG");
    assert!(
        f.path("out/a/bench.json").is_file(),
        "a finished before b started"
    );
    std::fs::remove_dir_all(f.path("out")).unwrap();
    signal(hung.into(), libc::SIGKILL);
    let outcome = common::finish(run);
    assert_eq!(outcome.code(), 2, "{}", outcome.stderr);
    assert!(
        outcome
            .stderr
            .contains("error: out: the results folder vanished during the run"),
        "{}",
        outcome.stderr
    );
    assert!(!f.path("out").exists(), "no half result set is recreated");
    assert!(!outcome.stderr.contains("scenario `c`"), "c is not run");
}

/// Ctrl-C reaches perfsuite alone (`kill -INT PID`), the whole process group (a terminal's
/// Ctrl-C, which the child receives too), or arrives as SIGTERM (`kill PID`, CI cancelling a
/// job) or as SIGHUP (a closed terminal or SSH session): each time the child stops, the finished
/// scenario keeps its result, the summary says interrupted, the lock is released, and the exit
/// code is 130.
#[test]
fn ctrl_c_stops_the_child_keeps_finished_results_and_exits_130() {
    use std::os::unix::process::CommandExt;
    for (how, sig, group) in [
        ("SIGINT to perfsuite", libc::SIGINT, false),
        ("SIGINT to the process group", libc::SIGINT, true),
        ("SIGTERM to perfsuite", libc::SIGTERM, false),
        ("SIGHUP to perfsuite", libc::SIGHUP, false),
    ] {
        // In the group case the hanging scenario is the last one, so an interruption cannot
        // pass for an unfinished run: it must be recognised as one.
        let f = if group {
            Fixture::new(&[
                ("s/a.toml", &tiny("a", "BTCUSDT", "")),
                ("s/b.toml", &tiny("b", "HANG", "")),
            ])
        } else {
            three_with_a_hang_in_the_middle("")
        };
        let mut cmd = f.perfsuite(&["run", "s", "--out", "out"]);
        cmd.env(FAULT_VAR, "hang:HANG");
        if group {
            cmd.process_group(0);
        }
        let run = cmd.spawn().unwrap();
        let parent = run.id();
        let hung = child_with(parent, "HANG");
        signal(
            if group {
                -i64::from(parent)
            } else {
                parent.into()
            },
            sig,
        );
        let outcome = common::finish(run);
        assert_eq!(
            outcome.status.code(),
            Some(130),
            "{how}: {}",
            outcome.stderr
        );
        assert!(!outcome.stderr.contains("panicked"));
        assert!(!is_running(hung), "{how}: the child {hung} is left over");
        let summary = f.json("out/summary.json");
        assert_eq!(summary["interrupted"], true, "{how}");
        let names: Vec<String> = rows(&summary).into_iter().map(|r| r.0).collect();
        assert_eq!(
            names,
            ["a"],
            "{how}: only the finished scenario, and no error row for the interrupted one"
        );
        assert_eq!(f.json("out/a/bench.json")["scenario"], "a");
        assert!(outcome
            .stderr
            .contains("interrupted: finished scenarios are in out"));
        assert!(
            !f.path("out").join(LOCK_FILE).exists(),
            "{how}: lock left behind"
        );
    }
}

#[test]
fn a_second_run_into_the_same_folder_is_refused_naming_the_lock_and_its_pid() {
    let f = three_with_a_hang_in_the_middle("");
    let first = start_hanging_run(&f);
    let holder = first.id();
    child_with(holder, "HANG");
    let lock = f.path("out").join(LOCK_FILE);
    assert_eq!(
        std::fs::read_to_string(&lock).unwrap().lines().next(),
        Some(holder.to_string().as_str())
    );
    let before = f.tree();
    let second = f.run(&["run", "s", "--out", "out"]);
    assert_eq!(second.code(), 2, "{}", second.stderr);
    assert!(
        second.stderr.starts_with(&format!(
            "error: out/{LOCK_FILE}: another perfsuite (pid {holder}) is writing results into out"
        )),
        "{}",
        second.stderr
    );
    assert_eq!(f.tree(), before, "the refused run changed nothing");
    signal(holder.into(), libc::SIGINT);
    assert_eq!(common::finish(first).status.code(), Some(130));
    assert!(!lock.exists(), "the lock is released on Ctrl-C");
    assert_eq!(f.run(&["run", "s", "--out", "out", "-q"]).code(), 0);
    assert!(!lock.exists(), "the lock is released at the end");
}

#[test]
fn merge_and_ab_refuse_a_folder_another_process_holds() {
    let f = Fixture::new(&[("s/a.toml", &tiny("a", "BTCUSDT", ""))]);
    assert_eq!(f.run(&["run", "s", "--out", "shard", "-q"]).code(), 0);
    // This test's own process holds the OS lock, as a running perfsuite would.
    let me = std::process::id();
    f.write(&format!("held/{LOCK_FILE}"), format!("{me}\n"));
    let held = std::fs::File::options()
        .write(true)
        .open(f.path("held").join(LOCK_FILE))
        .unwrap();
    held.try_lock().unwrap();
    let exe = env!("CARGO_BIN_EXE_perfsuite");
    for command in [
        &["merge", "shard", "--out", "held"][..],
        &["ab", "--base", exe, "s", "--out", "held"],
        &["run", "s", "--out", "held"],
    ] {
        let outcome = f.run(command);
        assert_eq!(outcome.code(), 2, "{command:?}: {}", outcome.stderr);
        assert!(
            outcome.stderr.starts_with(&format!(
                "error: held/{LOCK_FILE}: another perfsuite (pid {me})"
            )),
            "{command:?}: {}",
            outcome.stderr
        );
    }
    assert_eq!(
        std::fs::read_to_string(f.path("held").join(LOCK_FILE)).unwrap(),
        format!("{me}\n"),
        "another process's lock is left alone"
    );
}

/// The OS releases a lock when its holder dies, however it dies: a run killed with SIGKILL
/// leaves its file, which the next run simply takes, with no warning and nothing left aside.
#[test]
fn a_killed_run_leaves_no_orphan_and_its_lock_file_is_no_lock() {
    let f = three_with_a_hang_in_the_middle("");
    let mut first = start_hanging_run(&f);
    let dead = first.id();
    let hung = child_with(dead, "HANG");
    signal(dead.into(), libc::SIGKILL);
    first.wait().unwrap();
    wait_until("the orphaned child to die with its parent", || {
        !is_running(hung)
    });
    let lock = f.path("out").join(LOCK_FILE);
    assert!(lock.exists(), "SIGKILL leaves the lock file behind");
    let outcome = f.run(&["run", "s", "--out", "out", "-q"]);
    assert_eq!(outcome.code(), 0, "{}", outcome.stderr);
    assert!(!outcome.stderr.contains("lock"), "{}", outcome.stderr);
    assert!(!lock.exists());
    assert_eq!(rows(&f.json("out/summary.json")).len(), 3);
}

#[test]
fn a_folder_at_the_lock_path_is_refused_in_one_line_and_nothing_is_moved_or_left_beside_it() {
    let f = Fixture::new(&[("s/a.toml", &tiny("a", "BTCUSDT", ""))]);
    std::fs::create_dir_all(f.path("out").join(LOCK_FILE)).unwrap();
    let before = f.tree();
    let outcome = f.run(&["run", "s", "--out", "out"]);
    assert_eq!(outcome.code(), 2, "{}", outcome.stderr);
    assert_eq!(outcome.stderr.lines().count(), 1, "{}", outcome.stderr);
    assert!(outcome.stderr.contains(LOCK_FILE), "{}", outcome.stderr);
    assert_eq!(
        f.tree(),
        before,
        "the folder was moved or something left beside it"
    );
}

#[test]
fn a_file_where_a_results_folder_goes_is_refused_up_front_and_the_lock_released() {
    let f = Fixture::new(&[("s/a.toml", &tiny("a", "BTCUSDT", ""))]);
    f.write("out/a", "a file where the scenario's folder goes");
    let outcome = f.run(&["run", "s", "--out", "out"]);
    assert_eq!(outcome.code(), 2, "{}", outcome.stderr);
    assert!(
        outcome
            .stderr
            .starts_with("error: out/a: is a file, where a scenario's results folder goes"),
        "{}",
        outcome.stderr
    );
    assert!(!f.path("out").join(LOCK_FILE).exists());
}

#[test]
fn results_of_an_earlier_run_never_mix_with_this_one() {
    let f = Fixture::new(&[
        ("s/alpha.toml", &tiny("alpha", "BTCUSDT", "")),
        ("s/beta.toml", &tiny("beta", "ETHUSDT", "")),
        ("s/gamma.toml", &tiny("gamma", "HANG", "")),
    ]);
    f.write("out/notes.txt", "the user's own file");
    assert_eq!(f.run(&["run", "s", "--out", "out", "-q"]).code(), 0);
    f.json("out/beta/bench.json");

    // A narrower run: beta's old result is gone, not passed off as this run's.
    let outcome = f.run(&["run", "s", "--filter", "alpha", "--out", "out", "-q"]);
    assert_eq!(outcome.code(), 0, "{}", outcome.stderr);
    assert!(!f.path("out/beta").exists() && !f.path("out/gamma").exists());
    let names: Vec<String> = rows(&f.json("out/summary.json"))
        .into_iter()
        .map(|r| r.0)
        .collect();
    assert_eq!(names, ["alpha"]);
    let compared = f.run(&["compare", "out", "out", "--format", "json"]);
    assert_eq!(compared.code(), 0, "{}", compared.stderr);
    assert!(!compared.stdout.contains("beta"));

    // A full run interrupted after alpha: none of the earlier run's beta or gamma survives.
    assert_eq!(f.run(&["run", "s", "--out", "out", "-q"]).code(), 0);
    let run = f
        .perfsuite(&["run", "s", "--out", "out", "-q"])
        .env(FAULT_VAR, "hang:HANG")
        .spawn()
        .unwrap();
    child_with(run.id(), "HANG");
    signal(run.id().into(), libc::SIGINT);
    assert_eq!(common::finish(run).status.code(), Some(130));
    assert!(!f.path("out/gamma").exists());
    let names: Vec<String> = rows(&f.json("out/summary.json"))
        .into_iter()
        .map(|r| r.0)
        .collect();
    assert_eq!(names, ["alpha", "beta"]);
    assert_eq!(
        std::fs::read_to_string(f.path("out/notes.txt")).unwrap(),
        "the user's own file"
    );
}

#[test]
fn more_candles_than_memory_allows_are_refused_up_front() {
    let f = Fixture::new(&[
        ("s/a.toml", &tiny("a", "BTCUSDT", "")),
        (
            "s/big.toml",
            "name = 'big'\ncandles = 2000000\nrepeats = 1\nwarmup = 0\n",
        ),
    ]);
    let limit = perfsuite::commands::bench::MEMORY_LIMIT_VAR;
    // 2 million candles need about 64 MiB + 122 MiB: more than 100 MiB.
    let started = Instant::now();
    let bench = common::finish(
        f.perfsuite(&["bench", "--candles", "2000000"])
            .env(limit, "100")
            .spawn()
            .unwrap(),
    );
    assert_eq!(bench.code(), 3, "{}", bench.stderr);
    assert!(bench.stdout.is_empty());
    assert!(
        bench
            .stderr
            .starts_with("error: 2000000 candles \u{d7} 3 repeats need about ")
            && bench
                .stderr
                .contains("but only 100 MiB is available (PERFSUITE_MEMORY_LIMIT_MB)"),
        "{}",
        bench.stderr
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "refused before generating"
    );

    let run = common::finish(
        f.perfsuite(&["run", "s", "--out", "out", "-q"])
            .env(limit, "100")
            .spawn()
            .unwrap(),
    );
    assert_eq!(run.code(), 0, "{}", run.stderr);
    let rows = rows(&f.json("out/summary.json"));
    assert!(!is_error(&rows[0]), "{rows:?}");
    assert!(is_error(&rows[1]), "{rows:?}");
    assert!(
        rows[1]
            .2
            .starts_with("exited with code 3: error: 2000000 candles"),
        "{rows:?}"
    );

    let bad = common::finish(f.perfsuite(&["bench"]).env(limit, "lots").spawn().unwrap());
    assert_eq!(bad.code(), 2);
    assert!(bad
        .stderr
        .contains("PERFSUITE_MEMORY_LIMIT_MB must be a whole number of MiB"));
}

#[test]
fn an_absurd_bench_is_refused_by_the_memory_check_not_by_an_allocation_failure() {
    let f = Fixture::new(&[]);
    let outcome = f.run(&[
        "bench",
        "--candles",
        "100000000",
        "--repeats",
        "10000",
        "--engine-json",
        r#"{"batch_size": 1}"#,
    ]);
    assert_eq!(outcome.code(), 3, "{}", outcome.stderr);
    assert!(
        outcome.stderr.contains("MiB is available"),
        "{}",
        outcome.stderr
    );
}
