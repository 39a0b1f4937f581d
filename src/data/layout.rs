//! Which columns of a candle file hold what: Binance kline files (12 columns, with or without a
//! header) and generic CSVs whose header names time, open, high, low, close and volume.

use super::time::{epoch_int_ms, epoch_ms, iso_ms, Unit};

/// Columns of a Binance kline file: open time, open, high, low, close, volume, close time,
/// quote volume, trades, taker buy base volume, taker buy quote volume, ignore.
pub const BINANCE_COLUMNS: usize = 12;

/// Names accepted for the time column of a generic CSV, in order of preference.
const TIME_NAMES: [&str; 8] = [
    "time",
    "timestamp",
    "date",
    "datetime",
    "date_time",
    "open_time",
    "open time",
    "ts",
];

/// The value columns after the time, as a generic header must name them.
pub const VALUE_NAMES: [&str; 5] = ["open", "high", "low", "close", "volume"];

/// How a file's rows are read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Layout {
    /// Binance klines: 12 columns, open time in ms or µs (told row by row by its size).
    Binance {
        /// Whether the first line is a header (futures files have one, spot files none).
        header: bool,
    },
    /// A CSV with a header: the index of the time column, then of open, high, low, close,
    /// volume; and how many columns each row has.
    Generic {
        /// Indices of time, open, high, low, close, volume.
        columns: [usize; 6],
        /// Columns in the header.
        width: usize,
    },
}

/// A field as written: trimmed of spaces and of surrounding double quotes.
pub fn clean(field: &str) -> &str {
    let plain = |b: Option<&u8>| b.is_some_and(|b| !b.is_ascii_whitespace() && *b != b'"');
    if plain(field.as_bytes().first()) && plain(field.as_bytes().last()) {
        return field;
    }
    let f = field.trim();
    f.strip_prefix('"')
        .and_then(|f| f.strip_suffix('"'))
        .unwrap_or(f)
        .trim()
}

impl Layout {
    /// The layout told by a file's first line (split into `fields`), or what is wrong with it.
    pub fn detect(fields: &[&str]) -> Result<Layout, String> {
        // cannot panic: `split` yields at least one field, even of an empty line.
        let first = clean(fields[0]);
        if first.parse::<i64>().is_ok() {
            if fields.len() != BINANCE_COLUMNS {
                return Err(format!(
                    "a first row without a header reads as a Binance kline file, which has \
                     {BINANCE_COLUMNS} columns, but this one has {}; give a generic CSV a header \
                     naming time, open, high, low, close, volume",
                    fields.len()
                ));
            }
            return Ok(Layout::Binance { header: false });
        }
        let names: Vec<String> = fields.iter().map(|f| clean(f).to_lowercase()).collect();
        if names.len() == BINANCE_COLUMNS
            && names[0] == "open_time"
            && names.iter().any(|n| n == "close_time")
        {
            return Ok(Layout::Binance { header: true });
        }
        let find = |name: &str| names.iter().position(|n| n == name);
        let Some(time) = TIME_NAMES.iter().find_map(|n| find(n)) else {
            return Err(format!(
                "the header names no time column (one of {}); found: {}",
                TIME_NAMES.join(", "),
                names.join(", ")
            ));
        };
        let mut columns = [time; 6];
        for (slot, name) in columns[1..].iter_mut().zip(VALUE_NAMES) {
            *slot = find(name).ok_or_else(|| {
                format!(
                    "the header names no `{name}` column; found: {}; a generic CSV needs time, \
                     open, high, low, close, volume",
                    names.join(", ")
                )
            })?;
        }
        Ok(Layout::Generic {
            columns,
            width: names.len(),
        })
    }

    /// Whether the first line is a header rather than a candle.
    pub fn has_header(&self) -> bool {
        !matches!(self, Layout::Binance { header: false })
    }

    /// Columns every row must have.
    pub fn width(&self) -> usize {
        match self {
            Layout::Binance { .. } => BINANCE_COLUMNS,
            Layout::Generic { width, .. } => *width,
        }
    }

    /// Indices of time, open, high, low, close, volume.
    pub fn columns(&self) -> [usize; 6] {
        match self {
            Layout::Binance { .. } => [0, 1, 2, 3, 4, 5],
            Layout::Generic { columns, .. } => *columns,
        }
    }

    /// The name reported in bench.json.
    pub fn name(&self) -> &'static str {
        match self {
            Layout::Binance { header: false } => "binance",
            Layout::Binance { header: true } => "binance-with-header",
            Layout::Generic { .. } => "generic",
        }
    }

    /// A time field in milliseconds since the epoch, or what is wrong with it. A Binance open
    /// time is in milliseconds or (spot files from 2025 on) microseconds, told row by row by its
    /// size, so files from before and after the change can be joined.
    pub fn time_ms(&self, field: &str) -> Result<i64, String> {
        match self {
            Layout::Binance { .. } => match epoch_int_ms(field) {
                Some((ms, Unit::Millis | Unit::Micros)) => Ok(ms),
                Some(_) => Err(format!(
                    "open time {field} is neither in milliseconds nor in microseconds"
                )),
                None => Err(format!("open time {field:?} is not a whole number")),
            },
            Layout::Generic { .. } => epoch_ms(field).or_else(|| iso_ms(field)).ok_or_else(|| {
                format!("time {field:?} is neither an ISO 8601 date nor an epoch number")
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detect(line: &str) -> Result<Layout, String> {
        Layout::detect(&line.split(',').collect::<Vec<_>>())
    }

    #[test]
    fn binance_files_are_told_with_and_without_a_header() {
        let spot = "1704067200000,42283.58,42298.62,42261.02,42298.61,35.92,1704067259999,1518905.96,1327,23.5,993706.34,0";
        assert_eq!(detect(spot), Ok(Layout::Binance { header: false }));
        let futures = "open_time,open,high,low,close,volume,close_time,quote_volume,count,\
                       taker_buy_volume,taker_buy_quote_volume,ignore";
        assert_eq!(detect(futures), Ok(Layout::Binance { header: true }));
    }

    #[test]
    fn a_generic_header_is_matched_by_name_in_any_order_and_case() {
        let layout = detect("Volume,\"Close\",Low,High,Open,Date,Extra").unwrap();
        assert_eq!(
            layout,
            Layout::Generic {
                columns: [5, 4, 3, 2, 1, 0],
                width: 7
            }
        );
    }

    #[test]
    fn a_missing_column_or_a_short_headerless_row_says_what_is_needed() {
        let err = detect("time,open,high,low,close").unwrap_err();
        assert!(
            err.starts_with("the header names no `volume` column"),
            "{err}"
        );
        let err = detect("open,high,low,close,volume").unwrap_err();
        assert!(err.starts_with("the header names no time column"), "{err}");
        let err = detect("1704067200000,1,2,0.5,1.5,10").unwrap_err();
        assert!(err.contains("has 12 columns, but this one has 6"), "{err}");
    }
}
