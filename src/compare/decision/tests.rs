//! Tests of the decision rule: thresholds, the rank test, too few samples, the range rule
//! and the reasons in words.

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
    at_level(base, head, better, t, ALPHA, false)
}

/// `base` and `head` judged on their medians by the rank test at `alpha`, paired or not.
fn at_level(
    base: &[f64],
    head: &[f64],
    better: Better,
    t: &Regression,
    alpha: f64,
    paired: bool,
) -> Decision {
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
        Evidence::Sampled { alpha, paired },
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
            needed: 5,
            paired: false,
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
        Evidence::Sampled {
            alpha: 0.001,
            paired: false,
        },
    );
    // Five a side are enough to judge (at α = 0.01), but two fully separated groups of
    // five cannot reach an early sequential look's stricter level: not called either way.
    assert_eq!(d.verdict, ChangeVerdict::Inconclusive);
    assert!(matches!(d.noise, Noise::RankTest { cleared: false, .. }));
    assert_eq!(
        d.reason.as_deref(),
        Some("5 samples a side, 8 needed at alpha 0.001")
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
        Evidence::Sampled {
            alpha: 0.001,
            paired: false,
        },
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
        90.0, 200.0, 201.0, 202.0, 203.0, 204.0, 205.0, 206.0, 207.0, 208.0, 209.0, 210.0, 211.0,
        212.0, 213.0, 214.0,
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
        Evidence::Sampled {
            alpha: ALPHA,
            paired: false,
        },
    );
    assert!(matches!(d.noise, Noise::RankTest { p_value, cleared: false, .. } if p_value < ALPHA));
    assert_eq!(d.verdict, ChangeVerdict::Inconclusive);
    assert_eq!(
        d.reason.as_deref(),
        Some("the rank test points the other way")
    );
}

#[test]
fn a_rank_shift_under_an_unchanged_median_is_not_cleared() {
    // Both medians are 3 while head's samples rank far above base's (p < 0.01): the rank test
    // has a direction, the statistic has none, so there is nothing for the test to confirm.
    let base = [
        1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0,
    ];
    let head = [
        3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0,
    ];
    assert_eq!((median(&base), median(&head)), (3.0, 3.0));
    assert!(mann_whitney(&base, &head).unwrap().p_value < ALPHA);
    let d = sampled(&base, &head, Better::Higher, &Regression::default());
    assert_eq!(d.verdict, ChangeVerdict::Unchanged);
    assert!(matches!(d.noise, Noise::RankTest { cleared: false, .. }));
}

/// 20 samples a side, head 8 lower, the two ranges overlapping: U of head is 66 pairs above
/// plus 12 ties at one half, 72 of 400, far from both 0 and the 200 of no shift.
fn overlapping_drop() -> (Vec<f64>, Vec<f64>) {
    let base: Vec<f64> = (0..20).map(|i| 100.0 + f64::from(i)).collect();
    let head = base.iter().map(|b| b - 8.0).collect();
    (base, head)
}

#[test]
fn a_real_drop_with_overlapping_samples_is_a_regression() {
    let (base, head) = overlapping_drop();
    let d = sampled(&base, &head, Better::Higher, &Regression::default());
    assert!(
        matches!(d.noise, Noise::RankTest { u, cleared: true, .. } if u == 72.0),
        "{d:?}"
    );
    assert_eq!(d.verdict, ChangeVerdict::RegressedWarn);
}

#[test]
fn a_p_value_exactly_at_the_level_does_not_reject() {
    let (base, head) = overlapping_drop();
    let alpha = mann_whitney(&base, &head).unwrap().p_value;
    let d = at_level(
        &base,
        &head,
        Better::Higher,
        &Regression::default(),
        alpha,
        false,
    );
    assert!(
        matches!(d.noise, Noise::RankTest { p_value, cleared: false, .. } if p_value == alpha),
        "{d:?}"
    );
    assert_eq!(d.verdict, ChangeVerdict::Inconclusive);
    let reason = d.reason.unwrap();
    assert!(
        reason.starts_with("noise ±") && reason.ends_with("% hides a 7.3% change"),
        "{reason}"
    );
}

