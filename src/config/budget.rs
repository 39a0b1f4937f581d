//! Budget files: one profile per file, named after its stem, with base limits and
//! `[scenario.NAME.*]` overrides. Every override is resolved and validated when the file is
//! loaded, so a profile only ever hands out checked [`Budget`]s.

use std::collections::BTreeMap;
use std::fmt::Display;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use super::error::{ConfigError, Source};
use crate::judge::{Budget, Ceiling, Floor, Regression, Statistic};

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

/// The tables of a budget file as written; a missing table has no limits. `scenario` is
/// meaningful only at the top of a file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLimits {
    #[serde(default)]
    candles_per_sec: RawFloor,
    #[serde(default)]
    p95_stage_latency_ms: RawLatency,
    #[serde(default)]
    peak_rss_mb: RawCeiling,
    #[serde(default)]
    instructions_per_candle: RawCeiling,
    #[serde(default)]
    regression: RawRegression,
    scenario: Option<Spanned<BTreeMap<String, RawLimits>>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFloor {
    stat: Option<Spanned<Statistic>>,
    floor: Option<Spanned<f64>>,
    warn: Option<Spanned<f64>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCeiling {
    ceiling: Option<Spanned<f64>>,
    warn: Option<Spanned<f64>>,
}

/// The stage latency's ceiling, which also states the batch size it assumes.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLatency {
    ceiling: Option<Spanned<f64>>,
    warn: Option<Spanned<f64>>,
    batch_size: Option<Spanned<i64>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRegression {
    stat: Option<Spanned<Statistic>>,
    warn_pct: Option<Spanned<f64>>,
    fail_pct: Option<Spanned<f64>>,
    exact_warn_pct: Option<Spanned<f64>>,
    exact_fail_pct: Option<Spanned<f64>>,
}

/// A field of the table being checked, else of the base it overrides.
fn pick<'a, T>(
    own: &'a Option<Spanned<T>>,
    base: &'a Option<Spanned<T>>,
) -> Option<&'a Spanned<T>> {
    own.as_ref().or(base.as_ref())
}

/// The budget of the tables in `own`, each field falling back to `base` (for the base itself,
/// `base` is empty). Values are checked where they are written; a warn level on the wrong side
/// of its limit is reported at whichever of the two `own` sets.
fn resolve(src: &Source, own: &RawLimits, base: &RawLimits) -> Result<Budget, ConfigError> {
    let (cps, base_cps) = (&own.candles_per_sec, &base.candles_per_sec);
    let floor = Floor {
        stat: pick(&cps.stat, &base_cps.stat).map_or_else(Statistic::default, |s| *s.get_ref()),
        floor: limit(src, pick(&cps.floor, &base_cps.floor), "floor")?,
        warn: limit(src, pick(&cps.warn, &base_cps.warn), "warn")?,
    };
    warn_side(
        src,
        Level {
            key: "warn",
            value: floor.warn,
            own: cps.warn.as_ref(),
        },
        Level {
            key: "floor",
            value: floor.floor,
            own: cps.floor.as_ref(),
        },
        true,
        "warn is the early alarm above the floor",
    )?;
    let (lat, base_lat) = (&own.p95_stage_latency_ms, &base.p95_stage_latency_ms);
    let p95_stage_latency_ms = Ceiling {
        batch_size: batch_size(src, pick(&lat.batch_size, &base_lat.batch_size))?,
        ..ceiling(
            src,
            &RawCeiling {
                ceiling: lat.ceiling.clone(),
                warn: lat.warn.clone(),
            },
            &RawCeiling {
                ceiling: base_lat.ceiling.clone(),
                warn: base_lat.warn.clone(),
            },
        )?
    };
    let peak_rss_mb = ceiling(src, &own.peak_rss_mb, &base.peak_rss_mb)?;
    let instructions_per_candle = ceiling(
        src,
        &own.instructions_per_candle,
        &base.instructions_per_candle,
    )?;

    let (reg, base_reg) = (&own.regression, &base.regression);
    let defaults = Regression::default();
    let regression = Regression {
        stat: pick(&reg.stat, &base_reg.stat).map_or(defaults.stat, |s| *s.get_ref()),
        warn_pct: limit(src, pick(&reg.warn_pct, &base_reg.warn_pct), "warn_pct")?
            .unwrap_or(defaults.warn_pct),
        fail_pct: limit(src, pick(&reg.fail_pct, &base_reg.fail_pct), "fail_pct")?
            .unwrap_or(defaults.fail_pct),
        exact_warn_pct: limit(
            src,
            pick(&reg.exact_warn_pct, &base_reg.exact_warn_pct),
            "exact_warn_pct",
        )?
        .unwrap_or(defaults.exact_warn_pct),
        exact_fail_pct: limit(
            src,
            pick(&reg.exact_fail_pct, &base_reg.exact_fail_pct),
            "exact_fail_pct",
        )?
        .unwrap_or(defaults.exact_fail_pct),
    };
    warn_side(
        src,
        Level {
            key: "warn_pct",
            value: Some(regression.warn_pct),
            own: reg.warn_pct.as_ref(),
        },
        Level {
            key: "fail_pct",
            value: Some(regression.fail_pct),
            own: reg.fail_pct.as_ref(),
        },
        false,
        "a change warns before it fails (defaults: `warn_pct` 5, `fail_pct` 15)",
    )?;
    warn_side(
        src,
        Level {
            key: "exact_warn_pct",
            value: Some(regression.exact_warn_pct),
            own: reg.exact_warn_pct.as_ref(),
        },
        Level {
            key: "exact_fail_pct",
            value: Some(regression.exact_fail_pct),
            own: reg.exact_fail_pct.as_ref(),
        },
        false,
        "a change warns before it fails (defaults: `exact_warn_pct` 0.5, `exact_fail_pct` 2)",
    )?;
    Ok(Budget {
        candles_per_sec: floor,
        p95_stage_latency_ms,
        peak_rss_mb,
        instructions_per_candle,
        regression,
    })
}

