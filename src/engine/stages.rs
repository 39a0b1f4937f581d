//! The stages a batch of candles passes through, each a small type holding only its own state.
//!
//! Stages communicate through [`Columns`], per-batch arrays allocated once per engine. Ingest,
//! indicators, signal and portfolio are plain passes over arrays; risk and execution are fused
//! into one sequential pass because sizing needs the equity that the previous fill produced.

use super::fingerprint::{Fnv1a, INDICATOR_STRIDE};
use super::indicators::{true_range, Ema, Rsi};
use super::ledger::{ExitReason, Ledger, Trade};
use super::settings::EngineSettings;
use super::EngineError;

/// One batch of raw candles: equal-length column slices.
pub(crate) struct Batch<'a> {
    pub start: usize,
    pub ts: &'a [i64],
    pub open: &'a [f64],
    pub high: &'a [f64],
    pub low: &'a [f64],
    pub close: &'a [f64],
    pub volume: &'a [f64],
}

/// The raw columns of the batch after the current one, fetched into cache while the indicators'
/// recurrences leave the memory system idle; otherwise ingest waits on memory a batch at a time
/// once a series outgrows the cache.
pub(crate) struct NextBatch {
    columns: [*const u8; 6],
    bytes: usize,
}

impl NextBatch {
    /// The batch after the one starting at candle `start`, batches being `batch_size` candles
    /// long (empty past the end).
    pub(crate) fn after(s: &super::candles::CandleSeries, start: usize, batch_size: usize) -> Self {
        // cannot panic: start < len and batch_size <= 1e8 (BATCH_SIZE).
        let end = |batches: usize| (start + batches * batch_size).min(s.len());
        Self::new(s, end(1)..end(2))
    }

    /// The batch of `series` at `range` (empty past the end).
    fn new(s: &super::candles::CandleSeries, range: std::ops::Range<usize>) -> Self {
        let start = |column: &[f64]| column[range.start..].as_ptr().cast::<u8>();
        Self {
            columns: [
                s.ts[range.start..].as_ptr().cast::<u8>(),
                start(&s.open),
                start(&s.high),
                start(&s.low),
                start(&s.close),
                start(&s.volume),
            ],
            bytes: range.len() * 8,
        }
    }

    /// Prefetches one cache line, cycling through the six columns: called once per candle of a
    /// batch, it covers the next batch of the same size.
    #[inline(always)]
    pub(crate) fn prefetch(&self, i: usize) {
        let offset = i / self.columns.len() * 64;
        if offset < self.bytes {
            let line = self.columns[i % self.columns.len()].wrapping_add(offset);
            #[cfg(target_arch = "x86_64")]
            // SAFETY: a prefetch is only a hint; it never faults and changes no memory. `line`
            // lies inside the series' column anyway.
            unsafe {
                std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(
                    line.cast::<i8>(),
                )
            };
            #[cfg(not(target_arch = "x86_64"))]
            let _ = line;
        }
    }
}

/// Signal codes written by the signal stage.
pub(crate) const ENTER_LONG: i8 = 1;
pub(crate) const EXIT_LONG: i8 = -1;

/// Per-batch working arrays, sized to the batch size once.
pub(crate) struct Columns {
    change: Vec<f64>,
    true_range: Vec<f64>,
    ema_fast: Vec<f64>,
    ema_slow: Vec<f64>,
    gain: Vec<f64>,
    loss: Vec<f64>,
    atr: Vec<f64>,
    signal: Vec<i8>,
    cash: Vec<f64>,
    position: Vec<f64>,
}

impl Columns {
    /// The equity after candle `i` of batch `b`, which these columns were last filled from.
    pub(crate) fn equity(&self, i: usize, b: &Batch) -> f64 {
        mark_to_market(self.cash[i], self.position[i], b.close[i])
    }

