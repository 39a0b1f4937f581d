//! Rendering a run's summary for people and tools: one file per format. Rendering never
//! measures; it works from a [`Summary`] alone, so it is tested on hand-built results.

mod json;
mod markdown;
pub(crate) mod table;

use crate::judge::Verdict;
use crate::output::Format;
use crate::results::{Counts, Summary};

pub use json::render as json;
pub use markdown::render as markdown;
pub use table::{finish_table, new_table, render as table};

/// Renders `summary` in `format` (annotations name no file: see `commands::emit` for that).
pub fn render(summary: &Summary, format: Format) -> String {
    match format {
        Format::Table => table(summary),
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

/// A rate with an SI suffix: 52.6M, 812.3k, 950.
pub fn si(v: f64) -> String {
    match v.abs() {
        x if x >= 1e9 => format!("{:.2}G", v / 1e9),
        x if x >= 1e6 => format!("{:.1}M", v / 1e6),
        x if x >= 1e4 => format!("{:.1}k", v / 1e3),
        _ => format!("{v:.0}"),
    }
}

/// An integer with thousands separators: 5,000,000.
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// A count as people write it: 50k, 5M, else with separators.
pub fn count(n: u64) -> String {
    match n {
        n if n >= 1_000_000 && n % 1_000_000 == 0 => format!("{}M", n / 1_000_000),
        n if n >= 1_000 && n % 1_000 == 0 => format!("{}k", n / 1_000),
        n => grouped(n),
    }
}

/// A value with `decimals` places, or `-` when absent.
pub fn fixed(v: Option<f64>, decimals: usize) -> String {
    v.map_or_else(|| "-".to_owned(), |v| format!("{v:.decimals$}"))
}

/// The statistic of the judged throughput column: the one every scenario's budget judges, or
/// `judged` when they differ (each value then names its own).
pub fn judged_stat(summary: &Summary) -> &str {
    let mut stats = summary.scenarios.iter().map(|r| r.judged_stat.as_str());
    match stats.next() {
        None => "min",
        Some(first) if stats.all(|s| s == first) => first,
        Some(_) => "judged",
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
            schema_version: 1,
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
    fn numbers_read_well() {
        assert_eq!(grouped(5_000_000), "5,000,000");
        assert_eq!(grouped(50), "50");
        assert_eq!(si(52_618_806.4), "52.6M");
        assert_eq!(si(812.0), "812");
        assert_eq!(si(20_500.0), "20.5k");
        assert_eq!(fixed(None, 2), "-");
        assert_eq!(
            (count(50_000), count(5_000_000), count(1_234_567)),
            ("50k".into(), "5M".into(), "1,234,567".into())
        );
    }

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

    #[test]
    fn mixed_judged_statistics_are_named_per_value() {
        let mut s = fixtures::summary();
        assert_eq!(judged_stat(&s), "min");
        s.scenarios[0].judged_stat = "p95".into();
        assert_eq!(judged_stat(&s), "judged");
        let table = table::render(&s);
        assert!(
            table.contains("c/s judged") && table.contains(" p95"),
            "{table}"
        );
    }
}
