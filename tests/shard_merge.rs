//! `run --shard K/N` and `merge` from the user's side: a suite split over CI machines and joined
//! again must be the suite run in one piece.
//!
//! The suite has five scenarios of different sizes, so the split (balanced by work) is not just
//! by count; one fails its budget and one crashes, so every kind of row goes through a merge.
//! Verdicts are made certain by the budget (a floor of 1 passes, 1e10 fails), not by timing.

mod common;

use std::collections::BTreeSet;

use assert_cmd::Command;
use common::{stderr, stdout, Workspace};

/// Every scenario of the suite, in suite order.
const ALL: [&str; 5] = ["a-2k", "b-5k", "c-crash", "d-12k", "e-20k"];

/// The five-scenario suite: `c-crash`'s child panics, `d-12k` fails its floor.
fn suite() -> Workspace {
    let ws = Workspace::new();
    ws.tiny_scenario("a-2k", 2_000, "")
        .tiny_scenario("b-5k", 5_000, "")
        .tiny_scenario("c-crash", 8_000, "symbol = \"CRASHUSD\"")
        .tiny_scenario("d-12k", 12_000, "")
        .tiny_scenario("e-20k", 20_000, "")
        .write(
            "budgets/default.toml",
            "[candles_per_sec]\nfloor = 1\n[scenario.d-12k.candles_per_sec]\nfloor = 1e10\n",
        );
    ws
}

/// `perfsuite ARGS` with `c-crash`'s fault armed.
fn perfsuite(ws: &Workspace, args: &[&str]) -> Command {
    let mut cmd = ws.perfsuite(args);
    cmd.env("PERFSUITE_INJECT_FAULT", "panic:CRASHUSD");
    cmd
}

/// Runs shard `k` of 3 into `out` and returns the scenarios its summary lists.
fn shard(ws: &Workspace, k: usize, out: &str) -> Vec<String> {
    perfsuite(
        ws,
        &["run", "-q", "--shard", &format!("{k}/3"), "--out", out],
    )
    .assert()
    .code(0);
    ws.summary_rows(out)
        .into_iter()
        .map(|(name, _)| name)
        .collect()
}

/// Runs the three shards into `<prefix>1`, `<prefix>2`, `<prefix>3`.
fn three_shards(ws: &Workspace, prefix: &str) -> Vec<Vec<String>> {
    (1..=3)
        .map(|k| shard(ws, k, &format!("{prefix}{k}")))
        .collect()
}

#[test]
fn the_shards_are_disjoint_and_together_hold_every_scenario() {
    let ws = suite();
    let shards = three_shards(&ws, "shard");
    let mut seen = BTreeSet::new();
    for (i, names) in shards.iter().enumerate() {
        assert!(!names.is_empty(), "shard {} is empty: {shards:?}", i + 1);
        for name in names {
            assert!(
                seen.insert(name.as_str()),
                "`{name}` in two shards: {shards:?}"
            );
            if name != "c-crash" {
                assert!(ws.exists(&format!("shard{}/{name}/bench.json", i + 1)));
            }
        }
    }
    assert_eq!(seen, BTreeSet::from(ALL), "{shards:?}");
    assert!(
        shards.iter().any(|s| s.len() == 1),
        "balanced by work, not count: the 20k scenario outweighs the small ones: {shards:?}"
    );
}

#[test]
fn the_same_input_gives_the_same_split_twice() {
    let ws = suite();
    let first = three_shards(&ws, "first");
    let second = three_shards(&ws, "second");
    assert_eq!(first, second);
}

