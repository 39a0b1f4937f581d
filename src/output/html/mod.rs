//! `perfsuite report`: the history as one self-contained HTML page. No script, no network:
//! inline SVG charts (see [`chart`]) with titles and descriptions for screen readers, and the
//! numbers behind every chart in a table.

pub mod chart;

use std::fmt::Write;

use crate::history::series::ScenarioHistory;
use crate::history::{metric, METRICS};
use crate::judge::{number, Check};
use crate::trend::{render, SeriesTrend, Status, FINGERPRINT};

use chart::{BudgetLine, Chart};

/// The page's style: readable in light and dark mode, charts scaled to the window.
const STYLE: &str = "body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1b1f24;background:#fff}\
main{max-width:980px;margin:0 auto;padding:1rem 1.5rem 3rem}\
h1{font-size:1.6rem}h2{margin-top:2.5rem;border-bottom:1px solid #d0d7de}\
table{border-collapse:collapse;margin:.5rem 0 1rem}th,td{padding:.2rem .6rem;border-bottom:1px solid #e5e8eb;text-align:left}\
td.num{text-align:right;font-variant-numeric:tabular-nums}caption{text-align:left;font-weight:600;padding:.3rem 0}\
figure{margin:1rem 0}svg.trend{max-width:100%;height:auto;font:11px system-ui,sans-serif}\
svg .plot{fill:#fafbfc;stroke:#d0d7de}svg .spread{fill:#4a90d9;fill-opacity:.22}\
svg .line{fill:none;stroke:#1f6feb;stroke-width:1.5}svg .level{stroke:#57606a;stroke-width:2;stroke-dasharray:6 3}\
svg .budget line{stroke:#cf222e;stroke-dasharray:4 3}svg .budget.warn line{stroke:#bf8700}\
svg .budget text{fill:#cf222e}svg .budget.warn text{fill:#9a6700}\
svg .change-point line{stroke:#8250df;stroke-width:1.5}svg .change-point.pending line{stroke-dasharray:3 3}\
svg .change-point text{fill:#8250df}svg .axis text{fill:#57606a}\
.regression{color:#cf222e}.improvement{color:#1a7f37}.fail{color:#cf222e;font-weight:600}.warn{color:#9a6700}\
@media (prefers-color-scheme:dark){body{background:#0d1117;color:#e6edf3}svg .plot{fill:#161b22;stroke:#30363d}\
th,td{border-color:#30363d}svg .axis text{fill:#8b949e}}";

/// The whole page. `latest[i]` holds the budget checks of `histories[i]`'s latest run.
pub fn page(
    histories: &[ScenarioHistory],
    trends: &[SeriesTrend],
    latest: &[Vec<Check>],
) -> String {
    let mut s = String::with_capacity(64 * 1024);
    let _ = write!(
        s,
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>perfsuite report</title><style>{STYLE}</style></head><body><main><h1>perfsuite report</h1><p>{} scenario{}, {}. Each chart shows a metric over the recorded runs, oldest first; change points are marked with the first commit after the change.</p>"#,
        histories.len(),
        if histories.len() == 1 { "" } else { "s" },
        escape(&render::headline(trends)),
    );
    summary_table(&mut s, histories, trends);
    for (i, h) in histories.iter().enumerate() {
        scenario_section(&mut s, i, h, trends, &latest[i]);
    }
    s.push_str("</main></body></html>\n");
    s
}

