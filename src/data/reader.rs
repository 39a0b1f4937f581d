//! Streaming a candle file into a [`CandleSeries`], one reused line buffer at a time.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::time::Instant;

use super::layout::{clean, Layout, VALUE_NAMES};
use super::number;
use super::{DataError, DataInfo, Loaded};
use crate::engine::candles::CandleSeries;
use crate::engine::fingerprint::Fnv1a;

/// Longest line accepted, in bytes: a kline row is about 150; anything far longer is not a
/// candle file, and is refused before it can fill memory.
const MAX_LINE: usize = 64 * 1024;

/// Reads the candles of `path`: all of them, or the first `limit`. Fewer rows than `limit` is
/// an error, so a scenario never backtests less than it says.
pub fn read(path: &Path, limit: Option<u64>) -> Result<Loaded, DataError> {
    let (series, info) = scan(path, limit, true)?;
    Ok(Loaded { series, info })
}

/// Checks the candles of `path` as [`read`] does, without keeping them: what `perfsuite check`
/// runs, in the memory of one line.
pub fn check(path: &Path, limit: Option<u64>) -> Result<DataInfo, DataError> {
    scan(path, limit, false).map(|(_, info)| info)
}

/// Reads and checks every row [`read`] takes; the candles are kept when `keep`.
fn scan(
    path: &Path,
    limit: Option<u64>,
    keep: bool,
) -> Result<(CandleSeries, DataInfo), DataError> {
    let clock = Instant::now();
    // A regular file only: `bench --data` of a FIFO waited on it for ever.
    let file = crate::input::open_regular(path)
        .map_err(|e| DataError::file(path, format!("cannot read: {e}")))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let mut lines = Lines {
        path,
        reader: BufReader::with_capacity(1 << 20, file),
        buf: Vec::with_capacity(256),
        number: 0,
    };
    let Some((_, first)) = lines.next()? else {
        return Err(DataError::file(path, "the file is empty: no candles"));
    };
    let fields: Vec<&str> = first.split(',').collect();
    let layout = Layout::detect(&fields).map_err(|e| DataError::at(path, 1, 1, e))?;
    // cannot panic: the divisor is at least 16, and estimate + 1 <= u64::MAX / 16 + 1.
    let estimate = size / (first.len() as u64 + 1).max(16);
    let capacity = if keep {
        limit.unwrap_or(estimate).min(estimate + 1)
    } else {
        0
    };
    let mut rows = Rows::new(path, layout.clone(), capacity, keep);
    if !layout.has_header() {
        let line = first.to_owned();
        rows.push(1, &line)?;
    }
    while limit.is_none_or(|n| rows.count() < n) {
        let Some((number, line)) = lines.next()? else {
            break;
        };
        rows.push(number, line)?;
    }
    let count = rows.count();
    if count == 0 {
        return Err(DataError::file(path, "no candles after the header"));
    }
    if let Some(n) = limit.filter(|&n| count < n) {
        return Err(DataError::file(
            path,
            format!("has {count} candles, fewer than the {n} that `candles` asks for"),
        ));
    }
    let parse_s = clock.elapsed().as_secs_f64();
    let info = DataInfo {
        file: path.display().to_string(),
        format: layout.name().to_owned(),
        rows: count,
        digest: format!("{:016x}", rows.digest.finish()),
        parse_s,
        rows_per_sec: count as f64 / parse_s.max(1e-9),
    };
    Ok((rows.series, info))
}

/// The non-empty lines of a file, without their line ends, numbered from 1.
struct Lines<'p> {
    path: &'p Path,
    reader: BufReader<File>,
    buf: Vec<u8>,
    number: u64,
}

impl Lines<'_> {
    /// The next line that is not blank, with its number, or `None` at the end of the file.
    fn next(&mut self) -> Result<Option<(u64, &str)>, DataError> {
        loop {
            self.buf.clear();
            let n = (&mut self.reader)
                .take(MAX_LINE as u64 + 1)
                .read_until(b'\n', &mut self.buf)
                .map_err(|e| DataError::file(self.path, format!("cannot read: {e}")))?;
            if n == 0 {
                return Ok(None);
            }
            self.number += 1;
            if self.buf.len() > MAX_LINE {
                return Err(DataError::at(
                    self.path,
                    self.number,
                    1,
                    format!("the line is longer than {MAX_LINE} bytes: not a candle file"),
                ));
            }
            while matches!(self.buf.last(), Some(b'\n' | b'\r')) {
                self.buf.pop();
            }
            if self.buf.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            if self.number == 1 && self.buf.starts_with(b"\xef\xbb\xbf") {
                self.buf.drain(..3);
            }
            return match std::str::from_utf8(&self.buf) {
                Ok(line) => Ok(Some((self.number, line))),
                Err(e) => Err(DataError::at(
                    self.path,
                    self.number,
                    e.valid_up_to() + 1,
                    "not UTF-8 text: not a CSV file",
                )),
            };
        }
    }
}

/// Checked rows, appended to the series.
struct Rows<'p> {
    path: &'p Path,
    layout: Layout,
    columns: [usize; 6],
    /// Whether candles are appended to `series`, or only counted.
    keep: bool,
    count: u64,
    series: CandleSeries,
    digest: Fnv1a,
    /// Time and line of the previous row.
    previous: Option<(i64, u64)>,
    /// The highest column index read.
    last_column: usize,
    /// Byte range of each field of the current line, up to `last_column`.
    bounds: Vec<(usize, usize)>,
}

