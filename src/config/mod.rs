//! Scenario and budget files: found, read, parsed into serde mirrors of the TOML, then
//! validated into the domain types the runner uses. No TOML type leaves this module.
//!
//! Parsing is two steps. The raw mirrors keep every field optional and spanned, so validation
//! can name the line and column of any value it rejects; validation fills in defaults and
//! checks ranges in one pass. The suite-wide checks (unique names, known budget profiles) run in
//! [`load_suite`], while each file's text is still at hand for the error's position.

mod budget;
mod error;
mod inputs;
mod measure;
mod name;
mod scenario;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

pub use budget::{BudgetProfile, BudgetSource};
pub use error::ConfigError;
pub use measure::{Measure, DEFAULT_INSTRUCTION_REPEATS, MEASUREMENTS};
pub use name::{matches_filter, name_problem, RESERVED_NAMES};
pub use scenario::{
    Scenario, CANDLES, DEFAULT_BUDGET, DEFAULT_REPEATS, DEFAULT_SEED, DEFAULT_SYMBOL,
    DEFAULT_WARMUP, REPEATS, WARMUP,
};

use crate::judge::Budget;
use error::{Places, Source};

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
        // cannot panic: load_suite refuses a scenario whose profile it did not load.
        let profile = self.budgets.get(&scenario.budget).unwrap_or_else(|| {
            panic!(
                "scenario `{}` uses budget profile `{}`, which is not in the suite",
                scenario.name, scenario.budget
            )
        });
        profile.resolve(&scenario.name)
    }
}

/// Finds, parses and validates the scenarios in `paths` (files, or folders searched
/// recursively for `*.toml`) and the budget profiles of `budgets`, and checks them against
/// each other. The first problem found is the error.
pub fn load_suite(paths: &[PathBuf], budgets: &BudgetSource) -> Result<Suite, ConfigError> {
    let profiles = budget::load(budgets, paths)?;
    let mut scenarios: Vec<Scenario> = Vec::new();
    let mut first_seen: HashMap<String, String> = HashMap::new();
    for file in scenario_files(paths)? {
        let text = read(&file)?;
        let src = Source::new(&file, &text);
        let mut places = Places::new(src);
        for parsed in scenario::parse_file(&src)? {
            check_profile(&src, &parsed, &profiles)?;
            let name = &parsed.scenario.name;
            if let Some(first) = first_seen.get(name) {
                let message = format!("duplicate scenario name `{name}`: also defined at {first}");
                return Err(src.error_near(parsed.name_span.clone(), message));
            }
            first_seen.insert(name.clone(), places.place(parsed.name_span.clone()));
            scenarios.push(parsed.scenario);
        }
    }
    Ok(Suite {
        scenarios,
        budgets: profiles.map,
    })
}

