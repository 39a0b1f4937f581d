//! `perfsuite history add|import`, `perfsuite trend` and `perfsuite report`: recording results
//! in the history database and reading trends out of it.

use crate::cli::{HistoryCommand, ReportArgs, TrendArgs, TrendFormat, TrendOptions};
use crate::error::{Error, EXIT_OK};
use crate::history::import::{read_sets, read_tree};
use crate::history::record::record;
use crate::history::series::{self, Filter, ScenarioHistory};
use crate::history::{DbError, History};
use crate::output::escape::shown;
use crate::output::print_stdout;
use crate::trend::{self, render, Settings};

/// Runs `history add` or `history import`: every file is read and checked first, then all are
/// recorded in one transaction.
pub fn history(command: HistoryCommand) -> Result<u8, Error> {
    let (results, db) = match command {
        HistoryCommand::Add(args) => (read_sets(&args.dirs), args.db.db),
        HistoryCommand::Import(args) => (read_tree(&args.dir), args.db.db),
    };
    let results = results?;
    let mut history = History::open(&db, true).map_err(db_error)?;
    let done = record(&mut history, &results).map_err(db_error)?;
    crate::say!(
        "{}: {} result{} added, {} already recorded",
        shown(&db),
        done.added,
        if done.added == 1 { "" } else { "s" },
        done.present
    );
    Ok(EXIT_OK)
}

/// Runs `trend`.
pub fn trend(args: TrendArgs) -> Result<u8, Error> {
    let (_, histories, settings) = read(&args.options)?;
    let trends = trend::analyse(&histories, &settings);
    print_stdout(&match args.format {
        TrendFormat::Table => render::table(&trends),
        TrendFormat::Json => render::json(&trends, &settings),
    })?;
    Ok(EXIT_OK)
}

/// Runs `report`: the page is written whole or not at all.
pub fn report(args: ReportArgs) -> Result<u8, Error> {
    let (mut history, histories, settings) = read(&args.options)?;
    let mut latest = Vec::new();
    for h in &histories {
        let run = h.runs.last().expect("a scenario in the history has a run");
        latest.push(series::checks(&mut history, run.id).map_err(db_error)?);
    }
    let trends = trend::analyse(&histories, &settings);
    let page = crate::output::html::page(&histories, &trends, &latest);
    if let Some(parent) = args.out.parent().filter(|p| !p.as_os_str().is_empty()) {
        if !parent.is_dir() {
            return Err(Error::Input(format!(
                "{}: the folder for --out does not exist",
                parent.display()
            )));
        }
    }
    crate::results::atomic::write_atomic(&args.out, page.as_bytes())?;
    crate::say!(
        "{}: {} scenario{}, {}",
        shown(&args.out),
        histories.len(),
        if histories.len() == 1 { "" } else { "s" },
        render::headline(&trends)
    );
    Ok(EXIT_OK)
}

/// The database, the histories the options select, and the detector's settings.
fn read(options: &TrendOptions) -> Result<(History, Vec<ScenarioHistory>, Settings), Error> {
    let mut history = History::open(&options.db.db, false).map_err(db_error)?;
    let filter = Filter {
        branch: options.branch.clone(),
        scenario: options.filter.clone(),
    };
    let histories = series::load(&mut history, &filter).map_err(db_error)?;
    let settings = Settings {
        max_p_value: options.p_value,
        min_points: usize::from(options.min_points),
        ..Settings::default()
    };
    Ok((history, histories, settings))
}

/// A database error: bad input (exit 2), naming the file.
fn db_error(e: DbError) -> Error {
    Error::Input(e.to_string())
}
