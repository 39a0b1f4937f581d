//! The summary as Markdown: `summary.md`, ready for `$GITHUB_STEP_SUMMARY`.

use super::headline;
use crate::judge::{metric_label, Verdict};
use crate::output::escape::escaped;
use crate::output::numbers::{fixed, grouped, si};
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
        (
            format!(" {} |", metric_label("instructions_per_candle")),
            "--:|",
        )
    } else {
        (String::new(), "")
    };
    let cps = metric_label("candles_per_sec");
    out.push_str(&format!(
        "| scenario | candles | {cps} judged | {cps} median | {} | {} |{head} verdict | reason |\n",
        metric_label("p95_stage_latency_ms"),
        metric_label("peak_rss_mb"),
    ));
    out.push_str(&format!("|---|--:|--:|--:|--:|--:|{rule}---|---|\n"));
    for row in &summary.scenarios {
        let judged = row.candles_per_sec.map_or_else(
            || "-".to_owned(),
            |v| format!("{} {}", si(v), row.judged_stat),
        );
        let instructions = if counted {
            format!(" {} |", fixed(row.instructions_per_candle, 2))
        } else {
            String::new()
        };
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | {} |{instructions} {} | {} |\n",
            escaped(&row.scenario).replace('`', "'"),
            grouped(row.candles),
            judged,
            row.candles_per_sec_median
                .map_or_else(|| "-".to_owned(), si),
            fixed(row.p95_stage_latency_ms, 3),
            fixed(row.peak_rss_mb, 1),
            badge(row.verdict),
            // Reasons may quote a child's stderr or a summary.json someone else wrote.
            escaped(&row.reasons.join("; ")).replace('|', "\\|"),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::summary;

    #[test]
    fn reasons_from_inputs_are_shown_escaped_in_one_line() {
        let mut s = summary();
        s.scenarios[0].reasons = vec!["boom\u{1b}[2J\n::error::x|y".into()];
        let text = super::render(&s);
        assert!(!text.contains('\u{1b}'), "{text}");
        assert!(
            text.contains("| boom\\u{1b}[2J\\n::error::x\\|y |"),
            "{text}"
        );
    }

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
            text.contains("| peak RSS MiB | instructions/candle | verdict |"),
            "{text}"
        );
        assert!(text.contains("| 204.84 | ✅ pass |"), "{text}");
        assert!(
            text.contains("| - | ❌ fail |"),
            "uncounted rows show a dash: {text}"
        );
    }
}
