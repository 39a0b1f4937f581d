//! Rendering a run's summary for people and tools: one file per format. Rendering never
//! measures; it works from a [`Summary`] alone, so it is tested on hand-built results.

mod json;
mod markdown;
mod table;

use crate::judge::Verdict;
use crate::output::Format;
use crate::results::{Counts, Summary};

pub use json::render as json;
pub use markdown::render as markdown;
pub use table::render as table;

/// Renders `summary` in `format` (annotations name no file: see `commands::emit` for that).
pub fn render(summary: &Summary, format: Format) -> String {
    match format {
        Format::Table => table(summary, crate::output::table::width()),
        Format::Markdown => markdown(summary),
        Format::Json => json(summary),
        Format::Github => {
            super::github::render(&super::github::for_summary(summary, &Default::default()))
        }
    }
}

/// "4 scenarios: 3 pass, 1 warn", naming only the verdicts that occurred.
pub fn headline(counts: &Counts) -> String {
    let total = counts.pass + counts.warn + counts.fail + counts.error + counts.skip;
    let parts: Vec<String> = [
        (counts.pass, Verdict::Pass),
        (counts.warn, Verdict::Warn),
        (counts.fail, Verdict::Fail),
        (counts.error, Verdict::Error),
        (counts.skip, Verdict::Skip),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, v)| format!("{n} {}", v.name()))
    .collect();
    let noun = if total == 1 { "scenario" } else { "scenarios" };
    if parts.is_empty() {
        format!("{total} {noun}")
    } else {
        format!("{total} {noun}: {}", parts.join(", "))
    }
}

#[cfg(test)]
pub(crate) mod fixtures {
    use crate::judge::Verdict;
    use crate::results::{Counts, Summary, SummaryRow};

    fn row(
        scenario: &str,
        candles: u64,
        cps: Option<(f64, f64)>,
        latency: Option<f64>,
        verdict: Verdict,
        reasons: &[&str],
    ) -> SummaryRow {
        SummaryRow {
            scenario: scenario.to_owned(),
            candles,
            judged_stat: "min".to_owned(),
            candles_per_sec: cps.map(|c| c.0),
            candles_per_sec_median: cps.map(|c| c.1),
            p95_stage_latency_ms: latency,
            peak_rss_mb: cps.map(|_| 12.5 + candles as f64 * 48e-6),
            instructions_per_candle: None,
            verdict,
            reasons: reasons.iter().map(|r| r.to_string()).collect(),
            bench: cps.map(|_| format!("{scenario}/bench.json")),
        }
    }

    /// A run with every verdict: exact numbers, no live timing.
    pub(crate) fn summary() -> Summary {
        let scenarios = vec![
            row(
                "runbook-smoke",
                50_000,
                Some((48_211_907.0, 51_002_113.5)),
                Some(0.021),
                Verdict::Pass,
                &[],
            ),
            row(
                "eth-200k",
                200_000,
                Some((870.4, 1_020.0)),
                Some(0.033),
                Verdict::Warn,
                &["min 870 < warn 900"],
            ),
            row(
                "btc-5m",
                5_000_000,
                Some((812.0, 990.0)),
                Some(61.2),
                Verdict::Fail,
                &["min 812 < floor 833", "p95 stage ms 61.2 > ceiling 50"],
            ),
            row(
                "huge",
                100_000_000,
                None,
                None,
                Verdict::Error,
                &["timed out after 2 s (timeout_s)"],
            ),
        ];
        Summary {
            schema_version: crate::results::SCHEMA_VERSION,
            started_at: "2026-11-26T12:00:00Z".to_owned(),
            duration_s: 12.5,
            interrupted: false,
            counts: Counts::of(scenarios.iter().map(|r| r.verdict)),
            scenarios,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headline_names_only_what_occurred() {
        assert_eq!(
            headline(&Counts {
                pass: 3,
                warn: 1,
                ..Default::default()
            }),
            "4 scenarios: 3 pass, 1 warn"
        );
        assert_eq!(
            headline(&Counts {
                error: 1,
                ..Default::default()
            }),
            "1 scenario: 1 error"
        );
    }
}
