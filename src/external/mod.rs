//! External engines: a scenario's `engine.command` names a backtester of the team's own, which
//! perfsuite runs with the runbook's arguments, each one `--key=value` argument
//! (`--candles=N --seed=S --repeats=1 --symbol=SYM`, and `--data=FILE` for a scenario with data) and whose JSON report it reads from stdout (see
//! [`protocol`]). perfsuite measures what it can see itself: each invocation's wall time, and
//! the peak resident memory of the engine's process from the OS (`getrusage` of the waited-for
//! children), which is the figure budgets judge.
//!
//! This runs inside the `perfsuite bench` child that `run` and `ab` start per repeat, so an
//! external engine gets the same time limit, process-group kill and crash containment as the
//! built-in one; [`measure`] only adds the engine's own child process below it.

mod command;
mod invoke;
pub mod protocol;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use command::ExternalCommand;
pub use invoke::measure;

/// What bench.json records of an external engine, under `external`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExternalInfo {
    /// The command line, as the scenario wrote it.
    pub command: Vec<String>,
    /// The protocol version of the engine's report.
    pub protocol: u64,
    /// Wall time of each measured invocation, in seconds, start-up included, as perfsuite
    /// measured it.
    pub wall_s: Vec<f64>,
    /// The engine's own peak-memory figure (its `peak_rss_mb`), largest over the invocations;
    /// the judged `peak_rss_mb` is perfsuite's, from the OS.
    pub reported_peak_rss_mb: Option<f64>,
}
