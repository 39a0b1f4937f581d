//! The backtester's specification in executable form: the engine's strategy written the plainest
//! way, one candle at a time, with textbook formulas. No batches, no columns, no prefetch, no
//! digests, no shortcuts: where the engine is fast, this is obvious.
//!
//! It shares no code with the engine but [`EngineSettings`], the knobs both read. Candles come in
//! as plain [`Bar`] values. `tests/reference_agrees.rs` runs both over generated cases and
//! requires the same result.
//!
//! The strategy, candle by candle (index `t`):
//! 1. Validation: every price and the volume finite, the high at or above open and close, the
//!    low at or below them and above zero, the volume not negative, each timestamp after the last.
//! 2. Indicators: EMAs of the close (`alpha = 2 / (n + 1)`), seeded with the first close;
//!    Wilder's averages of gains and losses (seeded with zero) and of the true range (seeded
//!    with the first candle's range). The first candle has no previous close: its change is
//!    zero and its true range is its own range.
//! 3. Signal, once `t >= ema_slow`: buy when the fast EMA crosses above the slow one (the gap
//!    was `<= 0` on the last candle, `> 0` now; before the first candle it counts as 0) while
//!    the RSI is below `rsi_overbought`; sell when it crosses below (`>= 0`, then `< 0`).
//! 4. Execution: an order placed on candle `t` fills at the open of `t + 1`, slippage against
//!    the trader, commission on the traded value. Then, while long, a low at or below the stop
//!    sells at the stop, or at the open when the candle opened below it. Then the signal: a buy
//!    while flat sizes the order so that the stop (`stop_atr_multiple` ATRs below the close)
//!    loses `risk_per_trade` of the cash, at most `max_exposure` of the cash in value; a sell
//!    while long sells the whole position.
//! 5. Equity: cash plus the position at the close; the drawdown is the fall from the highest
//!    equity so far (the initial cash at first), as a fraction of that high.
//!
//! An order still pending after the last candle is dropped; a position still open is only
//! marked at the last close.

use perfsuite::engine::settings::EngineSettings;

/// One candle, as plain values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bar {
    /// Open time, ms.
    pub ts: i64,
    /// Opening price.
    pub open: f64,
    /// Highest price.
    pub high: f64,
    /// Lowest price.
    pub low: f64,
    /// Closing price.
    pub close: f64,
    /// Traded volume.
    pub volume: f64,
}

/// Which way a trade went. The strategy only ever buys first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// Bought, then sold.
    Long,
}

/// Why a trade closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// The sell signal, filled at the next open.
    Signal,
    /// The stop-loss.
    StopLoss,
}

/// One round trip.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Trade {
    /// Candle of the buy fill.
    pub entry_index: usize,
    /// Candle of the sell fill.
    pub exit_index: usize,
    /// Long, always.
    pub side: Side,
    /// Quantity bought and sold.
    pub size: f64,
    /// Buy price, slippage included.
    pub entry_price: f64,
    /// Sell price, slippage included.
    pub exit_price: f64,
    /// Commission on both fills.
    pub fees: f64,
    /// Sale proceeds minus purchase cost, commissions included.
    pub pnl: f64,
    /// Why it closed.
    pub reason: Reason,
}

/// What a backtest produced.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// Closed round trips, in order.
    pub trades: Vec<Trade>,
    /// Equity after each candle.
    pub equity: Vec<f64>,
    /// Largest fall from a high, as a fraction of the high.
    pub max_drawdown: f64,
}

/// The first candle that is not valid, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejected {
    /// Its index.
    pub index: usize,
    /// The broken rule, worded as the engine words it.
    pub reason: &'static str,
}

/// Checks one candle against the rules of step 1.
fn check(bar: &Bar, previous: Option<&Bar>) -> Result<(), &'static str> {
    let values = [bar.open, bar.high, bar.low, bar.close, bar.volume];
    if values.iter().any(|v| v.is_nan() || v.is_infinite()) {
        return Err("a price or volume is not finite");
    }
    if bar.high < bar.open || bar.high < bar.close {
        return Err("high is below open or close");
    }
    if bar.low > bar.open || bar.low > bar.close {
        return Err("low is above open or close");
    }
    if bar.low <= 0.0 {
        return Err("low is not positive");
    }
    if bar.volume < 0.0 {
        return Err("volume is negative");
    }
    if let Some(previous) = previous {
        if bar.ts <= previous.ts {
            return Err("timestamp does not increase");
        }
    }
    Ok(())
}

/// An order waiting for the next open.
enum Order {
    /// Buy this many, and stop out at `stop`.
    Buy { size: f64, stop: f64 },
    /// Sell the whole position.
    Sell,
}

/// The position held, with what its trade needs when it closes.
struct Holding {
    entry_index: usize,
    size: f64,
    entry_price: f64,
    entry_fee: f64,
    stop: f64,
}