impl<'p> Rows<'p> {
    fn new(path: &'p Path, layout: Layout, capacity: u64, keep: bool) -> Self {
        let n = usize::try_from(capacity).unwrap_or(0).min(1 << 28);
        let mut series = CandleSeries::default();
        // Only a hint from the size the file reports, which a sparse file inflates: a
        // reservation the allocator refuses (`ulimit -v`) is skipped, and the columns grow as
        // rows are read, instead of aborting the process.
        for column in [
            &mut series.open,
            &mut series.high,
            &mut series.low,
            &mut series.close,
            &mut series.volume,
        ] {
            let _ = column.try_reserve(n);
        }
        let _ = series.ts.try_reserve(n);
        let columns = layout.columns();
        let last_column = columns.into_iter().max().unwrap_or(0);
        Self {
            path,
            columns,
            layout,
            keep,
            count: 0,
            series,
            digest: Fnv1a::default(),
            previous: None,
            last_column,
            bounds: Vec::with_capacity(last_column + 1),
        }
    }

    fn count(&self) -> u64 {
        self.count
    }

    /// Checks line `number` and appends its candle.
    fn push(&mut self, number: u64, line: &str) -> Result<(), DataError> {
        // Counting commas is one vectorised pass; the fields' bounds are then found only as far
        // as the last column read (the sixth of a kline row). A loop recording every comma's
        // offset cost a quarter of the parse.
        let bytes = line.as_bytes();
        let found = 1 + bytes.iter().filter(|&&b| b == b',').count();
        let width = self.layout.width();
        if found != width {
            let column = line.len() + 1;
            return Err(self.error(
                number,
                column,
                format!("expected {width} columns, found {found}"),
            ));
        }
        self.bounds.clear();
        let mut start = 0;
        // cannot panic: the line has `width` fields and every column index is below it
        // (Layout::detect), so `start` stays within the line.
        for _ in 0..=self.last_column {
            let end = bytes[start..]
                .iter()
                .position(|&b| b == b',')
                .map_or(bytes.len(), |at| start + at);
            self.bounds.push((start, end));
            start = end + 1;
        }
        let field = |i: usize| -> (usize, &str) {
            let (start, end) = self.bounds[i];
            (start + 1, clean(&line[start..end]))
        };
        let [t, o, h, l, c, v] = self.columns;
        let (time_col, time_text) = field(t);
        let ts = self
            .layout
            .time_ms(time_text)
            .map_err(|e| self.error(number, time_col, e))?;
        let mut values = [0.0; 5];
        let mut cols = [0; 5];
        for (k, index) in [o, h, l, c, v].into_iter().enumerate() {
            let (col, text) = field(index);
            cols[k] = col;
            values[k] = number::float(text)
                .filter(|x| x.is_finite())
                .ok_or_else(|| {
                    self.error(
                        number,
                        col,
                        format!("`{}` is not a number: {text:?}", VALUE_NAMES[k]),
                    )
                })?;
        }
        self.check(number, &values, &cols)?;
        if let Some((before, line_before)) = self.previous {
            if ts <= before {
                let how = if ts == before {
                    "repeats the time of"
                } else {
                    "goes back in time from"
                };
                return Err(self.error(
                    number,
                    time_col,
                    format!("time {time_text} {how} line {line_before}: times must increase"),
                ));
            }
        }
        self.previous = Some((ts, number));
        let [open, high, low, close, volume] = values;
        // cannot panic: the bits of the time, for the digest only.
        self.digest.word(ts as u64);
        for x in values {
            self.digest.float(x);
        }
        self.count += 1;
        if !self.keep {
            return Ok(());
        }
        let s = &mut self.series;
        s.ts.push(ts);
        s.open.push(open);
        s.high.push(high);
        s.low.push(low);
        s.close.push(close);
        s.volume.push(volume);
        Ok(())
    }

    /// The checks the engine makes of a candle, in words naming the column at fault.
    fn check(&self, number: u64, v: &[f64; 5], cols: &[usize; 5]) -> Result<(), DataError> {
        let [open, high, low, close, volume] = *v;
        let problem = if low <= 0.0 {
            Some((2, format!("`low` must be greater than 0, got {low}")))
        } else if high < low {
            Some((1, format!("`high` {high} is below `low` {low}")))
        } else if !(low..=high).contains(&open) {
            Some((
                0,
                format!("`open` {open} is outside low..high ({low}..{high})"),
            ))
        } else if !(low..=high).contains(&close) {
            Some((
                3,
                format!("`close` {close} is outside low..high ({low}..{high})"),
            ))
        } else if volume < 0.0 {
            Some((4, format!("`volume` must not be negative, got {volume}")))
        } else {
            None
        };
        match problem {
            Some((k, message)) => Err(self.error(number, cols[k], message)),
            None => Ok(()),
        }
    }

    fn error(&self, line: u64, column: usize, message: impl Into<String>) -> DataError {
        DataError::at(self.path, line, column, message)
    }
}
