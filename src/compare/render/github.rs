//! A comparison as GitHub Actions annotations: an error for a regression past the fail
//! threshold or a changed backtest result, a warning for a regression past the warn threshold
//! or a loosened budget. The annotation type, its escaping and its rendering are
//! [`crate::output::github`]'s.

use crate::output::github::{Annotation, Files, Level};

use super::{metric_label, pct, value, BEHAVIOUR_CHANGED};
use crate::compare::{ChangeVerdict, Comparison};

/// Annotations for a comparison: an error for a regression past the fail threshold or a
/// changed backtest result, a warning for a regression past the warn threshold or a budget
/// that head loosened.
pub fn for_comparison(c: &Comparison, files: &Files) -> Vec<Annotation> {
    let mut out = Vec::new();
    for s in &c.scenarios {
        let file = files.get(&s.scenario).cloned();
        let regressed: Vec<String> = s
            .metrics
            .iter()
            .filter(|m| m.verdict.is_some_and(ChangeVerdict::is_regression))
            .map(|m| {
                format!(
                    "{} {} → {} ({}, {})",
                    metric_label(m),
                    value(m.base),
                    value(m.head),
                    pct(m.change_pct),
                    m.verdict.map_or("-", ChangeVerdict::name)
                )
            })
            .collect();
        if let Some(outcome) = s.outcome.filter(|o| o.is_regression()) {
            let level = if outcome == ChangeVerdict::RegressedFail {
                Level::Error
            } else {
                Level::Warning
            };
            out.push(Annotation {
                level,
                file: file.clone(),
                title: format!("perfsuite: {} {}", s.scenario, outcome.name()),
                message: format!(
                    "scenario `{}` regressed: {}",
                    s.scenario,
                    regressed.join("; ")
                ),
            });
        }
        if let Some(f) = &s.behaviour_changed {
            out.push(Annotation {
                level: Level::Error,
                file: file.clone(),
                title: format!("perfsuite: {} results differ", s.scenario),
                message: format!(
                    "scenario `{}`: {} (trades {} → {}, digest {} → {})",
                    s.scenario,
                    BEHAVIOUR_CHANGED,
                    f.base.trades,
                    f.head.trades,
                    f.base.digest,
                    f.head.digest
                ),
            });
        }
        if !s.loosened.is_empty() {
            let keys: Vec<String> = s
                .loosened
                .iter()
                .map(|l| format!("{} {} → {}", l.key, l.base, l.head))
                .collect();
            out.push(Annotation {
                level: Level::Warning,
                file,
                title: format!("perfsuite: {} budget loosened", s.scenario),
                message: format!(
                    "scenario `{}`: head loosened its budget: {}",
                    s.scenario,
                    keys.join("; ")
                ),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::fixtures::pull_request;
    use crate::compare::fixtures::scenario_files as files;
    use crate::output::github::render;

    #[test]
    fn a_comparison_annotates_regressions_changed_results_and_loosened_budgets() {
        insta::assert_snapshot!(render(&for_comparison(&pull_request(), &files())));
    }
}
