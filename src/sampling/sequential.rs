//! The stopping rule of `ab` with `repeats = "auto"`: after each round (one repeat on base, one
//! on head) from `min_repeats` on, a two-sided Wilcoxon signed-rank test of the rounds' log
//! ratios `ln(head / base)` (see [`crate::stats::signed_rank`]: the pairing cancels the
//! machine's state of the moment, which both runs of a round share) is held against a
//! group-sequential boundary (Lan–DeMets O'Brien–Fleming-type alpha spending, see
//! [`crate::stats::sequential`]), so that looking after every round keeps the overall
//! false-alarm rate at α. Sampling stops when
//!
//! - the test crosses the boundary (`decided`: a change is called, either way);
//! - the rank test shows the change inside ± the warn threshold (`unchanged`: whatever the
//!   change, it is too small to call; stopping for this never calls anything, so it cannot
//!   raise the false-alarm rate);
//! - `max_repeats` rounds are done, or `max_time_s` has passed (checked by the caller).
//!
//! `compare` then judges the samples at the nominal level of the last look taken, recorded in
//! bench.json, so the verdict is the sequential test's.

use super::{AutoRepeats, SequentialRecord, Stop};
use crate::stats::normal::two_sided_critical;
use crate::stats::sequential::{boundaries, look_sizes, Look};
use crate::stats::signed_rank::{log_ratios, signed_rank};

/// The sequential signed-rank test of one `ab` scenario.
#[derive(Debug, Clone)]
pub struct SequentialTest {
    alpha: f64,
    warn_pct: f64,
    max_repeats: u32,
    looks: Vec<Look>,
    taken: u32,
}

impl SequentialTest {
    /// The test for `auto`'s bounds at overall level `alpha`; `warn_pct` is the smallest change
    /// worth calling (the budget's `regression.warn_pct`).
    pub fn new(auto: &AutoRepeats, alpha: f64, warn_pct: f64) -> Self {
        Self {
            alpha,
            warn_pct,
            max_repeats: auto.max_repeats,
            looks: boundaries(alpha, &look_sizes(auto.min_repeats, auto.max_repeats)),
            taken: 0,
        }
    }

    /// The boundaries, one per look.
    pub fn looks(&self) -> &[Look] {
        &self.looks
    }

    /// After a round that left `base` and `head` with one throughput sample per round each
    /// (the i-th of each side from the same round): `Some(why)` to stop, `None` to go on.
    pub fn after_round(&mut self, base: &[f64], head: &[f64]) -> Option<Stop> {
        // cannot panic: <= 10,000 rounds of <= 10,000 samples a child (runner) fit u32.
        let n = base.len().min(head.len()) as u32;
        let look = self.looks.iter().find(|l| l.n == n).copied();
        if let (Some(look), Some(ratios)) = (look, log_ratios(base, head)) {
            let test = signed_rank(&ratios)?;
            self.taken += 1;
            if test.z.abs() >= look.critical_z {
                return Some(Stop::Decided);
            }
            if self.inside_threshold(&ratios) {
                return Some(Stop::Unchanged);
            }
        }
        (n >= self.max_repeats).then_some(Stop::MaxRepeats)
    }

    /// Whether the change is known to lie inside ± the warn threshold: the signed-rank test
    /// rejects, at level α, both a head as fast as base raised by the threshold and one as slow
    /// as base lowered by it (two one-sided tests on the log ratios shifted by `ln(1 ± w)`: the
    /// (1 − α) interval of the typical ratio lies inside).
    fn inside_threshold(&self, ratios: &[f64]) -> bool {
        let w = self.warn_pct / 100.0;
        if w <= 0.0 || w >= 1.0 {
            return false;
        }
        let z = two_sided_critical(self.alpha);
        let shifted = |by: f64| ratios.iter().map(|d| d - by).collect::<Vec<_>>();
        let (Some(above), Some(below)) = (
            signed_rank(&shifted((1.0 + w).ln())),
            signed_rank(&shifted((1.0 - w).ln())),
        ) else {
            return false;
        };
        above.z <= -z && below.z >= z
    }

    /// What bench.json records once sampling stopped with `base` and `head`: the boundary of
    /// the last look at or below their sample count (the first look's, if sampling stopped
    /// before it: never looser than a look taken), and the test's z on every sample.
    pub fn record(&self, base: &[f64], head: &[f64]) -> SequentialRecord {
        // cannot panic: <= 10,000 rounds of <= 10,000 samples a child (runner) fit u32.
        let n = base.len().min(head.len()) as u32;
        let look = self
            .looks
            .iter()
            .rev()
            .find(|l| l.n <= n)
            .or(self.looks.first())
            .copied()
            .unwrap_or(Look {
                n,
                critical_z: two_sided_critical(self.alpha),
                spent: self.alpha,
            });
        SequentialRecord {
            alpha: self.alpha,
            looks: self.taken,
            critical_z: look.critical_z,
            nominal_alpha: look.nominal_alpha(),
            z: log_ratios(base, head)
                .and_then(|d| signed_rank(&d))
                .map_or(0.0, |t| t.z),
        }
    }
}

#[cfg(test)]
mod tests;
