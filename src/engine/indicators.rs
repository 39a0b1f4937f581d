//! Incremental indicators: O(1) work and no allocation per candle.
//!
//! Each indicator keeps only its running state. Seeding follows the common convention: the EMAs
//! start at the first close, Wilder's averages of gains and losses at zero, and the ATR at the
//! first candle's range.

/// Exponential moving average with smoothing factor `alpha`.
#[derive(Debug, Clone, Copy)]
pub struct Ema {
    alpha: f64,
    value: f64,
}

impl Ema {
    /// The classic EMA of `period` candles: `alpha = 2 / (period + 1)`, seeded with `seed`.
    pub fn new(period: u32, seed: f64) -> Self {
        Self::with_alpha(2.0 / (f64::from(period) + 1.0), seed)
    }

    /// Wilder's smoothing of `period` candles: `alpha = 1 / period`, seeded with `seed`.
    pub fn wilder(period: u32, seed: f64) -> Self {
        Self::with_alpha(1.0 / f64::from(period), seed)
    }

    fn with_alpha(alpha: f64, seed: f64) -> Self {
        Self { alpha, value: seed }
    }

    /// Folds in `x` and returns the new average.
    #[inline(always)]
    pub fn update(&mut self, x: f64) -> f64 {
        self.value += self.alpha * (x - self.value);
        self.value
    }

    /// The current average.
    pub fn value(&self) -> f64 {
        self.value
    }
}

/// Wilder's relative strength index.
#[derive(Debug, Clone, Copy)]
pub struct Rsi {
    gains: Ema,
    losses: Ema,
}

impl Rsi {
    /// An RSI over `period` candles, with no history yet.
    pub fn new(period: u32) -> Self {
        Self {
            gains: Ema::wilder(period, 0.0),
            losses: Ema::wilder(period, 0.0),
        }
    }

    /// Folds in one close-to-close change and returns the smoothed (gain, loss) pair.
    #[inline(always)]
    pub fn update(&mut self, change: f64) -> (f64, f64) {
        (
            self.gains.update(change.max(0.0)),
            self.losses.update((-change).max(0.0)),
        )
    }

    /// The smoothed (gain, loss) pair so far.
    pub fn averages(&self) -> (f64, f64) {
        (self.gains.value(), self.losses.value())
    }

    /// The RSI, 0 ..= 100, from smoothed gains and losses; 100 when there were no losses.
    #[inline(always)]
    pub fn value_of(gain: f64, loss: f64) -> f64 {
        if loss == 0.0 {
            100.0
        } else {
            100.0 - 100.0 / (1.0 + gain / loss)
        }
    }
}

/// True range of a candle given the previous close.
#[inline(always)]
pub fn true_range(high: f64, low: f64, prev_close: f64) -> f64 {
    (high - low)
        .max((high - prev_close).abs())
        .max((low - prev_close).abs())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Closed form of an EMA seeded with `xs[0]`: sum of alpha (1 - alpha)^(t - i) x_i plus the
    /// seed's remaining weight.
    fn reference_ema(xs: &[f64], alpha: f64, seed: f64) -> f64 {
        let t = xs.len();
        let weighted: f64 = xs
            .iter()
            .enumerate()
            .map(|(i, x)| alpha * (1.0 - alpha).powi((t - 1 - i) as i32) * x)
            .sum();
        weighted + (1.0 - alpha).powi(t as i32) * seed
    }

    fn closes() -> Vec<f64> {
        (0..200)
            .map(|i| 100.0 + 10.0 * ((i as f64) * 0.37).sin() + (i % 7) as f64 * 0.3)
            .collect()
    }

    #[test]
    fn ema_equals_its_closed_form() {
        let xs = closes();
        let mut ema = Ema::new(12, xs[0]);
        for t in 1..=xs.len() {
            let got = ema.update(xs[t - 1]);
            let want = reference_ema(&xs[..t], 2.0 / 13.0, xs[0]);
            assert!((got - want).abs() < 1e-9, "t={t}: {got} vs {want}");
        }
    }

    #[test]
    fn rsi_equals_wilder_reference() {
        let xs = closes();
        let changes: Vec<f64> = std::iter::once(0.0)
            .chain(xs.windows(2).map(|w| w[1] - w[0]))
            .collect();
        let gains: Vec<f64> = changes.iter().map(|c| c.max(0.0)).collect();
        let losses: Vec<f64> = changes.iter().map(|c| (-c).max(0.0)).collect();
        let mut rsi = Rsi::new(14);
        for t in 1..=changes.len() {
            let (g, l) = rsi.update(changes[t - 1]);
            let want_g = reference_ema(&gains[..t], 1.0 / 14.0, 0.0);
            let want_l = reference_ema(&losses[..t], 1.0 / 14.0, 0.0);
            let want = if want_l == 0.0 {
                100.0
            } else {
                100.0 - 100.0 / (1.0 + want_g / want_l)
            };
            assert!((Rsi::value_of(g, l) - want).abs() < 1e-9, "t={t}");
        }
    }

    #[test]
    fn rsi_is_100_without_losses_and_0_without_gains() {
        let mut rsi = Rsi::new(14);
        let (g, l) = rsi.update(1.0);
        assert_eq!(Rsi::value_of(g, l), 100.0);
        let mut rsi = Rsi::new(14);
        let (g, l) = rsi.update(-1.0);
        assert_eq!(Rsi::value_of(g, l), 0.0);
    }

    #[test]
    fn atr_equals_wilder_average_of_true_ranges() {
        let xs = closes();
        let highs: Vec<f64> = xs.iter().map(|x| x + 1.5).collect();
        let lows: Vec<f64> = xs.iter().map(|x| x - 0.5).collect();
        let mut trs = vec![highs[0] - lows[0]];
        for i in 1..xs.len() {
            let tr = [
                highs[i] - lows[i],
                (highs[i] - xs[i - 1]).abs(),
                (lows[i] - xs[i - 1]).abs(),
            ]
            .into_iter()
            .fold(f64::MIN, f64::max);
            trs.push(tr);
        }
        let mut atr = Ema::wilder(14, trs[0]);
        for t in 1..=trs.len() {
            let prev_close = if t == 1 { xs[0] } else { xs[t - 2] };
            let got = atr.update(true_range(highs[t - 1], lows[t - 1], prev_close));
            let want = reference_ema(&trs[..t], 1.0 / 14.0, trs[0]);
            assert!((got - want).abs() < 1e-9, "t={t}: {got} vs {want}");
        }
    }
}
