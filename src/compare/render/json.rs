//! The comparison as JSON for tools. Keys are snake_case and stable; verdicts are the
//! kebab-case words of the table (`regressed-fail`); a missing value is `null`.

use serde::Serialize;

use super::super::{Comparison, Tally};

/// Version of the comparison's JSON schema; bumped on any change a reader could trip over.
pub const COMPARISON_SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Report<'a> {
    schema_version: u32,
    headline: String,
    /// What `--strict` decides: a regression past its fail threshold or a behaviour change.
    strict_failure: bool,
    tally: Tally,
    #[serde(flatten)]
    comparison: &'a Comparison,
}

/// `c` as pretty-printed JSON, ending in a newline.
pub fn render(c: &Comparison) -> String {
    let report = Report {
        schema_version: COMPARISON_SCHEMA_VERSION,
        headline: c.headline(),
        strict_failure: c.should_fail_strict(),
        tally: c.tally(),
        comparison: c,
    };
    // serde_json writes a non-finite float as null and every key is a string: this cannot fail.
    let mut text = serde_json::to_string_pretty(&report).expect("a comparison serialises");
    text.push('\n');
    text
}
