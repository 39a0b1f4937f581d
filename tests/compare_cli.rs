//! `perfsuite compare`, `ab` and `run --baseline` from the user's side.
//!
//! Regressions are made by hand, not by slowing the engine: a measured result set is copied and
//! the copy's numbers edited as a `serde_json::Value`, so the verdict under test does not depend
//! on how busy the machine is. The live A/A check (five `ab` runs of this very binary against
//! itself) is `tests/a_a.rs`, a test binary of its own so that no sibling test loads the
//! machine while it measures.

mod common;

use common::{stderr, stdout, Workspace};
use serde_json::{json, Value};

/// The scenario every test here measures: small, with enough repeats for the rank test.
const SCENARIO: &str = "btc";

/// `<dir>/btc/bench.json`.
fn bench(dir: &str) -> String {
    format!("{dir}/{SCENARIO}/bench.json")
}

/// A workspace holding `base/`: one 20,000-candle scenario measured with 5 repeats.
fn measured_base() -> Workspace {
    let ws = Workspace::new();
    ws.tiny_scenario(SCENARIO, 20_000, "repeats = 5");
    ws.perfsuite(["run", "--quiet", "--out", "base"])
        .assert()
        .code(0);
    ws
}

/// Gives the throughput of `value` five samples within ±2% of its measured median, with their
/// statistics, as a quiet machine measures.
///
/// On a busy machine the five samples of one run can spread by a factor of two, and then a
/// quarter's slow-down is rightly `inconclusive`. Steadying the base first makes the verdict
/// under test depend on the comparison alone, not on what else the machine was doing.
fn steady(value: &mut Value) {
    let median = value["candles_per_sec"]["median"].as_f64().unwrap();
    let samples: Vec<f64> = [1.0, 0.98, 1.02, 0.99, 1.01]
        .iter()
        .map(|f| median * f)
        .collect();
    let mut sorted = samples.clone();
    sorted.sort_by(f64::total_cmp);
    let mean = samples.iter().sum::<f64>() / 5.0;
    let variance = samples.iter().map(|s| (s - mean).powi(2)).sum::<f64>() / 4.0;
    value["candles_per_sec"] = json!({
        "min": sorted[0],
        "median": sorted[2],
        // numpy's linear interpolation: rank 0.95 × 4 = 3.8
        "p95": sorted[3] + 0.8 * (sorted[4] - sorted[3]),
        "mean": mean,
        "stddev": variance.sqrt(),
        "samples": samples,
    });
}

/// Rewrites the bench.json at `rel` through `edit`.
fn edit(ws: &Workspace, rel: &str, edit: impl FnOnce(&mut Value)) {
    let mut value = ws.json(rel);
    edit(&mut value);
    ws.write(rel, serde_json::to_string_pretty(&value).unwrap());
}

/// Multiplies every throughput sample and statistic by `factor`.
fn scale_throughput(value: &mut Value, factor: f64) {
    let cps = &mut value["candles_per_sec"];
    for stat in ["min", "median", "p95", "mean", "stddev"] {
        cps[stat] = json!(cps[stat].as_f64().unwrap() * factor);
    }
    for sample in cps["samples"].as_array_mut().unwrap() {
        *sample = json!(sample.as_f64().unwrap() * factor);
    }
}

// ---------------------------------------------------------------------------------------------
// A/A: the same build against itself.
// ---------------------------------------------------------------------------------------------

/// `perfsuite ab --base <this very binary>` on the A/A scenario, into `out_dir`; returns the
/// exit code and the comparison it printed as JSON.
fn a_a(ws: &Workspace, out_dir: &str, strict: bool) -> (Option<i32>, Value) {
    let mut cmd = ws.perfsuite([
        "ab",
        "--base",
        env!("CARGO_BIN_EXE_perfsuite"),
        "--out",
        out_dir,
        "--format",
        "json",
    ]);
    if strict {
        cmd.arg("--strict");
    }
    let output = cmd.output().unwrap();
    let comparison = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "{out_dir}: stdout is no comparison JSON ({e}); stderr: {}",
            stderr(&output)
        )
    });
    (output.status.code(), comparison)
}

