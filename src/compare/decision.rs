//! The rule that turns a metric measured on two branches into a verdict, as pure functions.
//!
//! Thresholds alone flag noise: two runs of the same build on a shared CI runner easily differ by
//! a few percent. So a change is called only when it is both *past the threshold* and *real*:
//!
//! 1. **Change.** `change % = (head − base) × 100 / base`, on the compared statistic (for
//!    `candles_per_sec` the HEAD budget's `regression.stat`, median by default; single-valued
//!    metrics such as `p95_stage_latency_ms` and `peak_rss_mb` are compared as they are). For
//!    samples `ab` took in rounds, the change is instead the typical round's ratio head / base
//!    (see [`paired`]), far steadier than the ratio of the two medians on a shared machine. A
//!    change is *worse* when throughput goes down or a less-is-better metric goes up.
//! 2. **Threshold.** Under `warn_pct` (default 5) either way: `unchanged` — unless there are
//!    fewer wall-time samples than the rank test needs (below), which say nothing either way,
//!    not even that nothing changed. A change exactly at a threshold counts as past it.
//! 3. **Noise.** Past the threshold, the change must also be real:
//!    - wall-time samples (`candles_per_sec`) go to a two-sided rank test, which must reject "no
//!      shift" at the level `alpha`, its direction agreeing with the statistic's. The scenarios
//!      of one comparison share [`ALPHA`] (0.01): each of the `k` that can decide is held to
//!      `0.01 / k` ([`scenario_alpha`]), or to the stricter nominal level of the last look for
//!      samples an `ab` with `repeats = "auto"` collected sequentially (planned at the same
//!      share). Samples that `ab` took in
//!      rounds (one repeat of base, one of head, side by side: bench.json's `sampling.paired`)
//!      go to the Wilcoxon signed-rank test of the rounds' log ratios `ln(head / base)`
//!      ([`paired`]), which cancels what a round's two runs shared (the machine's state of the
//!      moment); other samples to the Mann–Whitney U test ([`mann_whitney`]);
//!    - with fewer samples than the test needs to reach that level at all (5 a side at 0.01
//!      for Mann–Whitney, [`samples_needed`]; 9 pairs for the signed-rank test,
//!      [`pairs_needed`]), nothing is called: any sample count, 1 included, is `inconclusive`
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

mod paired;

use crate::judge::Regression;
use crate::stats::interval::shift_interval;
pub use crate::stats::rank::{mann_whitney, MannWhitney};
pub use crate::stats::signed_rank::pairs_needed;

/// Significance level of the rank test: a p-value below it rejects "no shift".
///
/// 0.01 rather than the customary 0.05: a false alarm on a pull request costs a reviewer's trust,
/// and with 5 samples a side 0.05 lets about 1 A/A comparison in 36 through as a regression.
pub const ALPHA: f64 = 0.01;

/// The level each wall-time test is held to when one comparison judges `deciding` scenarios
/// together: [`ALPHA`] shared out evenly (Bonferroni), so that a build compared with itself gets
/// a false call in *any* of them at most [`ALPHA`] of the time, not `ALPHA` per scenario.
/// `deciding` counts the scenarios with enough samples to call a change at all ([`can_decide`]):
/// one that cannot call a change cannot call a false one.
pub fn scenario_alpha(deciding: usize) -> f64 {
    ALPHA / deciding.max(1) as f64
}

/// Whether `samples` a side (rounds, when `paired`) are enough for the rank test to call a
/// change at [`ALPHA`]: [`samples_needed`] a side, or [`pairs_needed`] rounds.
pub fn can_decide(samples: usize, paired: bool) -> bool {
    let needed = if paired {
        pairs_needed(ALPHA)
    } else {
        samples_needed(ALPHA)
    };
    samples >= needed
}

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
    /// Repeated wall-time samples, judged by a rank test at this two-sided level.
    Sampled {
        /// Reject "no shift" when the p-value is below this.
        alpha: f64,
        /// Whether the samples were taken in rounds, base and head side by side, so that the
        /// i-th of each side form a pair (the signed-rank test of their ratios).
        paired: bool,
    },
    /// One value per side (memory), judged by the range rule.
    Single,
}

