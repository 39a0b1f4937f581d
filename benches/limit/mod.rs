//! The yardstick for the engine's speed: the least work one candle costs in a real event-driven
//! backtest, written as one fused loop over candles already in memory. The same strategy as the
//! engine (EMA crossover with an RSI filter, ATR risk sizing and stop, next-open fills with
//! slippage and commission, intrabar stop-loss, mark-to-market equity and drawdown), but no
//! stages, no batches, no timing and no ledger: a bound a staged engine can approach, not pass.

// Each bench uses a part of this module.
#![allow(dead_code)]

use std::time::Instant;

use perfsuite::engine::candles::CandleSeries;
use perfsuite::engine::settings::EngineSettings;

/// What the loop ends with, returned so the optimizer cannot drop the work.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ending {
    /// Cash plus the position at the last close.
    pub equity: f64,
    /// Fills, entries and exits.
    pub fills: u32,
    /// The largest fall from a peak of equity, as a fraction.
    pub max_drawdown: f64,
}

/// Exponential smoothing factor of a period: 2 / (n + 1) for an EMA, 1 / n for Wilder's.
fn ema_alpha(period: u32) -> f64 {
    2.0 / (f64::from(period) + 1.0)
}

fn wilder_alpha(period: u32) -> f64 {
    1.0 / f64::from(period)
}

/// Backtests `series` under `s` in one pass.
pub fn backtest(series: &CandleSeries, s: &EngineSettings) -> Ending {
    let (open, high, low, close) = (&series.open, &series.high, &series.low, &series.close);
    let (fast_a, slow_a) = (ema_alpha(s.ema_fast), ema_alpha(s.ema_slow));
    let (rsi_a, atr_a) = (wilder_alpha(s.rsi_period), wilder_alpha(s.atr_period));
    let (slip, fee) = (s.slippage_bps * 1e-4, s.commission_bps * 1e-4);

    let (mut fast, mut slow) = (close[0], close[0]);
    let (mut gain, mut loss, mut atr) = (0.0, 0.0, high[0] - low[0]);
    let (mut cash, mut held, mut stop, mut order) = (1e6_f64, 0.0_f64, 0.0_f64, 0.0_f64);
    let (mut peak, mut max_drawdown, mut fills) = (cash, 0.0_f64, 0_u32);
    let mut last_spread = 0.0;
    for i in 1..close.len() {
        let prev = close[i - 1];
        // A market order placed at the last close fills at this open.
        if order != 0.0 {
            let price = open[i] * (1.0 + slip * order.signum());
            cash -= order * price + (order * price).abs() * fee;
            held += order;
            order = 0.0;
            fills += 1;
        }
        // The stop triggers inside the bar, or at the open on a gap through it.
        if held > 0.0 && low[i] <= stop {
            let price = stop.min(open[i]) * (1.0 - slip);
            cash += held * price * (1.0 - fee);
            held = 0.0;
            fills += 1;
        }
        fast += fast_a * (close[i] - fast);
        slow += slow_a * (close[i] - slow);
        let change = close[i] - prev;
        gain += rsi_a * (change.max(0.0) - gain);
        loss += rsi_a * ((-change).max(0.0) - loss);
        let range = (high[i] - low[i])
            .max((high[i] - prev).abs())
            .max((low[i] - prev).abs());
        atr += atr_a * (range - atr);
        let rsi = if loss == 0.0 {
            100.0
        } else {
            100.0 - 100.0 / (1.0 + gain / loss)
        };
        let spread = fast - slow;
        let equity = cash + held * close[i];
        if held == 0.0 && last_spread <= 0.0 && spread > 0.0 && rsi < s.rsi_overbought {
            let risk = s.stop_atr_multiple * atr;
            order = (s.risk_per_trade * equity / risk).min(equity / close[i]);
            stop = close[i] - risk;
        } else if held > 0.0 && last_spread >= 0.0 && spread < 0.0 {
            order = -held;
        }
        last_spread = spread;
        peak = peak.max(equity);
        max_drawdown = max_drawdown.max(1.0 - equity / peak);
    }
    Ending {
        equity: cash + held * close[close.len() - 1],
        fills,
        max_drawdown,
    }
}

/// Candles per second of one pass of [`backtest`] over `series`.
pub fn rate(series: &CandleSeries, settings: &EngineSettings) -> f64 {
    let clock = Instant::now();
    std::hint::black_box(backtest(std::hint::black_box(series), settings));
    series.len() as f64 / clock.elapsed().as_secs_f64()
}

/// Candles per second of a plain read of every column: the memory bound under both.
pub fn read_rate(series: &CandleSeries) -> f64 {
    let clock = Instant::now();
    let columns = [
        &series.open,
        &series.high,
        &series.low,
        &series.close,
        &series.volume,
    ];
    let sum: f64 = columns.iter().map(|c| c.iter().sum::<f64>()).sum();
    std::hint::black_box(sum);
    series.len() as f64 / clock.elapsed().as_secs_f64()
}
