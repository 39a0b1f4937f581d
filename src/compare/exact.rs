//! The rule for exact metrics (instruction counts), as a pure function.
//!
//! A count of the same build doing the same work is the same number in every run, on a busy
//! machine as on an idle one, so there is no noise to test: a change past the `[regression]`
//! budget's `exact_warn_pct` (default 0.5) is called outright, past `exact_fail_pct` (default 2)
//! it fails. That holds only while each side's samples agree; samples that disagree mean a
//! nondeterministic build, which is reported as such (`inconclusive`, with the side named) and
//! never averaged away.

use crate::judge::Regression;
use crate::results::Instructions;

use super::decision::{change_pct, ChangeVerdict, Decision, Noise};

/// Percentage points within which a change counts as *at* a threshold.
const AT_LIMIT: f64 = 1e-9;

/// Decides how an exact, less-is-better count changed from `base` to `head`.
pub fn decide_exact(base: &Instructions, head: &Instructions, t: &Regression) -> Decision {
    let noise = Noise::Exact {
        base_agree: base.agree(),
        head_agree: head.agree(),
    };
    let change = change_pct(base.per_run as f64, head.per_run as f64);
    let verdict = match change {
        _ if !noise.cleared() => ChangeVerdict::Inconclusive,
        None => ChangeVerdict::Inconclusive,
        Some(c) if c == 0.0 || c.abs() < t.exact_warn_pct.min(t.exact_fail_pct) - AT_LIMIT => {
            ChangeVerdict::Unchanged
        }
        Some(c) if c < 0.0 => ChangeVerdict::Improved,
        Some(c) if c >= t.exact_fail_pct - AT_LIMIT => ChangeVerdict::RegressedFail,
        Some(_) => ChangeVerdict::RegressedWarn,
    };
    Decision {
        verdict,
        change_pct: change,
        noise,
        reason: (verdict == ChangeVerdict::Inconclusive).then(|| {
            if noise.cleared() {
                "the base value is 0: no percentage".to_owned()
            } else {
                "the counted runs disagree".to_owned()
            }
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(samples: &[u64]) -> Instructions {
        Instructions::of(samples.to_vec()).unwrap()
    }

    fn verdict(base: &[u64], head: &[u64]) -> ChangeVerdict {
        decide_exact(&counts(base), &counts(head), &Regression::default()).verdict
    }

    #[test]
    fn one_percent_more_instructions_is_a_regression_without_any_noise_test() {
        assert_eq!(
            verdict(&[205_000_000], &[207_050_000]),
            ChangeVerdict::RegressedWarn
        );
        let d = decide_exact(
            &counts(&[1000, 1000]),
            &counts(&[1010, 1010]),
            &Regression::default(),
        );
        assert_eq!(d.verdict, ChangeVerdict::RegressedWarn);
        assert_eq!(d.change_pct, Some(1.0));
    }

    #[test]
    fn the_exact_thresholds_decide_and_a_change_at_one_counts() {
        assert_eq!(verdict(&[1000], &[1000]), ChangeVerdict::Unchanged);
        assert_eq!(verdict(&[1000], &[1004]), ChangeVerdict::Unchanged);
        assert_eq!(verdict(&[1000], &[1005]), ChangeVerdict::RegressedWarn);
        assert_eq!(verdict(&[1000], &[1019]), ChangeVerdict::RegressedWarn);
        assert_eq!(verdict(&[1000], &[1020]), ChangeVerdict::RegressedFail);
        assert_eq!(verdict(&[1000], &[990]), ChangeVerdict::Improved);
        assert_eq!(verdict(&[1000], &[998]), ChangeVerdict::Unchanged);
    }

    #[test]
    fn samples_that_disagree_are_never_called_and_name_their_side() {
        let d = decide_exact(
            &counts(&[1000, 1000]),
            &counts(&[1100, 1101, 1100]),
            &Regression::default(),
        );
        assert_eq!(d.verdict, ChangeVerdict::Inconclusive);
        assert_eq!(
            d.noise,
            Noise::Exact {
                base_agree: true,
                head_agree: false
            }
        );
        assert_eq!(verdict(&[7, 8], &[7, 8]), ChangeVerdict::Inconclusive);
    }
}
