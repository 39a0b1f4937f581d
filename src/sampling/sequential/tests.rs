//! The sequential rule checked the honest way: by simulation. Streams of throughput samples are
//! drawn from a noise model like this machine's (one-sided: interference only slows a run, and
//! now and then a whole process runs at half speed), fed round by round to the rule, and judged
//! by `compare`'s decision at the recorded level, exactly as `ab` does.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

use super::*;
use crate::compare::decision::{decide, Better, ChangeVerdict, Evidence, Side, ALPHA};
use crate::judge::{Regression, Statistic};
use crate::stats::percentile;
use crate::stats::rank::mann_whitney;

/// One-sided slowdown of a run, as a fraction: |N(0, σ)| with σ giving this coefficient of
/// variation, measured on this machine (see docs/verdicts.md).
const NOISE_CV: f64 = 0.03;
/// How often a whole process runs at half speed.
const HALF_SPEED: f64 = 0.02;

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

/// The verdict of one simulated `ab` scenario whose head runs `head_rate / base_rate` as fast,
/// and the rounds it took.
fn simulate(
    rng: &mut ChaCha8Rng,
    fresh: &SequentialTest,
    thresholds: &Regression,
    head_speed: f64,
) -> (ChangeVerdict, u32) {
    let mut test = fresh.clone();
    let (mut base, mut head) = (Vec::new(), Vec::new());
    loop {
        base.push(draw(rng, 1e6));
        head.push(draw(rng, 1e6 * head_speed));
        if test.after_round(&base, &head).is_some() {
            break;
        }
    }
    let record = test.record(&base, &head);
    let side = |samples: &[f64]| percentile(samples, 50.0).unwrap();
    let decision = decide(
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
        },
    );
    (decision.verdict, base.len() as u32)
}

/// How many of `streams` simulated scenarios end in a regression, an improvement, and the mean
/// rounds taken.
fn tally(
    seed: u64,
    streams: usize,
    auto: &AutoRepeats,
    thresholds: &Regression,
    head_speed: f64,
) -> (usize, usize, f64) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let fresh = SequentialTest::new(auto, ALPHA, thresholds.warn_pct);
    let (mut regressed, mut improved, mut rounds) = (0, 0, 0);
    for _ in 0..streams {
        let (verdict, n) = simulate(&mut rng, &fresh, thresholds, head_speed);
        regressed += usize::from(verdict.is_regression());
        improved += usize::from(verdict == ChangeVerdict::Improved);
        rounds += n as usize;
    }
    (regressed, improved, rounds as f64 / streams as f64)
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
    // The test alone at α = 1 %: about 0.5 % of A/A streams end regressed, 0.5 % improved.
    let (regressed, improved, rounds) = tally(7, STREAMS, &gate_bounds(), &test_alone(), 1.0);
    let limit = STREAMS * 15 / 1000;
    assert!(
        regressed <= limit && regressed + improved <= 2 * limit,
        "{regressed} regressed, {improved} improved of {STREAMS} (mean {rounds:.1} rounds)"
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
        let (mut base, mut head) = (Vec::new(), Vec::new());
        for n in 1..=bounds.max_repeats {
            base.push(draw(&mut rng, 1e6));
            head.push(draw(&mut rng, 1e6));
            if n >= bounds.min_repeats && mann_whitney(&base, &head).unwrap().p_value < ALPHA {
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
    let (regressed, improved, rounds) = tally(3, streams, &gate_bounds(), &thresholds, 0.95);
    assert!(
        regressed * 10 >= streams * 9 && improved == 0,
        "{regressed} of {streams} regressed (mean {rounds:.1} rounds)"
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
    let (regressed, _, rounds) = tally(5, 200, &gate_bounds(), &thresholds, 0.5);
    assert_eq!(regressed, 200);
    // The rank test's z grows at most as √(3n), and the first looks' boundaries are high: a
    // halving of speed cannot be called before about 15 rounds, and is soon after.
    assert!(rounds < 20.0, "{rounds}");
    let (regressed, improved, rounds) = tally(5, 200, &gate_bounds(), &thresholds, 1.0);
    assert!(regressed + improved <= 4, "{regressed} + {improved} of 200");
    assert!(rounds < 40.0, "{rounds}");
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
