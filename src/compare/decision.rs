//! The rule that turns a metric measured on two branches into a verdict, as pure functions.
//!
//! Thresholds alone flag noise: two runs of the same build on a shared CI runner easily differ by
//! a few percent. So a change is called only when it is both *past the threshold* and *real*:
//!
//! 1. **Change.** `change % = (head − base) × 100 / base`, on the compared statistic (for
//!    `candles_per_sec` the HEAD budget's `regression.stat`, median by default; single-valued
//!    metrics such as `p95_stage_latency_ms` and `peak_rss_mb` are compared as they are). A
//!    change is *worse* when throughput goes down or a less-is-better metric goes up.
//! 2. **Threshold.** Under `warn_pct` (default 5) either way: `unchanged` — unless there are
//!    fewer wall-time samples than the rank test needs (below), which say nothing either way,
//!    not even that nothing changed. A change exactly at a threshold counts as past it.
//! 3. **Noise.** Past the threshold, the change must also be real:
//!    - wall-time samples (`candles_per_sec`) go to a two-sided Mann–Whitney U test
//!      ([`mann_whitney`]), which must reject "no shift" at the level `alpha` (0.01, [`ALPHA`], for
//!      a fixed number of repeats; the last look's nominal level for samples an `ab` with
//!      `repeats = "auto"` collected sequentially), its direction agreeing with the statistic's;
//!    - with fewer samples than the test needs to reach that level at all (5 a side at 0.01,
//!      [`samples_needed`]), nothing is called: any sample count, 1 included, is `inconclusive`
//!      ("2 samples a side, 5 needed");
//!    - single values (one per run, such as `peak_rss_mb`) are noise when the ranges `[min,
//!      max]` of the two sides overlap and the shift is under [`SPREAD_FACTOR`] (2) times the
//!      observed spread, `max − min` of the wider side; otherwise the threshold decides.
//!
//!    A change past the threshold that is not real is `inconclusive`, with the reason in words:
//!    too few samples, or the noise (the half-width of the Hodges–Lehmann interval of the shift
//!    that goes with the test, "noise ±12% hides a 4% change"). `p95_stage_latency_ms`, one
//!    figure per run with no measure of its own noise, is at most `inconclusive` (the caller,
//!    `compare`, applies this).
//! 4. **Verdict.** A real worsening of at least `fail_pct` (default 15) is `regressed-fail`,
//!    of at least `warn_pct` `regressed-warn`; a real improvement past `warn_pct` is `improved`.
//!    An improvement is never called a regression: for latency and memory, down is better.

use schemars::JsonSchema;
use serde::Serialize;

use crate::judge::Regression;
use crate::stats::interval::shift_interval;
pub use crate::stats::rank::{mann_whitney, MannWhitney};

/// Significance level of the rank test: a p-value below it rejects "no shift".
///
/// 0.01 rather than the customary 0.05: a false alarm on a pull request costs a reviewer's trust,
/// and with 5 samples a side 0.05 lets about 1 A/A comparison in 36 through as a regression.
pub const ALPHA: f64 = 0.01;

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

/// What kind of evidence a metric gives, and so how its noise is judged.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Evidence {
    /// Repeated wall-time samples, judged by the rank test at this two-sided level.
    Sampled {
        /// Reject "no shift" when the p-value is below this.
        alpha: f64,
    },
    /// One value per side (memory), judged by the range rule.
    Single,
}

/// The outcome of the noise check.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, JsonSchema)]
#[serde(tag = "method", rename_all = "kebab-case")]
pub enum Noise {
    /// Mann–Whitney U test.
    RankTest {
        /// U of head: the number of (head, base) pairs in which head is larger, ties counting
        /// one half.
        u: f64,
        /// Two-sided p-value (normal approximation with tie correction).
        p_value: f64,
        /// The level the p-value had to be under.
        alpha: f64,
        /// Whether the test rejected "no shift" in the direction of the statistic's change.
        cleared: bool,
    },
    /// Fewer samples than the rank test needs to reach its level at all: never cleared.
    TooFewSamples {
        /// Samples on base.
        base: usize,
        /// Samples on head.
        head: usize,
        /// Samples needed on each side.
        needed: usize,
    },
    /// The range rule, for single values.
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
            Noise::TooFewSamples { .. } => false,
            Noise::Exact {
                base_agree,
                head_agree,
            } => base_agree && head_agree,
        }
    }
}

