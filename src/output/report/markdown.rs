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
    let stat = summary
        .scenarios
        .first()
        .map_or("min", |r| r.judged_stat.as_str());
    let mut out = format!("### perfsuite: {}\n\n", headline(&summary.counts));
    if summary.interrupted {
        out.push_str("> **Interrupted**: not every scenario ran.\n\n");
    }
    // Instructions get a column only in a run that counted them.
    let counted = summary
        .scenarios
        .iter()
        .any(|r| r.instructions_per_candle.is_some());
    let (head, rule) = if counted {
        (" instructions/candle |", "--:|")
    } else {
        ("", "")
    };
    out.push_str(&format!("| scenario | candles | candles/s ({stat}) | candles/s (median) | p95 stage ms | peak RSS MB |{head} verdict | reason |\n"));
    out.push_str(&format!("|---|--:|--:|--:|--:|--:|{rule}---|---|\n"));
    for row in &summary.scenarios {
        let cps = |v: Option<f64>| v.map_or_else(|| "-".to_owned(), si);
        let instructions = if counted {
            format!(" {} |", fixed(row.instructions_per_candle, 2))
        } else {
            String::new()
        };
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | {} |{instructions} {} | {} |\n",
            row.scenario,
            grouped(row.candles),
            cps(row.candles_per_sec),
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

    #[test]
    fn instructions_get_a_column_only_when_counted() {
        let mut s = summary();
        assert!(!super::render(&s).contains("instructions/candle"));
        s.scenarios[0].instructions_per_candle = Some(204.839_337);
        let text = super::render(&s);
        assert!(
            text.contains("| peak RSS MB | instructions/candle | verdict |"),
            "{text}"
        );
        assert!(text.contains("| 204.84 | ✅ pass |"), "{text}");
        assert!(
            text.contains("| - | ❌ fail |"),
            "uncounted rows show a dash: {text}"
        );
    }
}
