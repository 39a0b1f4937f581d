//! perfsuite: a declarative, TOML-driven performance-regression suite for a trading backtester.

pub mod budget;
pub mod compare;
pub mod engine;
pub mod environment;
pub mod measure;
pub mod results;
pub mod stats;
