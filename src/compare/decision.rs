//! The rule that turns a metric measured on two branches into a verdict, as pure functions.
//!
//! Thresholds alone flag noise: two runs of the same build on a shared CI runner easily differ by
//! a few percent. So a change is called only when it is both *past the threshold* and *real*:
//!
//! 1. **Change.** `change % = (head − base) × 100 / base`, on the compared statistic (for
//!    `candles_per_sec` the HEAD budget's `regression.stat`, median by default; single-valued
//!    metrics such as `p95_stage_latency_ms` and `peak_rss_mb` are compared as they are). A
//!    change is *worse* when throughput goes down or a less-is-better metric goes up.
//! 2. **Threshold.** Under `warn_pct` (default 5) either way: `unchanged`. A change exactly at a
//!    threshold counts as past it.
//! 3. **Noise.** Past the threshold, the change must also be real:
//!    - with at least [`MIN_RANK_SAMPLES`] (5) samples on each side, a two-sided Mann–Whitney U
//!      test ([`mann_whitney`]) must reject "no shift" at [`ALPHA`] (0.01), and its direction
//!      must agree with the statistic's;
//!    - with 2 to 4 samples on a side, nothing is called: a change past the threshold is
//!      `inconclusive` (with three samples a side, disjoint ranges happen by chance one time in
//!      ten, so no rule on so few samples is honest);
//!    - single values (one per run, such as `peak_rss_mb`) are noise when the ranges `[min,
//!      max]` of the two sides overlap and the shift is under [`SPREAD_FACTOR`] (2) times the
//!      observed spread, `max − min` of the wider side; otherwise the threshold decides.
//!
//!    A change past the threshold that is not real is `inconclusive`. `p95_stage_latency_ms`,
//!    one figure per run with no measure of its own noise, is at most `inconclusive` (the
//!    caller, `compare`, applies this).
//! 4. **Verdict.** A real worsening of at least `fail_pct` (default 15) is `regressed-fail`,
//!    of at least `warn_pct` `regressed-warn`; a real improvement past `warn_pct` is `improved`.
//!    An improvement is never called a regression: for latency and memory, down is better.

use schemars::JsonSchema;
use serde::Serialize;

use crate::judge::Regression;

/// Significance level of the rank test: a p-value below it rejects "no shift".
///
/// 0.01 rather than the customary 0.05: a false alarm on a pull request costs a reviewer's trust,
/// and with 5 samples a side 0.05 lets about 1 A/A comparison in 36 through as a regression.
pub const ALPHA: f64 = 0.01;

/// Fewest samples on each side for the rank test; with fewer, the range rule decides.
pub const MIN_RANK_SAMPLES: usize = 5;

/// Range rule: with overlapping ranges, a shift under this many times the observed spread is
/// taken for noise.
pub const SPREAD_FACTOR: f64 = 2.0;

/// Percentage points within which a change counts as *at* a threshold, so that 950 against 1000
/// is a 5 % change however the floating-point division rounds.
const AT_LIMIT: f64 = 1e-9;

/// How a metric changed from base to head. Declared in the order a reviewer should care, least
/// first (an inconclusive change needs a second look more than an improvement does), so the
/// maximum over a scenario's metrics is its outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeVerdict {
    /// Within the warn threshold.
    Unchanged,
    /// Better by at least the warn threshold, and clear of the noise.
    Improved,
    /// Past the warn threshold, but not clear of the noise.
    Inconclusive,
    /// Worse by at least the warn threshold (but less than the fail threshold), and clear of
    /// the noise.
    RegressedWarn,
    /// Worse by at least the fail threshold, and clear of the noise.
    RegressedFail,
}

impl ChangeVerdict {
    /// The verdict as written in tables and JSON.
    pub fn name(self) -> &'static str {
        match self {
            ChangeVerdict::Unchanged => "unchanged",
            ChangeVerdict::Improved => "improved",
            ChangeVerdict::Inconclusive => "inconclusive",
            ChangeVerdict::RegressedWarn => "regressed-warn",
            ChangeVerdict::RegressedFail => "regressed-fail",
        }
    }

    /// Whether this is a regression, warn or fail.
    pub fn is_regression(self) -> bool {
        matches!(
            self,
            ChangeVerdict::RegressedWarn | ChangeVerdict::RegressedFail
        )
    }
}

