//! Scenarios with `data = "FILE"`: recorded candles read from a CSV file, the file's candles in
//! the config digest, errors at file:line:column.

mod common;

use std::fmt::Write;

use common::{stderr, Workspace};

/// `n` Binance spot kline rows (no header, open time in µs), a gentle zigzag with volume.
fn binance_rows(n: usize, start_price: f64) -> String {
    let mut text = String::new();
    let mut price = start_price;
    for i in 0..n {
        let t = 1_735_689_600_000_000i64 + i as i64 * 60_000_000;
        let step = if (i / 37) % 2 == 0 { 1.003 } else { 0.997 };
        let (o, c) = (price, price * step);
        let (h, l) = (o.max(c) * 1.001, o.min(c) * 0.999);
        writeln!(
            text,
            "{t},{o},{h},{l},{c},{},{},1,10,1,1,0",
            1 + i % 5,
            t + 59_999_999
        )
        .unwrap();
        price = c;
    }
    text
}

#[test]
fn a_data_scenario_backtests_every_row_or_the_first_n_and_records_the_file() {
    let ws = Workspace::new();
    ws.write("data/a.csv", binance_rows(3000, 100.0));
    ws.write("data/b.csv", binance_rows(3000, 200.0));
    ws.write(
        "scenarios/all.toml",
        "data = '../data/a.csv'\nrepeats = 2\n",
    );
    ws.write(
        "scenarios/first.toml",
        "data = '../data/a.csv'\ncandles = 1000\nrepeats = 2\n",
    );
    ws.write(
        "scenarios/other.toml",
        "data = '../data/b.csv'\nrepeats = 2\n",
    );
    ws.write(
        "scenarios/batched.toml",
        "data = '../data/a.csv'\nrepeats = 2\n[engine]\nbatch_size = 7\n",
    );
    let run = ws.perfsuite(["run"]).output().unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let bench = |name: &str| ws.json(&format!("perf-results/{name}/bench.json"));
    let all = bench("all");
    assert_eq!(all["candles"], 3000);
    assert_eq!(all["data"]["rows"], 3000);
    assert_eq!(all["data"]["format"], "binance");
    assert!(all["data"]["rows_per_sec"].as_f64().unwrap() > 0.0);
    assert!(
        all["fingerprint"]["trades"].as_u64().unwrap() > 0,
        "{}",
        all["fingerprint"]
    );
    assert_eq!(bench("first")["candles"], 1000);
    assert_ne!(bench("first")["config_digest"], all["config_digest"]);
    assert_ne!(
        bench("other")["config_digest"],
        all["config_digest"],
        "other candles, other work"
    );
    assert_eq!(
        bench("batched")["fingerprint"],
        all["fingerprint"],
        "the batch size never changes the results"
    );
    let list = ws.perfsuite(["list"]).output().unwrap();
    assert!(common::stdout(&list).contains("all rows"));
}

#[test]
fn a_missing_data_file_is_exit_2_at_the_key() {
    let ws = Workspace::new();
    ws.write("scenarios/x.toml", "repeats = 1\ndata = 'missing.csv'\n");
    let run = ws.perfsuite(["check"]).output().unwrap();
    assert_eq!(run.status.code(), Some(2));
    let err = stderr(&run);
    assert!(
        err.starts_with("error: scenarios/x.toml:2:8: `data` names scenarios/missing.csv (relative to the scenario's folder), which cannot be read"),
        "{err}"
    );
}

#[test]
fn a_malformed_data_file_is_an_error_row_naming_file_line_and_column() {
    let ws = Workspace::new();
    let mut rows = binance_rows(10, 100.0);
    rows = rows.replacen(",100,", ",1OO,", 1);
    ws.write("scenarios/bad.csv", rows);
    ws.write("scenarios/bad.toml", "data = 'bad.csv'\nrepeats = 1\n");
    let run = ws.perfsuite(["run"]).output().unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let summary = ws.json("perf-results/summary.json");
    let row = &summary["scenarios"][0];
    assert_eq!(row["verdict"], "error");
    let why = row["reasons"][0].as_str().unwrap();
    assert!(
        why.contains("scenarios/bad.csv:1:18: `open` is not a number: \"1OO\""),
        "{why}"
    );
}

#[test]
fn check_reads_every_data_file_and_refuses_a_malformed_row_at_file_line_and_column() {
    let ws = Workspace::new();
    ws.write("scenarios/good.csv", binance_rows(12, 100.0));
    ws.write("scenarios/all.toml", "data = 'good.csv'\nrepeats = 1\n");
    ws.write(
        "scenarios/first.toml",
        "data = 'good.csv'\ncandles = 5\nrepeats = 1\n",
    );
    let check = ws.perfsuite(["check"]).output().unwrap();
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));
    assert!(
        common::stdout(&check).ends_with("are valid; 1 data file read, 12 candles\n"),
        "one file, read once, as far as the scenario that reads most of it: {}",
        common::stdout(&check)
    );
    // A count the file cannot give is refused as run refuses it.
    ws.write(
        "scenarios/first.toml",
        "data = 'good.csv'\ncandles = 13\nrepeats = 1\n",
    );
    let check = ws.perfsuite(["check"]).output().unwrap();
    assert_eq!(check.status.code(), Some(2));
    assert!(
        stderr(&check).contains("has 12 candles, fewer than the 13 that `candles` asks for"),
        "{}",
        stderr(&check)
    );
    // The bad row is the last: check reads the whole file, as run does.
    let mut rows = binance_rows(10, 100.0);
    rows.push_str(
        &binance_rows(11, 100.0)
            .lines()
            .last()
            .unwrap()
            .replacen(',', ",x", 2),
    );
    ws.write("scenarios/good.csv", rows);
    let check = ws.perfsuite(["check"]).output().unwrap();
    assert_eq!(check.status.code(), Some(2));
    let err = stderr(&check);
    assert!(
        err.starts_with("error: scenarios/good.csv:11:") && err.contains("is not a number"),
        "{err}"
    );
    assert!(common::stdout(&check).is_empty());
}

#[test]
fn list_names_each_scenario_s_data_file_and_external_engine_under_the_table() {
    let ws = Workspace::new();
    ws.write("scenarios/rows.csv", binance_rows(10, 100.0));
    ws.write(
        "scenarios/recorded.toml",
        "data = 'rows.csv'\nrepeats = 1\n",
    );
    ws.write("scenarios/generated.toml", "candles = 1000\nrepeats = 1\n");
    ws.write(
        "scenarios/shell.toml",
        "data = 'rows.csv'\nrepeats = 1\n[engine]\ncommand = [\"sh\", \"-c\", \"true\"]\n",
    );
    let list = ws.perfsuite(["list"]).output().unwrap();
    assert_eq!(list.status.code(), Some(0), "{}", stderr(&list));
    let text = common::stdout(&list);
    let under: Vec<&str> = text.lines().filter(|l| l.contains(": ")).collect();
    assert_eq!(
        under,
        [
            "recorded: data scenarios/rows.csv",
            "shell: data scenarios/rows.csv, engine sh -c true"
        ],
        "{text}"
    );
}
