//! The comparison as Markdown for a pull-request comment (or `$GITHUB_STEP_SUMMARY`): the
//! headline, warnings a reviewer must not miss, one table with arrows and signed percentages,
//! and the details folded away in `<details>`.

use std::fmt::Write;

use super::super::{ChangeVerdict, Comparison, MetricComparison, ScenarioComparison};
use super::{
    environment_differences, grouped, headline, method, metric_label, nondeterministic, pct, value,
    verdict, BEHAVIOUR_CHANGED, DIFFERENT_MACHINES, NONDETERMINISTIC, NOT_COMPARED,
};
use crate::output::escape::escaped;

/// `c` as a pull-request comment.
pub fn render(c: &Comparison) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "### perfsuite compare\n");
    let _ = writeln!(out, "**{}**\n", headline(&c.tally()));
    let _ = writeln!(
        out,
        "base `{}` → head `{}`\n",
        escaped(&c.base).replace('`', "'"),
        escaped(&c.head).replace('`', "'")
    );

    let changed: Vec<_> = c
        .scenarios
        .iter()
        .filter(|s| s.behaviour_changed.is_some())
        .map(|s| code(&s.scenario))
        .collect();
    if !changed.is_empty() {
        let _ = writeln!(
            out,
            "> ⚠️ **{}** in {}. The trades or the equity path are not the same as on base, whatever the speed.\n",
            capitalised(BEHAVIOUR_CHANGED),
            changed.join(", ")
        );
    }
    let nondeterministic: Vec<_> = nondeterministic(c)
        .into_iter()
        .map(|(scenario, side)| format!("{} (on {side})", code(scenario)))
        .collect();
    if !nondeterministic.is_empty() {
        let _ = writeln!(
            out,
            "> ⚠️ **{}** in {}.\n",
            capitalised(NONDETERMINISTIC),
            nondeterministic.join(", ")
        );
    }
    let env = environment_differences(c);
    if !env.is_empty() {
        let keys: Vec<_> = env.iter().map(|(d, _)| code(&d.key)).collect();
        let verb = if keys.len() == 1 { "differs" } else { "differ" };
        let _ = writeln!(
            out,
            "> ⚠️ **{}**: {} {verb}.\n",
            capitalised(DIFFERENT_MACHINES),
            keys.join(", ")
        );
    }

    // What needs a reviewer's eye goes in the table; the unchanged rest is folded below it.
    let (notable, quiet): (Vec<_>, Vec<_>) = c.scenarios.iter().partition(|s| needs_attention(s));
    if !notable.is_empty() {
        out.push_str(&table(&notable));
        out.push('\n');
    }
    if !quiet.is_empty() {
        fold(
            &mut out,
            &format!("Unchanged ({})", quiet.len()),
            &table(&quiet),
        );
    }
    details(&mut out, c, env);
    out
}

/// Whether a scenario changed in any way a reviewer must look at.
fn needs_attention(s: &ScenarioComparison) -> bool {
    !s.compared()
        || s.behaviour_changed.is_some()
        || s.outcome.is_some_and(|o| o != ChangeVerdict::Unchanged)
}

/// The metric table of `scenarios`, with arrows and traffic lights.
fn table(scenarios: &[&ScenarioComparison]) -> String {
    let mut out =
        "| scenario | metric | base | head | change | verdict |\n|:--|:--|--:|--:|--:|:--|\n"
            .to_owned();
    for s in scenarios {
        if !s.compared() {
            let _ = writeln!(out, "| {} | | | | | ⏭️ {NOT_COMPARED} |", code(&s.scenario));
            continue;
        }
        for (i, m) in s.metrics.iter().enumerate() {
            let name = if i == 0 {
                code(&s.scenario)
            } else {
                String::new()
            };
            let _ = writeln!(
                out,
                "| {name} | {} | {} | {} | {} | {} |",
                metric_label(m),
                value(m.base),
                value(m.head),
                change(m),
                verdict_cell(m)
            );
        }
    }
    out
}

