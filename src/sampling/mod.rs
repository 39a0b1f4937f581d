//! How many repeats a scenario takes: a fixed count, or `repeats = "auto"`, sampling until the
//! answer is known or a bound is reached. [`precision`] is the stopping rule of `run` (the judged
//! statistic known within a target precision), [`sequential`] the one of `ab` (a group-sequential
//! rank test that decides, keeping the overall false-alarm rate at α). What a bench.json records
//! of it is a [`Sampling`].

pub mod precision;
pub mod sequential;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::judge::Statistic;

/// Fewest repeats of `repeats = "auto"` when a scenario sets none: what the rank test needs to
/// reach α = 0.01 at all.
pub const DEFAULT_MIN_REPEATS: u32 = 5;
/// Most repeats (per side, for `ab`) of `repeats = "auto"` when a scenario sets none.
pub const DEFAULT_MAX_REPEATS: u32 = 40;
/// Most seconds of measuring one scenario with `repeats = "auto"` when a scenario sets none.
pub const DEFAULT_MAX_TIME_S: f64 = 20.0;
/// Target precision of `run` with `repeats = "auto"` when a scenario sets none: the judged
/// statistic's 95 % confidence interval within ±2 %.
pub const DEFAULT_PRECISION_PCT: f64 = 2.0;

/// The bounds of `repeats = "auto"`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AutoRepeats {
    /// Repeats before the first look.
    pub min_repeats: u32,
    /// Most repeats (per side, for `ab`).
    pub max_repeats: u32,
    /// Most seconds of measuring; the repeat under way finishes.
    pub max_time_s: f64,
    /// `run` stops when the judged statistic's 95 % interval is within ± this many percent.
    pub precision_pct: f64,
}

impl Default for AutoRepeats {
    fn default() -> Self {
        Self {
            min_repeats: DEFAULT_MIN_REPEATS,
            max_repeats: DEFAULT_MAX_REPEATS,
            max_time_s: DEFAULT_MAX_TIME_S,
            precision_pct: DEFAULT_PRECISION_PCT,
        }
    }
}

/// Why sampling stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Stop {
    /// A fixed number of repeats, all taken.
    Repeats,
    /// `ab`: the sequential rank test crossed its boundary: a change was called.
    Decided,
    /// `ab`: the interval of the shift lies inside the warn threshold: no change worth calling.
    Unchanged,
    /// `run`: the judged statistic is known within the target precision.
    Precision,
    /// `max_repeats` reached first.
    MaxRepeats,
    /// `max_time_s` reached first.
    MaxTime,
}

impl Stop {
    /// In words, for tables and logs.
    pub fn describe(self) -> &'static str {
        match self {
            Stop::Repeats => "the fixed repeats were taken",
            Stop::Decided => "the sequential test decided",
            Stop::Unchanged => "the change is known to be under the warn threshold",
            Stop::Precision => "the judged statistic is known within the target precision",
            Stop::MaxRepeats => "max_repeats reached",
            Stop::MaxTime => "max_time_s reached",
        }
    }
}

/// The precision `run` reached with `repeats = "auto"`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PrecisionRecord {
    /// The statistic whose interval was watched.
    pub stat: Statistic,
    /// The target: the 95 % interval within ± this many percent.
    pub target_pct: f64,
    /// The half-width reached, in percent of the statistic; `None` while the samples could not
    /// bound it.
    pub reached_pct: Option<f64>,
}

/// The sequential test of `ab` with `repeats = "auto"`, at its last look.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SequentialRecord {
    /// The overall two-sided false-alarm rate.
    pub alpha: f64,
    /// Looks taken.
    pub looks: u32,
    /// The boundary |z| of the last look.
    pub critical_z: f64,
    /// The nominal level of the last look: `compare` calls a change only below it.
    pub nominal_alpha: f64,
    /// The z of the signed-rank test of the rounds' log ratios at the last look (positive:
    /// head faster).
    pub z: f64,
}

/// What a bench.json records of how its samples were taken.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Sampling {
    /// The bounds, for `repeats = "auto"`; `None` for a fixed count.
    pub auto: Option<AutoRepeats>,
    /// Repeats taken (per side, for `ab`).
    pub repeats: u32,
    /// Why sampling stopped.
    pub stopped: Stop,
    /// `run`: the precision reached.
    pub precision: Option<PrecisionRecord>,
    /// `ab`: the sequential test.
    pub sequential: Option<SequentialRecord>,
    /// Whether the samples were taken in rounds with another side's (`ab`: one repeat of base,
    /// one of head, side by side), so that the i-th samples of the two sides form a pair and
    /// `compare` judges them with the paired (signed-rank) test. Absent in files before
    /// schema 3: not paired.
    #[serde(default)]
    pub paired: bool,
}

impl Sampling {
    /// A fixed count of `repeats`, all taken.
    pub fn fixed(repeats: u32) -> Self {
        Self {
            auto: None,
            repeats,
            stopped: Stop::Repeats,
            precision: None,
            sequential: None,
            paired: false,
        }
    }

    /// Whether this and `other`, the two sides of a comparison, were taken as pairs: both say
    /// so and hold the same number of repeats.
    pub fn pairs_with(&self, other: &Sampling) -> bool {
        self.paired && other.paired && self.repeats == other.repeats
    }

