//! Instruction counts end to end: a scenario that asks for them under valgrind's callgrind, the
//! bench.json that records them, budgets and compare on them, and what happens without
//! valgrind.

mod common;

use common::schema::Instructions;
use common::{stderr, stdout, Workspace};

/// Whether valgrind can run here; the tests that count need it (`.ci/run` installs it).
fn valgrind_present() -> bool {
    let found = std::process::Command::new("valgrind")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        eprintln!("valgrind is not installed: skipping a test that counts instructions");
    }
    found
}

/// A workspace with one small scenario that counts instructions, and a budget on them.
fn counting_workspace(extra: &str) -> Workspace {
    let ws = Workspace::new();
    ws.tiny_scenario(
        "counted",
        5_000,
        &format!("repeats = 1\nmeasure = [\"wall\", \"instructions\"]\n{extra}"),
    )
    .write(
        "budgets/default.toml",
        "[instructions_per_candle]\nceiling = 1000000\nwarn = 900000\n",
    );
    ws
}

fn instructions(ws: &Workspace, bench: &str) -> (Option<Instructions>, Option<f64>) {
    let b = ws.json(bench);
    (
        serde_json::from_value(b["instructions"].clone()).unwrap(),
        b["instructions_per_candle"].as_f64(),
    )
}

/// `perfsuite ARGS` with a PATH that holds no valgrind (nor anything else): perfsuite starts
/// its own children by absolute path.
fn without_valgrind(ws: &Workspace, args: &[&str]) -> std::process::Output {
    std::fs::create_dir_all(ws.join("empty-path")).unwrap();
    ws.perfsuite(args)
        .env("PATH", ws.join("empty-path"))
        .output()
        .unwrap()
}

