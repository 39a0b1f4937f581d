//! perfsuite: a declarative, TOML-driven performance-regression suite for a trading backtester.
//!
//! The layers, each using only those listed after it: `app`, `cli` and `commands` are the
//! command line; `calibrate` works out what `ab` can detect on this machine; `compare` sets
//! result sets side by side; `output` renders for people and tools;
//! `measure` times the engine, in a child process; `results` is the file schema and the results
//! folder; `config` reads scenario and budget files; `sampling` decides how many repeats to
//! take (a fixed count, or `repeats = "auto"`) and records why it stopped; `judge` holds resolved budgets and the
//! verdicts they give; `engine` is the backtester, which knows nothing of files or the command
//! line; `environment`, `stats`, `shard`, `interrupt`, `input` (reading
//! untrusted files) and `error` are small leaves. `history` records result sets in a SQLite
//! database, `trend` finds change points in its series and `output::html` draws them into the
//! `report` page.

// stdout and stderr are written only through `output` (`print_stdout`, `say!`), which handle a
// write error instead of panicking as `println!` and `eprintln!` do.
#![cfg_attr(not(test), deny(clippy::print_stdout, clippy::print_stderr))]

pub mod app;
pub mod calibrate;
pub mod cli;
pub mod commands;
pub mod compare;
pub mod config;
pub mod data;
pub mod engine;
pub mod environment;
pub mod error;
pub mod external;
pub mod history;
pub mod input;
pub mod interrupt;
pub mod judge;
pub mod measure;
pub mod output;
pub mod results;
pub mod sampling;
pub mod schema;
pub mod shard;
pub mod stats;
pub mod trend;