#[test]
fn merging_the_shards_gives_the_scenarios_and_verdicts_of_one_unsharded_run() {
    let ws = suite();
    three_shards(&ws, "shard");
    perfsuite(&ws, &["run", "-q", "--out", "whole"])
        .assert()
        .code(0);

    let out = ws
        .perfsuite(["merge", "shard1", "shard2", "shard3", "--out", "merged"])
        .assert()
        .code(0);
    assert_eq!(
        stdout(out.get_output()),
        "merged 3 shards into merged: 5 scenarios: 3 pass, 1 fail, 1 error\n"
    );

    let sorted = |out: &str| ws.summary_rows(out).into_iter().collect::<BTreeSet<_>>();
    let merged = sorted("merged");
    assert_eq!(merged, sorted("whole"));
    let verdict = |name: &str| {
        merged
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(verdict("c-crash"), Some("error"));
    assert_eq!(verdict("d-12k"), Some("fail"));
    assert_eq!(verdict("e-20k"), Some("pass"));

    let summary = ws.json("merged/summary.json");
    let crash = summary["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["scenario"] == "c-crash")
        .unwrap();
    assert!(
        crash["reasons"][0]
            .as_str()
            .unwrap()
            .contains("exited with code 101"),
        "the error's reason survives the merge: {crash}"
    );
    assert_eq!(summary["interrupted"], false);
    assert!(ws.read("merged/summary.md").contains("| `d-12k` |"));

    // The measurements themselves pass through unchanged.
    for (k, names) in (1..=3).zip(three_shard_names(&ws)) {
        for name in names.iter().filter(|n| *n != "c-crash") {
            assert_eq!(
                ws.json(&format!("merged/{name}/bench.json")),
                ws.json(&format!("shard{k}/{name}/bench.json")),
                "{name}"
            );
        }
    }
    assert!(!ws.exists("merged/c-crash/bench.json"));
}

/// The scenarios of `shard1` .. `shard3`, as their summaries list them.
fn three_shard_names(ws: &Workspace) -> Vec<Vec<String>> {
    (1..=3)
        .map(|k| {
            ws.summary_rows(&format!("shard{k}"))
                .into_iter()
                .map(|(name, _)| name)
                .collect()
        })
        .collect()
}

#[test]
fn merging_a_shard_twice_exits_2_naming_the_scenario() {
    let ws = suite();
    shard(&ws, 2, "shard2");
    let out = ws
        .perfsuite(["merge", "shard2", "shard2", "--out", "merged"])
        .assert()
        .code(2);
    let message = stderr(out.get_output());
    assert!(message.contains("is in two shards"), "{message}");
    assert!(message.contains("shard2"), "{message}");
    assert!(!ws.exists("merged"), "nothing written");
}

#[test]
fn shards_of_different_builds_or_machines_are_named_in_a_warning_and_refused_under_strict() {
    let ws = suite();
    let shards = three_shards(&ws, "shard");
    // One shard with results as if measured by another commit and build, on a CPU with a
    // hostile name.
    let k = (0..3)
        .rev()
        .find(|&k| shards[k].iter().any(|n| n != "c-crash"))
        .unwrap();
    let edited = format!("shard{}", k + 1);
    let others: Vec<String> = (1..=3)
        .filter(|&i| i != k + 1)
        .map(|i| format!("shard{i}"))
        .collect();
    for name in shards[k].iter().filter(|n| *n != "c-crash") {
        let rel = format!("{edited}/{name}/bench.json");
        let mut value = ws.json(&rel);
        let env = &mut value["environment"];
        env["git_commit"] = "feedface".into();
        env["build_profile"] = "other".into();
        env["cpu"] = "Evil\u{1b}[2J\nCPU".into();
        ws.write(&rel, serde_json::to_string_pretty(&value).unwrap());
    }
    let dirs = ["shard1", "shard2", "shard3"];
    let out = ws
        .perfsuite(["merge", dirs[0], dirs[1], dirs[2], "--out", "merged"])
        .assert()
        .code(0);
    let warnings = stderr(out.get_output());
    for key in ["git_commit", "build_profile", "cpu"] {
        assert!(
            warnings.contains(&format!("warning: the shards differ in `{key}`: ")),
            "{key}: {warnings}"
        );
    }
    assert!(
        warnings.contains(&format!("`feedface` in {edited}")),
        "{warnings}"
    );
    assert!(
        warnings.contains(&format!("`Evil\\u{{1b}}[2J\\nCPU` in {edited}")),
        "the CPU string is escaped: {warnings}"
    );
    assert_eq!(warnings.lines().count(), 3, "{warnings}");
    assert!(!warnings.contains('\u{1b}'), "{warnings}");

    let out = ws
        .perfsuite([
            "merge", dirs[0], dirs[1], dirs[2], "--out", "strict", "--strict",
        ])
        .assert()
        .code(2);
    let message = stderr(out.get_output());
    assert!(
        message.starts_with("error: the shards differ in `git_commit`: ")
            && message.ends_with("--strict merges only shards of one build on one machine\n"),
        "{message}"
    );
    assert!(!ws.exists("strict"), "nothing written");
    ws.perfsuite(["merge", &others[0], &others[1], "--out", "same", "--strict"])
        .assert()
        .code(0)
        .stderr("");
}

#[test]
fn merging_a_folder_that_is_not_a_result_set_exits_2_naming_it() {
    let ws = suite();
    shard(&ws, 1, "shard1");
    ws.write("notes/readme.txt", "not results");
    let out = ws
        .perfsuite(["merge", "shard1", "notes", "--out", "merged"])
        .assert()
        .code(2);
    let message = stderr(out.get_output());
    assert!(message.contains("notes is not a result set"), "{message}");
    assert!(!ws.exists("merged"), "nothing written");
}

#[test]
fn shard_values_outside_1_to_n_or_not_numbers_exit_2() {
    let ws = suite();
    for bad in ["0/3", "4/3", "x/2", "1/0", "3"] {
        let out = ws
            .perfsuite(["run", "--shard", bad, "--out", "out"])
            .assert()
            .code(2);
        let message = stderr(out.get_output());
        assert!(
            message.contains(&format!("invalid value '{bad}' for '--shard <K/N>'")),
            "{bad}: {message}"
        );
        assert!(!ws.exists("out"), "{bad}: nothing ran");
    }
}

/// The shipped suite, split the way `run --shard` splits it (`list --shard` selects the same
/// scenarios without running them): for every N, shards 1..N are disjoint and hold it all.
#[test]
fn shards_of_the_shipped_suite_are_disjoint_and_hold_every_scenario() {
    let root = env!("CARGO_MANIFEST_DIR");
    let names = |shard: Option<String>| -> Vec<String> {
        let mut cmd = Command::cargo_bin("perfsuite").unwrap();
        cmd.current_dir(root).args(["list", "scenarios"]);
        if let Some(shard) = shard {
            cmd.args(["--shard", &shard]);
        }
        let out = cmd.output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        // After the header, scenario rows start with a name; rules and wrapped cells do not.
        stdout(&out)
            .lines()
            .skip(3)
            .filter_map(|l| l.split_whitespace().next())
            .filter(|w| w.starts_with(|c: char| c.is_ascii_alphanumeric()))
            .map(str::to_owned)
            .collect()
    };
    let all: BTreeSet<String> = names(None).into_iter().collect();
    assert!(all.len() >= 4, "the shipped suite: {all:?}");
    for n in 1..=all.len() + 1 {
        let shards: Vec<Vec<String>> = (1..=n).map(|k| names(Some(format!("{k}/{n}")))).collect();
        let joined: Vec<&String> = shards.iter().flatten().collect();
        let unique: BTreeSet<&String> = joined.iter().copied().collect();
        assert_eq!(
            joined.len(),
            unique.len(),
            "a scenario in two shards of {n}: {shards:?}"
        );
        assert_eq!(
            unique,
            all.iter().collect(),
            "shards of {n} miss a scenario: {shards:?}"
        );
    }
}