fn details(
    out: &mut String,
    c: &Comparison,
    env: Vec<(super::super::EnvironmentDifference, String)>,
) {
    let changed: Vec<_> = c
        .scenarios
        .iter()
        .filter_map(|s| s.behaviour_changed.as_ref().map(|f| (&s.scenario, f)))
        .collect();
    if !changed.is_empty() {
        let mut body =
            "| scenario | | trades | final equity | digest |\n|:--|:--|--:|--:|:--|\n".to_owned();
        for (name, f) in &changed {
            for (side, fp, label) in [
                ("base", &f.base, code(name)),
                ("head", &f.head, String::new()),
            ] {
                let _ = writeln!(
                    body,
                    "| {label} | {side} | {} | {} | `{}` |",
                    fp.trades,
                    grouped(fp.final_equity),
                    fp.digest
                );
            }
        }
        fold(
            out,
            &format!("Behaviour changes ({})", changed.len()),
            &body,
        );
    }
    let not_compared: Vec<_> = c
        .scenarios
        .iter()
        .filter_map(|s| s.config_changed.as_ref().map(|d| (&s.scenario, d)))
        .collect();
    if !not_compared.is_empty() {
        let mut body = "The config digest (candles, seed, symbol, engine settings) changed, so base and head did not do the same work.\n\n| scenario | base digest | head digest |\n|:--|:--|:--|\n".to_owned();
        for (name, d) in &not_compared {
            let _ = writeln!(body, "| {} | `{}` | `{}` |", code(name), d.base, d.head);
        }
        fold(
            out,
            &format!("Not compared ({})", not_compared.len()),
            &body,
        );
    }
    let loosened: Vec<_> = c
        .scenarios
        .iter()
        .filter(|s| !s.loosened.is_empty())
        .collect();
    if !loosened.is_empty() {
        let mut body = "| scenario | key | base | head |\n|:--|:--|--:|--:|\n".to_owned();
        for s in &loosened {
            for l in &s.loosened {
                let _ = writeln!(
                    body,
                    "| {} | `{}` | {} | {} |",
                    code(&s.scenario),
                    l.key,
                    l.base,
                    l.head
                );
            }
        }
        let keys: usize = loosened.iter().map(|s| s.loosened.len()).sum();
        fold(out, &format!("Budgets loosened on head ({keys})"), &body);
    }
    if !env.is_empty() {
        let mut body = "| key | base | head | scenarios |\n|:--|:--|:--|:--|\n".to_owned();
        for (d, which) in &env {
            let _ = writeln!(
                body,
                "| `{}` | {} | {} | {} |",
                d.key,
                escape(&d.base),
                escape(&d.head),
                escape(which)
            );
        }
        fold(out, "Environment", &body);
    }
    let one_sided = c.only_in_base.len() + c.only_in_head.len();
    if one_sided > 0 {
        let mut body = String::new();
        for (side, names) in [("base", &c.only_in_base), ("head", &c.only_in_head)] {
            if !names.is_empty() {
                let names: Vec<_> = names.iter().map(|n| code(n)).collect();
                let _ = writeln!(body, "- only in {side}: {}", names.join(", "));
            }
        }
        fold(
            out,
            &format!("Scenarios on one side only ({one_sided})"),
            &body,
        );
    }
    fold(out, "How verdicts are decided", &format!("{}\n", method(c)));
}

/// A `<details>` block titled `summary` around `body`.
fn fold(out: &mut String, summary: &str, body: &str) {
    let _ = writeln!(
        out,
        "<details><summary>{summary}</summary>\n\n{body}\n</details>\n"
    );
}

/// The change with an arrow for its direction: ▲ up, ▼ down.
fn change(m: &MetricComparison) -> String {
    let text = pct(m.change_pct);
    match m.change_pct {
        Some(c) if c >= 0.05 => format!("▲ {text}"),
        Some(c) if c <= -0.05 => format!("▼ {text}"),
        _ => text,
    }
}

/// The verdict with a traffic light.
fn verdict_cell(m: &MetricComparison) -> String {
    let light = match m.verdict {
        Some(ChangeVerdict::RegressedFail) => "🔴",
        Some(ChangeVerdict::RegressedWarn) => "🟠",
        Some(ChangeVerdict::Improved) => "🟢",
        Some(ChangeVerdict::Inconclusive) => "❔",
        Some(ChangeVerdict::Unchanged) => "⚪",
        None => "➖",
    };
    let text = verdict(m);
    let why = m
        .reason
        .as_deref()
        .map(|r| format!(": {}", escape(r)))
        .unwrap_or_default();
    if m.verdict.is_some_and(ChangeVerdict::is_regression) {
        format!("{light} **{text}**{why}")
    } else {
        format!("{light} {text}{why}")
    }
}

/// A scenario name as inline code, safe inside a table cell.
fn code(name: &str) -> String {
    format!("`{}`", escaped(name).replace('`', "'").replace('|', "\\|"))
}

/// Text safe inside a table cell and outside HTML, its control characters escaped.
fn escape(text: &str) -> String {
    escaped(text)
        .replace('|', "\\|")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
