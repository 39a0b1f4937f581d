//! Scenario and budget files: found, read, parsed into serde mirrors of the TOML, then
//! validated into the domain types the runner uses. No TOML type leaves this module.
//!
//! Parsing is two steps. The raw mirrors keep every field optional and spanned, so validation
//! can name the line and column of any value it rejects; validation fills in defaults and
//! checks ranges in one pass. The suite-wide checks (unique names, known budget profiles) run in
//! [`load_suite`], while each file's text is still at hand for the error's position.

mod budget;
mod error;
mod scenario;

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

pub use budget::{BudgetProfile, BudgetSource};
pub use error::ConfigError;
pub use scenario::{Scenario, DEFAULT_BUDGET, DEFAULT_REPEATS, DEFAULT_SEED, DEFAULT_SYMBOL, DEFAULT_WARMUP};

use crate::budget::Budget;
use error::Source;

/// Every scenario found, and the budget profiles that judge them.
#[derive(Debug, Clone, PartialEq)]
pub struct Suite {
    /// In discovery order: the paths as given, each folder's files sorted, each file's
    /// `[[scenario]]` entries in file order.
    pub scenarios: Vec<Scenario>,
    /// Every profile found, by name, whether a scenario uses it or not.
    pub budgets: BTreeMap<String, BudgetProfile>,
}

impl Suite {
    /// The resolved budget of `scenario`: its profile with the scenario's overrides applied.
    ///
    /// # Panics
    /// If the scenario's profile is not in [`Suite::budgets`]; [`load_suite`] guarantees it is.
    pub fn budget_for(&self, scenario: &Scenario) -> Budget {
        let profile = self.budgets.get(&scenario.budget).unwrap_or_else(|| {
            panic!("scenario `{}` uses budget profile `{}`, which is not in the suite", scenario.name, scenario.budget)
        });
        profile.resolve(&scenario.name)
    }
}

/// Finds, parses and validates the scenarios in `paths` (files, or folders searched
/// recursively for `*.toml`) and the budget profiles of `budgets`, and checks them against
/// each other. The first problem found is the error.
pub fn load_suite(paths: &[PathBuf], budgets: &BudgetSource) -> Result<Suite, ConfigError> {
    let profiles = budget::load(budgets)?;
    let mut scenarios: Vec<Scenario> = Vec::new();
    let mut first_seen: HashMap<String, String> = HashMap::new();
    for file in scenario_files(paths)? {
        let text = read(&file)?;
        let src = Source::new(&file, &text);
        for parsed in scenario::parse_file(&src)? {
            check_profile(&src, &parsed, &profiles)?;
            let name = &parsed.scenario.name;
            if let Some(first) = first_seen.get(name) {
                let message = format!("duplicate scenario name `{name}`: also defined at {first}");
                return Err(src.error_near(parsed.name_span.clone(), message));
            }
            first_seen.insert(name.clone(), src.place(parsed.name_span.clone()));
            scenarios.push(parsed.scenario);
        }
    }
    Ok(Suite { scenarios, budgets: profiles.map })
}

/// The scenario's `budget` must name a profile that exists.
fn check_profile(src: &Source, parsed: &scenario::Parsed, profiles: &budget::Profiles) -> Result<(), ConfigError> {
    let s = &parsed.scenario;
    if profiles.map.contains_key(&s.budget) {
        return Ok(());
    }
    let known: Vec<String> = profiles.map.keys().map(|k| format!("`{k}`")).collect();
    let known = if known.is_empty() { "none".to_owned() } else { known.join(", ") };
    let origin = &profiles.origin;
    Err(match &parsed.budget_span {
        Some(span) => src.value_error(
            span.clone(),
            "budget",
            format_args!("names profile `{}`, which does not exist; profiles {origin}: {known}", s.budget),
        ),
        None => src.error_near(
            parsed.name_span.clone(),
            format!(
                "scenario `{}` sets no `budget`, and the default profile `{}` does not exist; profiles {origin}: {known}",
                s.name, s.budget
            ),
        ),
    })
}

/// The scenario files in `paths`, each once. A folder without any `*.toml` is an error: the user
/// pointed at it expecting scenarios.
fn scenario_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, ConfigError> {
    let mut files = Vec::new();
    let mut seen = Vec::new();
    for path in paths {
        let found = toml_files(path)?;
        if found.is_empty() {
            return Err(ConfigError::file(path, "no scenario files (`*.toml`) in this folder"));
        }
        for file in found {
            let identity = fs::canonicalize(&file).unwrap_or_else(|_| file.clone());
            if !seen.contains(&identity) {
                seen.push(identity);
                files.push(file);
            }
        }
    }
    Ok(files)
}

/// `path` itself if it is a file (whatever its extension); the `*.toml` files below it, sorted,
/// if it is a folder. Hidden entries (`.name`) inside folders are skipped, and symbolic links
/// to folders are not followed.
pub(crate) fn toml_files(path: &Path) -> Result<Vec<PathBuf>, ConfigError> {
    let meta = fs::metadata(path).map_err(|e| io_error(path, &e))?;
    if !meta.is_dir() {
        return Ok(vec![path.to_owned()]);
    }
    let mut files = Vec::new();
    let mut folders = vec![path.to_owned()];
    while let Some(folder) = folders.pop() {
        for entry in fs::read_dir(&folder).map_err(|e| io_error(&folder, &e))? {
            let entry = entry.map_err(|e| io_error(&folder, &e))?;
            let path = entry.path();
            if entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            let kind = entry.file_type().map_err(|e| io_error(&path, &e))?;
            if kind.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "toml") {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

/// The text of `path`, or an error naming it.
pub(crate) fn read(path: &Path) -> Result<String, ConfigError> {
    fs::read_to_string(path).map_err(|e| io_error(path, &e))
}

fn io_error(path: &Path, e: &std::io::Error) -> ConfigError {
    match e.kind() {
        ErrorKind::NotFound => ConfigError::file(path, "no such file or folder"),
        _ => ConfigError::file(path, format!("cannot read: {e}")),
    }
}
