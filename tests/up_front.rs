//! Up-front validation: what can be checked before the first measurement is checked then, with
//! exit 2 and one line naming the culprit, and nothing is measured or written.

mod common;

use common::{tiny, Fixture};
use perfsuite::commands::bench::MEMORY_LIMIT_VAR;

fn one_scenario() -> Fixture {
    Fixture::new(&[("s/a.toml", &tiny("a", "BTCUSDT", ""))])
}

#[test]
fn a_bad_memory_limit_is_exit_2_before_anything_runs_naming_the_variable_and_the_value() {
    let f = one_scenario();
    let exe = env!("CARGO_BIN_EXE_perfsuite");
    for command in [
        &["run", "s", "--out", "out"][..],
        &["ab", "--base", exe, "s", "--out", "out"],
        &["calibrate", "s", "--rounds", "5"],
        &["bench", "--candles", "1000"],
    ] {
        let outcome = common::finish(
            f.perfsuite(command)
                .env(MEMORY_LIMIT_VAR, "lots\n")
                .spawn()
                .unwrap(),
        );
        assert_eq!(outcome.code(), 2, "{command:?}: {}", outcome.stderr);
        assert_eq!(
            outcome.stderr,
            format!("error: {MEMORY_LIMIT_VAR} must be a whole number of MiB, got `lots\\n`\n"),
            "{command:?}"
        );
        assert!(!f.path("out").exists(), "{command:?}: nothing is written");
    }
}

#[test]
fn ab_refuses_a_base_that_is_not_a_perfsuite_build_before_measuring_naming_it() {
    let f = one_scenario();
    f.write_script("silent.sh", "exit 0");
    f.write_script("chatty.sh", "echo '{\"hello\": 1}'");
    for base in ["/bin/true", "./silent.sh", "./chatty.sh"] {
        let outcome = f.run(&["ab", "--base", base, "s", "--out", "out"]);
        assert_eq!(outcome.code(), 2, "{base}: {}", outcome.stderr);
        assert!(
            outcome.stderr.starts_with(&format!(
                "error: --base {base}: not a perfsuite build that speaks the `bench` protocol"
            )),
            "{base}: {}",
            outcome.stderr
        );
        assert_eq!(outcome.stderr.lines().count(), 1, "{}", outcome.stderr);
        assert!(
            !f.path("out/base").exists() && !f.path("out/head").exists(),
            "{base}: nothing is measured or written"
        );
    }
}

#[test]
fn ab_base_without_a_folder_is_the_file_in_the_current_folder_never_one_on_path() {
    let f = one_scenario();
    let exe = std::path::Path::new(env!("CARGO_BIN_EXE_perfsuite"));
    let path = format!(
        "{}:{}",
        exe.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    // A `perfsuite` in the current folder that is not perfsuite is the one probed, not the
    // perfsuite on PATH (the code before the fix checked `./perfsuite` and ran PATH's).
    f.write_script("perfsuite", "exit 0");
    let outcome = common::finish(
        f.perfsuite(&["ab", "--base", "perfsuite", "s", "--out", "out"])
            .env("PATH", &path)
            .spawn()
            .unwrap(),
    );
    assert_eq!(outcome.code(), 2, "{}", outcome.stderr);
    assert!(
        outcome
            .stderr
            .starts_with("error: --base perfsuite: not a perfsuite build"),
        "{}",
        outcome.stderr
    );
    // `perfsuite` is on PATH, but not in the current folder.
    std::fs::remove_file(f.path("perfsuite")).unwrap();
    let outcome = common::finish(
        f.perfsuite(&["ab", "--base", "perfsuite", "s", "--out", "out"])
            .env("PATH", &path)
            .spawn()
            .unwrap(),
    );
    assert_eq!(outcome.code(), 2, "{}", outcome.stderr);
    assert_eq!(
        outcome.stderr,
        "error: --base perfsuite: no such file in the current folder (--base is a path, never \
         looked up on PATH)\n"
    );
}

#[test]
fn the_memory_check_reads_the_address_space_limit_of_ulimit_v() {
    let f = one_scenario();
    // 512 MiB of address space; 100 million candles need far more.
    let outcome = common::finish(
        std::process::Command::new("sh")
            .args([
                "-c",
                "ulimit -v 524288 && exec \"$0\" bench --candles 100000000 --repeats 1 --warmup 0",
                env!("CARGO_BIN_EXE_perfsuite"),
            ])
            .current_dir(f.path(""))
            .env_remove(MEMORY_LIMIT_VAR)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap(),
    );
    assert_eq!(outcome.code(), 3, "{}", outcome.stderr);
    assert!(
        outcome.stderr.contains("is available (ulimit -v)"),
        "{}",
        outcome.stderr
    );
}
