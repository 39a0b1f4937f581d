//! One module per subcommand: each turns parsed arguments into work and an exit code.

pub mod ab;
pub mod bench;
pub mod calibrate;
pub mod check;
pub mod compare;
pub mod completions;
pub mod emit;
pub mod history;
pub mod merge;
pub mod repeats;
pub mod run;

use crate::cli::SuiteArgs;
use crate::config::{load_suite, BudgetSource, Scenario, Suite};
use crate::error::Error;
use crate::shard::select;

/// The validated suite and the scenarios `--filter` and `--shard` leave, in suite order.
pub struct Selection {
    /// Every scenario and budget profile found.
    pub suite: Suite,
    /// Indices into `suite.scenarios` of those to run.
    pub chosen: Vec<usize>,
}

impl Selection {
    /// The chosen scenarios.
    pub fn scenarios(&self) -> impl Iterator<Item = &Scenario> {
        self.chosen.iter().map(|&i| &self.suite.scenarios[i])
    }
}

/// Loads and validates the suite, then applies `--filter` and `--shard`. A filter matching
/// nothing is an error; an empty shard is not (a suite may have fewer scenarios than shards).
pub fn select_scenarios(args: &SuiteArgs) -> Result<Selection, Error> {
    let budgets = args
        .budgets
        .clone()
        .map_or(BudgetSource::Default, BudgetSource::Dir);
    let suite = load_suite(&args.paths, &budgets)?;
    let mut chosen: Vec<usize> = (0..suite.scenarios.len())
        .filter(|&i| {
            args.filter
                .as_deref()
                .is_none_or(|p| matches_filter(p, &suite.scenarios[i].name))
        })
        .collect();
    if chosen.is_empty() && !suite.scenarios.is_empty() {
        let names: Vec<&str> = suite.scenarios.iter().map(|s| s.name.as_str()).collect();
        return Err(Error::Input(format!(
            "--filter `{}` matches no scenario; found: {}",
            args.filter.as_deref().unwrap_or_default(),
            names.join(", ")
        )));
    }
    if let Some(shard) = args.shard {
        let costs: Vec<u64> = chosen.iter().map(|&i| work(&suite.scenarios[i])).collect();
        chosen = select(&costs, shard)
            .into_iter()
            .map(|k| chosen[k])
            .collect();
    }
    Ok(Selection { suite, chosen })
}

/// A scenario's work, for balancing shards: candles times runs. A data file without a count
/// is weighed by its size, at about 100 bytes a row.
fn work(s: &Scenario) -> u64 {
    let size = |path: &std::path::Path| std::fs::metadata(path).map_or(0, |m| m.len() / 100);
    s.candles
        .unwrap_or_else(|| s.data.as_deref().map_or(0, size))
        .saturating_mul(u64::from(s.repeats) + u64::from(s.warmup))
}

/// Whether `name` matches `pattern`: with `*` or `?` in it, a wildcard match of the whole
/// name; otherwise a substring match.
pub fn matches_filter(pattern: &str, name: &str) -> bool {
    if !pattern.contains(['*', '?']) {
        return name.contains(pattern);
    }
    // Greedy matching that backtracks only to the last `*`: O(pattern × name), never exponential.
    // Characters, not bytes, so `?` is one character; `*` is tested first, so a `*` in the
    // pattern is always a wildcard, even against a `*` in the name.
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    let (mut pi, mut ni, mut star, mut mark) = (0, 0, None, 0);
    while ni < n.len() {
        if pi < p.len() && p[pi] == '*' {
            (star, mark, pi) = (Some(pi), ni, pi + 1);
        } else if pi < p.len() && (p[pi] == '?' || p[pi] == n[ni]) {
            (pi, ni) = (pi + 1, ni + 1);
        } else if let Some(s) = star {
            (pi, mark) = (s + 1, mark + 1);
            ni = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::matches_filter;

    #[test]
    fn filters_match_substrings_or_wildcards() {
        assert!(matches_filter("btc", "runbook-btc-50k"));
        assert!(!matches_filter("eth", "runbook-btc-50k"));
        assert!(matches_filter("btc-*", "btc-5m"));
        assert!(!matches_filter("btc-*", "x-btc-5m"));
        assert!(matches_filter("*-5?", "btc-5m"));
        assert!(matches_filter("*", ""));
        assert!(
            !matches_filter(&"*a".repeat(50), &"a".repeat(40)),
            "no exponential backtracking"
        );
        assert!(
            matches_filter("*", "*x"),
            "a `*` is a wildcard even against a `*`"
        );
        assert!(matches_filter("a*", "a*b"));
        assert!(
            matches_filter("?", "é"),
            "`?` is one character, not one byte"
        );
        assert!(!matches_filter("??", "é"));
    }
}
