//! The limits of a budget file: its tables as written, and their resolution into a checked
//! [`Budget`], each field falling back to the profile's base, every value checked where it is
//! written and every warn level on its side of its hard limit.

use std::collections::BTreeMap;
use std::fmt::Display;

use serde::Deserialize;
use toml::Spanned;

use crate::config::error::{ConfigError, Source};
use crate::engine::settings::BATCH_SIZE;
use crate::judge::{number, Budget, Ceiling, Floor, Regression, Statistic};

/// The tables of a budget file as written; a missing table has no limits. `scenario` is
/// meaningful only at the top of a file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawLimits {
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
    pub(super) scenario: Option<Spanned<BTreeMap<String, RawLimits>>>,
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
pub(super) fn resolve(
    src: &Source,
    own: &RawLimits,
    base: &RawLimits,
) -> Result<Budget, ConfigError> {
    let (cps, base_cps) = (&own.candles_per_sec, &base.candles_per_sec);
    let floor = Floor {
        stat: pick(&cps.stat, &base_cps.stat).map_or_else(Statistic::default, |s| *s.get_ref()),
        floor: limit(src, pick(&cps.floor, &base_cps.floor), "floor")?,
        warn: limit(src, pick(&cps.warn, &base_cps.warn), "warn")?,
    };
    warn_side(
        src,
        Level::new("warn", floor.warn, &cps.warn),
        Level::new("floor", floor.floor, &cps.floor),
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

    let regression = regression(src, &own.regression, &base.regression)?;
    Ok(Budget {
        candles_per_sec: floor,
        p95_stage_latency_ms,
        peak_rss_mb,
        instructions_per_candle,
        regression,
    })
}

/// The `[regression]` thresholds: each checked where it is written, else its default; each pair
/// warns before it fails.
fn regression(
    src: &Source,
    reg: &RawRegression,
    base: &RawRegression,
) -> Result<Regression, ConfigError> {
    let defaults = Regression::default();
    let pct = |own, base, key, default| Ok(limit(src, pick(own, base), key)?.unwrap_or(default));
    let regression = Regression {
        stat: pick(&reg.stat, &base.stat).map_or(defaults.stat, |s| *s.get_ref()),
        warn_pct: pct(&reg.warn_pct, &base.warn_pct, "warn_pct", defaults.warn_pct)?,
        fail_pct: pct(&reg.fail_pct, &base.fail_pct, "fail_pct", defaults.fail_pct)?,
        exact_warn_pct: pct(
            &reg.exact_warn_pct,
            &base.exact_warn_pct,
            "exact_warn_pct",
            defaults.exact_warn_pct,
        )?,
        exact_fail_pct: pct(
            &reg.exact_fail_pct,
            &base.exact_fail_pct,
            "exact_fail_pct",
            defaults.exact_fail_pct,
        )?,
    };
    let pairs = [
        (
            Level::new("warn_pct", Some(regression.warn_pct), &reg.warn_pct),
            Level::new("fail_pct", Some(regression.fail_pct), &reg.fail_pct),
            (defaults.warn_pct, defaults.fail_pct),
        ),
        (
            Level::new(
                "exact_warn_pct",
                Some(regression.exact_warn_pct),
                &reg.exact_warn_pct,
            ),
            Level::new(
                "exact_fail_pct",
                Some(regression.exact_fail_pct),
                &reg.exact_fail_pct,
            ),
            (defaults.exact_warn_pct, defaults.exact_fail_pct),
        ),
    ];
    for (warn, fail, (warn_default, fail_default)) in pairs {
        let why = format!(
            "a change warns before it fails (defaults: `{}` {}, `{}` {})",
            warn.key,
            number(warn_default),
            fail.key,
            number(fail_default)
        );
        warn_side(src, warn, fail, false, why)?;
    }
    Ok(regression)
}

fn ceiling(src: &Source, own: &RawCeiling, base: &RawCeiling) -> Result<Ceiling, ConfigError> {
    let resolved = Ceiling {
        ceiling: limit(src, pick(&own.ceiling, &base.ceiling), "ceiling")?,
        warn: limit(src, pick(&own.warn, &base.warn), "warn")?,
        batch_size: None,
    };
    warn_side(
        src,
        Level::new("warn", resolved.warn, &own.warn),
        Level::new("ceiling", resolved.ceiling, &own.ceiling),
        false,
        "warn is the early alarm below the ceiling",
    )?;
    Ok(resolved)
}

/// The batch size a latency ceiling assumes: a valid engine batch size.
fn batch_size(src: &Source, v: Option<&Spanned<i64>>) -> Result<Option<usize>, ConfigError> {
    let Some(v) = v else { return Ok(None) };
    let got = *v.get_ref();
    match usize::try_from(got) {
        Ok(size) if BATCH_SIZE.contains(&size) => Ok(Some(size)),
        _ => Err(src.value_error(
            v.span(),
            "batch_size",
            format_args!(
                "must be an engine batch size from {} to {}, got {got}",
                BATCH_SIZE.start(),
                BATCH_SIZE.end()
            ),
        )),
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

impl<'a> Level<'a> {
    /// `key` resolved to `value`; `own` is the key as the checked table writes it, if it does.
    fn new(key: &'static str, value: Option<f64>, own: &'a Option<Spanned<f64>>) -> Self {
        Self {
            key,
            value,
            own: own.as_ref(),
        }
    }
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
