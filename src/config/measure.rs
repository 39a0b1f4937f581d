//! The `measure` and `instruction_repeats` keys of a scenario: what is measured besides (never
//! instead of) wall time.

use std::ops::RangeInclusive;

use serde::Serialize;
use toml::Spanned;

use super::error::{ConfigError, Source};

/// What `measure` may list.
pub const MEASUREMENTS: [&str; 2] = ["wall", "instructions"];
/// Counted runs when a scenario sets no `instruction_repeats`: counts do not vary, so one is
/// enough.
pub const DEFAULT_INSTRUCTION_REPEATS: u32 = 1;
const INSTRUCTION_REPEATS: RangeInclusive<i64> = 1..=100;

/// What a scenario measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Measure {
    /// Whether instructions are counted under valgrind's callgrind (`measure` lists
    /// `"instructions"`). Wall time is always measured.
    pub instructions: bool,
    /// Counted runs, each in a child of its own after one warm-up.
    pub instruction_repeats: u32,
}

impl Default for Measure {
    fn default() -> Self {
        Self {
            instructions: false,
            instruction_repeats: DEFAULT_INSTRUCTION_REPEATS,
        }
    }
}

/// Validates `measure` and `instruction_repeats` as written.
pub(crate) fn measure(
    src: &Source,
    list: Option<&Spanned<Vec<Spanned<String>>>>,
    repeats: Option<&Spanned<i64>>,
) -> Result<Measure, ConfigError> {
    let mut m = Measure::default();
    if let Some(list) = list {
        let mut seen: Vec<&str> = Vec::new();
        for item in list.get_ref() {
            let name = item.get_ref().as_str();
            if !MEASUREMENTS.contains(&name) {
                return Err(src.value_error(
                    item.span(),
                    "measure",
                    format_args!(
                        "lists {name:?}, which is no measurement: use \"wall\" and \"instructions\""
                    ),
                ));
            }
            if seen.contains(&name) {
                return Err(src.value_error(
                    item.span(),
                    "measure",
                    format_args!("lists {name:?} twice"),
                ));
            }
            seen.push(name);
        }
        if !seen.contains(&"wall") {
            return Err(src.value_error(
                list.span(),
                "measure",
                "must list \"wall\": wall time is the metric of record and always measured, \
                 e.g. measure = [\"wall\", \"instructions\"]",
            ));
        }
        m.instructions = seen.contains(&"instructions");
    }
    if let Some(r) = repeats {
        let got = *r.get_ref();
        if !INSTRUCTION_REPEATS.contains(&got) {
            return Err(src.value_error(
                r.span(),
                "instruction_repeats",
                format_args!(
                    "must be between {} and {}, got {got}",
                    INSTRUCTION_REPEATS.start(),
                    INSTRUCTION_REPEATS.end()
                ),
            ));
        }
        // cannot panic: checked against INSTRUCTION_REPEATS (1..=100) above.
        m.instruction_repeats = got as u32;
    }
    Ok(m)
}
