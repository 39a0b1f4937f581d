//! What `run`, `compare` and `ab` print and write besides their results: the summary and the
//! comparison on stdout in the chosen `--format`, GitHub annotations, and the `--junit` file.
//!
//! Under GitHub Actions (`GITHUB_ACTIONS=true`) the annotations also go to stderr, whatever the
//! format, so a redirected `--format markdown` or `--format json` stays clean; the runner reads
//! workflow commands from both streams.

use std::path::Path;

use quick_junit::TestSuite;

use crate::cli::Format;
use crate::commands::Selection;
use crate::compare::{self, Comparison};
use crate::error::Error;
use crate::fsio::write_atomic;
use crate::report::github::{self, Annotation, Files};
use crate::report::{self, junit};
use crate::results::Summary;

/// The scenario file of each selected scenario, for annotations.
pub fn scenario_files(selection: &Selection) -> Files {
    selection
        .scenarios()
        .map(|s| (s.name.clone(), s.source.clone()))
        .collect()
}

/// The annotations for a summary and a comparison, in that order.
pub fn annotations(
    summary: Option<&Summary>,
    comparison: Option<&Comparison>,
    files: &Files,
) -> Vec<Annotation> {
    let mut out = summary.map_or_else(Vec::new, |s| github::for_summary(s, files));
    if let Some(c) = comparison {
        out.extend(github::for_comparison(c, files));
    }
    out
}

/// The text for stdout: the summary, then the comparison. As JSON, one document: the summary's,
/// the comparison's, or `{"summary": ..., "comparison": ...}` for both. As `github`, the
/// annotations.
pub fn render(
    summary: Option<&Summary>,
    comparison: Option<&Comparison>,
    format: Format,
    files: &Files,
) -> String {
    let summary_text = |s| match format {
        Format::Table => report::table(s),
        Format::Markdown => report::markdown(s),
        Format::Json => report::json(s),
        Format::Github => String::new(),
    };
    let comparison_text = |c| match format {
        Format::Table => compare::render(c, compare::Format::Table),
        Format::Markdown => compare::render(c, compare::Format::Markdown),
        Format::Json => compare::render(c, compare::Format::Json),
        Format::Github => String::new(),
    };
    match (summary, comparison, format) {
        (_, _, Format::Github) => github::render(&annotations(summary, comparison, files)),
        (Some(s), None, _) => summary_text(s),
        (None, Some(c), _) => comparison_text(c),
        (None, None, _) => String::new(),
        (Some(s), Some(c), Format::Json) => {
            let compared: serde_json::Value = serde_json::from_str(&comparison_text(c))
                .expect("the comparison renders valid JSON");
            let both = serde_json::json!({ "summary": s, "comparison": compared });
            format!(
                "{}\n",
                serde_json::to_string_pretty(&both).expect("JSON values serialise")
            )
        }
        (Some(s), Some(c), _) => format!("{}\n{}", summary_text(s), comparison_text(c)),
    }
}

/// Prints `render(...)` on stdout unless `quiet`, and under GitHub Actions the annotations on
/// stderr unless they are already on stdout.
pub fn print(
    summary: Option<&Summary>,
    comparison: Option<&Comparison>,
    format: Format,
    quiet: bool,
    files: &Files,
) {
    if !quiet {
        crate::app::print_stdout(&render(summary, comparison, format, files));
    }
    if github::in_github_actions() && (quiet || format != Format::Github) {
        eprint!(
            "{}",
            github::render(&annotations(summary, comparison, files))
        );
    }
}

/// Writes `suites` as a JUnit report to `path` (atomically), if a path was given.
pub fn write_junit(
    path: Option<&Path>,
    suites: impl IntoIterator<Item = TestSuite>,
) -> Result<(), Error> {
    match path {
        Some(path) => write_atomic(path, junit::to_xml(&junit::report(suites)).as_bytes()),
        None => Ok(()),
    }
}
