//! `perfsuite run`, `check` and `list` from the user's side: exit codes, messages, the table,
//! and the result files read into this file's own structs.
//!
//! The structs below reject unknown fields, and the tests also compare each object's keys with
//! the documented list, so a renamed, added or dropped key in bench.json or summary.json fails
//! here before it breaks someone's `jq` recipe. Scenarios are tiny (2,000 candles): a debug build
//! measures one in a few milliseconds, so budgets that must fail use a floor of 1e10 candles/s.

mod common;

use std::collections::BTreeMap;

use common::schema::{
    Distribution, Environment, Fingerprint, Instructions, Phases, Sampling, Stage,
};
use common::{squeeze, stderr, stdout, Workspace};
use serde::Deserialize;

// ---------------------------------------------------------------------------------------------
// The result schema, as a reader sees it.
// ---------------------------------------------------------------------------------------------

/// `OUT/<scenario>/bench.json`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // read by deserialization: that the keys parse is the assertion
struct BenchJson {
    scenario: String,
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
    engine: Engine,
    environment: Environment,
    started_at: String,
    duration_s: f64,
    phases: Phases,
    config_digest: String,
    budget: BudgetReport,
    verdict: String,
    sampling: Sampling,
}

/// The top-level keys of a bench.json, all of them always written.
const BENCH_KEYS: [&str; 24] = [
    "budget",
    "candles",
    "candles_per_sec",
    "config_digest",
    "duration_s",
    "engine",
    "environment",
    "fingerprint",
    "instructions",
    "instructions_per_candle",
    "p95_stage_latency_ms",
    "peak_rss_mb",
    "peak_rss_mb_max",
    "phases",
    "repeats",
    "sampling",
    "scenario",
    "schema_version",
    "seed",
    "stages",
    "started_at",
    "symbol",
    "verdict",
    "warmup",
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Engine {
    batch_size: u64,
    ema_fast: u32,
    ema_slow: u32,
    rsi_period: u32,
    rsi_overbought: f64,
    atr_period: u32,
    risk_per_trade: f64,
    stop_atr_multiple: f64,
    max_exposure: f64,
    slippage_bps: f64,
    commission_bps: f64,
    initial_cash: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BudgetReport {
    profile: String,
    resolved: ResolvedBudget,
    checks: Vec<Check>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct ResolvedBudget {
    candles_per_sec: FloorLimit,
    p95_stage_latency_ms: LatencyLimit,
    peak_rss_mb: CeilingLimit,
    instructions_per_candle: CeilingLimit,
    regression: Regression,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct FloorLimit {
    stat: String,
    floor: Option<f64>,
    warn: Option<f64>,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct CeilingLimit {
    ceiling: Option<f64>,
    warn: Option<f64>,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct LatencyLimit {
    ceiling: Option<f64>,
    warn: Option<f64>,
    /// Written only when the budget names the batch size its limits assume.
    #[serde(default)]
    batch_size: Option<u64>,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct Regression {
    stat: String,
    warn_pct: f64,
    fail_pct: f64,
    exact_warn_pct: f64,
    exact_fail_pct: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // `skipped` is read by deserialization: that the key parses is the assertion
struct Check {
    metric: String,
    kind: String,
    value: Option<f64>,
    floor: Option<f64>,
    ceiling: Option<f64>,
    warn: Option<f64>,
    verdict: String,
    /// Written only for a check skipped on purpose.
    #[serde(default)]
    skipped: Option<String>,
}

/// `OUT/summary.json`, and what `run --format json` prints.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Summary {
    schema_version: u32,
    started_at: String,
    duration_s: f64,
    interrupted: bool,
    counts: Counts,
    scenarios: Vec<SummaryRow>,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct Counts {
    pass: usize,
    warn: usize,
    fail: usize,
    error: usize,
    skip: usize,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct SummaryRow {
    scenario: String,
    candles: u64,
    judged_stat: String,
    candles_per_sec: Option<f64>,
    candles_per_sec_median: Option<f64>,
    p95_stage_latency_ms: Option<f64>,
    peak_rss_mb: Option<f64>,
    instructions_per_candle: Option<f64>,
    verdict: String,
    reasons: Vec<String>,
    bench: Option<String>,
}

/// The keys of an object in `value`, sorted.
fn keys(value: &serde_json::Value) -> Vec<&str> {
    let mut keys: Vec<&str> = value
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {value}"))
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    keys
}

fn parse<T: serde::de::DeserializeOwned>(what: &str, value: &serde_json::Value) -> T {
    serde_json::from_value(value.clone()).unwrap_or_else(|e| panic!("{what}: {e}\n{value:#}"))
}

fn summary(ws: &Workspace, out: &str) -> Summary {
    parse("summary.json", &ws.json(&format!("{out}/summary.json")))
}

fn row<'a>(summary: &'a Summary, scenario: &str) -> &'a SummaryRow {
    summary
        .scenarios
        .iter()
        .find(|r| r.scenario == scenario)
        .unwrap_or_else(|| panic!("no row for `{scenario}` in {summary:#?}"))
}

fn names(summary: &Summary) -> Vec<&str> {
    summary
        .scenarios
        .iter()
        .map(|r| r.scenario.as_str())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Budgets and exit codes.
// ---------------------------------------------------------------------------------------------

const FAILING_BUDGET: &str = "[candles_per_sec]\nfloor = 1e10\n";
const WARNING_BUDGET: &str = "[candles_per_sec]\nfloor = 1\nwarn = 1e10\n";

#[test]
fn a_budget_that_only_warns_exits_0_even_with_strict_and_the_table_says_why() {
    let ws = Workspace::new();
    ws.tiny_scenario("a", 2000, "")
        .write("budgets/default.toml", WARNING_BUDGET);
    for args in [&["run"][..], &["run", "--strict"]] {
        let out = ws.perfsuite(args).assert().code(0);
        let table = squeeze(&stdout(out.get_output()));
        assert!(table.contains("a 2k "), "{table}");
        assert!(table.contains(" warn min "), "{table}");
        assert!(table.contains(" < warn 10000000000"), "{table}");
        assert!(table.contains("1 scenario: 1 warn"), "{table}");
    }
}

#[test]
fn a_failing_budget_exits_0_and_the_table_names_the_verdict_and_the_reason() {
    let ws = Workspace::new();
    ws.tiny_scenario("a", 2000, "")
        .write("budgets/default.toml", FAILING_BUDGET);
    let out = ws.perfsuite(["run"]).assert().code(0);
    let table = squeeze(&stdout(out.get_output()));
    assert!(table.contains(" fail min "), "{table}");
    assert!(table.contains(" < floor 10000000000"), "{table}");
    assert!(table.contains("1 scenario: 1 fail"), "{table}");
    assert_eq!(
        row(&summary(&ws, "perf-results"), "a").reasons.len(),
        1,
        "one reason: the throughput floor"
    );
}

#[test]
fn a_failing_budget_with_strict_exits_1() {
    let ws = Workspace::new();
    ws.tiny_scenario("a", 2000, "")
        .tiny_scenario("b", 2000, "")
        .write(
            "budgets/default.toml",
            "[candles_per_sec]\nfloor = 1\n[scenario.b.candles_per_sec]\nfloor = 1e10\n",
        );
    let out = ws.perfsuite(["run", "--strict"]).assert().code(1);
    assert!(
        squeeze(&stdout(out.get_output())).contains("2 scenarios: 1 pass, 1 fail"),
        "the table is printed before exiting 1"
    );
    assert!(ws.exists("perf-results/b/bench.json"));
}

// ---------------------------------------------------------------------------------------------
// Invalid files: exit 2, the message names file, line and key, nothing runs.
// ---------------------------------------------------------------------------------------------

/// Runs the suite in `ws` expecting exit 2 before anything ran; checks the message names
/// `place` (`file:line:`) and each of `mentions`, and returns it.
fn rejected(ws: &Workspace, place: &str, mentions: &[&str]) -> String {
    let out = ws.perfsuite(["run", "--out", "out"]).assert().code(2);
    let message = stderr(out.get_output());
    assert!(message.starts_with("error: "), "{message}");
    assert!(
        message.contains(place),
        "expected the place `{place}` in: {message}"
    );
    for mention in mentions {
        assert!(
            message.contains(mention),
            "expected `{mention}` in: {message}"
        );
    }
    assert_eq!(
        stdout(out.get_output()),
        "",
        "no table for an invalid suite"
    );
    assert!(!ws.exists("out"), "--out must not be created");
    message
}

#[test]
fn malformed_toml_exits_2_naming_file_and_line() {
    let ws = Workspace::new();
    ws.write("scenarios/x.toml", "candles = = 2000\n");
    rejected(&ws, "scenarios/x.toml:1:11:", &["invalid TOML"]);
}

#[test]
fn a_value_missing_after_a_key_names_that_key() {
    let ws = Workspace::new();
    ws.write("scenarios/x.toml", "candles = 2000\nrepeats = \n");
    rejected(&ws, "scenarios/x.toml:2:", &["`repeats`"]);
}

#[test]
fn an_unknown_key_exits_2_naming_file_line_and_key() {
    let ws = Workspace::new();
    ws.tiny_scenario("x", 2000, "repets = 3");
    rejected(
        &ws,
        "scenarios/x.toml:2:1:",
        &["unknown key `repets`", "`repeats`"],
    );
}

#[test]
fn a_value_of_the_wrong_type_exits_2_naming_file_line_and_key() {
    let ws = Workspace::new();
    ws.write("scenarios/x.toml", "candles = \"2000\"\n");
    rejected(
        &ws,
        "scenarios/x.toml:1:11:",
        &["`candles` must be an integer"],
    );
}

#[test]
fn an_out_of_range_value_exits_2_naming_file_line_key_and_range() {
    let ws = Workspace::new();
    ws.tiny_scenario("x", 2000, "repeats = 0");
    rejected(
        &ws,
        "scenarios/x.toml:2:11:",
        &["`repeats` must be at least 1, got 0"],
    );
}

#[test]
fn duplicate_scenario_names_exit_2_naming_both_places() {
    let ws = Workspace::new();
    ws.tiny_scenario("a", 2000, "name = \"twin\"")
        .tiny_scenario("b", 2000, "name = \"twin\"");
    rejected(
        &ws,
        "scenarios/b.toml:2:8:",
        &["duplicate scenario name `twin`", "scenarios/a.toml:2:8"],
    );
}

#[test]
fn an_unknown_budget_profile_exits_2_naming_file_line_and_the_profiles_there_are() {
    let ws = Workspace::new();
    ws.tiny_scenario("x", 2000, "budget = \"fast\"")
        .write("budgets/default.toml", "")
        .write("budgets/slow.toml", "");
    rejected(
        &ws,
        "scenarios/x.toml:2:10:",
        &["`budget`", "`fast`", "`default`, `slow`"],
    );
}

#[test]
fn a_warn_level_below_its_floor_exits_2_naming_the_budget_file_line_and_key() {
    let ws = Workspace::new();
    ws.tiny_scenario("x", 2000, "").write(
        "budgets/default.toml",
        "[candles_per_sec]\nfloor = 900\nwarn = 833\n",
    );
    rejected(
        &ws,
        "budgets/default.toml:3:8:",
        &["`candles_per_sec.warn`", "`floor`"],
    );
}

// ---------------------------------------------------------------------------------------------
// Scenarios that cannot be measured.
// ---------------------------------------------------------------------------------------------

/// Three scenarios; the middle one's child hangs and has half a second to finish.
fn suite_with_a_hang(ws: &Workspace) {
    ws.tiny_scenario("a-first", 2000, "")
        .tiny_scenario("b-hangs", 2000, "symbol = \"HANGUSD\"\ntimeout_s = 0.5")
        .tiny_scenario("c-last", 2000, "");
}

#[test]
fn a_scenario_past_its_time_limit_is_an_error_row_and_the_others_are_measured() {
    let ws = Workspace::new();
    suite_with_a_hang(&ws);
    let out = ws
        .perfsuite(["run"])
        .env("PERFSUITE_INJECT_FAULT", "hang:HANGUSD")
        .assert()
        .code(0);
    assert!(
        stderr(out.get_output()).contains("scenario `b-hangs` could not be measured"),
        "{}",
        stderr(out.get_output())
    );
    let s = summary(&ws, "perf-results");
    assert_eq!(names(&s), ["a-first", "b-hangs", "c-last"]);
    assert!(!s.interrupted);
    let hung = row(&s, "b-hangs");
    assert_eq!(hung.verdict, "error");
    assert_eq!(hung.bench, None);
    assert_eq!(hung.candles_per_sec, None);
    assert!(
        hung.reasons.len() == 1 && hung.reasons[0].contains("timed out after 0.5 s"),
        "{:?}",
        hung.reasons
    );
    for measured in ["a-first", "c-last"] {
        assert_eq!(row(&s, measured).verdict, "pass");
        assert!(ws.exists(&format!("perf-results/{measured}/bench.json")));
    }
    assert!(!ws.exists("perf-results/b-hangs/bench.json"));
    assert_eq!(
        s.counts,
        Counts {
            pass: 2,
            warn: 0,
            fail: 0,
            error: 1,
            skip: 0
        }
    );
    let table = squeeze(&stdout(out.get_output()));
    assert!(
        table.contains("b-hangs 2k - - - - error timed out"),
        "{table}"
    );
}

#[test]
fn a_scenario_past_its_time_limit_with_strict_exits_3() {
    let ws = Workspace::new();
    suite_with_a_hang(&ws);
    ws.perfsuite(["run", "--strict"])
        .env("PERFSUITE_INJECT_FAULT", "hang:HANGUSD")
        .assert()
        .code(3);
    let s = summary(&ws, "perf-results");
    assert_eq!(s.scenarios.len(), 3, "every row, even on exit 3");
    assert!(ws.exists("perf-results/c-last/bench.json"));
}

#[test]
fn a_panicking_child_is_an_error_row_naming_the_panic_and_the_others_are_measured() {
    let ws = Workspace::new();
    ws.tiny_scenario("a-ok", 2000, "")
        .tiny_scenario("b-panics", 2000, "symbol = \"PANICUSD\"");
    ws.perfsuite(["run"])
        .env("PERFSUITE_INJECT_FAULT", "panic:PANICUSD")
        .env_remove("RUST_BACKTRACE")
        .assert()
        .code(0);
    let s = summary(&ws, "perf-results");
    let panicked = row(&s, "b-panics");
    assert_eq!(panicked.verdict, "error");
    let reason = panicked.reasons.join(" ");
    assert!(reason.contains("exited with code 101"), "{reason}");
    assert!(reason.contains("injected fault for PANICUSD"), "{reason}");
    assert_eq!(row(&s, "a-ok").verdict, "pass");
    assert!(ws.exists("perf-results/a-ok/bench.json"));
}

#[test]
fn a_panicking_childs_reason_names_the_panic_even_with_backtraces_on() {
    let ws = Workspace::new();
    ws.tiny_scenario("b-panics", 2000, "symbol = \"PANICUSD\"");
    ws.perfsuite(["run"])
        .env("PERFSUITE_INJECT_FAULT", "panic:PANICUSD")
        .env("RUST_BACKTRACE", "1")
        .assert()
        .code(0);
    let reason = row(&summary(&ws, "perf-results"), "b-panics")
        .reasons
        .join(" ");
    assert!(reason.contains("injected fault for PANICUSD"), "{reason}");
}

#[test]
fn an_aborting_child_is_an_error_row_naming_sigabrt_and_the_others_are_measured() {
    let ws = Workspace::new();
    ws.tiny_scenario("a-aborts", 2000, "symbol = \"ABORTUSD\"")
        .tiny_scenario("b-ok", 2000, "");
    let out = ws
        .perfsuite(["run", "--strict"])
        .env("PERFSUITE_INJECT_FAULT", "abort:ABORTUSD")
        .assert()
        .code(3);
    let s = summary(&ws, "perf-results");
    let aborted = row(&s, "a-aborts");
    assert_eq!(aborted.verdict, "error");
    assert!(
        aborted.reasons.join(" ").contains("SIGABRT"),
        "{:?}",
        aborted.reasons
    );
    assert_eq!(row(&s, "b-ok").verdict, "pass", "measured after the crash");
    assert!(ws.exists("perf-results/b-ok/bench.json"));
    assert!(squeeze(&stdout(out.get_output())).contains("2 scenarios: 1 pass, 1 error"));
}

// ---------------------------------------------------------------------------------------------
// The result files, read from the user's side.
// ---------------------------------------------------------------------------------------------

/// A budget that sets every limit, so every optional key of a check is written.
const FULL_BUDGET: &str = "\
[candles_per_sec]
stat = \"median\"
floor = 1
warn = 2
[p95_stage_latency_ms]
ceiling = 100000
warn = 50000
[peak_rss_mb]
ceiling = 1000000
warn = 500000
[instructions_per_candle]
ceiling = 1000000
warn = 500000
[regression]
warn_pct = 4
fail_pct = 12
";

#[test]
fn bench_json_has_exactly_the_documented_keys_and_the_runbooks_keys_keep_their_meaning() {
    let ws = Workspace::new();
    ws.tiny_scenario("schema", 2000, "seed = 42\nrepeats = 4\nwarmup = 0")
        .write("budgets/default.toml", FULL_BUDGET);
    ws.perfsuite(["run"]).assert().code(0);
    let value = ws.json("perf-results/schema/bench.json");

    assert_eq!(keys(&value), BENCH_KEYS);
    assert_eq!(keys(&value["budget"]), ["checks", "profile", "resolved"]);
    for check in value["budget"]["checks"].as_array().unwrap() {
        // With every limit set, a floor check has `floor` and a ceiling check `ceiling`.
        let limit = check["kind"].as_str().unwrap();
        let mut expected = vec!["kind", "metric", "value", "verdict", "warn", limit];
        expected.sort_unstable();
        assert_eq!(keys(check), expected, "{check}");
    }

    // The runbook's keys, as its `jq` recipes read them: present and numbers.
    for path in [
        "/candles",
        "/repeats",
        "/seed",
        "/candles_per_sec/min",
        "/candles_per_sec/median",
        "/candles_per_sec/p95",
        "/p95_stage_latency_ms",
        "/peak_rss_mb",
    ] {
        assert!(
            value
                .pointer(path)
                .is_some_and(serde_json::Value::is_number),
            "{path} must be a number: {value:#}"
        );
    }

    let b: BenchJson = parse("bench.json", &value);
    assert_eq!(b.scenario, "schema");
    assert_eq!(b.schema_version, perfsuite::results::SCHEMA_VERSION);
    assert_eq!(
        (b.candles, b.repeats, b.warmup, b.seed, b.symbol.as_str()),
        (2000, 4, 0, 42, "BTCUSDT")
    );
    let d = &b.candles_per_sec;
    assert_eq!(d.samples.len(), 4, "one sample per measured repeat");
    assert!(d.min > 0.0 && d.min <= d.median && d.median <= d.p95 && d.stddev >= 0.0);
    assert!(d.min <= d.mean && d.mean <= *d.samples.iter().max_by(|a, b| a.total_cmp(b)).unwrap());
    let worst_stage = b.stages.values().map(|s| s.p95_ms).fold(0.0, f64::max);
    assert_eq!(b.p95_stage_latency_ms, Some(worst_stage));
    assert_eq!(b.config_digest.len(), 16);
    assert!(b.config_digest.chars().all(|c| c.is_ascii_hexdigit()));

    assert_eq!(b.budget.profile, "default");
    let r = &b.budget.resolved;
    assert_eq!(
        r.candles_per_sec,
        FloorLimit {
            stat: "median".into(),
            floor: Some(1.0),
            warn: Some(2.0)
        }
    );
    assert_eq!(
        r.regression,
        Regression {
            stat: "median".into(),
            warn_pct: 4.0,
            fail_pct: 12.0,
            exact_warn_pct: 0.5,
            exact_fail_pct: 2.0
        }
    );
    let checks: Vec<(&str, &str, &str)> = b
        .budget
        .checks
        .iter()
        .map(|c| (c.metric.as_str(), c.kind.as_str(), c.verdict.as_str()))
        .collect();
    assert_eq!(
        checks,
        [
            ("candles_per_sec.median", "floor", "pass"),
            ("p95_stage_latency_ms", "ceiling", "pass"),
            ("peak_rss_mb", "ceiling", "pass"),
            ("instructions_per_candle", "ceiling", "skip"),
        ]
    );
    assert_eq!((&b.instructions, b.instructions_per_candle), (&None, None));
    let throughput = &b.budget.checks[0];
    assert_eq!(throughput.value, Some(d.median), "the judged statistic");
    assert_eq!((throughput.floor, throughput.warn), (Some(1.0), Some(2.0)));
    assert_eq!(throughput.ceiling, None);
    assert_eq!(b.budget.checks[1].ceiling, Some(100000.0));
    assert_eq!(b.verdict, "pass");
}

#[test]
fn summary_json_has_exactly_the_documented_keys_and_points_at_each_bench_json() {
    let ws = Workspace::new();
    ws.tiny_scenario("a", 2000, "")
        .tiny_scenario("b", 3000, "")
        .write("budgets/default.toml", FULL_BUDGET);
    ws.perfsuite(["run"]).assert().code(0);
    let value = ws.json("perf-results/summary.json");
    assert_eq!(
        keys(&value),
        [
            "counts",
            "duration_s",
            "interrupted",
            "scenarios",
            "schema_version",
            "started_at"
        ]
    );
    assert_eq!(
        keys(&value["counts"]),
        ["error", "fail", "pass", "skip", "warn"]
    );
    for row in value["scenarios"].as_array().unwrap() {
        assert_eq!(
            keys(row),
            [
                "bench",
                "candles",
                "candles_per_sec",
                "candles_per_sec_median",
                "instructions_per_candle",
                "judged_stat",
                "p95_stage_latency_ms",
                "peak_rss_mb",
                "reasons",
                "scenario",
                "verdict"
            ]
        );
    }

    let s: Summary = parse("summary.json", &value);
    assert_eq!(s.schema_version, perfsuite::results::SCHEMA_VERSION);
    assert!(!s.interrupted);
    assert_eq!(names(&s), ["a", "b"]);
    for r in &s.scenarios {
        let bench_rel = r
            .bench
            .as_deref()
            .expect("a measured row names its bench.json");
        let bench: BenchJson = parse(bench_rel, &ws.json(&format!("perf-results/{bench_rel}")));
        assert_eq!(bench.scenario, r.scenario);
        assert_eq!(r.candles, bench.candles);
        assert_eq!(r.judged_stat, "median");
        assert_eq!(r.candles_per_sec, Some(bench.candles_per_sec.median));
        assert_eq!(r.candles_per_sec_median, Some(bench.candles_per_sec.median));
        assert_eq!(r.p95_stage_latency_ms, bench.p95_stage_latency_ms);
        assert_eq!(r.peak_rss_mb, bench.peak_rss_mb);
        assert_eq!(r.instructions_per_candle, None, "not counted");
        // The budget's instruction ceiling could not be judged: said, but not held against it.
        assert_eq!(
            (r.verdict.as_str(), r.reasons.as_slice()),
            (
                "pass",
                ["instructions_per_candle not measured".to_owned()].as_slice()
            )
        );
    }
    assert_eq!(s.counts.pass, 2);

    let md = ws.read("perf-results/summary.md");
    assert!(
        md.starts_with("#"),
        "summary.md starts with a heading:\n{md}"
    );
    assert!(md.contains("| `a` |") && md.contains("| `b` |"), "{md}");
}

// ---------------------------------------------------------------------------------------------
// What goes to stdout and stderr.
// ---------------------------------------------------------------------------------------------

#[test]
fn format_json_prints_the_summary_json() {
    let ws = Workspace::new();
    ws.tiny_scenario("a", 2000, "");
    let out = ws.perfsuite(["run", "--format", "json"]).assert().code(0);
    let printed: serde_json::Value =
        serde_json::from_slice(&out.get_output().stdout).expect("stdout is one JSON document");
    let s: Summary = parse("stdout", &printed);
    assert_eq!(names(&s), ["a"]);
    assert_eq!(printed, ws.json("perf-results/summary.json"));
}

#[test]
fn format_markdown_prints_a_markdown_table() {
    let ws = Workspace::new();
    ws.tiny_scenario("a", 2000, "");
    let out = ws
        .perfsuite(["run", "--format", "markdown"])
        .assert()
        .code(0);
    let md = stdout(out.get_output());
    assert!(
        md.starts_with("### perfsuite: 1 scenario: 1 pass\n"),
        "{md}"
    );
    let lines: Vec<&str> = md.lines().filter(|l| l.starts_with('|')).collect();
    assert_eq!(lines.len(), 3, "header, rule and one row:\n{md}");
    assert!(lines[0].starts_with("| scenario |"), "{md}");
    assert!(lines[1].starts_with("|---|"), "{md}");
    assert!(lines[2].starts_with("| `a` | 2,000 |"), "{md}");
    assert_eq!(md, ws.read("perf-results/summary.md"));
}

#[test]
fn quiet_prints_nothing_and_still_writes_the_results() {
    let ws = Workspace::new();
    ws.tiny_scenario("a", 2000, "");
    let out = ws.perfsuite(["run", "--quiet"]).assert().code(0);
    assert_eq!(stdout(out.get_output()), "");
    assert_eq!(stderr(out.get_output()), "");
    assert!(ws.exists("perf-results/a/bench.json"));
}

#[test]
fn a_passing_run_writes_nothing_on_stderr_when_piped() {
    let ws = Workspace::new();
    ws.tiny_scenario("a", 2000, "").tiny_scenario("b", 2000, "");
    let out = ws.perfsuite(["run"]).assert().code(0);
    assert_eq!(
        stderr(out.get_output()),
        "",
        "no progress when not a terminal"
    );
    assert!(stdout(out.get_output()).contains("2 scenarios: 2 pass"));
}

// ---------------------------------------------------------------------------------------------
// The results folder, --filter, check and list.
// ---------------------------------------------------------------------------------------------

#[test]
fn results_of_a_scenario_dropped_from_the_suite_are_removed_by_the_next_run() {
    let ws = Workspace::new();
    ws.tiny_scenario("kept", 2000, "")
        .tiny_scenario("dropped", 2000, "");
    ws.perfsuite(["run", "--out", "out"]).assert().code(0);
    assert!(ws.exists("out/dropped/bench.json"));
    ws.write("out/notes.txt", "mine");

    std::fs::remove_file(ws.join("scenarios/dropped.toml")).unwrap();
    ws.perfsuite(["run", "--out", "out"]).assert().code(0);
    assert!(
        !ws.exists("out/dropped/bench.json"),
        "stale result left behind"
    );
    assert!(ws.exists("out/kept/bench.json"));
    assert_eq!(names(&summary(&ws, "out")), ["kept"]);
    assert!(!ws.read("out/summary.md").contains("dropped"));
    assert_eq!(
        ws.read("out/notes.txt"),
        "mine",
        "other files are the user's"
    );
}

fn filter_suite() -> Workspace {
    let ws = Workspace::new();
    ws.tiny_scenario("btc-small", 2000, "")
        .tiny_scenario("btc-large", 3000, "")
        .tiny_scenario("eth-small", 2000, "symbol = \"ETHUSDT\"");
    ws
}

#[test]
fn filter_selects_scenarios_whose_name_contains_the_pattern() {
    let ws = filter_suite();
    ws.perfsuite(["run", "-q", "--filter", "btc"])
        .assert()
        .code(0);
    assert_eq!(
        names(&summary(&ws, "perf-results")),
        ["btc-large", "btc-small"]
    );
    assert!(!ws.exists("perf-results/eth-small"));
}

#[test]
fn filter_with_a_wildcard_matches_the_whole_name() {
    let ws = filter_suite();
    ws.perfsuite(["run", "-q", "--filter", "*-small"])
        .assert()
        .code(0);
    assert_eq!(
        names(&summary(&ws, "perf-results")),
        ["btc-small", "eth-small"]
    );
    ws.perfsuite(["run", "-q", "--filter", "btc-?arge"])
        .assert()
        .code(0);
    assert_eq!(names(&summary(&ws, "perf-results")), ["btc-large"]);
}

#[test]
fn a_filter_matching_nothing_exits_2_and_lists_the_scenarios() {
    let ws = filter_suite();
    let out = ws
        .perfsuite(["run", "--filter", "doge", "--out", "out"])
        .assert()
        .code(2);
    let message = stderr(out.get_output());
    assert!(
        message.contains("--filter `doge` matches no scenario"),
        "{message}"
    );
    assert!(message.contains("btc-small"), "{message}");
    assert!(!ws.exists("out"));
}

#[test]
fn check_exits_0_on_a_valid_suite_and_runs_nothing() {
    let ws = filter_suite();
    let out = ws.perfsuite(["check"]).assert().code(0);
    assert!(
        stdout(out.get_output()).starts_with("ok: 3 scenarios and 1 budget profile"),
        "{}",
        stdout(out.get_output())
    );
    assert!(!ws.exists("perf-results"));
}

#[test]
fn check_exits_2_on_an_invalid_suite_naming_the_file() {
    let ws = filter_suite();
    ws.tiny_scenario("broken", 2000, "warmup = -1");
    let out = ws.perfsuite(["check"]).assert().code(2);
    let message = stderr(out.get_output());
    assert!(
        message.contains("scenarios/broken.toml:2:10: `warmup` must be at least 0"),
        "{message}"
    );
    assert_eq!(stdout(out.get_output()), "");
}

#[test]
fn list_shows_every_scenario_with_its_budget() {
    let ws = Workspace::new();
    ws.tiny_scenario("alpha", 2000, "")
        .tiny_scenario("beta", 5000, "budget = \"fast\"")
        .tiny_scenario(
            "gamma",
            3000,
            "repeats = \"auto\"\nmin_repeats = 6\nmax_repeats = 30",
        )
        .write("budgets/default.toml", "[candles_per_sec]\nfloor = 833\n")
        .write(
            "budgets/fast.toml",
            "[candles_per_sec]\nstat = \"median\"\nfloor = 2000\n",
        );
    let out = ws.perfsuite(["list"]).assert().code(0);
    let text = stdout(out.get_output());
    let line_of = |name: &str| {
        text.lines()
            .find(|l| l.split_whitespace().next() == Some(name))
            .unwrap_or_else(|| panic!("no line for `{name}`:\n{text}"))
            .to_owned()
    };
    let alpha = line_of("alpha");
    assert!(alpha.contains("default (min≥833)"), "{alpha}");
    let beta = line_of("beta");
    assert!(beta.contains("fast (median≥2000)"), "{beta}");
    assert!(beta.contains("5k"), "{beta}");
    // Automatic repeats show as such, with their bounds, not as their maximum.
    let gamma = line_of("gamma");
    assert!(gamma.contains("auto 6–30"), "{gamma}");
    assert!(!gamma.contains(" 30 "), "{gamma}");
    assert!(!ws.exists("perf-results"));
}

// ---------------------------------------------------------------------------------------------
// The main error messages, word for word.
// ---------------------------------------------------------------------------------------------

fn error_message(ws: &Workspace, args: &[&str]) -> String {
    let out = ws.perfsuite(args).assert().code(2);
    ws.redact(&stderr(out.get_output()))
}

#[test]
fn the_message_for_an_unknown_scenario_key_is_stable() {
    let ws = Workspace::new();
    ws.tiny_scenario("btc", 2000, "repets = 3");
    let scenarios = ws.join("scenarios");
    insta::assert_snapshot!(error_message(&ws, &["run", scenarios.to_str().unwrap()]));
}

#[test]
fn the_message_for_a_warn_level_below_its_floor_is_stable() {
    let ws = Workspace::new();
    ws.tiny_scenario("btc", 2000, "").write(
        "budgets/default.toml",
        "[candles_per_sec]\nfloor = 900\nwarn = 833\n",
    );
    insta::assert_snapshot!(error_message(&ws, &["check"]));
}

#[test]
fn the_message_for_an_invalid_shard_is_stable() {
    let ws = Workspace::new();
    ws.tiny_scenario("btc", 2000, "");
    insta::assert_snapshot!(error_message(&ws, &["run", "--shard", "4/3"]));
}
