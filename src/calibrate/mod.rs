//! What `ab` can detect on this machine, from a build measured against itself: the noise, the
//! smallest slowdown detected with 90 % power at a scenario's settings, and the repeats needed
//! for a 5 % and a 2 % slowdown. Pure functions of the measured samples, so they are tested on
//! hand-made ones; `commands::calibrate` measures and prints.
//!
//! Method: the A/A rounds, each side's sample divided by its side's median, form a pool of this
//! machine's noise, round by round: what the two runs of a round share (the machine's state of
//! the moment, which can last many rounds) and what they do not. Power at a slowdown δ is
//! estimated by simulating `ab`: rounds drawn from the pool (with replacement, its two runs in
//! either order with equal chance, since both are the same build), head's sample multiplied by
//! `1 − δ`, fed round by round to the scenario's own stopping rule ([`AbPlan`]) and judged by
//! `compare`'s decision on the paired samples at the recorded level, with the scenario's
//! `[regression]` thresholds; the power is the share of simulated runs that end `regressed`.
//! Resampling whole rounds keeps the noise's real shape (one-sided, with the occasional slow
//! process) and how much of it the pairing cancels, which a normal model would not.
//! For "repeats needed for X %" the warn threshold is set to X / 2, the rule of thumb that lets
//! a real change of X clear its threshold almost always; those figures assume `repeats =
//! "auto"` with the scenario's `min_repeats`.

pub mod report;

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use crate::compare::decision::{decide, Better, Evidence, Side};
use crate::judge::Regression;
use crate::sampling::{AbPlan, AutoRepeats};
use crate::stats::signed_rank::{log_ratios, typical};
use crate::stats::{mean, percentile, stddev, Distribution};

/// The power a detectable change must be detected with.
pub const POWER: f64 = 0.9;
/// Simulated `ab` runs per power estimate.
pub const STREAMS: usize = 200;
/// Slowdowns tried, in percent, for the smallest detectable one.
pub const SLOWDOWNS_PCT: [f64; 18] = [
    0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0, 12.0, 15.0, 20.0, 25.0, 30.0, 40.0, 50.0,
    70.0,
];
/// The most repeats a side searched for "repeats needed".
pub const MOST_REPEATS: u32 = 500;

/// How a scenario samples in `ab`: what [`AbPlan::new`] takes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// Fixed repeats, or the most for `auto`.
    pub repeats: u32,
    /// The bounds of `repeats = "auto"`.
    pub auto: Option<AutoRepeats>,
    /// The `[regression]` thresholds.
    pub thresholds: Regression,
    /// The level the scenario's test is held to: its share of the false-alarm rate among the
    /// scenarios `ab` runs with it (`compare::decision::scenario_alpha`).
    pub alpha: f64,
}

/// The noise of one scenario's A/A samples.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Noise {
    /// Coefficient of variation of the samples of both sides, each side scaled to its median,
    /// in percent: the run-to-run noise an unpaired comparison sees.
    pub cv_pct: f64,
    /// Standard deviation of the rounds' log ratios `ln(head / base)`, in percent: the noise
    /// `ab`'s paired test sees, after the pairing cancelled what a round's runs shared.
    pub round_cv_pct: f64,
    /// The A/A change, head against base, in percent (ideally 0): the typical round's ratio,
    /// as `compare` measures the change of paired samples.
    pub aa_change_pct: f64,
}

/// The noise of `base` and `head`, both samples of the same build taken in rounds (the i-th of
/// each side from the same round).
pub fn noise(base: &[f64], head: &[f64]) -> Option<Noise> {
    let rounds = pool(base, head)?;
    let runs: Vec<f64> = rounds.iter().flat_map(|&(b, h)| [b, h]).collect();
    let ratios = log_ratios(base, head)?;
    Some(Noise {
        cv_pct: stddev(&runs) / mean(&runs)? * 100.0,
        round_cv_pct: stddev(&ratios) * 100.0,
        aa_change_pct: typical(&ratios)?.exp_m1() * 100.0,
    })
}

/// The rounds `(base, head)`, each side's sample divided by its side's median: the noise
/// around one. `None` without rounds, when the sides differ in length, or for a value that is
/// not a positive number.
pub fn pool(base: &[f64], head: &[f64]) -> Option<Vec<(f64, f64)>> {
    let (b, h) = (percentile(base, 50.0)?, percentile(head, 50.0)?);
    let positive = |x: &f64| x.is_finite() && *x > 0.0;
    if base.len() != head.len() || !base.iter().chain(head).all(positive) {
        return None;
    }
    Some(base.iter().zip(head).map(|(x, y)| (x / b, y / h)).collect())
}

