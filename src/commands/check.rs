//! `perfsuite check` and `perfsuite list`: validate the suite, run nothing.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::Path;

use crate::cli::SuiteArgs;
use crate::commands::{select_scenarios, Selection};
use crate::config::Scenario;
use crate::error::{Error, EXIT_OK};
use crate::output::escape::{escaped, shown};
use crate::output::numbers::count;
use crate::output::table::{finish_table, new_table, width};

/// Validates scenarios and budgets, and reads their data files; prints a one-line verdict.
pub fn check(args: SuiteArgs) -> Result<u8, Error> {
    let selection = select_scenarios(&args)?;
    let data = check_data(&selection)?;
    let n = selection.chosen.len();
    // Profile names are file names, so anything: shown escaped, as every input-borne text.
    let profiles: Vec<Cow<str>> = selection.suite.budgets.keys().map(|k| escaped(k)).collect();
    let data = match data {
        (0, _) => String::new(),
        (files, rows) => format!(
            "; {files} data file{} read, {} candles",
            if files == 1 { "" } else { "s" },
            count(rows)
        ),
    };
    crate::output::print_stdout(&format!(
        "ok: {n} scenario{} and {} budget profile{} ({}) are valid{data}\n",
        if n == 1 { "" } else { "s" },
        profiles.len(),
        if profiles.len() == 1 { "" } else { "s" },
        profiles.join(", ")
    ))?;
    Ok(EXIT_OK)
}

/// Reads every data file of the chosen scenarios as `run` would, without keeping the candles:
/// a malformed file is exit 2 here, naming file, line and column, rather than an error row at
/// `run`. Each file is read once, as far as the scenario that reads most of it. Returns the
/// files read and their rows.
fn check_data(selection: &Selection) -> Result<(usize, u64), Error> {
    let mut files: BTreeMap<&Path, Vec<Option<u64>>> = BTreeMap::new();
    for s in selection.scenarios() {
        if let Some(path) = &s.data {
            files.entry(path).or_default().push(s.candles);
        }
    }
    let input = |e: crate::data::DataError| Error::Input(e.to_string());
    let mut rows = 0;
    for (path, counts) in &files {
        let most = if counts.contains(&None) {
            None
        } else {
            counts.iter().copied().max().flatten()
        };
        let info = crate::data::check(path, most).map_err(input)?;
        if let Some(&more) = counts.iter().flatten().find(|&&n| n > info.rows) {
            // Says that the file has fewer rows than this scenario's `candles`.
            crate::data::check(path, Some(more)).map_err(input)?;
        }
        // cannot panic: a row is a line of at least a byte: fewer rows than bytes read.
        rows += info.rows;
    }
    Ok((files.len(), rows))
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
    let mut text = finish_table(table);
    for s in selection.scenarios() {
        if let Some(line) = inputs(s) {
            text.push_str(&line);
        }
    }
    crate::output::print_stdout(&text)?;
    Ok(EXIT_OK)
}

/// A line under the table for a scenario that reads a data file or runs an external engine:
/// `NAME: data FILE, engine COMMAND` (paths too long for a table column).
fn inputs(s: &Scenario) -> Option<String> {
    let data = s.data.as_deref().map(|p| format!("data {}", shown(p)));
    let engine = s
        .command
        .as_ref()
        .map(|c| format!("engine {}", escaped(&c.display())));
    let parts: Vec<String> = data.into_iter().chain(engine).collect();
    (!parts.is_empty()).then(|| format!("{}: {}\n", escaped(&s.name), parts.join(", ")))
}