fn a_a_workspace() -> Workspace {
    let ws = Workspace::new();
    ws.tiny_scenario("aa", 20_000, "repeats = 5");
    ws
}

#[test]
fn the_scenarios_of_one_ab_run_that_can_decide_share_the_false_alarm_rate() {
    let ws = Workspace::new();
    let auto = "repeats = \"auto\"\nmin_repeats = 9\nmax_repeats = 10";
    ws.tiny_scenario("btc", 5_000, auto)
        .tiny_scenario("eth", 5_000, auto)
        .tiny_scenario("once", 5_000, "repeats = 1");
    let (_, comparison) = a_a(&ws, "ab", false);
    // `once` can call nothing with one round, so btc and eth share 0.01.
    assert_eq!(comparison["deciding"], 2, "{comparison:#}");
    for name in ["btc", "eth"] {
        let bench = ws.json(&format!("ab/head/{name}/bench.json"));
        assert_eq!(bench["sampling"]["sequential"]["alpha"], 0.005, "{bench:#}");
    }
}

#[test]
fn an_a_a_run_measures_both_sides_and_finds_the_same_backtest() {
    let ws = a_a_workspace();
    let (code, comparison) = a_a(&ws, "ab", false);
    assert_eq!(code, Some(0), "without --strict: {comparison:#}");
    let scenarios = comparison["scenarios"].as_array().unwrap();
    assert_eq!(scenarios.len(), 1, "{comparison:#}");
    assert_eq!(scenarios[0]["scenario"], "aa");
    assert_eq!(scenarios[0]["config_changed"], Value::Null);
    assert_eq!(
        scenarios[0]["behaviour_changed"],
        Value::Null,
        "the same build gave other results"
    );
    assert_eq!(
        scenarios[0]["environment"],
        json!([]),
        "same machine and build"
    );
    let fingerprint = |side: &str| {
        let b = ws.json(&format!("ab/{side}/aa/bench.json"));
        assert_eq!(
            b["candles_per_sec"]["samples"].as_array().unwrap().len(),
            5,
            "{side} holds one sample per repeat"
        );
        assert_eq!(b["repeats"], 5);
        b["fingerprint"].clone()
    };
    assert_eq!(fingerprint("base"), fingerprint("head"));
    assert!(ws.exists("ab/base/summary.json") && ws.exists("ab/head/summary.json"));
}

// ---------------------------------------------------------------------------------------------
// A/B: a measured result set against an edited copy.
// ---------------------------------------------------------------------------------------------

#[test]
fn a_copy_a_quarter_slower_is_a_regression_past_fail_and_strict_exits_1() {
    let ws = measured_base();
    edit(&ws, &bench("base"), steady);
    ws.copy_dir("base", "slow");
    edit(&ws, &bench("slow"), |v| scale_throughput(v, 0.75));

    let out = ws
        .perfsuite(["compare", "base", "slow", "--strict"])
        .assert()
        .code(1);
    let table = stdout(out.get_output());
    assert!(table.contains("1 regression (1 past fail)"), "{table}");
    assert!(table.contains("-25.0%"), "{table}");
    assert!(table.contains("regressed-fail"), "{table}");

    let out = ws
        .perfsuite(["compare", "base", "slow", "--format", "json"])
        .assert()
        .code(0);
    let comparison: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(comparison["scenarios"][0]["outcome"], "regressed-fail");
    assert_eq!(comparison["strict_failure"], true);
}

#[test]
fn a_changed_fingerprint_is_a_behaviour_change_and_strict_exits_1_at_the_same_speed() {
    let ws = measured_base();
    ws.copy_dir("base", "changed");
    edit(&ws, &bench("changed"), |v| {
        v["fingerprint"]["digest"] = json!("00000000deadbeef");
    });

    let out = ws
        .perfsuite(["compare", "base", "changed", "--strict"])
        .assert()
        .code(1);
    let table = stdout(out.get_output());
    assert!(table.to_lowercase().contains("results differ"), "{table}");
    assert!(table.contains("00000000deadbeef"), "{table}");
    assert!(table.contains("1 behaviour change"), "{table}");
    assert!(
        !table.contains("regressed"),
        "the speed is the same:\n{table}"
    );

    ws.perfsuite(["compare", "base", "changed"])
        .assert()
        .code(0);
}