/// The outcome of the noise check.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, JsonSchema)]
#[serde(tag = "method", rename_all = "kebab-case")]
pub enum Noise {
    /// Wilcoxon signed-rank test of paired samples' log ratios `ln(head / base)`.
    SignedRankTest {
        /// Pairs whose ratio is not exactly 1: the n of the test.
        pairs: usize,
        /// W⁺: the rank sum of the rounds in which head was faster (larger).
        w_plus: f64,
        /// Two-sided p-value (normal approximation with tie correction).
        p_value: f64,
        /// The level the p-value had to be under.
        alpha: f64,
        /// Whether the test rejected "no shift" in the direction of the statistic's change.
        cleared: bool,
    },
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
        /// Samples needed on each side (pairs, when paired).
        needed: usize,
        /// Whether the samples were paired (the signed-rank test's count).
        paired: bool,
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
            Noise::RankTest { cleared, .. }
            | Noise::SignedRankTest { cleared, .. }
            | Noise::Ranges { cleared, .. } => cleared,
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
    let by_value = || change_pct(base.value, head.value);
    let (change_pct, noise) = match evidence {
        Evidence::Sampled { alpha, paired } => {
            match paired
                .then(|| paired::change_and_noise(base, head, alpha))
                .flatten()
            {
                Some((change, noise)) => (change.or_else(by_value), noise),
                None => (by_value(), rank_noise(base, head, alpha)),
            }
        }
        Evidence::Single => (by_value(), range_noise(base, head)),
    };
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
        Noise::TooFewSamples {
            base,
            needed,
            paired: true,
            ..
        } => format!("{base} {}, {needed} needed", plural_pairs(base)),
        Noise::TooFewSamples {
            base, head, needed, ..
        } if base == head => {
            format!("{base} {} a side, {needed} needed", plural(base))
        }
        Noise::TooFewSamples {
            base, head, needed, ..
        } => {
            format!("{base} and {head} samples, {needed} a side needed")
        }
        Noise::SignedRankTest { .. } => paired::inconclusive_reason(base, head, noise, change),
        Noise::RankTest { p_value, alpha, .. } if p_value < alpha => {
            "the rank test points the other way".to_owned()
        }
        Noise::RankTest { alpha, .. }
            if largest_z(base.samples.len(), head.samples.len())
                < crate::stats::normal::two_sided_critical(alpha) =>
        {
            // Enough to judge at α, not at the stricter level of the scenario's share of it
            // or of the sequential look it stopped at (bounds reached early).
            let (n1, n2) = (base.samples.len(), head.samples.len());
            let needed = samples_needed(alpha);
            let level = level_text(alpha);
            if n1 == n2 {
                format!("{n1} {} a side, {needed} needed at {level}", plural(n1))
            } else {
                format!("{n1} and {n2} samples, {needed} a side needed at {level}")
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

/// A stricter level than [`ALPHA`] in words, to two significant digits: `alpha 0.0033`.
pub(super) fn level_text(alpha: f64) -> String {
    // cannot panic: clamped to 0..=12; a NaN alpha (from a file) casts to 0.
    let decimals = (1.0 - alpha.log10().floor()).clamp(0.0, 12.0) as usize;
    let digits = format!("{alpha:.decimals$}");
    format!(
        "alpha {}",
        digits.trim_end_matches('0').trim_end_matches('.')
    )
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        "sample"
    } else {
        "samples"
    }
}

fn plural_pairs(n: usize) -> &'static str {
    if n == 1 {
        "pair"
    } else {
        "pairs"
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
            paired: false,
        };
    }
    let test = mann_whitney(base.samples, head.samples).expect("both sides have samples");
    // cannot panic: bench.json is at most 64 MiB: under 2^25 samples a side.
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
mod tests;
