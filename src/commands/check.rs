//! `perfsuite check` and `perfsuite list`: validate the suite, run nothing.

use std::borrow::Cow;

use crate::cli::SuiteArgs;
use crate::commands::select_scenarios;
use crate::error::{Error, EXIT_OK};
use crate::output::escape::escaped;
use crate::output::numbers::count;
use crate::output::table::{finish_table, new_table, width};

/// Validates scenarios and budgets; prints a one-line verdict.
pub fn check(args: SuiteArgs) -> Result<u8, Error> {
    let selection = select_scenarios(&args)?;
    let n = selection.chosen.len();
    // Profile names are file names, so anything: shown escaped, as every input-borne text.
    let profiles: Vec<Cow<str>> = selection.suite.budgets.keys().map(|k| escaped(k)).collect();
    crate::output::print_stdout(&format!(
        "ok: {n} scenario{} and {} budget profile{} ({}) are valid\n",
        if n == 1 { "" } else { "s" },
        profiles.len(),
        if profiles.len() == 1 { "" } else { "s" },
        profiles.join(", ")
    ))?;
    Ok(EXIT_OK)
}

/// Shows each scenario with its resolved settings and budget.
pub fn list(args: SuiteArgs) -> Result<u8, Error> {
    let selection = select_scenarios(&args)?;
    let mut table = new_table(width());
    table.set_header([
        "scenario", "candles", "repeats", "warmup", "seed", "symbol", "timeout", "budget",
    ]);
    for s in selection.scenarios() {
        let b = selection.suite.budget_for(s).candles_per_sec;
        let floor = b
            .floor
            .map_or_else(String::new, |f| format!(" ({}≥{f})", b.stat.name()));
        table.add_row(vec![
            escaped(&s.name).into_owned(),
            s.candles.map_or_else(|| "all rows".to_owned(), count),
            s.auto.as_ref().map_or_else(
                || s.repeats.to_string(),
                |a| format!("auto {}–{}", a.min_repeats, a.max_repeats),
            ),
            s.warmup.to_string(),
            s.seed.to_string(),
            escaped(&s.symbol).into_owned(),
            s.timeout_s
                .map_or_else(|| "-".to_owned(), |t| format!("{t} s")),
            format!("{}{floor}", escaped(&s.budget)),
        ]);
    }
    crate::output::print_stdout(&finish_table(table))?;
    Ok(EXIT_OK)
}
