//! A comparison as a JUnit test suite: one test case per scenario and metric, plus one for the
//! backtest's fingerprint. A regression (warn or fail level, named in the `type`) or a changed
//! fingerprint is a `<failure>`. The report around it is [`crate::output::junit`]'s.

use quick_junit::{NonSuccessKind, TestCase, TestCaseStatus, TestSuite};

use crate::output::junit::{case, text};

use super::{metric_label, pct, value, BEHAVIOUR_CHANGED, NOT_COMPARED};
use crate::compare::{ChangeVerdict, Comparison, MetricComparison};

/// The test suite `name` of a comparison: per scenario compared, one test case per metric and
/// one for its fingerprint; a scenario that was not the same work is one skipped case.
pub fn comparison(name: &str, c: &Comparison) -> TestSuite {
    let mut suite = TestSuite::new(name);
    for s in &c.scenarios {
        if !s.compared() {
            let mut status = TestCaseStatus::skipped();
            status.set_message(NOT_COMPARED);
            suite.add_test_case(case(&s.scenario, "config", status));
            continue;
        }
        for m in &s.metrics {
            suite.add_test_case(metric_case(&s.scenario, m));
        }
        let status = match &s.behaviour_changed {
            None => TestCaseStatus::success(),
            Some(f) => {
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                status
                    .set_type("behaviour-changed")
                    .set_message(text(&format!(
                        "{BEHAVIOUR_CHANGED}: trades {} → {}, digest {} → {}",
                        f.base.trades, f.head.trades, f.base.digest, f.head.digest
                    )));
                status
            }
        };
        suite.add_test_case(case(&s.scenario, "fingerprint", status));
    }
    for (names, side) in [(&c.only_in_base, "base"), (&c.only_in_head, "head")] {
        for scenario in names {
            let mut status = TestCaseStatus::skipped();
            status.set_message(format!("only in {side}"));
            suite.add_test_case(case(scenario, "compared", status));
        }
    }
    suite
}

fn metric_case(scenario: &str, m: &MetricComparison) -> TestCase {
    let change = format!(
        "{} {} → {} ({})",
        metric_label(m),
        value(m.base),
        value(m.head),
        pct(m.change_pct)
    );
    let status = match m.verdict {
        None => {
            let mut status = TestCaseStatus::skipped();
            status.set_message(m.not_measured().unwrap_or("not measured"));
            status
        }
        Some(v) if v.is_regression() => {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
            status.set_type(v.name()).set_message(change.clone());
            status
        }
        Some(_) => TestCaseStatus::success(),
    };
    let mut case = case(scenario, &metric_label(m), status);
    if let Some(v @ (ChangeVerdict::Inconclusive | ChangeVerdict::Improved)) = m.verdict {
        case.set_system_out(format!("{}: {change}", v.name()));
    }
    case
}

#[cfg(test)]
mod tests {
    use quick_junit::Report;

    use super::*;
    use crate::compare::fixtures::pull_request;
    use crate::output::junit::{report, to_xml};

    #[test]
    fn a_comparison_fails_regressions_and_changed_results() {
        let xml = to_xml(&report([comparison("perfsuite compare", &pull_request())]));
        let parsed = Report::deserialize_from_str(&xml).expect("a JUnit reader reads it");
        let suite = &parsed.test_suites[0];
        let failed: Vec<&str> = suite
            .test_cases
            .iter()
            .filter(|c| matches!(c.status, TestCaseStatus::NonSuccess { .. }))
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(
            failed,
            ["btc-50k: candles/s median", "eth-10k: fingerprint"],
            "the regression past fail and the changed backtest, nothing else"
        );
        insta::assert_snapshot!(xml);
    }

    #[test]
    fn a_digest_with_control_characters_is_escaped_visibly_not_cut() {
        let mut c = pull_request();
        let s = c
            .scenarios
            .iter_mut()
            .find(|s| s.behaviour_changed.is_some())
            .expect("the fixture has a changed backtest");
        let changed = s.behaviour_changed.as_mut().unwrap();
        changed.head.digest = "\u{1b}]0;x\u{7}abc\u{1b}[2Jdef".into();
        let xml = to_xml(&report([comparison("perfsuite compare", &c)]));
        let parsed = Report::deserialize_from_str(&xml).expect("a JUnit reader reads it");
        let message = parsed.test_suites[0]
            .test_cases
            .iter()
            .find_map(|c| match &c.status {
                TestCaseStatus::NonSuccess { message, .. } if c.name.ends_with("fingerprint") => {
                    message.clone()
                }
                _ => None,
            })
            .expect("the fingerprint case has a message");
        assert!(
            message
                .as_str()
                .ends_with("\\u{1b}]0;x\\u{7}abc\\u{1b}[2Jdef"),
            "{}",
            message.as_str()
        );
    }
}
