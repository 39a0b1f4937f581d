//! The stopping rule of `ab` with `repeats = "auto"`: after each round (one repeat on base, one
//! on head) from `min_repeats` on, a two-sided Mann–Whitney test of the throughput samples is
//! held against a group-sequential boundary (Lan–DeMets O'Brien–Fleming-type alpha spending,
//! see [`crate::stats::sequential`]), so that looking after every round keeps the overall
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
use crate::stats::rank::mann_whitney;
use crate::stats::sequential::{boundaries, look_sizes, Look};

/// The sequential rank test of one `ab` scenario.
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

    /// After a round that left `base` and `head` with the same number of throughput samples:
    /// `Some(why)` to stop, `None` to go on.
    pub fn after_round(&mut self, base: &[f64], head: &[f64]) -> Option<Stop> {
        let n = base.len().min(head.len()) as u32;
        let look = self.looks.iter().find(|l| l.n == n).copied();
        if let Some(look) = look {
            let test = mann_whitney(base, head)?;
            self.taken += 1;
            if test.z.abs() >= look.critical_z {
                return Some(Stop::Decided);
            }
            if self.inside_threshold(base, head) {
                return Some(Stop::Unchanged);
            }
        }
        (n >= self.max_repeats).then_some(Stop::MaxRepeats)
    }

    /// Whether the change is known to lie inside ± the warn threshold: the rank test rejects,
    /// at level α, both a head as fast as base raised by the threshold and one as slow as base
    /// lowered by it (two one-sided tests: the (1 − α) interval of the ratio lies inside).
    fn inside_threshold(&self, base: &[f64], head: &[f64]) -> bool {
        let w = self.warn_pct / 100.0;
        if w <= 0.0 {
            return false;
        }
        let z = two_sided_critical(self.alpha);
        let scaled = |f: f64| base.iter().map(|x| x * f).collect::<Vec<_>>();
        let (Some(above), Some(below)) = (
            mann_whitney(&scaled(1.0 + w), head),
            mann_whitney(&scaled(1.0 - w), head),
        ) else {
            return false;
        };
        above.z <= -z && below.z >= z
    }

    /// What bench.json records once sampling stopped with `base` and `head`: the boundary of
    /// the last look at or below their sample count (the first look's, if sampling stopped
    /// before it: never looser than a look taken), and the test's z on every sample.
    pub fn record(&self, base: &[f64], head: &[f64]) -> SequentialRecord {
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
            z: mann_whitney(base, head).map_or(0.0, |t| t.z),
        }
    }
}

#[cfg(test)]
mod tests;
