//! The summary as a terminal table, in the one table style of [`crate::output::table`]. The
//! verdict cell carries the reasons, one per line, so only it has to wrap.

use comfy_table::Cell;

use super::headline;
use crate::judge::{metric_label, Verdict};
use crate::output::escape::escaped;
use crate::output::numbers::{count, fixed, si};
use crate::output::table::{finish_table, new_table, number_cell, verdict_cell, Tone};
use crate::results::Summary;

/// How a run's verdict reads at a glance.
pub fn tone(v: Verdict) -> Tone {
    match v {
        Verdict::Pass | Verdict::Skip => Tone::Plain,
        Verdict::Warn => Tone::Warning,
        Verdict::Fail | Verdict::Error => Tone::Bad,
    }
}

/// Renders the summary table, laid out for `width` columns, followed by its headline. Each
/// row's judged statistic is named in its own cell: scenarios may judge different ones.
pub fn render(summary: &Summary, width: usize) -> String {
    let cps = metric_label("candles_per_sec");
    // Instructions get a column only in a run that counted them.
    let counted = summary
        .scenarios
        .iter()
        .any(|r| r.instructions_per_candle.is_some());
    let mut table = new_table(width);
    let mut header = vec![
        "scenario".to_owned(),
        "candles".to_owned(),
        format!("{cps} judged"),
        format!("{cps} median"),
        metric_label("p95_stage_latency_ms").to_owned(),
        metric_label("peak_rss_mb").to_owned(),
    ];
    if counted {
        header.push(metric_label("instructions_per_candle").to_owned());
    }
    header.push("verdict".to_owned());
    table.set_header(header);
    for row in &summary.scenarios {
        let judged = row.candles_per_sec.map_or_else(
            || "-".to_owned(),
            |v| format!("{} {}", si(v), row.judged_stat),
        );
        let median = row
            .candles_per_sec_median
            .map_or_else(|| "-".to_owned(), si);
        // Reasons may quote a child's stderr or a summary.json someone else wrote.
        let verdict = std::iter::once(row.verdict.name().to_owned())
            .chain(row.reasons.iter().map(|r| escaped(r).into_owned()))
            .collect::<Vec<_>>();
        let mut cells = vec![
            Cell::new(escaped(&row.scenario)),
            number_cell(count(row.candles)),
            number_cell(judged),
            number_cell(median),
            number_cell(fixed(row.p95_stage_latency_ms, 3)),
            number_cell(fixed(row.peak_rss_mb, 1)),
        ];
        if counted {
            cells.push(number_cell(fixed(row.instructions_per_candle, 2)));
        }
        cells.push(verdict_cell(&verdict.join("\n"), tone(row.verdict)));
        table.add_row(cells);
    }
    let mut out = finish_table(table);
    out.push_str(&headline(&summary.counts));
    if summary.interrupted {
        out.push_str(" (interrupted: not every scenario ran)");
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::summary;

    #[test]
    fn reasons_from_inputs_are_shown_escaped() {
        let mut s = summary();
        s.scenarios[0].reasons = vec!["boom\u{1b}[2J\n::error::x".into()];
        let table = super::render(&s, 200);
        assert!(!table.contains("\u{1b}[2J"), "{table}");
        assert!(table.contains("boom\\u{1b}[2J\\n::error::x"), "{table}");
    }

    #[test]
    fn table_of_every_verdict() {
        let table = anstream::adapter::strip_str(&super::render(&summary(), 80)).to_string();
        assert!(
            table.lines().all(|l| l.chars().count() <= 80),
            "wider than 80 columns:\n{table}"
        );
        insta::assert_snapshot!(table);
    }
}
