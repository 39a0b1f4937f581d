//! The JSON Schemas of the JSON perfsuite writes, generated from the very types it serialises,
//! so the published files in `schema/` cannot drift from the output unnoticed
//! (`tests/schemas.rs` fails when they differ; `UPDATE_SCHEMAS=1` rewrites them).
//!
//! | file | what it describes |
//! |---|---|
//! | `bench.schema.json` | a scenario's `bench.json` |
//! | `summary.schema.json` | a results folder's `summary.json` (and `run --format json`) |
//! | `compare.schema.json` | `compare --format json` (and `ab --format json`) |
//! | `measurement.schema.json` | what `perfsuite bench` prints |

use schemars::{schema_for, Schema};

use crate::results::{Measurement, ScenarioResult, Summary};

/// Every published schema with its file name in `schema/`.
pub fn all() -> Vec<(&'static str, Schema)> {
    vec![
        ("bench.schema.json", schema_for!(ScenarioResult)),
        ("summary.schema.json", schema_for!(Summary)),
        (
            "compare.schema.json",
            crate::compare::render::json::schema(),
        ),
        ("measurement.schema.json", schema_for!(Measurement)),
    ]
}

/// `schema` as the text of its file: pretty JSON ending in a newline.
pub fn to_file_text(schema: &Schema) -> String {
    let mut text = serde_json::to_string_pretty(schema).expect("a schema serialises");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::{fixtures::pull_request, render};
    use crate::output::Format;

    fn validator(name: &str) -> jsonschema::Validator {
        let (_, schema) = all().into_iter().find(|(n, _)| *n == name).unwrap();
        jsonschema::validator_for(schema.as_value()).expect("a valid JSON Schema")
    }

    fn assert_valid(name: &str, text: &str) {
        let value: serde_json::Value = serde_json::from_str(text).unwrap();
        let errors: Vec<String> = validator(name)
            .iter_errors(&value)
            .map(|e| format!("{}: {e}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{name}:\n{}", errors.join("\n"));
    }

    #[test]
    fn a_comparison_with_every_kind_of_finding_matches_its_schema() {
        assert_valid(
            "compare.schema.json",
            &render(&pull_request(), Format::Json),
        );
    }

    #[test]
    fn a_summary_with_every_verdict_matches_its_schema() {
        assert_valid(
            "summary.schema.json",
            &crate::output::report::json(&crate::output::report::fixtures::summary()),
        );
    }

    #[test]
    fn a_schema_rejects_a_renamed_key() {
        let mut summary =
            serde_json::to_value(crate::output::report::fixtures::summary()).expect("serialises");
        let counts = summary["counts"].take();
        summary["tally"] = counts;
        assert!(!validator("summary.schema.json").is_valid(&summary));
    }
}
