//! Group-sequential boundaries: how large a standardised test statistic must be at each of many
//! looks at growing data so that the chance of *ever* crossing, when nothing changed, stays at
//! the nominal α.
//!
//! Looking after every new pair of samples and stopping at the first p < α inflates the false
//! alarm rate far above α: with 30 looks at α = 0.01 it is several times α. The remedy used here
//! is **alpha spending** (Lan & DeMets, 1983) with the **O'Brien–Fleming-type** spending function
//! `α(t) = 2 × (2 − 2Φ(z₁₋α/₄ / √t))` (each side spending its α/2), where `t = n / n_max` is the fraction of the largest sample
//! size seen so far. It spends almost nothing early (at a fifth of the samples, under 0.01 % of
//! α = 1 %), so early looks call only overwhelming changes, and keeps the last look's boundary
//! close to the fixed-sample test's: a change that a fixed test of `n_max` samples would call is
//! called at nearly the same power, and a large change stops the sampling early. Pocock-type
//! spending (even boundaries) would stop large changes sooner but cost more power at the end,
//! where the changes near the threshold are decided; on a CI runner the end matters more.
//!
//! The boundaries are exact for a statistic that behaves like Brownian motion in the
//! information (a sum of independent increments): the signed-rank z of independent rounds (and
//! the Mann–Whitney z of equal-sized samples) does asymptotically, with information proportional
//! to the rounds. They are computed by
//! recursive numerical integration of the statistic's density on the region where sampling goes
//! on (Armitage, McPherson & Rowe 1969; Jennison & Turnbull 2000, ch. 19), by Simpson's rule.
//! Simulated A/A streams (see the tests of `judge::sequential`) check the result.

use super::normal;

/// Points of the integration grid at each look (odd, for Simpson's rule).
const GRID: usize = 201;
/// Half-width of the grid in standard deviations of the statistic: the density beyond is below
/// 1e-17.
const GRID_SDS: f64 = 8.5;
/// A boundary that cannot be crossed: what a look gets when it has no α left to spend.
pub const NO_BOUNDARY: f64 = 40.0;
/// The most looks a design takes; with more candidate sample sizes, looks are spread evenly.
pub const MAX_LOOKS: usize = 100;

/// The α spent by the time a fraction `t` (0 ..= 1) of the largest sample has been seen:
/// Lan–DeMets O'Brien–Fleming-type, two-sided and symmetric, each side spending
/// `2 − 2Φ(z₁₋α/₄ / √t)` of its α/2 (the convention of `ldbounds` and `gsDesign`).
pub fn obrien_fleming_spent(alpha: f64, t: f64) -> f64 {
    if t <= 0.0 {
        return 0.0;
    }
    let z = normal::two_sided_critical(alpha / 2.0);
    4.0 * normal::upper_tail(z / t.min(1.0).sqrt())
}

/// The sample sizes (per side) at which a design from `min` to `max` samples looks: every one,
/// or [`MAX_LOOKS`] spread evenly when there are more, `min` and `max` always among them.
pub fn look_sizes(min: u32, max: u32) -> Vec<u32> {
    let (min, max) = (min.max(1), max.max(min.max(1)));
    // With no more sizes than looks, the steps are at most 1 and the rounded sizes take every
    // value from min to max once duplicates go.
    let span = f64::from(max - min);
    let mut sizes: Vec<u32> = (0..MAX_LOOKS)
        // cannot panic: the rounded step is at most span, so the size is at most max.
        .map(|i| min + (span * i as f64 / (MAX_LOOKS - 1) as f64).round() as u32)
        .collect();
    sizes.dedup();
    sizes
}

/// One look of a design: its sample size and the two-sided critical |z|.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Look {
    /// Samples per side at this look.
    pub n: u32,
    /// Reject "no change" when |z| reaches this.
    pub critical_z: f64,
    /// α spent up to and including this look.
    pub spent: f64,
}

impl Look {
    /// The nominal two-sided significance level of this look alone: a p-value below it crosses
    /// the boundary.
    pub fn nominal_alpha(&self) -> f64 {
        normal::two_sided_p(self.critical_z)
    }
}

/// The boundaries of a two-sided group-sequential test at overall level `alpha` with looks at
/// `sizes` (increasing samples per side), spending α by [`obrien_fleming_spent`] with
/// `t = n / n_max` for `n_max` the last size.
pub fn boundaries(alpha: f64, sizes: &[u32]) -> Vec<Look> {
    let Some(&n_max) = sizes.last() else {
        return Vec::new();
    };
    let n_max = f64::from(n_max.max(1));
    let mut looks = Vec::with_capacity(sizes.len());
    // The sub-density of the score S_k = Z_k √I_k on the continuation region, times the
    // Simpson weight of each grid point: (point, weight × density).
    let mut mass: Vec<(f64, f64)> = Vec::new();
    let (mut spent, mut previous_info) = (0.0, 0.0);
    for &n in sizes {
        let info = f64::from(n.max(1));
        let target = (obrien_fleming_spent(alpha, info / n_max) - spent).max(0.0);
        let (critical_z, crossed) = if mass.is_empty() {
            let z = if target <= 0.0 {
                NO_BOUNDARY
            } else {
                normal::two_sided_critical(target).min(NO_BOUNDARY)
            };
            (z, normal::two_sided_p(z))
        } else {
            let step = (info - previous_info).max(f64::MIN_POSITIVE).sqrt();
            let crossing = |z: f64| {
                let limit = z * info.sqrt();
                mass.iter()
                    .map(|&(x, m)| {
                        m * (normal::cdf((-limit - x) / step)
                            + normal::upper_tail((limit - x) / step))
                    })
                    .sum::<f64>()
            };
            let z = solve_decreasing(&crossing, target);
            (z, crossing(z))
        };
        spent += crossed;
        looks.push(Look {
            n,
            critical_z,
            spent,
        });
        mass = continuation(&mass, critical_z, info, previous_info);
        previous_info = info;
    }
    looks
}

