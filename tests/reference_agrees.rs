//! The engine agrees with the reference backtester (`tests/reference/`), the engine's
//! specification written the plainest way: over generated seeds, symbols, lengths, engine
//! settings and batch sizes, both make the same trades (entry and exit candle, side, size,
//! prices, fees, profit, reason), the same equity path and the same drawdown, within 1e-9
//! relative, and reject the same first invalid candle with the same message.
//!
//! Cases: 1,000 per `cargo test` (a debug build takes a few seconds). For a longer run, set
//! proptest's own variable: `PROPTEST_CASES=100000 cargo test --release --test reference_agrees`.
//! A failing case is shrunk and saved in `tests/reference_agrees.proptest-regressions`, which
//! then replays it first on every run: commit that file with the fix.

mod reference;

use perfsuite::engine::candles::{generate, CandleSeries};
use perfsuite::engine::ledger::{ExitReason, Trade};
use perfsuite::engine::settings::EngineSettings;
use perfsuite::engine::{Engine, EngineError, Outcome};
use proptest::prelude::*;
use reference::{backtest, Bar, Reason, Rejected, Report, Side};

/// Relative tolerance of every compared number.
const TOLERANCE: f64 = 1e-9;

/// Cases per `cargo test`, unless `PROPTEST_CASES` says otherwise.
const DEFAULT_CASES: u32 = 1_000;

/// How one candle is broken, to test that both sides reject the same candle for the same reason.
#[derive(Debug, Clone, Copy)]
enum Break {
    NotFinite(usize, f64),
    HighBelowBody,
    LowAboveBody,
    LowNotPositive(f64),
    VolumeNotPositive(f64),
    TimestampRepeats,
    TimestampGoesBack,
}

/// One generated case.
#[derive(Debug, Clone)]
struct Case {
    candles: usize,
    seed: u64,
    symbol: String,
    settings: EngineSettings,
    /// Candles (position as a fraction of the length) scaled by a factor, which opens gaps to
    /// their neighbours: the generator's candles open at the last close, so without these no
    /// stop would ever fill at a gapping open.
    shocks: Vec<(f64, f64)>,
    broken: Option<(f64, Break)>,
}

fn symbol() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec!["BTCUSDT", "ETHUSDT", "SOLUSDT", "XRPUSDT"])
            .prop_map(String::from),
        "[A-Z]{2,8}",
    ]
}

/// Mostly short series, so a debug build runs a thousand cases in seconds; some long enough to
/// span many batches of a few thousand candles.
fn length() -> impl Strategy<Value = usize> {
    prop_oneof![
        2 => 0..=40usize,
        10 => 41..=600usize,
        2 => 601..=4_000usize,
    ]
}

fn batch_size() -> impl Strategy<Value = usize> {
    prop_oneof![
        3 => 1..=8usize,
        3 => 9..=700usize,
        2 => 701..=5_000usize,
        1 => Just(1_000_000usize),
        1 => 1..=1_000_000usize,
    ]
}

fn cost_bps() -> impl Strategy<Value = f64> {
    prop_oneof![Just(0.0), 0.0..=50.0, 50.0..=1_000.0]
}

fn settings() -> impl Strategy<Value = EngineSettings> {
    let periods = (1..=30u32, 1..=60u32, 1..=40u32, 1..=40u32);
    let strategy = (
        prop_oneof![3 => 40.0..=100.0, 1 => 1.0..=40.0],
        prop_oneof![0.0001..=0.05, 0.05..=1.0],
        prop_oneof![0.1..=1.0, 1.0..=6.0],
        prop_oneof![Just(1.0), 0.01..=1.0],
    );
    let money = (cost_bps(), cost_bps(), prop_oneof![Just(1e6), 1.0..=1e9]);
    (batch_size(), periods, strategy, money).prop_map(
        |(
            batch_size,
            (ema_fast, slow_extra, rsi_period, atr_period),
            (rsi_overbought, risk_per_trade, stop_atr_multiple, max_exposure),
            (slippage_bps, commission_bps, initial_cash),
        )| EngineSettings {
            batch_size,
            ema_fast,
            ema_slow: ema_fast + slow_extra,
            rsi_period,
            rsi_overbought,
            atr_period,
            risk_per_trade,
            stop_atr_multiple,
            max_exposure,
            slippage_bps,
            commission_bps,
            initial_cash,
        },
    )
}

