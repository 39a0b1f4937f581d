//! The runbook's perf smoke test: 50,000 candles must run at 833 candles/s or more (judged on
//! the minimum) with a p95 stage latency under 50 ms. The floor is very loose on purpose: it
//! catches a catastrophe, not a regression (that is what budgets and `compare` are for).
//!
//! Skipped, saying so, with `PERFSUITE_SKIP_PERF=1` (or the runbook's `WELTKLASSE_SKIP_PERF=1`).

use assert_cmd::Command;

fn skipped() -> bool {
    ["PERFSUITE_SKIP_PERF", "WELTKLASSE_SKIP_PERF"]
        .iter()
        .any(|var| std::env::var(var).is_ok_and(|v| v == "1"))
}

#[test]
fn smoke_50k_candles_meet_the_runbook_budget() {
    if skipped() {
        eprintln!("skipped: perf smoke test (PERFSUITE_SKIP_PERF=1)");
        return;
    }
    let out = Command::cargo_bin("perfsuite")
        .unwrap()
        .args([
            "bench",
            "--candles",
            "50000",
            "--seed",
            "1337",
            "--repeats",
            "2",
            "--symbol",
            "BTCUSDT",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let min = json["candles_per_sec"]["min"].as_f64().unwrap();
    assert!(min >= 833.0, "candles_per_sec.min = {min} < 833");
    if let Some(latency) = json["p95_stage_latency_ms"].as_f64() {
        assert!(latency < 50.0, "p95_stage_latency_ms = {latency} >= 50");
    }
}
