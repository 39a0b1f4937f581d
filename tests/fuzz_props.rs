//! Property tests over untrusted inputs, run with every `cargo test` with a bounded number of
//! cases: arbitrary text and mutations of valid scenario files, budget files and bench.json
//! files, `--shard` values, `--filter` patterns and whole command lines. None may panic; each
//! must end in a value that passed validation or an error naming the file.
//!
//! The seeds are the fuzzers' seed corpus (`fuzz/corpus/*/seed-*`), so both start from the same
//! valid files. The `cargo fuzz` targets in `fuzz/` explore the same properties for longer.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::{Duration, Instant};

use perfsuite::config::{load_suite, BudgetSource};
use perfsuite::shard::{select, Shard};
use proptest::prelude::*;
use serde_json::Value;

const SCENARIO_SEEDS: &[&str] = &[
    include_str!("../fuzz/corpus/scenario_toml/seed-btc-5m.toml"),
    include_str!("../fuzz/corpus/scenario_toml/seed-eth-200k.toml"),
    include_str!("../fuzz/corpus/scenario_toml/seed-many.toml"),
    include_str!("../fuzz/corpus/scenario_toml/seed-runbook-smoke.toml"),
];
const BUDGET_SEEDS: &[&str] = &[
    include_str!("../fuzz/corpus/budget_toml/seed-default.toml"),
    include_str!("../fuzz/corpus/budget_toml/seed-overrides.toml"),
];
const BENCH_SEED: &str = include_str!("../fuzz/corpus/bench_json/seed-valid.json");

/// One edit of a file's bytes; positions wrap around the file's length.
#[derive(Debug, Clone)]
enum Edit {
    Insert(usize, String),
    Delete(usize, usize),
    Replace(usize, usize, String),
    DuplicateLine(usize),
}

/// Pieces of TOML and JSON syntax, edge-case values and arbitrary text.
fn fragment() -> impl Strategy<Value = String> {
    let syntax = prop::sample::select(vec![
        "=",
        "[",
        "]",
        "[[",
        "]]",
        "{",
        "}",
        ",",
        ".",
        "\"",
        "'",
        "'''",
        "\n",
        "#",
        "\\",
        "[[scenario]]\n",
        "[defaults]\n",
        "[engine]\n",
        "[scenario.x.candles_per_sec]\n",
        "name = ",
        "candles = ",
        "repeats = ",
        "timeout_s = ",
        "budget = ",
        "batch_size = ",
        "floor = ",
        "ceiling = ",
        "warn = ",
        "stat = ",
        "warn_pct = ",
        "0",
        "-1",
        "1",
        "1e309",
        "-1e309",
        "nan",
        "inf",
        "-inf",
        "0.0",
        "1.5",
        "9223372036854775807",
        "9223372036854775808",
        "-9223372036854775808",
        "18446744073709551616",
        "100000000",
        "100000001",
        "1e-320",
        "true",
        "null",
        "[]",
        "{}",
        "\"../x\"",
        "'a/b'",
        "'.hidden'",
        "\"\\u0000\"",
        "'a..b'",
        "\"é\"",
        "\u{0}",
        "\u{feff}",
        "\r\n",
    ])
    .prop_map(str::to_owned);
    prop_oneof![3 => syntax, 1 => any::<String>()]
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), fragment()).prop_map(|(at, s)| Edit::Insert(at, s)),
        (any::<usize>(), 1usize..24).prop_map(|(at, n)| Edit::Delete(at, n)),
        (any::<usize>(), 1usize..12, fragment()).prop_map(|(at, n, s)| Edit::Replace(at, n, s)),
        any::<usize>().prop_map(Edit::DuplicateLine),
    ]
}

/// `text` with `edits` applied, as bytes (an edit may split a character: that too is input).
fn apply(text: &str, edits: &[Edit]) -> Vec<u8> {
    let mut bytes = text.as_bytes().to_vec();
    for e in edits {
        let at = |p: usize, len: usize| p % (len + 1);
        match e {
            Edit::Insert(p, s) => {
                let p = at(*p, bytes.len());
                bytes.splice(p..p, s.bytes());
            }
            Edit::Delete(p, n) => {
                let p = at(*p, bytes.len());
                let end = (p + n).min(bytes.len());
                bytes.drain(p..end);
            }
            Edit::Replace(p, n, s) => {
                let p = at(*p, bytes.len());
                let end = (p + n).min(bytes.len());
                bytes.splice(p..end, s.bytes());
            }
            Edit::DuplicateLine(p) => {
                let lines: Vec<&[u8]> = bytes.split(|&b| b == b'\n').collect();
                let i = p % lines.len();
                let mut out = Vec::new();
                for (j, line) in lines.iter().enumerate() {
                    out.extend_from_slice(line);
                    out.push(b'\n');
                    if j == i {
                        out.extend_from_slice(line);
                        out.push(b'\n');
                    }
                }
                bytes = out;
            }
        }
    }
    bytes
}

