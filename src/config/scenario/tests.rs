//! Tests of scenario files: defaults, every key, ranges, names, `[defaults]` and entries,
//! the engine table and the config digest.

use std::path::Path;

use super::*;

/// The scenarios of a file `scenarios/x.toml` holding `text`, or its error as displayed.
fn parse(text: &str) -> Result<Vec<Scenario>, String> {
    let src = Source::new(Path::new("scenarios/x.toml"), text);
    parse_file(&src)
        .map(|v| v.into_iter().map(|p| p.scenario).collect())
        .map_err(|e| e.to_string())
}

fn one(text: &str) -> Scenario {
    let mut all = parse(text).unwrap();
    assert_eq!(all.len(), 1);
    all.remove(0)
}

#[test]
fn a_scenario_with_only_candles_gets_every_default() {
    let s = one("candles = 50000\n");
    assert_eq!(
        s,
        Scenario {
            name: "x".into(),
            description: None,
            candles: Some(50_000),
            seed: 1337,
            repeats: 3,
            auto: None,
            warmup: 1,
            symbol: "BTCUSDT".into(),
            budget: "default".into(),
            timeout_s: None,
            engine: EngineSettings::default(),
            data: None,
            command: None,
            measure: Measure::default(),
            source: "scenarios/x.toml".into(),
        }
    );
}

#[test]
fn every_key_is_read_into_its_field() {
    let s = one(
        "name = 'btc-1m'\ndescription = 'big'\ncandles = 1000000\nseed = 7\nrepeats = 5\nwarmup = 0\n\
         symbol = 'ETH-USD_1.x'\nbudget = 'strict'\ntimeout_s = 600\n[engine]\nbatch_size = 512\n",
    );
    assert_eq!(
        (
            s.name.as_str(),
            s.description.as_deref(),
            s.candles,
            s.seed,
            s.repeats,
            s.warmup
        ),
        ("btc-1m", Some("big"), Some(1_000_000), 7, 5, 0)
    );
    assert_eq!(
        (s.symbol.as_str(), s.budget.as_str(), s.timeout_s),
        ("ETH-USD_1.x", "strict", Some(600.0))
    );
    assert_eq!(
        s.engine,
        EngineSettings {
            batch_size: 512,
            ..EngineSettings::default()
        }
    );
}

#[test]
fn every_engine_setting_can_be_set_in_a_scenario_file() {
    let wanted = EngineSettings {
        batch_size: 100,
        ema_fast: 5,
        ema_slow: 9,
        rsi_period: 7,
        rsi_overbought: 80.0,
        atr_period: 21,
        risk_per_trade: 0.02,
        stop_atr_multiple: 3.0,
        max_exposure: 0.5,
        slippage_bps: 1.5,
        commission_bps: 2.5,
        initial_cash: 5000.0,
    };
    let table = toml::to_string(&wanted).unwrap();
    assert_eq!(
        one(&format!("candles = 10\n[engine]\n{table}")).engine,
        wanted
    );
}

#[test]
fn defaults_apply_to_every_entry_and_entries_override_them_key_by_key() {
    let all = parse(
        "[defaults]\ncandles = 1000\nrepeats = 5\nsymbol = 'ETHUSDT'\n\
         [defaults.engine]\nbatch_size = 256\nema_fast = 5\n\
         [[scenario]]\nname = 'a'\n\
         [[scenario]]\nname = 'b'\ncandles = 2000\n[scenario.engine]\nema_fast = 8\n",
    )
    .unwrap();
    let summary: Vec<_> = all
        .iter()
        .map(|s| (s.name.as_str(), s.candles, s.repeats, s.symbol.as_str()))
        .collect();
    assert_eq!(
        summary,
        [
            ("a", Some(1000), 5, "ETHUSDT"),
            ("b", Some(2000), 5, "ETHUSDT")
        ]
    );
    assert_eq!((all[0].engine.batch_size, all[0].engine.ema_fast), (256, 5));
    assert_eq!((all[1].engine.batch_size, all[1].engine.ema_fast), (256, 8));
    assert_eq!(all[1].engine.ema_slow, EngineSettings::default().ema_slow);
}

#[test]
fn a_file_with_neither_candles_nor_scenarios_says_so() {
    let err = parse("seed = 1\n").unwrap_err();
    assert!(
        err.starts_with("scenarios/x.toml: no scenario here: set `candles`"),
        "{err}"
    );
    assert!(parse("").unwrap_err().contains("no scenario here"));
}