/// The scenario's `budget` must name a profile that exists.
fn check_profile(
    src: &Source,
    parsed: &scenario::Parsed,
    profiles: &budget::Profiles,
) -> Result<(), ConfigError> {
    let s = &parsed.scenario;
    if profiles.map.contains_key(&s.budget) {
        return Ok(());
    }
    let known: Vec<String> = profiles.map.keys().map(|k| format!("`{k}`")).collect();
    let known = if known.is_empty() {
        "none".to_owned()
    } else {
        known.join(", ")
    };
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
    let mut seen = HashSet::new();
    for path in paths {
        let found = toml_files(path)?;
        if found.is_empty() {
            return Err(ConfigError::file(
                path,
                "no scenario files (`*.toml`) in this folder",
            ));
        }
        for file in found {
            let identity = fs::canonicalize(&file).unwrap_or_else(|_| file.clone());
            if seen.insert(identity) {
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

/// The text of `path`, or an error naming it: a regular file of at most 64 MiB
/// ([`crate::input`]), so a FIFO named `x.toml` or a link to `/dev/zero` is refused, not read.
pub(crate) fn read(path: &Path) -> Result<String, ConfigError> {
    crate::input::read_input_text(path).map_err(|e| io_error(path, &e))
}

fn io_error(path: &Path, e: &std::io::Error) -> ConfigError {
    match e.kind() {
        ErrorKind::NotFound => ConfigError::file(path, "no such file or folder"),
        _ => ConfigError::file(path, format!("cannot read: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use tempfile::TempDir;

    use super::*;
    use crate::judge::{Floor, Statistic};

    /// A temp dir holding `files` (relative path, contents). Unless `files` has its own
    /// budgets, `budgets/default.toml` is the shipped one.
    fn fixture(files: &[(&str, &str)]) -> TempDir {
        let dir = tempfile::tempdir().unwrap();
        let mut all = files.to_vec();
        if !files.iter().any(|(path, _)| path.starts_with("budgets/")) {
            all.push(("budgets/default.toml", budget::BUILTIN_DEFAULT));
        }
        for (path, contents) in all {
            let path = dir.path().join(path);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, contents).unwrap();
        }
        dir
    }

    /// Loads `paths` (relative to `dir`) with the budgets in `dir/budgets`; an error comes back
    /// as displayed, with the temp dir's path left out.
    fn load(dir: &TempDir, paths: &[&str]) -> Result<Suite, String> {
        let paths: Vec<PathBuf> = paths.iter().map(|p| dir.path().join(p)).collect();
        load_suite(&paths, &BudgetSource::Dir(dir.path().join("budgets"))).map_err(|e| {
            e.to_string()
                .replace(&format!("{}/", dir.path().display()), "")
        })
    }

    fn names(suite: &Suite) -> Vec<&str> {
        suite.scenarios.iter().map(|s| s.name.as_str()).collect()
    }

    #[test]
    fn folders_are_searched_recursively_in_sorted_order() {
        let dir = fixture(&[
            ("scenarios/b.toml", "candles = 1\n"),
            ("scenarios/a/z.toml", "candles = 1\n"),
            (
                "scenarios/a/y.toml",
                "[[scenario]]\nname = 'y2'\ncandles = 1\n[[scenario]]\nname = 'y1'\ncandles = 1\n",
            ),
            ("scenarios/a.toml", "candles = 1\n"),
            ("scenarios/notes.md", "not a scenario"),
            ("scenarios/.hidden/h.toml", "candles = 1\n"),
            ("scenarios/.draft.toml", "candles = 1\n"),
        ]);
        let suite = load(&dir, &["scenarios"]).unwrap();
        assert_eq!(names(&suite), ["y2", "y1", "z", "a", "b"]);
        assert_eq!(
            suite.scenarios[2].source,
            dir.path().join("scenarios/a/z.toml")
        );
    }

    #[test]
    fn paths_are_taken_in_the_order_given_and_each_file_once() {
        let dir = fixture(&[
            ("s/a.toml", "candles = 1\n"),
            ("s/b.toml", "candles = 1\n"),
            ("extra.txt", "candles = 1\n"),
        ]);
        let suite = load(&dir, &["s/b.toml", "s", "extra.txt"]).unwrap();
        assert_eq!(names(&suite), ["b", "a", "extra"]);
    }

    #[test]
    fn a_path_that_does_not_exist_or_holds_no_scenarios_is_an_error_naming_it() {
        let dir = fixture(&[("empty/readme.md", "")]);
        assert_eq!(
            load(&dir, &["nope"]).unwrap_err(),
            "nope: no such file or folder"
        );
        assert_eq!(
            load(&dir, &["empty"]).unwrap_err(),
            "empty: no scenario files (`*.toml`) in this folder"
        );
    }

    #[test]
    fn duplicate_names_across_files_name_both_files() {
        let dir = fixture(&[
            ("s/a.toml", "name = 'btc'\ncandles = 1\n"),
            ("s/b/btc.toml", "candles = 1\n"),
        ]);
        assert_eq!(
            load(&dir, &["s"]).unwrap_err(),
            "s/b/btc.toml: duplicate scenario name `btc`: also defined at s/a.toml:1:8"
        );
    }

    #[test]
    fn a_budget_naming_no_existing_profile_lists_the_profiles() {
        let dir = fixture(&[
            ("s/a.toml", "candles = 1\nbudget = 'fast'\n"),
            ("budgets/default.toml", ""),
            ("budgets/slow.toml", ""),
        ]);
        assert_eq!(
            load(&dir, &["s"]).unwrap_err(),
            "s/a.toml:2:10: `budget` names profile `fast`, which does not exist; profiles in budgets: `default`, `slow`"
        );
        let dir = fixture(&[("s/a.toml", "candles = 1\n"), ("budgets/slow.toml", "")]);
        let err = load(&dir, &["s"]).unwrap_err();
        assert!(err.starts_with("s/a.toml: scenario `a` sets no `budget`, and the default profile `default` does not exist"), "{err}");
    }

    #[test]
    fn overrides_for_scenarios_outside_the_suite_are_left_alone() {
        let budget = format!(
            "{}\n[scenario.elsewhere.candles_per_sec]\nfloor = 1000\nwarn = 1200\n",
            budget::BUILTIN_DEFAULT
        );
        let dir = fixture(&[
            ("s/a.toml", "candles = 1\n"),
            ("budgets/default.toml", &budget),
        ]);
        assert!(load(&dir, &["s"]).is_ok());
    }

    #[test]
    fn the_suite_resolves_each_scenarios_budget_with_its_overrides() {
        let strict = "[candles_per_sec]\nstat = 'median'\nfloor = 1000\nwarn = 1200\n\
                      [scenario.big.candles_per_sec]\nwarn = 1500\n";
        let dir = fixture(&[
            ("s/big.toml", "candles = 1\nbudget = 'strict'\n"),
            ("s/small.toml", "candles = 1\nbudget = 'strict'\n"),
            ("s/plain.toml", "candles = 1\n"),
            ("budgets/strict.toml", strict),
            ("budgets/default.toml", budget::BUILTIN_DEFAULT),
        ]);
        let suite = load(&dir, &["s"]).unwrap();
        let by_name = |n: &str| suite.scenarios.iter().find(|s| s.name == n).unwrap();
        let floor = |n: &str| suite.budget_for(by_name(n)).candles_per_sec;
        assert_eq!(
            floor("big"),
            Floor {
                stat: Statistic::Median,
                floor: Some(1000.0),
                warn: Some(1500.0)
            }
        );
        assert_eq!(
            floor("small"),
            Floor {
                stat: Statistic::Median,
                floor: Some(1000.0),
                warn: Some(1200.0)
            }
        );
        assert_eq!(floor("plain").floor, Some(833.0));
        assert_eq!(
            suite.budgets.keys().collect::<Vec<_>>(),
            ["default", "strict"]
        );
    }

    /// Every kind of mistake names file, line, column and key.
    #[test]
    fn every_invalid_file_names_file_line_column_and_key() {
        let cases = [
            (
                "malformed TOML",
                "s/x.toml",
                "candles = = 1\n",
                "s/x.toml:1:11:",
                "invalid TOML",
            ),
            (
                "unknown key",
                "s/x.toml",
                "candles = 1\nrepets = 3\n",
                "s/x.toml:2:1:",
                "unknown key `repets`",
            ),
            (
                "wrong type",
                "s/x.toml",
                "candles = '1'\n",
                "s/x.toml:1:11:",
                "`candles` must be an integer",
            ),
            (
                "out of range",
                "s/x.toml",
                "candles = 1\nrepeats = 0\n",
                "s/x.toml:2:11:",
                "`repeats` must be at least 1",
            ),
            (
                "engine value",
                "s/x.toml",
                "candles = 1\n[engine]\nema_fast = 0\n",
                "s/x.toml:3:12:",
                "`engine.ema_fast`",
            ),
            (
                "engine key",
                "s/x.toml",
                "candles = 1\n[engine]\nfast = 1\n",
                "s/x.toml:3:1:",
                "unknown key `engine.fast`",
            ),
            (
                "path-like name",
                "s/x.toml",
                "name = 'a/b'\ncandles = 1\n",
                "s/x.toml:1:8:",
                "`name` must be",
            ),
            (
                "budget floor",
                "budgets/default.toml",
                "[candles_per_sec]\nfloor = 9\nwarn = 8\n",
                "budgets/default.toml:3:8:",
                "`candles_per_sec.warn`",
            ),
            (
                "budget ceiling",
                "budgets/default.toml",
                "[peak_rss_mb]\nceiling = 9\nwarn = 10\n",
                "budgets/default.toml:3:8:",
                "`peak_rss_mb.warn`",
            ),
            (
                "budget key",
                "budgets/default.toml",
                "[regression]\nwarn = 1\n",
                "budgets/default.toml:2:1:",
                "unknown key `regression.warn`",
            ),
        ];
        for (what, file, text, at, key) in cases {
            let mut files = vec![(file, text)];
            if file.starts_with("budgets/") {
                files.push(("s/ok.toml", "candles = 1\n"));
            }
            let err = load(&fixture(&files), &["s"]).unwrap_err();
            assert!(err.starts_with(at) && err.contains(key), "{what}: {err}");
        }
    }

    #[test]
    fn the_shipped_scenarios_load_against_the_shipped_budgets() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let suite = load_suite(
            &[root.join("scenarios")],
            &BudgetSource::Dir(root.join("budgets")),
        )
        .unwrap();
        let summary: Vec<_> = suite
            .scenarios
            .iter()
            .map(|s| (s.name.as_str(), s.candles, s.repeats, s.symbol.as_str()))
            .collect();
        assert_eq!(
            summary,
            [
                ("btc-5m", Some(5_000_000), 3, "BTCUSDT"),
                ("btc-sample-data", None, 3, "BTCUSDT"),
                ("eth-200k", Some(200_000), 3, "ETHUSDT"),
                ("btc-1m", Some(1_000_000), 160, "BTCUSDT"),
                ("eth-1m", Some(1_000_000), 160, "ETHUSDT"),
                ("smoke-once", Some(200_000), 1, "BTCUSDT"),
                ("runbook-default", Some(200_000), 3, "BTCUSDT"),
                ("runbook-smoke", Some(50_000), 2, "BTCUSDT"),
            ]
        );
        assert!(suite
            .scenarios
            .iter()
            .all(|s| s.description.is_some() && s.seed == 1337));
        // The gate scenarios sample automatically and are judged by the `gate` profile; the
        // runbook's keep its limits.
        for s in &suite.scenarios {
            let gate = s.source.parent().is_some_and(|p| p.ends_with("gate"));
            let auto = s.auto.is_some();
            assert_eq!(auto, gate && s.repeats > 1, "{}", s.name);
            assert_eq!(s.budget == "gate", auto, "{}", s.name);
        }
    }

    #[test]
    fn main_error_messages_read_well() {
        let snapshot = |files: &[(&str, &str)]| {
            let mut files = files.to_vec();
            if !files.iter().any(|(p, _)| p.starts_with("s/")) {
                files.push(("s/ok.toml", "candles = 1\n"));
            }
            load(&fixture(&files), &["s"]).unwrap_err()
        };
        insta::assert_snapshot!(
            "unknown_key",
            snapshot(&[("s/btc.toml", "candles = 50000\nrepets = 3\n")])
        );
        insta::assert_snapshot!(
            "repeats_out_of_range",
            snapshot(&[("s/btc.toml", "candles = 50000\nseed = 1337\nrepeats = 0\n")])
        );
        insta::assert_snapshot!(
            "warn_below_floor",
            snapshot(&[(
                "budgets/default.toml",
                "[candles_per_sec]\nstat = \"min\"\nfloor = 833\nwarn = 800\n"
            )])
        );
        insta::assert_snapshot!(
            "unknown_profile",
            snapshot(&[("s/btc.toml", "candles = 50000\nbudget = \"nightly\"\n")])
        );
    }
}