/// A temp dir with `s/x.toml` and `budgets/default.toml`.
fn suite_dir(scenario: &[u8], budget: &[u8]) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let (s, b) = (
        dir.path().join("s/x.toml"),
        dir.path().join("budgets/default.toml"),
    );
    for (path, bytes) in [(&s, scenario), (&b, budget)] {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    (dir, s, b)
}

/// Loads the suite; an error must name one of `files`, and what loads must be valid.
fn load_checked(scenario: &Path, budgets: &Path, files: &[&Path]) -> Result<(), TestCaseError> {
    let dir = budgets.parent().unwrap().to_owned();
    match load_suite(&[scenario.to_owned()], &BudgetSource::Dir(dir)) {
        Ok(suite) => {
            for s in &suite.scenarios {
                let name = &s.name;
                prop_assert!(
                    !name.is_empty()
                        && !name.contains(['/', '\\'])
                        && !name.contains("..")
                        && !name.starts_with('.'),
                    "a path-like name passed validation: {name:?}"
                );
                prop_assert!(name.chars().all(|c| !c.is_control()));
                prop_assert!(s.candles.is_none_or(|n| (1..=100_000_000).contains(&n)));
                prop_assert!(s.candles.is_some() || s.data.is_some());
                prop_assert!(s.repeats >= 1);
                prop_assert!(s.timeout_s.is_none_or(|t| t.is_finite() && t > 0.0));
                prop_assert!(s.engine.validate().is_ok());
                let _ = suite.budget_for(s); // every scenario's profile exists
            }
        }
        Err(e) => {
            let message = e.to_string();
            prop_assert!(
                files
                    .iter()
                    .any(|f| message.starts_with(&f.display().to_string())),
                "the error does not start with the file: {message}"
            );
            prop_assert!(
                !message.contains('\n') || message.lines().count() < 4,
                "{message}"
            );
        }
    }
    Ok(())
}

/// Any JSON value, a few levels deep.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        prop::num::f64::NORMAL.prop_map(Value::from),
        prop::sample::select(vec![
            0.0,
            -0.0,
            1e-300,
            1e300,
            -1.0,
            5e-324,
            1e12,
            1e12 + 1.0
        ])
        .prop_map(Value::from),
        ".{0,12}".prop_map(Value::from),
        prop::sample::select(vec!["../x", "", ".h", "pass", "error", "min", "median"])
            .prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map(".{0,8}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A change at one place in a JSON tree, found by following `path` (indices wrap).
#[derive(Debug, Clone)]
enum JsonEdit {
    Set(Vec<usize>, Value),
    Remove(Vec<usize>),
}

fn json_edit() -> impl Strategy<Value = JsonEdit> {
    let path = prop::collection::vec(any::<usize>(), 1..5);
    prop_oneof![
        3 => (path.clone(), json_value()).prop_map(|(p, v)| JsonEdit::Set(p, v)),
        1 => path.prop_map(JsonEdit::Remove),
    ]
}

fn apply_json(v: &mut Value, e: &JsonEdit) {
    match e {
        JsonEdit::Set(path, new) => at_path(v, path, Some(new)),
        JsonEdit::Remove(path) => at_path(v, path, None),
    }
}

/// Sets (or, with `None`, removes) the node `path` leads to; a path reaching a leaf early
/// replaces that leaf.
fn at_path(node: &mut Value, path: &[usize], new: Option<&Value>) {
    let Some((&step, rest)) = path.split_first() else {
        if let Some(n) = new {
            *node = n.clone();
        }
        return;
    };
    match node {
        Value::Object(map) if !map.is_empty() => {
            let key = map.keys().nth(step % map.len()).unwrap().clone();
            match (rest.is_empty(), new) {
                (true, None) => drop(map.remove(&key)),
                _ => at_path(map.get_mut(&key).unwrap(), rest, new),
            }
        }
        Value::Array(items) if !items.is_empty() => {
            let i = step % items.len();
            match (rest.is_empty(), new) {
                (true, None) => drop(items.remove(i)),
                _ => at_path(&mut items[i], rest, new),
            }
        }
        leaf => {
            if let Some(n) = new {
                *leaf = n.clone();
            }
        }
    }
}

/// Loads `bytes` as a bench.json; an error must name the file; what loads must compare and
/// render in every format without panicking.
fn load_bench(bytes: &[u8]) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bench.json");
    std::fs::write(&file, bytes).unwrap();
    match perfsuite::compare::load_result_set(&file) {
        Ok(head) => {
            let base = perfsuite::compare::load_result_set(&seed_file(dir.path())).unwrap();
            for (a, b) in [(&base, &head), (&head, &base), (&head, &head)] {
                let comparison = perfsuite::compare::compare(a, b);
                for format in [
                    perfsuite::output::Format::Table,
                    perfsuite::output::Format::Markdown,
                    perfsuite::output::Format::Json,
                ] {
                    let text = perfsuite::compare::render(&comparison, format);
                    prop_assert!(!text.is_empty());
                }
            }
        }
        Err(e) => {
            let message = e.to_string();
            prop_assert!(
                message.starts_with(&file.display().to_string()),
                "the error does not start with the file: {message}"
            );
        }
    }
    Ok(())
}

