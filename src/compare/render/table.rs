//! The comparison as a terminal table, in the one table style of [`crate::output::table`], with
//! the notes a reviewer must see above and below it, all laid out for the terminal's width.

use comfy_table::{Cell, Table};

use super::super::{ChangeVerdict, Comparison};
use super::{
    environment_differences, grouped, headline, metric_label, nondeterministic, pct, value,
    verdict, BEHAVIOUR_CHANGED, DIFFERENT_MACHINES, NONDETERMINISTIC, NOT_COMPARED,
};
use crate::output::escape::one_line;
use crate::output::table::{finish_table, new_table, number_cell, verdict_cell, Tone};

/// How a change reads at a glance.
fn tone(v: Option<ChangeVerdict>) -> Tone {
    match v {
        Some(ChangeVerdict::Improved) => Tone::Good,
        Some(ChangeVerdict::RegressedWarn) => Tone::Warning,
        Some(ChangeVerdict::RegressedFail) => Tone::Bad,
        _ => Tone::Plain,
    }
}

/// `c` as a table with notes, laid out for `width` columns.
pub fn render(c: &Comparison, width: usize) -> String {
    // Every note passes through here, its input-borne text (paths, CPU models, digests) made
    // one safe line.
    let wrap = |text: &str, indent: usize| wrap(&one_line(text), indent, width);
    let mut out = Vec::new();
    out.extend(wrap(&format!("base: {}", c.base), 0));
    out.extend(wrap(&format!("head: {}", c.head), 0));
    out.push(String::new());
    out.extend(wrap(&headline(&c.tally()), 0));

    let changed: Vec<_> = c
        .scenarios
        .iter()
        .filter_map(|s| s.behaviour_changed.as_ref().map(|f| (s, f)))
        .collect();
    if !changed.is_empty() {
        out.push(String::new());
        out.push(format!("!! {}:", BEHAVIOUR_CHANGED.to_uppercase()));
        for (s, f) in changed {
            let (b, h) = (&f.base, &f.head);
            out.extend(wrap(
                &format!(
                    "{}: trades {} -> {}, final equity {} -> {}, digest {} -> {}",
                    s.scenario,
                    b.trades,
                    h.trades,
                    grouped(b.final_equity),
                    grouped(h.final_equity),
                    b.digest,
                    h.digest
                ),
                3,
            ));
        }
    }

    let nondeterministic = nondeterministic(c);
    if !nondeterministic.is_empty() {
        out.push(String::new());
        out.extend(wrap(&format!("!! {}:", NONDETERMINISTIC.to_uppercase()), 0));
        for (scenario, side) in nondeterministic {
            out.extend(wrap(&format!("{scenario}: on {side}"), 3));
        }
    }

    if !c.scenarios.is_empty() {
        out.push(String::new());
        out.push(finish_table(table(c, width)).trim_end().to_owned());
    }

    let not_compared: Vec<_> = c
        .scenarios
        .iter()
        .filter(|s| !s.compared())
        .map(|s| s.scenario.as_str())
        .collect();
    if !not_compared.is_empty() {
        out.push(String::new());
        let names = not_compared.join(", ");
        out.extend(wrap(
            &format!("Config digest changed ({NOT_COMPARED}): {names}"),
            0,
        ));
    }
    for (side, names) in [("base", &c.only_in_base), ("head", &c.only_in_head)] {
        if !names.is_empty() {
            out.push(String::new());
            out.extend(wrap(&format!("Only in {side}: {}", names.join(", ")), 0));
        }
    }
    let loosened: Vec<_> = c
        .scenarios
        .iter()
        .filter(|s| !s.loosened.is_empty())
        .collect();
    if !loosened.is_empty() {
        out.push(String::new());
        out.push("Budgets loosened on head:".to_owned());
        for s in loosened {
            for l in &s.loosened {
                out.extend(wrap(
                    &format!("{}: {} {} -> {}", s.scenario, l.key, l.base, l.head),
                    3,
                ));
            }
        }
    }
    let env = environment_differences(c);
    if !env.is_empty() {
        out.push(String::new());
        out.push(format!(
            "{}{}:",
            DIFFERENT_MACHINES[..1].to_uppercase(),
            &DIFFERENT_MACHINES[1..]
        ));
        for (d, which) in env {
            out.extend(wrap(
                &format!("{}: {} -> {} ({which})", d.key, d.base, d.head),
                3,
            ));
        }
    }
    let mut text = out.join("\n");
    text.push('\n');
    text
}

fn table(c: &Comparison, width: usize) -> Table {
    let mut t = new_table(width);
    t.set_header(["scenario", "metric", "base", "head", "change", "verdict"]);
    for s in &c.scenarios {
        if !s.compared() {
            t.add_row([s.scenario.as_str(), "-", "", "", "", "not compared"]);
            continue;
        }
        for (i, m) in s.metrics.iter().enumerate() {
            let name = if i == 0 { s.scenario.as_str() } else { "" };
            // Which side did not measure shows in its column; the verdict stays narrow, with
            // the reason for an inconclusive one on its own line.
            let verdict = match (m.verdict, &m.reason) {
                (None, _) => "not measured".to_owned(),
                (Some(_), Some(why)) => format!("{}\n{why}", verdict(m)),
                (Some(_), None) => verdict(m).to_owned(),
            };
            t.add_row(vec![
                Cell::new(name),
                Cell::new(metric_label(m)),
                number_cell(value(m.base)),
                number_cell(value(m.head)),
                number_cell(pct(m.change_pct)),
                verdict_cell(&verdict, tone(m.verdict)),
            ]);
        }
    }
    t
}

/// `text` broken at spaces into lines of at most `width` characters (a longer word stays
/// whole), each indented by `indent`, continuation lines by two more.
fn wrap(text: &str, indent: usize, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = " ".repeat(indent);
    let mut empty = true;
    for word in text.split(' ') {
        if !empty && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::replace(&mut line, " ".repeat(indent + 2)));
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    lines.push(line);
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::fixtures::{result, set};
    use crate::compare::{compare, render};
    use crate::output::Format;

    #[test]
    fn text_from_result_files_is_shown_escaped_in_every_format() {
        let hostile = "Evil\u{1b}[2J\n::error::x";
        let base = result("btc", &[100.0, 101.0, 99.0]);
        let mut head = base.clone();
        head.measurement.environment.cpu = hostile.into();
        let c = compare(&set("base\u{1b}[2J", [base]), &set("head", [head]));
        for format in [Format::Table, Format::Markdown, Format::Github] {
            let text = render(&c, format);
            assert!(!text.contains("\u{1b}[2J"), "{format:?}: {text}");
            assert!(
                !text.lines().any(|l| l.starts_with("::error::x")),
                "{format:?}: {text}"
            );
        }
        let table = render(&c, Format::Table);
        assert!(table.contains("Evil\\u{1b}[2J\\n::error::x"), "{table}");
    }

    #[test]
    fn wrap_breaks_at_spaces_within_the_width_with_a_hanging_indent() {
        let text = "word ".repeat(30);
        let lines = wrap(text.trim_end(), 3, 80);
        assert!(lines.iter().all(|l| l.chars().count() <= 80), "{lines:?}");
        assert!(lines[0].starts_with("   word") && lines[1].starts_with("     word"));
        assert_eq!(lines.concat().split_whitespace().count(), 30);
        assert_eq!(wrap("short", 0, 80), ["short"]);
    }
}