#[test]
fn a_changed_config_digest_is_not_the_same_work_and_is_not_compared() {
    let ws = measured_base();
    ws.copy_dir("base", "other");
    edit(&ws, &bench("other"), |v| {
        v["config_digest"] = json!("0123456789abcdef");
        scale_throughput(v, 0.5);
    });

    let out = ws.perfsuite(["compare", "base", "other"]).assert().code(0);
    let table = stdout(out.get_output());
    assert!(table.contains("not the same work"), "{table}");
    assert!(table.contains("1 not compared"), "{table}");
    assert!(
        !table.contains("regressed"),
        "other work is not judged for speed:\n{table}"
    );
}

#[test]
fn a_result_set_compared_with_itself_exits_0_under_strict() {
    let ws = measured_base();
    let out = ws
        .perfsuite(["compare", "base", "base", "--strict"])
        .assert()
        .code(0);
    let table = stdout(out.get_output());
    assert!(table.contains("1 unchanged"), "{table}");
    assert!(!table.contains("regressed"), "{table}");
}

// ---------------------------------------------------------------------------------------------
// run --baseline.
// ---------------------------------------------------------------------------------------------

#[test]
fn run_with_a_baseline_prints_the_comparison_after_the_table() {
    let ws = measured_base();
    let out = ws
        .perfsuite(["run", "--out", "head", "--baseline", "base"])
        .assert()
        .code(0);
    let text = stdout(out.get_output());
    let table_end = text
        .find("1 scenario: 1 pass")
        .unwrap_or_else(|| panic!("no summary table:\n{text}"));
    let comparison = text
        .find("base: base\nhead: head\n")
        .unwrap_or_else(|| panic!("no comparison:\n{text}"));
    assert!(table_end < comparison, "the table comes first:\n{text}");
    assert!(text[comparison..].contains("candles/s"), "{text}");
    assert!(ws.exists(&bench("head")));
}

#[test]
fn run_with_a_baseline_and_format_json_prints_one_json_document() {
    let ws = measured_base();
    let out = ws
        .perfsuite([
            "run",
            "--out",
            "head",
            "--baseline",
            "base",
            "--format",
            "json",
        ])
        .assert()
        .code(0);
    let parsed: Result<Value, _> = serde_json::from_slice(&out.get_output().stdout);
    assert!(
        parsed.is_ok(),
        "{:?}:\n{}",
        parsed.err(),
        stdout(out.get_output())
    );
}

#[test]
fn run_with_a_baseline_that_is_no_result_set_exits_2_before_running() {
    let ws = Workspace::new();
    ws.tiny_scenario(SCENARIO, 2000, "");
    let out = ws
        .perfsuite(["run", "--out", "head", "--baseline", "nowhere"])
        .assert()
        .code(2);
    assert!(stderr(out.get_output()).contains("nowhere"));
    assert!(!ws.exists("head"), "nothing ran");
}

// ---------------------------------------------------------------------------------------------
// Unreadable result sets.
// ---------------------------------------------------------------------------------------------

#[test]
fn comparing_a_truncated_bench_json_exits_2_naming_the_file() {
    let ws = measured_base();
    ws.copy_dir("base", "cut");
    let text = ws.read(&bench("cut"));
    ws.write(&bench("cut"), &text[..text.len() / 2]);

    let out = ws
        .perfsuite(["compare", "base", "cut", "--strict"])
        .assert()
        .code(2);
    let message = stderr(out.get_output());
    assert!(message.contains(&bench("cut")), "{message}");
    assert!(message.contains("truncated"), "{message}");
    assert_eq!(stdout(out.get_output()), "");
}

#[test]
fn comparing_a_folder_without_results_exits_2_naming_it() {
    let ws = measured_base();
    std::fs::create_dir(ws.join("empty")).unwrap();
    let out = ws.perfsuite(["compare", "base", "empty"]).assert().code(2);
    let message = stderr(out.get_output());
    assert!(message.contains("empty: not a result set"), "{message}");
    assert_eq!(stdout(out.get_output()), "");
}
