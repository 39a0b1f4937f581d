//! Every scenario `check` accepts must run: random scenario files, heavy on the edges of every
//! range (the largest counts, `1e300` seconds, `inf`, symbols that start with `-`), are loaded;
//! each accepted scenario goes through everything `run`, `ab` and `bench` compute from it
//! ([`common::resolved::exercise`]) without a panic or an overflow, and its child's command line
//! says what the scenario says. The fuzz target `resolved_scenario` runs the same check on any
//! bytes.

mod common;

use std::path::PathBuf;

use perfsuite::config::{load_suite, BudgetSource};
use proptest::prelude::*;

const BUDGET: &str = include_str!("../budgets/default.toml");

/// A TOML value for a count: in range, at its edges, past them.
fn count() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("0".to_owned()),
        Just("1".to_owned()),
        Just("2".to_owned()),
        Just("5".to_owned()),
        Just("10000".to_owned()),
        Just("10001".to_owned()),
        Just("100000000".to_owned()),
        Just("100000001".to_owned()),
        Just("-1".to_owned()),
        Just("9223372036854775807".to_owned()),
        (1..200i64).prop_map(|n| n.to_string()),
    ]
}

/// A TOML value for seconds or a percentage: tiny, huge, infinite, not a number.
fn amount() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("0.0".to_owned()),
        Just("1e-300".to_owned()),
        Just("0.5".to_owned()),
        Just("2".to_owned()),
        Just("1e19".to_owned()),
        Just("1e300".to_owned()),
        Just("1.7976931348623157e308".to_owned()),
        Just("inf".to_owned()),
        Just("nan".to_owned()),
        Just("-1.0".to_owned()),
        (0.001..1e6f64).prop_map(|x| format!("{x:?}")),
    ]
}

/// One scenario file: each key present or not, `repeats = "auto"` with its bounds sometimes.
fn scenario() -> impl Strategy<Value = String> {
    let keys = (
        prop::option::of(count()),
        prop::option::of(count()),
        prop::option::of(count()),
        prop::option::of(count()),
        prop::option::of("[-A-Za-z0-9_.]{1,33}"),
        prop::option::of(amount()),
    );
    let auto = prop::option::of((
        prop::option::of(count()),
        prop::option::of(count()),
        prop::option::of(amount()),
        prop::option::of(amount()),
    ));
    let engine = prop::option::of(prop_oneof![
        Just("1"),
        Just("4096"),
        Just("1048576"),
        Just("4294967296"),
        Just("0"),
    ]);
    (keys, auto, engine).prop_map(|(keys, auto, batch)| {
        let (candles, repeats, warmup, seed, symbol, timeout) = keys;
        let mut text = format!("candles = {}\n", candles.unwrap_or_else(|| "1000".into()));
        let mut put = |key: &str, value: Option<String>| {
            if let Some(v) = value {
                text.push_str(&format!("{key} = {v}\n"));
            }
        };
        put("warmup", warmup);
        put("seed", seed);
        put("symbol", symbol.map(|s| format!("'{s}'")));
        put("timeout_s", timeout);
        match auto {
            Some((min, max, time, precision)) => {
                put("repeats", Some("'auto'".into()));
                put("min_repeats", min);
                put("max_repeats", max);
                put("max_time_s", time);
                put("precision_pct", precision);
            }
            None => put("repeats", repeats),
        }
        if let Some(b) = batch {
            text.push_str(&format!("[engine]\nbatch_size = {b}\n"));
        }
        text
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn every_scenario_check_accepts_gets_through_what_run_ab_and_bench_compute(text in scenario()) {
        let dir = tempfile::tempdir().unwrap();
        let file: PathBuf = dir.path().join("s.toml");
        std::fs::write(&file, &text).unwrap();
        std::fs::create_dir(dir.path().join("budgets")).unwrap();
        std::fs::write(dir.path().join("budgets/default.toml"), BUDGET).unwrap();
        let budgets = BudgetSource::Dir(dir.path().join("budgets"));
        if let Ok(suite) = load_suite(&[file], &budgets) {
            if let Err(e) = common::resolved::exercise(&suite) {
                return Err(TestCaseError::fail(format!("{e}\n--- the scenario ---\n{text}")));
            }
        }
    }
}

/// The cases that once broke, named: a symbol that starts with `-` passed `check` and made the
/// child refuse `--symbol -X`.
#[test]
fn a_symbol_that_starts_with_a_dash_reaches_the_child_as_a_symbol() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("s.toml");
    std::fs::write(&file, "candles = 1000\nsymbol = '-X'\ntimeout_s = 1e300\n").unwrap();
    std::fs::create_dir(dir.path().join("budgets")).unwrap();
    std::fs::write(dir.path().join("budgets/default.toml"), BUDGET).unwrap();
    let suite = load_suite(&[file], &BudgetSource::Dir(dir.path().join("budgets"))).unwrap();
    common::resolved::exercise(&suite).unwrap();
}
