//! External engines (`engine.command`) end to end: the shipped example engine through `run`,
//! `compare` and `ab` with budgets, and every way a command can fail, each an error row (or exit
//! 2 for a command that does not exist), never a panic or a hang.

mod common;

use std::path::Path;

use common::{stderr, stdout, Workspace};

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/bench_backtester.py");

/// Whether python3 can run here; if not, says why the test is skipped.
fn python3() -> bool {
    let ok = std::process::Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("skipped: python3 is not installed, and the example engine is a Python script");
    }
    ok
}

/// A workspace with the example engine in `engine/` and one scenario running it from
/// `scenarios/` (so the script's path is relative to the scenario's folder), judged by a
/// `default` budget whose floor is `floor` candles/s.
fn example_workspace(floor: f64) -> Workspace {
    let ws = Workspace::new();
    ws.write(
        "engine/bench_backtester.py",
        std::fs::read(EXAMPLE).unwrap(),
    );
    ws.write(
        "scenarios/py.toml",
        "candles = 3000\nrepeats = 3\nwarmup = 0\n\
         [engine]\ncommand = [\"python3\", \"../engine/bench_backtester.py\"]\n",
    );
    ws.write(
        "budgets/default.toml",
        format!("[candles_per_sec]\nfloor = {floor}\n[peak_rss_mb]\nceiling = 4096\n"),
    );
    ws
}

