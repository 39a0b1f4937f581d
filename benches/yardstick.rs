//! The yardstick on its own: `cargo bench --bench yardstick` prints the bound a staged engine
//! can approach (one fused loop, see `limit/mod.rs`) and the plain read of the same candles.

mod limit;

use perfsuite::engine::candles::generate;
use perfsuite::engine::settings::EngineSettings;
use perfsuite::stats::percentile;

fn main() {
    let candles = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let series = generate(candles, 1337, "BTCUSDT");
    let settings = EngineSettings::default();
    let median = |f: &dyn Fn() -> f64| {
        let samples: Vec<f64> = (0..7).map(|_| f()).collect();
        percentile(&samples, 50.0).expect("samples")
    };
    let bound = median(&|| limit::rate(&series, &settings));
    let read = median(&|| limit::read_rate(&series));
    let ending = limit::backtest(&series, &settings);
    println!(
        "{{\"candles\": {candles}, \"backtest_loop_candles_per_sec\": {bound:.0}, \
         \"read_only_candles_per_sec\": {read:.0}, \"fills\": {}}}",
        ending.fills
    );
}
