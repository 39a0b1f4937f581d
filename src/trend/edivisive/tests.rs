//! The detector's parts against their definitions, and the whole on small stepped series.

use super::*;

fn steps(levels: &[(f64, usize)]) -> Vec<f64> {
    // A small deterministic wobble, so segments are not constant.
    let mut out = Vec::new();
    for &(level, n) in levels {
        for _ in 0..n {
            let wobble = [0.0, 0.3, -0.2, 0.1, -0.3, 0.2][out.len() % 6];
            out.push(level + wobble);
        }
    }
    out
}

#[test]
fn q_hat_matches_the_definition_by_brute_force() {
    let x = [1.0, 4.0, 2.0, 8.0, 7.0, 9.0, 3.0];
    let p = PairSums::new(&x);
    let (a, tau, kappa) = (1, 3, 7);
    let (xs, ys) = (&x[a..tau], &x[tau..kappa]);
    let (n, m) = (xs.len() as f64, ys.len() as f64);
    let across: f64 = xs
        .iter()
        .flat_map(|u| ys.iter().map(move |v| (u - v).abs()))
        .sum();
    let within = |s: &[f64]| -> f64 {
        let mut t = 0.0;
        for i in 0..s.len() {
            for k in i + 1..s.len() {
                t += (s[i] - s[k]).abs();
            }
        }
        t
    };
    let expected = 2.0 / (n + m) * across
        - 2.0 * m / ((n + m) * (n - 1.0)) * within(xs)
        - 2.0 * n / ((n + m) * (m - 1.0)) * within(ys);
    assert!((p.q(a, tau, kappa) - expected).abs() < 1e-12);
}

#[test]
fn clear_steps_are_found_where_they_are() {
    let x = steps(&[(10.0, 30), (20.0, 40), (12.0, 30)]);
    let found: Vec<usize> = change_points(&x, &Settings::default())
        .iter()
        .map(|s| s.index)
        .collect();
    assert_eq!(found, [30, 70]);
}

#[test]
fn a_young_level_is_pending() {
    let x = steps(&[(10.0, 40), (20.0, 4)]);
    let cps = change_points(&x, &Settings::default());
    assert_eq!(cps.len(), 1, "{cps:?}");
    assert!(cps[0].pending);
    assert_eq!(cps[0].index, 40);
    let x = steps(&[(10.0, 40), (20.0, 6)]);
    let cps = change_points(&x, &Settings::default());
    assert!(!cps[0].pending, "six points confirm a level");
}

/// The split step as first written: every split of every segment scanned again on each
/// round. The faster one must find exactly what this finds.
fn split_window_by_scanning(x: &[f64], settings: &Settings) -> Vec<usize> {
    let distances = PairSums::new(x);
    let sums = Series::new(x);
    let m = settings.min_points;
    let mut found: Vec<usize> = Vec::new();
    loop {
        let bounds: Vec<usize> = std::iter::once(0)
            .chain(found.iter().copied())
            .chain(std::iter::once(x.len()))
            .collect();
        let mut best: Option<(f64, usize, usize, usize)> = None;
        for w in bounds.windows(2) {
            let (a, e) = (w[0], w[1]);
            for tau in a + m..=e.saturating_sub(m) {
                for kappa in tau + m..=e {
                    let q = distances.q(a, tau, kappa);
                    if best.is_none_or(|(b, ..)| q > b) {
                        best = Some((q, a, tau, e));
                    }
                }
            }
        }
        let Some((_, a, tau, e)) = best else { break };
        if p_value(sums.moments(a, tau), sums.moments(tau, e)) >= settings.max_p_value {
            break;
        }
        found.push(tau);
        found.sort_unstable();
    }
    found
}

#[test]
fn splitting_segment_by_segment_finds_what_scanning_every_split_finds() {
    // Noisy windows of three to five levels (xorshift noise, fixed seeds), loose and strict.
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut noise = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64 - 0.5
    };
    let mut multiple = 0;
    for round in 0..300 {
        let levels = 3 + round % 3;
        let x: Vec<f64> = (0..50)
            .map(|i| 10.0 + (i * levels / 50 % 2) as f64 * (1.0 + round as f64 / 100.0) + noise())
            .collect();
        for max_p_value in [0.05, 0.001] {
            let settings = Settings {
                max_p_value,
                ..Settings::default()
            };
            let found = split_window(&x, &mut PairSums::default(), &settings);
            assert_eq!(
                found,
                split_window_by_scanning(&x, &settings),
                "round {round}"
            );
            multiple += usize::from(found.len() > 1);
        }
    }
    assert!(
        multiple > 100,
        "windows with more than one split: {multiple}"
    );
}

#[test]
fn short_and_flat_series_have_no_change_points() {
    for x in [vec![], vec![1.0], vec![1.0, 50.0], steps(&[(5.0, 100)])] {
        assert!(change_points(&x, &Settings::default()).is_empty());
    }
}