/// Which direction is an improvement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Better {
    /// More is better (throughput).
    Higher,
    /// Less is better (latency, memory).
    Lower,
}

/// One side of a comparison: the compared value and the samples it summarises.
#[derive(Debug, Clone, Copy)]
pub struct Side<'a> {
    /// The compared statistic (or the single measured value).
    pub value: f64,
    /// The samples behind it; a single-valued metric passes `&[value]`.
    pub samples: &'a [f64],
}

/// The outcome of the noise check.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, JsonSchema)]
#[serde(tag = "method", rename_all = "kebab-case")]
pub enum Noise {
    /// Mann–Whitney U test, both sides with at least [`MIN_RANK_SAMPLES`] samples.
    RankTest {
        /// U of head: the number of (head, base) pairs in which head is larger, ties counting
        /// one half.
        u: f64,
        /// Two-sided p-value (normal approximation with tie correction).
        p_value: f64,
        /// Whether the test rejected "no shift" in the direction of the statistic's change.
        cleared: bool,
    },
    /// The range rule, for fewer samples.
    Ranges {
        /// Whether the `[min, max]` ranges of the two sides overlap.
        overlap: bool,
        /// The absolute difference of the compared values.
        shift: f64,
        /// `max − min` of the wider side.
        spread: f64,
        /// Whether the shift is taken for real.
        cleared: bool,
    },
    /// An exact metric (see `compare::exact`): no noise, as long as each side's samples agree.
    Exact {
        /// Whether every sample of base is the same count.
        base_agree: bool,
        /// Whether every sample of head is the same count.
        head_agree: bool,
    },
}

impl Noise {
    /// Whether the change is taken for real rather than noise.
    pub fn cleared(&self) -> bool {
        match *self {
            Noise::RankTest { cleared, .. } | Noise::Ranges { cleared, .. } => cleared,
            Noise::Exact {
                base_agree,
                head_agree,
            } => base_agree && head_agree,
        }
    }
}

/// What the rule decided for one metric.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, JsonSchema)]
pub struct Decision {
    /// The verdict.
    pub verdict: ChangeVerdict,
    /// `(head − base) × 100 / base`; `None` when base is 0 and head is not.
    pub change_pct: Option<f64>,
    /// The noise check behind the verdict.
    pub noise: Noise,
}

/// Decides how a metric changed from `base` to `head`, by the rule in this module's docs, with
/// `thresholds` (HEAD's `[regression]`; its `stat` has already been applied by the caller).
pub fn decide(base: Side, head: Side, better: Better, thresholds: &Regression) -> Decision {
    let noise = noise(base, head);
    let change_pct = change_pct(base.value, head.value);
    let Some(change) = change_pct else {
        // From zero, no percentage can be past or short of a threshold.
        return Decision {
            verdict: ChangeVerdict::Inconclusive,
            change_pct,
            noise,
        };
    };
    let warn = thresholds.warn_pct.min(thresholds.fail_pct);
    let worsening = match better {
        Better::Higher => -change,
        Better::Lower => change,
    };
    let verdict = if change == 0.0 || !at_least(change.abs(), warn) {
        ChangeVerdict::Unchanged
    } else if !noise.cleared() {
        ChangeVerdict::Inconclusive
    } else if worsening < 0.0 {
        ChangeVerdict::Improved
    } else if at_least(worsening, thresholds.fail_pct) {
        ChangeVerdict::RegressedFail
    } else {
        ChangeVerdict::RegressedWarn
    };
    Decision {
        verdict,
        change_pct,
        noise,
    }
}

/// `(head − base) × 100 / base`, multiplied first so that round figures stay exact; `None`
/// for a zero base under a non-zero head.
pub fn change_pct(base: f64, head: f64) -> Option<f64> {
    if base == 0.0 {
        (head == 0.0).then_some(0.0)
    } else {
        Some((head - base) * 100.0 / base)
    }
}

fn at_least(pct: f64, threshold: f64) -> bool {
    pct >= threshold - AT_LIMIT
}

