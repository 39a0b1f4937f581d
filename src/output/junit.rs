//! JUnit XML (`--junit FILE`), the test-report format GitLab, Jenkins, Azure Pipelines and
//! most other CI systems show natively. Written with `quick-junit`, as cargo-nextest does.
//!
//! A run becomes a test suite with one test case per scenario and budget check: a failed check
//! is a `<failure>`, a scenario that could not be measured an `<error>`, an unjudged check
//! `<skipped>`. A warn is a pass whose `<system-out>` says why (JUnit has no warning). A
//! comparison's test suite is made in `compare::render::junit` from [`case`].
//!
//! Text from inputs (names, reasons, digests) goes in through [`text`]: XML 1.0 cannot hold most
//! control characters, and quick-junit drops them, an ESC sequence with the text it swallows.

use std::collections::BTreeMap;

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use crate::judge::{Check, Verdict};
use crate::output::escape::escaped;
use crate::results::{ScenarioResult, Summary};

/// A report named `perfsuite` holding `suites`.
pub fn report(suites: impl IntoIterator<Item = TestSuite>) -> Report {
    let mut report = Report::new("perfsuite");
    report.add_test_suites(suites);
    report
}

/// The report as XML, ending in a newline.
pub fn to_xml(report: &Report) -> String {
    let mut xml = report
        .to_string()
        .expect("writing XML to a string cannot fail");
    if !xml.ends_with('\n') {
        xml.push('\n');
    }
    xml
}

/// The test suite `name` of a run: every scenario of `summary` in run order, one test case per
/// budget check of its result in `results` (by scenario name).
pub fn budgets(
    name: &str,
    summary: &Summary,
    results: &BTreeMap<String, ScenarioResult>,
) -> TestSuite {
    let mut suite = TestSuite::new(name);
    for row in &summary.scenarios {
        match results.get(&row.scenario) {
            Some(result) => {
                for check in &result.budget.checks {
                    suite.add_test_case(check_case(&row.scenario, check));
                }
            }
            None => {
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
                status
                    .set_type(row.verdict.name())
                    .set_message(text(&row.reasons.join("; ")));
                suite.add_test_case(case(&row.scenario, "measure", status));
            }
        }
    }
    suite
}

fn check_case(scenario: &str, check: &Check) -> TestCase {
    let reason = text(&check.reason().unwrap_or_default());
    let mut case = case(
        scenario,
        &check.metric,
        match check.verdict {
            Verdict::Pass | Verdict::Warn => TestCaseStatus::success(),
            Verdict::Skip => TestCaseStatus::skipped(),
            Verdict::Fail | Verdict::Error => {
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                status.set_type("budget-fail").set_message(reason.clone());
                status
            }
        },
    );
    if check.verdict == Verdict::Warn {
        case.set_system_out(format!("warn: {reason}"));
    }
    case
}

/// A test case `<scenario>: <what>` in class `scenario`, both shown as [`text`].
pub fn case(scenario: &str, what: &str, status: TestCaseStatus) -> TestCase {
    let mut case = TestCase::new(text(&format!("{scenario}: {what}")), status);
    case.set_classname(text(scenario));
    case
}

/// `input` as a JUnit file holds it: control characters and newlines escaped visibly (`\u{1b}`,
/// `\n`), as in every other output, rather than dropped or cut by the XML writer.
pub fn text(input: &str) -> String {
    escaped(input).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::fixtures::result;
    use crate::output::report::fixtures;

    /// The fixture summary's results, with the checks its verdicts imply.
    fn results() -> BTreeMap<String, ScenarioResult> {
        let check = |metric: &str, value: f64, verdict| Check {
            metric: metric.into(),
            kind: crate::judge::LimitKind::Floor,
            value: Some(value),
            floor: Some(833.0),
            ceiling: None,
            warn: Some(900.0),
            verdict,
            skipped: None,
        };
        let mut out = BTreeMap::new();
        for (name, checks) in [
            (
                "runbook-smoke",
                vec![check("candles_per_sec.min", 48_211_907.0, Verdict::Pass)],
            ),
            (
                "eth-200k",
                vec![
                    check("candles_per_sec.min", 870.4, Verdict::Warn),
                    Check {
                        value: None,
                        verdict: Verdict::Skip,
                        ..check("peak_rss_mb", 0.0, Verdict::Skip)
                    },
                ],
            ),
            (
                "btc-5m",
                vec![check("candles_per_sec.min", 812.0, Verdict::Fail)],
            ),
        ] {
            let mut r = result(name, &[1.0]);
            r.budget.checks = checks;
            out.insert(name.to_owned(), r);
        }
        out
    }

    #[test]
    fn a_run_has_a_case_per_check_and_fails_only_failed_budgets_and_errors() {
        let xml = to_xml(&report([budgets(
            "perfsuite run",
            &fixtures::summary(),
            &results(),
        )]));
        let parsed = Report::deserialize_from_str(&xml).expect("a JUnit reader reads it");
        let suite = &parsed.test_suites[0];
        assert_eq!(
            (suite.tests, suite.failures, suite.errors),
            (5, 1, 1),
            "5 cases: 4 checks and the scenario that was not measured"
        );
        insta::assert_snapshot!(xml);
    }

    #[test]
    fn control_characters_in_a_reason_are_escaped_visibly_not_cut() {
        let mut summary = fixtures::summary();
        let row = summary
            .scenarios
            .iter_mut()
            .find(|r| !results().contains_key(&r.scenario))
            .expect("the fixture has a scenario that was not measured");
        row.reasons = vec!["child said \u{1b}]0;title\u{7} then \u{1b}[2J\nmore".into()];
        let xml = to_xml(&report([budgets("perfsuite run", &summary, &results())]));
        let parsed = Report::deserialize_from_str(&xml).expect("a JUnit reader reads it");
        let message = parsed.test_suites[0]
            .test_cases
            .iter()
            .find_map(|c| match &c.status {
                TestCaseStatus::NonSuccess {
                    kind: NonSuccessKind::Error,
                    message,
                    ..
                } => message.clone(),
                _ => None,
            })
            .expect("the error case has a message");
        assert_eq!(
            message.as_str(),
            "child said \\u{1b}]0;title\\u{7} then \\u{1b}[2J\\nmore"
        );
    }
}
