//! The backtest engine: an event-driven backtester over OHLCV candles, run in batches.
//!
//! A batch passes ingest → indicators → signal → execution (risk, sizing, fills, stops) →
//! portfolio. Every stage carries its state from batch to batch, so the batch size changes how
//! finely the stages are timed, never what the backtest computes. The engine knows nothing of
//! scenarios, budgets, files or the command line.

pub mod candles;
pub mod extra_work;
pub mod fingerprint;
pub mod indicators;
pub mod ledger;
pub mod settings;
mod stages;
pub mod timing;

use candles::CandleSeries;
use fingerprint::{Fingerprint, Fnv1a};
use ledger::Ledger;
use settings::EngineSettings;
use stages::{Batch, Columns, Execution, Indicators, Ingest, NextBatch, Portfolio, Signal};
use timing::{Stage, StageTimings, Stopwatch};

/// Why a backtest could not run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EngineError {
    /// A candle failed validation at ingest.
    #[error("candle {index} is invalid: {reason}")]
    InvalidCandle {
        /// Its index in the series.
        index: usize,
        /// What is wrong with it.
        reason: &'static str,
    },
}

/// What one backtest produced.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// Closed round trips.
    pub trades: u64,
    /// Equity at the last close.
    pub final_equity: f64,
    /// Largest peak-to-trough fall of equity, as a fraction of the peak.
    pub max_drawdown: f64,
    /// Digest of the trade ledger, the equity path, the maximum drawdown and the indicator values
    /// (see [`Fingerprint`]).
    pub digest: u64,
}

impl Outcome {
    /// The fingerprint recorded in bench.json.
    pub fn fingerprint(&self) -> Fingerprint {
        Fingerprint {
            trades: self.trades,
            final_equity: self.final_equity,
            max_drawdown: self.max_drawdown,
            digest: format!("{:016x}", self.digest),
        }
    }
}

/// A reusable backtester: working storage is allocated once, in [`Engine::new`], so repeated
/// runs allocate nothing but trade ledger growth.
pub struct Engine {
    settings: EngineSettings,
    columns: Columns,
    ledger: Ledger,
}

impl Engine {
    /// An engine with valid `settings` (see [`EngineSettings::validate`]).
    pub fn new(settings: EngineSettings) -> Self {
        Self {
            settings,
            columns: Columns::new(settings.batch_size),
            ledger: Ledger::default(),
        }
    }

    /// The trades of the last run.
    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    /// How many batches a series of `candles` candles is cut into.
    pub fn batches(&self, candles: usize) -> usize {
        candles.div_ceil(self.settings.batch_size)
    }

    /// Backtests `series` from a fresh portfolio. With `timings`, each stage's wall time on each
    /// batch is recorded there (one clock read per stage per batch).
    pub fn run(
        &mut self,
        series: &CandleSeries,
        timings: Option<&mut StageTimings>,
    ) -> Result<Outcome, EngineError> {
        self.run_observed(series, timings, |_, _| {})
    }

    /// Backtests `series` like [`Engine::run`] and writes the equity path into `equity` (emptied
    /// first): one value per candle, the position marked at the candle's close, exactly as the
    /// drawdown and the digest saw it. Read outside the timed stages, so only this method pays.
    pub fn run_with_equity(
        &mut self,
        series: &CandleSeries,
        equity: &mut Vec<f64>,
    ) -> Result<Outcome, EngineError> {
        equity.clear();
        self.run_observed(series, None, |b, cols| {
            equity.extend((0..b.close.len()).map(|i| cols.equity(i, b)));
        })
    }

