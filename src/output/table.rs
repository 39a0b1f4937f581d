//! The one table style of perfsuite's terminal output: horizontal rules, columns as wide as their
//! content, fitted to the terminal's width, never breaking a word, verdicts in colour.
//!
//! Colour is always rendered here; whether it reaches the screen is decided once, where stdout is
//! written ([`super::print_stdout`] strips it under `NO_COLOR`, `--color never` or a pipe).

use std::io::IsTerminal;

use comfy_table::{
    presets, Cell, CellAlignment, Color, ColumnConstraint, ContentArrangement, Table,
    TableComponent, Width,
};

/// Width tables are laid out for when stdout is not a terminal and `COLUMNS` is unset: wide
/// enough for every table perfsuite prints, narrow enough for a CI log.
pub const PIPED_WIDTH: usize = 100;

/// The narrowest width honoured; below it a table would be all wrapping.
const MIN_WIDTH: usize = 40;

/// The width to lay tables out for: `COLUMNS` when set (as `ls` and most tools read it), else
/// the terminal's, else [`PIPED_WIDTH`].
pub fn width() -> usize {
    let columns = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse().ok());
    columns
        .or_else(terminal_width)
        .unwrap_or(PIPED_WIDTH)
        .max(MIN_WIDTH)
}

/// The width of the terminal on stdout, if stdout is one.
fn terminal_width() -> Option<usize> {
    if !std::io::stdout().is_terminal() {
        return None;
    }
    // SAFETY: TIOCGWINSZ only writes a `winsize` into the struct it is given.
    let mut size: libc::winsize = unsafe { std::mem::zeroed() };
    let ok = unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut size) } == 0;
    (ok && size.ws_col > 0).then_some(usize::from(size.ws_col))
}

/// How a verdict reads at a glance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// Nothing to look at: pass, unchanged.
    Plain,
    /// Better: improved.
    Good,
    /// Look at it: warn, regressed-warn, inconclusive.
    Warning,
    /// Act on it: fail, regressed-fail, error.
    Bad,
}

/// An empty table in perfsuite's style, laid out for `width` columns.
pub fn new_table(width: usize) -> Table {
    let mut table = Table::new();
    table
        .load_preset(presets::UTF8_HORIZONTAL_ONLY)
        .remove_style(TableComponent::HorizontalLines)
        .remove_style(TableComponent::MiddleIntersections)
        .remove_style(TableComponent::LeftBorderIntersections)
        .remove_style(TableComponent::RightBorderIntersections)
        .force_no_tty()
        .enforce_styling()
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(u16::try_from(width).unwrap_or(u16::MAX));
    table.style_text_only();
    table
}

/// A cell holding a verdict, coloured by its tone.
pub fn verdict_cell(text: &str, tone: Tone) -> Cell {
    let cell = Cell::new(text);
    match tone {
        Tone::Plain => cell,
        Tone::Good => cell.fg(Color::Green),
        Tone::Warning => cell.fg(Color::Yellow),
        Tone::Bad => cell.fg(Color::Red),
    }
}

/// A right-aligned cell, for numbers.
pub fn number_cell(text: impl ToString) -> Cell {
    Cell::new(text).set_alignment(CellAlignment::Right)
}

/// Renders a filled table: one blank between columns, no trailing blanks, and no column
/// narrower than its longest word, so a word is never broken (the table grows past its width
/// instead, which a terminal shows whole).
pub fn finish_table(mut table: Table) -> String {
    let longest: Vec<usize> = (0..table.column_count())
        .map(|i| {
            table
                .column_cells_with_header_iter(i)
                .flatten()
                .flat_map(|cell| {
                    cell.content()
                        .split_whitespace()
                        .map(|w| w.chars().count())
                        .collect::<Vec<_>>()
                })
                .max()
                .unwrap_or(0)
        })
        .collect();
    for (column, longest) in table.column_iter_mut().zip(longest) {
        column.set_padding((0, 1));
        // The boundary counts the padding too.
        let least = u16::try_from(longest + 1).unwrap_or(u16::MAX);
        column.set_constraint(ColumnConstraint::LowerBoundary(Width::Fixed(least)));
    }
    table
        .lines()
        .map(|l| format!("{}\n", l.trim_end()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        let plain = anstream::adapter::strip_str(text).to_string();
        plain
            .split(|c: char| c.is_whitespace() || c == '─')
            .filter(|w| !w.is_empty())
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn a_narrow_table_wraps_at_spaces_and_never_breaks_a_word() {
        let mut table = new_table(40);
        table.set_header(["scenario", "verdict"]);
        table.add_row(vec![
            Cell::new("runbook-default"),
            verdict_cell("regressed-fail p95 stage ms 61 > ceiling 50", Tone::Bad),
        ]);
        let text = finish_table(table);
        let found = words(&text);
        for word in ["runbook-default", "regressed-fail", "ceiling", "scenario"] {
            assert!(found.iter().any(|w| w == word), "{word} broken in:\n{text}");
        }
    }

    #[test]
    fn a_wide_table_keeps_each_row_on_one_line() {
        let mut table = new_table(200);
        table.set_header(["scenario", "verdict"]);
        table.add_row([
            "runbook-default",
            "fail min 812 < floor 833 and more words here",
        ]);
        let text = finish_table(table);
        assert_eq!(text.lines().count(), 5, "{text}");
    }

    #[test]
    fn verdicts_are_coloured_by_tone_and_plain_ones_are_not() {
        let mut table = new_table(80);
        table.add_row(vec![
            verdict_cell("fail", Tone::Bad),
            verdict_cell("pass", Tone::Plain),
        ]);
        let text = finish_table(table);
        assert!(text.contains("\u{1b}[38;5;9mfail\u{1b}[39m"), "{text:?}");
        assert!(!text.contains("\u{1b}[38;5;9mpass"), "{text:?}");
    }
}
