//! Reading generated candle files of every accepted layout, and refusing malformed ones with
//! file, line and column.

use std::fmt::Write;
use std::path::PathBuf;

use super::*;
use crate::engine::settings::EngineSettings;
use crate::engine::Engine;

const JAN_1_2024_MS: i64 = 1_704_067_200_000;
const FUTURES_HEADER: &str = "open_time,open,high,low,close,volume,close_time,quote_volume,\
                              count,taker_buy_volume,taker_buy_quote_volume,ignore\n";

/// `n` plausible minute candles: (time ms, open, high, low, close, volume).
fn candles(n: usize) -> Vec<(i64, f64, f64, f64, f64, f64)> {
    let mut price = 42_000.0f64;
    (0..n)
        .map(|i| {
            let open = price;
            let close = open * (1.0 + ((i * 7919 % 101) as f64 - 50.0) / 10_000.0);
            price = close;
            let (hi, lo) = (open.max(close) * 1.0005, open.min(close) * 0.9995);
            let volume = if i % 17 == 0 {
                0.0
            } else {
                1.0 + (i % 13) as f64
            };
            (
                JAN_1_2024_MS + i as i64 * 60_000,
                open,
                hi,
                lo,
                close,
                volume,
            )
        })
        .collect()
}

/// Binance kline rows for `candles`, open times multiplied by `scale` (1 for ms, 1000 for µs).
fn binance(candles: &[(i64, f64, f64, f64, f64, f64)], scale: i64) -> String {
    let mut text = String::new();
    for &(t, o, h, l, c, v) in candles {
        let t = t * scale;
        let close_t = t + 60_000 * scale - 1;
        writeln!(
            text,
            "{t},{o},{h},{l},{c},{v},{close_t},{},42,{},{},0",
            v * c,
            v / 2.0,
            v * c / 2.0
        )
        .unwrap();
    }
    text
}