fn seed_file(dir: &Path) -> PathBuf {
    let path = dir.join("seed.json");
    std::fs::write(&path, BENCH_SEED).unwrap();
    path
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_text_as_a_scenario_file_loads_or_names_the_file(text in any::<String>()) {
        let (_dir, s, b) = suite_dir(text.as_bytes(), BUDGET_SEEDS[0].as_bytes());
        load_checked(&s, &b, &[&s])?;
    }

    #[test]
    fn mutated_scenario_files_load_or_name_the_file(
        seed in 0..SCENARIO_SEEDS.len(),
        edits in prop::collection::vec(edit(), 1..6),
    ) {
        let bytes = apply(SCENARIO_SEEDS[seed], &edits);
        let (_dir, s, b) = suite_dir(&bytes, BUDGET_SEEDS[0].as_bytes());
        load_checked(&s, &b, &[&s])?;
    }

    #[test]
    fn mutated_budget_files_load_or_name_a_file(
        seed in 0..BUDGET_SEEDS.len(),
        edits in prop::collection::vec(edit(), 1..6),
    ) {
        let bytes = apply(BUDGET_SEEDS[seed], &edits);
        let (_dir, s, b) = suite_dir(SCENARIO_SEEDS[2].as_bytes(), &bytes);
        load_checked(&s, &b, &[&s, &b])?;
    }

    #[test]
    fn arbitrary_bytes_as_a_bench_json_load_or_name_the_file(
        bytes in prop_oneof![
            prop::collection::vec(any::<u8>(), 0..256),
            json_value().prop_map(|v| serde_json::to_vec(&v).unwrap()),
        ],
    ) {
        load_bench(&bytes)?;
    }

    #[test]
    fn mutated_bench_json_loads_compares_and_renders_or_names_the_file(
        edits in prop::collection::vec(json_edit(), 1..4),
        byte_edits in prop::collection::vec(edit(), 0..2),
    ) {
        let mut v: Value = serde_json::from_str(BENCH_SEED).unwrap();
        for e in &edits {
            apply_json(&mut v, e);
        }
        let text = serde_json::to_string_pretty(&v).unwrap();
        load_bench(&apply(&text, &byte_edits))?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn any_shard_value_parses_to_a_valid_shard_or_is_refused(
        text in prop_oneof![
            any::<String>(),
            "[ 0-9+-]{0,24}/[ 0-9+-]{0,24}",
            (any::<u64>(), any::<u64>()).prop_map(|(k, n)| format!("{k}/{n}")),
        ],
        costs in prop::collection::vec(0u64..1u64 << 40, 0..12),
    ) {
        if let Ok(shard) = Shard::from_str(&text) {
            prop_assert!(shard.count >= 1 && (1..=shard.count).contains(&shard.index));
            prop_assert_eq!(Shard::from_str(&shard.to_string()), Ok(shard));
            let mine = select(&costs, shard);
            prop_assert!(mine.iter().all(|&i| i < costs.len()));
        }
    }

    #[test]
    fn every_scenario_lands_in_exactly_one_shard(
        count in 1usize..12,
        costs in prop::collection::vec(0u64..1u64 << 40, 0..30),
    ) {
        let mut seen = vec![0; costs.len()];
        for index in 1..=count {
            for i in select(&costs, Shard { index, count }) {
                seen[i] += 1;
            }
        }
        prop_assert!(seen.iter().all(|&n| n == 1), "{seen:?}");
    }

    #[test]
    fn any_filter_on_any_name_answers_fast(
        pattern in prop_oneof![any::<String>(), "[ab*?]{0,64}"],
        name in prop_oneof![any::<String>(), "[ab]{0,256}"],
    ) {
        let started = Instant::now();
        let matched = perfsuite::commands::matches_filter(&pattern, &name);
        prop_assert!(started.elapsed() < Duration::from_millis(100), "{:?}", started.elapsed());
        if !pattern.contains(['*', '?']) {
            prop_assert_eq!(matched, name.contains(&pattern));
        }
        prop_assert!(perfsuite::commands::matches_filter("*", &name));
    }

    #[test]
    fn any_command_line_parses_or_is_refused(
        args in prop::collection::vec(
            prop_oneof![
                prop::sample::select(vec![
                    "run", "bench", "compare", "ab", "check", "list", "merge", "--out", "--shard",
                    "--filter", "--candles", "--repeats", "--warmup", "--seed", "--symbol",
                    "--engine-json", "--format", "--budgets", "--baseline", "--base", "--strict",
                    "-q", "--help", "--version", "json", "markdown", "0", "1/2", "-1", "", "--",
                    "100000001", "18446744073709551616", "{\"batch_size\": 0}",
                ]).prop_map(str::to_owned),
                any::<String>(),
            ],
            0..8,
        ),
    ) {
        use clap::Parser;
        let argv = std::iter::once("perfsuite".to_owned()).chain(args);
        let _ = perfsuite::cli::Cli::try_parse_from(argv);
    }
}
