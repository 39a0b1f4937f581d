//! The engine's speed figures, each beside its target and the yardstick (`limit/mod.rs`, the
//! same strategy as one fused loop): run with `cargo bench --bench figures`. Every comparison
//! is a ratio of medians measured in the same minute, alternating the two sides, because this
//! kind of machine drifts.

mod limit;

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use perfsuite::engine::candles::generate;
use perfsuite::engine::settings::EngineSettings;
use perfsuite::engine::timing::StageTimings;
use perfsuite::engine::Engine;
use perfsuite::stats::percentile;

const ROUNDS: usize = 7;

fn median(samples: &[f64]) -> f64 {
    percentile(samples, 50.0).expect("samples")
}

/// Candles per second of one untimed or timed engine run over `series`.
fn engine_rate(
    engine: &mut Engine,
    series: &perfsuite::engine::candles::CandleSeries,
    timed: bool,
) -> f64 {
    let mut timings = StageTimings::with_capacity(engine.batches(series.len()));
    let clock = Instant::now();
    let outcome = engine.run(series, timed.then_some(&mut timings));
    let seconds = clock.elapsed().as_secs_f64();
    std::hint::black_box(outcome.expect("generated candles are valid"));
    series.len() as f64 / seconds
}

fn peak_rss_mb(candles: usize) -> f64 {
    let out = Command::new(env!("CARGO_BIN_EXE_perfsuite"))
        .args(["bench", "--candles", &candles.to_string(), "--repeats", "1"])
        .output()
        .expect("perfsuite bench runs");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("bench prints JSON");
    json["peak_rss_mb"].as_f64().unwrap_or(f64::NAN)
}

fn line(name: &str, figure: String, target: &str, met: bool) {
    println!(
        "{name:<22} {figure:<44} {target:<28} {}",
        if met { "met" } else { "NOT MET" }
    );
}

fn main() {
    println!(
        "{:<22} {:<44} {:<28} result",
        "figure", "measured (medians)", "target"
    );
    let settings = EngineSettings::default();

    // 1. Throughput on 1M candles against the yardstick, alternating.
    let million = generate(1_000_000, 1337, "BTCUSDT");
    let mut engine = Engine::new(settings);
    engine_rate(&mut engine, &million, true);
    let (mut ours, mut bound) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        bound.push(limit::rate(&million, &settings));
        ours.push(engine_rate(&mut engine, &million, true));
    }
    let ratio = median(&ours) / median(&bound);
    let figure = format!(
        "{:.1}M c/s vs yardstick {:.1}M = {ratio:.2}x",
        median(&ours) / 1e6,
        median(&bound) / 1e6
    );
    line("throughput 1M", figure, ">= 0.35x yardstick", ratio >= 0.35);

    // 2. Linear cost: 5M against 50k, alternating.
    let small = generate(50_000, 1337, "BTCUSDT");
    let large = generate(5_000_000, 1337, "BTCUSDT");
    let (mut at_small, mut at_large) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        at_small.push(median(
            &(0..20)
                .map(|_| engine_rate(&mut engine, &small, true))
                .collect::<Vec<_>>(),
        ));
        at_large.push(engine_rate(&mut engine, &large, true));
    }
    let ratio = median(&at_large) / median(&at_small);
    let figure = format!(
        "5M {:.1}M c/s, 50k {:.1}M c/s = {ratio:.2}",
        median(&at_large) / 1e6,
        median(&at_small) / 1e6
    );
    line(
        "linear cost",
        figure,
        "5M within 15% of 50k",
        (ratio - 1.0).abs() <= 0.15,
    );
    drop(large);

    // 3. Memory: the child's own peak RSS.
    for candles in [1_000_000usize, 5_000_000] {
        let rss = peak_rss_mb(candles);
        let limit = (64.0 * candles as f64) / (1024.0 * 1024.0) + 32.0;
        line(
            &format!("peak RSS {}M", candles / 1_000_000),
            format!("{rss:.1} MB"),
            &format!("<= {limit:.0} MB"),
            rss <= limit,
        );
    }

    // 4. Stage timing overhead: timed against untimed runs, alternating. The cost sought
    // (~0.2%) is far below the noise between two runs (a few %), and noise only ever slows a
    // run, so each side is judged by its best run of many.
    let (mut timed, mut untimed) = (Vec::new(), Vec::new());
    for _ in 0..5 * ROUNDS {
        untimed.push(engine_rate(&mut engine, &million, false));
        timed.push(engine_rate(&mut engine, &million, true));
    }
    let best = |v: &[f64]| v.iter().copied().fold(0.0, f64::max);
    let overhead = 1.0 - best(&timed) / best(&untimed);
    let figure = format!(
        "{:+.2}% (best {:.1}M vs {:.1}M c/s)",
        overhead * 100.0,
        best(&timed) / 1e6,
        best(&untimed) / 1e6
    );
    line("stage timing overhead", figure, "< 1%", overhead < 0.01);

    // 5. Generation speed.
    let rates: Vec<f64> = (0..ROUNDS)
        .map(|_| {
            let clock = Instant::now();
            std::hint::black_box(generate(5_000_000, 1337, "BTCUSDT"));
            5e6 / clock.elapsed().as_secs_f64()
        })
        .collect();
    line(
        "generation 5M",
        format!("{:.1}M candles/s", median(&rates) / 1e6),
        ">= 20M candles/s",
        median(&rates) >= 20e6,
    );

    // 6. Suite overhead: the shipped suite, end to end.
    suite_overhead();
}

/// Runs `perfsuite run scenarios/` and splits its wall time into the measured work (generation,
/// warm-ups, repeats, as each child reports) and everything else.
fn suite_overhead() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = std::env::temp_dir().join(format!("perfsuite-figures-{}", std::process::id()));
    let clock = Instant::now();
    let status = Command::new(env!("CARGO_BIN_EXE_perfsuite"))
        .current_dir(root)
        .args(["run", "scenarios", "--quiet", "--out"])
        .arg(&out)
        .status()
        .expect("perfsuite run starts");
    let wall = clock.elapsed().as_secs_f64();
    assert!(status.success(), "perfsuite run failed");
    let mut work = 0.0;
    for entry in std::fs::read_dir(&out).expect("results folder") {
        let bench = entry.expect("entry").path().join("bench.json");
        if let Ok(text) = std::fs::read_to_string(&bench) {
            let json: serde_json::Value = serde_json::from_str(&text).expect("bench.json");
            let phases = &json["phases"];
            work += ["generation_s", "warmup_s", "measured_s"]
                .iter()
                .map(|k| phases[k].as_f64().unwrap_or(0.0))
                .sum::<f64>();
        }
    }
    let _ = std::fs::remove_dir_all(&out);
    let share = work / wall;
    let figure = format!(
        "{:.1}% of {wall:.2} s (overhead {:.3} s)",
        share * 100.0,
        wall - work
    );
    line(
        "suite work share",
        figure,
        ">= 90% generation+runs",
        share >= 0.90,
    );
}
