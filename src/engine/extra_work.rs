//! A deliberately heavier engine, for testing the suite itself: does perfsuite catch an engine
//! that got slower?
//!
//! Built with `PERFSUITE_EXTRA_WORK=N` in the environment (e.g. `PERFSUITE_EXTRA_WORK=400 cargo
//! build --release --target-dir target/heavier`), the portfolio stage does `N` extra dependent
//! multiply-adds per 1,024 candles of each batch and throws the result away, so the backtest's
//! results and fingerprint stay the same while the engine runs measurably slower and executes
//! more instructions. In every normal build the variable is unset, `N` is 0, and the work
//! compiles away entirely.

/// Extra multiply-adds per 1,024 candles, fixed when the binary is built.
pub(crate) const EXTRA_WORK: usize = parse(option_env!("PERFSUITE_EXTRA_WORK"));

/// `PERFSUITE_EXTRA_WORK` as a number; a value that is not one fails the build.
const fn parse(value: Option<&str>) -> usize {
    let Some(value) = value else { return 0 };
    let bytes = value.as_bytes();
    let mut n = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        assert!(
            bytes[i].is_ascii_digit(),
            "PERFSUITE_EXTRA_WORK must be a whole number"
        );
        n = n * 10 + (bytes[i] - b'0') as usize;
        i += 1;
    }
    n
}

/// The extra work for a batch of `candles` candles: nothing unless the build asked for it.
#[inline(always)]
pub(crate) fn for_batch(candles: usize) {
    if EXTRA_WORK != 0 {
        let mut acc = 1.0f64;
        for _ in 0..EXTRA_WORK * candles / 1024 {
            acc = std::hint::black_box(acc * 1.000_000_1 + 1e-9);
        }
        std::hint::black_box(acc);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_knob_reads_whole_numbers_and_defaults_to_none() {
        assert_eq!(parse(None), 0);
        assert_eq!(parse(Some("0")), 0);
        assert_eq!(parse(Some("1250")), 1250);
    }
}
