//! What CI systems read from perfsuite, from a real run: the `--junit` file (read back with
//! `quick-junit`'s reader and checked against the common JUnit XSD in tests/fixtures with
//! `xmllint`, which `.ci/run` installs), and GitHub annotations, explicit with
//! `--format github` and automatic on stderr under `GITHUB_ACTIONS=true`.

mod common;

use std::io::ErrorKind;
use std::path::Path;
use std::process::Command;

use common::{stderr, stdout, Workspace};
use quick_junit::{NonSuccessKind, Report, TestCaseStatus};

/// A suite of two tiny scenarios: `fast` passes, `slow` fails its budget's impossible floor.
fn suite() -> Workspace {
    let ws = Workspace::new();
    ws.tiny_scenario("fast", 2_000, "repeats = 2\nwarmup = 0")
        .tiny_scenario(
            "slow",
            2_000,
            "repeats = 2\nwarmup = 0\nbudget = \"impossible\"",
        )
        .write("budgets/default.toml", "[candles_per_sec]\nfloor = 1\n")
        .write(
            "budgets/impossible.toml",
            "[candles_per_sec]\nfloor = 1e15\n",
        );
    ws
}

/// Checks `file` against tests/fixtures/junit.xsd with xmllint; skips with a message when
/// xmllint is not installed.
fn assert_valid_junit(file: &Path) {
    let xsd = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/junit.xsd");
    match Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(&xsd)
        .arg(file)
        .output()
    {
        Ok(out) => assert!(
            out.status.success(),
            "{} does not match the JUnit XSD:\n{}",
            file.display(),
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(e) if e.kind() == ErrorKind::NotFound => {
            println!("XSD check skipped: xmllint not installed (apt-get install libxml2-utils)")
        }
        Err(e) => panic!("could not run xmllint: {e}"),
    }
}

fn read_junit(ws: &Workspace, rel: &str) -> Report {
    assert_valid_junit(&ws.join(rel));
    Report::deserialize_from_str(&ws.read(rel)).expect("a JUnit reader reads it")
}

fn failures(report: &Report) -> Vec<String> {
    report
        .test_suites
        .iter()
        .flat_map(|s| &s.test_cases)
        .filter(|c| {
            matches!(
                c.status,
                TestCaseStatus::NonSuccess {
                    kind: NonSuccessKind::Failure,
                    ..
                }
            )
        })
        .map(|c| c.name.to_string())
        .collect()
}

#[test]
fn run_writes_junit_with_a_failure_for_the_failed_budget() {
    let ws = suite();
    ws.perfsuite(["run", "--quiet", "--junit", "junit.xml"])
        .assert()
        .success();
    let report = read_junit(&ws, "junit.xml");
    assert_eq!(
        report.tests, 8,
        "a case per scenario and budget metric (throughput, latency, memory, instructions)"
    );
    assert_eq!(failures(&report), ["slow: candles_per_sec.min"]);
}

#[test]
fn compare_writes_junit_with_a_case_per_metric_and_fingerprint() {
    let ws = suite();
    ws.perfsuite(["run", "--quiet", "--out", "a"])
        .assert()
        .success();
    ws.perfsuite(["compare", "a", "a", "--junit", "compare.xml"])
        .assert()
        .success();
    let report = read_junit(&ws, "compare.xml");
    assert_eq!(
        report.tests, 8,
        "two scenarios × three metrics and a fingerprint"
    );
    assert!(failures(&report).is_empty(), "a set against itself");
}

#[test]
fn the_junit_xsd_rejects_a_test_case_without_a_name() {
    let ws = Workspace::new();
    ws.write(
        "bad.xml",
        "<testsuites><testsuite name=\"s\" tests=\"1\"><testcase/></testsuite></testsuites>",
    );
    let xsd = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/junit.xsd");
    match Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(&xsd)
        .arg(ws.join("bad.xml"))
        .output()
    {
        Ok(out) => assert!(!out.status.success(), "the XSD must reject it"),
        Err(e) if e.kind() == ErrorKind::NotFound => println!("skipped: xmllint not installed"),
        Err(e) => panic!("could not run xmllint: {e}"),
    }
}

#[test]
fn under_github_actions_annotations_go_to_stderr_and_stdout_stays_clean() {
    let ws = suite();
    let out = ws
        .perfsuite(["run", "--format", "json"])
        .env("GITHUB_ACTIONS", "true")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&out)).expect("stdout is still one JSON document");
    assert_eq!(json["counts"]["fail"], 1);
    let err = stderr(&out);
    assert!(
        err.lines().any(|l| l.starts_with(
            "::error file=scenarios/slow.toml,title=perfsuite%3A slow fail::scenario `slow` failed its budget: min "
        )),
        "{err}"
    );
    assert!(!err.contains("`fast`"), "a pass is not annotated: {err}");
}

#[test]
fn outside_github_actions_nothing_is_annotated_unless_asked() {
    let ws = suite();
    let out = ws.perfsuite(["run"]).output().unwrap();
    assert!(!stderr(&out).contains("::"), "{}", stderr(&out));
    assert!(!stdout(&out).contains("::error"), "{}", stdout(&out));

    let out = ws
        .perfsuite(["run", "--format", "github"])
        .output()
        .unwrap();
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(
        text.starts_with("::error file=scenarios/slow.toml,"),
        "{text}"
    );
}
