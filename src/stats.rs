//! Descriptive statistics over measured samples, as pure functions.

pub mod interval;
pub mod normal;
pub mod rank;
pub mod sequential;
pub mod signed_rank;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The `q`-th percentile (0 ..= 100) of `samples` by linear interpolation between order
/// statistics, as numpy's default: rank `q/100 * (n - 1)`, interpolated between its neighbours.
/// `None` for no samples.
pub fn percentile(samples: &[f64], q: f64) -> Option<f64> {
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    percentile_of_sorted(&sorted, q)
}

/// [`percentile`] of samples already sorted ascending.
pub fn percentile_of_sorted(sorted: &[f64], q: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let rank = q / 100.0 * last as f64;
    // cannot panic: callers pass q in 0..=100 (50, 95), so 0 <= rank <= last.
    let lower = rank.floor() as usize;
    let upper = (lower + 1).min(last);
    let fraction = rank - lower as f64;
    Some(sorted[lower] + (sorted[upper] - sorted[lower]) * fraction)
}

/// Arithmetic mean; `None` for no samples.
pub fn mean(samples: &[f64]) -> Option<f64> {
    (!samples.is_empty()).then(|| samples.iter().sum::<f64>() / samples.len() as f64)
}

/// Sample standard deviation (Bessel's correction, `n - 1`); 0 for fewer than two samples.
pub fn stddev(samples: &[f64]) -> f64 {
    match (mean(samples), samples.len()) {
        (Some(m), n) if n > 1 => {
            (samples.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt()
        }
        _ => 0.0,
    }
}

/// The summary of one metric's samples kept in bench.json.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Distribution {
    /// Smallest sample.
    pub min: f64,
    /// 50th percentile.
    pub median: f64,
    /// 95th percentile.
    pub p95: f64,
    /// Arithmetic mean.
    pub mean: f64,
    /// Sample standard deviation.
    pub stddev: f64,
    /// Every sample, in the order measured.
    pub samples: Vec<f64>,
}

impl Distribution {
    /// Summarises `samples`; `None` when there are none.
    pub fn of(samples: Vec<f64>) -> Option<Self> {
        let mut sorted = samples.clone();
        sorted.sort_by(f64::total_cmp);
        Some(Self {
            min: *sorted.first()?,
            median: percentile_of_sorted(&sorted, 50.0)?,
            p95: percentile_of_sorted(&sorted, 95.0)?,
            mean: mean(&sorted)?,
            stddev: stddev(&sorted),
            samples,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentile_interpolates_linearly_like_numpy() {
        // numpy prints 3.8499999999999996 as well: the rank 0.95 * 3 is not exact in binary.
        assert!((percentile(&[1.0, 2.0, 3.0, 4.0], 95.0).unwrap() - 3.85).abs() < 1e-12);
        assert_eq!(percentile(&[4.0, 1.0, 3.0, 2.0], 50.0), Some(2.5));
        assert_eq!(percentile(&[10.0, 20.0], 0.0), Some(10.0));
        assert_eq!(percentile(&[10.0, 20.0], 100.0), Some(20.0));
    }

    #[test]
    fn one_sample_is_every_percentile_of_itself() {
        for q in [0.0, 50.0, 95.0, 100.0] {
            assert_eq!(percentile(&[7.5], q), Some(7.5));
        }
        assert_eq!(percentile(&[], 50.0), None);
    }

    #[test]
    fn stddev_uses_bessels_correction() {
        assert_eq!(
            stddev(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]),
            (32.0f64 / 7.0).sqrt()
        );
        assert_eq!(stddev(&[3.0]), 0.0);
    }

    #[test]
    fn distribution_keeps_samples_in_measured_order() {
        let d = Distribution::of(vec![3.0, 1.0, 2.0]).unwrap();
        assert_eq!((d.min, d.median, d.mean), (1.0, 2.0, 2.0));
        assert_eq!(d.samples, vec![3.0, 1.0, 2.0]);
        assert!(Distribution::of(vec![]).is_none());
    }
}
