//! `--repeats N|auto`, `--min-repeats`, `--max-repeats` and `--max-time`: the command line's
//! overrides of the scenarios' repeats, applied to the selected scenarios before anything runs.

use crate::cli::{RepeatsArg, SamplingArgs};
use crate::commands::Selection;
use crate::config::Scenario;
use crate::error::Error;

/// Applies `args` to `scenario`: `--repeats N` makes it a fixed count, `--repeats auto` makes it
/// automatic; the bounds apply to every automatic scenario (and are refused when nothing would
/// be automatic, where they would silently do nothing).
pub fn apply(scenario: &mut Scenario, args: &SamplingArgs) -> Result<(), Error> {
    let bounds_given =
        args.min_repeats.is_some() || args.max_repeats.is_some() || args.max_time_s.is_some();
    match args.repeats {
        Some(RepeatsArg::Count(n)) => {
            if bounds_given {
                return Err(Error::Input(format!(
                    "--min-repeats, --max-repeats and --max-time apply only with --repeats auto, not --repeats {n}"
                )));
            }
            scenario.repeats = n;
            scenario.auto = None;
            return Ok(());
        }
        Some(RepeatsArg::Auto) => {
            scenario.auto = Some(scenario.auto.unwrap_or_default());
        }
        None => {}
    }
    let Some(mut auto) = scenario.auto else {
        return Ok(());
    };
    if let Some(n) = args.min_repeats {
        auto.min_repeats = n;
        auto.max_repeats = auto.max_repeats.max(n);
    }
    if let Some(n) = args.max_repeats {
        auto.max_repeats = n;
    }
    if let Some(t) = args.max_time_s {
        if !(t.is_finite() && t > 0.0) {
            return Err(Error::Input(format!(
                "--max-time must be a finite number of seconds greater than 0, got {t}"
            )));
        }
        auto.max_time_s = t;
    }
    if auto.max_repeats < auto.min_repeats {
        return Err(Error::Input(format!(
            "scenario `{}`: --max-repeats ({}) must be at least the minimum repeats ({})",
            scenario.name, auto.max_repeats, auto.min_repeats
        )));
    }
    scenario.repeats = auto.max_repeats;
    scenario.auto = Some(auto);
    Ok(())
}

/// Applies `args` to every chosen scenario of `selection`.
pub fn apply_all(selection: &mut Selection, args: &SamplingArgs) -> Result<(), Error> {
    for &i in &selection.chosen {
        apply(&mut selection.suite.scenarios[i], args)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::settings::EngineSettings;
    use crate::sampling::AutoRepeats;

    fn scenario(auto: Option<AutoRepeats>) -> Scenario {
        Scenario {
            name: "s".into(),
            description: None,
            candles: Some(10),
            seed: 1,
            repeats: auto.map_or(3, |a| a.max_repeats),
            auto,
            warmup: 1,
            symbol: "BTCUSDT".into(),
            budget: "default".into(),
            timeout_s: None,
            engine: EngineSettings::default(),
            measure: Default::default(),
            command: None,
            data: None,
            source: "s.toml".into(),
        }
    }

    #[test]
    fn repeats_auto_makes_a_fixed_scenario_automatic_with_the_default_bounds() {
        let mut s = scenario(None);
        let args = SamplingArgs {
            repeats: Some(RepeatsArg::Auto),
            max_repeats: Some(12),
            ..SamplingArgs::default()
        };
        apply(&mut s, &args).unwrap();
        let auto = s.auto.unwrap();
        assert_eq!((auto.min_repeats, auto.max_repeats, s.repeats), (5, 12, 12));
    }

    #[test]
    fn a_count_makes_every_scenario_fixed_and_refuses_bounds() {
        let mut s = scenario(Some(AutoRepeats::default()));
        let args = SamplingArgs {
            repeats: Some(RepeatsArg::Count(2)),
            ..SamplingArgs::default()
        };
        apply(&mut s, &args).unwrap();
        assert_eq!((s.repeats, s.auto), (2, None));
        let args = SamplingArgs {
            repeats: Some(RepeatsArg::Count(2)),
            max_time_s: Some(5.0),
            ..SamplingArgs::default()
        };
        assert!(apply(&mut s, &args).is_err());
    }

    #[test]
    fn bounds_alone_change_only_automatic_scenarios() {
        let args = SamplingArgs {
            max_time_s: Some(7.5),
            ..SamplingArgs::default()
        };
        let mut fixed = scenario(None);
        apply(&mut fixed, &args).unwrap();
        assert_eq!((fixed.repeats, fixed.auto), (3, None));
        let mut auto = scenario(Some(AutoRepeats::default()));
        apply(&mut auto, &args).unwrap();
        assert_eq!(auto.auto.unwrap().max_time_s, 7.5);
        let bad = SamplingArgs {
            min_repeats: Some(9),
            max_repeats: Some(6),
            ..SamplingArgs::default()
        };
        assert!(apply(&mut auto, &bad).is_err());
    }
}