    pub(crate) fn new(batch_size: usize) -> Self {
        // cannot panic: batches hold at most batch_size candles, so every i < len here.
        let f = || vec![0.0; batch_size];
        Self {
            change: f(),
            true_range: f(),
            ema_fast: f(),
            ema_slow: f(),
            gain: f(),
            loss: f(),
            atr: f(),
            signal: vec![0; batch_size],
            cash: f(),
            position: f(),
        }
    }
}

/// Validates candles and derives the inputs of the indicators.
pub(crate) struct Ingest {
    prev_close: f64,
    prev_ts: i64,
}

impl Ingest {
    pub(crate) fn new(first_close: f64, first_ts: i64) -> Self {
        Self {
            prev_close: first_close,
            // data::time keeps times read within ±1e18 ms; saturating holds for any series.
            prev_ts: first_ts.saturating_sub(1),
        }
    }

    #[inline(always)]
    pub(crate) fn run(&mut self, b: &Batch, cols: &mut Columns) -> Result<(), EngineError> {
        let n = b.close.len();
        let mut bad = false;
        for i in 0..n {
            let (o, h, l, c, v) = (b.open[i], b.high[i], b.low[i], b.close[i], b.volume[i]);
            let finite =
                o.is_finite() & h.is_finite() & l.is_finite() & c.is_finite() & v.is_finite();
            let ok = finite & (h >= o.max(c)) & (l <= o.min(c)) & (l > 0.0) & (v >= 0.0);
            bad |= !ok;
        }
        let mut prev_ts = self.prev_ts;
        for &ts in b.ts {
            bad |= ts <= prev_ts;
            prev_ts = ts;
        }
        if bad {
            return Err(self.first_invalid(b));
        }
        let mut prev_close = self.prev_close;
        for i in 0..n {
            cols.change[i] = b.close[i] - prev_close;
            cols.true_range[i] = true_range(b.high[i], b.low[i], prev_close);
            prev_close = b.close[i];
        }
        self.prev_close = prev_close;
        self.prev_ts = prev_ts;
        Ok(())
    }

    /// Finds and describes the first invalid candle of a batch known to hold one.
    fn first_invalid(&self, b: &Batch) -> EngineError {
        let mut prev_ts = self.prev_ts;
        for i in 0..b.close.len() {
            let (o, h, l, c, v) = (b.open[i], b.high[i], b.low[i], b.close[i], b.volume[i]);
            let reason = if [o, h, l, c, v].iter().any(|x| !x.is_finite()) {
                "a price or volume is not finite"
            } else if h < o.max(c) {
                "high is below open or close"
            } else if l > o.min(c) {
                "low is above open or close"
            } else if l <= 0.0 {
                "low is not positive"
            } else if v < 0.0 {
                "volume is negative"
            } else if b.ts[i] <= prev_ts {
                "timestamp does not increase"
            } else {
                prev_ts = b.ts[i];
                continue;
            };
            return EngineError::InvalidCandle {
                index: b.start + i,
                reason,
            };
        }
        unreachable!("first_invalid is called only on a batch that failed validation")
    }
}

/// EMA fast and slow, Wilder's RSI and the ATR, updated once per candle, and a digest of their
/// values at every [`INDICATOR_STRIDE`]th candle.
pub(crate) struct Indicators {
    fast: Ema,
    slow: Ema,
    rsi: Rsi,
    atr: Ema,
    digest: Fnv1a,
}

impl Indicators {
    pub(crate) fn new(s: &EngineSettings, first_close: f64, first_range: f64) -> Self {
        Self {
            fast: Ema::new(s.ema_fast, first_close),
            slow: Ema::new(s.ema_slow, first_close),
            rsi: Rsi::new(s.rsi_period),
            atr: Ema::wilder(s.atr_period, first_range),
            digest: Fnv1a::default(),
        }
    }

