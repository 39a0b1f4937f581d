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
