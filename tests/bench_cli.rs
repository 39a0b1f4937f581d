//! `perfsuite bench` from the user's side: the JSON is read into this file's own structs, which
//! reject unknown fields, so a renamed or added key breaks this test before it breaks a `jq`
//! recipe.

use std::collections::BTreeMap;

mod common;

use assert_cmd::Command;
use common::schema::{Distribution, Environment, Fingerprint, Instructions, Phases, Stage};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // fields are read by deserialization: their presence is the assertion
struct Bench {
    schema_version: u32,
    candles: u64,
    repeats: u32,
    warmup: u32,
    seed: u64,
    symbol: String,
    candles_per_sec: Distribution,
    p95_stage_latency_ms: Option<f64>,
    stages: BTreeMap<String, Stage>,
    peak_rss_mb: Option<f64>,
    peak_rss_mb_max: Option<f64>,
    instructions: Option<Instructions>,
    instructions_per_candle: Option<f64>,
    fingerprint: Fingerprint,
    engine: serde_json::Map<String, serde_json::Value>,
    environment: Environment,
    started_at: String,
    duration_s: f64,
    phases: Phases,
}

/// `perfsuite bench ARGS`, run to its end.
fn run_bench(args: &[&str]) -> std::process::Output {
    Command::cargo_bin("perfsuite")
        .unwrap()
        .arg("bench")
        .args(args)
        .output()
        .unwrap()
}

fn bench(args: &[&str]) -> Bench {
    let out = run_bench(args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "bench writes nothing on stderr without --progress"
    );
    serde_json::from_slice(&out.stdout)
        .expect("bench prints one JSON object with the documented keys")
}

#[test]
fn bench_prints_the_runbook_keys_and_the_richer_fields() {
    let b = bench(&[
        "--candles",
        "5000",
        "--seed",
        "1337",
        "--repeats",
        "3",
        "--symbol",
        "BTCUSDT",
    ]);
    assert_eq!(
        (b.candles, b.repeats, b.warmup, b.seed, b.symbol.as_str()),
        (5000, 3, 1, 1337, "BTCUSDT")
    );
    assert_eq!(b.schema_version, perfsuite::results::SCHEMA_VERSION);
    let d = &b.candles_per_sec;
    assert_eq!(d.samples.len(), 3);
    assert!(
        d.min > 0.0 && d.min <= d.median && d.median <= d.p95 && d.min <= d.mean && d.stddev >= 0.0
    );
    let names: Vec<&str> = b.stages.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        ["execution", "indicators", "ingest", "portfolio", "signal"]
    );
    let worst = b.stages.values().map(|s| s.p95_ms).fold(0.0, f64::max);
    assert_eq!(b.p95_stage_latency_ms, Some(worst));
    assert!(b
        .stages
        .values()
        .all(|s| s.p50_ms <= s.p95_ms && s.p95_ms <= s.max_ms && s.max_ms <= s.total_ms));
    assert!(b.peak_rss_mb.is_some_and(|mb| mb > 0.0));
    assert_eq!(b.fingerprint.digest.len(), 16);
    assert_eq!(b.engine["batch_size"], 4096);
    assert!(["debug", "release"].contains(&b.environment.build_profile.as_str()));
    assert!(b.environment.cores >= 1);
    assert!(b.started_at.ends_with('Z'));
    assert!(b.duration_s >= b.phases.generation_s + b.phases.warmup_s + b.phases.measured_s);
}

#[test]
fn same_inputs_give_the_same_fingerprint_and_other_inputs_another() {
    let args = ["--candles", "20000", "--repeats", "1", "--warmup", "0"];
    let first = bench(&args).fingerprint;
    assert_eq!(first, bench(&args).fingerprint);
    let other_seed = bench(&[&args[..], &["--seed", "1"]].concat()).fingerprint;
    let other_symbol = bench(&[&args[..], &["--symbol", "ETHUSDT"]].concat()).fingerprint;
    assert_ne!(first.digest, other_seed.digest);
    assert_ne!(first.digest, other_symbol.digest);
}

#[test]
fn engine_settings_apply_and_batch_size_leaves_results_alone() {
    let args = ["--candles", "20000", "--repeats", "1"];
    let base = bench(&args).fingerprint;
    let batched = bench(&[&args[..], &["--engine-json", r#"{"batch_size": 7}"#]].concat());
    assert_eq!(base, batched.fingerprint);
    assert_eq!(batched.engine["batch_size"], 7);
    let costly = bench(&[&args[..], &["--engine-json", r#"{"commission_bps": 10}"#]].concat());
    assert_ne!(base.digest, costly.fingerprint.digest);
}

#[test]
fn invalid_arguments_are_named_in_an_error_and_exit_2() {
    for (args, named) in [
        (&["--candles", "0"][..], "--candles"),
        (&["--repeats", "0"], "--repeats"),
        (&["--candles", "ten"], "--candles"),
        (&["--seed", "-1"], "-1"),
        (&["--engine-json", r#"{"batch_sise": 7}"#], "batch_sise"),
        (&["--engine-json", r#"{"ema_fast": 40}"#], "ema_fast"),
    ] {
        let out = run_bench(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.starts_with("error: "), "{stderr}");
        assert!(
            stderr.lines().next().unwrap().contains(named),
            "{args:?}: {stderr}"
        );
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn a_missing_argument_is_named_with_clap_s_usage_line() {
    let out = Command::cargo_bin("perfsuite")
        .unwrap()
        .args(["compare", "only-base"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("<HEAD>"), "{stderr}");
    assert!(
        stderr.contains("Usage: perfsuite compare <BASE> <HEAD>"),
        "{stderr}"
    );
}

#[test]
fn perfsuite_alone_prints_the_command_list_and_exits_2() {
    let out = Command::cargo_bin("perfsuite").unwrap().output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8_lossy(&out.stderr);
    for command in ["run", "compare", "check", "completions"] {
        assert!(text.contains(&format!("\n  {command} ")), "{text}");
    }
    assert!(text.contains("Exit codes:"), "{text}");
}

#[test]
fn internal_flags_stay_out_of_the_help() {
    let out = Command::cargo_bin("perfsuite")
        .unwrap()
        .args(["bench", "--help"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("--candles"), "{help}");
    assert!(
        !help.contains("--progress") && !help.contains("--engine-json"),
        "{help}"
    );
}

#[test]
fn completions_for_bash_and_a_man_page_come_from_the_command_line_definition() {
    let run = |args: &[&str]| {
        let out = Command::cargo_bin("perfsuite")
            .unwrap()
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    let bash = run(&["completions", "bash"]);
    assert!(
        bash.contains("_perfsuite()") && bash.contains("--baseline"),
        "{bash}"
    );
    let man = run(&["completions", "--man"]);
    assert!(
        man.contains(".TH perfsuite 1") && man.contains("compare"),
        "{man}"
    );
}
