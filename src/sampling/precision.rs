//! The stopping rule of `run` with `repeats = "auto"`: after each repeat from `min_repeats` on,
//! the 95 % confidence interval of the statistic the budget judges is computed, and sampling
//! stops once it lies within ± `precision_pct` of the statistic (or at `max_repeats` or
//! `max_time_s`, checked by the caller).
//!
//! The intervals: for the median and the p95, the distribution-free interval from order
//! statistics (the p95's upper end needs about 70 samples before it exists); for the mean,
//! Student's t. The min has no such interval (one more run can always be slower), so for a
//! budget judging the min the median's interval is watched: the precision then says how well
//! the centre is known, not how low the tail reaches.

use super::{PrecisionRecord, Stop};
use crate::judge::Statistic;
use crate::stats::interval::{mean_interval, quantile_interval, Interval};
use crate::stats::{mean, percentile_of_sorted};

/// Confidence of the interval watched.
pub const CONFIDENCE: f64 = 0.95;

/// The statistic whose interval is watched when the budget judges `stat`.
pub fn watched(stat: Statistic) -> Statistic {
    match stat {
        Statistic::Min => Statistic::Median,
        other => other,
    }
}

/// The half-width of `stat`'s 95 % interval over `samples`, in percent of the statistic;
/// `None` while the samples cannot bound it.
pub fn half_width_pct(samples: &[f64], stat: Statistic) -> Option<f64> {
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    let (centre, interval): (f64, Interval) = match watched(stat) {
        Statistic::Mean => (mean(samples)?, mean_interval(samples, CONFIDENCE)),
        Statistic::P95 => (
            percentile_of_sorted(&sorted, 95.0)?,
            quantile_interval(&sorted, 0.95, CONFIDENCE),
        ),
        Statistic::Median | Statistic::Min => (
            percentile_of_sorted(&sorted, 50.0)?,
            quantile_interval(&sorted, 0.5, CONFIDENCE),
        ),
    };
    interval.relative_half_width(centre).map(|w| w * 100.0)
}

/// Whether `run` stops after the repeats in `samples`: `Some(Precision)` once the interval is
/// within `target_pct`, `Some(MaxRepeats)` at `max_repeats`, else `None`.
pub fn after_repeat(
    samples: &[f64],
    stat: Statistic,
    min_repeats: u32,
    max_repeats: u32,
    target_pct: f64,
) -> Option<Stop> {
    // cannot panic: <= 10,000 repeats of <= 10,000 samples a child (runner) fit u32.
    let n = samples.len() as u32;
    if n >= min_repeats && half_width_pct(samples, stat).is_some_and(|w| w <= target_pct) {
        Some(Stop::Precision)
    } else {
        (n >= max_repeats).then_some(Stop::MaxRepeats)
    }
}

/// What bench.json records of the precision reached.
pub fn record(samples: &[f64], stat: Statistic, target_pct: f64) -> PrecisionRecord {
    PrecisionRecord {
        stat: watched(stat),
        target_pct,
        reached_pct: half_width_pct(samples, stat),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `n` samples around 1000 spread ±`spread`, in a fixed zig-zag.
    fn around(n: usize, spread: f64) -> Vec<f64> {
        (0..n)
            .map(|i| 1000.0 + spread * (((i * 7) % 11) as f64 / 5.0 - 1.0))
            .collect()
    }

    #[test]
    fn tight_samples_stop_once_the_median_is_known_within_the_target() {
        let samples = around(8, 5.0);
        assert!(half_width_pct(&samples, Statistic::Median).unwrap() <= 1.0);
        assert_eq!(
            after_repeat(&samples, Statistic::Median, 5, 40, 2.0),
            Some(Stop::Precision)
        );
        // Before min_repeats, no stop, however tight.
        assert_eq!(after_repeat(&samples, Statistic::Median, 10, 40, 2.0), None);
    }

    #[test]
    fn noisy_samples_go_on_until_max_repeats() {
        let samples = around(12, 200.0);
        assert!(half_width_pct(&samples, Statistic::Median).unwrap() > 2.0);
        assert_eq!(after_repeat(&samples, Statistic::Median, 5, 40, 2.0), None);
        assert_eq!(
            after_repeat(&samples, Statistic::Median, 5, 12, 2.0),
            Some(Stop::MaxRepeats)
        );
    }

    #[test]
    fn a_budget_judging_the_min_watches_the_median() {
        let samples = around(10, 5.0);
        assert_eq!(
            half_width_pct(&samples, Statistic::Min),
            half_width_pct(&samples, Statistic::Median)
        );
        assert_eq!(
            record(&samples, Statistic::Min, 2.0).stat,
            Statistic::Median
        );
    }

    #[test]
    fn the_p95_is_unbounded_on_few_samples() {
        assert_eq!(half_width_pct(&around(30, 1.0), Statistic::P95), None);
        assert!(half_width_pct(&around(100, 1.0), Statistic::P95).is_some());
    }
}
