//! Inputs that made perfsuite panic, abort or compute a silently wrong value, found by the audit
//! of every `unwrap`, `expect`, index, cast and sum on user-controlled values (see
//! docs/guarantees.md, "No panic on input"). Each test failed on the code before its fix.

mod common;

use common::{finish, Fixture, Outcome};

/// `perfsuite ARGS` in `f` under `ulimit -v` of 512 MiB, as a machine with little memory.
fn under_512_mib(f: &Fixture, args: &str) -> Outcome {
    finish(
        std::process::Command::new("sh")
            .args([
                "-c",
                &format!("ulimit -v 524288 && exec \"$0\" {args}"),
                env!("CARGO_BIN_EXE_perfsuite"),
            ])
            .current_dir(f.root())
            .env_remove(perfsuite::commands::bench::MEMORY_LIMIT_VAR)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap(),
    )
}

/// A generic candle CSV of `rows` valid rows, one a minute.
fn candles_csv(rows: usize) -> String {
    let mut text = String::from("time,open,high,low,close,volume\n");
    for i in 0..rows {
        text.push_str(&format!("{},100,101,99,100.5,3\n", 1_704_067_200 + 60 * i));
    }
    text
}

#[test]
fn a_decimal_time_too_large_for_milliseconds_is_refused_naming_its_line_not_a_panic() {
    // `-1e25` seconds saturated to i64::MIN milliseconds, and the engine's step back from the
    // first candle's time overflowed (a panic in a debug build, a wrong error in a release one).
    let f = Fixture::new(&[(
        "c.csv",
        "time,open,high,low,close,volume\n-1e25,100,101,99,100,1\n60,100,101,99,100,1\n",
    )]);
    let outcome = f.run(&[
        "bench",
        "--data",
        "c.csv",
        "--repeats",
        "1",
        "--warmup",
        "0",
    ]);
    assert_eq!(outcome.code(), 2, "{}", outcome.stderr);
    assert!(
        outcome.stderr.contains("c.csv:2:1") && outcome.stderr.contains("-1e25"),
        "{}",
        outcome.stderr
    );
}

#[test]
fn a_sparse_data_file_whose_size_lies_does_not_abort_a_small_machine() {
    // The columns were reserved from the file's reported size: 2 GiB each for a 1 TB sparse
    // file, which `ulimit -v` refuses with an abort before the second line is read.
    let f = Fixture::new(&[("c.csv", "time,open,high,low,close,volume\n")]);
    let file = std::fs::OpenOptions::new()
        .append(true)
        .open(f.path("c.csv"))
        .unwrap();
    file.set_len(1 << 40).unwrap();
    let outcome = under_512_mib(&f, "bench --data c.csv --repeats 1 --warmup 0");
    assert_eq!(outcome.code(), 2, "{}", outcome.stderr);
    assert!(
        outcome.stderr.contains("c.csv:2:1") && outcome.stderr.contains("not a candle file"),
        "{}",
        outcome.stderr
    );
}

#[test]
fn a_batch_size_far_above_the_candles_allocates_for_the_candles_only() {
    // The memory check counts min(batch_size, candles) scratch slots, but the engine allocated
    // batch_size of them: 1e8 slots (7 GiB) for 1,000 candles, an abort under `ulimit -v`.
    let f = Fixture::new(&[]);
    let outcome = under_512_mib(
        &f,
        "bench --candles 1000 --repeats 1 --warmup 0 --engine-json '{\"batch_size\":100000000}'",
    );
    assert_eq!(outcome.code(), 0, "{}", outcome.stderr);
    let m: serde_json::Value = serde_json::from_str(&outcome.stdout).unwrap();
    assert_eq!(m["engine"]["batch_size"], 100_000_000, "recorded as asked");
    assert_eq!(m["candles"], 1000);
}

#[test]
fn timing_more_batches_of_a_data_file_than_memory_holds_is_exit_3_not_an_abort() {
    // A data file's rows are not in the up-front memory check: 10,000 rows in batches of one,
    // 10,000 repeats, is 10^8 batch times a stage (800 MB each), which aborted the process.
    let f = Fixture::new(&[]);
    f.write("c.csv", candles_csv(10_000));
    let outcome = under_512_mib(
        &f,
        "bench --data c.csv --repeats 10000 --warmup 0 --engine-json '{\"batch_size\":1}'",
    );
    assert_eq!(outcome.code(), 3, "{}", outcome.stderr);
    assert!(
        outcome.stderr.contains("100000000 batches")
            && outcome.stderr.contains("cannot be allocated"),
        "{}",
        outcome.stderr
    );
}

#[test]
fn a_base_that_prints_a_negative_throughput_is_an_error_row_and_nothing_is_made_of_it() {
    // A child's measurement was used as printed: `ab` wrote OUT/base/a/bench.json with a
    // throughput of -5, which `compare` itself then refuses, and judged the scenario on it.
    let f = Fixture::new(&[("s/a.toml", &common::tiny("a", "BTCUSDT", ""))]);
    let exe = env!("CARGO_BIN_EXE_perfsuite");
    let valid = f.run(&[
        "bench",
        "--candles",
        "3000",
        "--repeats",
        "1",
        "--warmup",
        "0",
    ]);
    assert_eq!(valid.code(), 0, "{}", valid.stderr);
    let mut hostile: serde_json::Value = serde_json::from_str(&valid.stdout).unwrap();
    for key in ["min", "median", "p95", "mean"] {
        hostile["candles_per_sec"][key] = (-5.0).into();
    }
    hostile["candles_per_sec"]["samples"] = serde_json::json!([-5.0]);
    f.write("hostile.json", hostile.to_string());
    // The probe gets a real measurement; every later run gets the hostile one.
    let base = f.write_script(
        "base.sh",
        &format!(
            "case \"$*\" in *PROBE*) exec '{exe}' \"$@\" ;; esac\ncat '{}'",
            f.path("hostile.json").display()
        ),
    );
    let outcome = f.run(&["ab", "--base", &base, "s", "--out", "out", "-q", "--strict"]);
    assert_eq!(outcome.code(), 3, "{}", outcome.stderr);
    assert!(
        outcome
            .stderr
            .contains("`candles_per_sec.samples[0]` must be a positive number, got -5"),
        "{}",
        outcome.stderr
    );
    assert!(!f.path("out/base/a/bench.json").exists(), "{:?}", f.tree());
}
