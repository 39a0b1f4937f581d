//! Confidence intervals, as pure functions: of a quantile (distribution-free, from order
//! statistics), of the mean (Student's t), and of the shift between two samples (Hodges–Lehmann,
//! the interval that goes with the Mann–Whitney test).

use super::normal;

/// A confidence interval; an end is `None` when the samples cannot bound it (too few).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    /// Lower end.
    pub lo: Option<f64>,
    /// Upper end.
    pub hi: Option<f64>,
}

impl Interval {
    /// The larger distance from `centre` to either end, as a fraction of `|centre|`; `None` when
    /// an end is open or the centre is 0.
    pub fn relative_half_width(&self, centre: f64) -> Option<f64> {
        let (lo, hi) = (self.lo?, self.hi?);
        (centre != 0.0).then(|| (centre - lo).max(hi - centre).abs() / centre.abs())
    }
}

/// The interval of the `q`-quantile (0 < q < 1) at `confidence` from samples sorted ascending:
/// `[x₍ₗ₎, x₍ᵤ₎]` with the order statistics chosen so that `P(l ≤ B < u) ≥ confidence` for `B`
/// the number of samples below the quantile, `B ~ Binomial(n, q)`, each tail at most
/// `(1 − confidence) / 2`. Distribution-free: it assumes only independent samples.
pub fn quantile_interval(sorted: &[f64], q: f64, confidence: f64) -> Interval {
    let n = sorted.len();
    let tail = (1.0 - confidence) / 2.0;
    let cdf = binomial_cdf(n, q);
    // l: the largest with P(B < l) <= tail (1-based order statistic); u: the smallest with
    // P(B >= u) <= tail.
    let l = (1..=n).take_while(|&l| cdf[l - 1] <= tail).last();
    let u = (1..=n).find(|&u| 1.0 - cdf[u - 1] <= tail);
    Interval {
        lo: l.map(|l| sorted[l - 1]),
        hi: u.map(|u| sorted[u - 1]),
    }
}

/// `P(B ≤ k)` for `k = 0 ..= n`, `B ~ Binomial(n, p)`, summed from the probabilities in log
/// space so that large `n` neither overflows nor underflows.
fn binomial_cdf(n: usize, p: f64) -> Vec<f64> {
    let (lp, lq) = (p.ln(), (1.0 - p).ln());
    let mut log_choose = 0.0;
    let mut total = 0.0;
    (0..=n)
        .map(|k| {
            if k > 0 {
                log_choose += ((n - k + 1) as f64).ln() - (k as f64).ln();
            }
            total += (log_choose + k as f64 * lp + (n - k) as f64 * lq).exp();
            total.min(1.0)
        })
        .collect()
}

/// The interval of the mean at `confidence`: `mean ± t · s / √n` with Student's t for `n − 1`
/// degrees of freedom (Cornish–Fisher expansion of the normal quantile, within 0.01 from 4
/// degrees of freedom on). Open for fewer than 2 samples.
pub fn mean_interval(samples: &[f64], confidence: f64) -> Interval {
    let n = samples.len();
    let (Some(mean), true) = (super::mean(samples), n >= 2) else {
        return Interval { lo: None, hi: None };
    };
    let half = student_t(1.0 - (1.0 - confidence) / 2.0, (n - 1) as f64) * super::stddev(samples)
        / (n as f64).sqrt();
    Interval {
        lo: Some(mean - half),
        hi: Some(mean + half),
    }
}

/// The `p`-quantile of Student's t with `df` degrees of freedom, by the Cornish–Fisher
/// expansion around the normal quantile (Abramowitz & Stegun 26.7.5).
fn student_t(p: f64, df: f64) -> f64 {
    let z = normal::quantile(p);
    let (z3, z5, z7) = (z.powi(3), z.powi(5), z.powi(7));
    z + (z3 + z) / (4.0 * df)
        + (5.0 * z5 + 16.0 * z3 + 3.0 * z) / (96.0 * df * df)
        + (3.0 * z7 + 19.0 * z5 + 17.0 * z3 - 15.0 * z) / (384.0 * df.powi(3))
}