/// The table of every scenario's latest run, linking to its section.
fn summary_table(s: &mut String, histories: &[ScenarioHistory], trends: &[SeriesTrend]) {
    s.push_str(r#"<table class="latest-summary"><caption>Latest run of each scenario</caption><thead><tr><th scope="col">scenario</th><th scope="col">runs</th><th scope="col">latest commit</th><th scope="col">measured</th><th scope="col">verdict</th><th scope="col">change points</th></tr></thead><tbody>"#);
    for (i, h) in histories.iter().enumerate() {
        let run = h.runs.last().expect("a scenario in the history has a run");
        let (confirmed, pending) = trends
            .iter()
            .filter(|t| t.scenario == h.scenario)
            .flat_map(|t| &t.change_points)
            .fold((0, 0), |(c, p), cp| match cp.status {
                Status::Change => (c + 1, p),
                Status::Pending => (c, p + 1),
            });
        let _ = write!(
            s,
            r##"<tr><th scope="row"><a href="#s{i}">{name}</a></th><td class="num">{runs}</td><td><code>{commit}</code></td><td>{at}</td><td class="{verdict}">{verdict}</td><td class="num">{confirmed}{pending}</td></tr>"##,
            name = escape(&h.scenario),
            runs = h.runs.len(),
            commit = escape(&short(run.commit.as_deref())),
            at = escape(&run.started_at),
            verdict = escape(&run.verdict),
            pending = if pending > 0 {
                format!(" (+{pending} pending)")
            } else {
                String::new()
            },
        );
    }
    s.push_str("</tbody></table>");
}

/// One scenario: a chart per judged metric, the fingerprint's changes, the latest run's table.
fn scenario_section(
    s: &mut String,
    i: usize,
    h: &ScenarioHistory,
    trends: &[SeriesTrend],
    checks: &[Check],
) {
    let commits: Vec<String> = h.runs.iter().map(|r| short(r.commit.as_deref())).collect();
    let _ = write!(
        s,
        r#"<section class="scenario" id="s{i}" aria-labelledby="s{i}-h" data-scenario="{name}"><h2 id="s{i}-h">{name}</h2>"#,
        name = escape(&h.scenario)
    );
    let find = |m: &str| {
        trends
            .iter()
            .find(|t| t.scenario == h.scenario && t.metric == m)
    };
    for (k, info) in charted(h, checks).into_iter().enumerate() {
        let (Some(points), Some(trend)) = (h.metrics.get(info.name), find(info.name)) else {
            continue;
        };
        // cannot panic: series::load gives each point the index of a run.
        let points_commits = points.iter().map(|p| commits[p.run].clone()).collect();
        let budget = budget_lines(checks, info.name);
        let chart = Chart {
            id: format!("s{i}m{k}"),
            title: format!("{}: {}", h.scenario, info.name),
            unit: info.unit,
            points,
            commits: points_commits,
            change_points: &trend.change_points,
            budget: budget.clone(),
        };
        let _ = write!(
            s,
            r#"<figure class="chart" data-metric="{m}">{svg}<figcaption>{m}{what}{limits}</figcaption>"#,
            m = info.name,
            svg = chart.svg(),
            what = if points.iter().any(|p| p.low.is_some()) {
                ": the median of each run's samples; the band spans the slowest to the fastest sample; dashed: the level between change points."
            } else {
                ": one value per run; dashed: the level between change points."
            },
            limits = if budget.is_empty() {
                String::new()
            } else {
                format!(
                    " Budget: {}.",
                    budget
                        .iter()
                        .map(|b| format!("{} {}", b.kind, number(b.value)))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            },
        );
        data_table(s, &chart, trend);
        s.push_str("</figure>");
    }
    if let Some(f) = find(FINGERPRINT) {
        fingerprint(s, f);
    }
    latest_table(s, h, checks);
    s.push_str("</section>");
}

/// The metrics charted for a scenario: throughput always, every metric its budget judges, and
/// the deterministic ones recorded.
fn charted(h: &ScenarioHistory, checks: &[Check]) -> Vec<&'static crate::history::MetricInfo> {
    let judged = |name: &str| {
        checks.iter().any(|c| {
            c.metric.split('.').next() == Some(name)
                && (c.floor.is_some() || c.ceiling.is_some() || c.warn.is_some())
        })
    };
    METRICS
        .iter()
        .filter(|m| h.metrics.contains_key(m.name))
        .filter(|m| m.name == "candles_per_sec" || m.exact || judged(m.name))
        .collect()
}

/// The budget's limits on `metric` in the latest run's checks.
fn budget_lines(checks: &[Check], metric: &str) -> Vec<BudgetLine> {
    checks
        .iter()
        .filter(|c| c.metric.split('.').next() == Some(metric))
        .flat_map(|c| {
            [("floor", c.floor), ("ceiling", c.ceiling), ("warn", c.warn)]
                .into_iter()
                .filter_map(|(kind, v)| v.map(|value| BudgetLine { kind, value }))
        })
        .collect()
}

/// The numbers behind a chart: its levels and change points.
fn data_table(s: &mut String, chart: &Chart, trend: &SeriesTrend) {
    let _ = write!(
        s,
        r#"<details><summary>Data behind the chart</summary><table><caption>{title}: {desc}</caption><thead><tr><th scope="col">commits</th><th scope="col">before</th><th scope="col">after</th><th scope="col">change</th><th scope="col">p-value</th><th scope="col">status</th></tr></thead><tbody>"#,
        title = escape(&chart.title),
        desc = escape(&chart.description()),
    );
    for c in &trend.change_points {
        change_row(s, c);
    }
    if trend.change_points.is_empty() {
        s.push_str(r#"<tr><td colspan="6">No change points.</td></tr>"#);
    }
    s.push_str("</tbody></table></details>");
}

/// One change point as a table row.
fn change_row(s: &mut String, c: &crate::trend::ChangePoint) {
    let status = render::status(c);
    let class = status.rsplit(' ').next().unwrap_or_default();
    let _ = write!(
        s,
        r#"<tr class="change-point-row"><td><code>{commits}</code></td><td class="num">{before}</td><td class="num">{after}</td><td class="num">{change}</td><td class="num">{p}</td><td class="{class}">{status}</td></tr>"#,
        commits = escape(&render::commits(c)),
        before = escape(&render::level(&c.before)),
        after = escape(&render::level(&c.after)),
        change = c.change_pct.map_or("-".into(), |p| format!("{p:+.1}%")),
        p = c.p_value.map_or("exact".into(), |p| format!("{p:.1e}")),
    );
}

/// The fingerprint's changes: each one means the backtest's results differ.
fn fingerprint(s: &mut String, f: &SeriesTrend) {
    if f.change_points.is_empty() {
        let _ = write!(
            s,
            "<p>Fingerprint <code>{}</code> unchanged over {} runs.</p>",
            escape(&render::level(&f.latest)),
            f.points
        );
        return;
    }
    s.push_str(r#"<table class="fingerprint"><caption>Fingerprint changes: the backtest's results differ</caption><thead><tr><th scope="col">commits</th><th scope="col">before</th><th scope="col">after</th><th scope="col">change</th><th scope="col">p-value</th><th scope="col">status</th></tr></thead><tbody>"#);
    for c in &f.change_points {
        change_row(s, c);
    }
    s.push_str("</tbody></table>");
}

/// The latest run's budget checks.
fn latest_table(s: &mut String, h: &ScenarioHistory, checks: &[Check]) {
    let run = h.runs.last().expect("a scenario in the history has a run");
    let _ = write!(
        s,
        r#"<table class="latest"><caption>Latest run: commit <code>{commit}</code>, {at}, {profile} build</caption><thead><tr><th scope="col">metric</th><th scope="col">value</th><th scope="col">warn</th><th scope="col">limit</th><th scope="col">verdict</th></tr></thead><tbody>"#,
        commit = escape(&short(run.commit.as_deref())),
        at = escape(&run.started_at),
        profile = escape(&run.build_profile),
    );
    let value = |v: Option<f64>| v.map_or("-".into(), number);
    for c in checks {
        let unit = c
            .metric
            .split('.')
            .next()
            .and_then(metric)
            .map_or("", |m| m.unit);
        let _ = write!(
            s,
            r#"<tr><th scope="row">{m}</th><td class="num">{v} {unit}</td><td class="num">{w}</td><td class="num">{l}</td><td class="{verdict}">{verdict}</td></tr>"#,
            m = escape(&c.metric),
            v = value(c.value),
            w = value(c.warn),
            l = value(c.floor.or(c.ceiling)),
            verdict = c.verdict.name(),
        );
    }
    if checks.is_empty() {
        s.push_str(r#"<tr><td colspan="5">No budget checks recorded.</td></tr>"#);
    }
    s.push_str("</tbody></table>");
}

/// The first 7 characters of a commit, or "?".
fn short(commit: Option<&str>) -> String {
    commit.map_or("?".into(), |c| c.chars().take(7).collect())
}

/// `text` with HTML's special characters escaped, for text and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::history::series::{Point, Run};
    use crate::judge::{LimitKind, Verdict};
    use crate::trend::{analyse, Settings};

    /// `scenarios` histories of `runs` runs each, throughput 10 % lower from the middle on.
    fn histories(scenarios: usize, runs: usize) -> Vec<ScenarioHistory> {
        (0..scenarios)
            .map(|s| {
                let run = |i: usize| Run {
                    id: (s * runs + i) as i64,
                    commit: Some(format!("{i:07x}{}", "0".repeat(33))),
                    branch: Some("main".into()),
                    started_at: format!("2024-01-01T00:00:{:02}Z", i % 60),
                    fingerprint: "9e3779b97f4a7c15".into(),
                    build_profile: "release".into(),
                    verdict: "pass".into(),
                };
                let value = |i: usize| {
                    let level = if i < runs / 2 { 1.0e6 } else { 0.9e6 };
                    level * (1.0 + 0.01 * ((i * 7919 % 13) as f64 - 6.0) / 6.0)
                };
                let cps = (0..runs)
                    .map(|i| Point {
                        run: i,
                        value: value(i),
                        low: Some(value(i) * 0.98),
                        high: Some(value(i) * 1.01),
                    })
                    .collect();
                let p95 = (0..runs)
                    .map(|i| Point {
                        run: i,
                        value: 2.0 + (i % 5) as f64 * 0.01,
                        low: None,
                        high: None,
                    })
                    .collect();
                ScenarioHistory {
                    scenario: format!("scenario-{s}"),
                    runs: (0..runs).map(run).collect(),
                    metrics: BTreeMap::from([
                        ("candles_per_sec".to_owned(), cps),
                        ("p95_stage_latency_ms".to_owned(), p95),
                    ]),
                }
            })
            .collect()
    }

    fn checks() -> Vec<Check> {
        vec![
            Check {
                metric: "candles_per_sec.min".into(),
                kind: LimitKind::Floor,
                value: Some(8.8e5),
                floor: Some(833.0),
                ceiling: None,
                warn: Some(900.0),
                verdict: Verdict::Pass,
                skipped: None,
            },
            Check {
                metric: "p95_stage_latency_ms".into(),
                kind: LimitKind::Ceiling,
                value: Some(2.0),
                floor: None,
                ceiling: Some(50.0),
                warn: Some(40.0),
                verdict: Verdict::Pass,
                skipped: None,
            },
        ]
    }

    #[test]
    fn twenty_scenarios_of_a_thousand_runs_make_a_page_under_one_megabyte() {
        let h = histories(20, 1_000);
        let trends = analyse(&h, &Settings::default());
        let html = page(&h, &trends, &vec![checks(); 20]);
        println!("{} bytes", html.len());
        assert!(html.len() < 1_000_000, "{} bytes", html.len());
        assert_eq!(html.matches(r#"<figure class="chart""#).count(), 40);
        assert_eq!(
            html.matches(r#"<g class="change-point confirmed" data-index="500""#)
                .count(),
            20,
            "each scenario's step is marked where it is"
        );
    }

    #[test]
    fn every_chart_has_a_title_a_description_and_a_table() {
        let h = histories(1, 30);
        let html = page(&h, &analyse(&h, &Settings::default()), &[checks()]);
        for needle in [
            "<title id=",
            "<desc id=",
            r#"role="img" aria-labelledby="#,
            "<summary>Data behind the chart",
        ] {
            assert_eq!(html.matches(needle).count(), 2, "{needle}");
        }
        assert!(
            html.contains("Budget: floor 833, warn 900."),
            "the floor far below is named"
        );
        assert!(html.contains(r#"<g class="budget ceiling">"#) || html.contains("ceiling 50"));
    }

    #[test]
    fn names_are_escaped() {
        assert_eq!(
            escape(r#"<a href="x">&'"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
