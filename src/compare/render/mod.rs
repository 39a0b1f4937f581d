//! Writing a comparison out: one file per format (table, Markdown, JSON, GitHub annotations,
//! JUnit), sharing the wording here so that the table and the pull-request comment say the same
//! thing.

pub mod github;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod table;

use crate::judge::{self, number};
pub use crate::output::numbers::grouped_number as grouped;

use super::{Comparison, EnvironmentDifference, Metric, MetricComparison, Noise, Tally};

/// Said of a scenario whose fingerprint changed.
pub const BEHAVIOUR_CHANGED: &str = "results differ: the backtest's output changed";
/// Said of a scenario whose config digest changed.
pub const NOT_COMPARED: &str = "not the same work: not compared";
/// Said of results from different machines or build profiles.
pub const DIFFERENT_MACHINES: &str = "measured on different machines; treat with care";

/// The headline, e.g. `2 regressions (1 past fail), 1 behaviour change, 5 unchanged`.
pub fn headline(t: &Tally) -> String {
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let mut parts = Vec::new();
    if t.regressions() > 0 {
        let mut part = plural(t.regressions(), "regression", "regressions");
        if t.regressed_fail > 0 {
            part += &format!(" ({} past fail)", t.regressed_fail);
        }
        parts.push(part);
    }
    for (n, one, many) in [
        (t.behaviour_changed, "behaviour change", "behaviour changes"),
        (t.inconclusive, "inconclusive", "inconclusive"),
        (t.improved, "improved", "improved"),
        (t.unchanged, "unchanged", "unchanged"),
        (t.not_measured, "not measured", "not measured"),
        (t.not_compared, "not compared", "not compared"),
        (t.only_in_base, "only in base", "only in base"),
        (t.only_in_head, "only in head", "only in head"),
        (t.budgets_loosened, "loosened budget", "loosened budgets"),
    ] {
        if n > 0 {
            parts.push(plural(n, one, many));
        }
    }
    if parts.is_empty() {
        "nothing to compare".to_owned()
    } else {
        parts.join(", ")
    }
}

/// The metric's name in a table: `candles/s median`, `p95 stage ms`, `peak RSS MiB`,
/// `instructions` (per measured run).
pub fn metric_label(m: &MetricComparison) -> String {
    match (m.metric, m.stat) {
        (Metric::CandlesPerSec, Some(stat)) => {
            format!("{} {}", judge::metric_label(m.metric.key()), stat.name())
        }
        (metric, _) => judge::metric_label(metric.key()).to_owned(),
    }
}

/// A value as people read it; `-` when not measured.
pub fn value(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_owned(), grouped)
}

/// A signed percentage to one decimal, `0.0%` for what rounds to nothing, `-` for none.
pub fn pct(change: Option<f64>) -> String {
    match change {
        None => "-".to_owned(),
        Some(c) if c.abs() < 0.05 => "0.0%".to_owned(),
        Some(c) => format!("{c:+.1}%"),
    }
}

/// The verdict of a metric, or why it has none.
pub fn verdict(m: &MetricComparison) -> &'static str {
    match (m.verdict, m.not_measured()) {
        (Some(v), _) => v.name(),
        (None, Some(why)) => why,
        (None, None) => "-",
    }
}

/// Every distinct environment difference with the scenarios it applies to ("all scenarios"
/// when it applies to every one compared).
pub fn environment_differences(c: &Comparison) -> Vec<(EnvironmentDifference, String)> {
    let mut seen: std::collections::BTreeMap<&EnvironmentDifference, Vec<&str>> =
        Default::default();
    for s in &c.scenarios {
        for d in &s.environment {
            seen.entry(d).or_default().push(&s.scenario);
        }
    }
    seen.into_iter()
        .map(|(d, names)| {
            let which = if names.len() == c.scenarios.len() && names.len() > 1 {
                "all scenarios".to_owned()
            } else {
                names.join(", ")
            };
            (d.clone(), which)
        })
        .collect()
}

/// Scenarios whose instruction counts disagree between runs of one side, with the side(s):
/// `("btc-1m", "head")`. Such counts are never averaged into a verdict.
pub fn nondeterministic(c: &Comparison) -> Vec<(&str, &'static str)> {
    let mut out = Vec::new();
    for s in &c.scenarios {
        for m in &s.metrics {
            if let Some(Noise::Exact {
                base_agree,
                head_agree,
            }) = m.noise
            {
                let side = match (base_agree, head_agree) {
                    (true, true) => continue,
                    (false, true) => "base",
                    (true, false) => "head",
                    (false, false) => "base and head",
                };
                out.push((s.scenario.as_str(), side));
            }
        }
    }
    out
}

