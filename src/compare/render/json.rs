//! The comparison as JSON for tools. Keys are snake_case and stable; verdicts are the
//! kebab-case words of the table (`regressed-fail`); a missing value is `null`.

use schemars::JsonSchema;
use serde::Serialize;

use super::super::{Comparison, Tally};

/// Version of the comparison's JSON schema; bumped on any change a reader could trip over.
/// 3: the noise check may be a `signed-rank-test` (paired `ab` samples), and `too-few-samples`
/// says whether it counted pairs.
pub const COMPARISON_SCHEMA_VERSION: u32 = 3;

/// The output of `perfsuite compare --format json`.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "ComparisonReport")]
struct Report<'a> {
    /// Version of this schema; bumped on any change a reader could trip over.
    schema_version: u32,
    /// The comparison in one line.
    headline: String,
    /// What `--strict` decides: a regression past its fail threshold or a behaviour change.
    strict_failure: bool,
    /// How many scenarios ended how.
    tally: Tally,
    /// The comparison itself.
    #[serde(flatten)]
    comparison: &'a Comparison,
}

/// The JSON Schema of [`render`]'s output.
pub fn schema() -> schemars::Schema {
    schemars::schema_for!(Report<'static>)
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
