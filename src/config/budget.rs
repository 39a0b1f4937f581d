//! Budget files: one profile per file, named after its stem, with base limits and
//! `[scenario.NAME.*]` overrides. Every override is resolved and validated when the file is
//! loaded, so a profile only ever hands out checked [`Budget`]s.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use toml::Spanned;

use super::error::{ConfigError, Source};
use crate::judge::Budget;
use limits::{resolve, RawLimits};

mod limits;
#[cfg(test)]
mod tests;

/// The shipped `budgets/default.toml`: the runbook's limits, used when there is no `budgets/`
/// folder.
pub(crate) const BUILTIN_DEFAULT: &str = include_str!("../../budgets/default.toml");

/// How the built-in profile's file is named in messages and in [`BudgetProfile::source`].
const BUILTIN_PATH: &str = "<built-in budgets/default.toml>";

/// Where budget profiles come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BudgetSource {
    /// The `budgets/` folder beside the scenarios (in the folder holding them, or any folder
    /// above it up to the repository's root), else `budgets/` in the current folder, else the
    /// built-in `default` profile (the runbook's limits).
    Default,
    /// Every `*.toml` in this folder (searched recursively), or this one file; it must exist.
    Dir(PathBuf),
}

/// One budget profile: base limits and per-scenario overrides, all validated.
#[derive(Debug, Clone, PartialEq)]
pub struct BudgetProfile {
    name: String,
    source: PathBuf,
    base: Budget,
    overrides: BTreeMap<String, Budget>,
}

impl BudgetProfile {
    /// The profile's name: its file's stem.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The file it was read from.
    pub fn source(&self) -> &Path {
        &self.source
    }

    /// The budget of `scenario`: the base limits with the scenario's overrides applied field by
    /// field.
    pub fn resolve(&self, scenario: &str) -> Budget {
        self.overrides.get(scenario).copied().unwrap_or(self.base)
    }
}

/// The profiles a suite can use, and a phrase saying where they came from, for messages.
#[derive(Debug)]
pub(crate) struct Profiles {
    pub map: BTreeMap<String, BudgetProfile>,
    pub origin: String,
}

/// Loads every profile `source` names; `scenarios` are the paths the scenarios come from.
pub(crate) fn load(source: &BudgetSource, scenarios: &[PathBuf]) -> Result<Profiles, ConfigError> {
    match source {
        BudgetSource::Default => load_default(&default_folders(scenarios)),
        BudgetSource::Dir(path) => load_path(path),
    }
}

/// Where a `budgets/` folder is looked for, nearest first: beside each scenario path and in each
/// folder above it up to its repository's root (the first folder holding `.git`; outside a
/// repository, the two folders above the path), then the current folder.
fn default_folders(scenarios: &[PathBuf]) -> Vec<PathBuf> {
    let mut folders: Vec<PathBuf> = Vec::new();
    for path in scenarios {
        let start = path.parent().unwrap_or(Path::new(""));
        let in_repository = start.ancestors().any(|a| a.join(".git").exists());
        for (depth, folder) in start.ancestors().enumerate() {
            folders.push(folder.join("budgets"));
            if folder.join(".git").exists() || (!in_repository && depth == 1) {
                break;
            }
        }
    }
    folders.push(PathBuf::from("budgets"));
    let mut seen = std::collections::HashSet::new();
    folders.retain(|f| seen.insert(f.clone()));
    folders
}

/// The first of `folders` that exists, else the built-in profile.
fn load_default(folders: &[PathBuf]) -> Result<Profiles, ConfigError> {
    if let Some(dir) = folders.iter().find(|f| f.is_dir()) {
        return load_path(dir);
    }
    let src = Source::new(Path::new(BUILTIN_PATH), BUILTIN_DEFAULT);
    let profile = parse_profile(&src, "default")?;
    let looked: Vec<String> = folders.iter().map(|f| f.display().to_string()).collect();
    Ok(Profiles {
        map: BTreeMap::from([(profile.name.clone(), profile)]),
        origin: format!(
            "built in (no budgets folder at {}; point `--budgets` at one)",
            looked.join(", ")
        ),
    })
}

fn load_path(path: &Path) -> Result<Profiles, ConfigError> {
    let mut map: BTreeMap<String, BudgetProfile> = BTreeMap::new();
    for file in super::toml_files(path)? {
        let text = super::read(&file)?;
        let src = Source::new(&file, &text);
        let name = file
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        if let Some(first) = map.get(&name) {
            return Err(src.error(format!(
                "duplicate budget profile `{name}`: {} is named the same",
                first.source.display()
            )));
        }
        map.insert(name.clone(), parse_profile(&src, &name)?);
    }
    Ok(Profiles {
        map,
        origin: format!("in {}", path.display()),
    })
}

/// Parses and validates one profile file.
fn parse_profile(src: &Source, name: &str) -> Result<BudgetProfile, ConfigError> {
    let raw: RawLimits = src.parse()?;
    let base = resolve(src, &raw, &RawLimits::default())?;
    let mut overrides = BTreeMap::new();
    for (scenario, own) in raw
        .scenario
        .as_ref()
        .map(Spanned::get_ref)
        .into_iter()
        .flatten()
    {
        if let Some(nested) = &own.scenario {
            return Err(src.value_error(
                nested.span(),
                "scenario",
                "is not allowed inside `[scenario.NAME]`, only at the top of the file",
            ));
        }
        overrides.insert(scenario.clone(), resolve(src, own, &raw)?);
    }
    Ok(BudgetProfile {
        name: name.to_owned(),
        source: src.path.to_owned(),
        base,
        overrides,
    })
}
