//! A calibration written out: the table for people, JSON for tools, and the suggested settings
//! (`calibrate --write FILE`), a TOML file to review, not one perfsuite reads.

use serde::Serialize;

use super::Noise;
use crate::judge::number;
use crate::output::escape::escaped;
use crate::output::table::{finish_table, new_table, width};

/// One scenario's calibration.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioCalibration {
    /// The scenario's name.
    pub scenario: String,
    /// Rounds of this build against itself that were measured.
    pub rounds: u32,
    /// Mean wall time of a round (one run on each side), in seconds.
    pub round_s: f64,
    /// The noise.
    pub noise: Noise,
    /// The scenario's repeats as `ab` would take them: `"auto"` or a count.
    pub repeats: String,
    /// The most rounds `ab` would take, within `max_repeats` and `max_time_s`.
    pub most_rounds: u32,
    /// The budget's warn threshold, in percent.
    pub warn_pct: f64,
    /// The smallest slowdown, in percent, that `ab` detects with 90 % power at these settings;
    /// `None` when even 70 % is not.
    pub detectable_pct: Option<f64>,
    /// `max_repeats` of `repeats = "auto"` needed to detect a 5 % slowdown with 90 % power.
    pub repeats_for_5_pct: Option<u32>,
    /// The same for 2 %.
    pub repeats_for_2_pct: Option<u32>,
}

/// The table, with a line on the method under it.
pub fn table(rows: &[ScenarioCalibration]) -> String {
    let mut t = new_table(width());
    t.set_header([
        "scenario", "repeats", "round s", "noise CV", "ratio CV", "A/A", "detects", "for 5%",
        "for 2%",
    ]);
    let pct = |v: Option<f64>| v.map_or_else(|| "never".to_owned(), |v| format!("{}%", number(v)));
    let count = |v: Option<u32>| v.map_or_else(|| "> 500".to_owned(), |v| v.to_string());
    for r in rows {
        t.add_row([
            r.scenario.clone(),
            r.repeats.clone(),
            format!("{:.2}", r.round_s),
            format!("{:.1}%", r.noise.cv_pct),
            format!("{:.1}%", r.noise.round_cv_pct),
            format!("{:+.1}%", r.noise.aa_change_pct),
            pct(r.detectable_pct),
            count(r.repeats_for_5_pct),
            count(r.repeats_for_2_pct),
        ]);
    }
    let mut out = finish_table(t);
    out.push_str(
        "noise CV: of single runs; ratio CV: of a round's head/base ratio, what ab's paired test \
         sees. detects: the smallest slowdown `ab` calls a regression in 9 of 10 runs at the scenario's \
         repeats and warn threshold; for 5% / for 2%: the max_repeats of repeats = \"auto\" that \
         detect it (warn threshold at half the change). Simulated from the measured noise.\n",
    );
    out
}

/// The suggested settings, one table per scenario, each number with its reason. `machine` (the
/// CPU string comes from the system) is escaped, so a newline in it cannot end its comment.
pub fn suggestions(rows: &[ScenarioCalibration], machine: &str) -> String {
    let machine = escaped(machine);
    let mut out = format!(
        "# Suggested settings from `perfsuite calibrate` on {machine}.\n\
         # Review them, then copy what you agree with into the scenario and budget files:\n\
         # the first keys belong in the scenario, `regression` in its budget profile.\n"
    );
    for r in rows {
        let max = r.repeats_for_5_pct.map_or(500, |n| n.max(5));
        let seconds = (f64::from(max) * r.round_s * 1.5).ceil().max(5.0);
        out.push_str(&format!(
            "\n# noise CV {:.1}% a run, {:.1}% a round's ratio; at its current settings `ab` detects {} with 90% power.\n\
             [{}]\n\
             repeats = \"auto\"\n\
             min_repeats = 5\n\
             max_repeats = {max}    # enough for a 5% slowdown{}\n\
             max_time_s = {}    # {max} rounds of {:.2} s, with half again as margin\n\
             regression.warn_pct = 2.5    # half the change to catch, so a real 5% clears it\n",
            r.noise.cv_pct,
            r.noise.round_cv_pct,
            r.detectable_pct.map_or_else(
                || "no slowdown up to 70%".to_owned(),
                |p| format!("{}%", number(p))
            ),
            toml_key(&r.scenario),
            if r.repeats_for_5_pct.is_none() {
                " (not reached within 500: the noise is too large)"
            } else {
                ""
            },
            number(seconds),
            r.round_s,
        ));
    }
    out
}

/// A scenario name as a TOML key: bare when it can be, else quoted.
fn toml_key(name: &str) -> String {
    if name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        name.to_owned()
    } else {
        format!("\"{name}\"")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row() -> ScenarioCalibration {
        ScenarioCalibration {
            scenario: "btc-1m".into(),
            rounds: 30,
            round_s: 0.25,
            noise: Noise {
                cv_pct: 3.2,
                round_cv_pct: 1.7,
                aa_change_pct: -0.4,
            },
            repeats: "auto".into(),
            most_rounds: 40,
            warn_pct: 3.0,
            detectable_pct: Some(4.0),
            repeats_for_5_pct: Some(18),
            repeats_for_2_pct: None,
        }
    }

    #[test]
    fn the_table_shows_every_figure() {
        let text = table(&[row()]);
        for part in [
            "btc-1m", "auto", "3.2%", "1.7%", "-0.4%", "4%", "18", "> 500",
        ] {
            assert!(text.contains(part), "{part}: {text}");
        }
    }

    #[test]
    fn suggestions_are_valid_toml_with_a_reason_per_number() {
        let text = suggestions(&[row()], "test machine");
        let value: toml::Value = toml::from_str(&text).unwrap();
        assert_eq!(value["btc-1m"]["max_repeats"].as_integer(), Some(18));
        assert_eq!(value["btc-1m"]["repeats"].as_str(), Some("auto"));
        assert_eq!(value["btc-1m"]["max_time_s"].as_integer(), Some(7));
        assert!(text.contains("# enough for a 5% slowdown"));
    }

    #[test]
    fn a_machine_string_with_a_newline_stays_in_its_comment_and_injects_no_key() {
        let cpu = "Evil CPU\n[btc-1m]\nmax_repeats = 1\r\u{1b}[2J";
        let text = suggestions(&[row()], cpu);
        let value: toml::Value = toml::from_str(&text).unwrap();
        assert_eq!(value["btc-1m"]["max_repeats"].as_integer(), Some(18));
        let first = text.lines().next().unwrap();
        assert!(
            first.contains(r"Evil CPU\n[btc-1m]\nmax_repeats = 1\r\u{1b}[2J"),
            "{first}"
        );
        assert!(!text.contains('\u{1b}') && !text.contains('\r'), "{text:?}");
    }
}
