//! One module per subcommand: each turns parsed arguments into work and an exit code.

pub mod ab;
pub mod bench;
pub mod calibrate;
pub mod check;
pub mod compare;
pub mod completions;
pub mod emit;
pub mod history;
pub mod memory;
pub mod merge;
pub mod repeats;
pub mod run;

use crate::cli::SuiteArgs;
/// The `--filter` pattern over scenario names (its rule lives with the names, in `config`).
pub use crate::config::matches_filter;
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
