//! Every rule of the engine's ingest stage, each with its message: a candle that breaks it is
//! rejected with its index, a candle exactly on its boundary passes, and the rules are checked
//! in a fixed order, so a candle breaking two is reported for the first.

use perfsuite::engine::candles::{generate, CandleSeries};
use perfsuite::engine::settings::EngineSettings;
use perfsuite::engine::{Engine, EngineError};

const NOT_FINITE: &str = "a price or volume is not finite";
const HIGH_BELOW: &str = "high is below open or close";
const LOW_ABOVE: &str = "low is above open or close";
const LOW_NOT_POSITIVE: &str = "low is not positive";
const VOLUME_NEGATIVE: &str = "volume is negative";
const TIMESTAMP: &str = "timestamp does not increase";

/// 100 valid candles: a rising candle at even indices, a falling one at odd indices, so that
/// both open and close are tested as the body's top and bottom.
fn series() -> CandleSeries {
    let mut s = generate(100, 11, "BTCUSDT");
    for i in 0..s.len() {
        let (lo, hi) = (s.open[i].min(s.close[i]), s.open[i].max(s.close[i]));
        (s.open[i], s.close[i]) = if i % 2 == 0 { (lo, hi) } else { (hi, lo) };
    }
    s
}

/// The error of a backtest of `s`, in batches of `batch_size`.
fn rejection(s: &CandleSeries, batch_size: usize) -> Option<EngineError> {
    let settings = EngineSettings {
        batch_size,
        ..Default::default()
    };
    Engine::new(settings).run(s, None).err()
}

/// Requires `s` to be rejected at `index` for `reason`, whatever the batch size.
fn assert_rejected(s: &CandleSeries, index: usize, reason: &'static str) {
    for batch_size in [1, 7, 16, 64, 4096] {
        assert_eq!(
            rejection(s, batch_size),
            Some(EngineError::InvalidCandle { index, reason }),
            "batch size {batch_size}"
        );
    }
}

fn assert_accepted(s: &CandleSeries) {
    for batch_size in [1, 7, 4096] {
        assert_eq!(rejection(s, batch_size), None, "batch size {batch_size}");
    }
}

#[test]
fn the_valid_series_passes() {
    assert_accepted(&series());
}

#[test]
fn a_nan_or_infinite_price_or_volume_is_not_finite() {
    for value in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        for field in 0..5 {
            let mut s = series();
            let column = [
                &mut s.open,
                &mut s.high,
                &mut s.low,
                &mut s.close,
                &mut s.volume,
            ];
            column.into_iter().nth(field).unwrap()[41] = value;
            assert_rejected(&s, 41, NOT_FINITE);
        }
    }
}

#[test]
fn a_high_below_the_open_or_the_close_is_rejected() {
    // At 40 the close is the body's top, at 41 the open.
    for i in [40, 41] {
        let mut s = series();
        s.high[i] = s.open[i].max(s.close[i]) * (1.0 - 1e-12);
        assert_rejected(&s, i, HIGH_BELOW);
    }
}

#[test]
fn a_low_above_the_open_or_the_close_is_rejected() {
    // At 40 the open is the body's bottom, at 41 the close.
    for i in [40, 41] {
        let mut s = series();
        s.low[i] = s.open[i].min(s.close[i]) * (1.0 + 1e-12);
        assert_rejected(&s, i, LOW_ABOVE);
    }
}

#[test]
fn a_zero_or_negative_low_is_not_positive() {
    for low in [0.0, -0.0, -1.0] {
        let mut s = series();
        s.low[57] = low;
        assert_rejected(&s, 57, LOW_NOT_POSITIVE);
    }
}

#[test]
fn a_negative_volume_is_rejected_and_zero_volume_passes() {
    for volume in [-f64::MIN_POSITIVE, -5.0] {
        let mut s = series();
        s.volume[63] = volume;
        assert_rejected(&s, 63, VOLUME_NEGATIVE);
    }
    for volume in [0.0, -0.0] {
        let mut s = series();
        s.volume[63] = volume;
        assert_accepted(&s);
    }
}

#[test]
fn a_repeated_or_earlier_timestamp_does_not_increase() {
    for delta in [0, -1, -60_000] {
        // 64 starts a batch for sizes 1, 16 and 64: the previous timestamp comes from the last
        // batch there.
        for i in [33, 64] {
            let mut s = series();
            s.ts[i] = s.ts[i - 1] + delta;
            assert_rejected(&s, i, TIMESTAMP);
        }
    }
}

#[test]
fn candles_on_every_boundary_pass() {
    let mut s = series();
    for i in 0..s.len() {
        s.high[i] = s.open[i].max(s.close[i]);
        s.low[i] = s.open[i].min(s.close[i]);
        s.ts[i] = i as i64 - 50; // one apart, through zero
    }
    s.volume[10] = f64::MIN_POSITIVE;
    s.low[20] = f64::MIN_POSITIVE;
    s.open[20] = f64::MIN_POSITIVE;
    assert_accepted(&s);
    // A flat candle: all four prices equal.
    s.open[30] = s.close[30];
    (s.high[30], s.low[30]) = (s.close[30], s.close[30]);
    assert_accepted(&s);
}

#[test]
fn the_first_candle_may_have_any_timestamp() {
    for ts in [i64::MIN + 1, -1, 0, i64::MAX - 200] {
        let mut s = series();
        for i in 0..s.len() {
            s.ts[i] = ts + i as i64;
        }
        assert_accepted(&s);
    }
}

#[test]
fn the_first_broken_candle_is_reported_even_after_boundary_candles_in_its_batch() {
    let mut s = series();
    for i in 32..40 {
        s.high[i] = s.open[i].max(s.close[i]);
        s.low[i] = s.open[i].min(s.close[i]);
    }
    s.volume[40] = -1.0;
    s.low[70] = -1.0;
    assert_rejected(&s, 40, VOLUME_NEGATIVE);
}

/// An edit of candle `i` of a series.
type Edit = fn(&mut CandleSeries, usize);

#[test]
fn a_candle_breaking_several_rules_is_reported_for_the_first_in_order() {
    let rules: [(&str, Edit); 6] = [
        (NOT_FINITE, |s, i| s.volume[i] = f64::NAN),
        (HIGH_BELOW, |s, i| {
            s.high[i] = s.open[i].max(s.close[i]) * 0.5
        }),
        (LOW_ABOVE, |s, i| {
            s.low[i] = s.open[i].min(s.close[i]) * 2.0;
            s.high[i] = s.low[i] * 2.0
        }),
        (LOW_NOT_POSITIVE, |s, i| s.low[i] = -1.0),
        (VOLUME_NEGATIVE, |s, i| s.volume[i] = -1.0),
        (TIMESTAMP, |s, i| s.ts[i] = s.ts[i - 1]),
    ];
    for first in 0..rules.len() {
        let mut s = series();
        // Break the later rules first, so an earlier rule's edit wins where two touch a field.
        for (_, apply) in rules[first..].iter().rev() {
            apply(&mut s, 50);
        }
        assert_rejected(&s, 50, rules[first].0);
    }
}

#[test]
fn the_message_names_the_candle_and_the_rule() {
    let mut s = series();
    s.volume[12] = -1.0;
    let err = rejection(&s, 4096).expect("rejected");
    assert_eq!(err.to_string(), "candle 12 is invalid: volume is negative");
}
