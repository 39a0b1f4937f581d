//! `perfsuite history add|import`, `trend` and `report` from the user's side: the database's
//! migrations, idempotent re-adds, concurrent writers, damaged and foreign files, and the
//! change points found in a recorded history.
//! The results are copies of one real bench.json (see `common::history`).

mod common;

use std::path::Path;
use std::process::Stdio;

use common::history::write_result;
use common::{stderr, stdout, Workspace};
use serde_json::{json, Value};

/// Writes `n` result sets `<prefix>0..n`, set `k` holding scenarios `a` and `b` at time
/// `offset + k`, all at `value`.
fn write_sets(ws: &Workspace, prefix: &str, n: usize, offset: usize) -> Vec<String> {
    (0..n)
        .map(|k| {
            let dir = format!("{prefix}{k}");
            for s in ["a", "b"] {
                write_result(
                    ws,
                    &dir,
                    s,
                    offset + k,
                    &format!("{prefix}{k:038}"),
                    1_000.0,
                );
            }
            dir
        })
        .collect()
}

/// `trend --format json`, parsed.
fn trend(ws: &Workspace) -> Value {
    let out = ws
        .perfsuite(["trend", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    serde_json::from_str(&stdout(&out)).unwrap()
}

/// Points per `(scenario, metric)` of the trend.
fn points(trend: &Value, scenario: &str, metric: &str) -> u64 {
    trend["series"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["scenario"] == scenario && s["metric"] == metric)
        .map_or(0, |s| s["points"].as_u64().unwrap())
}

#[test]
fn an_empty_database_file_is_migrated_and_filled() {
    let ws = Workspace::new();
    ws.write("perf-history.sqlite", "");
    let sets = write_sets(&ws, "r", 3, 0);
    let out = ws
        .perfsuite(
            ["history", "add"]
                .into_iter()
                .chain(sets.iter().map(String::as_str)),
        )
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("6 results added, 0 already recorded"),
        "{}",
        stderr(&out)
    );
    let t = trend(&ws);
    assert_eq!(points(&t, "a", "candles_per_sec"), 3);
    assert_eq!(points(&t, "b", "fingerprint"), 3);
}

#[test]
fn adding_the_same_results_again_changes_nothing() {
    let ws = Workspace::new();
    let sets = write_sets(&ws, "r", 4, 0);
    let add = || {
        ws.perfsuite(
            ["history", "add"]
                .into_iter()
                .chain(sets.iter().map(String::as_str)),
        )
        .output()
        .unwrap()
    };
    assert!(stderr(&add()).contains("8 results added"));
    let before = std::fs::read(ws.join("perf-history.sqlite")).unwrap();
    let again = add();
    assert_eq!(again.status.code(), Some(0));
    assert!(
        stderr(&again).contains("0 results added, 8 already recorded"),
        "{}",
        stderr(&again)
    );
    assert_eq!(points(&trend(&ws), "a", "candles_per_sec"), 4);
    let after = std::fs::read(ws.join("perf-history.sqlite")).unwrap();
    assert_eq!(before.len(), after.len(), "no rows were added");
}

#[test]
fn two_concurrent_history_adds_lose_nothing() {
    let ws = Workspace::new();
    let first = write_sets(&ws, "x", 25, 0);
    let second = write_sets(&ws, "y", 25, 100);
    let spawn = |sets: &[String]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_perfsuite"))
            .current_dir(ws.path())
            .args(["history", "add"])
            .args(sets)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    // Both start on a database that does not exist yet: they race to create it too.
    let (a, b) = (spawn(&first), spawn(&second));
    for child in [a, b] {
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert!(
            stderr(&out).contains("50 results added"),
            "{}",
            stderr(&out)
        );
    }
    let t = trend(&ws);
    assert_eq!(points(&t, "a", "candles_per_sec"), 50);
    assert_eq!(points(&t, "b", "candles_per_sec"), 50);
}

/// A history of `n` runs of scenario `a` in the workspace's default database.
fn recorded(ws: &Workspace, n: usize) {
    let sets = write_sets(ws, "r", n, 0);
    ws.perfsuite(
        ["history", "add"]
            .into_iter()
            .chain(sets.iter().map(String::as_str)),
    )
    .assert()
    .success();
}

#[test]
fn a_truncated_database_exits_2_naming_it_and_is_left_as_it_is() {
    let ws = Workspace::new();
    recorded(&ws, 30);
    let path = ws.join("perf-history.sqlite");
    let bytes = std::fs::read(&path).unwrap();
    assert!(bytes.len() >= 3 * 4096, "several pages: {}", bytes.len());
    std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    for args in [
        vec!["trend"],
        vec!["report", "--out", "r.html"],
        vec!["history", "add", "r0"],
    ] {
        let out = ws.perfsuite(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.contains("perf-history.sqlite") && err.contains("truncated"),
            "{err}"
        );
    }
    assert_eq!(std::fs::read(&path).unwrap(), &bytes[..bytes.len() / 2]);
    assert!(!ws.exists("r.html"));
}

#[test]
fn a_database_that_is_not_a_history_is_refused_untouched() {
    let ws = Workspace::new();
    ws.write("other.sqlite", "");
    // Any SQLite file with tables of its own: here, one perfsuite made, marked as another's.
    recorded(&ws, 1);
    let mut bytes = std::fs::read(ws.join("perf-history.sqlite")).unwrap();
    bytes[68..72].copy_from_slice(&0x1234_5678u32.to_be_bytes()); // application_id
    ws.write("other.sqlite", &bytes);
    let sets = write_sets(&ws, "z", 1, 50);
    let out = ws
        .perfsuite(["history", "add", &sets[0], "--db", "other.sqlite"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("other.sqlite: a SQLite database that is not a perfsuite history"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read(ws.join("other.sqlite")).unwrap(), bytes);
}

#[test]
fn trend_without_a_database_exits_2_and_creates_none() {
    let ws = Workspace::new();
    let out = ws.perfsuite(["trend"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("perf-history.sqlite: no history database here"));
    assert!(!ws.exists("perf-history.sqlite"));
}

#[test]
fn a_bad_bench_json_adds_nothing_and_names_the_file() {
    let ws = Workspace::new();
    let sets = write_sets(&ws, "r", 2, 0);
    ws.write("r1/a/bench.json", "{\"scenario\": ");
    let out = ws
        .perfsuite(["history", "add", &sets[0], &sets[1]])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("bench.json:1:"), "{}", stderr(&out));
    assert!(
        !ws.exists("perf-history.sqlite"),
        "nothing recorded, no file made"
    );
}

#[test]
fn import_finds_every_bench_json_in_downloaded_artifacts() {
    let ws = Workspace::new();
    write_result(
        &ws,
        "artifacts/run-1/bench-report",
        "a",
        1,
        &"1".repeat(40),
        1_000.0,
    );
    write_result(
        &ws,
        "artifacts/run-2/bench-report",
        "a",
        2,
        &"2".repeat(40),
        1_000.0,
    );
    write_result(
        &ws,
        "artifacts/run-2/bench-report",
        "b",
        2,
        &"2".repeat(40),
        1_000.0,
    );
    ws.write("artifacts/run-2/bench-report/summary.json", "{}");
    let out = ws
        .perfsuite(["history", "import", "artifacts", "--db", "h.sqlite"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("3 results added"), "{}", stderr(&out));
}

/// 30 runs of `a` at 1000 candles/s, then 20 at 900 (commit `c30` brings the change), and a
/// fingerprint that changes at run 40.
fn stepped(ws: &Workspace) {
    let mut dirs = Vec::new();
    for i in 0..50 {
        let dir = format!("runs/{i}");
        let value =
            if i < 30 { 1_000.0 } else { 900.0 } * (1.0 + 0.002 * ((i * 7 % 5) as f64 - 2.0));
        write_result(
            ws,
            &dir,
            "a",
            i,
            &format!("c{i:02}{}", "0".repeat(37)),
            value,
        );
        if i >= 40 {
            let path = ws.join(format!("{dir}/a/bench.json"));
            let mut v: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
            v["fingerprint"]["digest"] = json!("00000000deadbeef");
            std::fs::write(&path, serde_json::to_vec(&v).unwrap()).unwrap();
        }
        dirs.push(dir);
    }
    ws.perfsuite(
        ["history", "add"]
            .into_iter()
            .chain(dirs.iter().map(String::as_str)),
    )
    .assert()
    .success();
}

#[test]
fn trend_reports_the_step_with_its_commits_and_the_fingerprint_change() {
    let ws = Workspace::new();
    stepped(&ws);
    let out = ws.perfsuite(["trend"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let table = stdout(&out);
    assert!(table.contains("c290000..c300000"), "{table}");
    assert!(table.contains("regression"), "{table}");
    assert!(table.contains("93441d58 → 00000000"), "{table}");
    assert!(table.lines().all(|l| l.chars().count() <= 80), "{table}");
    let t = trend(&ws);
    let cps = t["series"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["metric"] == "candles_per_sec")
        .unwrap()["change_points"]
        .clone();
    assert_eq!(cps.as_array().unwrap().len(), 1, "{cps}");
    assert_eq!(cps[0]["index"], 30);
    assert_eq!(cps[0]["status"], "change");
    assert!(
        (cps[0]["change_pct"].as_f64().unwrap() + 10.0).abs() < 0.5,
        "{cps}"
    );
}

#[test]
fn report_writes_one_self_contained_page() {
    let ws = Workspace::new();
    stepped(&ws);
    let out = ws
        .perfsuite(["report", "--out", "report.html"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let html = ws.read("report.html");
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert_eq!(
        html.matches(r#"<figure class="chart""#).count(),
        2,
        "throughput and the latency budget"
    );
    assert!(
        html.contains(r#"data-commit="c300000""#),
        "the change point is marked with its commit"
    );
    assert!(
        html.contains("00000000deadbeef"),
        "the fingerprint change is listed"
    );
    for remote in ["http://", "https://", "src=", "<script", "@import", "url("] {
        let uses = html.matches(remote).count()
            - html.matches("xmlns=\"http://www.w3.org/2000/svg\"").count()
                * usize::from(remote == "http://");
        assert_eq!(uses, 0, "`{remote}`: the page needs no network");
    }
    assert!(Path::new(&ws.join("report.html")).metadata().unwrap().len() < 200_000);
}