/// The share of [`STREAMS`] simulated `ab` runs with `settings` that call a slowdown of
/// `slowdown_pct` a regression, drawing from `pool`.
pub fn power(pool: &[(f64, f64)], settings: &Settings, slowdown_pct: f64, seed: u64) -> f64 {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let fresh = plan(settings);
    let regressed = (0..STREAMS)
        .filter(|_| regressed(&mut rng, pool, settings, &fresh, slowdown_pct))
        .count();
    regressed as f64 / STREAMS as f64
}

/// Whether `slowdown_pct` is detected with [`POWER`]: [`power`] with the same draws, stopped as
/// soon as the answer is certain.
pub fn detects(pool: &[(f64, f64)], settings: &Settings, slowdown_pct: f64, seed: u64) -> bool {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let fresh = plan(settings);
    let allowed_misses = STREAMS - (POWER * STREAMS as f64).ceil() as usize;
    let mut misses = 0;
    for _ in 0..STREAMS {
        if !regressed(&mut rng, pool, settings, &fresh, slowdown_pct) {
            misses += 1;
            if misses > allowed_misses {
                return false;
            }
        }
    }
    true
}

/// The stopping rule `ab` would use at `settings`, before its first round (its boundaries are
/// computed once, then the plan is cloned for each simulated run).
fn plan(settings: &Settings) -> AbPlan {
    let warn = settings
        .thresholds
        .warn_pct
        .min(settings.thresholds.fail_pct);
    AbPlan::new(settings.repeats, settings.auto, settings.alpha, warn)
}

/// One simulated `ab` run from the fresh plan `fresh`: whether it ends `regressed`.
fn regressed(
    rng: &mut ChaCha8Rng,
    pool: &[(f64, f64)],
    settings: &Settings,
    fresh: &AbPlan,
    slowdown_pct: f64,
) -> bool {
    let factor = 1.0 - slowdown_pct / 100.0;
    let mut plan = fresh.clone();
    let (mut base, mut head) = (Vec::new(), Vec::new());
    let stop = loop {
        // cannot panic: pool() returns None for no rounds, so the range is not empty.
        let (first, second) = pool[rng.random_range(0..pool.len())];
        let (b, h) = if rng.random::<bool>() {
            (first, second)
        } else {
            (second, first)
        };
        base.push(b);
        head.push(h * factor);
        if let Some(stop) = plan.after_round(&base, &head, std::time::Duration::ZERO) {
            break stop;
        }
    };
    let sampling = plan.record(&base, &head, stop);
    let alpha = sampling.nominal_alpha().unwrap_or(settings.alpha);
    let stat = settings.thresholds.stat;
    let value = |s: &[f64]| Distribution::of(s.to_vec()).map_or(0.0, |d| stat.of(&d));
    let decision = decide(
        Side {
            value: value(&base),
            samples: &base,
        },
        Side {
            value: value(&head),
            samples: &head,
        },
        Better::Higher,
        &settings.thresholds,
        Evidence::Sampled {
            alpha,
            paired: sampling.paired,
        },
    );
    decision.verdict.is_regression()
}

/// The smallest of [`SLOWDOWNS_PCT`] detected with [`POWER`] at `settings`; `None` when even
/// the largest is not.
pub fn smallest_detectable(pool: &[(f64, f64)], settings: &Settings) -> Option<f64> {
    SLOWDOWNS_PCT
        .iter()
        .copied()
        .find(|&pct| detects(pool, settings, pct, seed(pct)))
}

/// The fewest `max_repeats` of `repeats = "auto"` (from `min_repeats`, with the warn threshold
/// at half the slowdown) that detect `slowdown_pct` with [`POWER`]; `None` beyond
/// [`MOST_REPEATS`]. Power grows with the repeats, so a doubling search then bisection finds it.
pub fn repeats_needed(
    pool: &[(f64, f64)],
    min_repeats: u32,
    thresholds: &Regression,
    alpha: f64,
    slowdown_pct: f64,
) -> Option<u32> {
    let detects = |max: u32| {
        let settings = Settings {
            repeats: max,
            auto: Some(AutoRepeats {
                min_repeats,
                max_repeats: max,
                ..AutoRepeats::default()
            }),
            thresholds: Regression {
                warn_pct: slowdown_pct / 2.0,
                ..*thresholds
            },
            alpha,
        };
        detects(
            pool,
            &settings,
            slowdown_pct,
            seed(slowdown_pct) ^ u64::from(max),
        )
    };
    let mut hi = min_repeats.max(5);
    while !detects(hi) {
        if hi >= MOST_REPEATS {
            return None;
        }
        // cannot panic: hi < MOST_REPEATS (500) here, so doubling stays small.
        hi = (hi * 2).min(MOST_REPEATS);
    }
    let mut lo = min_repeats.max(5) - 1;
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if detects(mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    Some(hi)
}

/// A fixed seed per slowdown, so a calibration is reproducible from its samples.
fn seed(pct: f64) -> u64 {
    0x5eed ^ (pct * 1000.0) as u64
}

#[cfg(test)]
mod tests;