#[test]
fn out_of_range_values_name_the_key_the_value_and_the_range() {
    let cases = [
        ("candles = 10\nrepeats = 0\n", "scenarios/x.toml:2:11: `repeats` must be at least 1, got 0"),
        ("candles = 0\n", "scenarios/x.toml:1:11: `candles` must be at least 1, got 0"),
        ("candles = 100000001\n", "scenarios/x.toml:1:11: `candles` must be at most 100000000, got 100000001"),
        ("candles = 1\nwarmup = -1\n", "scenarios/x.toml:2:10: `warmup` must be at least 0, got -1"),
        ("candles = 1\nwarmup = 10001\n", "scenarios/x.toml:2:10: `warmup` must be at most 10000, got 10001"),
        ("candles = 1\nrepeats = 10001\n", "scenarios/x.toml:2:11: `repeats` must be at most 10000, got 10001"),
        ("candles = 1\nseed = -5\n", "scenarios/x.toml:2:8: `seed` must be at least 0, got -5"),
        (
            "candles = 1\ntimeout_s = 0\n",
            "scenarios/x.toml:2:13: `timeout_s` must be a finite number of seconds greater than 0, got 0",
        ),
        (
            "candles = 1\ntimeout_s = nan\n",
            "scenarios/x.toml:2:13: `timeout_s` must be a finite number of seconds greater than 0, got NaN",
        ),
        (
            "candles = 1\nsymbol = ''\n",
            "scenarios/x.toml:2:10: `symbol` must be 1 to 32 ASCII letters, digits, `-`, `_` or `.`, got \"\"",
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(parse(text).unwrap_err(), expected, "{text}");
    }
    assert!(parse("candles = 1\nsymbol = 'BTC/USDT'\n")
        .unwrap_err()
        .contains("`symbol`"));
    assert!(
        parse(&format!("candles = 1\nsymbol = '{}'\n", "A".repeat(33)))
            .unwrap_err()
            .contains("`symbol`")
    );
}

#[test]
fn names_that_could_be_paths_are_rejected() {
    for bad in [
        "../x",
        "..",
        "a..b",
        "/abs",
        "a/b",
        "a\\\\b",
        ".hidden",
        "a\\u0001b",
        "line\\nbreak",
        "",
        "a b",
        &"n".repeat(101),
    ] {
        let err = parse(&format!("name = \"{bad}\"\ncandles = 1\n")).unwrap_err();
        assert!(
            err.starts_with("scenarios/x.toml:1:8: `name` must be 1 to 100 ASCII letters"),
            "{bad}: {err}"
        );
    }
    assert_eq!(
        one(&format!("name = '{}'\ncandles = 1\n", "n".repeat(100)))
            .name
            .len(),
        100
    );
    assert_eq!(one("name = 'v1.2_b-3'\ncandles = 1\n").name, "v1.2_b-3");
}

#[test]
fn a_file_name_that_is_no_valid_name_asks_for_a_name() {
    let src = Source::new(Path::new("scenarios/my scenario.toml"), "candles = 1\n");
    let err = parse_file(&src).unwrap_err().to_string();
    assert!(err.starts_with("scenarios/my scenario.toml: the file name \"my scenario\" is no valid scenario name: set `name`"), "{err}");
    let named = Source::new(
        Path::new("scenarios/my scenario.toml"),
        "name = 'mine'\ncandles = 1\n",
    );
    assert_eq!(parse_file(&named).unwrap()[0].scenario.name, "mine");
}

#[test]
fn an_invalid_engine_setting_is_reported_at_its_key_in_the_engines_words() {
    assert_eq!(
        parse("candles = 1\n[engine]\nbatch_size = 0\n").unwrap_err(),
        "scenarios/x.toml:3:14: `engine.batch_size` must be between 1 and 100000000, got 0"
    );
    assert_eq!(
        parse("[defaults]\ncandles = 1\n[defaults.engine]\nmax_exposure = 1.5\n[[scenario]]\nname = 'a'\n").unwrap_err(),
        "scenarios/x.toml:4:16: `defaults.engine.max_exposure` must be greater than 0 and at most 1, got 1.5"
    );
}

#[test]
fn integer_engine_settings_outside_their_type_are_rejected_not_wrapped() {
    for key in [
        "batch_size",
        "ema_fast",
        "ema_slow",
        "rsi_period",
        "atr_period",
    ] {
        for value in ["-1", "1099511627776"] {
            let err = parse(&format!("candles = 1\n[engine]\n{key} = {value}\n")).unwrap_err();
            assert!(err.starts_with("scenarios/x.toml:3:"), "{err}");
            assert!(
                err.contains(&format!("`engine.{key}` must be "))
                    && err.ends_with(&format!("got {value}")),
                "{err}"
            );
        }
    }
}

#[test]
fn an_engine_default_made_invalid_by_another_key_is_reported_at_the_engine_table() {
    assert_eq!(
        parse("candles = 1\n[engine]\nema_fast = 30\n").unwrap_err(),
        "scenarios/x.toml:2:1: `engine.ema_slow` must be greater than ema_fast (30) and at most 100000, \
         got its default 26: set `ema_slow` too"
    );
}

#[test]
fn scenario_keys_beside_scenario_entries_are_rejected() {
    let err = parse("candles = 1\n[[scenario]]\nname = 'a'\n").unwrap_err();
    assert!(
        err.starts_with("scenarios/x.toml:1:11: `candles` cannot sit at the top level"),
        "{err}"
    );
    assert!(
        err.ends_with("put shared settings under `[defaults]`"),
        "{err}"
    );
}

#[test]
fn each_scenario_entry_names_itself() {
    let err = parse("[[scenario]]\ncandles = 1\n").unwrap_err();
    assert_eq!(
        err,
        "scenarios/x.toml:1:1: this `[[scenario]]` entry needs a `name`"
    );
    let err = parse("[defaults]\nname = 'a'\ncandles = 1\n[[scenario]]\nname = 'b'\n").unwrap_err();
    assert!(
        err.starts_with("scenarios/x.toml:2:8: `defaults.name` cannot be a default"),
        "{err}"
    );
}

#[test]
fn defaults_without_entries_and_nested_entries_are_rejected() {
    let err = parse("candles = 1\n[defaults]\nseed = 1\n").unwrap_err();
    assert!(
        err.starts_with("scenarios/x.toml:2:1: `[defaults]` applies to `[[scenario]]` entries"),
        "{err}"
    );
    let err = parse("[[scenario]]\nname = 'a'\ncandles = 1\n[[scenario.scenario]]\nname = 'b'\n")
        .unwrap_err();
    assert!(
        err.starts_with("scenarios/x.toml:4:1: `scenario` is not allowed in [[scenario]] entries"),
        "{err}"
    );
}

#[test]
fn a_missing_candles_names_the_scenario() {
    let err = parse("[[scenario]]\nname = 'a'\nseed = 2\n").unwrap_err();
    assert_eq!(err, "scenarios/x.toml:2:8: scenario `a` needs `candles`: how many candles each run backtests, 1 to 100000000 (or `data`: a candle file to backtest)");
}

#[test]
fn measure_lists_wall_and_optionally_instructions() {
    let s = one("candles = 1\nmeasure = ['wall', 'instructions']\ninstruction_repeats = 3\n");
    assert_eq!(
        s.measure,
        Measure {
            instructions: true,
            instruction_repeats: 3
        }
    );
    assert_eq!(
        one("candles = 1\nmeasure = ['wall']\n").measure,
        Measure::default()
    );
    let all = parse(
        "[defaults]\ncandles = 1\nmeasure = ['wall', 'instructions']\n\
         [[scenario]]\nname = 'a'\n[[scenario]]\nname = 'b'\nmeasure = ['wall']\n",
    )
    .unwrap();
    assert!(all[0].measure.instructions && !all[1].measure.instructions);
}

#[test]
fn a_bad_measure_names_the_value_and_what_is_valid() {
    let cases = [
        (
            "candles = 1\nmeasure = ['wall', 'cycles']\n",
            "scenarios/x.toml:2:20: `measure` lists \"cycles\", which is no measurement: use \"wall\" and \"instructions\"",
        ),
        (
            "candles = 1\nmeasure = ['wall', 'wall']\n",
            "scenarios/x.toml:2:20: `measure` lists \"wall\" twice",
        ),
        (
            "candles = 1\nmeasure = ['instructions']\n",
            "scenarios/x.toml:2:11: `measure` must list \"wall\": wall time is the metric of record and always measured, e.g. measure = [\"wall\", \"instructions\"]",
        ),
        (
            "candles = 1\ninstruction_repeats = 0\n",
            "scenarios/x.toml:2:23: `instruction_repeats` must be between 1 and 100, got 0",
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(parse(text).unwrap_err(), expected, "{text}");
    }
}

#[test]
fn the_config_digest_changes_with_the_work_and_only_with_the_work() {
    let base = one("candles = 1000\n");
    let digest = base.config_digest(None);
    assert_eq!(digest.len(), 16);
    assert!(digest.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_ne!(
        base.config_digest(Some("20e45b0f17dddff5")),
        digest,
        "other candles"
    );
    let same_work = one(
        "candles = 1000\nrepeats = 9\nwarmup = 0\nbudget = 'x'\ntimeout_s = 5\ndescription = 'd'\n\
                         measure = ['wall', 'instructions']\n",
    );
    assert_eq!(same_work.config_digest(None), digest);
    for other in [
        "candles = 1001\n",
        "candles = 1000\nseed = 1\n",
        "candles = 1000\nsymbol = 'ETHUSDT'\n",
        "candles = 1000\n[engine]\nbatch_size = 1\n",
    ] {
        assert_ne!(one(other).config_digest(None), digest, "{other}");
    }
}
