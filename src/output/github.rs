//! GitHub Actions annotations: `::warning` and `::error` workflow commands for budget warnings
//! and failures and scenarios that could not be measured, so they show on a pull request's
//! checks even when the perf job cannot fail. A comparison's annotations (regressions, changed
//! backtest results) are made in `compare::render::github` and written by [`render`] here.
//!
//! Scenario names, reasons and paths come from files a pull request can change, so every value
//! is escaped by GitHub's rules for workflow commands: `%`, `\r` and `\n` in the message, and
//! also `:` and `,` in properties. Otherwise a name could end the command early or inject a
//! command of its own.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::PathBuf;

use crate::judge::Verdict;
use crate::results::Summary;

/// The environment variable GitHub Actions sets to `true` on its runners.
pub const GITHUB_ACTIONS: &str = "GITHUB_ACTIONS";

/// Whether perfsuite runs in a GitHub Actions job, where annotations are written by default.
pub fn in_github_actions() -> bool {
    std::env::var(GITHUB_ACTIONS).is_ok_and(|v| v == "true")
}

/// How loud an annotation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// `::warning`: shown in yellow.
    Warning,
    /// `::error`: shown in red.
    Error,
}

/// One annotation: a level, the file it is about, a title and a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotation {
    /// How loud.
    pub level: Level,
    /// The file it is about (a scenario file or a bench.json), if known.
    pub file: Option<PathBuf>,
    /// The short title.
    pub title: String,
    /// The message.
    pub message: String,
}

/// The file each scenario is about, by scenario name (its scenario file, where known).
pub type Files = BTreeMap<String, PathBuf>;

/// Annotations for a run: a warning for each scenario past a warn level, an error for each that
/// failed its budget or could not be measured.
pub fn for_summary(summary: &Summary, files: &Files) -> Vec<Annotation> {
    summary
        .scenarios
        .iter()
        .filter_map(|row| {
            let (level, what) = match row.verdict {
                Verdict::Warn => (Level::Warning, "past a budget warn level"),
                Verdict::Fail => (Level::Error, "failed its budget"),
                Verdict::Error => (Level::Error, "could not be measured"),
                Verdict::Pass | Verdict::Skip => return None,
            };
            let reasons = if row.reasons.is_empty() {
                String::new()
            } else {
                format!(": {}", row.reasons.join("; "))
            };
            Some(Annotation {
                level,
                file: files.get(&row.scenario).cloned(),
                title: format!("perfsuite: {} {}", row.scenario, row.verdict.name()),
                message: format!("scenario `{}` {what}{reasons}", row.scenario),
            })
        })
        .collect()
}

/// The annotations as workflow commands, one a line.
pub fn render(annotations: &[Annotation]) -> String {
    let mut out = String::new();
    for a in annotations {
        let level = match a.level {
            Level::Warning => "warning",
            Level::Error => "error",
        };
        let mut properties = Vec::new();
        if let Some(file) = &a.file {
            properties.push(format!(
                "file={}",
                escape_property(&file.display().to_string())
            ));
        }
        properties.push(format!("title={}", escape_property(&a.title)));
        let _ = writeln!(
            out,
            "::{level} {}::{}",
            properties.join(","),
            escape_data(&a.message)
        );
    }
    out
}

/// A message escaped for a workflow command: `%`, `\r`, `\n`, and any other control character
/// (an ESC sequence from an input) as [`super::escape::one_line`] shows it.
pub fn escape_data(text: &str) -> String {
    let text = text
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    super::escape::one_line(&text).into_owned()
}

/// A property value escaped for a workflow command: as a message, and `:` and `,` too.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::fixtures::scenario_files as files;
    use crate::output::report::fixtures;

    #[test]
    fn a_run_annotates_warnings_failures_and_errors_but_not_passes() {
        let text = render(&for_summary(&fixtures::summary(), &files()));
        assert!(!text.contains("runbook-smoke"), "a pass is not annotated");
        insta::assert_snapshot!(text);
    }

    #[test]
    fn names_from_files_cannot_break_out_of_the_command() {
        let a = Annotation {
            level: Level::Error,
            file: Some(PathBuf::from("scenarios/a,b:c.toml")),
            title: "x: 100%,\r\n::error::owned".into(),
            message: "50% slower\r\n::error::injected".into(),
        };
        let text = render(&[a]);
        assert_eq!(
            text,
            "::error file=scenarios/a%2Cb%3Ac.toml,title=x%3A 100%25%2C%0D%0A%3A%3Aerror%3A%3Aowned\
             ::50%25 slower%0D%0A::error::injected\n"
        );
        assert_eq!(text.lines().count(), 1, "one command, one line");
    }
}
