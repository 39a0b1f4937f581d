//! `perfsuite bench`: one ad-hoc measurement, one JSON object on stdout. The runbook's script,
//! kept working, and the child side of `run` and `ab`.

use std::time::Instant;

use crate::cli::BenchArgs;
use crate::engine::settings::EngineSettings;
use crate::environment::{now_rfc3339, peak_rss_mb, Environment};
use crate::error::{Error, EXIT_OK};
use crate::measure::{measure, BenchSpec, Progress};
use crate::runner::PROGRESS_PREFIX;

/// Environment variable that makes a `bench --progress` child fail on purpose, for testing
/// crash containment: `panic:SYMBOL`, `abort:SYMBOL` or `hang:SYMBOL`.
pub const FAULT_VAR: &str = "PERFSUITE_INJECT_FAULT";

/// Runs the command; the JSON goes to stdout.
pub fn bench(args: BenchArgs) -> Result<u8, Error> {
    let engine = match &args.engine_json {
        Some(json) => {
            serde_json::from_str(json).map_err(|e| Error::Input(format!("--engine-json: {e}")))?
        }
        None => EngineSettings::default(),
    };
    engine
        .validate()
        .map_err(|e| Error::Input(format!("--engine-json: `{}` must be {}", e.key, e.expected)))?;
    if args.symbol.trim().is_empty() {
        return Err(Error::Input("--symbol must not be empty".to_owned()));
    }
    let spec = BenchSpec {
        candles: args.candles,
        seed: args.seed,
        symbol: args.symbol,
        repeats: args.repeats,
        warmup: args.warmup,
        engine,
    };
    if args.progress {
        inject_fault(&spec.symbol);
    }
    let started_at = now_rfc3339();
    let clock = Instant::now();
    let samples = measure(&spec, |p| {
        if args.progress {
            eprintln!("{PROGRESS_PREFIX}{}", describe(p));
        }
    })
    .map_err(|e| Error::Measure(e.to_string()))?;
    let measurement = samples.into_measurement(
        &spec,
        Environment::detect(),
        peak_rss_mb(),
        started_at,
        clock.elapsed().as_secs_f64(),
    );
    let json = serde_json::to_string_pretty(&measurement).expect("a measurement serializes");
    crate::app::print_stdout(&format!("{json}\n"));
    Ok(EXIT_OK)
}

fn describe(p: Progress) -> String {
    match p {
        Progress::Generating => "generating candles".to_owned(),
        Progress::Warmup(i, n) => format!("warm-up {i}/{n}"),
        Progress::Repeat(i, n) => format!("repeat {i}/{n}"),
    }
}

/// Fails as [`FAULT_VAR`] asks when it names this symbol.
fn inject_fault(symbol: &str) {
    let Ok(fault) = std::env::var(FAULT_VAR) else {
        return;
    };
    match fault.split_once(':') {
        Some(("panic", s)) if s == symbol => panic!("injected fault for {symbol}"),
        Some(("abort", s)) if s == symbol => std::process::abort(),
        Some(("hang", s)) if s == symbol => loop {
            std::thread::sleep(std::time::Duration::from_secs(1));
        },
        _ => {}
    }
}
