//! Tests of budget files: the shipped default, overrides, warn levels, limits, and where
//! profiles are looked for.

use super::*;
use crate::judge::{Ceiling, Floor, Regression, Statistic};

/// The profile in `budgets/p.toml` holding `text`, or its error as displayed.
fn parse(text: &str) -> Result<BudgetProfile, String> {
    parse_profile(&Source::new(Path::new("budgets/p.toml"), text), "p").map_err(|e| e.to_string())
}

fn runbook() -> Budget {
    crate::judge::runbook_budget()
}

#[test]
fn the_built_in_default_is_the_shipped_file_and_the_runbooks_budget() {
    let shipped =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("budgets/default.toml"))
            .unwrap();
    assert_eq!(BUILTIN_DEFAULT, shipped);
    let profile = parse(BUILTIN_DEFAULT).unwrap();
    assert_eq!(profile.resolve("anything"), runbook());
}

#[test]
fn missing_tables_mean_no_limits() {
    assert_eq!(parse("").unwrap().resolve("x"), Budget::default());
    let b = parse("[peak_rss_mb]\nceiling = 1024\n")
        .unwrap()
        .resolve("x");
    assert_eq!(
        b,
        Budget {
            peak_rss_mb: Ceiling {
                ceiling: Some(1024.0),
                warn: None,
                batch_size: None,
            },
            ..Budget::default()
        }
    );
}

#[test]
fn a_scenario_override_replaces_only_the_fields_it_sets() {
    let profile = parse(&format!(
        "{BUILTIN_DEFAULT}\n[scenario.btc-1m.candles_per_sec]\nfloor = 2000\nwarn = 2500\n\
         [scenario.btc-1m.regression]\nfail_pct = 25\n\
         [scenario.\"eth.v2\".p95_stage_latency_ms]\nwarn = 45\n"
    ))
    .unwrap();
    let btc = profile.resolve("btc-1m");
    assert_eq!(
        btc.candles_per_sec,
        Floor {
            stat: Statistic::Min,
            floor: Some(2000.0),
            warn: Some(2500.0)
        }
    );
    assert_eq!(
        btc.regression,
        Regression {
            fail_pct: 25.0,
            ..runbook().regression
        }
    );
    assert_eq!(btc.p95_stage_latency_ms, runbook().p95_stage_latency_ms);
    assert_eq!(
        profile.resolve("eth.v2").p95_stage_latency_ms,
        Ceiling {
            ceiling: Some(50.0),
            warn: Some(45.0),
            batch_size: Some(4096),
        }
    );
    assert_eq!(profile.resolve("other"), runbook());
}

#[test]
fn a_floors_warn_below_the_floor_is_rejected() {
    assert_eq!(
        parse("[candles_per_sec]\nfloor = 833\nwarn = 800\n").unwrap_err(),
        "budgets/p.toml:3:8: `candles_per_sec.warn` (800) must be at least `floor` (833): \
         warn is the early alarm above the floor"
    );
}

#[test]
fn a_ceilings_warn_above_the_ceiling_is_rejected() {
    assert_eq!(
        parse("[peak_rss_mb]\nceiling = 100\nwarn = 120\n").unwrap_err(),
        "budgets/p.toml:3:8: `peak_rss_mb.warn` (120) must be at most `ceiling` (100): \
         warn is the early alarm below the ceiling"
    );
}

#[test]
fn an_override_that_crosses_an_inherited_warn_is_reported_where_it_is_written() {
    // The line after the shipped file's last one.
    let line = BUILTIN_DEFAULT.lines().count() + 2;
    let err = parse(&format!(
        "{BUILTIN_DEFAULT}[scenario.big.candles_per_sec]\nfloor = 2000\n"
    ))
    .unwrap_err();
    assert!(
        err.starts_with(&format!("budgets/p.toml:{line}:9: `scenario.big.candles_per_sec.floor` (2000) must be at most `warn` (900)")),
        "{err}"
    );
    let err = parse(&format!(
        "{BUILTIN_DEFAULT}[scenario.big.p95_stage_latency_ms]\nwarn = 60\n"
    ))
    .unwrap_err();
    assert!(err.starts_with(&format!("budgets/p.toml:{line}:8: `scenario.big.p95_stage_latency_ms.warn` (60) must be at most")), "{err}");
}

#[test]
fn regression_thresholds_must_warn_before_they_fail() {
    let err = parse("[regression]\nwarn_pct = 20\n").unwrap_err();
    assert!(
        err.starts_with(
            "budgets/p.toml:2:12: `regression.warn_pct` (20) must be at most `fail_pct` (15)"
        ),
        "{err}"
    );
    let err = parse("[regression]\nwarn_pct = 0\n").unwrap_err();
    assert_eq!(
        err,
        "budgets/p.toml:2:12: `regression.warn_pct` must be a finite number greater than 0, got 0"
    );
    assert_eq!(
        parse("[regression]\nwarn_pct = 15\n")
            .unwrap()
            .resolve("x")
            .regression
            .warn_pct,
        15.0
    );
}

