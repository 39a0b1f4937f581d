//! Where `budgets/` is found when `--budgets` is not given: beside the scenarios, even when
//! perfsuite runs from another folder, and an error that says where it looked when there is none.

mod common;

use common::{stderr, stdout, Workspace};

/// A repository with `scenarios/btc.toml` naming profile `ci`, and `budgets/ci.toml` if
/// `with_budgets`.
fn repository(with_budgets: bool) -> Workspace {
    let ws = Workspace::new();
    ws.write(".git/HEAD", "ref: refs/heads/main\n");
    ws.tiny_scenario("btc", 2_000, "budget = \"ci\"");
    if with_budgets {
        ws.write("budgets/ci.toml", "[candles_per_sec]\nfloor = 1\n");
    }
    ws
}

/// `perfsuite ARGS` run from a folder outside the repository.
fn from_elsewhere(ws: &Workspace, args: &[&str]) -> std::process::Output {
    let elsewhere = tempfile::tempdir().unwrap();
    let mut cmd = ws.perfsuite(args);
    cmd.current_dir(elsewhere.path());
    cmd.output().unwrap()
}

#[test]
fn budgets_beside_the_scenarios_are_found_from_another_folder() {
    let ws = repository(true);
    for path in ["scenarios", "scenarios/btc.toml"] {
        let scenarios = ws.join(path);
        let out = from_elsewhere(&ws, &["check", scenarios.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert!(stdout(&out).contains("(ci)"), "{}", stdout(&out));
    }
}

#[test]
fn budgets_at_the_repository_root_serve_scenarios_in_a_subfolder() {
    let ws = repository(true);
    ws.write(
        "perf/scenarios/eth.toml",
        "candles = 2000\nbudget = \"ci\"\n",
    );
    let scenarios = ws.join("perf/scenarios");
    let out = from_elsewhere(&ws, &["check", scenarios.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn without_budgets_the_error_says_where_it_looked_and_names_the_flag() {
    let ws = repository(false);
    let scenarios = ws.join("scenarios");
    let out = from_elsewhere(&ws, &["check", scenarios.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let message = stderr(&out);
    let beside = ws.join("budgets");
    assert!(message.contains(beside.to_str().unwrap()), "{message}");
    assert!(message.contains("--budgets"), "{message}");
    assert!(message.contains("`ci`"), "{message}");
}