/// The smallest z in [0, NO_BOUNDARY] with `crossing(z) <= target`, by bisection
/// (`crossing` decreases in z).
fn solve_decreasing(crossing: &impl Fn(f64) -> f64, target: f64) -> f64 {
    if crossing(NO_BOUNDARY) > target {
        return NO_BOUNDARY;
    }
    let (mut lo, mut hi) = (0.0, NO_BOUNDARY);
    for _ in 0..60 {
        let mid = 0.5 * (lo + hi);
        if crossing(mid) > target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    hi
}

/// The weighted density of the score at `info` on the continuation region `|S| < z √info`,
/// given the one at `previous_info` (empty: the first look, where S ~ N(0, info)).
fn continuation(mass: &[(f64, f64)], z: f64, info: f64, previous_info: f64) -> Vec<(f64, f64)> {
    let sd = info.sqrt();
    let half = (z * sd).min(GRID_SDS * sd);
    let h = 2.0 * half / (GRID - 1) as f64;
    let step = (info - previous_info).max(f64::MIN_POSITIVE).sqrt();
    (0..GRID)
        .map(|j| {
            let y = -half + h * j as f64;
            let simpson = match j {
                0 => 1.0,
                j if j == GRID - 1 => 1.0,
                j if j % 2 == 1 => 4.0,
                _ => 2.0,
            } * h
                / 3.0;
            let density = if mass.is_empty() {
                normal::pdf(y / sd) / sd
            } else {
                mass.iter()
                    .map(|&(x, m)| m * normal::pdf((y - x) / step) / step)
                    .sum()
            };
            (y, simpson * density)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_look_is_the_fixed_sample_test() {
        let looks = boundaries(0.01, &[20]);
        assert_eq!(looks.len(), 1);
        assert!((looks[0].critical_z - 2.575_829).abs() < 1e-4);
        assert!((looks[0].nominal_alpha() - 0.01).abs() < 1e-6);
    }

    #[test]
    fn five_equal_looks_match_the_published_obrien_fleming_type_boundaries() {
        // Lan-DeMets O'Brien-Fleming-type spending, 5 equally spaced looks, two-sided α = 0.05:
        // 4.877, 3.357, 2.680, 2.290, 2.031 (Jennison & Turnbull 2000, table 7.6; gsDesign), to
        // the table's rounding.
        let looks = boundaries(0.05, &[1, 2, 3, 4, 5]);
        let want = [4.877, 3.357, 2.680, 2.290, 2.031];
        for (look, want) in looks.iter().zip(want) {
            assert!(
                (look.critical_z - want).abs() < 5e-4,
                "n = {}: {} vs {want}",
                look.n,
                look.critical_z
            );
        }
        assert!((looks[4].spent - 0.05).abs() < 1e-4, "{}", looks[4].spent);
        // The boundaries depend on the information fractions alone: looks two samples apart
        // give the same ones.
        let wider = boundaries(0.05, &[2, 4, 6, 8, 10]);
        for (a, b) in looks.iter().zip(&wider) {
            assert!((a.critical_z - b.critical_z).abs() < 1e-9, "{a:?} vs {b:?}");
        }
    }

    #[test]
    fn many_looks_spend_exactly_alpha_and_end_near_the_fixed_test() {
        let looks = boundaries(0.01, &look_sizes(5, 40));
        assert_eq!(looks.len(), 36);
        assert!((looks.last().unwrap().spent - 0.01).abs() < 2e-4);
        // Early looks call only overwhelming changes; the last is a little stricter than 2.576.
        assert!(looks[0].critical_z > 6.0, "{:?}", looks[0]);
        let last = looks.last().unwrap().critical_z;
        assert!((2.576..2.75).contains(&last), "{last}");
        assert!(looks.windows(2).all(|w| w[0].critical_z >= w[1].critical_z));
    }

    #[test]
    fn spending_is_zero_at_the_start_and_alpha_at_the_end() {
        assert_eq!(obrien_fleming_spent(0.01, 0.0), 0.0);
        assert!((obrien_fleming_spent(0.01, 1.0) - 0.01).abs() < 1e-7);
        assert!(obrien_fleming_spent(0.01, 0.2) < 1e-5);
    }

    #[test]
    fn look_sizes_cover_the_range_and_are_capped() {
        assert_eq!(look_sizes(5, 8), [5, 6, 7, 8]);
        assert_eq!(look_sizes(3, 3), [3]);
        let many = look_sizes(5, 1000);
        assert_eq!(many.len(), MAX_LOOKS);
        assert_eq!((many[0], *many.last().unwrap()), (5, 1000));
        assert!(many.windows(2).all(|w| w[0] < w[1]));
        // One size past the cap, far from 0: spread, not every one.
        let just_over = look_sizes(100, 100 + MAX_LOOKS as u32);
        assert_eq!(just_over.len(), MAX_LOOKS);
        assert_eq!(look_sizes(100, 99 + MAX_LOOKS as u32).len(), MAX_LOOKS);
    }
}