#[test]
fn a_side_without_samples_has_too_few() {
    let none = Side {
        value: 1000.0,
        samples: &[],
    };
    let some = Side {
        value: 800.0,
        samples: &TIGHT,
    };
    let t = Regression::default();
    let alpha = Evidence::Sampled {
        alpha: ALPHA,
        paired: false,
    };
    let d = decide(none, some, Better::Higher, &t, alpha);
    assert_eq!(
        (d.verdict, d.noise),
        (
            ChangeVerdict::Inconclusive,
            Noise::TooFewSamples {
                base: 0,
                head: 6,
                needed: 5,
                paired: false,
            }
        )
    );
    let d = decide(some, none, Better::Higher, &t, alpha);
    assert_eq!(
        (d.verdict, d.noise),
        (
            ChangeVerdict::Inconclusive,
            Noise::TooFewSamples {
                base: 6,
                head: 0,
                needed: 5,
                paired: false,
            }
        )
    );
}

#[test]
fn the_largest_z_is_the_rank_tests_for_two_separated_groups() {
    let ramp = |from: u32, n: u32| -> Vec<f64> { (from..from + n).map(f64::from).collect() };
    for (n1, n2) in [(5, 5), (4, 6), (8, 3)] {
        let z = mann_whitney(&ramp(0, n1), &ramp(100, n2)).unwrap().z;
        let largest = largest_z(n1 as usize, n2 as usize);
        assert!(
            (z - largest).abs() < 1e-12,
            "{n1} and {n2}: {z} vs {largest}"
        );
    }
}

#[test]
fn the_noise_is_the_wider_side_of_the_shift_interval_in_percent_of_base() {
    // Six samples a side at z = 2.576: C = ⌊18 − 2.576 · √39⌋ = 1, so the interval runs
    // from the smallest to the largest of the 36 differences; the estimate is their median.
    let base = Side {
        value: 100.0,
        samples: &[100.0; 6],
    };
    // Differences −30 and 1 … 5: estimate 2.5, interval [−30, 5], the low side is wider.
    let low = Side {
        value: 102.5,
        samples: &[70.0, 101.0, 102.0, 103.0, 104.0, 105.0],
    };
    assert_eq!(noise_pct(base, low, 2.576), Some(32.5));
    // Differences −5 … −1 and 30: estimate −2.5, interval [−5, 30], the high side is wider.
    let high = Side {
        value: 97.5,
        samples: &[95.0, 96.0, 97.0, 98.0, 99.0, 130.0],
    };
    assert_eq!(noise_pct(base, high, 2.576), Some(32.5));
    // In percent of base's compared value.
    let base = Side {
        value: 250.0,
        ..base
    };
    assert_eq!(noise_pct(base, high, 2.576), Some(13.0));
}

#[test]
fn overlapping_values_within_twice_their_spread_are_noise() {
    // Base [10, 20] and head [15, 25] overlap; the shift, 15, is under twice the spread, 10.
    let d = decide(
        Side {
            value: 10.0,
            samples: &[10.0, 20.0],
        },
        Side {
            value: 25.0,
            samples: &[15.0, 25.0],
        },
        Better::Lower,
        &Regression::default(),
        Evidence::Single,
    );
    assert_eq!(
        d.noise,
        Noise::Ranges {
            overlap: true,
            shift: 15.0,
            spread: 10.0,
            cleared: false
        }
    );
    assert_eq!(d.verdict, ChangeVerdict::Inconclusive);
    assert_eq!(
        d.reason.as_deref(),
        Some("the values overlap within their spread")
    );
}

#[test]
fn a_shift_of_twice_the_spread_or_between_apart_ranges_is_real() {
    let d = |base, head| {
        decide(
            base,
            head,
            Better::Lower,
            &Regression::default(),
            Evidence::Single,
        )
    };
    // [10, 20] and [20, 30] touch at 20; the shift, 20, is twice the spread.
    let touching = d(
        Side {
            value: 10.0,
            samples: &[10.0, 20.0],
        },
        Side {
            value: 30.0,
            samples: &[20.0, 30.0],
        },
    );
    assert_eq!(
        touching.noise,
        Noise::Ranges {
            overlap: true,
            shift: 20.0,
            spread: 10.0,
            cleared: true
        }
    );
    assert_eq!(touching.verdict, ChangeVerdict::RegressedFail);
    // [10, 20] and [21, 23] are apart: a shift under twice the spread is real as well.
    let apart = d(
        Side {
            value: 20.0,
            samples: &[10.0, 20.0],
        },
        Side {
            value: 22.0,
            samples: &[21.0, 23.0],
        },
    );
    assert_eq!(
        apart.noise,
        Noise::Ranges {
            overlap: false,
            shift: 2.0,
            spread: 10.0,
            cleared: true
        }
    );
    assert_eq!(apart.verdict, ChangeVerdict::RegressedWarn);
}

