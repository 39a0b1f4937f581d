//! The change-point detector on generated series, with fixed seeds (ChaCha8, seeds listed in
//! each test), against the acceptance criteria of `perfsuite trend`:
//!
//! - steps of 1–10 % at noise CV 1–10 %: at least 95 % of the steps of three noise-σ or more
//!   are found within ±2 points of where they are;
//! - pure noise: at most one change point per 1,000 points;
//! - a single spike of 5σ is never a change point.
//!
//! Every series is Gaussian noise around a level (σ = CV × level), so a step of s % is s / CV
//! noise-σ high.

use perfsuite::trend::edivisive::{change_points, Settings};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

/// `levels[k]` for `lengths[k]` points each, with Gaussian noise of `cv` × the level.
fn series(levels: &[f64], lengths: &[usize], cv: f64, rng: &mut ChaCha8Rng) -> Vec<f64> {
    let mut out = Vec::new();
    for (&level, &n) in levels.iter().zip(lengths) {
        for _ in 0..n {
            let z: f64 = StandardNormal.sample(rng);
            out.push(level * (1.0 + cv * z));
        }
    }
    out
}

/// A segment length between 15 and 45 points.
fn length(rng: &mut ChaCha8Rng) -> usize {
    let u: f64 = rand_distr::Uniform::new(15.0, 46.0).unwrap().sample(rng);
    u as usize
}

#[test]
fn at_least_95_percent_of_steps_of_three_sigma_are_found_within_two_points() {
    let settings = Settings::default();
    let (mut big, mut found, mut found_small, mut small) = (0, 0, 0, 0);
    let mut missed = Vec::new();
    for step_pct in 1..=10 {
        for cv_pct in 1..=10 {
            for seed in 0..5u64 {
                let mut rng = ChaCha8Rng::seed_from_u64(1_000 * step_pct + 10 * cv_pct + seed);
                let (step, cv) = (step_pct as f64 / 100.0, cv_pct as f64 / 100.0);
                // Ten levels, alternately up and down by the step: nine steps.
                let levels: Vec<f64> = (0..10)
                    .map(|k| 1_000.0 * if k % 2 == 0 { 1.0 } else { 1.0 + step })
                    .collect();
                let lengths: Vec<usize> = (0..10).map(|_| length(&mut rng)).collect();
                let x = series(&levels, &lengths, cv, &mut rng);
                let cps: Vec<usize> = change_points(&x, &settings)
                    .iter()
                    .filter(|c| !c.pending)
                    .map(|c| c.index)
                    .collect();
                let mut at = 0;
                for &n in &lengths[..9] {
                    at += n;
                    let hit = cps.iter().any(|&c| c.abs_diff(at) <= 2);
                    if step_pct >= 3 * cv_pct {
                        big += 1;
                        found += usize::from(hit);
                        if !hit {
                            missed.push((step_pct, cv_pct, seed, at));
                        }
                    } else {
                        small += 1;
                        found_small += usize::from(hit);
                    }
                }
            }
        }
    }
    let rate = found as f64 / big as f64;
    println!(
        "steps >= 3 sigma: {found} of {big} found ({:.1}%); smaller steps: {found_small} of {small}",
        rate * 100.0
    );
    assert!(big >= 500, "enough steps to judge: {big}");
    assert!(
        rate >= 0.95,
        "found {found} of {big}; missed (step %, CV %, seed, index): {missed:?}"
    );
}

#[test]
fn pure_noise_has_at_most_one_change_point_per_thousand_points() {
    let settings = Settings::default();
    let (mut points, mut found) = (0, 0);
    for (seed, cv) in [
        (1u64, 0.01),
        (2, 0.02),
        (3, 0.05),
        (4, 0.1),
        (5, 0.03),
        (6, 0.07),
    ] {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let x = series(&[1_000.0], &[10_000], cv, &mut rng);
        points += x.len();
        found += change_points(&x, &settings).len();
    }
    println!("{found} change points in {points} points of pure noise");
    assert!(
        found * 1_000 <= points,
        "{found} change points in {points} points of noise"
    );
}

/// A spike is never a change point: every change point of a series with one spike of 5σ is
/// one the series has without it (give or take a point: the spike may lengthen a level by one),
/// and none is at the spike or just after it. Spikes go everywhere, the ends included.
#[test]
fn a_single_spike_of_five_sigma_is_never_a_change_point() {
    let settings = Settings::default();
    let mut checked = 0;
    for seed in 0..40u64 {
        let mut rng = ChaCha8Rng::seed_from_u64(7_000 + seed);
        let cv = 0.01 * (1 + seed % 10) as f64;
        let base = series(&[1_000.0], &[120], cv, &mut rng);
        let without: Vec<usize> = change_points(&base, &settings)
            .iter()
            .map(|c| c.index)
            .collect();
        for at in (0..base.len()).step_by(3).chain([base.len() - 1]) {
            for sign in [1.0, -1.0] {
                let mut x = base.clone();
                x[at] = 1_000.0 * (1.0 + sign * 5.0 * cv);
                let new: Vec<usize> = change_points(&x, &settings)
                    .iter()
                    .map(|c| c.index)
                    .filter(|&c| !without.iter().any(|&w| w.abs_diff(c) <= 1))
                    .collect();
                assert!(
                    new.is_empty(),
                    "seed {seed}: a spike at {at} gave change points {new:?} (without it: {without:?})"
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 3_000);
}

#[test]
fn the_detector_is_deterministic() {
    let mut rng = ChaCha8Rng::seed_from_u64(99);
    let x = series(&[100.0, 110.0, 95.0], &[40, 30, 50], 0.02, &mut rng);
    let first = change_points(&x, &Settings::default());
    for _ in 0..3 {
        assert_eq!(change_points(&x, &Settings::default()), first);
    }
}