/// Runs the strategy over `bars` with `s`.
pub fn backtest(bars: &[Bar], s: &EngineSettings) -> Result<Report, Rejected> {
    for (index, bar) in bars.iter().enumerate() {
        let previous = if index == 0 {
            None
        } else {
            Some(&bars[index - 1])
        };
        if let Err(reason) = check(bar, previous) {
            return Err(Rejected { index, reason });
        }
    }

    let slippage = s.slippage_bps / 10_000.0;
    let commission = s.commission_bps / 10_000.0;
    let ema_weight = |period: u32| 2.0 / (period as f64 + 1.0);
    let (fast_weight, slow_weight) = (ema_weight(s.ema_fast), ema_weight(s.ema_slow));
    let rsi_n = s.rsi_period as f64;
    let atr_n = s.atr_period as f64;

    let mut report = Report {
        trades: Vec::new(),
        equity: Vec::new(),
        max_drawdown: 0.0,
    };
    let Some(first) = bars.first() else {
        return Ok(report);
    };
    let mut fast = first.close;
    let mut slow = first.close;
    let mut avg_gain = 0.0;
    let mut avg_loss = 0.0;
    let mut atr = first.high - first.low;
    let mut last_gap = 0.0;

    let mut cash = s.initial_cash;
    let mut holding: Option<Holding> = None;
    let mut order: Option<Order> = None;
    let mut high_water = s.initial_cash;

    for (t, bar) in bars.iter().enumerate() {
        // Indicators.
        let previous_close = if t == 0 { bar.close } else { bars[t - 1].close };
        let change = bar.close - previous_close;
        let gain = if change > 0.0 { change } else { 0.0 };
        let loss = if change < 0.0 { -change } else { 0.0 };
        avg_gain = (avg_gain * (rsi_n - 1.0) + gain) / rsi_n;
        avg_loss = (avg_loss * (rsi_n - 1.0) + loss) / rsi_n;
        let rsi = if avg_loss == 0.0 {
            100.0
        } else {
            100.0 - 100.0 / (1.0 + avg_gain / avg_loss)
        };
        let true_range = [
            bar.high - bar.low,
            (bar.high - previous_close).abs(),
            (bar.low - previous_close).abs(),
        ]
        .into_iter()
        .fold(0.0, f64::max);
        atr = (atr * (atr_n - 1.0) + true_range) / atr_n;
        fast = fast_weight * bar.close + (1.0 - fast_weight) * fast;
        slow = slow_weight * bar.close + (1.0 - slow_weight) * slow;

        // Signal.
        let gap = fast - slow;
        let ready = t >= s.ema_slow as usize;
        let buy_signal = ready && last_gap <= 0.0 && gap > 0.0 && rsi < s.rsi_overbought;
        let sell_signal = ready && last_gap >= 0.0 && gap < 0.0;
        last_gap = gap;

        // Execution: yesterday's order at today's open.
        match order.take() {
            Some(Order::Buy { size, stop }) => {
                let price = bar.open * (1.0 + slippage);
                let fee = size * price * commission;
                cash = cash - size * price - fee;
                holding = Some(Holding {
                    entry_index: t,
                    size,
                    entry_price: price,
                    entry_fee: fee,
                    stop,
                });
            }
            Some(Order::Sell) => {
                let h = holding
                    .take()
                    .expect("a sell order is placed only while long");
                let price = bar.open * (1.0 - slippage);
                cash += sell(&h, t, price, Reason::Signal, commission, &mut report);
            }
            None => {}
        }
        // The stop, inside the candle.
        if let Some(h) = holding.take_if(|h| bar.low <= h.stop) {
            let fill = if bar.open < h.stop { bar.open } else { h.stop };
            let price = fill * (1.0 - slippage);
            cash += sell(&h, t, price, Reason::StopLoss, commission, &mut report);
        }
        // Today's signal becomes an order for tomorrow.
        if buy_signal && holding.is_none() {
            let stop_distance = s.stop_atr_multiple * atr;
            if stop_distance > 0.0 {
                let by_risk = cash * s.risk_per_trade / stop_distance;
                let by_exposure = cash * s.max_exposure / bar.close;
                let size = if by_risk < by_exposure {
                    by_risk
                } else {
                    by_exposure
                };
                if size > 0.0 {
                    let stop = bar.close - stop_distance;
                    order = Some(Order::Buy { size, stop });
                }
            }
        } else if sell_signal && holding.is_some() {
            order = Some(Order::Sell);
        }

        // Equity and drawdown.
        let equity = cash + holding.as_ref().map_or(0.0, |h| h.size * bar.close);
        report.equity.push(equity);
        if equity > high_water {
            high_water = equity;
        }
        let drawdown = (high_water - equity) / high_water;
        if drawdown > report.max_drawdown {
            report.max_drawdown = drawdown;
        }
    }
    Ok(report)
}

/// Sells holding `h` at `price` on candle `t`, records the trade and returns the cash received.
fn sell(
    h: &Holding,
    t: usize,
    price: f64,
    reason: Reason,
    commission: f64,
    report: &mut Report,
) -> f64 {
    let proceeds = h.size * price;
    let fee = proceeds * commission;
    let fees = h.entry_fee + fee;
    report.trades.push(Trade {
        entry_index: h.entry_index,
        exit_index: t,
        side: Side::Long,
        size: h.size,
        entry_price: h.entry_price,
        exit_price: price,
        fees,
        pnl: proceeds - h.size * h.entry_price - fees,
        reason,
    });
    proceeds - fee
}
