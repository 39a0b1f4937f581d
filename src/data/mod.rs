//! Recorded OHLCV candles from CSV files, for scenarios with `data = "FILE"`: Binance kline
//! files and generic CSVs with a header (see [`layout`]). The file is streamed line by line, so
//! its text is never held whole, and every row is checked as the engine would (numbers, high
//! and low around open and close, time strictly increasing); an error names file, line and
//! column. The engine only ever sees the resulting [`CandleSeries`].

mod error;
pub mod layout;
mod number;
mod reader;
pub mod time;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use error::DataError;
pub use reader::{check, read};

use crate::engine::candles::CandleSeries;

/// What was read from a candle file, as recorded in bench.json under `data`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DataInfo {
    /// The file, as the scenario resolved it.
    pub file: String,
    /// `binance`, `binance-with-header` or `generic`.
    pub format: String,
    /// Candles read (the first `candles` rows, or all).
    pub rows: u64,
    /// 16 hex digits: FNV-1a over every candle read (time and the five values, as 64-bit
    /// words), so two files with the same candles have the same digest whatever their layout.
    pub digest: String,
    /// Wall time of reading and checking the file, in seconds.
    pub parse_s: f64,
    /// Rows read per second of `parse_s`.
    pub rows_per_sec: f64,
}

/// A candle file, read.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The candles.
    pub series: CandleSeries,
    /// What was read, for bench.json.
    pub info: DataInfo,
}

#[cfg(test)]
mod tests;
