//! Result files for the history tests: copies of one real bench.json (from `perfsuite run` on a
//! tiny scenario) with the commit, time and throughput rewritten, so they pass the same checks
//! as any result.

use std::sync::OnceLock;

use serde_json::{json, Value};

use super::Workspace;

/// A real bench.json, measured once per test binary.
pub fn template() -> &'static Value {
    static TEMPLATE: OnceLock<Value> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let ws = Workspace::new();
        ws.tiny_scenario("tiny", 2_000, "repeats = 3\nwarmup = 0");
        ws.perfsuite(["run", "scenarios", "--out", "out", "--quiet"])
            .assert()
            .success();
        ws.json("out/tiny/bench.json")
    })
}

/// Writes `<dir>/<scenario>/bench.json`: run `i` (its time `i` seconds into the day) of
/// `commit` on `main`, with throughput samples around `value`.
pub fn write_result(ws: &Workspace, dir: &str, scenario: &str, i: usize, commit: &str, value: f64) {
    let mut v = template().clone();
    let samples = [value * 0.995, value, value * 1.004];
    v["scenario"] = json!(scenario);
    v["started_at"] = json!(format!(
        "2024-01-01T{:02}:{:02}:{:02}Z",
        i / 3600,
        i / 60 % 60,
        i % 60
    ));
    v["environment"]["git_commit"] = json!(commit);
    v["environment"]["git_branch"] = json!("main");
    v["repeats"] = json!(3);
    v["candles_per_sec"] = json!({
        "min": samples[0],
        "median": samples[1],
        "p95": samples[1] + (samples[2] - samples[1]) * 0.9,
        "mean": (samples[0] + samples[1] + samples[2]) / 3.0,
        "stddev": value * 0.0045,
        "samples": samples,
    });
    ws.write(
        &format!("{dir}/{scenario}/bench.json"),
        serde_json::to_vec_pretty(&v).unwrap(),
    );
}

/// A 40-character commit id that starts with `prefix`.
pub fn commit(prefix: &str) -> String {
    format!("{prefix:0<40}")
}
