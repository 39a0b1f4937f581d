//! Child processes that misbehave, from the user's side: `ab --base` with a wrapper script that
//! does not `exec`, that leaves a background process holding stdout, that hangs, or that floods
//! its output. perfsuite must end on time, leave no process behind, and keep its memory bounded.

mod common;

use std::time::{Duration, Instant};

use common::{child_with, children_of, is_running, signal, tiny, wait_until, Fixture};

/// A wrapper around this perfsuite that does not `exec` it, leaves `sleep 300` running in the
/// background holding stdout and stderr, and writes the sleep's pid to `sleepers`. For the
/// symbols `FLOOD` and `HANG` it floods stdout or hangs instead of measuring.
fn sloppy_wrapper(f: &Fixture) -> String {
    let body = format!(
        "sleep 300 &\n\
         echo $! >> '{sleepers}'\n\
         case \"$*\" in\n\
           *FLOOD*) yes; exit 0 ;;\n\
           *HANG*) sleep 300; exit 0 ;;\n\
         esac\n\
         '{exe}' \"$@\"",
        sleepers = f.path("sleepers").display(),
        exe = env!("CARGO_BIN_EXE_perfsuite"),
    );
    f.write_script("base.sh", &body)
}

/// The pids of every background sleep the wrapper started.
fn sleepers(f: &Fixture) -> Vec<u32> {
    std::fs::read_to_string(f.path("sleepers"))
        .unwrap_or_default()
        .lines()
        .map(|l| l.trim().parse().unwrap())
        .collect()
}

fn assert_no_sleeper_left(f: &Fixture) {
    for pid in sleepers(f) {
        wait_until(&format!("the background sleep {pid} to die"), || {
            !is_running(pid)
        });
    }
}

#[test]
fn a_base_wrapper_that_does_not_exec_and_leaves_a_process_holding_stdout_neither_hangs_nor_leaves_it(
) {
    let f = Fixture::new(&[("s/a.toml", &tiny("a", "BTCUSDT", ""))]);
    let base = sloppy_wrapper(&f);
    let started = Instant::now();
    let outcome = f.run(&["ab", "--base", &base, "s", "--out", "out", "-q"]);
    assert_eq!(outcome.code(), 0, "{}", outcome.stderr);
    assert!(
        started.elapsed() < Duration::from_secs(40),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(f.json("out/base/a/bench.json")["scenario"], "a");
    assert!(!sleepers(&f).is_empty());
    assert_no_sleeper_left(&f);
}

#[test]
fn a_base_that_hangs_is_killed_with_its_group_at_the_time_limit() {
    let f = Fixture::new(&[("s/a.toml", &tiny("a", "HANG", "timeout_s = 0.5\n"))]);
    let base = sloppy_wrapper(&f);
    let started = Instant::now();
    let outcome = f.run(&["ab", "--base", &base, "s", "--out", "out", "-q"]);
    assert_eq!(outcome.code(), 0, "{}", outcome.stderr);
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "took {:?}",
        started.elapsed()
    );
    assert!(
        outcome.stderr.contains("timed out after 0.5 s"),
        "{}",
        outcome.stderr
    );
    assert_no_sleeper_left(&f);
}

#[test]
fn a_base_that_floods_stdout_is_stopped_at_the_cap() {
    let f = Fixture::new(&[("s/a.toml", &tiny("a", "FLOOD", ""))]);
    let base = sloppy_wrapper(&f);
    let outcome = f.run(&["ab", "--base", &base, "s", "--out", "out", "-q"]);
    assert_eq!(outcome.code(), 0, "{}", outcome.stderr);
    assert!(
        outcome
            .stderr
            .contains("printed more than 64 MiB on stdout"),
        "{}",
        outcome.stderr
    );
    assert_no_sleeper_left(&f);
}

#[test]
fn sigterm_and_sighup_stop_ab_and_its_hanging_base_with_its_whole_group() {
    for sig in [libc::SIGTERM, libc::SIGHUP] {
        let f = Fixture::new(&[("s/a.toml", &tiny("a", "HANG", ""))]);
        let base = sloppy_wrapper(&f);
        let ab = f
            .perfsuite(&["ab", "--base", &base, "s", "--out", "out", "-q"])
            .spawn()
            .unwrap();
        let wrapper = child_with(ab.id(), "HANG");
        wait_until("the wrapper to start its hang", || {
            children_of(wrapper).len() >= 2
        });
        signal(ab.id().into(), sig);
        let outcome = common::finish(ab);
        assert_eq!(
            outcome.status.code(),
            Some(130),
            "{sig}: {}",
            outcome.stderr
        );
        assert!(!is_running(wrapper), "{sig}: the wrapper is left over");
        assert_no_sleeper_left(&f);
        assert!(
            !f.path("out/.perfsuite.lock").exists(),
            "{sig}: the lock is left behind"
        );
    }
}
