//! The engine's knobs, every one defaulted: the `[engine]` table of a scenario.

use std::ops::RangeInclusive;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The batch sizes the engine takes (a scenario's `engine.batch_size`, a latency budget's
/// `batch_size`).
pub const BATCH_SIZE: RangeInclusive<usize> = 1..=100_000_000;

/// Strategy, risk and cost settings of one backtest.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct EngineSettings {
    /// Candles per stage batch. Changes timing granularity, never results.
    pub batch_size: usize,
    /// Period of the fast EMA.
    pub ema_fast: u32,
    /// Period of the slow EMA; must exceed `ema_fast`.
    pub ema_slow: u32,
    /// Period of Wilder's RSI.
    pub rsi_period: u32,
    /// No entry while the RSI is at or above this level.
    pub rsi_overbought: f64,
    /// Period of the average true range.
    pub atr_period: u32,
    /// Fraction of equity risked per trade (distance to the stop times quantity).
    pub risk_per_trade: f64,
    /// The stop sits this many ATRs below the entry signal's close.
    pub stop_atr_multiple: f64,
    /// Largest position value as a fraction of equity.
    pub max_exposure: f64,
    /// Slippage per fill, in basis points of the price, always against the trader.
    pub slippage_bps: f64,
    /// Commission per fill, in basis points of the traded value.
    pub commission_bps: f64,
    /// Cash at the start.
    pub initial_cash: f64,
}

impl Default for EngineSettings {
    fn default() -> Self {
        Self {
            batch_size: 4096,
            ema_fast: 12,
            ema_slow: 26,
            rsi_period: 14,
            rsi_overbought: 70.0,
            atr_period: 14,
            risk_per_trade: 0.01,
            stop_atr_multiple: 2.0,
            max_exposure: 1.0,
            slippage_bps: 0.5,
            commission_bps: 1.0,
            initial_cash: 1_000_000.0,
        }
    }
}

/// A setting outside its valid range.
#[derive(Debug, Clone, PartialEq)]
pub struct InvalidSetting {
    /// The key, as in the `[engine]` table.
    pub key: &'static str,
    /// What values are valid.
    pub expected: String,
}

impl EngineSettings {
    /// Checks every setting's range; the first offender is returned.
    pub fn validate(&self) -> Result<(), InvalidSetting> {
        let fail = |key: &'static str, expected: &str| {
            Err(InvalidSetting {
                key,
                expected: expected.to_owned(),
            })
        };
        let unit = |v: f64| v.is_finite() && v > 0.0 && v <= 1.0;
        let cost = |v: f64| v.is_finite() && (0.0..=1000.0).contains(&v);
        if !BATCH_SIZE.contains(&self.batch_size) {
            let expected = format!("between {} and {}", BATCH_SIZE.start(), BATCH_SIZE.end());
            return fail("batch_size", &expected);
        }
        for (key, period) in [
            ("ema_fast", self.ema_fast),
            ("rsi_period", self.rsi_period),
            ("atr_period", self.atr_period),
        ] {
            if !(1..=100_000).contains(&period) {
                return fail(key, "between 1 and 100000");
            }
        }
        if self.ema_slow <= self.ema_fast || self.ema_slow > 100_000 {
            return fail(
                "ema_slow",
                &format!(
                    "greater than ema_fast ({}) and at most 100000",
                    self.ema_fast
                ),
            );
        }
        if !(self.rsi_overbought > 0.0 && self.rsi_overbought <= 100.0) {
            return fail("rsi_overbought", "greater than 0 and at most 100");
        }
        if !unit(self.risk_per_trade) {
            return fail("risk_per_trade", "greater than 0 and at most 1");
        }
        if !(self.stop_atr_multiple.is_finite() && self.stop_atr_multiple > 0.0) {
            return fail("stop_atr_multiple", "a finite number greater than 0");
        }
        if !unit(self.max_exposure) {
            return fail("max_exposure", "greater than 0 and at most 1");
        }
        if !cost(self.slippage_bps) {
            return fail("slippage_bps", "between 0 and 1000");
        }
        if !cost(self.commission_bps) {
            return fail("commission_bps", "between 0 and 1000");
        }
        if !(self.initial_cash.is_finite() && self.initial_cash > 0.0) {
            return fail("initial_cash", "a finite number greater than 0");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        assert_eq!(EngineSettings::default().validate(), Ok(()));
    }

    #[test]
    fn slow_ema_must_exceed_fast() {
        let s = EngineSettings {
            ema_fast: 30,
            ..Default::default()
        };
        assert_eq!(s.validate().unwrap_err().key, "ema_slow");
    }

    #[test]
    fn zero_batch_and_nan_costs_are_rejected() {
        assert_eq!(
            EngineSettings {
                batch_size: 0,
                ..Default::default()
            }
            .validate()
            .unwrap_err()
            .key,
            "batch_size"
        );
        let nan = EngineSettings {
            commission_bps: f64::NAN,
            ..Default::default()
        };
        assert_eq!(nan.validate().unwrap_err().key, "commission_bps");
    }
}
