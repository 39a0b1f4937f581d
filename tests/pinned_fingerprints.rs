//! Known-good fingerprints of the shipped scenarios (`scenarios/*.toml`) and of a few extra
//! seeds, symbols and settings. The engine's results change only by a deliberate act: if this
//! test fails, either the change is a bug, or it is intended and then
//!
//! 1. copy the table the failure prints over [`PINNED`] below, and
//! 2. say in CHANGELOG.md, under `## Unreleased`, why the backtest's results changed: every
//!    baseline's fingerprint changes with them, and `compare` will flag each scenario.

use std::path::PathBuf;

use perfsuite::config::{load_suite, BudgetSource};
use perfsuite::engine::candles::generate;
use perfsuite::engine::settings::EngineSettings;
use perfsuite::engine::Engine;

/// One pinned backtest: name, trades, final equity, maximum drawdown, digest.
type Pin = (&'static str, u64, f64, f64, &'static str);

const PINNED: &[Pin] = &[
    (
        "btc-5m",
        90330,
        0.18475997232419172,
        0.9999998632327554,
        "81bb0a599e162ecc",
    ),
    (
        "eth-200k",
        3528,
        1094667.613781311,
        0.4601886621071344,
        "7bfad2603b0c6535",
    ),
    (
        "btc-1m",
        18156,
        68997.02437589651,
        0.9505628178767194,
        "48549ade8ea8ce21",
    ),
    (
        "eth-1m",
        17828,
        543906.3901550825,
        0.7649468856520393,
        "0a128ee12205134f",
    ),
    (
        "smoke-once",
        3627,
        542065.7315360826,
        0.7123063198879571,
        "ecfd9737cc519d5f",
    ),
    (
        "runbook-default",
        3627,
        542065.7315360826,
        0.7123063198879571,
        "ecfd9737cc519d5f",
    ),
    (
        "runbook-smoke",
        884,
        895475.723597909,
        0.3219207890939175,
        "cf20165b51539d29",
    ),
    (
        "seed-1-btc-100k",
        1826,
        538627.4281964792,
        0.5515575618964965,
        "62a9be92a76872ae",
    ),
    (
        "seed-42-sol-100k-batch-1",
        1782,
        451848.5630816508,
        0.6189521164911702,
        "11e184f6d0f33ce4",
    ),
    (
        "seed-7-mycoin-50k-fast",
        1295,
        7749.093729733481,
        0.6909694541523536,
        "e7b9591bc472b4e0",
    ),
    (
        "seed-3-xrp-20k-free",
        369,
        801023.1952418054,
        0.27715792460262023,
        "bcbda2f35a0d0f53",
    ),
];

/// A backtest to pin beside the shipped scenarios.
struct Extra {
    name: &'static str,
    candles: usize,
    seed: u64,
    symbol: &'static str,
    settings: EngineSettings,
}

/// Other seeds and symbols, a batch size of one, and settings far from the defaults.
fn extras() -> Vec<Extra> {
    let default = EngineSettings::default();
    vec![
        Extra {
            name: "seed-1-btc-100k",
            candles: 100_000,
            seed: 1,
            symbol: "BTCUSDT",
            settings: default,
        },
        Extra {
            name: "seed-42-sol-100k-batch-1",
            candles: 100_000,
            seed: 42,
            symbol: "SOLUSDT",
            settings: EngineSettings {
                batch_size: 1,
                ..default
            },
        },
        Extra {
            name: "seed-7-mycoin-50k-fast",
            candles: 50_000,
            seed: 7,
            symbol: "MYCOIN",
            settings: EngineSettings {
                batch_size: 333,
                ema_fast: 3,
                ema_slow: 8,
                rsi_period: 5,
                rsi_overbought: 60.0,
                atr_period: 3,
                risk_per_trade: 0.05,
                stop_atr_multiple: 0.7,
                max_exposure: 0.5,
                slippage_bps: 3.0,
                commission_bps: 7.5,
                initial_cash: 25_000.0,
            },
        },
        Extra {
            name: "seed-3-xrp-20k-free",
            candles: 20_000,
            seed: 3,
            symbol: "XRPUSDT",
            settings: EngineSettings {
                slippage_bps: 0.0,
                commission_bps: 0.0,
                ..default
            },
        },
    ]
}

/// Every shipped scenario and every extra, as (name, candles, seed, symbol, settings).
fn backtests() -> Vec<(String, usize, u64, String, EngineSettings)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let suite = load_suite(
        &[root.join("scenarios")],
        &BudgetSource::Dir(root.join("budgets")),
    )
    .expect("the shipped scenarios load");
    // Scenarios that read a data file or run an external engine have no generated series.
    let shipped = suite.scenarios.into_iter().filter_map(|s| {
        let candles = usize::try_from(s.candles?).expect("fits in memory");
        Some((s.name, candles, s.seed, s.symbol, s.engine))
    });
    let extra = extras().into_iter().map(|e| {
        (
            e.name.into(),
            e.candles,
            e.seed,
            e.symbol.into(),
            e.settings,
        )
    });
    shipped.chain(extra).collect()
}

#[test]
fn shipped_scenarios_and_extra_seeds_keep_their_pinned_fingerprints() {
    let mut table = String::new();
    let mut changed = Vec::new();
    for (name, candles, seed, symbol, settings) in backtests() {
        let series = generate(candles, seed, &symbol);
        let f = Engine::new(settings)
            .run(&series, None)
            .expect("generated candles are valid")
            .fingerprint();
        let got = (f.trades, f.final_equity, f.max_drawdown, f.digest.as_str());
        table += &format!(
            "    ({name:?}, {}, {:?}, {:?}, {:?}),\n",
            got.0, got.1, got.2, got.3
        );
        let pinned = PINNED.iter().find(|p| p.0 == name);
        if pinned.map(|p| (p.1, p.2, p.3, p.4)) != Some(got) {
            changed.push(format!("{name}: pinned {pinned:?}, got {got:?}"));
        }
    }
    let unknown: Vec<_> = PINNED
        .iter()
        .filter(|p| !table.contains(&format!("({:?},", p.0)))
        .collect();
    assert!(
        changed.is_empty() && unknown.is_empty(),
        "fingerprints differ from the pinned ones:\n{}\npinned but not run: {unknown:?}\n\n\
         If the change is intended, replace PINNED in {} with\n{table}\
         and say in CHANGELOG.md why the results changed.",
        changed.join("\n"),
        file!()
    );
}