/// Said of instruction counts that differ between runs of the same build.
pub const NONDETERMINISTIC: &str =
    "instruction counts differ between runs of the same build (nondeterministic; not averaged)";

/// The rule behind the verdicts, in one paragraph, with the thresholds used when every
/// scenario shares them.
pub fn method(c: &Comparison) -> String {
    let thresholds = match c.scenarios.first().map(|s| s.thresholds) {
        Some(t) if c.scenarios.iter().all(|s| s.thresholds == t) => format!(
            "warn at {}%, fail at {}% on the {} of candles/s",
            number(t.warn_pct),
            number(t.fail_pct),
            t.stat.name()
        ),
        _ => "they differ by scenario; see `--format json`".to_owned(),
    };
    let alpha = super::decision::ALPHA;
    let needed = super::decision::samples_needed(alpha);
    let pairs = super::decision::pairs_needed(alpha);
    let spread = number(super::decision::SPREAD_FACTOR);
    let share = match c.deciding {
        0 | 1 => String::new(),
        k => format!(
            ", shared by the {k} scenarios with enough samples to decide, each held to {alpha}/{k}"
        ),
    };
    format!(
        "Thresholds are HEAD's `[regression]` budget ({thresholds}); a change exactly at a threshold counts. \
         For candles/s samples that perfsuite ab took in rounds, the change is the typical round's ratio head/base \
         (Hodges-Lehmann), steadier than the ratio of the medians shown. \
         A change is called only when it also clears the noise: a two-sided rank test of the candles/s samples must \
         reject \"no shift\": the Wilcoxon signed-rank test of each round's head/base ratio for samples perfsuite ab took \
         in rounds, the Mann-Whitney U test otherwise. Its level is alpha {alpha} for the comparison as a whole{share}; \
         with repeats = \"auto\" in perfsuite ab, the stricter level of the sequential test's last look, which keeps the \
         false-alarm rate over all its looks at the scenario's share. With \
         fewer samples than the test needs ({needed} a side at {alpha}, {pairs} rounds when paired), any change is \
         inconclusive, one sample included. Memory (the median \
         over the measuring processes), one value per run, is inconclusive when the two values' ranges overlap within \
         {spread} times the spread, else the threshold decides; the p95 stage latency, one value per run with no measure \
         of its noise, is at most inconclusive.{} Down is better for latency and memory, up for candles/s.",
        exact_method(c),
    )
}

/// The exact rule in a sentence, when a scenario compared instruction counts.
fn exact_method(c: &Comparison) -> String {
    let counted = c
        .scenarios
        .iter()
        .flat_map(|s| &s.metrics)
        .any(|m| m.metric == Metric::Instructions);
    if !counted {
        return String::new();
    }
    let thresholds = match c.scenarios.first().map(|s| s.thresholds) {
        Some(t) if c.scenarios.iter().all(|s| s.thresholds == t) => format!(
            " (warn at {}%, fail at {}%)",
            number(t.exact_warn_pct),
            number(t.exact_fail_pct)
        ),
        _ => String::new(),
    };
    format!(
        " Instruction counts are exact: a change past `exact_warn_pct` or `exact_fail_pct`{thresholds} is called \
         without a noise test, as long as the counted runs of each side agree; counts that disagree are reported \
         as nondeterministic and never averaged. Fewer instructions are better."
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_grouped_in_thousands() {
        assert_eq!(value(Some(250_200.0)), "250,200");
        assert_eq!(value(None), "-");
    }

    #[test]
    fn percentages_are_signed_with_one_decimal() {
        assert_eq!(pct(Some(-28.0)), "-28.0%");
        assert_eq!(pct(Some(1.04)), "+1.0%");
        assert_eq!(pct(Some(-0.04)), "0.0%");
        assert_eq!(pct(None), "-");
    }

    #[test]
    fn the_headline_counts_only_what_happened() {
        let t = Tally {
            regressed_fail: 1,
            regressed_warn: 1,
            behaviour_changed: 1,
            unchanged: 5,
            ..Tally::default()
        };
        assert_eq!(
            headline(&t),
            "2 regressions (1 past fail), 1 behaviour change, 5 unchanged"
        );
        let t = Tally {
            regressed_warn: 1,
            budgets_loosened: 2,
            ..Tally::default()
        };
        assert_eq!(headline(&t), "1 regression, 2 loosened budgets");
        assert_eq!(headline(&Tally::default()), "nothing to compare");
    }
}
