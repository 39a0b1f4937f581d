//! Deterministic synthetic OHLCV candles.
//!
//! Prices follow geometric Brownian motion driven by a seeded ChaCha8 generator. The symbol picks
//! the generator's stream and the base price, so two symbols with the same seed never share a
//! path. The series is stored as columns (structure of arrays) so that the engine's ingest stage
//! can validate and derive inputs a batch at a time.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

use super::fingerprint::fnv1a_bytes;

/// First candle's timestamp: 2024-01-01T00:00:00Z in milliseconds since the Unix epoch.
pub const START_TIMESTAMP_MS: i64 = 1_704_067_200_000;
/// Spacing of consecutive candles: one minute.
pub const STEP_MS: i64 = 60_000;
/// Standard deviation of one candle's log return.
const VOLATILITY: f64 = 0.002;
/// Largest wick beyond the body, as a fraction of price.
const WICK: f64 = 0.001;
/// Mean traded volume of one candle.
const BASE_VOLUME: f64 = 10.0;

/// One OHLCV candle.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Candle {
    /// Open time in milliseconds since the Unix epoch.
    pub ts: i64,
    /// Opening price.
    pub open: f64,
    /// Highest traded price.
    pub high: f64,
    /// Lowest traded price.
    pub low: f64,
    /// Closing price.
    pub close: f64,
    /// Traded volume.
    pub volume: f64,
}

/// A candle series stored column by column.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CandleSeries {
    /// Open times in milliseconds since the Unix epoch.
    pub ts: Vec<i64>,
    /// Opening prices.
    pub open: Vec<f64>,
    /// Highest prices.
    pub high: Vec<f64>,
    /// Lowest prices.
    pub low: Vec<f64>,
    /// Closing prices.
    pub close: Vec<f64>,
    /// Volumes.
    pub volume: Vec<f64>,
}

impl CandleSeries {
    /// Number of candles.
    pub fn len(&self) -> usize {
        self.close.len()
    }

    /// Whether the series holds no candle.
    pub fn is_empty(&self) -> bool {
        self.close.is_empty()
    }

    /// The candle at `index`.
    pub fn get(&self, index: usize) -> Candle {
        Candle {
            ts: self.ts[index],
            open: self.open[index],
            high: self.high[index],
            low: self.low[index],
            close: self.close[index],
            volume: self.volume[index],
        }
    }

    /// Appends one candle.
    pub fn push(&mut self, candle: Candle) {
        self.ts.push(candle.ts);
        self.open.push(candle.open);
        self.high.push(candle.high);
        self.low.push(candle.low);
        self.close.push(candle.close);
        self.volume.push(candle.volume);
    }

    fn with_capacity(n: usize) -> Self {
        Self {
            ts: Vec::with_capacity(n),
            open: Vec::with_capacity(n),
            high: Vec::with_capacity(n),
            low: Vec::with_capacity(n),
            close: Vec::with_capacity(n),
            volume: Vec::with_capacity(n),
        }
    }
}

/// The starting price of a symbol: well-known symbols get a realistic level, others a level
/// derived from their name, between 1 and 10,000.
pub fn base_price(symbol: &str) -> f64 {
    match symbol {
        "BTCUSDT" => 30_000.0,
        "ETHUSDT" => 2_000.0,
        "SOLUSDT" => 100.0,
        "BNBUSDT" => 300.0,
        "XRPUSDT" => 0.5,
        _ => {
            let h = fnv1a_bytes(symbol.as_bytes());
            10f64.powf((h % 4001) as f64 / 1000.0)
        }
    }
}

/// Generates `n` candles for `symbol` from `seed`. Same inputs, same platform: the same candles,
/// bit for bit.
pub fn generate(n: usize, seed: u64, symbol: &str) -> CandleSeries {
    let mut series = CandleSeries::with_capacity(n);
    // Touching fresh memory costs more than computing candles: let the kernel populate the
    // columns' pages on the other core while this one fills them.
    let regions: Vec<(usize, usize)> = [
        spare_region(&mut series.ts),
        spare_region(&mut series.open),
        spare_region(&mut series.high),
        spare_region(&mut series.low),
        spare_region(&mut series.close),
        spare_region(&mut series.volume),
    ]
    .into();
    std::thread::scope(|scope| {
        if n >= 1 << 18 {
            scope.spawn(move || populate(&regions, n));
        }
        fill(&mut series, n, seed, symbol);
    });
    series
}

/// The address and byte length of a vector's unused capacity.
fn spare_region<T>(v: &mut Vec<T>) -> (usize, usize) {
    let spare = v.spare_capacity_mut();
    (spare.as_mut_ptr() as usize, std::mem::size_of_val(spare))
}

/// Asks the kernel to back `regions` with memory now, a slice of each at a time in the order the
/// generator writes them. Only a hint: where unsupported, pages fault in as usual.
fn populate(regions: &[(usize, usize)], n: usize) {
    const STEP: usize = 1 << 16; // candles per slice
    let page = 4096;
    for first in (0..n).step_by(STEP) {
        for &(addr, len) in regions {
            let item = len / n;
            let start = (addr + first * item).next_multiple_of(page);
            let end = (addr + ((first + STEP).min(n)) * item) / page * page;
            if end > start {
                // SAFETY: the range lies within the vector's allocation. MADV_POPULATE_WRITE
                // only makes the kernel fault pages in; it writes no data, so it cannot race
                // with the generator's writes.
                unsafe {
                    libc::madvise(
                        start as *mut libc::c_void,
                        end - start,
                        libc::MADV_POPULATE_WRITE,
                    )
                };
            }
        }
    }
}

