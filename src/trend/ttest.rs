//! Student's two-sample t-test, the significance test of a change point (as Apache Otava uses):
//! are the segments on either side of a split drawn from distributions with the same mean?

/// The summary of one segment that the t-test needs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Moments {
    /// Points in the segment.
    pub n: usize,
    /// Their mean.
    pub mean: f64,
    /// Their sum of squared deviations from the mean.
    pub ss: f64,
}

impl Moments {
    /// The moments of `values`.
    pub fn of(values: &[f64]) -> Self {
        let n = values.len();
        let mean = values.iter().sum::<f64>() / n.max(1) as f64;
        let ss = values.iter().map(|v| (v - mean).powi(2)).sum();
        Self { n, mean, ss }
    }
}

/// The two-sided p-value of Student's t-test with pooled variance for equal means of `a` and
/// `b`. Two constant segments with different means give 0, equal ones 1; fewer than three
/// points in all give 1 (no degrees of freedom).
pub fn p_value(a: Moments, b: Moments) -> f64 {
    if a.n == 0 || b.n == 0 || a.n + b.n < 3 {
        return 1.0;
    }
    let df = (a.n + b.n - 2) as f64;
    let pooled = (a.ss + b.ss) / df;
    let diff = (a.mean - b.mean).abs();
    let scale = a.mean.abs().max(b.mean.abs()).max(f64::MIN_POSITIVE);
    if pooled <= (scale * 1e-12).powi(2) {
        return if diff <= scale * 1e-12 { 1.0 } else { 0.0 };
    }
    let t = diff / (pooled * (1.0 / a.n as f64 + 1.0 / b.n as f64)).sqrt();
    // P(|T| > t) for Student's t with df degrees of freedom.
    regularized_beta(df / (df + t * t), df / 2.0, 0.5)
}

/// The regularized incomplete beta function I_x(a, b), by the continued fraction of
/// Numerical Recipes (§6.4, modified Lentz), using the symmetry I_x(a, b) = 1 - I_{1-x}(b, a)
/// where the fraction converges slowly.
pub fn regularized_beta(x: f64, a: f64, b: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_front = ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln();
    if x < (a + 1.0) / (a + b + 2.0) {
        ln_front.exp() * beta_fraction(x, a, b) / a
    } else {
        1.0 - ln_front.exp() * beta_fraction(1.0 - x, b, a) / b
    }
}

/// The continued fraction of the incomplete beta function.
fn beta_fraction(x: f64, a: f64, b: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let clamp = |v: f64| if v.abs() < TINY { TINY } else { v };
    let mut c = 1.0;
    let mut d = 1.0 / clamp(1.0 - (a + b) * x / (a + 1.0));
    let mut h = d;
    for m in 1..=300 {
        let m = f64::from(m);
        let even = m * (b - m) * x / ((a + 2.0 * m - 1.0) * (a + 2.0 * m));
        d = 1.0 / clamp(1.0 + even * d);
        c = clamp(1.0 + even / c);
        h *= d * c;
        let odd = -(a + m) * (a + b + m) * x / ((a + 2.0 * m) * (a + 2.0 * m + 1.0));
        d = 1.0 / clamp(1.0 + odd * d);
        c = clamp(1.0 + odd / c);
        let step = d * c;
        h *= step;
        if (step - 1.0).abs() < 1e-15 {
            break;
        }
    }
    h
}

/// ln Γ(x) for x > 0, by the Lanczos approximation (g = 7, 9 coefficients), accurate to about
/// 15 digits.
fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection: Γ(x) Γ(1 - x) = π / sin(πx).
        return (std::f64::consts::PI / (std::f64::consts::PI * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let t = x + G + 0.5;
    let series = C[1..]
        .iter()
        .enumerate()
        .fold(C[0], |acc, (i, c)| acc + c / (x + i as f64 + 1.0));
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + series.ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tolerance: f64) -> bool {
        (a - b).abs() <= tolerance
    }

    #[test]
    fn ln_gamma_matches_factorials() {
        assert!(close(ln_gamma(1.0), 0.0, 1e-13));
        assert!(close(ln_gamma(5.0), 24f64.ln(), 1e-12));
        assert!(close(
            ln_gamma(0.5),
            std::f64::consts::PI.sqrt().ln(),
            1e-12
        ));
    }

    #[test]
    fn the_t_distribution_tails_match_published_tables() {
        // Two-sided P(|T| > t): t = 2.228 at df 10 and 2.571 at df 5 are the 5% points,
        // 4.032 at df 5 the 1% point, 3.291 at large df the 0.1% point.
        let tail = |t: f64, df: f64| regularized_beta(df / (df + t * t), df / 2.0, 0.5);
        assert!(close(tail(2.228, 10.0), 0.05, 2e-4));
        assert!(close(tail(2.571, 5.0), 0.05, 2e-4));
        assert!(close(tail(4.032, 5.0), 0.01, 5e-5));
        assert!(close(tail(3.291, 100_000.0), 0.001, 2e-5));
    }

    #[test]
    fn the_t_test_matches_a_worked_example() {
        // scipy.stats.ttest_ind([1, 2, 3, 4], [3, 4, 5, 6]): t = -2.1909, p = 0.07096.
        let p = p_value(
            Moments::of(&[1.0, 2.0, 3.0, 4.0]),
            Moments::of(&[3.0, 4.0, 5.0, 6.0]),
        );
        assert!(close(p, 0.07096, 1e-4), "{p}");
    }

    #[test]
    fn constant_segments_are_certain() {
        let a = Moments::of(&[5.0; 4]);
        assert_eq!(p_value(a, Moments::of(&[6.0; 4])), 0.0);
        assert_eq!(p_value(a, Moments::of(&[5.0; 4])), 1.0);
        assert_eq!(p_value(Moments::of(&[1.0]), Moments::of(&[2.0])), 1.0);
    }
}
