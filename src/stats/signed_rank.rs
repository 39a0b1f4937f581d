//! The Wilcoxon signed-rank test of paired samples, the test behind `ab`'s wall-time verdicts.
//!
//! `ab` runs base and head in rounds, one repeat each, one after the other. The shared machine
//! changes speed for seconds at a time (another tenant, a migrated vCPU), which moves both runs
//! of a round together and many rounds in a row. A test of the two sides as independent samples
//! (Mann–Whitney) sees that as noise and loses its power, and its samples are not independent
//! either. The log ratio of each round, `ln(head / base)`, cancels whatever the round's two runs
//! shared; the signed-rank test asks whether those ratios lie symmetrically about 0 (about a
//! shift, for the interval), assuming only that rounds are independent of each other.

use super::interval::{hodges_lehmann, Interval};
use super::normal;

/// The result of a signed-rank test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SignedRank {
    /// W⁺: the sum of the ranks of |d| over the positive differences, ties counting their
    /// mid-rank; zeros are left out (Wilcoxon's convention).
    pub w_plus: f64,
    /// The differences that were not zero: the n of the test.
    pub n: usize,
    /// The standardised statistic `(W⁺ − n(n+1)/4) / σ`: positive when the differences lean
    /// positive.
    pub z: f64,
    /// Two-sided p-value.
    pub p_value: f64,
}

/// Two-sided Wilcoxon signed-rank test of "the differences `d` are symmetric about 0".
///
/// Method: drop zeros, rank `|d|` (ties get their mid-rank), `W⁺` the rank sum of the positive
/// ones. Under the null hypothesis `W⁺` has mean `n(n+1)/4` and, with the tie correction,
/// variance `n(n+1)(2n+1)/24 − Σ(t³−t)/48` over the sizes `t` of the groups of ties. The p-value is
/// the normal approximation `2 × (1 − Φ(|z|))` without continuity correction (as scipy's
/// `wilcoxon(d, zero_method="wilcox", correction=False, method="approx")`). `None` for no
/// differences; p = 1 when every difference is 0.
pub fn signed_rank(d: &[f64]) -> Option<SignedRank> {
    if d.is_empty() {
        return None;
    }
    let mut nonzero: Vec<f64> = d.iter().copied().filter(|x| *x != 0.0).collect();
    nonzero.sort_by(|a, b| a.abs().total_cmp(&b.abs()));
    let n = nonzero.len();
    let (mut w_plus, mut ties) = (0.0, 0.0);
    let mut start = 0;
    while start < n {
        let size = nonzero[start..]
            .iter()
            .take_while(|x| x.abs() == nonzero[start].abs())
            .count();
        let end = start + size;
        let mid_rank = (start + 1 + end) as f64 / 2.0;
        let positive = nonzero[start..end].iter().filter(|x| **x > 0.0).count();
        w_plus += mid_rank * positive as f64;
        let t = size as f64;
        ties += t.powi(3) - t;
        start = end;
    }
    let nf = n as f64;
    let variance = nf * (nf + 1.0) * (2.0 * nf + 1.0) / 24.0 - ties / 48.0;
    if variance <= 0.0 {
        return Some(SignedRank {
            w_plus,
            n,
            z: 0.0,
            p_value: 1.0,
        });
    }
    let z = (w_plus - nf * (nf + 1.0) / 4.0) / variance.sqrt();
    Some(SignedRank {
        w_plus,
        n,
        z,
        p_value: normal::two_sided_p(z),
    })
}

/// The largest |z| the signed-rank test can give with `n` differences, all of one sign:
/// `√(3n(n+1) / (2(2n+1)))`.
pub fn largest_z(n: usize) -> f64 {
    let n = n as f64;
    (3.0 * n * (n + 1.0) / (2.0 * (2.0 * n + 1.0))).sqrt()
}

/// The fewest pairs with which the two-sided signed-rank test can reach a p-value under `alpha`
/// at all: 9 at α = 0.01 (8 for the exact test), 14 at 0.001.
pub fn pairs_needed(alpha: f64) -> usize {
    let z = normal::two_sided_critical(alpha);
    (1..=100_000)
        .find(|&n| largest_z(n) >= z)
        .unwrap_or(100_000)
}

/// The most differences the interval uses; beyond, every k-th (its Walsh averages grow as n²).
pub const MAX_INTERVAL_PAIRS: usize = 400;

/// The Hodges–Lehmann estimate of the centre of the differences `d` (the median of the Walsh
/// averages `(dᵢ + dⱼ) / 2`, i ≤ j) and its interval at critical value `z`, the one that goes
/// with the signed-rank test: from the `C`-th smallest to the `C`-th largest Walsh average,
/// `C = ⌊M/2 − z·σ⌋` of `M = n(n+1)/2`, σ the statistic's standard deviation without ties.
/// Open when `C < 1` (too few pairs for that confidence); `None` for no differences.
pub fn centre_interval(d: &[f64], z: f64) -> Option<(f64, Interval)> {
    let step = d.len().div_ceil(MAX_INTERVAL_PAIRS).max(1);
    let d: Vec<f64> = d.iter().step_by(step).copied().collect();
    let n = d.len();
    if n == 0 {
        return None;
    }
    let mut walsh: Vec<f64> = (0..n)
        .flat_map(|i| {
            let first = d[i];
            d[i..].iter().map(move |x| (first + x) / 2.0)
        })
        .collect();
    walsh.sort_by(f64::total_cmp);
    let nf = n as f64;
    let sigma = (nf * (nf + 1.0) * (2.0 * nf + 1.0) / 24.0).sqrt();
    hodges_lehmann(&walsh, sigma, z)
}