fn ceiling(src: &Source, own: &RawCeiling, base: &RawCeiling) -> Result<Ceiling, ConfigError> {
    let resolved = Ceiling {
        ceiling: limit(src, pick(&own.ceiling, &base.ceiling), "ceiling")?,
        warn: limit(src, pick(&own.warn, &base.warn), "warn")?,
        batch_size: None,
    };
    warn_side(
        src,
        Level {
            key: "warn",
            value: resolved.warn,
            own: own.warn.as_ref(),
        },
        Level {
            key: "ceiling",
            value: resolved.ceiling,
            own: own.ceiling.as_ref(),
        },
        false,
        "warn is the early alarm below the ceiling",
    )?;
    Ok(resolved)
}

/// The batch size a latency ceiling assumes: a valid engine batch size.
fn batch_size(src: &Source, v: Option<&Spanned<i64>>) -> Result<Option<usize>, ConfigError> {
    let Some(v) = v else { return Ok(None) };
    let got = *v.get_ref();
    if (1..=100_000_000).contains(&got) {
        Ok(Some(got as usize))
    } else {
        Err(src.value_error(
            v.span(),
            "batch_size",
            format_args!("must be an engine batch size from 1 to 100000000, got {got}"),
        ))
    }
}

/// A limit must be a finite number greater than 0.
fn limit(src: &Source, v: Option<&Spanned<f64>>, key: &str) -> Result<Option<f64>, ConfigError> {
    let Some(v) = v else { return Ok(None) };
    let got = *v.get_ref();
    if got.is_finite() && got > 0.0 {
        Ok(Some(got))
    } else {
        Err(src.value_error(
            v.span(),
            key,
            format_args!("must be a finite number greater than 0, got {got}"),
        ))
    }
}

/// A warn level or its hard limit, resolved, with its span where the checked table sets it.
struct Level<'a> {
    key: &'static str,
    value: Option<f64>,
    own: Option<&'a Spanned<f64>>,
}

