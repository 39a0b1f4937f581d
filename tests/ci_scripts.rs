//! The workflow's shell steps live in `.github/scripts/`, so they can run here: a typo in one
//! fails `cargo test`, not a pull request's CI run on GitHub.
//!
//! Every script is parsed with `bash -n` and, where `shellcheck` is installed (`.ci/run`
//! installs it), linted. `perf-compare.sh` runs for real, with this build as both base and head
//! over a tiny scenario; `pr-comment.sh` runs against a stand-in `gh` that records its calls
//! and plays the GitHub API's part. `build-base.sh` is only parsed and linted: it compiles a
//! whole second perfsuite, too slow for the test suite.

mod common;

use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::Workspace;

/// The scripts' folder.
fn scripts() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(".github/scripts")
}

/// Every `*.sh` in the scripts' folder, sorted.
fn every_script() -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(scripts())
        .expect(".github/scripts exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "sh"))
        .collect();
    found.sort();
    found
}

/// Runs `script` with `args` in `dir`, with `env` added.
fn run_script(dir: &Path, script: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new("bash");
    cmd.arg(scripts().join(script))
        .args(args)
        .current_dir(dir)
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITHUB_STEP_SUMMARY");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("bash runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn every_script_parses_and_passes_shellcheck() {
    let found = every_script();
    assert!(found.len() >= 3, "the workflow's scripts: {found:?}");
    for script in &found {
        let out = Command::new("bash").arg("-n").arg(script).output().unwrap();
        assert!(
            out.status.success(),
            "{}: {}",
            script.display(),
            text(&out.stderr)
        );
        let mode =
            std::os::unix::fs::PermissionsExt::mode(&script.metadata().unwrap().permissions());
        assert!(mode & 0o111 != 0, "{} is not executable", script.display());
    }
    match Command::new("shellcheck").args(&found).output() {
        Ok(out) => assert!(
            out.status.success(),
            "shellcheck:\n{}{}",
            text(&out.stdout),
            text(&out.stderr)
        ),
        Err(e) if e.kind() == ErrorKind::NotFound => {
            println!("shellcheck skipped: not installed (apt-get install shellcheck)")
        }
        Err(e) => panic!("could not run shellcheck: {e}"),
    }
}

#[test]
fn the_comparison_step_runs_ab_and_writes_every_file_the_workflow_uploads() {
    let ws = Workspace::new();
    ws.tiny_scenario("tiny", 2_000, "repeats = 2\nwarmup = 0");
    let bin = env!("CARGO_BIN_EXE_perfsuite");
    let summary = ws.join("step-summary.md");
    let out = run_script(
        ws.path(),
        "perf-compare.sh",
        &[bin, bin, "perf-compare", "scenarios"],
        &[("GITHUB_STEP_SUMMARY", summary.to_str().unwrap())],
    );
    assert!(
        out.status.success(),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    for file in [
        "perf-compare/base/tiny/bench.json",
        "perf-compare/head/tiny/bench.json",
        "perf-compare/head/summary.json",
        "perf-compare/comparison.md",
        "perf-compare/comparison.json",
        "perf-compare/junit.xml",
        "perf-compare/comment.md",
    ] {
        assert!(ws.exists(file), "{file} is missing");
    }
    let comparison = ws.json("perf-compare/comparison.json");
    assert_eq!(comparison["scenarios"][0]["scenario"], "tiny");
    let comment = ws.read("perf-compare/comment.md");
    assert!(
        comment.starts_with("<!-- perfsuite -->\n### perfsuite compare"),
        "{comment}"
    );
    assert!(ws.read("step-summary.md").contains("### perfsuite compare"));
    let junit = ws.read("perf-compare/junit.xml");
    assert!(
        junit.contains(r#"name="tiny: candles/s median""#),
        "{junit}"
    );
}

#[test]
fn the_comparison_step_rejects_a_missing_binary_with_usage_status() {
    let ws = Workspace::new();
    let bin = env!("CARGO_BIN_EXE_perfsuite");
    let out = run_script(
        ws.path(),
        "perf-compare.sh",
        &["/no/such/perfsuite", bin, "out"],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("/no/such/perfsuite is not an executable"));
}

/// A workspace with a stand-in `gh` on PATH: it appends each call's arguments (and the body it
/// was given) to `gh.log`, prints `$FAKE_GH_COMMENT_ID` when asked for the comments, and fails
/// every call when `FAKE_GH_FAIL` is set, as a read-only token would.
struct FakeGh {
    ws: Workspace,
}

impl FakeGh {
    fn new() -> Self {
        let ws = Workspace::new();
        ws.write(
            "bin/gh",
            r#"#!/usr/bin/env bash
echo "gh $*" >> "$FAKE_GH_LOG"
for arg in "$@"; do
  case "$arg" in body=@*) cat "${arg#body=@}" >> "$FAKE_GH_LOG" ;; esac
done
if [ -n "${FAKE_GH_FAIL:-}" ]; then echo "HTTP 403: Resource not accessible by integration" >&2; exit 1; fi
case "$*" in *"/comments --jq"*) echo "${FAKE_GH_COMMENT_ID:-}" ;; esac
"#,
        );
        let gh = ws.join("bin/gh");
        std::fs::set_permissions(&gh, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
        ws.write(
            "comment.md",
            "<!-- perfsuite -->\n### perfsuite compare\n\n**1 unchanged**\n",
        );
        FakeGh { ws }
    }

    /// Runs pr-comment.sh on `body` with `env` added; returns its output.
    fn comment(&self, body: &str, env: &[(&str, &str)]) -> Output {
        let path = format!(
            "{}:{}",
            self.ws.join("bin").display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let log = self.ws.join("gh.log");
        let summary = self.ws.join("summary.md");
        let mut all = vec![
            ("PATH", path.as_str()),
            ("FAKE_GH_LOG", log.to_str().unwrap()),
            ("GITHUB_STEP_SUMMARY", summary.to_str().unwrap()),
            ("GITHUB_REPOSITORY", "acme/backtester"),
            ("PR_NUMBER", "7"),
        ];
        all.extend_from_slice(env);
        let out = run_script(self.ws.path(), "pr-comment.sh", &[body], &all);
        assert!(
            out.status.success(),
            "{}{}",
            text(&out.stdout),
            text(&out.stderr)
        );
        out
    }

    fn log(&self) -> String {
        if self.ws.exists("gh.log") {
            self.ws.read("gh.log")
        } else {
            String::new()
        }
    }

    fn summary(&self) -> String {
        if self.ws.exists("summary.md") {
            self.ws.read("summary.md")
        } else {
            String::new()
        }
    }
}

#[test]
fn the_first_push_posts_a_comment() {
    let gh = FakeGh::new();
    gh.comment("comment.md", &[("HEAD_REPO", "acme/backtester")]);
    let log = gh.log();
    assert!(
        log.contains("gh api --method POST repos/acme/backtester/issues/7/comments"),
        "{log}"
    );
    assert!(log.contains("**1 unchanged**"), "the body is sent: {log}");
    assert_eq!(gh.summary(), "", "nothing in the job summary");
}

#[test]
fn a_later_push_edits_the_same_comment_in_place() {
    let gh = FakeGh::new();
    gh.comment("comment.md", &[("FAKE_GH_COMMENT_ID", "4242")]);
    let log = gh.log();
    assert!(
        log.contains("gh api --method PATCH repos/acme/backtester/issues/comments/4242"),
        "{log}"
    );
    assert!(!log.contains("POST"), "no second comment: {log}");
}

#[test]
fn a_fork_gets_the_job_summary_and_is_told_why() {
    let gh = FakeGh::new();
    gh.comment("comment.md", &[("HEAD_REPO", "someone/backtester")]);
    assert_eq!(gh.log(), "", "a fork's read-only token is not even tried");
    let summary = gh.summary();
    assert!(summary.contains("comes from a fork"), "{summary}");
    assert!(summary.contains("**1 unchanged**"), "{summary}");
}

#[test]
fn a_refused_api_call_falls_back_to_the_job_summary_without_failing() {
    let gh = FakeGh::new();
    gh.comment("comment.md", &[("FAKE_GH_FAIL", "1")]);
    let summary = gh.summary();
    assert!(summary.contains("Could not list"), "{summary}");
    assert!(summary.contains("**1 unchanged**"), "{summary}");
}

#[test]
fn a_push_without_a_comparison_still_replaces_the_old_numbers() {
    let gh = FakeGh::new();
    gh.comment("no-such-file.md", &[("FAKE_GH_COMMENT_ID", "9")]);
    let log = gh.log();
    assert!(log.contains("issues/comments/9"), "{log}");
    assert!(
        log.contains("<!-- perfsuite -->\n### perfsuite compare\n\nNo comparison for this push"),
        "{log}"
    );
}

#[test]
fn a_body_too_long_for_github_is_cut_and_says_where_the_rest_is() {
    let gh = FakeGh::new();
    let rows = "| `btc` | candles/s median | 1 | 1 | 0.0% | unchanged |\n".repeat(2_000);
    gh.ws
        .write("long.md", format!("<!-- perfsuite -->\n{rows}"));
    gh.comment("long.md", &[]);
    let log = gh.log();
    assert!(log.len() < 65_536, "{} bytes sent", log.len());
    assert!(log.contains("cut here"), "the reader is told");
    assert!(log.contains("<!-- perfsuite -->"), "the marker survives");
}