    #[inline(always)]
    pub(crate) fn run(&mut self, b: &Batch, cols: &mut Columns, next: &NextBatch) {
        for i in 0..b.close.len() {
            next.prefetch(i);
            cols.ema_fast[i] = self.fast.update(b.close[i]);
            cols.ema_slow[i] = self.slow.update(b.close[i]);
            (cols.gain[i], cols.loss[i]) = self.rsi.update(cols.change[i]);
            cols.atr[i] = self.atr.update(cols.true_range[i]);
        }
        // Candle indices, not batch positions, so the digest is the same for any batch size.
        let first = b.start.next_multiple_of(INDICATOR_STRIDE) - b.start;
        for i in (first..b.close.len()).step_by(INDICATOR_STRIDE) {
            for value in [
                cols.ema_fast[i],
                cols.ema_slow[i],
                cols.gain[i],
                cols.loss[i],
                cols.atr[i],
            ] {
                self.digest.float(value);
            }
        }
    }

    /// The digest of the sampled values, with the indicators' last values folded in.
    pub(crate) fn digest(&self) -> Fnv1a {
        let mut digest = self.digest;
        let (gain, loss) = self.rsi.averages();
        for value in [
            self.fast.value(),
            self.slow.value(),
            gain,
            loss,
            self.atr.value(),
        ] {
            digest.float(value);
        }
        digest
    }
}

/// EMA crossover filtered by RSI: enter long when the fast EMA crosses above the slow one and the
/// RSI is below the overbought level; exit when it crosses back below. Silent until the slow EMA
/// has seen `ema_slow` candles.
pub(crate) struct Signal {
    prev_diff: f64,
    overbought: f64,
    warmup: usize,
}

impl Signal {
    pub(crate) fn new(s: &EngineSettings) -> Self {
        Self {
            prev_diff: 0.0,
            overbought: s.rsi_overbought,
            warmup: s.ema_slow as usize,
        }
    }

    #[inline(always)]
    pub(crate) fn run(&mut self, b: &Batch, cols: &mut Columns) {
        let mut prev = self.prev_diff;
        for i in 0..b.close.len() {
            let diff = cols.ema_fast[i] - cols.ema_slow[i];
            let rsi = Rsi::value_of(cols.gain[i], cols.loss[i]);
            let ready = b.start + i >= self.warmup;
            let enter = ready & (prev <= 0.0) & (diff > 0.0) & (rsi < self.overbought);
            let exit = ready & (prev >= 0.0) & (diff < 0.0);
            cols.signal[i] = if enter {
                ENTER_LONG
            } else if exit {
                EXIT_LONG
            } else {
                0
            };
            prev = diff;
        }
        self.prev_diff = prev;
    }
}

/// Risk, sizing and execution, fused: market orders fill at the next candle's open with slippage
/// and commission; a long position's stop-loss triggers inside the bar, at the stop or at the open
/// when the bar gaps through it.
pub(crate) struct Execution {
    cash: f64,
    position: f64,
    pending: f64,
    stop: f64,
    entry: Option<OpenTrade>,
    slippage: f64,
    commission: f64,
    risk_per_trade: f64,
    stop_atr_multiple: f64,
    max_exposure: f64,
}

/// The entry half of a round trip, until it is closed.
struct OpenTrade {
    index: usize,
    price: f64,
    fees: f64,
}

impl Execution {
    pub(crate) fn new(s: &EngineSettings) -> Self {
        Self {
            cash: s.initial_cash,
            position: 0.0,
            pending: 0.0,
            stop: 0.0,
            entry: None,
            slippage: s.slippage_bps * 1e-4,
            commission: s.commission_bps * 1e-4,
            risk_per_trade: s.risk_per_trade,
            stop_atr_multiple: s.stop_atr_multiple,
            max_exposure: s.max_exposure,
        }
    }

    #[inline(always)]
    pub(crate) fn run(&mut self, b: &Batch, cols: &mut Columns, ledger: &mut Ledger) {
        for i in 0..b.close.len() {
            if self.pending != 0.0 {
                self.fill_pending(b.start + i, b.open[i], ledger);
            }
            if self.position > 0.0 && b.low[i] <= self.stop {
                let price = self.stop.min(b.open[i]) * (1.0 - self.slippage);
                self.close_position(b.start + i, price, ExitReason::StopLoss, ledger);
            }
            match cols.signal[i] {
                ENTER_LONG if self.position == 0.0 => self.size_entry(b.close[i], cols.atr[i]),
                EXIT_LONG if self.position > 0.0 => self.pending = -self.position,
                _ => {}
            }
            cols.cash[i] = self.cash;
            cols.position[i] = self.position;
        }
    }