fn broken() -> impl Strategy<Value = Break> {
    let bad_number = prop_oneof![Just(f64::NAN), Just(f64::INFINITY), Just(f64::NEG_INFINITY)];
    prop_oneof![
        (0..5usize, bad_number).prop_map(|(field, v)| Break::NotFinite(field, v)),
        Just(Break::HighBelowBody),
        Just(Break::LowAboveBody),
        prop_oneof![Just(0.0), Just(-0.0), -10.0..0.0].prop_map(Break::LowNotPositive),
        prop_oneof![Just(0.0), Just(-0.0), -10.0..0.0].prop_map(Break::VolumeNotPositive),
        Just(Break::TimestampRepeats),
        Just(Break::TimestampGoesBack),
    ]
}

fn case() -> impl Strategy<Value = Case> {
    (
        length(),
        any::<u64>(),
        symbol(),
        settings(),
        prop::collection::vec((0.0..1.0, prop_oneof![0.5..0.99, 1.01..1.5]), 0..4),
        prop_oneof![6 => Just(None), 1 => (0.0..1.0, broken()).prop_map(Some)],
    )
        .prop_map(|(candles, seed, symbol, settings, shocks, broken)| Case {
            candles,
            seed,
            symbol,
            settings,
            shocks,
            broken,
        })
}

/// The case's candles: generated, shocked, maybe broken.
fn series(case: &Case) -> CandleSeries {
    let mut s = generate(case.candles, case.seed, &case.symbol);
    let n = s.len();
    let at = |fraction: f64| (fraction * n as f64) as usize;
    for &(fraction, factor) in &case.shocks {
        let i = at(fraction);
        if i < s.len() {
            s.open[i] *= factor;
            s.high[i] *= factor;
            s.low[i] *= factor;
            s.close[i] *= factor;
        }
    }
    if let Some((fraction, how)) = case.broken {
        let i = at(fraction);
        if i < s.len() {
            match how {
                Break::NotFinite(field, v) => {
                    [
                        &mut s.open,
                        &mut s.high,
                        &mut s.low,
                        &mut s.close,
                        &mut s.volume,
                    ][field][i] = v
                }
                Break::HighBelowBody => s.high[i] = s.open[i].max(s.close[i]) * 0.999,
                Break::LowAboveBody => s.low[i] = s.open[i].min(s.close[i]) * 1.001,
                Break::LowNotPositive(v) => s.low[i] = v,
                Break::VolumeNotPositive(v) => s.volume[i] = v,
                Break::TimestampRepeats if i > 0 => s.ts[i] = s.ts[i - 1],
                Break::TimestampGoesBack if i > 0 => s.ts[i] = s.ts[i - 1] - 1,
                Break::TimestampRepeats | Break::TimestampGoesBack => {}
            }
        }
    }
    s
}

fn bars(s: &CandleSeries) -> Vec<Bar> {
    (0..s.len())
        .map(|i| Bar {
            ts: s.ts[i],
            open: s.open[i],
            high: s.high[i],
            low: s.low[i],
            close: s.close[i],
            volume: s.volume[i],
        })
        .collect()
}

/// Whether `a` and `b` agree within [`TOLERANCE`] of the larger of them, or of `scale` when
/// both are smaller (a profit near zero is the difference of two large amounts).
fn close(a: f64, b: f64, scale: f64) -> bool {
    a == b || (a - b).abs() <= TOLERANCE * a.abs().max(b.abs()).max(scale)
}

fn check_trade(i: usize, got: &Trade, want: &reference::Trade) -> Result<(), TestCaseError> {
    let notional = want.size * want.entry_price;
    let reason = match got.exit {
        ExitReason::Signal => Reason::Signal,
        ExitReason::StopLoss => Reason::StopLoss,
    };
    let side = (got.quantity > 0.0).then_some(Side::Long);
    prop_assert_eq!(
        (
            got.entry_index as usize,
            got.exit_index as usize,
            side,
            reason
        ),
        (
            want.entry_index,
            want.exit_index,
            Some(want.side),
            want.reason
        ),
        "trade {}: engine {:?}, reference {:?}",
        i,
        got,
        want
    );
    for (what, g, w, scale) in [
        ("size", got.quantity, want.size, 0.0),
        ("entry price", got.entry_price, want.entry_price, 0.0),
        ("exit price", got.exit_price, want.exit_price, 0.0),
        ("fees", got.fees, want.fees, notional),
        ("pnl", got.pnl, want.pnl, notional),
    ] {
        prop_assert!(
            close(g, w, scale),
            "trade {} {}: engine {}, reference {}\nengine {:?}\nreference {:?}",
            i,
            what,
            g,
            w,
            got,
            want
        );
    }
    Ok(())
}