    /// The backtest, with `observe` called after each batch's last stage.
    fn run_observed(
        &mut self,
        series: &CandleSeries,
        timings: Option<&mut StageTimings>,
        mut observe: impl FnMut(&Batch, &Columns),
    ) -> Result<Outcome, EngineError> {
        let s = self.settings;
        self.ledger.clear();
        if series.is_empty() {
            return Ok(Outcome {
                trades: 0,
                final_equity: s.initial_cash,
                max_drawdown: 0.0,
                digest: Fnv1a::default().finish(),
            });
        }
        let first = series.get(0);
        let mut ingest = Ingest::new(first.close, first.ts);
        let mut indicators = Indicators::new(&s, first.close, first.high - first.low);
        let mut signal = Signal::new(&s);
        let mut execution = Execution::new(&s);
        let mut portfolio = Portfolio::new(s.initial_cash);
        let mut watch = Stopwatch::new(timings);
        let cols = &mut self.columns;
        for start in (0..series.len()).step_by(s.batch_size) {
            // cannot panic: start < len and batch_size <= 1e8: no overflow, r within.
            let r = start..(start + s.batch_size).min(series.len());
            let batch = Batch {
                start,
                ts: &series.ts[r.clone()],
                open: &series.open[r.clone()],
                high: &series.high[r.clone()],
                low: &series.low[r.clone()],
                close: &series.close[r.clone()],
                volume: &series.volume[r],
            };
            watch.start();
            ingest.run(&batch, cols)?;
            watch.lap(Stage::Ingest);
            let next = NextBatch::after(series, start, s.batch_size);
            indicators.run(&batch, cols, &next);
            watch.lap(Stage::Indicators);
            signal.run(&batch, cols);
            watch.lap(Stage::Signal);
            execution.run(&batch, cols, &mut self.ledger);
            watch.lap(Stage::Execution);
            portfolio.run(&batch, cols);
            extra_work::for_batch(batch.close.len());
            watch.lap(Stage::Portfolio);
            observe(&batch, cols);
        }
        let mut digest = Fnv1a::default();
        let trades = self.ledger.trades().len() as u64;
        for word in [
            self.ledger.digest().finish(),
            portfolio.digest().finish(),
            indicators.digest().finish(),
            trades,
            portfolio.equity().to_bits(),
            portfolio.max_drawdown().to_bits(),
        ] {
            digest.word(word);
        }
        Ok(Outcome {
            trades,
            final_equity: portfolio.equity(),
            max_drawdown: portfolio.max_drawdown(),
            digest: digest.finish(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::candles::{generate, Candle, CandleSeries};
    use super::ledger::ExitReason;
    use super::*;

    fn run(series: &CandleSeries, settings: EngineSettings) -> Outcome {
        Engine::new(settings).run(series, None).unwrap()
    }

    #[test]
    fn fingerprint_is_identical_for_any_batch_size() {
        let series = generate(200_000, 1337, "BTCUSDT");
        let reference = run(&series, EngineSettings::default());
        assert!(
            reference.trades > 100,
            "the strategy should trade: {reference:?}"
        );
        for batch_size in [1, 7, 4096, 1_000_000] {
            let got = run(
                &series,
                EngineSettings {
                    batch_size,
                    ..Default::default()
                },
            );
            assert_eq!(got, reference, "batch size {batch_size}");
        }
    }

    #[test]
    fn an_empty_series_is_no_trade_at_the_initial_cash() {
        let settings = EngineSettings::default();
        let outcome = run(&generate(0, 1, "BTCUSDT"), settings);
        assert_eq!(
            (outcome.trades, outcome.final_equity, outcome.max_drawdown),
            (0, settings.initial_cash, 0.0)
        );
    }

    #[test]
    fn a_small_backtest_keeps_its_pinned_fingerprint() {
        // tests/pinned_fingerprints.rs pins the shipped scenarios (30 s in a debug build);
        // this pins one of 20,000 candles, cheap enough to run against every mutant.
        let f = run(&generate(20_000, 7, "BTCUSDT"), EngineSettings::default()).fingerprint();
        let got = (f.trades, f.final_equity, f.max_drawdown, f.digest.as_str());
        assert_eq!(
            got, PINNED_SMALL,
            "if intended, pin {got:?} and say why in CHANGELOG.md"
        );
    }

    /// Trades, final equity, maximum drawdown and digest of 20,000 BTCUSDT candles, seed 7.
    const PINNED_SMALL: (u64, f64, f64, &str) = (
        347,
        764188.7191979227,
        0.31314372552558467,
        "d8fb8c2c3d59cb19",
    );

    #[test]
    fn fingerprint_ignores_timing_and_repeats() {
        let series = generate(50_000, 3, "ETHUSDT");
        let mut engine = Engine::new(EngineSettings::default());
        let untimed = engine.run(&series, None).unwrap();
        let mut timings = StageTimings::with_capacity(engine.batches(series.len()));
        let timed = engine.run(&series, Some(&mut timings)).unwrap();
        let again = engine.run(&series, None).unwrap();
        assert_eq!(untimed, timed);
        assert_eq!(untimed, again);
    }

    #[test]
    fn timing_records_one_sample_per_stage_per_batch() {
        let series = generate(10_000, 1, "BTCUSDT");
        let mut engine = Engine::new(EngineSettings {
            batch_size: 1000,
            ..Default::default()
        });
        let mut timings = StageTimings::with_capacity(10);
        engine.run(&series, Some(&mut timings)).unwrap();
        for stage in Stage::ALL {
            assert_eq!(timings.samples(stage).len(), 10, "{}", stage.name());
        }
    }

    #[test]
    fn another_seed_or_cost_changes_the_fingerprint() {
        let base = run(&generate(50_000, 1, "BTCUSDT"), EngineSettings::default());
        assert_ne!(
            base.digest,
            run(&generate(50_000, 2, "BTCUSDT"), EngineSettings::default()).digest
        );
        let costly = EngineSettings {
            commission_bps: 5.0,
            ..Default::default()
        };
        assert_ne!(
            base.digest,
            run(&generate(50_000, 1, "BTCUSDT"), costly).digest
        );
    }

    /// A hand-made path: a decline, a choppy recovery whose RSI stays moderate while the fast EMA
    /// crosses above the slow one, then a bar gapping far below any stop. Returns the series and
    /// the index of the gap bar.
    fn decline_recovery_gap() -> (CandleSeries, usize) {
        let mut s = CandleSeries::default();
        let mut push = |open: f64, close: f64| {
            let ts = s.len() as i64 * 60_000;
            s.push(Candle {
                ts,
                open,
                high: open.max(close) + 0.05,
                low: open.min(close) - 0.05,
                close,
                volume: 1.0,
            });
            close
        };
        let mut price = 100.0;
        (0..40).for_each(|_| price = push(price, price - 0.1));
        (0..40).for_each(|k| price = push(price, price + if k % 2 == 0 { 0.25 } else { -0.15 }));
        push(80.0, 79.0);
        let gap = s.len() - 1;
        (s, gap)
    }

    #[test]
    fn entry_fills_at_next_open_and_gap_stops_at_the_open() {
        let (series, gap) = decline_recovery_gap();
        let settings = EngineSettings {
            slippage_bps: 10.0,
            commission_bps: 0.0,
            ..Default::default()
        };
        let mut engine = Engine::new(settings);
        let out = engine.run(&series, None).unwrap();
        let trades = engine.ledger().trades();
        assert_eq!(out.trades, 1, "{trades:?}");
        let t = trades[0];
        assert!(t.entry_index > 40, "no entry during the decline: {t:?}");
        assert_eq!(
            t.entry_price,
            series.open[t.entry_index as usize] * 1.001,
            "fills at the next open plus slippage"
        );
        assert_eq!(t.exit, ExitReason::StopLoss);
        assert_eq!(t.exit_index, gap as u64);
        assert_eq!(
            t.exit_price,
            80.0 * 0.999,
            "a gap through the stop fills at the open"
        );
        assert!(t.pnl < 0.0);
        assert!((out.final_equity - (1_000_000.0 + t.pnl)).abs() < 1e-6);
        assert!(out.max_drawdown > 0.0);
    }

    #[test]
    fn a_stop_inside_the_bar_fills_at_the_stop() {
        let (mut series, gap) = decline_recovery_gap();
        // Replace the gap with a bar that opens above the stop and trades through it.
        let prev = series.close[gap - 1];
        (
            series.open[gap],
            series.high[gap],
            series.low[gap],
            series.close[gap],
        ) = (prev, prev + 0.1, prev - 50.0, prev - 1.0);
        let settings = EngineSettings {
            slippage_bps: 0.0,
            commission_bps: 0.0,
            ..Default::default()
        };
        let mut engine = Engine::new(settings);
        engine.run(&series, None).unwrap();
        let t = engine.ledger().trades()[0];
        assert_eq!(t.exit, ExitReason::StopLoss);
        assert!(
            t.exit_price < prev && t.exit_price > prev - 50.0,
            "fills at the stop, inside the bar: {t:?}"
        );
    }

    #[test]
    fn a_series_is_cut_into_whole_batches_and_one_partial() {
        let engine = Engine::new(EngineSettings {
            batch_size: 1000,
            ..Default::default()
        });
        let batches: Vec<usize> = [0, 1, 999, 1000, 1001, 10_000, 10_001]
            .map(|n| engine.batches(n))
            .into();
        assert_eq!(batches, [0, 1, 1, 1, 2, 10, 11]);
    }

    /// Bars of one price each: open, high, low and close within 0.05 of it.
    fn series_of(prices: &[f64]) -> CandleSeries {
        let mut s = CandleSeries::default();
        for (i, &p) in prices.iter().enumerate() {
            s.push(Candle {
                ts: i as i64 * 60_000,
                open: p,
                high: p + 0.05,
                low: p - 0.05,
                close: p,
                volume: 1.0,
            });
        }
        s
    }

    #[test]
    fn no_entry_where_the_emas_only_meet_nor_at_an_rsi_of_exactly_the_overbought_level() {
        let settings = EngineSettings {
            ema_fast: 1,
            ema_slow: 2,
            rsi_overbought: 100.0,
            ..Default::default()
        };
        // After a fall, a flat stretch brings both EMAs to 99 exactly: they meet, they do not
        // cross. A rise with no fall before it has an RSI of exactly 100: not below 100.
        let meet = [[100.0; 6].as_slice(), &[99.0; 40]].concat();
        let overbought = [[100.0; 20].as_slice(), &[101.0, 102.0, 103.0, 104.0]].concat();
        for prices in [meet, overbought] {
            let out = run(&series_of(&prices), settings);
            assert_eq!(
                (out.trades, out.final_equity),
                (0, settings.initial_cash),
                "{prices:?}"
            );
        }
    }

    #[test]
    fn an_entry_signal_while_holding_a_position_buys_nothing() {
        // With EMAs of 1 and 2 candles, a flat stretch brings both to the same price exactly
        // (flat stretches are common in real data): their difference returns to 0 without
        // crossing, and the next rise signals an entry again while the first position is held.
        let prices = [
            [100.0; 6].as_slice(),
            &[99.0, 101.0],
            &[101.0; 40],
            &[102.0, 102.0, 101.0, 100.0, 100.0],
        ]
        .concat();
        // Half the equity at most in the position, so that cash is left to buy more with.
        for max_exposure in [1.0, 0.5] {
            let settings = EngineSettings {
                ema_fast: 1,
                ema_slow: 2,
                rsi_overbought: 100.0,
                max_exposure,
                ..Default::default()
            };
            let mut engine = Engine::new(settings);
            let out = engine.run(&series_of(&prices), None).unwrap();
            let trades = engine.ledger().trades();
            assert_eq!(trades.len(), 1, "{trades:?}");
            let t = trades[0];
            assert_eq!((t.entry_index, t.exit), (8, ExitReason::Signal), "{t:?}");
            assert!(
                (out.final_equity - (settings.initial_cash + t.pnl)).abs() < 1e-6,
                "{out:?} {t:?}"
            );
        }
    }

    #[test]
    fn invalid_candle_is_reported_with_its_index() {
        /// Breaks one or more candles of a series.
        type Break = fn(&mut CandleSeries);
        let cases: [(usize, Break, usize, &str); 3] = [
            (
                16,
                |s| s.high[42] = s.low[42] - 1.0,
                42,
                "high is below open or close",
            ),
            (
                4096,
                |s| s.open[7] = f64::NAN,
                7,
                "a price or volume is not finite",
            ),
            // Zero volume is valid: the batch's first invalid candle is the one named.
            (
                4096,
                |s| (s.volume[5], s.low[50]) = (0.0, -1.0),
                50,
                "low is not positive",
            ),
        ];
        for (batch_size, break_it, index, reason) in cases {
            let mut series = generate(100, 1, "BTCUSDT");
            break_it(&mut series);
            let err = Engine::new(EngineSettings {
                batch_size,
                ..Default::default()
            })
            .run(&series, None)
            .unwrap_err();
            assert_eq!(err, EngineError::InvalidCandle { index, reason });
        }
    }
}
