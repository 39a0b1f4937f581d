//! Budget files: one profile per file, named after its stem, with base limits and
//! `[scenario.NAME.*]` overrides. Every override is resolved and validated when the file is
//! loaded, so a profile only ever hands out checked [`Budget`]s.

use std::collections::BTreeMap;
use std::fmt::Display;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use super::error::{ConfigError, Source};
use crate::budget::{Budget, Ceiling, Floor, Regression, Statistic};

/// The shipped `budgets/default.toml`: the runbook's limits, used when there is no `budgets/`
/// folder.
pub(crate) const BUILTIN_DEFAULT: &str = include_str!("../../budgets/default.toml");

/// How the built-in profile's file is named in messages and in [`BudgetProfile::source`].
const BUILTIN_PATH: &str = "<built-in budgets/default.toml>";

/// Where budget profiles come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BudgetSource {
    /// `budgets/` in the current directory if that folder exists, else the built-in `default`
    /// profile (the runbook's limits).
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

/// Loads every profile `source` names.
pub(crate) fn load(source: &BudgetSource) -> Result<Profiles, ConfigError> {
    match source {
        BudgetSource::Default => load_default(Path::new("budgets")),
        BudgetSource::Dir(path) => load_path(path),
    }
}

/// `dir` if it is a folder, else the built-in profile.
fn load_default(dir: &Path) -> Result<Profiles, ConfigError> {
    if dir.is_dir() {
        return load_path(dir);
    }
    let src = Source::new(Path::new(BUILTIN_PATH), BUILTIN_DEFAULT);
    let profile = parse_profile(&src, "default")?;
    Ok(Profiles {
        map: BTreeMap::from([(profile.name.clone(), profile)]),
        origin: format!("built in (there is no {} folder)", dir.display()),
    })
}

fn load_path(path: &Path) -> Result<Profiles, ConfigError> {
    let mut map: BTreeMap<String, BudgetProfile> = BTreeMap::new();
    for file in super::toml_files(path)? {
        let text = super::read(&file)?;
        let src = Source::new(&file, &text);
        let name = file.file_stem().unwrap_or_default().to_string_lossy().into_owned();
        if let Some(first) = map.get(&name) {
            return Err(src.error(format!(
                "duplicate budget profile `{name}`: {} is named the same",
                first.source.display()
            )));
        }
        map.insert(name.clone(), parse_profile(&src, &name)?);
    }
    Ok(Profiles { map, origin: format!("in {}", path.display()) })
}

/// Parses and validates one profile file.
pub(crate) fn parse_profile(src: &Source, name: &str) -> Result<BudgetProfile, ConfigError> {
    let raw: RawLimits = src.parse()?;
    let base = resolve(src, &raw, &RawLimits::default())?;
    let mut overrides = BTreeMap::new();
    for (scenario, own) in raw.scenario.as_ref().map(Spanned::get_ref).into_iter().flatten() {
        if let Some(nested) = &own.scenario {
            return Err(src.value_error(
                nested.span(),
                "scenario",
                "is not allowed inside `[scenario.NAME]`, only at the top of the file",
            ));
        }
        overrides.insert(scenario.clone(), resolve(src, own, &raw)?);
    }
    Ok(BudgetProfile { name: name.to_owned(), source: src.path.to_owned(), base, overrides })
}

/// The tables of a budget file as written; a missing table has no limits. `scenario` is
/// meaningful only at the top of a file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLimits {
    #[serde(default)]
    candles_per_sec: RawFloor,
    #[serde(default)]
    p95_stage_latency_ms: RawCeiling,
    #[serde(default)]
    peak_rss_mb: RawCeiling,
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

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRegression {
    stat: Option<Spanned<Statistic>>,
    warn_pct: Option<Spanned<f64>>,
    fail_pct: Option<Spanned<f64>>,
}

/// A field of the table being checked, else of the base it overrides.
fn pick<'a, T>(own: &'a Option<Spanned<T>>, base: &'a Option<Spanned<T>>) -> Option<&'a Spanned<T>> {
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
        Level { key: "warn", value: floor.warn, own: cps.warn.as_ref() },
        Level { key: "floor", value: floor.floor, own: cps.floor.as_ref() },
        true,
        "warn is the early alarm above the floor",
    )?;
    let p95_stage_latency_ms = ceiling(src, &own.p95_stage_latency_ms, &base.p95_stage_latency_ms)?;
    let peak_rss_mb = ceiling(src, &own.peak_rss_mb, &base.peak_rss_mb)?;

    let (reg, base_reg) = (&own.regression, &base.regression);
    let defaults = Regression::default();
    let regression = Regression {
        stat: pick(&reg.stat, &base_reg.stat).map_or(defaults.stat, |s| *s.get_ref()),
        warn_pct: limit(src, pick(&reg.warn_pct, &base_reg.warn_pct), "warn_pct")?.unwrap_or(defaults.warn_pct),
        fail_pct: limit(src, pick(&reg.fail_pct, &base_reg.fail_pct), "fail_pct")?.unwrap_or(defaults.fail_pct),
    };
    warn_side(
        src,
        Level { key: "warn_pct", value: Some(regression.warn_pct), own: reg.warn_pct.as_ref() },
        Level { key: "fail_pct", value: Some(regression.fail_pct), own: reg.fail_pct.as_ref() },
        false,
        "a change warns before it fails (defaults: `warn_pct` 5, `fail_pct` 15)",
    )?;
    Ok(Budget { candles_per_sec: floor, p95_stage_latency_ms, peak_rss_mb, regression })
}

fn ceiling(src: &Source, own: &RawCeiling, base: &RawCeiling) -> Result<Ceiling, ConfigError> {
    let resolved = Ceiling {
        ceiling: limit(src, pick(&own.ceiling, &base.ceiling), "ceiling")?,
        warn: limit(src, pick(&own.warn, &base.warn), "warn")?,
    };
    warn_side(
        src,
        Level { key: "warn", value: resolved.warn, own: own.warn.as_ref() },
        Level { key: "ceiling", value: resolved.ceiling, own: own.ceiling.as_ref() },
        false,
        "warn is the early alarm below the ceiling",
    )?;
    Ok(resolved)
}

/// A limit must be a finite number greater than 0.
fn limit(src: &Source, v: Option<&Spanned<f64>>, key: &str) -> Result<Option<f64>, ConfigError> {
    let Some(v) = v else { return Ok(None) };
    let got = *v.get_ref();
    if got.is_finite() && got > 0.0 {
        Ok(Some(got))
    } else {
        Err(src.value_error(v.span(), key, format_args!("must be a finite number greater than 0, got {got}")))
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
fn warn_side(src: &Source, warn: Level, hard: Level, above: bool, why: impl Display) -> Result<(), ConfigError> {
    let (Some(w), Some(h)) = (warn.value, hard.value) else { return Ok(()) };
    if (above && w >= h) || (!above && w <= h) {
        return Ok(());
    }
    let (toward, away) = if above { ("at least", "at most") } else { ("at most", "at least") };
    if let Some(at) = warn.own {
        return Err(src.value_error(at.span(), warn.key, format_args!("({w}) must be {toward} `{}` ({h}): {why}", hard.key)));
    }
    if let Some(at) = hard.own {
        return Err(src.value_error(at.span(), hard.key, format_args!("({h}) must be {away} `{}` ({w}): {why}", warn.key)));
    }
    Ok(())
}
