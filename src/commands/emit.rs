//! What `run`, `compare` and `ab` print and write besides their results: the summary and the
//! comparison on stdout in the chosen `--format`, GitHub annotations, and the `--junit` file.
//!
//! Under GitHub Actions (`GITHUB_ACTIONS=true`) the annotations also go to stderr, whatever the
//! format, so a redirected `--format markdown` or `--format json` stays clean; the runner reads
//! workflow commands from both streams.

use std::path::{Path, PathBuf};

use quick_junit::TestSuite;

use crate::commands::Selection;
use crate::compare::{self, Comparison};
use crate::error::Error;
use crate::output::github::{self, Annotation, Files};
use crate::output::{junit, report, Format};
use crate::results::atomic::write_atomic;
use crate::results::Summary;

/// The scenario file of each selected scenario, for annotations: relative to
/// `$GITHUB_WORKSPACE` where it lies inside it, as GitHub expects of a `file=`.
pub fn scenario_files(selection: &Selection) -> Files {
    let workspace = std::env::var_os("GITHUB_WORKSPACE").map(PathBuf::from);
    selection
        .scenarios()
        .map(|s| {
            let file = repository_path(&s.source, workspace.as_deref());
            (s.name.clone(), file)
        })
        .collect()
}

/// `path` relative to `workspace` when it is an absolute path inside it; else as it is.
fn repository_path(path: &Path, workspace: Option<&Path>) -> PathBuf {
    workspace
        .and_then(|w| path.strip_prefix(w).ok())
        .unwrap_or(path)
        .to_path_buf()
}

/// The annotations for a summary and a comparison, in that order.
pub fn annotations(
    summary: Option<&Summary>,
    comparison: Option<&Comparison>,
    files: &Files,
) -> Vec<Annotation> {
    let mut out = summary.map_or_else(Vec::new, |s| github::for_summary(s, files));
    if let Some(c) = comparison {
        out.extend(compare::render::github::for_comparison(c, files));
    }
    out
}

/// The text for stdout: the summary, then the comparison. As JSON, one document: the summary's,
/// the comparison's, or `{"summary": ..., "comparison": ...}` for both. As `github`, the
/// annotations of both, naming each scenario's file from `files`.
pub fn render(
    summary: Option<&Summary>,
    comparison: Option<&Comparison>,
    format: Format,
    files: &Files,
) -> String {
    match (summary, comparison, format) {
        (_, _, Format::Github) => github::render(&annotations(summary, comparison, files)),
        (Some(s), None, _) => report::render(s, format),
        (None, Some(c), _) => compare::render(c, format),
        (None, None, _) => String::new(),
        (Some(s), Some(c), Format::Json) => {
            let compared: serde_json::Value = serde_json::from_str(&compare::render(c, format))
                .expect("the comparison renders valid JSON");
            let both = serde_json::json!({ "summary": s, "comparison": compared });
            format!(
                "{}\n",
                serde_json::to_string_pretty(&both).expect("JSON values serialise")
            )
        }
        (Some(s), Some(c), _) => format!(
            "{}\n{}",
            report::render(s, format),
            compare::render(c, format)
        ),
    }
}

/// Prints [`render`] on stdout unless `quiet`, and under GitHub Actions the annotations on
/// stderr unless they are already on stdout. A stdout that cannot be written (a full disk) is
/// the error, after the annotations had their chance.
pub fn print(
    summary: Option<&Summary>,
    comparison: Option<&Comparison>,
    format: impl Into<Format>,
    quiet: bool,
    files: &Files,
) -> Result<(), Error> {
    let format = format.into();
    let printed = if quiet {
        Ok(())
    } else {
        crate::output::print_stdout(&render(summary, comparison, format, files))
    };
    if github::in_github_actions() && (quiet || format != Format::Github) {
        crate::output::stderr_raw(&github::render(&annotations(summary, comparison, files)));
    }
    printed
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotation_files_are_relative_to_the_github_workspace() {
        let ws = Some(Path::new("/home/runner/work/repo/repo"));
        assert_eq!(
            repository_path(
                Path::new("/home/runner/work/repo/repo/scenarios/btc.toml"),
                ws
            ),
            PathBuf::from("scenarios/btc.toml")
        );
        assert_eq!(
            repository_path(Path::new("scenarios/btc.toml"), ws),
            PathBuf::from("scenarios/btc.toml")
        );
        assert_eq!(
            repository_path(Path::new("/elsewhere/btc.toml"), ws),
            PathBuf::from("/elsewhere/btc.toml")
        );
    }
}