/// The noise check of step 3: the rank test with enough samples, else the range rule.
fn noise(base: Side, head: Side) -> Noise {
    if base.samples.len() >= MIN_RANK_SAMPLES && head.samples.len() >= MIN_RANK_SAMPLES {
        if let Some(test) = mann_whitney(base.samples, head.samples) {
            let mean_u = (base.samples.len() * head.samples.len()) as f64 / 2.0;
            let same_direction = (head.value - base.value) * (test.u - mean_u) > 0.0;
            return Noise::RankTest {
                u: test.u,
                p_value: test.p_value,
                cleared: test.p_value < ALPHA && same_direction,
            };
        }
    }
    let range = |s: Side| {
        let values = if s.samples.is_empty() {
            std::slice::from_ref(&s.value)
        } else {
            s.samples
        };
        values
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                (lo.min(v), hi.max(v))
            })
    };
    let ((base_lo, base_hi), (head_lo, head_hi)) = (range(base), range(head));
    let overlap = base_lo.max(head_lo) <= base_hi.min(head_hi);
    let spread = (base_hi - base_lo).max(head_hi - head_lo);
    let shift = (head.value - base.value).abs();
    // Two to four samples a side cannot tell a shift from noise: with three, disjoint ranges
    // happen by chance one time in ten. Only single values (memory) are left to the range rule.
    let sampled = base.samples.len() > 1 || head.samples.len() > 1;
    Noise::Ranges {
        overlap,
        shift,
        spread,
        cleared: !sampled && shift > 0.0 && !(overlap && shift < SPREAD_FACTOR * spread),
    }
}

/// The result of a Mann–Whitney U test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MannWhitney {
    /// U of the second sample: pairs `(x, y)` with `y > x`, ties counting one half. Ranges from
    /// 0 (every `y` below every `x`) to `len(x) × len(y)`.
    pub u: f64,
    /// The standardised statistic `(U − n₁n₂/2) / σ`.
    pub z: f64,
    /// Two-sided p-value.
    pub p_value: f64,
}

/// Two-sided Mann–Whitney U test (Wilcoxon rank-sum) of "`x` and `y` come from the same
/// distribution" against a shift either way.
///
/// Method: pool and rank the samples, ties getting their mid-rank; `U = R_y − n₂(n₂+1)/2`.
/// Under the null hypothesis U has mean `n₁n₂/2` and, with the tie correction, variance
/// `n₁n₂/12 × ((n+1) − Σ(t³−t) / (n(n−1)))` over the sizes `t` of the groups of ties. The
/// p-value is the normal approximation `2 × (1 − Φ(|z|))`, without continuity correction (as
/// scipy's `mannwhitneyu(..., use_continuity=False, method="asymptotic")`). For two fully
/// separated groups of five this gives p ≈ 0.0090, against 0.0079 for the exact test.
/// `None` when either sample is empty; p = 1 when every value is the same.
pub fn mann_whitney(x: &[f64], y: &[f64]) -> Option<MannWhitney> {
    let (n1, n2) = (x.len(), y.len());
    if n1 == 0 || n2 == 0 {
        return None;
    }
    let mut pooled: Vec<(f64, bool)> = x
        .iter()
        .map(|&v| (v, false))
        .chain(y.iter().map(|&v| (v, true)))
        .collect();
    pooled.sort_by(|a, b| a.0.total_cmp(&b.0));
    let n = pooled.len();
    let (mut rank_sum_y, mut ties) = (0.0, 0.0);
    let mut start = 0;
    while start < n {
        let end = start
            + pooled[start..]
                .iter()
                .take_while(|p| p.0 == pooled[start].0)
                .count();
        let size = (end - start) as f64;
        let mid_rank = (start + 1 + end) as f64 / 2.0;
        rank_sum_y += mid_rank * pooled[start..end].iter().filter(|p| p.1).count() as f64;
        ties += size.powi(3) - size;
        start = end;
    }
    let (n1, n2, n) = (n1 as f64, n2 as f64, n as f64);
    let u = rank_sum_y - n2 * (n2 + 1.0) / 2.0;
    let variance = n1 * n2 / 12.0 * ((n + 1.0) - ties / (n * (n - 1.0)));
    if variance <= 0.0 {
        return Some(MannWhitney {
            u,
            z: 0.0,
            p_value: 1.0,
        });
    }
    let z = (u - n1 * n2 / 2.0) / variance.sqrt();
    Some(MannWhitney {
        u,
        z,
        p_value: erfc(z.abs() / std::f64::consts::SQRT_2).min(1.0),
    })
}