fn write(name: &str, text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

fn read_text(text: &str, limit: Option<u64>) -> Result<Loaded, DataError> {
    let (_dir, path) = write("candles.csv", text);
    read(&path, limit)
}

/// The error for `text`, with the temp folder left out: `candles.csv:LINE:COL: message`.
fn error(text: &str) -> String {
    let err = read_text(text, None).unwrap_err().to_string();
    err.rsplit('/').next().unwrap().to_owned()
}

#[test]
fn binance_spot_files_in_milliseconds_and_microseconds_read_the_same_candles() {
    let want = candles(500);
    let ms = read_text(&binance(&want, 1), None).unwrap();
    let us = read_text(&binance(&want, 1000), None).unwrap();
    assert_eq!(ms.info.rows, 500);
    assert_eq!(ms.info.format, "binance");
    assert_eq!(ms.series, us.series);
    assert_eq!(ms.info.digest, us.info.digest);
    assert_eq!(ms.series.ts[1], JAN_1_2024_MS + 60_000);
    assert_eq!(ms.series.close[499], want[499].4);
}

#[test]
fn a_binance_futures_file_has_a_header_and_joined_months_may_change_unit() {
    let want = candles(300);
    let text = format!(
        "{FUTURES_HEADER}{}{}",
        binance(&want[..100], 1),
        binance(&want[100..], 1000)
    );
    let loaded = read_text(&text, None).unwrap();
    assert_eq!(loaded.info.format, "binance-with-header");
    assert_eq!(loaded.info.rows, 300);
    assert_eq!(
        loaded.series.ts,
        want.iter().map(|c| c.0).collect::<Vec<_>>()
    );
}

#[test]
fn a_generic_csv_reads_iso_dates_or_epoch_numbers_in_any_column_order() {
    let want = candles(50);
    let mut iso = "Date,Volume,Open,High,Low,Close\n".to_owned();
    let mut epoch = "timestamp,open,high,low,close,volume,trades\n".to_owned();
    for &(t, o, h, l, c, v) in &want {
        let minute = (t - JAN_1_2024_MS) / 60_000;
        let (hh, mm) = (minute / 60, minute % 60);
        writeln!(iso, "2024-01-01T{hh:02}:{mm:02}:00Z,{v},{o},{h},{l},{c}").unwrap();
        writeln!(epoch, "{},{o},{h},{l},{c},{v},7", t / 1000).unwrap();
    }
    let a = read_text(&iso, None).unwrap();
    let b = read_text(&epoch, None).unwrap();
    assert_eq!(a.info.format, "generic");
    assert_eq!(a.series, b.series);
    assert_eq!(a.series.ts[49], want[49].0);
}

#[test]
fn a_limit_takes_the_first_rows_and_more_than_the_file_has_is_an_error() {
    let text = binance(&candles(100), 1);
    let first = read_text(&text, Some(40)).unwrap();
    assert_eq!(first.info.rows, 40);
    assert_eq!(
        first.series.close[..],
        read_text(&text, None).unwrap().series.close[..40]
    );
    let err = read_text(&text, Some(101)).unwrap_err();
    assert!(
        err.to_string()
            .ends_with("has 100 candles, fewer than the 101 that `candles` asks for"),
        "{err}"
    );
}

#[test]
fn the_digest_depends_on_the_candles_read_only() {
    let text = binance(&candles(100), 1);
    let with_crlf = text.replace('\n', "\r\n");
    let whole = read_text(&text, None).unwrap().info.digest;
    assert_eq!(read_text(&with_crlf, None).unwrap().info.digest, whole);
    assert_ne!(read_text(&text, Some(99)).unwrap().info.digest, whole);
    let changed = text.replacen(",0\n", ",1\n", 1);
    assert_eq!(
        read_text(&changed, None).unwrap().info.digest,
        whole,
        "an unused column"
    );
}

#[test]
fn malformed_rows_are_refused_with_line_column_and_what_is_wrong() {
    let good = "time,open,high,low,close,volume\n2024-01-01T00:00Z,10,11,9,10.5,3\n";
    let cases = [
        ("2024-01-01T00:01Z,1O,11,9,10.5,3\n", "candles.csv:3:19: `open` is not a number: \"1O\""),
        ("2024-01-01T00:01Z,10,9,9.5,9.5,3\n", "candles.csv:3:22: `high` 9 is below `low` 9.5"),
        ("2024-01-01T00:01Z,12,11,9,10.5,3\n", "candles.csv:3:19: `open` 12 is outside low..high (9..11)"),
        ("2024-01-01T00:01Z,10,11,9,8,3\n", "candles.csv:3:27: `close` 8 is outside low..high (9..11)"),
        ("2024-01-01T00:01Z,10,11,0,10.5,3\n", "candles.csv:3:25: `low` must be greater than 0, got 0"),
        ("2024-01-01T00:01Z,10,11,9,10.5,-1\n", "candles.csv:3:32: `volume` must not be negative, got -1"),
        ("2023-12-31T23:59Z,10,11,9,10.5,3\n", "candles.csv:3:1: time 2023-12-31T23:59Z goes back in time from line 2: times must increase"),
        ("2024-01-01T00:00Z,10,11,9,10.5,3\n", "candles.csv:3:1: time 2024-01-01T00:00Z repeats the time of line 2: times must increase"),
        ("yesterday,10,11,9,10.5,3\n", "candles.csv:3:1: time \"yesterday\" is neither an ISO 8601 date nor an epoch number"),
        ("2024-01-01T00:01Z,10,11,9,10.5\n", "candles.csv:3:31: expected 6 columns, found 5"),
        ("2024-01-01T00:01Z,10,11,9,nan,3\n", "candles.csv:3:27: `close` is not a number: \"nan\""),
    ];
    for (row, want) in cases {
        assert_eq!(error(&format!("{good}{row}")), want, "{row}");
    }
}

#[test]
fn malformed_files_are_refused_with_where_and_why() {
    assert_eq!(error(""), "candles.csv: the file is empty: no candles");
    assert_eq!(
        error("time,open,high,low,close,volume\n"),
        "candles.csv: no candles after the header"
    );
    let err = error("time,open,high,low,close\n2024-01-01,1,1,1,1\n");
    assert!(
        err.starts_with("candles.csv:1:1: the header names no `volume` column"),
        "{err}"
    );
    let err = error("1704067200000,1,1,1,1,1\n");
    assert!(
        err.starts_with("candles.csv:1:1: a first row without a header reads as a Binance"),
        "{err}"
    );
    let err = error(&format!(
        "{FUTURES_HEADER}17040672000,1,1,1,1,1,1,1,1,1,1,0\n"
    ));
    assert_eq!(
        err,
        "candles.csv:2:1: open time 17040672000 is neither in milliseconds nor in microseconds"
    );
    let (_dir, path) = write("binary.csv", "time,open,high,low,close,volume\n");
    let mut bytes = std::fs::read(&path).unwrap();
    bytes.extend_from_slice(b"\xff\xfe\n");
    std::fs::write(&path, bytes).unwrap();
    let err = read(&path, None).unwrap_err();
    assert_eq!(err.location(), Some((2, 1)), "{err}");
    let missing = read(std::path::Path::new("no/such.csv"), None).unwrap_err();
    assert!(
        missing.to_string().starts_with("no/such.csv: cannot read"),
        "{missing}"
    );
}

#[test]
fn the_fingerprint_on_recorded_candles_is_the_same_on_every_run_and_batch_size() {
    let loaded = read_text(&binance(&candles(20_000), 1000), None).unwrap();
    let run = |batch_size| {
        let settings = EngineSettings {
            batch_size,
            ..EngineSettings::default()
        };
        Engine::new(settings).run(&loaded.series, None).unwrap()
    };
    let reference = run(4096);
    assert!(
        reference.trades > 0,
        "the strategy trades on this data: {reference:?}"
    );
    for batch_size in [1, 7, 1000, 4096, 50_000] {
        assert_eq!(run(batch_size), reference, "batch size {batch_size}");
    }
    let again = read_text(&binance(&candles(20_000), 1), None).unwrap();
    let outcome = Engine::new(EngineSettings::default())
        .run(&again.series, None)
        .unwrap();
    assert_eq!(outcome, reference, "another read of the same candles");
}