/// Most samples per side the shift interval looks at: beyond, every k-th sample is taken, so
/// the pairwise differences stay under a million.
const MAX_SHIFT_SAMPLES: usize = 1000;

/// The shift `head − base` estimated by Hodges–Lehmann (the median of every pairwise difference)
/// with its distribution-free interval: `[d₍C₎, d₍N−C+1₎]` of the `N = n₁n₂` sorted
/// differences, `C = ⌊N/2 − z·σ_U⌋` with `σ_U² = n₁n₂(n₁+n₂+1)/12` (the normal approximation
/// of the Mann–Whitney test, Hollander & Wolfe ch. 4). It excludes 0 exactly when the
/// two-sided rank test at critical value `z` rejects "no shift". `None` without samples.
pub fn shift_interval(base: &[f64], head: &[f64], z: f64) -> Option<(f64, Interval)> {
    let (base, head) = (thinned(base), thinned(head));
    let (n1, n2) = (base.len(), head.len());
    let mut d: Vec<f64> = head
        .iter()
        .flat_map(|h| base.iter().map(move |b| h - b))
        .collect();
    d.sort_by(f64::total_cmp);
    // cannot panic: thinned() keeps at most 1,000 a side: about 2e9 at most.
    let sigma = ((n1 * n2 * (n1 + n2 + 1)) as f64 / 12.0).sqrt();
    hodges_lehmann(&d, sigma, z)
}

/// The Hodges–Lehmann estimate and interval of a rank test, from the values its statistic
/// counts (`sorted` ascending: the pairwise differences for Mann–Whitney, the Walsh averages for
/// the signed-rank test) and the statistic's standard deviation `sigma` under no change: the
/// median of the values, and the interval from the `C`-th smallest to the `C`-th largest,
/// `C = ⌊M/2 − z·σ⌋` of `M` values. Open when `C < 1`; `None` for no values.
pub fn hodges_lehmann(sorted: &[f64], sigma: f64, z: f64) -> Option<(f64, Interval)> {
    let m = sorted.len();
    let estimate = super::percentile_of_sorted(sorted, 50.0)?;
    let c = (m as f64 / 2.0 - z * sigma).floor();
    let interval = if c >= 1.0 {
        // cannot panic: z >= 0 (a critical value), so 1 <= c <= m / 2 indexes `sorted`.
        let c = c as usize;
        Interval {
            lo: Some(sorted[c - 1]),
            hi: Some(sorted[m - c]),
        }
    } else {
        Interval { lo: None, hi: None }
    };
    Some((estimate, interval))
}