#[test]
fn counted_runs_that_disagree_are_never_clear_of_noise() {
    for (base_agree, head_agree) in [(true, false), (false, true), (false, false)] {
        let noise = Noise::Exact {
            base_agree,
            head_agree,
        };
        assert!(!noise.cleared(), "{noise:?}");
    }
    assert!(Noise::Exact {
        base_agree: true,
        head_agree: true
    }
    .cleared());
}

#[test]
fn verdict_names_are_their_json_and_only_regressions_are_regressions() {
    use ChangeVerdict::*;
    for (v, regression) in [
        (Unchanged, false),
        (Improved, false),
        (Inconclusive, false),
        (RegressedWarn, true),
        (RegressedFail, true),
    ] {
        assert_eq!(serde_json::to_value(v).unwrap(), v.name());
        assert_eq!(v.is_regression(), regression, "{v:?}");
    }
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

fn paired(base: &[f64], head: &[f64], t: &Regression) -> Decision {
    at_level(base, head, Better::Higher, t, ALPHA, true)
}

/// Twelve rounds on a machine whose speed swings by a third between rounds; head is `factor`
/// as fast as base in each round, give or take 0.5 %.
fn swinging_rounds(factor: f64) -> (Vec<f64>, Vec<f64>) {
    let state = [
        1.0, 0.7, 0.95, 0.66, 1.0, 0.8, 0.7, 1.0, 0.9, 0.68, 0.99, 0.75,
    ];
    let wobble = [
        1.0, 0.995, 1.003, 0.998, 1.005, 0.996, 1.002, 0.997, 1.004, 1.0, 0.996, 1.003,
    ];
    let base: Vec<f64> = state.iter().map(|s| 1000.0 * s).collect();
    let head = base
        .iter()
        .zip(wobble)
        .map(|(b, w)| b * factor * w)
        .collect();
    (base, head)
}

#[test]
fn paired_rounds_see_a_five_percent_drop_through_the_machines_swings() {
    let t = thresholds(2.0, 10.0);
    let (base, head) = swinging_rounds(0.95);
    let d = paired(&base, &head, &t);
    assert_eq!(d.verdict, ChangeVerdict::RegressedWarn, "{d:?}");
    assert!(
        matches!(d.noise, Noise::SignedRankTest { pairs: 12, w_plus, cleared: true, .. } if w_plus == 0.0),
        "{:?}",
        d.noise
    );
    // The same samples as two independent groups: the swings hide the drop.
    let d = sampled(&base, &head, Better::Higher, &t);
    assert_eq!(d.verdict, ChangeVerdict::Inconclusive, "{d:?}");
    assert!(matches!(d.noise, Noise::RankTest { cleared: false, .. }));
}

#[test]
fn paired_rounds_of_one_build_are_unchanged() {
    let (base, head) = swinging_rounds(1.0);
    let d = paired(&base, &head, &thresholds(2.0, 10.0));
    assert_eq!(d.verdict, ChangeVerdict::Unchanged, "{d:?}");
}

#[test]
fn fewer_pairs_than_the_signed_rank_test_needs_are_inconclusive_in_pairs() {
    let (base, head) = swinging_rounds(0.7);
    let d = paired(&base[..8], &head[..8], &thresholds(2.0, 10.0));
    assert_eq!(d.verdict, ChangeVerdict::Inconclusive);
    assert_eq!(
        d.noise,
        Noise::TooFewSamples {
            base: 8,
            head: 8,
            needed: 9,
            paired: true,
        }
    );
    assert_eq!(d.reason.as_deref(), Some("8 pairs, 9 needed"));
}

#[test]
fn enough_pairs_at_alpha_but_too_few_for_a_stricter_share_say_how_many_are_needed() {
    // Twelve rounds of one sign reach z = 3.06: past 0.01's 2.58, short of 0.001's 3.29.
    let (base, head) = swinging_rounds(0.7);
    let d = at_level(
        &base,
        &head,
        Better::Higher,
        &thresholds(2.0, 10.0),
        0.001,
        true,
    );
    assert_eq!(d.verdict, ChangeVerdict::Inconclusive);
    assert!(matches!(
        d.noise,
        Noise::SignedRankTest {
            pairs: 12,
            cleared: false,
            ..
        }
    ));
    assert_eq!(
        d.reason.as_deref(),
        Some("12 pairs, 14 needed at alpha 0.001")
    );
}

#[test]
fn samples_that_do_not_pair_fall_back_to_the_unpaired_test() {
    let (base, head) = swinging_rounds(0.95);
    let d = paired(&base, &head[..11], &thresholds(2.0, 10.0));
    assert!(matches!(d.noise, Noise::RankTest { .. }), "{:?}", d.noise);
}

#[test]
fn a_paired_change_hidden_in_the_noise_says_how_large_the_noise_is() {
    // Rounds whose ratio scatters ±10 % around a 3 % drop (the typical round's ratio, not the
    // medians' 3.5 %): past the 2 % threshold, not clear.
    let base = [1000.0; 12];
    let ratios = [
        0.87, 1.08, 0.95, 1.06, 0.9, 0.99, 1.05, 0.88, 0.97, 1.07, 0.92, 0.96,
    ];
    let head: Vec<f64> = ratios.iter().map(|r| 1000.0 * r).collect();
    let d = paired(&base, &head, &thresholds(2.0, 10.0));
    assert_eq!(d.verdict, ChangeVerdict::Inconclusive, "{d:?}");
    // Noise: the 99 % interval of the typical ratio, the 6th smallest and largest of the 78
    // Walsh averages, 0.8947 … 1.0649 around 0.9702: 9.5 % on the wider side.
    assert_eq!(d.reason.as_deref(), Some("noise ±9.5% hides a 3.0% change"));
}

#[test]
fn the_change_of_paired_rounds_is_the_typical_rounds_ratio_not_the_medians() {
    // A machine that runs some processes at 1.5x speed, at random: head ran fast in six of
    // eleven rounds, base in four, so head's median sits on the fast level and base's on the
    // slow one (+51.5 %), while the rounds where both ran alike say +1 %, as every round
    // would without the fast runs.
    let base = [
        1000.0, 1000.0, 1000.0, 1500.0, 1500.0, 1000.0, 1000.0, 1000.0, 1000.0, 1500.0, 1500.0,
    ];
    let head = [
        1010.0, 1010.0, 1010.0, 1010.0, 1010.0, 1515.0, 1515.0, 1515.0, 1515.0, 1515.0, 1515.0,
    ];
    let d = paired(&base, &head, &thresholds(2.0, 10.0));
    assert!((d.change_pct.unwrap() - 1.0).abs() < 1e-9, "{d:?}");
    assert_eq!(d.verdict, ChangeVerdict::Unchanged);
    let d = sampled(&base, &head, Better::Higher, &thresholds(2.0, 10.0));
    assert!((d.change_pct.unwrap() - 51.5).abs() < 1e-9, "{d:?}");
}

#[test]
fn a_paired_p_value_exactly_at_the_level_does_not_reject() {
    let (base, head) = swinging_rounds(0.95);
    let ratios = crate::stats::signed_rank::log_ratios(&base, &head).unwrap();
    let alpha = crate::stats::signed_rank::signed_rank(&ratios)
        .unwrap()
        .p_value;
    let d = at_level(
        &base,
        &head,
        Better::Higher,
        &thresholds(2.0, 10.0),
        alpha,
        true,
    );
    assert!(
        matches!(d.noise, Noise::SignedRankTest { p_value, cleared: false, .. } if p_value == alpha),
        "{d:?}"
    );
    assert_eq!(d.verdict, ChangeVerdict::Inconclusive);
    // Not rejected, so not "the other way" either: the reason is the noise or the pairs.
    let reason = d.reason.unwrap();
    assert_ne!(reason, "the rank test points the other way");
}

#[test]
fn a_paired_shift_in_a_few_rounds_under_a_typical_ratio_of_one_is_not_cleared() {
    // 40 rounds alike and 10 where head ran 10 % slower: the signed-rank test, which leaves
    // the equal rounds out, rejects (10 of one sign, p = 0.005), but the typical round's ratio
    // is 1, a change with no direction for the test to confirm.
    let base = [1000.0; 50];
    let mut head = [1000.0; 50];
    head[40..].fill(1100.0);
    let d = paired(&base, &head, &thresholds(2.0, 10.0));
    assert_eq!(d.change_pct, Some(0.0));
    assert_eq!(d.verdict, ChangeVerdict::Unchanged);
    assert!(
        matches!(d.noise, Noise::SignedRankTest { p_value, cleared: false, .. } if p_value < ALPHA),
        "{:?}",
        d.noise
    );
}