/// The Hodges–Lehmann estimate of the centre of `d` (see [`centre_interval`]): for the log
/// ratios of paired samples, the log of the typical pair's ratio. `None` for no differences.
pub fn typical(d: &[f64]) -> Option<f64> {
    centre_interval(d, 0.0).map(|(estimate, _)| estimate)
}

/// The log ratios `ln(head / base)` of paired samples, round by round; `None` when the sides
/// differ in length or a value is not a positive finite number (no ratio to take).
pub fn log_ratios(base: &[f64], head: &[f64]) -> Option<Vec<f64>> {
    if base.len() != head.len() {
        return None;
    }
    let positive = |x: &f64| x.is_finite() && *x > 0.0;
    base.iter()
        .zip(head)
        .map(|(b, h)| (positive(b) && positive(h)).then(|| (h / b).ln()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_rank_matches_the_normal_approximation_worked_by_hand() {
        // d = [1.5, -0.5, 2, 3, -4, 6]: |d| ranks 2, 1, 3, 4, 5, 6; W⁺ = 2 + 3 + 4 + 6 = 15,
        // mean 10.5, σ² = 6·7·13/24 = 22.75, z = 4.5 / √22.75 = 0.943456.
        let t = signed_rank(&[1.5, -0.5, 2.0, 3.0, -4.0, 6.0]).unwrap();
        assert_eq!((t.w_plus, t.n), (15.0, 6));
        assert!((t.z - 0.943_456).abs() < 1e-6, "z = {}", t.z);
        assert!((t.p_value - 0.345_448).abs() < 1e-5, "p = {}", t.p_value);
        let flipped = signed_rank(&[-1.5, 0.5, -2.0, -3.0, 4.0, -6.0]).unwrap();
        assert_eq!(flipped.w_plus, 6.0);
        assert!((flipped.z + t.z).abs() < 1e-12);
    }

    #[test]
    fn signed_rank_drops_zeros_and_corrects_for_ties() {
        // Zeros leave the test; |d| = 1, 1, 2 tie at 1: mid-rank 1.5 each, W⁺ = 1.5 + 3 = 4.5,
        // mean 3, σ² = 3·4·7/24 − (8 − 2)/48 = 3.375.
        let t = signed_rank(&[0.0, 1.0, -1.0, 2.0, 0.0]).unwrap();
        assert_eq!((t.w_plus, t.n), (4.5, 3));
        assert!((t.z - 1.5 / 3.375f64.sqrt()).abs() < 1e-12);
        let none = signed_rank(&[0.0, 0.0]).unwrap();
        assert_eq!((none.z, none.p_value), (0.0, 1.0));
        assert!(signed_rank(&[]).is_none());
    }

    #[test]
    fn nine_pairs_of_one_sign_are_the_fewest_that_reach_one_percent() {
        assert_eq!(pairs_needed(0.01), 9);
        assert!(largest_z(8) < 2.5758 && largest_z(9) > 2.5758);
        let all_up: Vec<f64> = (1..=9).map(f64::from).collect();
        let t = signed_rank(&all_up).unwrap();
        assert!((t.z - largest_z(9)).abs() < 1e-12 && t.p_value < 0.01);
        assert_eq!(pairs_needed(0.001), 14);
    }

    #[test]
    fn the_centre_interval_brackets_a_shift_and_opens_on_few_pairs() {
        let d: Vec<f64> = (0..30)
            .map(|i| 0.05 + 0.001 * f64::from(i % 7) - 0.003)
            .collect();
        let (estimate, iv) = centre_interval(&d, 2.576).unwrap();
        assert!((estimate - 0.05).abs() < 0.002, "{estimate}");
        assert!(iv.lo.unwrap() <= estimate && estimate <= iv.hi.unwrap());
        assert!(iv.lo.unwrap() > 0.04 && iv.hi.unwrap() < 0.06, "{iv:?}");
        // Four pairs: M = 10, σ = 2.74, C = ⌊5 − 7.05⌋ < 1: no interval at 99 %.
        let (_, iv) = centre_interval(&[0.1, 0.2, 0.3, 0.4], 2.576).unwrap();
        assert_eq!((iv.lo, iv.hi), (None, None));
        assert!(centre_interval(&[], 2.0).is_none());
    }

    #[test]
    fn the_centre_interval_runs_between_the_c_th_walsh_averages_from_each_end() {
        // d = 1², 2², …, 20²: M = 210 Walsh averages, σ = √(20·21·41/24) = 26.79, at z = 1.96
        // C = ⌊105 − 52.50⌋ = 52: from the 52nd smallest average, 68 = (6² + 10²)/2, to the
        // 52nd largest, 205 = (7² + 19²)/2.
        let d: Vec<f64> = (1..=20).map(|i| f64::from(i * i)).collect();
        let (estimate, iv) = centre_interval(&d, 1.96).unwrap();
        assert_eq!((iv.lo, iv.hi), (Some(68.0), Some(205.0)));
        assert!(iv.lo.unwrap() < estimate && estimate < iv.hi.unwrap());
    }

    #[test]
    fn log_ratios_need_pairs_of_positive_numbers() {
        let d = log_ratios(&[100.0, 200.0], &[110.0, 180.0]).unwrap();
        assert!((d[0] - 1.1f64.ln()).abs() < 1e-15 && (d[1] - 0.9f64.ln()).abs() < 1e-15);
        assert!(log_ratios(&[1.0], &[1.0, 2.0]).is_none());
        assert!(log_ratios(&[0.0], &[1.0]).is_none());
        assert!(log_ratios(&[f64::NAN], &[1.0]).is_none());
    }
}
