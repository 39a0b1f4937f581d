//! Tables and colour as a person sees them: laid out for the terminal's width (`COLUMNS` here,
//! as a terminal would report it), never breaking a word, verdicts coloured with `--color
//! always` and plain under `NO_COLOR`.
//!
//! The numbers in the compared results are pinned by hand after one real run, so the snapshots
//! hold no live timing.

mod common;

use common::{stdout, Workspace};
use serde_json::json;

/// A workspace with `base/` and `slow/`: two scenarios measured once, then given fixed numbers;
/// `slow/` is a quarter slower on `btc` and unchanged on `runbook-default`.
fn pinned_results() -> Workspace {
    let ws = Workspace::new();
    ws.tiny_scenario("btc", 2_000, "repeats = 7");
    ws.tiny_scenario("runbook-default", 2_000, "repeats = 7");
    ws.perfsuite(["run", "--quiet", "--out", "base"])
        .assert()
        .code(0);
    ws.copy_dir("base", "slow");
    for (dir, btc_speed) in [("base", 1.0), ("slow", 0.75)] {
        for (scenario, speed) in [("btc", btc_speed), ("runbook-default", 1.0)] {
            pin(&ws, &format!("{dir}/{scenario}/bench.json"), speed);
        }
    }
    ws
}

/// Gives the bench.json at `rel` fixed throughput samples (times `speed`), latency and memory:
/// seven a side, enough to call a change at 0.01 / 2, each scenario's share of the false-alarm
/// rate.
fn pin(ws: &Workspace, rel: &str, speed: f64) {
    let samples: Vec<f64> = [1.0, 0.99, 1.01, 0.995, 1.005, 0.998, 1.002]
        .iter()
        .map(|f| 1_000_000.0 * speed * f)
        .collect();
    let mut sorted = samples.clone();
    sorted.sort_by(f64::total_cmp);
    let mut value = ws.json(rel);
    value["candles_per_sec"] = json!({
        "min": sorted[0], "median": sorted[3], "p95": sorted[6], "mean": sorted[3],
        "stddev": 0.0, "samples": samples,
    });
    value["p95_stage_latency_ms"] = json!(0.25);
    value["peak_rss_mb"] = json!(24.0);
    ws.write(rel, serde_json::to_string_pretty(&value).unwrap());
}

/// `perfsuite ARGS` with `COLUMNS` and extra environment; its stdout.
fn shown(ws: &Workspace, args: &[&str], columns: u16, env: &[(&str, &str)]) -> String {
    let mut cmd = ws.perfsuite(args);
    cmd.env("COLUMNS", columns.to_string());
    for (key, value) in env {
        cmd.env(key, value);
    }
    stdout(cmd.assert().get_output())
}

/// Every word of `expected` appears whole in `text`, none split over two lines.
fn assert_words_whole(text: &str, expected: &[&str]) {
    let words: Vec<&str> = text.split_whitespace().collect();
    for word in expected {
        assert!(words.contains(word), "`{word}` is broken in:\n{text}");
    }
}

#[test]
fn the_comparison_at_80_columns_breaks_no_word() {
    let ws = pinned_results();
    let text = shown(&ws, &["compare", "base", "slow"], 80, &[("NO_COLOR", "1")]);
    assert_words_whole(&text, &["regressed-fail", "runbook-default", "unchanged"]);
    assert!(text.lines().all(|l| l.chars().count() <= 80), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn the_comparison_at_200_columns_is_as_wide_as_its_content() {
    let ws = pinned_results();
    let text = shown(&ws, &["compare", "base", "slow"], 200, &[("NO_COLOR", "1")]);
    assert_words_whole(&text, &["regressed-fail", "runbook-default"]);
    let widest = text.lines().map(|l| l.chars().count()).max().unwrap();
    assert!(
        widest < 100,
        "a table is as wide as its content, not the terminal:\n{text}"
    );
    insta::assert_snapshot!(text);
}

#[test]
fn the_scenario_list_at_80_and_200_columns_breaks_no_word() {
    let ws = pinned_results();
    for columns in [80, 200] {
        let text = shown(&ws, &["list"], columns, &[]);
        assert_words_whole(&text, &["runbook-default", "default"]);
        insta::assert_snapshot!(format!("list_at_{columns}_columns"), text);
    }
}

#[test]
fn verdicts_are_coloured_with_color_always_and_plain_under_no_color() {
    let ws = pinned_results();
    let compare = ["compare", "base", "slow"];
    let coloured = shown(
        &ws,
        &[&compare[..], &["--color", "always"]].concat(),
        100,
        &[],
    );
    assert!(
        coloured.contains("\u{1b}[38;5;9mregressed-fail\u{1b}[39m"),
        "{coloured:?}"
    );
    let forced = shown(
        &ws,
        &[&compare[..], &["--color", "always"]].concat(),
        100,
        &[("NO_COLOR", "1")],
    );
    assert!(
        forced.contains("\u{1b}["),
        "--color always wins over NO_COLOR"
    );
    for (args, env) in [
        (&compare[..], &[("NO_COLOR", "1")][..]),
        (&compare[..], &[][..]),
        (&[&compare[..], &["--color", "never"]].concat()[..], &[][..]),
    ] {
        let plain = shown(&ws, args, 100, env);
        assert!(!plain.contains('\u{1b}'), "{args:?} {env:?}: {plain:?}");
        assert!(plain.contains("regressed-fail"), "{plain}");
    }
}

#[test]
fn the_run_table_names_each_scenarios_judged_statistic_in_its_row() {
    let ws = Workspace::new();
    ws.tiny_scenario("btc", 2_000, "");
    ws.tiny_scenario("eth", 2_000, "budget = \"by-median\"");
    ws.write(
        "budgets/default.toml",
        "[candles_per_sec]\nstat = \"min\"\nfloor = 1\n",
    );
    ws.write(
        "budgets/by-median.toml",
        "[candles_per_sec]\nstat = \"median\"\nfloor = 1\n",
    );
    let text = shown(&ws, &["run", "--out", "out"], 120, &[]);
    let header = text.lines().nth(1).unwrap();
    assert!(
        header.contains("judged") && !header.contains("min"),
        "{text}"
    );
    let row = |name: &str| {
        text.lines()
            .find(|l| l.starts_with(name))
            .unwrap()
            .to_owned()
    };
    assert!(row("btc ").contains(" min "), "{text}");
    assert!(row("eth ").contains(" median "), "{text}");
    assert_words_whole(&text, &["candles/s", "pass"]);
}