#[test]
fn a_missing_valgrind_says_how_to_install_it_in_one_line_and_the_check_skips() {
    let ws = counting_workspace("");
    let out = without_valgrind(&ws, &["run", "--format", "json"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let hints: Vec<&str> = err.lines().filter(|l| l.contains("valgrind")).collect();
    assert_eq!(hints.len(), 1, "{err}");
    assert!(hints[0].contains("apt-get install valgrind"), "{err}");
    assert_eq!(
        instructions(&ws, "perf-results/counted/bench.json"),
        (None, None)
    );
    let bench = ws.json("perf-results/counted/bench.json");
    let check = bench["budget"]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["metric"] == "instructions_per_candle")
        .unwrap()
        .clone();
    assert_eq!(
        (check["value"].clone(), check["verdict"].clone()),
        (serde_json::Value::Null, "skip".into())
    );
    assert!(bench["environment"]["valgrind"].is_null());
    assert!(stdout(&out).contains("instructions_per_candle not measured"));

    let strict = without_valgrind(&ws, &["run", "--strict", "-q"]);
    assert_eq!(strict.status.code(), Some(3), "{}", stderr(&strict));
}

#[test]
fn a_scenario_that_asks_gets_every_counted_run_recorded_and_judged() {
    if !valgrind_present() {
        return;
    }
    let ws = counting_workspace("instruction_repeats = 2\n");
    let out = ws.perfsuite(["run", "-q"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let (counts, per_candle) = instructions(&ws, "perf-results/counted/bench.json");
    let counts = counts.expect("instructions were counted");
    assert_eq!(counts.samples.len(), 2, "one sample per counted run");
    assert_eq!(
        counts.samples[0], counts.samples[1],
        "counts of the same work are exact"
    );
    assert_eq!(counts.per_run, counts.samples[0]);
    assert_eq!(per_candle, Some(counts.per_run as f64 / 5_000.0));
    let bench = ws.json("perf-results/counted/bench.json");
    assert!(bench["environment"]["valgrind"]
        .as_str()
        .is_some_and(|v| v.starts_with("valgrind-")));
    let check = &bench["budget"]["checks"][3];
    assert_eq!(check["metric"], "instructions_per_candle");
    assert_eq!(check["value"].as_f64(), per_candle);
    assert_eq!(check["verdict"], "pass");
    // The wall-time figures are the native run's, never the valgrind child's.
    assert_eq!(
        bench["candles_per_sec"]["samples"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert!(!bench["stages"].as_object().unwrap().is_empty());
}

/// Copies `from` to `to`, with the instruction samples of its one scenario replaced.
fn with_samples(ws: &Workspace, from: &str, to: &str, samples: &[u64]) {
    ws.copy_dir(from, to);
    let path = format!("{to}/counted/bench.json");
    let mut bench = ws.json(&path);
    let mut sorted = samples.to_vec();
    sorted.sort_unstable();
    bench["instructions"] = serde_json::json!({
        "per_run": sorted[(sorted.len() - 1) / 2],
        "samples": samples,
    });
    ws.write(&path, serde_json::to_string_pretty(&bench).unwrap());
}

#[test]
fn instruction_samples_round_trip_through_compare() {
    if !valgrind_present() {
        return;
    }
    let ws = counting_workspace("");
    let out = ws
        .perfsuite(["run", "-q", "--out", "base"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let (counts, _) = instructions(&ws, "base/counted/bench.json");
    let n = counts.unwrap().per_run;

    let same = ws
        .perfsuite(["compare", "base", "base", "--format", "json"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_str(&stdout(&same)).unwrap();
    let metric = json["scenarios"][0]["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["metric"] == "instructions")
        .expect("the instruction metric is compared")
        .clone();
    assert_eq!(metric["base"].as_f64(), Some(n as f64));
    assert_eq!(metric["verdict"], "unchanged");
    assert_eq!(metric["noise"]["method"], "exact");

    // One percent more instructions: called at once, with no noise test.
    with_samples(&ws, "base", "heavier", &[n + n / 100, n + n / 100]);
    let heavier = ws
        .perfsuite(["compare", "base", "heavier"])
        .output()
        .unwrap();
    let table = stdout(&heavier);
    let row = table
        .lines()
        .find(|l| l.contains("instructions"))
        .unwrap_or_else(|| panic!("{table}"));
    assert!(
        row.contains("+1.0%") && row.contains("regressed-warn"),
        "{table}"
    );

    // Samples that disagree are a finding of their own, never averaged into a verdict.
    with_samples(&ws, "base", "flaky", &[n, n + 7, n]);
    let flaky = ws
        .perfsuite(["compare", "base", "flaky", "--format", "markdown"])
        .output()
        .unwrap();
    let md = stdout(&flaky);
    assert!(
        md.contains("Instruction counts differ between runs of the same build")
            && md.contains("`counted` (on head)"),
        "{md}"
    );
    assert!(md.contains("| instructions |"), "{md}");
}

/// The deliberately heavier engine (`PERFSUITE_EXTRA_WORK`), the suite's own test subject:
/// the same backtest, so the same fingerprint, with more instructions; a value that is not a
/// number is refused before anything runs.
#[test]
fn extra_work_adds_instructions_and_keeps_the_fingerprint() {
    if !valgrind_present() {
        return;
    }
    let ws = counting_workspace("");
    let counted = |extra: Option<&str>| {
        let mut cmd = ws.perfsuite(["run", "-q", "--out", "out"]);
        match extra {
            Some(n) => cmd.env("PERFSUITE_EXTRA_WORK", n),
            None => cmd.env_remove("PERFSUITE_EXTRA_WORK"),
        };
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let bench = ws.json("out/counted/bench.json");
        let (counts, _) = instructions(&ws, "out/counted/bench.json");
        (
            counts.expect("counted").per_run,
            bench["fingerprint"].clone(),
        )
    };
    let (plain, fingerprint) = counted(None);
    let (heavier, heavier_fingerprint) = counted(Some("4096"));
    assert_eq!(heavier_fingerprint, fingerprint);
    // 4,096 per 1,024 candles: 4 iterations a candle, each a multiply-add and a loop step.
    assert!(
        heavier >= plain + 4 * 5_000 * 2,
        "{plain} plain against {heavier} with extra work"
    );
    let out = ws
        .perfsuite(["run", "-q"])
        .env("PERFSUITE_EXTRA_WORK", "lots")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("PERFSUITE_EXTRA_WORK must be a whole number, got \"lots\""),
        "{}",
        stderr(&out)
    );
    assert!(!ws.exists("perf-results"));
}
