//! perfsuite: a declarative, TOML-driven performance-regression suite for a trading backtester.
//!
//! The engine (`engine`) knows nothing of files or the command line; `measure` times it;
//! `runner` runs measurements in child processes; `config` reads scenario and budget files;
//! `budget` judges results; `compare` sets result sets side by side; `results` is the file schema; `cli`, `app` and `commands` are the
//! command line.

pub mod app;
pub mod budget;
pub mod calibrate;
pub mod cli;
pub mod commands;
pub mod compare;
pub mod config;
pub mod engine;
pub mod environment;
pub mod error;
pub mod fsio;
pub mod interrupt;
pub mod measure;
pub mod outdir;
pub mod progress;
pub mod report;
pub mod results;
pub mod sampling;
pub mod runner;
pub mod shard;
pub mod stats;
pub mod suite;
