//! The summary as Markdown: `summary.md`, ready for `$GITHUB_STEP_SUMMARY`.

use super::{fixed, grouped, headline, si};
use crate::judge::Verdict;
use crate::results::Summary;

fn badge(v: Verdict) -> &'static str {
    match v {
        Verdict::Pass => "✅ pass",
        Verdict::Warn => "⚠️ warn",
        Verdict::Fail => "❌ fail",
        Verdict::Error => "💥 error",
        Verdict::Skip => "➖ skip",
    }
}

/// Renders a heading, the headline and one table row per scenario.
pub fn render(summary: &Summary) -> String {
    let stat = super::judged_stat(summary);
    let mut out = format!("### perfsuite: {}\n\n", headline(&summary.counts));
    if summary.interrupted {
        out.push_str("> **Interrupted**: not every scenario ran.\n\n");
    }
    out.push_str(&format!("| scenario | candles | candles/s ({stat}) | candles/s (median) | p95 stage ms | peak RSS MB | verdict | reason |\n"));
    out.push_str("|---|--:|--:|--:|--:|--:|---|---|\n");
    for row in &summary.scenarios {
        let cps = |v: Option<f64>| v.map_or_else(|| "-".to_owned(), si);
        let judged = match (stat, row.candles_per_sec) {
            ("judged", Some(v)) => format!("{} {}", si(v), row.judged_stat),
            _ => cps(row.candles_per_sec),
        };
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | {} | {} | {} |\n",
            row.scenario,
            grouped(row.candles),
            judged,
            cps(row.candles_per_sec_median),
            fixed(row.p95_stage_latency_ms, 3),
            fixed(row.peak_rss_mb, 1),
            badge(row.verdict),
            row.reasons.join("; ").replace('|', "\\|"),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::summary;

    #[test]
    fn markdown_of_every_verdict() {
        insta::assert_snapshot!(super::render(&summary()));
    }
}