#[test]
fn the_example_engine_runs_through_run_compare_and_ab_with_budgets() {
    if !python3() {
        return;
    }
    let ws = example_workspace(1.0);
    for out in ["first", "second"] {
        let run = ws
            .perfsuite(["run", "--out", out, "--strict"])
            .output()
            .unwrap();
        assert_eq!(
            run.status.code(),
            Some(0),
            "{}{}",
            stdout(&run),
            stderr(&run)
        );
    }
    assert_eq!(
        ws.summary_rows("first"),
        [("py".to_owned(), "pass".to_owned())]
    );
    let bench = ws.json("first/py/bench.json");
    assert_eq!(bench["external"]["command"][0], "python3");
    assert_eq!(bench["external"]["wall_s"].as_array().unwrap().len(), 3);
    assert_eq!(bench["candles"], 3000);
    assert_eq!(
        bench["candles_per_sec"]["samples"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    assert!(
        bench["peak_rss_mb"].as_f64().unwrap() > 1.0,
        "measured from the OS"
    );
    assert!(bench["fingerprint"]["digest"].is_string());
    assert_eq!(bench["budget"]["checks"][0]["verdict"], "pass");

    let compare = ws
        .perfsuite(["compare", "first", "second", "--format", "json", "--strict"])
        .output()
        .unwrap();
    assert_eq!(compare.status.code(), Some(0), "{}", stderr(&compare));
    let c: serde_json::Value = serde_json::from_slice(&compare.stdout).unwrap();
    let scenario = &c["scenarios"][0];
    assert!(scenario["config_changed"].is_null(), "{scenario}");
    assert!(scenario["behaviour_changed"].is_null(), "{scenario}");

    ws.copy_dir("engine", "base/engine");
    ws.copy_dir("scenarios", "base/scenarios");
    let ab = ws
        .perfsuite([
            "ab",
            "--base-dir",
            "base",
            "--out",
            "ab",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(ab.status.code(), Some(0), "{}{}", stdout(&ab), stderr(&ab));
    let base = ws.json("ab/base/py/bench.json");
    let head = ws.json("ab/head/py/bench.json");
    assert_eq!(base["config_digest"], head["config_digest"]);
    assert_eq!(
        base["candles_per_sec"]["samples"].as_array().unwrap().len(),
        3
    );

    let strict = example_workspace(1e12);
    let run = strict.perfsuite(["run", "--strict"]).output().unwrap();
    assert_eq!(
        run.status.code(),
        Some(1),
        "a floor no engine reaches fails"
    );
    assert_eq!(strict.summary_rows("perf-results")[0].1, "fail");
}

#[test]
fn ab_asks_for_the_base_checkout_of_an_external_engine() {
    let ws = Workspace::new();
    ws.write(
        "scenarios/x.toml",
        "candles = 10\n[engine]\ncommand = [\"sh\", \"-c\", \"true\"]\n",
    );
    let ab = ws.perfsuite(["ab", "--base", "/bin/sh"]).output().unwrap();
    assert_eq!(ab.status.code(), Some(2));
    assert!(
        stderr(&ab)
            .contains("scenario `x` runs an external engine (`sh -c true`): give --base-dir"),
        "{}",
        stderr(&ab)
    );
    let ab = ws
        .perfsuite(["ab", "--base-dir", "nowhere"])
        .output()
        .unwrap();
    assert_eq!(ab.status.code(), Some(2));
    assert!(
        stderr(&ab).contains("nowhere/scenarios, which is no folder"),
        "{}",
        stderr(&ab)
    );
}

/// A scenario named `name` whose engine is `sh -c script`.
fn shell_engine(ws: &Workspace, name: &str, script: &str, extra: &str) {
    let script = script.replace('\\', "\\\\").replace('"', "\\\"");
    ws.write(
        &format!("scenarios/{name}.toml"),
        format!(
            "candles = 100\nrepeats = 2\nwarmup = 0\n{extra}\n[engine]\ncommand = [\"sh\", \"-c\", \"{script}\"]\n"
        ),
    );
}

#[test]
fn a_command_that_fails_in_any_way_is_an_error_row_never_a_panic_or_a_hang() {
    let ws = Workspace::new();
    let cps = r#""candles_per_sec": {"min": 1, "median": 1, "p95": 1}"#;
    let cases = [
        (
            "crash",
            "kill -SEGV $$".to_owned(),
            "",
            "killed by signal 11 (SIGSEGV)",
        ),
        (
            "exit",
            "echo boom >&2; exit 4".to_owned(),
            "",
            "exited with code 4",
        ),
        (
            "hang",
            "sleep 600".to_owned(),
            "timeout_s = 2",
            "timed out after 2 s",
        ),
        (
            "garbage",
            "echo 'Traceback: nope'".to_owned(),
            "",
            "printed no valid JSON on stdout",
        ),
        (
            "nothing",
            "true".to_owned(),
            "",
            "printed nothing on stdout",
        ),
        (
            "newer",
            format!("echo '{{\"protocol\": 2, {cps}}}'"),
            "",
            "speaks protocol 2, newer than this perfsuite reads (1)",
        ),
        (
            "field",
            "echo '{\"candles_per_sec\": {\"min\": 1, \"p95\": 1}}'".to_owned(),
            "",
            "printed no `candles_per_sec.median`",
        ),
        ("ok", format!("echo '{{{cps}}}'"), "", ""),
    ];
    for (name, script, extra, _) in &cases {
        shell_engine(&ws, name, script, extra);
    }
    let run = ws.perfsuite(["run", "--format", "json"]).output().unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let summary = ws.json("perf-results/summary.json");
    for (name, _, _, reason) in cases {
        let row = summary["scenarios"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["scenario"] == name)
            .unwrap_or_else(|| panic!("no row for {name}"));
        if reason.is_empty() {
            assert_eq!(
                row["verdict"], "fail",
                "measured, and judged: 1 candle/s {row}"
            );
            continue;
        }
        assert_eq!(row["verdict"], "error", "{name}: {row}");
        let why = row["reasons"][0].as_str().unwrap();
        assert!(why.contains(reason), "{name}: {why}");
        if name != "hang" {
            assert!(
                why.contains("engine command `sh -c "),
                "{name} names the command: {why}"
            );
        }
        assert!(
            stderr(&run).contains(&format!("scenario `{name}` could not be measured")),
            "{name}"
        );
    }
    let strict = ws
        .perfsuite(["run", "--strict", "--filter", "nothing"])
        .output()
        .unwrap();
    assert_eq!(strict.status.code(), Some(3));
}

#[test]
fn a_command_that_does_not_exist_is_exit_2_before_anything_runs() {
    let ws = Workspace::new();
    ws.write(
        "scenarios/x.toml",
        "candles = 10\n[engine]\ncommand = [\"no-such-backtester-xyz\", \"--fast\"]\n",
    );
    let check = ws.perfsuite(["run"]).output().unwrap();
    assert_eq!(check.status.code(), Some(2));
    assert_eq!(
        stderr(&check).trim(),
        "error: scenarios/x.toml:3:12: `engine.command` cannot run: \
         `no-such-backtester-xyz` is not on PATH"
    );
    assert!(!ws.exists("perf-results/x"), "nothing ran");
    ws.write(
        "scenarios/x.toml",
        "candles = 10\n[engine]\ncommand = [\"./bench.sh\"]\n",
    );
    let check = ws.perfsuite(["check"]).output().unwrap();
    assert_eq!(check.status.code(), Some(2));
    assert!(
        stderr(&check)
            .contains("`./bench.sh` is no executable file (looked for scenarios/./bench.sh)"),
        "{}",
        stderr(&check)
    );
}

#[test]
fn settings_of_the_built_in_engine_beside_a_command_are_refused() {
    let ws = Workspace::new();
    ws.write(
        "scenarios/x.toml",
        "candles = 10\n[engine]\ncommand = [\"sh\"]\nbatch_size = 64\n",
    );
    let check = ws.perfsuite(["check"]).output().unwrap();
    assert_eq!(check.status.code(), Some(2));
    assert!(
        stderr(&check).contains(
            "scenarios/x.toml:4:14: `engine.batch_size` is a setting of the built-in engine"
        ),
        "{}",
        stderr(&check)
    );
    ws.write("scenarios/x.toml", "candles = 10\n[engine]\ncommand = []\n");
    let check = ws.perfsuite(["check"]).output().unwrap();
    assert!(
        stderr(&check).contains("`engine.command` must name a program"),
        "{}",
        stderr(&check)
    );
}

#[test]
fn the_shipped_example_scenarios_run() {
    if !python3() {
        return;
    }
    let ws = Workspace::new();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/external-engine.toml");
    let run = ws.perfsuite([Path::new("run"), &example]).output().unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let rows = ws.summary_rows("perf-results");
    assert_eq!(rows.len(), 2);
    // Measured and judged; whether the budget passes depends on the machine's load.
    assert!(rows.iter().all(|(_, v)| v != "error"), "{rows:?}");
    let data = ws.json("perf-results/python-sample-data/bench.json");
    assert_eq!(data["data"]["rows"], 4320);
    assert_eq!(data["candles"], 4320);
}

#[test]
fn the_engine_gets_every_value_as_one_key_equals_value_argument_so_a_dash_symbol_is_no_flag() {
    let ws = Workspace::new();
    let cps = r#""candles_per_sec": {"min": 1, "median": 1, "p95": 1}"#;
    // `sh -c SCRIPT` makes the first argument after the script `$0`.
    shell_engine(
        &ws,
        "dash",
        &format!(r#"printf '%s\n' "$0" "$@" > args.txt; echo '{{{cps}, "symbol": "-X"}}'"#),
        "seed = 5\nsymbol = \"-X\"",
    );
    let run = ws.perfsuite(["run", "--format", "json"]).output().unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    assert_eq!(ws.summary_rows("perf-results")[0].1, "fail", "measured");
    assert_eq!(
        ws.read("scenarios/args.txt"),
        "--candles=100\n--seed=5\n--repeats=1\n--symbol=-X\n"
    );
}

#[test]
fn the_example_engine_reads_a_symbol_that_starts_with_a_dash() {
    if !python3() {
        return;
    }
    let ws = example_workspace(1.0);
    ws.write(
        "scenarios/py.toml",
        "candles = 2000\nrepeats = 1\nwarmup = 0\nsymbol = \"-X\"\n\
         [engine]\ncommand = [\"python3\", \"../engine/bench_backtester.py\"]\n",
    );
    let run = ws.perfsuite(["run", "--strict"]).output().unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let bench = ws.json("perf-results/py/bench.json");
    assert_eq!(bench["symbol"], "-X");
}
