//! perfsuite: a declarative, TOML-driven performance-regression suite for a trading backtester.

pub mod engine;
