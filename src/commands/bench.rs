//! `perfsuite bench`: one ad-hoc measurement, one JSON object on stdout. The runbook's script,
//! kept working, and the child side of `run` and `ab`.

use std::time::Instant;

use sysinfo::System;

use crate::cli::BenchArgs;
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

/// Environment variable that sets the memory a measurement may use, in MiB, in place of the
/// memory the machine reports as available: for tests, and for hosts where the detection is
/// wrong (a limit the cgroup does not show). A measurement estimated to need more is refused
/// before it starts (exit 3 for `bench`, an `error` row in `run`).
pub const MEMORY_LIMIT_VAR: &str = "PERFSUITE_MEMORY_LIMIT_MB";

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

/// The memory this process may use, in bytes, and where the figure comes from:
/// [`MEMORY_LIMIT_VAR`] if set, else the smallest of the system's available memory, what the
/// cgroup (container) leaves free, and the address-space limit (`ulimit -v`, which a child
/// inherits). `None` where nothing tells.
fn available_memory() -> Result<Option<(u64, &'static str)>, Error> {
    if let Some(mib) = memory_limit_mib()? {
        return Ok(Some((mib.saturating_mul(1 << 20), MEMORY_LIMIT_VAR)));
    }
    let mut figures = vec![(address_space_limit(), "ulimit -v")];
    if let Ok(mut system) = System::new() {
        system.refresh_memory();
        figures.push((Some(system.available_memory()), "MemAvailable"));
        let cgroup = system.cgroup_limits().map(|c| c.free_memory);
        figures.push((cgroup, "free in this container's cgroup"));
    }
    // A figure of 0 means the platform does not know.
    Ok(figures
        .into_iter()
        .filter_map(|(bytes, source)| Some((bytes.filter(|&b| b > 0)?, source)))
        .min_by_key(|&(bytes, _)| bytes))
}

/// [`MEMORY_LIMIT_VAR`] in MiB, if set. A value that is not a whole number of MiB is an error
/// naming the variable and the value: `run`, `ab` and `calibrate` call this before measuring
/// anything, so a typo is exit 2 up front instead of an error row for every scenario.
pub fn memory_limit_mib() -> Result<Option<u64>, Error> {
    let Some(value) = std::env::var_os(MEMORY_LIMIT_VAR) else {
        return Ok(None);
    };
    let mib = value.to_str().and_then(|v| v.trim().parse::<u64>().ok());
    mib.map(Some).ok_or_else(|| {
        Error::Input(format!(
            "{MEMORY_LIMIT_VAR} must be a whole number of MiB, got `{}`",
            crate::output::escape::shown(std::path::Path::new(&value))
        ))
    })
}

/// The soft address-space limit (`ulimit -v`) in bytes; `None` when unlimited.
fn address_space_limit() -> Option<u64> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit only writes the struct it is given.
    let ok = unsafe { libc::getrlimit(libc::RLIMIT_AS, &mut limit) } == 0;
    (ok && limit.rlim_cur != libc::RLIM_INFINITY).then_some(limit.rlim_cur)
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