/// Checks that `warn` sits on its side of `hard`: at or above it (`above`, a floor) or at or
/// below it. The error points at `warn` if the checked table sets it, else at `hard`; when it
/// sets neither, both were checked with the base already.
fn warn_side(
    src: &Source,
    warn: Level,
    hard: Level,
    above: bool,
    why: impl Display,
) -> Result<(), ConfigError> {
    let (Some(w), Some(h)) = (warn.value, hard.value) else {
        return Ok(());
    };
    if (above && w >= h) || (!above && w <= h) {
        return Ok(());
    }
    let (toward, away) = if above {
        ("at least", "at most")
    } else {
        ("at most", "at least")
    };
    if let Some(at) = warn.own {
        return Err(src.value_error(
            at.span(),
            warn.key,
            format_args!("({w}) must be {toward} `{}` ({h}): {why}", hard.key),
        ));
    }
    if let Some(at) = hard.own {
        return Err(src.value_error(
            at.span(),
            hard.key,
            format_args!("({h}) must be {away} `{}` ({w}): {why}", warn.key),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The profile in `budgets/p.toml` holding `text`, or its error as displayed.
    fn parse(text: &str) -> Result<BudgetProfile, String> {
        parse_profile(&Source::new(Path::new("budgets/p.toml"), text), "p")
            .map_err(|e| e.to_string())
    }

    fn runbook() -> Budget {
        crate::judge::runbook_budget()
    }

    #[test]
    fn the_built_in_default_is_the_shipped_file_and_the_runbooks_budget() {
        let shipped = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("budgets/default.toml"),
        )
        .unwrap();
        assert_eq!(BUILTIN_DEFAULT, shipped);
        let profile = parse(BUILTIN_DEFAULT).unwrap();
        assert_eq!(profile.resolve("anything"), runbook());
    }

    #[test]
    fn missing_tables_mean_no_limits() {
        assert_eq!(parse("").unwrap().resolve("x"), Budget::default());
        let b = parse("[peak_rss_mb]\nceiling = 1024\n")
            .unwrap()
            .resolve("x");
        assert_eq!(
            b,
            Budget {
                peak_rss_mb: Ceiling {
                    ceiling: Some(1024.0),
                    warn: None,
                    batch_size: None,
                },
                ..Budget::default()
            }
        );
    }

    #[test]
    fn a_scenario_override_replaces_only_the_fields_it_sets() {
        let profile = parse(&format!(
            "{BUILTIN_DEFAULT}\n[scenario.btc-1m.candles_per_sec]\nfloor = 2000\nwarn = 2500\n\
             [scenario.btc-1m.regression]\nfail_pct = 25\n\
             [scenario.\"eth.v2\".p95_stage_latency_ms]\nwarn = 45\n"
        ))
        .unwrap();
        let btc = profile.resolve("btc-1m");
        assert_eq!(
            btc.candles_per_sec,
            Floor {
                stat: Statistic::Min,
                floor: Some(2000.0),
                warn: Some(2500.0)
            }
        );
        assert_eq!(
            btc.regression,
            Regression {
                fail_pct: 25.0,
                ..runbook().regression
            }
        );
        assert_eq!(btc.p95_stage_latency_ms, runbook().p95_stage_latency_ms);
        assert_eq!(
            profile.resolve("eth.v2").p95_stage_latency_ms,
            Ceiling {
                ceiling: Some(50.0),
                warn: Some(45.0),
                batch_size: Some(4096),
            }
        );
        assert_eq!(profile.resolve("other"), runbook());
    }

    #[test]
    fn a_floors_warn_below_the_floor_is_rejected() {
        assert_eq!(
            parse("[candles_per_sec]\nfloor = 833\nwarn = 800\n").unwrap_err(),
            "budgets/p.toml:3:8: `candles_per_sec.warn` (800) must be at least `floor` (833): \
             warn is the early alarm above the floor"
        );
    }

    #[test]
    fn a_ceilings_warn_above_the_ceiling_is_rejected() {
        assert_eq!(
            parse("[peak_rss_mb]\nceiling = 100\nwarn = 120\n").unwrap_err(),
            "budgets/p.toml:3:8: `peak_rss_mb.warn` (120) must be at most `ceiling` (100): \
             warn is the early alarm below the ceiling"
        );
    }

    #[test]
    fn an_override_that_crosses_an_inherited_warn_is_reported_where_it_is_written() {
        // The line after the shipped file's last one.
        let line = BUILTIN_DEFAULT.lines().count() + 2;
        let err = parse(&format!(
            "{BUILTIN_DEFAULT}[scenario.big.candles_per_sec]\nfloor = 2000\n"
        ))
        .unwrap_err();
        assert!(
            err.starts_with(&format!("budgets/p.toml:{line}:9: `scenario.big.candles_per_sec.floor` (2000) must be at most `warn` (900)")),
            "{err}"
        );
        let err = parse(&format!(
            "{BUILTIN_DEFAULT}[scenario.big.p95_stage_latency_ms]\nwarn = 60\n"
        ))
        .unwrap_err();
        assert!(err.starts_with(&format!("budgets/p.toml:{line}:8: `scenario.big.p95_stage_latency_ms.warn` (60) must be at most")), "{err}");
    }

    #[test]
    fn regression_thresholds_must_warn_before_they_fail() {
        let err = parse("[regression]\nwarn_pct = 20\n").unwrap_err();
        assert!(
            err.starts_with(
                "budgets/p.toml:2:12: `regression.warn_pct` (20) must be at most `fail_pct` (15)"
            ),
            "{err}"
        );
        let err = parse("[regression]\nwarn_pct = 0\n").unwrap_err();
        assert_eq!(err, "budgets/p.toml:2:12: `regression.warn_pct` must be a finite number greater than 0, got 0");
        assert_eq!(
            parse("[regression]\nwarn_pct = 15\n")
                .unwrap()
                .resolve("x")
                .regression
                .warn_pct,
            15.0
        );
    }

    #[test]
    fn instruction_budgets_and_exact_thresholds_are_read_and_checked() {
        let b = parse(
            "[instructions_per_candle]\nceiling = 240\nwarn = 230\n\
             [regression]\nexact_warn_pct = 0.25\nexact_fail_pct = 1\n",
        )
        .unwrap()
        .resolve("x");
        assert_eq!(
            b.instructions_per_candle,
            Ceiling {
                ceiling: Some(240.0),
                warn: Some(230.0),
                batch_size: None,
            }
        );
        assert_eq!(
            (b.regression.exact_warn_pct, b.regression.exact_fail_pct),
            (0.25, 1.0)
        );
        let defaults = parse("").unwrap().resolve("x").regression;
        assert_eq!(
            (defaults.exact_warn_pct, defaults.exact_fail_pct),
            (0.5, 2.0)
        );
        let err = parse("[regression]\nexact_warn_pct = 3\n").unwrap_err();
        assert!(
            err.starts_with(
                "budgets/p.toml:2:18: `regression.exact_warn_pct` (3) must be at most `exact_fail_pct` (2)"
            ),
            "{err}"
        );
        let err = parse("[instructions_per_candle]\nceiling = 200\nwarn = 210\n").unwrap_err();
        assert!(
            err.starts_with(
                "budgets/p.toml:3:8: `instructions_per_candle.warn` (210) must be at most"
            ),
            "{err}"
        );
    }

    #[test]
    fn limits_must_be_finite_and_positive() {
        for (text, key) in [
            ("[candles_per_sec]\nfloor = 0\n", "candles_per_sec.floor"),
            ("[candles_per_sec]\nwarn = -1\n", "candles_per_sec.warn"),
            (
                "[p95_stage_latency_ms]\nceiling = inf\n",
                "p95_stage_latency_ms.ceiling",
            ),
            ("[peak_rss_mb]\nwarn = nan\n", "peak_rss_mb.warn"),
            ("[regression]\nfail_pct = -15\n", "regression.fail_pct"),
        ] {
            let err = parse(text).unwrap_err();
            assert!(err.starts_with("budgets/p.toml:2:"), "{err}");
            assert!(
                err.contains(&format!(
                    "`{key}` must be a finite number greater than 0, got "
                )),
                "{err}"
            );
        }
    }

    #[test]
    fn statistics_and_keys_are_checked_against_what_exists() {
        assert_eq!(
            parse("[candles_per_sec]\nstat = 'max'\n").unwrap_err(),
            "budgets/p.toml:2:8: `candles_per_sec.stat` must be one of `min`, `median`, `p95`, `mean`, got `max`"
        );
        assert_eq!(
            parse("[p95_stage_latency_ms]\nfloor = 3\n").unwrap_err(),
            "budgets/p.toml:2:1: unknown key `p95_stage_latency_ms.floor`, expected one of `ceiling`, `warn`, `batch_size`"
        );
        let err = parse("[scenario.a.scenario.b.regression]\nfail_pct = 1\n").unwrap_err();
        assert!(
            err.starts_with("budgets/p.toml:1:13: `scenario.a.scenario` is not allowed inside"),
            "{err}"
        );
    }

    #[test]
    fn without_a_budgets_folder_the_default_source_is_the_built_in_profile() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("budgets");
        let profiles = load_default(std::slice::from_ref(&missing)).unwrap();
        assert_eq!(profiles.map.keys().collect::<Vec<_>>(), ["default"]);
        assert_eq!(profiles.map["default"].resolve("x"), runbook());
        assert_eq!(profiles.map["default"].source(), Path::new(BUILTIN_PATH));

        std::fs::create_dir(&missing).unwrap();
        std::fs::write(
            missing.join("strict.toml"),
            "[candles_per_sec]\nfloor = 5000\n",
        )
        .unwrap();
        let profiles = load_default(std::slice::from_ref(&missing)).unwrap();
        assert_eq!(profiles.map.keys().collect::<Vec<_>>(), ["strict"]);
        assert_eq!(profiles.map["strict"].name(), "strict");
    }

    #[test]
    fn a_budget_folder_that_does_not_exist_is_an_error_naming_it() {
        let err = load(&BudgetSource::Dir("no/such/budgets".into()), &[]).unwrap_err();
        assert_eq!(err.to_string(), "no/such/budgets: no such file or folder");
    }

    #[test]
    fn a_budget_source_may_be_one_file_and_profiles_are_unique_by_stem() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("a")).unwrap();
        std::fs::create_dir_all(dir.path().join("b")).unwrap();
        std::fs::write(dir.path().join("a/ci.toml"), "").unwrap();
        std::fs::write(dir.path().join("b/ci.toml"), "").unwrap();
        let one = load(&BudgetSource::Dir(dir.path().join("a/ci.toml")), &[]).unwrap();
        assert_eq!(one.map.keys().collect::<Vec<_>>(), ["ci"]);
        let err = load(&BudgetSource::Dir(dir.path().to_owned()), &[]).unwrap_err();
        assert_eq!(err.path(), dir.path().join("b/ci.toml"));
        assert!(
            err.message().starts_with("duplicate budget profile `ci`: "),
            "{err}"
        );
        assert!(err.message().contains("a/ci.toml"), "{err}");
    }
}
