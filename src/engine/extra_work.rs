//! A deliberately heavier engine, for testing the suite itself: does perfsuite catch an engine
//! that got slower?
//!
//! With `PERFSUITE_EXTRA_WORK=N` in the environment of a measuring process (e.g.
//! `PERFSUITE_EXTRA_WORK=250 perfsuite bench --candles 1000000`), the engine does `N` extra
//! dependent multiply-adds per 1,024 candles of each batch and throws the result away, so the
//! backtest's results and fingerprint stay the same while the engine runs measurably slower and
//! executes more instructions. Unset, it costs one predictable branch per batch.
//!
//! Read at run time, not fixed at build time: two builds of the same code differ by several
//! percent in wall time from code layout alone (a build-time knob with `N = 1`, 0.004 extra
//! instructions a candle, measured 6 % slower), so only the same binary with and without the
//! variable gives a slowdown of a known size.

use std::sync::OnceLock;

/// The environment variable that asks for extra work.
pub const EXTRA_WORK_VAR: &str = "PERFSUITE_EXTRA_WORK";

/// Extra multiply-adds per 1,024 candles, read once per process by [`configure_from_env`].
static EXTRA_WORK: OnceLock<usize> = OnceLock::new();

/// Reads [`EXTRA_WORK_VAR`] for this process (0 when unset or empty) and returns it; a value that is not
/// a whole number is an error naming the variable and the value.
pub fn configure_from_env() -> Result<usize, String> {
    let n = level(std::env::var(EXTRA_WORK_VAR).ok().as_deref())?;
    Ok(*EXTRA_WORK.get_or_init(|| n))
}

/// The extra work [`EXTRA_WORK_VAR`]'s `value` asks for: 0 when unset or blank.
fn level(value: Option<&str>) -> Result<usize, String> {
    match value {
        None => Ok(0),
        Some(value) if value.trim().is_empty() => Ok(0),
        Some(value) => parse(value)
            .ok_or_else(|| format!("{EXTRA_WORK_VAR} must be a whole number, got {value:?}")),
    }
}

/// `value` as a whole number.
fn parse(value: &str) -> Option<usize> {
    value.trim().parse().ok()
}

/// The extra work for a batch of `candles` candles: nothing unless the process asked for it.
#[inline(always)]
pub(crate) fn for_batch(candles: usize) {
    match EXTRA_WORK.get() {
        Some(&n) if n != 0 => spin(n.saturating_mul(candles) / 1024),
        _ => {}
    }
}

/// `iterations` dependent multiply-adds, out of line so that the engine's own code is laid out
/// the same with and without them.
#[inline(never)]
#[cold]
fn spin(iterations: usize) {
    let mut acc = 1.0f64;
    for _ in 0..iterations {
        acc = std::hint::black_box(acc * 1.000_000_1 + 1e-9);
    }
    std::hint::black_box(acc);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_knob_reads_whole_numbers_only() {
        assert_eq!(parse("0"), Some(0));
        assert_eq!(parse("1250"), Some(1250));
        assert_eq!(parse(" 7\n"), Some(7));
        assert_eq!(parse("-3"), None);
        assert_eq!(parse("lots"), None);
        assert_eq!(parse(""), None);
    }

    #[test]
    fn an_unset_or_blank_knob_asks_for_nothing_and_a_bad_one_is_named() {
        assert_eq!(level(None), Ok(0));
        assert_eq!(level(Some(" \n")), Ok(0));
        assert_eq!(level(Some("1250")), Ok(1250));
        assert_eq!(
            level(Some("lots")),
            Err("PERFSUITE_EXTRA_WORK must be a whole number, got \"lots\"".to_owned())
        );
    }
}