    /// Risk: a quantity whose loss at the stop is `risk_per_trade` of equity, capped so that the
    /// position's value stays within `max_exposure` of equity.
    fn size_entry(&mut self, close: f64, atr: f64) {
        let equity = self.cash; // flat: equity is cash
        let stop_distance = self.stop_atr_multiple * atr;
        if stop_distance <= 0.0 {
            return;
        }
        let quantity =
            (self.risk_per_trade * equity / stop_distance).min(self.max_exposure * equity / close);
        if quantity > 0.0 {
            self.pending = quantity;
            self.stop = close - stop_distance;
        }
    }

    fn fill_pending(&mut self, index: usize, open: f64, ledger: &mut Ledger) {
        let quantity = std::mem::take(&mut self.pending);
        if quantity > 0.0 {
            let price = open * (1.0 + self.slippage);
            let fee = quantity * price * self.commission;
            self.cash -= quantity * price + fee;
            self.position = quantity;
            self.entry = Some(OpenTrade {
                index,
                price,
                fees: fee,
            });
        } else {
            self.close_position(
                index,
                open * (1.0 - self.slippage),
                ExitReason::Signal,
                ledger,
            );
        }
    }

    fn close_position(
        &mut self,
        index: usize,
        price: f64,
        reason: ExitReason,
        ledger: &mut Ledger,
    ) {
        let quantity = self.position;
        let fee = quantity * price * self.commission;
        self.cash += quantity * price - fee;
        self.position = 0.0;
        let entry = self.entry.take().expect("an open position has an entry");
        let fees = entry.fees + fee;
        ledger.record(Trade {
            entry_index: entry.index as u64,
            exit_index: index as u64,
            quantity,
            entry_price: entry.price,
            exit_price: price,
            fees,
            pnl: quantity * (price - entry.price) - fees,
            exit: reason,
        });
    }
}

/// Equity: cash plus the position valued at `close`.
#[inline(always)]
pub(crate) fn mark_to_market(cash: f64, position: f64, close: f64) -> f64 {
    cash + position * close
}

/// Mark-to-market equity per candle, its running peak, the maximum drawdown, and a digest of the
/// whole equity path.
pub(crate) struct Portfolio {
    peak: f64,
    max_drawdown: f64,
    equity: f64,
    digest: Fnv1a,
}

impl Portfolio {
    pub(crate) fn new(initial_cash: f64) -> Self {
        Self {
            peak: initial_cash,
            max_drawdown: 0.0,
            equity: initial_cash,
            digest: Fnv1a::default(),
        }
    }

    #[inline(always)]
    pub(crate) fn run(&mut self, b: &Batch, cols: &Columns) {
        let (mut peak, mut max_drawdown, mut equity, mut digest) =
            (self.peak, self.max_drawdown, self.equity, self.digest);
        for i in 0..b.close.len() {
            equity = mark_to_market(cols.cash[i], cols.position[i], b.close[i]);
            digest.float(equity);
            if equity > peak {
                peak = equity;
            }
            // Compared by multiplication; the division runs only when the drawdown grows.
            if peak - equity > max_drawdown * peak {
                max_drawdown = (peak - equity) / peak;
            }
        }
        (self.peak, self.max_drawdown, self.equity, self.digest) =
            (peak, max_drawdown, equity, digest);
    }

    pub(crate) fn equity(&self) -> f64 {
        self.equity
    }

    pub(crate) fn max_drawdown(&self) -> f64 {
        self.max_drawdown
    }

    pub(crate) fn digest(&self) -> Fnv1a {
        self.digest
    }
}