/// The complementary error function, by the Chebyshev fit of Numerical Recipes (`erfcc`),
/// fractional error under 1.2e-7 everywhere: ample for a p-value.
fn erfc(x: f64) -> f64 {
    let t = 1.0 / (1.0 + 0.5 * x.abs());
    let poly = [
        -1.265_512_23,
        1.000_023_68,
        0.374_091_96,
        0.096_784_18,
        -0.186_288_06,
        0.278_868_07,
        -1.135_203_98,
        1.488_515_87,
        -0.822_152_23,
        0.170_872_77,
    ]
    .iter()
    .rev()
    .fold(0.0, |acc, c| acc * t + c);
    let r = t * (-x * x + poly).exp();
    if x >= 0.0 {
        r
    } else {
        2.0 - r
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::judge::Statistic;

    fn thresholds(warn_pct: f64, fail_pct: f64) -> Regression {
        Regression {
            stat: Statistic::Median,
            warn_pct,
            fail_pct,
            ..Regression::default()
        }
    }

    fn median(samples: &[f64]) -> f64 {
        crate::stats::percentile(samples, 50.0).unwrap()
    }

    fn sampled(base: &[f64], head: &[f64], better: Better, t: &Regression) -> Decision {
        decide(
            Side {
                value: median(base),
                samples: base,
            },
            Side {
                value: median(head),
                samples: head,
            },
            better,
            t,
        )
    }

    fn single(base: f64, head: f64, better: Better, t: &Regression) -> Decision {
        decide(
            Side {
                value: base,
                samples: &[base],
            },
            Side {
                value: head,
                samples: &[head],
            },
            better,
            t,
        )
    }

    fn scaled(samples: &[f64], factor: f64) -> Vec<f64> {
        samples.iter().map(|s| s * factor).collect()
    }

    const TIGHT: [f64; 6] = [1000.0, 1004.0, 998.0, 1002.0, 999.0, 1003.0];

    #[test]
    fn erfc_matches_tabulated_values() {
        for (x, want) in [
            (0.0, 1.0),
            (0.5, 0.479_500_122),
            (1.0, 0.157_299_207),
            (2.0, 0.004_677_735),
            (-1.0, 1.842_700_793),
        ] {
            assert!(
                (erfc(x) - want).abs() < 2e-7 * want.max(1e-3),
                "erfc({x}) = {}",
                erfc(x)
            );
        }
    }

    #[test]
    fn mann_whitney_of_two_separated_groups_of_five_matches_the_normal_approximation() {
        let low = [1.0, 2.0, 3.0, 4.0, 5.0];
        let high = [6.0, 7.0, 8.0, 9.0, 10.0];
        let t = mann_whitney(&high, &low).unwrap();
        assert_eq!(t.u, 0.0);
        // z = -12.5 / sqrt(25 * 11 / 12); p = erfc(|z| / √2) = 0.0090234 (the exact test: 0.0079).
        assert!((t.z + 2.611_165).abs() < 1e-6, "z = {}", t.z);
        assert!((t.p_value - 0.009_023_4).abs() < 1e-6, "p = {}", t.p_value);
        let reversed = mann_whitney(&low, &high).unwrap();
        assert_eq!(reversed.u, 25.0);
        assert!((reversed.p_value - t.p_value).abs() < 1e-12);
    }

    #[test]
    fn mann_whitney_corrects_for_ties() {
        // x = [1, 2, 2], y = [2, 3, 3]: mid-ranks give R_y = 3 + 5.5 + 5.5 = 14, U = 8; ties of
        // sizes 3 and 2 make Σ(t³−t) = 30, so σ² = 9/12 × (7 − 30/30) = 4.5.
        let t = mann_whitney(&[1.0, 2.0, 2.0], &[2.0, 3.0, 3.0]).unwrap();
        assert_eq!(t.u, 8.0);
        assert!((t.z - 3.5 / 4.5f64.sqrt()).abs() < 1e-12);
    }

    #[test]
    fn mann_whitney_of_identical_constant_samples_finds_nothing() {
        let t = mann_whitney(&[5.0; 6], &[5.0; 6]).unwrap();
        assert_eq!((t.u, t.p_value), (18.0, 1.0));
        assert!(mann_whitney(&[], &[1.0]).is_none());
    }

    #[test]
    fn identical_samples_are_unchanged() {
        let d = sampled(&TIGHT, &TIGHT, Better::Higher, &Regression::default());
        assert_eq!(d.verdict, ChangeVerdict::Unchanged);
        assert_eq!(d.change_pct, Some(0.0));
        assert!(!d.noise.cleared());
    }

    #[test]
    fn a_thirty_percent_drop_with_tight_samples_is_a_failing_regression() {
        let d = sampled(
            &TIGHT,
            &scaled(&TIGHT, 0.7),
            Better::Higher,
            &Regression::default(),
        );
        assert_eq!(d.verdict, ChangeVerdict::RegressedFail);
        assert!(matches!(d.noise, Noise::RankTest { cleared: true, .. }));
        assert!((d.change_pct.unwrap() + 30.0).abs() < 1e-9);
    }

    #[test]
    fn a_three_percent_drop_inside_the_noise_is_never_a_regression() {
        let noisy = [1000.0, 1060.0, 950.0, 1030.0, 980.0, 1045.0, 960.0];
        let head = scaled(&noisy, 0.97);
        for t in [
            Regression::default(),
            thresholds(2.0, 15.0),
            thresholds(1.0, 2.0),
        ] {
            let d = sampled(&noisy, &head, Better::Higher, &t);
            assert!(
                matches!(
                    d.verdict,
                    ChangeVerdict::Unchanged | ChangeVerdict::Inconclusive
                ),
                "{t:?}: {d:?}"
            );
        }
        // Past a 2% threshold, but the rank test cannot tell the two apart.
        assert_eq!(
            sampled(&noisy, &head, Better::Higher, &thresholds(2.0, 15.0)).verdict,
            ChangeVerdict::Inconclusive
        );
    }

    #[test]
    fn a_change_exactly_at_a_threshold_counts_as_past_it() {
        let t = Regression::default();
        assert_eq!(
            single(1000.0, 950.0, Better::Higher, &t).verdict,
            ChangeVerdict::RegressedWarn
        );
        assert_eq!(
            single(1000.0, 950.1, Better::Higher, &t).verdict,
            ChangeVerdict::Unchanged
        );
        assert_eq!(
            single(1000.0, 850.0, Better::Higher, &t).verdict,
            ChangeVerdict::RegressedFail
        );
        assert_eq!(
            single(1000.0, 850.1, Better::Higher, &t).verdict,
            ChangeVerdict::RegressedWarn
        );
        // Rounding must not move a limit: 1.1 → 1.155 is 5 % by arithmetic, 4.99999999999999 in floats.
        assert!(change_pct(1.1, 1.155).unwrap() < 5.0);
        assert_eq!(
            single(1.1, 1.155, Better::Lower, &t).verdict,
            ChangeVerdict::RegressedWarn
        );
        assert_eq!(
            single(40.0, 46.0, Better::Lower, &t).verdict,
            ChangeVerdict::RegressedFail
        );
    }

    #[test]
    fn less_is_better_metrics_going_down_are_improvements_never_regressions() {
        let t = Regression::default();
        for (base, head) in [(40.0, 20.0), (1024.0, 700.0), (50.0, 47.5)] {
            assert_eq!(
                single(base, head, Better::Lower, &t).verdict,
                ChangeVerdict::Improved,
                "{base} → {head}"
            );
        }
        assert_eq!(
            single(40.0, 60.0, Better::Lower, &t).verdict,
            ChangeVerdict::RegressedFail
        );
        assert_eq!(
            single(1024.0, 1100.0, Better::Lower, &t).verdict,
            ChangeVerdict::RegressedWarn
        );
    }

    #[test]
    fn more_throughput_is_an_improvement() {
        let d = sampled(
            &TIGHT,
            &scaled(&TIGHT, 1.4),
            Better::Higher,
            &Regression::default(),
        );
        assert_eq!(d.verdict, ChangeVerdict::Improved);
    }

    #[test]
    fn two_to_four_samples_a_side_are_never_called_even_with_disjoint_ranges() {
        let t = Regression::default();
        // Medians 1000 → 900 (−10 %), ranges [800, 1200] and [850, 950] overlap, spread 400.
        let d = sampled(
            &[800.0, 1000.0, 1200.0],
            &[850.0, 900.0, 950.0],
            Better::Higher,
            &t,
        );
        assert_eq!(d.verdict, ChangeVerdict::Inconclusive);
        assert_eq!(
            d.noise,
            Noise::Ranges {
                overlap: true,
                shift: 100.0,
                spread: 400.0,
                cleared: false
            }
        );
        // Ranges [990, 1010] and [880, 920] do not overlap, yet three samples a side are
        // disjoint by chance one time in ten: still inconclusive.
        let d = sampled(
            &[990.0, 1000.0, 1010.0],
            &[880.0, 900.0, 920.0],
            Better::Higher,
            &t,
        );
        assert_eq!(d.verdict, ChangeVerdict::Inconclusive);
        assert!(!d.noise.cleared());
        // Under the threshold it is simply unchanged.
        let d = sampled(
            &[990.0, 1000.0, 1010.0],
            &[970.0, 980.0, 990.0],
            Better::Higher,
            &t,
        );
        assert_eq!(d.verdict, ChangeVerdict::Unchanged);
    }

    #[test]
    fn single_values_past_the_threshold_are_called_by_the_threshold() {
        let t = Regression::default();
        assert_eq!(
            single(100.0, 110.0, Better::Lower, &t).verdict,
            ChangeVerdict::RegressedWarn
        );
        assert_eq!(
            single(100.0, 120.0, Better::Lower, &t).verdict,
            ChangeVerdict::RegressedFail
        );
        assert_eq!(
            single(100.0, 80.0, Better::Lower, &t).verdict,
            ChangeVerdict::Improved
        );
    }

    #[test]
    fn a_rank_test_against_the_statistics_direction_is_not_a_change() {
        // Judged on the min, head is 10 % slower (one slow outlier), yet the rank test finds
        // head clearly faster (p ≈ 0.005): the two disagree, so nothing is called.
        let base = [100.0, 101.0, 102.0, 103.0, 104.0];
        let head = [
            90.0, 200.0, 201.0, 202.0, 203.0, 204.0, 205.0, 206.0, 207.0, 208.0, 209.0, 210.0,
            211.0, 212.0, 213.0, 214.0,
        ];
        let d = decide(
            Side {
                value: 100.0,
                samples: &base,
            },
            Side {
                value: 90.0,
                samples: &head,
            },
            Better::Higher,
            &Regression::default(),
        );
        assert!(
            matches!(d.noise, Noise::RankTest { p_value, cleared: false, .. } if p_value < ALPHA)
        );
        assert_eq!(d.verdict, ChangeVerdict::Inconclusive);
    }

    #[test]
    fn no_change_is_unchanged_even_with_zero_thresholds() {
        let d = single(20.0, 20.0, Better::Lower, &thresholds(0.0, 0.0));
        assert_eq!(d.verdict, ChangeVerdict::Unchanged);
        assert!(!d.noise.cleared());
        assert_eq!(
            single(20.0, 20.5, Better::Lower, &thresholds(0.0, 0.0)).verdict,
            ChangeVerdict::RegressedFail
        );
    }

    #[test]
    fn a_zero_base_gives_no_percentage() {
        assert_eq!(change_pct(0.0, 0.0), Some(0.0));
        let d = single(0.0, 3.0, Better::Lower, &Regression::default());
        assert_eq!(
            (d.verdict, d.change_pct),
            (ChangeVerdict::Inconclusive, None)
        );
    }
}
