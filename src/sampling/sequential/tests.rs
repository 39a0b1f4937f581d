//! The sequential rule checked the honest way: by simulation. Rounds of throughput samples are
//! drawn from a noise model like this machine's (one-sided: interference only slows a run, now
//! and then a whole process runs at half speed, and the machine as a whole switches between a
//! fast and a slow state that lasts many rounds, which both runs of a round share), fed round by
//! round to the rule, and judged by `compare`'s decision at the recorded level, exactly as `ab`
//! does.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

use super::*;
use crate::compare::decision::{decide, Better, ChangeVerdict, Evidence, Side, ALPHA};
use crate::judge::{Regression, Statistic};
use crate::stats::percentile;
use crate::stats::signed_rank::{log_ratios, signed_rank};

/// One-sided slowdown of a run, as a fraction: |N(0, σ)| with σ giving this coefficient of
/// variation, measured on this machine (see docs/verdicts.md).
const NOISE_CV: f64 = 0.03;
/// How often a whole process runs at half speed.
const HALF_SPEED: f64 = 0.02;
/// The machine's slow state: the speed it leaves (measured here: ~34M against ~54M candles/s).
const SLOW_STATE: f64 = 0.63;
/// The chance that the machine's state switches between one round and the next: a state lasts
/// ten rounds (a few seconds) on average.
const SWITCH: f64 = 0.1;

/// The machine's state: 1 when fast, [`SLOW_STATE`] when slow.
struct Machine(f64);

impl Machine {
    /// The state for the next round.
    fn next(&mut self, rng: &mut ChaCha8Rng) -> f64 {
        if rng.random::<f64>() < SWITCH {
            self.0 = if self.0 == 1.0 { SLOW_STATE } else { 1.0 };
        }
        self.0
    }
}

/// One round: a sample of base at `1e6` and of head at `1e6 × head_speed`, both in the
/// machine's state of the moment.
fn round(rng: &mut ChaCha8Rng, machine: &mut Machine, head_speed: f64) -> (f64, f64) {
    let state = machine.next(rng);
    (draw(rng, 1e6 * state), draw(rng, 1e6 * head_speed * state))
}

/// One throughput sample of an engine running at `rate`.
fn draw(rng: &mut ChaCha8Rng, rate: f64) -> f64 {
    let z: f64 = StandardNormal.sample(rng);
    // |N(0, σ)| has standard deviation σ √(1 − 2/π); scale σ so the CV is NOISE_CV.
    let sigma = NOISE_CV / (1.0 - 2.0 / std::f64::consts::PI).sqrt();
    let slow = if rng.random::<f64>() < HALF_SPEED {
        2.0
    } else {
        1.0
    };
    rate / ((1.0 + sigma * z.abs()) * slow)
}

/// The verdict of one simulated `ab` scenario whose head runs `head_speed` times as fast, the
/// rounds it took, and the verdict the same samples would get judged as unpaired.
fn simulate(
    rng: &mut ChaCha8Rng,
    fresh: &SequentialTest,
    thresholds: &Regression,
    head_speed: f64,
) -> (ChangeVerdict, u32, ChangeVerdict) {
    let mut test = fresh.clone();
    let mut machine = Machine(if rng.random::<bool>() {
        1.0
    } else {
        SLOW_STATE
    });
    let (mut base, mut head) = (Vec::new(), Vec::new());
    loop {
        let (b, h) = round(rng, &mut machine, head_speed);
        base.push(b);
        head.push(h);
        if test.after_round(&base, &head).is_some() {
            break;
        }
    }
    let record = test.record(&base, &head);
    let side = |samples: &[f64]| percentile(samples, 50.0).unwrap();
    let judged = |paired| {
        decide(
            Side {
                value: side(&base),
                samples: &base,
            },
            Side {
                value: side(&head),
                samples: &head,
            },
            Better::Higher,
            thresholds,
            Evidence::Sampled {
                alpha: record.nominal_alpha,
                paired,
            },
        )
        .verdict
    };
    (judged(true), base.len() as u32, judged(false))
}

/// What [`tally`] counts.
struct Tally {
    regressed: usize,
    improved: usize,
    mean_rounds: f64,
    /// Regressions among the same samples judged as unpaired.
    regressed_unpaired: usize,
}

/// How many of `streams` simulated scenarios end in a regression, an improvement, and the mean
/// rounds taken.
fn tally(
    seed: u64,
    streams: usize,
    auto: &AutoRepeats,
    thresholds: &Regression,
    head_speed: f64,
) -> Tally {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let fresh = SequentialTest::new(auto, ALPHA, thresholds.warn_pct);
    let mut t = Tally {
        regressed: 0,
        improved: 0,
        mean_rounds: 0.0,
        regressed_unpaired: 0,
    };
    for _ in 0..streams {
        let (verdict, n, unpaired) = simulate(&mut rng, &fresh, thresholds, head_speed);
        t.regressed += usize::from(verdict.is_regression());
        t.improved += usize::from(verdict == ChangeVerdict::Improved);
        t.regressed_unpaired += usize::from(unpaired.is_regression());
        t.mean_rounds += f64::from(n) / streams as f64;
    }
    t
}