/// `samples`, or every k-th of them when there are more than [`MAX_SHIFT_SAMPLES`].
fn thinned(samples: &[f64]) -> Vec<f64> {
    let step = samples.len().div_ceil(MAX_SHIFT_SAMPLES).max(1);
    samples.iter().step_by(step).copied().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ramp(n: usize) -> Vec<f64> {
        (1..=n).map(|i| i as f64).collect()
    }

    #[test]
    fn the_median_interval_uses_the_binomial_order_statistics() {
        // n = 10, q = 0.5: P(B <= 1) = 11/1024 <= 0.025 < P(B <= 2) = 56/1024, so the 95 %
        // interval is [x(2), x(9)], the textbook answer.
        let iv = quantile_interval(&ramp(10), 0.5, 0.95);
        assert_eq!((iv.lo, iv.hi), (Some(2.0), Some(9.0)));
        // Five samples cannot bound the median at 95 %: P(B = 0) = 1/32 > 0.025.
        let iv = quantile_interval(&ramp(5), 0.5, 0.95);
        assert_eq!((iv.lo, iv.hi), (None, None));
    }

    #[test]
    fn a_high_quantile_needs_many_samples_for_its_upper_end() {
        let iv = quantile_interval(&ramp(40), 0.95, 0.95);
        assert!(iv.lo.is_some() && iv.hi.is_none(), "{iv:?}");
        let iv = quantile_interval(&ramp(200), 0.95, 0.95);
        assert!(iv.lo.unwrap() < 190.0 && iv.hi.unwrap() > 190.0, "{iv:?}");
    }

    #[test]
    fn the_mean_interval_uses_students_t() {
        // t(0.975, 9) = 2.262; s of 1..=10 is 3.0277, so the half-width is 2.166.
        let iv = mean_interval(&ramp(10), 0.95);
        assert!((iv.lo.unwrap() - (5.5 - 2.166)).abs() < 3e-3, "{iv:?}");
        assert!((iv.hi.unwrap() - (5.5 + 2.166)).abs() < 3e-3, "{iv:?}");
        assert!((student_t(0.975, 4.0) - 2.776).abs() < 1e-2);
        // The expansion's own values, its three terms after z (A&S 26.7.5, worked with the exact
        // normal quantile): 0.007 and 0.002 under the exact 2.7764 and 3.2498.
        assert!((student_t(0.975, 4.0) - 2.769_373_1).abs() < 1e-6);
        assert!((student_t(0.995, 9.0) - 3.247_842_3).abs() < 1e-6);
        assert_eq!(mean_interval(&[1.0], 0.95).lo, None);
    }

    #[test]
    fn the_shift_interval_brackets_the_shift_and_opens_on_few_samples() {
        let base: Vec<f64> = ramp(20);
        let head: Vec<f64> = base.iter().map(|x| x + 30.0).collect();
        let (estimate, iv) = shift_interval(&base, &head, 2.576).unwrap();
        assert_eq!(estimate, 30.0);
        assert!(iv.lo.unwrap() > 0.0 && iv.lo.unwrap() < 30.0 && iv.hi.unwrap() > 30.0);
        // Two samples a side: C = ⌊2 − 2.576 · 1.29⌋ < 1, no interval at 99 %.
        let (_, iv) = shift_interval(&[1.0, 2.0], &[3.0, 4.0], 2.576).unwrap();
        assert_eq!((iv.lo, iv.hi), (None, None));
        assert!(shift_interval(&[], &[1.0], 2.0).is_none());
    }

    #[test]
    fn the_shift_interval_runs_between_the_c_th_differences_from_each_end() {
        // base i², head 1.1·i² + 30 (i = 1..=20): 400 differences, σ_U = √(20·20·41/12) = 36.97,
        // at z = 2.576 C = ⌊200 − 95.23⌋ = 104: from the 104th smallest difference to the
        // 104th largest.
        let base: Vec<f64> = (1..=20).map(|i| f64::from(i * i)).collect();
        let head: Vec<f64> = base.iter().map(|b| 1.1 * b + 30.0).collect();
        let (_, iv) = shift_interval(&base, &head, 2.576).unwrap();
        let (lo, hi) = (iv.lo.unwrap(), iv.hi.unwrap());
        assert!(
            (lo + 73.4).abs() < 1e-9 && (hi - 162.1).abs() < 1e-9,
            "{iv:?}"
        );
    }

    #[test]
    fn relative_half_width_is_the_wider_side() {
        let iv = Interval {
            lo: Some(95.0),
            hi: Some(102.0),
        };
        assert_eq!(iv.relative_half_width(100.0), Some(0.05));
        let iv = Interval {
            lo: Some(98.0),
            hi: Some(110.0),
        };
        assert_eq!(iv.relative_half_width(100.0), Some(0.1));
        assert_eq!(
            Interval {
                lo: None,
                hi: Some(1.0)
            }
            .relative_half_width(1.0),
            None
        );
    }
}
