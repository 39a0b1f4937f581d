//! `perfsuite bench`: one ad-hoc measurement, one JSON object on stdout. The runbook's script,
//! kept working, and the child side of `run` and `ab`.

use std::time::Instant;

use crate::cli::BenchArgs;
use crate::commands::memory::available_memory;
pub use crate::commands::memory::MEMORY_LIMIT_VAR;
use crate::engine::settings::EngineSettings;
use crate::environment::{now_rfc3339, peak_rss_mb, Environment};
use crate::error::{Error, EXIT_OK};
use crate::external::{self, ExternalCommand};
use crate::measure::callgrind::{self, CountError};
use crate::measure::runner::PROGRESS_PREFIX;
use crate::measure::{
    measure, BenchSpec, MeasureError, Mode, Progress, BYTES_PER_CANDLE, BYTES_PER_TIMED_BATCH,
    PROCESS_OVERHEAD_BYTES,
};
use crate::results::Measurement;

/// Environment variable that makes a `bench --progress` child fail on purpose, for testing
/// crash containment: `panic:SYMBOL`, `abort:SYMBOL` or `hang:SYMBOL`.
pub const FAULT_VAR: &str = "PERFSUITE_INJECT_FAULT";

/// Candles generated when neither `--candles` nor `--data` is given (the runbook's default).
pub const DEFAULT_CANDLES: u64 = 200_000;

/// Runs the command; the JSON goes to stdout.
pub fn bench(args: BenchArgs) -> Result<u8, Error> {
    let engine = match &args.engine_json {
        Some(json) => serde_json::from_str(json).map_err(Error::EngineJson)?,
        None => EngineSettings::default(),
    };
    engine
        .validate()
        .map_err(|e| Error::Input(format!("--engine-json: `{}` must be {}", e.key, e.expected)))?;
    if args.symbol.trim().is_empty() {
        return Err(Error::Input("--symbol must not be empty".to_owned()));
    }
    let command: Option<ExternalCommand> = match &args.engine_command {
        Some(json) => Some(
            serde_json::from_str(json)
                .map_err(|e| Error::Input(format!("--engine-command: {e}")))?,
        ),
        None => None,
    };
    let spec = BenchSpec {
        candles: args
            .candles
            .or(args.data.is_none().then_some(DEFAULT_CANDLES)),
        seed: args.seed,
        symbol: args.symbol,
        repeats: args.repeats,
        warmup: args.warmup,
        engine,
        data: args.data,
        command,
    };
    if let (Some(n), None) = (spec.candles, &spec.command) {
        check_memory(&spec, n)?;
    }
    if args.progress {
        inject_fault(&spec.symbol);
    }
    let mode = if args.callgrind_marks {
        Mode::CallgrindMarks
    } else {
        Mode::Timed
    };
    let report = |p| {
        if args.progress {
            crate::say!("{PROGRESS_PREFIX}{}", describe(p));
        }
    };
    let mut measurement = match &spec.command {
        Some(command) => external::measure(&spec, command, report).map_err(Error::Measure)?,
        None => builtin(&spec, mode, report)?,
    };
    if args.instructions && spec.command.is_some() {
        crate::say!("warning: instructions are counted for the built-in engine only");
    } else if args.instructions {
        let exe = crate::commands::run::current_exe()?;
        let counted = callgrind::count(&exe, &spec, 1, None, |status| {
            if args.progress {
                crate::say!("{PROGRESS_PREFIX}{status}");
            }
        });
        match counted.and_then(|c| callgrind::record(&mut measurement, c)) {
            Ok(()) => {}
            Err(e @ CountError::Missing) => crate::say!("warning: {e}"),
            Err(e) => return Err(Error::Measure(e.to_string())),
        }
    }
    let json = serde_json::to_string_pretty(&measurement).expect("a measurement serializes");
    crate::output::print_stdout(&format!("{json}\n"))?;
    Ok(EXIT_OK)
}

/// Measures `spec` on the built-in engine. A data file that cannot be read is invalid input.
fn builtin(
    spec: &BenchSpec,
    mode: Mode,
    progress: impl FnMut(Progress),
) -> Result<Measurement, Error> {
    let started_at = now_rfc3339();
    let clock = Instant::now();
    let samples = measure(spec, mode, progress).map_err(|e| match e {
        MeasureError::Data(e) => Error::Input(e.to_string()),
        e => e.into(),
    })?;
    Ok(samples.into_measurement(
        spec,
        Environment::detect(),
        peak_rss_mb(),
        started_at,
        clock.elapsed().as_secs_f64(),
    ))
}

/// Refuses a measurement that would need more memory than the machine has available, before
/// anything is allocated: the alternative is an allocation failure (an abort) or the OOM killer
/// halfway through, which tells the user nothing. A figure of 0 from the platform means
/// "unknown", and then nothing is refused.
fn check_memory(spec: &BenchSpec, candles: u64) -> Result<(), Error> {
    let Some((available, source)) = available_memory()? else {
        return Ok(());
    };
    let needed = spec.memory_needed(candles);
    if needed <= available {
        return Ok(());
    }
    let mib = |bytes: u64| bytes.div_ceil(1 << 20);
    Err(Error::Measure(format!(
        "{} candles \u{d7} {} repeats need about {} MiB of memory ({} bytes a candle, {} bytes a \
         timed batch, {} MiB for the process), but only {} MiB is available ({source}): use fewer \
         candles or repeats, a larger `batch_size`, or a machine with more memory",
        candles,
        spec.repeats,
        mib(needed),
        BYTES_PER_CANDLE,
        BYTES_PER_TIMED_BATCH,
        mib(PROCESS_OVERHEAD_BYTES),
        available >> 20,
    )))
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
        // A deliberate panic: the crash-containment tests ask for one through FAULT_VAR.
        Some(("panic", s)) if s == symbol => panic!("injected fault for {symbol}"),
        Some(("abort", s)) if s == symbol => std::process::abort(),
        Some(("hang", s)) if s == symbol => loop {
            std::thread::sleep(std::time::Duration::from_secs(1));
        },
        _ => {}
    }
}