fn fill(series: &mut CandleSeries, n: usize, seed: u64, symbol: &str) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(fnv1a_bytes(symbol.as_bytes()));
    // Itô drift correction keeps the expected price flat.
    let drift = -0.5 * VOLATILITY * VOLATILITY;
    let mut price = base_price(symbol);
    for i in 0..n {
        let z: f64 = StandardNormal.sample(&mut rng);
        // One 64-bit draw gives the three uniforms of the candle: 21 bits each.
        let bits = rng.next_u64();
        let [u_high, u_low, u_volume] = [bits, bits >> 21, bits >> 42].map(unit_from_21_bits);
        let open = price;
        let close = open * (drift + VOLATILITY * z).exp();
        price = close;
        series.ts.push(START_TIMESTAMP_MS + i as i64 * STEP_MS);
        series.open.push(open);
        series.close.push(close);
        series.high.push(open.max(close) * (1.0 + WICK * u_high));
        series.low.push(open.min(close) * (1.0 - WICK * u_low));
        series.volume.push(BASE_VOLUME * (0.5 + u_volume));
    }
}

/// A uniform number in [0, 1) from the low 21 bits of `bits`.
fn unit_from_21_bits(bits: u64) -> f64 {
    (bits & 0x1f_ffff) as f64 / (1u64 << 21) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candles_are_consistent_over_100k() {
        let s = generate(100_000, 1337, "BTCUSDT");
        assert_eq!(s.len(), 100_000);
        for i in 0..s.len() {
            let c = s.get(i);
            assert!(
                c.high >= c.open.max(c.close),
                "high below body at {i}: {c:?}"
            );
            assert!(c.low <= c.open.min(c.close), "low above body at {i}: {c:?}");
            assert!(
                c.low > 0.0 && c.volume > 0.0,
                "non-positive value at {i}: {c:?}"
            );
            assert!([c.open, c.high, c.low, c.close, c.volume]
                .iter()
                .all(|v| v.is_finite()));
            assert_eq!(c.ts, START_TIMESTAMP_MS + i as i64 * STEP_MS);
            if i > 0 {
                assert_eq!(c.open, s.close[i - 1], "open must continue the last close");
            }
            assert!(
                (0.5 * BASE_VOLUME..1.5 * BASE_VOLUME).contains(&c.volume),
                "volume outside [0.5, 1.5) of the base at {i}: {c:?}"
            );
            assert!(
                c.high <= c.open.max(c.close) * (1.0 + WICK)
                    && c.low >= c.open.min(c.close) * (1.0 - WICK)
            );
        }
        // Volume is uniform over its range: its mean is the base volume.
        let mean = s.volume.iter().sum::<f64>() / s.len() as f64;
        assert!(
            (mean / BASE_VOLUME - 1.0).abs() < 0.01,
            "mean volume {mean}"
        );
    }

    #[test]
    fn same_seed_and_symbol_give_identical_candles() {
        let a = generate(10_000, 7, "ETHUSDT");
        let b = generate(10_000, 7, "ETHUSDT");
        let bits = |s: &CandleSeries| -> Vec<u64> { s.close.iter().map(|v| v.to_bits()).collect() };
        assert_eq!(bits(&a), bits(&b));
        assert_eq!(a, b);
    }

    #[test]
    fn seed_and_symbol_each_select_another_path() {
        let base = generate(1_000, 7, "ETHUSDT");
        assert_ne!(base.close, generate(1_000, 8, "ETHUSDT").close);
        let other = generate(1_000, 7, "ETHUSDX");
        let returns = |s: &CandleSeries| -> Vec<f64> {
            s.close.iter().zip(&s.open).map(|(c, o)| c / o).collect()
        };
        assert_ne!(returns(&base), returns(&other));
    }

    #[test]
    fn each_column_is_allocated_once_at_the_series_length() {
        // Growing by doubling would copy each column as it grows and leave up to half of it
        // unused, and the populate thread would find no memory to fault in ahead of the writes.
        let n = (1 << 18) + 12_345;
        let s = generate(n, 3, "BTCUSDT");
        assert_eq!(s.ts.capacity(), n);
        for column in [&s.open, &s.high, &s.low, &s.close, &s.volume] {
            assert_eq!(column.capacity(), n);
        }
    }

    #[test]
    fn symbols_start_at_their_own_price() {
        assert_eq!(generate(1, 1, "BTCUSDT").open[0], 30_000.0);
        assert_eq!(generate(1, 1, "ETHUSDT").open[0], 2_000.0);
        for (symbol, price) in [("SOLUSDT", 100.0), ("BNBUSDT", 300.0), ("XRPUSDT", 0.5)] {
            assert_eq!(base_price(symbol), price, "{symbol}");
        }
        let p = base_price("MYCOIN");
        assert!((1.0..=10_000.0).contains(&p));
    }
}
