//! The A/A check: this very build against itself, through `perfsuite ab`, five times, must never
//! report a regression with the default thresholds. Alone in its test binary, so no sibling test
//! loads the machine while it measures.

mod common;

use common::{stderr, Workspace};
use serde_json::Value;

/// Under "no change" a rank test still errs at its significance level, so the A/A runs use ten
/// independent samples a side and runs long enough (50k candles) that a 5 % shift of the median
/// is itself rare noise: both must fail together for a false alarm.
#[test]
fn five_a_a_runs_of_this_very_binary_never_report_a_regression() {
    let ws = Workspace::new();
    ws.tiny_scenario("aa", 50_000, "repeats = 10");
    for round in 1..=5 {
        let output = ws
            .perfsuite([
                "ab",
                "--base",
                env!("CARGO_BIN_EXE_perfsuite"),
                "--format",
                "json",
                "--strict",
            ])
            .args(["--out", &format!("ab-{round}")])
            .output()
            .unwrap();
        let comparison: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
            panic!(
                "round {round}: no comparison JSON ({e}); stderr: {}",
                stderr(&output)
            )
        });
        let outcome = comparison["scenarios"][0]["outcome"]
            .as_str()
            .unwrap_or("none");
        assert!(
            !matches!(outcome, "regressed-warn" | "regressed-fail"),
            "round {round}: A/A called a regression: {comparison:#}"
        );
        assert_eq!(
            output.status.code(),
            Some(0),
            "round {round} under --strict: {comparison:#}"
        );
        // The rounds are pairs, and judged as such.
        let bench = ws.json(&format!("ab-{round}/head/aa/bench.json"));
        assert_eq!(bench["sampling"]["paired"], true, "{bench:#}");
        assert_eq!(
            comparison["scenarios"][0]["metrics"][0]["noise"]["method"], "signed-rank-test",
            "{comparison:#}"
        );
    }
}