fn check_report(
    settings: &EngineSettings,
    outcome: &Outcome,
    trades: &[Trade],
    equity: &[f64],
    want: &Report,
) -> Result<(), TestCaseError> {
    let cash = settings.initial_cash;
    prop_assert_eq!(trades.len(), want.trades.len(), "trade count");
    prop_assert_eq!(outcome.trades as usize, want.trades.len());
    for (i, (got, want)) in trades.iter().zip(&want.trades).enumerate() {
        check_trade(i, got, want)?;
    }
    prop_assert_eq!(equity.len(), want.equity.len(), "equity path length");
    for (t, (&g, &w)) in equity.iter().zip(&want.equity).enumerate() {
        prop_assert!(
            close(g, w, 0.0),
            "equity at candle {}: engine {}, reference {}",
            t,
            g,
            w
        );
    }
    let final_equity = want.equity.last().copied().unwrap_or(cash);
    prop_assert!(
        close(outcome.final_equity, final_equity, 0.0),
        "final equity: engine {}, reference {}",
        outcome.final_equity,
        final_equity
    );
    prop_assert!(
        close(outcome.max_drawdown, want.max_drawdown, 0.0),
        "max drawdown: engine {}, reference {}",
        outcome.max_drawdown,
        want.max_drawdown
    );
    Ok(())
}

/// Runs both sides over `case` and requires them to agree.
fn agree(case: &Case) -> Result<(), TestCaseError> {
    prop_assert_eq!(case.settings.validate(), Ok(()));
    let s = series(case);
    let mut engine = Engine::new(case.settings);
    let mut equity = Vec::new();
    let got = engine.run_with_equity(&s, &mut equity);
    match (got, backtest(&bars(&s), &case.settings)) {
        (Ok(outcome), Ok(want)) => {
            check_report(
                &case.settings,
                &outcome,
                engine.ledger().trades(),
                &equity,
                &want,
            )?;
            let plain = engine.run(&s, None);
            prop_assert_eq!(plain, Ok(outcome), "run and run_with_equity disagree");
        }
        (Err(EngineError::InvalidCandle { index, reason }), Err(want)) => {
            prop_assert_eq!(Rejected { index, reason }, want);
        }
        (got, want) => {
            return Err(TestCaseError::fail(format!(
                "engine {:?}, reference {:?}",
                got.map(|o| o.trades),
                want.map(|r| r.trades.len())
            )))
        }
    }
    Ok(())
}

fn config() -> ProptestConfig {
    // `ProptestConfig::default()` reads PROPTEST_CASES; only without it do we pick the count.
    let mut config = ProptestConfig::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = DEFAULT_CASES;
    }
    config
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn the_engine_makes_the_reference_backtesters_trades(case in case()) {
        agree(&case)?;
    }
}

/// The generated cases must reach every branch the property is about, or agreeing proves
/// little: trades closed both ways, stops filled at a gapping open, rejected candles.
#[test]
fn generated_cases_reach_stops_gaps_signals_and_rejections() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let (mut signal, mut stop, mut gap_stop, mut rejected) = (0, 0, 0, 0);
    for _ in 0..300 {
        let case = case().new_tree(&mut runner).unwrap().current();
        let s = series(&case);
        match backtest(&bars(&s), &case.settings) {
            Ok(report) => {
                let slippage = case.settings.slippage_bps / 10_000.0;
                for t in &report.trades {
                    let at_open = t.exit_price == s.open[t.exit_index] * (1.0 - slippage);
                    match t.reason {
                        Reason::Signal => signal += 1,
                        Reason::StopLoss if at_open => gap_stop += 1,
                        Reason::StopLoss => stop += 1,
                    }
                }
            }
            Err(_) => rejected += 1,
        }
    }
    assert!(
        signal > 500 && stop > 500 && gap_stop > 10 && rejected > 20,
        "signal exits {signal}, stops {stop}, stops at a gapping open {gap_stop}, rejected {rejected}"
    );
}
