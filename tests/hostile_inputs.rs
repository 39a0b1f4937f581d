//! Hostile inputs from the user's side: special files where scenarios, summaries or results are
//! read, numbers `check` accepts that must also run, and names that collide with the results
//! folder's own files. Each ends in a one-line error (exit 2) or a normal run, never a hang or
//! a panic.

mod common;

use common::{tiny, Fixture};

fn mkfifo(path: &std::path::Path) {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
}

#[test]
fn a_fifo_or_a_link_to_dev_zero_as_a_scenario_is_refused_not_read() {
    let f = Fixture::new(&[("s/a.toml", &tiny("a", "BTCUSDT", ""))]);
    mkfifo(&f.path("s/x.toml"));
    let outcome = f.run(&["check", "s"]);
    assert_eq!(outcome.code(), 2, "{}", outcome.stderr);
    assert!(
        outcome.stderr.contains("s/x.toml") && outcome.stderr.contains("not a regular file"),
        "{}",
        outcome.stderr
    );
    std::fs::remove_file(f.path("s/x.toml")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", f.path("s/zero.toml")).unwrap();
    let outcome = f.run(&["check", "s"]);
    assert_eq!(outcome.code(), 2, "{}", outcome.stderr);
    assert!(
        outcome.stderr.contains("not a regular file"),
        "{}",
        outcome.stderr
    );
}

#[test]
fn a_fifo_as_bench_data_or_as_the_history_database_is_refused_not_waited_on() {
    // Both were opened with a blocking open and waited on the FIFO for a writer.
    let f = Fixture::new(&[]);
    mkfifo(&f.path("c.csv"));
    mkfifo(&f.path("h.sqlite"));
    for (args, name) in [
        (&["bench", "--data", "c.csv", "--repeats", "1"][..], "c.csv"),
        (&["trend", "--db", "h.sqlite"], "h.sqlite"),
        (
            &["report", "--db", "h.sqlite", "--out", "r.html"],
            "h.sqlite",
        ),
    ] {
        let outcome = f.run(args);
        assert_eq!(outcome.code(), 2, "{args:?}: {}", outcome.stderr);
        assert!(
            outcome.stderr.contains(name) && outcome.stderr.contains("not a regular file"),
            "{args:?}: {}",
            outcome.stderr
        );
    }
}

#[test]
fn a_scenario_file_over_64_mib_is_refused() {
    let f = Fixture::new(&[]);
    let mut text = tiny("a", "BTCUSDT", "");
    text.push_str(&"#".repeat(65 << 20));
    f.write("s/a.toml", text);
    let outcome = f.run(&["check", "s"]);
    assert_eq!(outcome.code(), 2, "{}", outcome.stderr);
    assert!(outcome.stderr.contains("64 MiB"), "{}", outcome.stderr);
}

#[test]
fn a_fifo_summary_in_a_shard_is_refused_by_merge_not_waited_on() {
    let f = Fixture::new(&[("s/a.toml", &tiny("a", "BTCUSDT", ""))]);
    assert_eq!(f.run(&["run", "s", "--out", "shard", "-q"]).code(), 0);
    std::fs::remove_file(f.path("shard/summary.json")).unwrap();
    mkfifo(&f.path("shard/summary.json"));
    let outcome = f.run(&["merge", "shard", "--out", "merged"]);
    assert_eq!(outcome.code(), 2, "{}", outcome.stderr);
    assert!(
        outcome.stderr.contains("not a regular file"),
        "{}",
        outcome.stderr
    );
}

#[test]
fn huge_time_limits_that_check_accepts_also_run() {
    for limit in ["1e19", "1e300"] {
        let f = Fixture::new(&[(
            "s/a.toml",
            &tiny("a", "BTCUSDT", &format!("timeout_s = {limit}\n")),
        )]);
        assert_eq!(f.run(&["check", "s"]).code(), 0);
        let outcome = f.run(&["run", "s", "--out", "out", "-q"]);
        assert_eq!(outcome.code(), 0, "{limit}: {}", outcome.stderr);
        assert_eq!(f.json("out/a/bench.json")["scenario"], "a");
    }
}

#[test]
fn a_scenario_named_like_a_summary_is_refused_by_check() {
    for name in ["summary.json", "summary.md"] {
        let f = Fixture::new(&[("s/a.toml", &tiny(name, "BTCUSDT", ""))]);
        let outcome = f.run(&["check", "s"]);
        assert_eq!(outcome.code(), 2, "{name}: {}", outcome.stderr);
        assert!(outcome.stderr.contains("summary.md"), "{}", outcome.stderr);
    }
}

#[test]
fn an_out_folder_with_a_foreign_bench_json_where_results_go_is_refused_before_measuring() {
    let f = Fixture::new(&[("s/tools.toml", &tiny("tools", "BTCUSDT", ""))]);
    f.write("tools/bench.json", "not perfsuite's");
    let outcome = f.run(&["run", "s", "--out", "."]);
    assert_eq!(outcome.code(), 2, "{}", outcome.stderr);
    assert_eq!(outcome.stderr.lines().count(), 1, "{}", outcome.stderr);
    assert!(
        outcome
            .stderr
            .contains("tools/bench.json: is a file perfsuite did not write"),
        "{}",
        outcome.stderr
    );
    assert_eq!(
        std::fs::read_to_string(f.path("tools/bench.json")).unwrap(),
        "not perfsuite's"
    );
}

#[test]
fn a_symlink_in_out_to_a_folder_elsewhere_is_never_followed_to_delete_what_it_holds() {
    let f = Fixture::new(&[("s/a.toml", &tiny("a", "BTCUSDT", ""))]);
    f.write("elsewhere/bench.json", "someone else's result");
    f.write("elsewhere/notes.txt", "someone else's notes");
    std::fs::create_dir(f.path("out")).unwrap();
    std::os::unix::fs::symlink("../elsewhere", f.path("out/old")).unwrap();
    let outcome = f.run(&["run", "s", "--out", "out", "-q"]);
    assert_eq!(outcome.code(), 0, "{}", outcome.stderr);
    assert_eq!(
        std::fs::read_to_string(f.path("elsewhere/bench.json")).unwrap(),
        "someone else's result"
    );
    assert!(f.path("elsewhere/notes.txt").exists());
    assert!(f.path("out/old").symlink_metadata().unwrap().is_symlink());
    assert_eq!(f.json("out/a/bench.json")["scenario"], "a");
}

#[test]
fn an_out_that_is_a_symlink_to_elsewhere_is_refused_and_nothing_is_written_through_it() {
    let f = Fixture::new(&[("s/a.toml", &tiny("a", "BTCUSDT", ""))]);
    std::fs::create_dir(f.path("elsewhere")).unwrap();
    std::os::unix::fs::symlink("elsewhere", f.path("out")).unwrap();
    let outcome = f.run(&["run", "s", "--out", "out", "-q"]);
    assert_eq!(outcome.code(), 2, "{}", outcome.stderr);
    assert_eq!(outcome.stderr.lines().count(), 1, "{}", outcome.stderr);
    assert!(outcome.stderr.contains("elsewhere"), "{}", outcome.stderr);
    assert_eq!(
        std::fs::read_dir(f.path("elsewhere")).unwrap().count(),
        0,
        "written through the link"
    );
}

/// Loading is linear in the number of scenarios (it was quadratic: 100,000 took over a minute
/// in a release build). A hang guard, not a timing: the check gets 60 s of CPU (it needs about
/// 3.5 s in a debug build, far less in release), counted by the kernel, so a loaded machine
/// does not trip it; the quadratic loader needs many minutes of CPU in a debug build.
#[test]
fn check_of_100000_scenarios_in_one_file_stays_far_inside_a_cpu_time_guard() {
    let mut text = String::new();
    for i in 0..100_000 {
        text.push_str(&format!(
            "[[scenario]]\nname = \"s{i}\"\ncandles = 1000\n\n"
        ));
    }
    let f = Fixture::new(&[("s/many.toml", &text)]);
    let mut cmd = std::process::Command::new("sh");
    cmd.args(["-c", "ulimit -t 60 && exec \"$0\" check s"])
        .arg(env!("CARGO_BIN_EXE_perfsuite"))
        .current_dir(f.root());
    let out = cmd.output().unwrap();
    assert!(
        out.status.code() == Some(0),
        "{:?} (killed by SIGXCPU = 60 s of CPU used up): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("100000 scenarios"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}
