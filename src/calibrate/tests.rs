//! Calibration on hand-made noise: the figures must move the way the statistics say.

use super::*;
use crate::compare::decision::ALPHA;
use crate::judge::Statistic;

/// 40 samples with a one-sided spread of about 3 %, as a quiet 2-core machine gives, in an
/// order set by `step` (coprime with 40): two steps give two sides of one build.
fn quiet(step: usize) -> Vec<f64> {
    (0..40)
        .map(|i| 100.0 / (1.0 + 0.06 * ((i * step % 40) as f64 / 40.0).powi(2)))
        .collect()
}

/// The A/A rounds of a quiet machine: the same noise on both sides, in different orders.
fn quiet_pool() -> Vec<(f64, f64)> {
    pool(&quiet(17), &quiet(23)).unwrap()
}

fn gate() -> Settings {
    Settings {
        repeats: 40,
        auto: Some(AutoRepeats {
            min_repeats: 5,
            max_repeats: 40,
            ..AutoRepeats::default()
        }),
        thresholds: Regression {
            stat: Statistic::Median,
            warn_pct: 3.0,
            fail_pct: 15.0,
            ..Regression::default()
        },
        alpha: ALPHA,
    }
}

#[test]
fn the_noise_of_identical_sides_is_their_spread_and_no_change() {
    let n = noise(&quiet(17), &quiet(23)).unwrap();
    assert!((0.5..3.0).contains(&n.cv_pct), "{n:?}");
    assert!((0.5..5.0).contains(&n.round_cv_pct), "{n:?}");
    // The same noise on both sides: the typical round's ratio is about 1.
    assert!(n.aa_change_pct.abs() < 1.0, "{n:?}");
    assert!(noise(&[], &[1.0]).is_none());
    assert!(
        noise(&[1.0, 2.0], &[1.0]).is_none(),
        "rounds need both sides"
    );
}

#[test]
fn no_change_is_almost_never_called_and_a_large_one_always() {
    let pool = quiet_pool();
    assert!(power(&pool, &gate(), 0.0, 1) <= 0.02);
    assert_eq!(power(&pool, &gate(), 20.0, 1), 1.0);
}

#[test]
fn the_smallest_detectable_slowdown_is_past_the_threshold_and_small_at_low_noise() {
    let pool = quiet_pool();
    let detectable = smallest_detectable(&pool, &gate()).unwrap();
    assert!((3.0..=6.0).contains(&detectable), "{detectable}");
}

#[test]
fn too_few_repeats_detect_nothing() {
    let pool = quiet_pool();
    let two = Settings {
        repeats: 2,
        auto: None,
        ..gate()
    };
    assert_eq!(smallest_detectable(&pool, &two), None);
}

#[test]
fn a_smaller_change_needs_more_repeats() {
    let pool = quiet_pool();
    let t = gate().thresholds;
    let for_5 = repeats_needed(&pool, 5, &t, ALPHA, 5.0).unwrap();
    let for_2 = repeats_needed(&pool, 5, &t, ALPHA, 2.0).unwrap();
    assert!(for_5 < for_2, "{for_5} vs {for_2}");
    assert!(for_5 <= 20, "{for_5}");
}

#[test]
fn a_scenario_sharing_the_false_alarm_rate_with_others_needs_more_repeats() {
    let pool = quiet_pool();
    let t = gate().thresholds;
    let alone = repeats_needed(&pool, 5, &t, ALPHA, 2.0).unwrap();
    let one_of_four = repeats_needed(&pool, 5, &t, ALPHA / 4.0, 2.0).unwrap();
    assert!(alone < one_of_four, "{alone} vs {one_of_four}");
}

#[test]
fn what_a_rounds_two_runs_share_is_not_noise_to_ab() {
    // The machine switches between a fast and a slow state (two thirds the speed) every ten
    // rounds, which both runs of a round share: the runs' spread is large, a round's ratio is
    // as quiet as on a quiet machine, and `ab`'s paired test detects as small a change.
    let state = |i: usize| {
        if (i / 10).is_multiple_of(2) {
            1.0
        } else {
            0.66
        }
    };
    let (base, head): (Vec<f64>, Vec<f64>) = quiet(17)
        .iter()
        .zip(quiet(23))
        .enumerate()
        .map(|(i, (b, h))| (b * state(i), h * state(i)))
        .unzip();
    let n = noise(&base, &head).unwrap();
    assert!(n.cv_pct > 15.0 && n.round_cv_pct < 5.0, "{n:?}");
    let shared = pool(&base, &head).unwrap();
    assert_eq!(
        smallest_detectable(&shared, &gate()),
        smallest_detectable(&quiet_pool(), &gate())
    );
}