#[test]
fn instruction_budgets_and_exact_thresholds_are_read_and_checked() {
    let b = parse(
        "[instructions_per_candle]\nceiling = 240\nwarn = 230\n\
         [regression]\nexact_warn_pct = 0.25\nexact_fail_pct = 1\n",
    )
    .unwrap()
    .resolve("x");
    assert_eq!(
        b.instructions_per_candle,
        Ceiling {
            ceiling: Some(240.0),
            warn: Some(230.0),
            batch_size: None,
        }
    );
    assert_eq!(
        (b.regression.exact_warn_pct, b.regression.exact_fail_pct),
        (0.25, 1.0)
    );
    let defaults = parse("").unwrap().resolve("x").regression;
    assert_eq!(
        (defaults.exact_warn_pct, defaults.exact_fail_pct),
        (0.5, 2.0)
    );
    let err = parse("[regression]\nexact_warn_pct = 3\n").unwrap_err();
    assert!(
        err.starts_with(
            "budgets/p.toml:2:18: `regression.exact_warn_pct` (3) must be at most `exact_fail_pct` (2)"
        ),
        "{err}"
    );
    let err = parse("[instructions_per_candle]\nceiling = 200\nwarn = 210\n").unwrap_err();
    assert!(
        err.starts_with("budgets/p.toml:3:8: `instructions_per_candle.warn` (210) must be at most"),
        "{err}"
    );
}

#[test]
fn limits_must_be_finite_and_positive() {
    for (text, key) in [
        ("[candles_per_sec]\nfloor = 0\n", "candles_per_sec.floor"),
        ("[candles_per_sec]\nwarn = -1\n", "candles_per_sec.warn"),
        (
            "[p95_stage_latency_ms]\nceiling = inf\n",
            "p95_stage_latency_ms.ceiling",
        ),
        ("[peak_rss_mb]\nwarn = nan\n", "peak_rss_mb.warn"),
        ("[regression]\nfail_pct = -15\n", "regression.fail_pct"),
    ] {
        let err = parse(text).unwrap_err();
        assert!(err.starts_with("budgets/p.toml:2:"), "{err}");
        assert!(
            err.contains(&format!(
                "`{key}` must be a finite number greater than 0, got "
            )),
            "{err}"
        );
    }
}

#[test]
fn statistics_and_keys_are_checked_against_what_exists() {
    assert_eq!(
        parse("[candles_per_sec]\nstat = 'max'\n").unwrap_err(),
        "budgets/p.toml:2:8: `candles_per_sec.stat` must be one of `min`, `median`, `p95`, `mean`, got `max`"
    );
    assert_eq!(
        parse("[p95_stage_latency_ms]\nfloor = 3\n").unwrap_err(),
        "budgets/p.toml:2:1: unknown key `p95_stage_latency_ms.floor`, expected one of `ceiling`, `warn`, `batch_size`"
    );
    let err = parse("[scenario.a.scenario.b.regression]\nfail_pct = 1\n").unwrap_err();
    assert!(
        err.starts_with("budgets/p.toml:1:13: `scenario.a.scenario` is not allowed inside"),
        "{err}"
    );
}

#[test]
fn without_a_budgets_folder_the_default_source_is_the_built_in_profile() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("budgets");
    let profiles = load_default(std::slice::from_ref(&missing)).unwrap();
    assert_eq!(profiles.map.keys().collect::<Vec<_>>(), ["default"]);
    assert_eq!(profiles.map["default"].resolve("x"), runbook());
    assert_eq!(profiles.map["default"].source(), Path::new(BUILTIN_PATH));

    std::fs::create_dir(&missing).unwrap();
    std::fs::write(
        missing.join("strict.toml"),
        "[candles_per_sec]\nfloor = 5000\n",
    )
    .unwrap();
    let profiles = load_default(std::slice::from_ref(&missing)).unwrap();
    assert_eq!(profiles.map.keys().collect::<Vec<_>>(), ["strict"]);
    assert_eq!(profiles.map["strict"].name(), "strict");
}

#[test]
fn a_budget_folder_that_does_not_exist_is_an_error_naming_it() {
    let err = load(&BudgetSource::Dir("no/such/budgets".into()), &[]).unwrap_err();
    assert_eq!(err.to_string(), "no/such/budgets: no such file or folder");
}

#[test]
fn a_budget_source_may_be_one_file_and_profiles_are_unique_by_stem() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("a")).unwrap();
    std::fs::create_dir_all(dir.path().join("b")).unwrap();
    std::fs::write(dir.path().join("a/ci.toml"), "").unwrap();
    std::fs::write(dir.path().join("b/ci.toml"), "").unwrap();
    let one = load(&BudgetSource::Dir(dir.path().join("a/ci.toml")), &[]).unwrap();
    assert_eq!(one.map.keys().collect::<Vec<_>>(), ["ci"]);
    let err = load(&BudgetSource::Dir(dir.path().to_owned()), &[]).unwrap_err();
    assert_eq!(err.path(), dir.path().join("b/ci.toml"));
    assert!(
        err.message().starts_with("duplicate budget profile `ci`: "),
        "{err}"
    );
    assert!(err.message().contains("a/ci.toml"), "{err}");
}