    /// The level `compare` must test at: the last look's nominal level for sequentially
    /// collected samples, else `None` (the fixed-sample level applies).
    pub fn nominal_alpha(&self) -> Option<f64> {
        self.sequential.map(|s| s.nominal_alpha)
    }
}

/// When `run` stops measuring a scenario.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RunPlan {
    /// A fixed number of repeats.
    Fixed(u32),
    /// `repeats = "auto"`: until the judged statistic `stat` is known within the target
    /// precision, or a bound.
    Auto {
        /// The bounds.
        bounds: AutoRepeats,
        /// The statistic the budget judges.
        stat: Statistic,
    },
}

impl RunPlan {
    /// The plan of a scenario with `repeats` (fixed count, or max) and `auto`, judged on `stat`.
    pub fn new(repeats: u32, auto: Option<AutoRepeats>, stat: Statistic) -> Self {
        match auto {
            Some(bounds) => RunPlan::Auto { bounds, stat },
            None => RunPlan::Fixed(repeats),
        }
    }

    /// The most repeats it may take.
    pub fn most(&self) -> u32 {
        match *self {
            RunPlan::Fixed(n) => n,
            RunPlan::Auto { bounds, .. } => bounds.max_repeats,
        }
    }

    /// After the repeats that gave `samples`, `elapsed` into the scenario: `Some(why)` to stop.
    pub fn after_repeat(&self, samples: &[f64], elapsed: std::time::Duration) -> Option<Stop> {
        match *self {
            // cannot panic: <= 10,000 repeats of <= 10,000 samples a child (runner) fit u32.
            RunPlan::Fixed(n) => (samples.len() as u32 >= n).then_some(Stop::Repeats),
            RunPlan::Auto { bounds, stat } => precision::after_repeat(
                samples,
                stat,
                bounds.min_repeats,
                bounds.max_repeats,
                bounds.precision_pct,
            )
            .or_else(|| (elapsed.as_secs_f64() >= bounds.max_time_s).then_some(Stop::MaxTime)),
        }
    }

    /// What bench.json records once sampling stopped for `stopped` with `samples`.
    pub fn record(&self, samples: &[f64], stopped: Stop) -> Sampling {
        match *self {
            // cannot panic: <= 10,000 repeats of <= 10,000 samples a child (runner) fit u32.
            RunPlan::Fixed(_) => Sampling::fixed(samples.len() as u32),
            RunPlan::Auto { bounds, stat } => Sampling {
                auto: Some(bounds),
                repeats: samples.len() as u32,
                stopped,
                precision: Some(precision::record(samples, stat, bounds.precision_pct)),
                sequential: None,
                paired: false,
            },
        }
    }
}

/// When `ab` stops alternating rounds on a scenario.
#[derive(Debug, Clone)]
pub enum AbPlan {
    /// A fixed number of rounds.
    Fixed(u32),
    /// `repeats = "auto"`: until the sequential test decides, or a bound.
    Auto {
        /// The bounds.
        bounds: AutoRepeats,
        /// The test.
        test: Box<sequential::SequentialTest>,
    },
}

impl AbPlan {
    /// The plan of a scenario with `repeats` (fixed count, or max) and `auto`, testing at
    /// overall level `alpha`; `warn_pct` is the smallest change worth calling.
    pub fn new(repeats: u32, auto: Option<AutoRepeats>, alpha: f64, warn_pct: f64) -> Self {
        match auto {
            Some(bounds) => AbPlan::Auto {
                bounds,
                test: Box::new(sequential::SequentialTest::new(&bounds, alpha, warn_pct)),
            },
            None => AbPlan::Fixed(repeats),
        }
    }

    /// The most rounds it may take.
    pub fn most(&self) -> u32 {
        match self {
            AbPlan::Fixed(n) => *n,
            AbPlan::Auto { bounds, .. } => bounds.max_repeats,
        }
    }

    /// After a round that left `base` and `head` with these throughput samples, `elapsed` into
    /// the scenario: `Some(why)` to stop.
    pub fn after_round(
        &mut self,
        base: &[f64],
        head: &[f64],
        elapsed: std::time::Duration,
    ) -> Option<Stop> {
        match self {
            // cannot panic: <= 10,000 repeats of <= 10,000 samples a child (runner) fit u32.
            AbPlan::Fixed(n) => (base.len() as u32 >= *n).then_some(Stop::Repeats),
            AbPlan::Auto { bounds, test } => test
                .after_round(base, head)
                .or_else(|| (elapsed.as_secs_f64() >= bounds.max_time_s).then_some(Stop::MaxTime)),
        }
    }

    /// What each side's bench.json records once sampling stopped for `stopped`: paired
    /// samples, one per round and side.
    pub fn record(&self, base: &[f64], head: &[f64], stopped: Stop) -> Sampling {
        match self {
            AbPlan::Fixed(_) => Sampling {
                paired: true,
                // cannot panic: <= 10,000 repeats of <= 10,000 samples a child (runner) fit u32.
                ..Sampling::fixed(base.len() as u32)
            },
            AbPlan::Auto { bounds, test } => Sampling {
                auto: Some(*bounds),
                repeats: base.len() as u32,
                stopped,
                precision: None,
                sequential: Some(test.record(base, head)),
                paired: true,
            },
        }
    }
}
