//! The summary as a terminal table (comfy-table), readable at 80 columns and when piped.
//! The verdict cell carries the reasons, one per line, so only it has to wrap.

use comfy_table::{presets, Cell, CellAlignment, ColumnConstraint, ContentArrangement, Table};

use super::{count, fixed, headline, si};
use crate::results::Summary;

/// Width used when stdout is not a terminal, so piped output stays readable.
const PIPED_WIDTH: u16 = 80;

/// An empty table in perfsuite's style: horizontal rules only, fitted to the terminal, or to 80
/// columns when piped.
pub fn new_table() -> Table {
    let mut table = Table::new();
    table
        .load_preset(presets::UTF8_HORIZONTAL_ONLY)
        .set_content_arrangement(ContentArrangement::Dynamic);
    if !table.is_tty() {
        table.set_width(PIPED_WIDTH);
    }
    table
}

/// Renders a filled table: every column but the last keeps its content's width (the last
/// wraps), one blank between columns, no trailing blanks.
pub fn finish_table(mut table: Table) -> String {
    let last = table.column_count().saturating_sub(1);
    for (i, column) in table.column_iter_mut().enumerate() {
        column.set_padding((0, 1));
        if i < last {
            column.set_constraint(ColumnConstraint::ContentWidth);
        }
    }
    table
        .to_string()
        .lines()
        .map(|l| format!("{}\n", l.trim_end()))
        .collect()
}

/// Renders the summary table followed by its headline.
pub fn render(summary: &Summary) -> String {
    let stat = super::judged_stat(summary);
    let mut table = new_table();
    table.set_header([
        "scenario",
        "candles",
        &format!("c/s {stat}"),
        "c/s med",
        "p95 ms",
        "RSS MB",
        "verdict",
    ]);
    for row in &summary.scenarios {
        let cps = |v: Option<f64>| v.map_or_else(|| "-".to_owned(), si);
        let judged = match (stat, row.candles_per_sec) {
            ("judged", Some(v)) => format!("{} {}", si(v), row.judged_stat),
            _ => cps(row.candles_per_sec),
        };
        let verdict = std::iter::once(row.verdict.name().to_owned())
            .chain(row.reasons.iter().cloned())
            .collect::<Vec<_>>();
        table.add_row(vec![
            Cell::new(&row.scenario),
            Cell::new(count(row.candles)).set_alignment(CellAlignment::Right),
            Cell::new(judged).set_alignment(CellAlignment::Right),
            Cell::new(cps(row.candles_per_sec_median)).set_alignment(CellAlignment::Right),
            Cell::new(fixed(row.p95_stage_latency_ms, 3)).set_alignment(CellAlignment::Right),
            Cell::new(fixed(row.peak_rss_mb, 1)).set_alignment(CellAlignment::Right),
            Cell::new(verdict.join("\n")),
        ]);
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
    fn table_of_every_verdict() {
        let table = super::render(&summary());
        assert!(
            table.lines().all(|l| l.chars().count() <= 80),
            "wider than 80 columns:\n{table}"
        );
        insta::assert_snapshot!(table);
    }
}