fn gate_bounds() -> AutoRepeats {
    AutoRepeats {
        min_repeats: 5,
        max_repeats: 40,
        ..AutoRepeats::default()
    }
}

/// Thresholds that let the test alone decide: any real change is called.
fn test_alone() -> Regression {
    Regression {
        stat: Statistic::Median,
        warn_pct: 0.0,
        fail_pct: 100.0,
        ..Regression::default()
    }
}

/// Streams in the checks below: 10,000 in release builds, a tenth in debug builds (where the
/// check of the false-alarm rate keeps the same bound, with more slack for chance).
const STREAMS: usize = if cfg!(debug_assertions) {
    1_000
} else {
    10_000
};

#[test]
fn looking_after_every_round_keeps_the_false_alarm_rate_at_alpha() {
    // The test alone at α = 1 %: about 0.5 % of A/A streams end regressed, 0.5 % improved,
    // though the machine's state moves both sides by a third for rounds at a time.
    let t = tally(7, STREAMS, &gate_bounds(), &test_alone(), 1.0);
    let limit = STREAMS * 15 / 1000;
    assert!(
        t.regressed <= limit && t.regressed + t.improved <= 2 * limit,
        "{} regressed, {} improved of {STREAMS} (mean {:.1} rounds)",
        t.regressed,
        t.improved,
        t.mean_rounds
    );
}

#[test]
fn the_same_rule_without_spending_would_cry_wolf() {
    // The naive rule, p < 0.01 at every look, calls a change in far more A/A streams: what the
    // spending prevents.
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let bounds = gate_bounds();
    let mut called = 0;
    let streams = STREAMS / 5;
    for _ in 0..streams {
        let mut machine = Machine(1.0);
        let (mut base, mut head) = (Vec::new(), Vec::new());
        for n in 1..=bounds.max_repeats {
            let (b, h) = round(&mut rng, &mut machine, 1.0);
            base.push(b);
            head.push(h);
            let p = signed_rank(&log_ratios(&base, &head).unwrap())
                .unwrap()
                .p_value;
            if n >= bounds.min_repeats && p < ALPHA {
                called += 1;
                break;
            }
        }
    }
    assert!(called * 100 > streams * 3, "{called} of {streams}");
}

#[test]
fn a_five_percent_slowdown_at_the_shipped_noise_is_called_nine_times_in_ten() {
    let thresholds = Regression {
        stat: Statistic::Median,
        warn_pct: 3.0,
        fail_pct: 15.0,
        ..Regression::default()
    };
    let streams = STREAMS / 5;
    let t = tally(3, streams, &gate_bounds(), &thresholds, 0.95);
    assert!(
        t.regressed * 10 >= streams * 9 && t.improved == 0,
        "{} of {streams} regressed (mean {:.1} rounds)",
        t.regressed,
        t.mean_rounds
    );
}

#[test]
fn pairing_the_rounds_cancels_the_machines_state_that_an_unpaired_test_cannot_see_through() {
    // The same samples of a 5 % slowdown, judged as two independent samples (Mann–Whitney):
    // the machine's slow spells, a third off both sides for rounds at a time, bury the change.
    let thresholds = Regression {
        stat: Statistic::Median,
        warn_pct: 2.0,
        fail_pct: 15.0,
        ..Regression::default()
    };
    let streams = STREAMS / 5;
    let t = tally(13, streams, &gate_bounds(), &thresholds, 0.95);
    assert!(
        t.regressed * 10 >= streams * 9,
        "{} of {streams}",
        t.regressed
    );
    assert!(
        t.regressed_unpaired * 2 < t.regressed,
        "paired {} vs unpaired {} of {streams}",
        t.regressed,
        t.regressed_unpaired
    );
}

#[test]
fn a_large_change_stops_early_and_no_change_stops_on_the_threshold() {
    let thresholds = Regression {
        stat: Statistic::Median,
        warn_pct: 3.0,
        fail_pct: 15.0,
        ..Regression::default()
    };
    let t = tally(5, 200, &gate_bounds(), &thresholds, 0.5);
    assert_eq!(t.regressed, 200);
    // The signed-rank z grows at most as √(3n/4), and the first looks' boundaries are high: a
    // halving of speed cannot be called before about 20 rounds, and is soon after.
    assert!(t.mean_rounds < 25.0, "{}", t.mean_rounds);
    let t = tally(5, 200, &gate_bounds(), &thresholds, 1.0);
    assert!(
        t.regressed + t.improved <= 4,
        "{} + {} of 200",
        t.regressed,
        t.improved
    );
    assert!(t.mean_rounds < 40.0, "{}", t.mean_rounds);
}

#[test]
fn the_record_holds_the_last_looks_boundary() {
    let mut test = SequentialTest::new(&gate_bounds(), ALPHA, 3.0);
    let base: Vec<f64> = (0..5).map(|i| 100.0 + f64::from(i)).collect();
    let head = base.clone();
    assert_eq!(test.after_round(&base[..4], &head[..4]), None);
    assert_eq!(test.after_round(&base, &head), None);
    let record = test.record(&base, &head);
    assert_eq!(record.looks, 1);
    assert_eq!(record.critical_z, test.looks()[0].critical_z);
    assert!(record.nominal_alpha < 1e-6, "{record:?}");
    assert_eq!(record.z, 0.0);
}