/// What the rule decided for one metric.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Decision {
    /// The verdict.
    pub verdict: ChangeVerdict,
    /// `(head − base) × 100 / base`; `None` when base is 0 and head is not.
    pub change_pct: Option<f64>,
    /// The noise check behind the verdict.
    pub noise: Noise,
    /// Why an `inconclusive` verdict is not called either way, in words.
    pub reason: Option<String>,
}

/// Decides how a metric changed from `base` to `head`, by the rule in this module's docs, with
/// `thresholds` (HEAD's `[regression]`; its `stat` has already been applied by the caller).
pub fn decide(
    base: Side,
    head: Side,
    better: Better,
    thresholds: &Regression,
    evidence: Evidence,
) -> Decision {
    let noise = match evidence {
        Evidence::Sampled { alpha } => rank_noise(base, head, alpha),
        Evidence::Single => range_noise(base, head),
    };
    let change_pct = change_pct(base.value, head.value);
    let Some(change) = change_pct else {
        // From zero, no percentage can be past or short of a threshold.
        return Decision {
            verdict: ChangeVerdict::Inconclusive,
            change_pct,
            noise,
            reason: Some("the base value is 0: no percentage".to_owned()),
        };
    };
    let warn = thresholds.warn_pct.min(thresholds.fail_pct);
    let worsening = match better {
        Better::Higher => -change,
        Better::Lower => change,
    };
    let verdict = if matches!(noise, Noise::TooFewSamples { .. }) {
        // Too few samples say nothing either way: not even that nothing changed.
        ChangeVerdict::Inconclusive
    } else if change == 0.0 || !at_least(change.abs(), warn) {
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
    let reason = (verdict == ChangeVerdict::Inconclusive)
        .then(|| inconclusive_reason(base, head, &noise, change));
    Decision {
        verdict,
        change_pct,
        noise,
        reason,
    }
}

/// Why a change past the threshold did not clear the noise, in words.
fn inconclusive_reason(base: Side, head: Side, noise: &Noise, change: f64) -> String {
    match *noise {
        Noise::TooFewSamples { base, head, needed } if base == head => {
            format!("{base} {} a side, {needed} needed", plural(base))
        }
        Noise::TooFewSamples { base, head, needed } => {
            format!("{base} and {head} samples, {needed} a side needed")
        }
        Noise::RankTest { p_value, alpha, .. } if p_value < alpha => {
            "the rank test points the other way".to_owned()
        }
        Noise::RankTest { alpha, .. }
            if largest_z(base.samples.len(), head.samples.len())
                < crate::stats::normal::two_sided_critical(alpha) =>
        {
            // Enough to judge at α, not at the stricter level of the sequential look it
            // stopped at (bounds reached early).
            let (n1, n2) = (base.samples.len(), head.samples.len());
            let needed = samples_needed(alpha);
            if n1 == n2 {
                format!(
                    "{n1} {} a side, {needed} needed at the last look",
                    plural(n1)
                )
            } else {
                format!("{n1} and {n2} samples, {needed} a side needed at the last look")
            }
        }
        Noise::RankTest { alpha, .. } => {
            let z = crate::stats::normal::two_sided_critical(alpha);
            match noise_pct(base, head, z) {
                Some(noise) => format!("noise ±{noise:.1}% hides a {:.1}% change", change.abs()),
                None => format!("noise hides a {:.1}% change", change.abs()),
            }
        }
        Noise::Ranges { .. } => "the values overlap within their spread".to_owned(),
        Noise::Exact { .. } => "the counted runs disagree".to_owned(),
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        "sample"
    } else {
        "samples"
    }
}

/// The noise of a sampled comparison in percent of base: the larger distance from the
/// Hodges–Lehmann estimate of the shift to an end of its interval at critical value `z`.
pub fn noise_pct(base: Side, head: Side, z: f64) -> Option<f64> {
    let (estimate, interval) = shift_interval(base.samples, head.samples, z)?;
    let (lo, hi) = (interval.lo?, interval.hi?);
    (base.value != 0.0).then(|| (estimate - lo).max(hi - estimate) * 100.0 / base.value.abs())
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

/// The fewest samples a side with which the two-sided rank test can reach a p-value under
/// `alpha` at all: `n` with two fully separated groups of `n`, `|z| = n/2 · √(12 / (2n + 1))`,
/// at the critical value. 5 at α = 0.01 (the exact test's smallest p there is 0.0079), 8 at
/// 0.001.
pub fn samples_needed(alpha: f64) -> usize {
    let z = crate::stats::normal::two_sided_critical(alpha);
    (1..=100_000)
        .find(|&n| largest_z(n, n) >= z)
        .unwrap_or(100_000)
}

/// The largest |z| the rank test can give with `n1` and `n2` samples: two separated groups.
fn largest_z(n1: usize, n2: usize) -> f64 {
    let (a, b) = (n1 as f64, n2 as f64);
    (a * b / 2.0) / (a * b * (a + b + 1.0) / 12.0).sqrt()
}

/// The noise check of step 3 for wall-time samples: the rank test at `alpha`, if there are
/// enough samples to judge at all.
///
/// "Enough" is what the fixed-sample test at [`ALPHA`] needs (5 a side), even when `alpha` is
/// the far smaller nominal level of an early sequential look: samples on which `ab` stopped
/// because the change was shown inside the threshold are enough to say `unchanged`, though
/// not to call a change at that look's level.
fn rank_noise(base: Side, head: Side, alpha: f64) -> Noise {
    let (n1, n2) = (base.samples.len(), head.samples.len());
    let level = alpha.max(ALPHA);
    if n1 == 0 || n2 == 0 || largest_z(n1, n2) < crate::stats::normal::two_sided_critical(level) {
        return Noise::TooFewSamples {
            base: n1,
            head: n2,
            needed: samples_needed(level),
        };
    }
    let test = mann_whitney(base.samples, head.samples).expect("both sides have samples");
    let mean_u = (n1 * n2) as f64 / 2.0;
    let same_direction = (head.value - base.value) * (test.u - mean_u) > 0.0;
    Noise::RankTest {
        u: test.u,
        p_value: test.p_value,
        alpha,
        cleared: test.p_value < alpha && same_direction,
    }
}

/// The noise check of step 3 for single values: the range rule.
fn range_noise(base: Side, head: Side) -> Noise {
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
    Noise::Ranges {
        overlap,
        shift,
        spread,
        cleared: shift > 0.0 && !(overlap && shift < SPREAD_FACTOR * spread),
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
            Evidence::Sampled { alpha: ALPHA },
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
            Evidence::Single,
        )
    }

    fn scaled(samples: &[f64], factor: f64) -> Vec<f64> {
        samples.iter().map(|s| s * factor).collect()
    }

    const TIGHT: [f64; 6] = [1000.0, 1004.0, 998.0, 1002.0, 999.0, 1003.0];

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
    fn fewer_samples_than_the_test_needs_are_never_called_even_with_disjoint_ranges() {
        let t = Regression::default();
        // Ranges [990, 1010] and [880, 920] do not overlap, yet three samples a side are
        // disjoint by chance one time in ten: inconclusive, and it says why.
        let d = sampled(
            &[990.0, 1000.0, 1010.0],
            &[880.0, 900.0, 920.0],
            Better::Higher,
            &t,
        );
        assert_eq!(d.verdict, ChangeVerdict::Inconclusive);
        assert_eq!(
            d.noise,
            Noise::TooFewSamples {
                base: 3,
                head: 3,
                needed: 5
            }
        );
        assert_eq!(d.reason.as_deref(), Some("3 samples a side, 5 needed"));
        // Under the threshold too: three samples cannot show that nothing changed either.
        for head in [[970.0, 980.0, 990.0], [990.0, 1000.0, 1010.0]] {
            let d = sampled(&[990.0, 1000.0, 1010.0], &head, Better::Higher, &t);
            assert_eq!(d.verdict, ChangeVerdict::Inconclusive);
            assert_eq!(d.reason.as_deref(), Some("3 samples a side, 5 needed"));
        }
    }

    #[test]
    fn one_sample_a_side_never_decides_however_large_the_shift() {
        let t = Regression::default();
        for (base, head) in [
            (1000.0, 880.0),
            (1000.0, 1290.0),
            (1000.0, 500.0),
            (1000.0, 999.0),
        ] {
            let d = sampled(&[base], &[head], Better::Higher, &t);
            assert_eq!(d.verdict, ChangeVerdict::Inconclusive, "{base} → {head}");
            assert_eq!(d.reason.as_deref(), Some("1 sample a side, 5 needed"));
        }
        let d = sampled(&[1000.0; 4], &[800.0; 6], Better::Higher, &t);
        assert_eq!(
            d.reason.as_deref(),
            Some("4 and 6 samples, 5 a side needed")
        );
    }

    #[test]
    fn enough_samples_follow_from_the_fixed_level_and_a_stricter_look_only_tests_harder() {
        assert_eq!(samples_needed(0.01), 5);
        assert_eq!(samples_needed(0.001), 8);
        let d = decide(
            Side {
                value: 1000.0,
                samples: &[1000.0, 1001.0, 1002.0, 1003.0, 1004.0],
            },
            Side {
                value: 800.0,
                samples: &[800.0, 801.0, 802.0, 803.0, 804.0],
            },
            Better::Higher,
            &Regression::default(),
            Evidence::Sampled { alpha: 0.001 },
        );
        // Five a side are enough to judge (at α = 0.01), but two fully separated groups of
        // five cannot reach an early sequential look's stricter level: not called either way.
        assert_eq!(d.verdict, ChangeVerdict::Inconclusive);
        assert!(matches!(d.noise, Noise::RankTest { cleared: false, .. }));
        assert_eq!(
            d.reason.as_deref(),
            Some("5 samples a side, 8 needed at the last look")
        );
        let d = decide(
            Side {
                value: 1000.0,
                samples: &[1000.0, 1001.0, 1002.0, 1003.0, 1004.0],
            },
            Side {
                value: 999.0,
                samples: &[999.0, 1000.0, 1001.0, 1002.0, 1003.0],
            },
            Better::Higher,
            &Regression::default(),
            Evidence::Sampled { alpha: 0.001 },
        );
        // Under the threshold, the same five are enough to say `unchanged`: `ab` stops an A/A
        // comparison early once the change is shown inside the threshold.
        assert_eq!(d.verdict, ChangeVerdict::Unchanged);
    }

    #[test]
    fn a_change_hidden_in_the_noise_says_how_large_the_noise_is() {
        let noisy = [1000.0, 1060.0, 950.0, 1030.0, 980.0, 1045.0, 960.0];
        let d = sampled(
            &noisy,
            &scaled(&noisy, 0.97),
            Better::Higher,
            &thresholds(2.0, 15.0),
        );
        assert_eq!(d.verdict, ChangeVerdict::Inconclusive);
        let reason = d.reason.unwrap();
        assert!(
            reason.starts_with("noise ±") && reason.ends_with("% hides a 3.0% change"),
            "{reason}"
        );
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
            Evidence::Sampled { alpha: ALPHA },
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
