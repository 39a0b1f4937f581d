//! Tests of reading result sets: what is read, and every file that is refused with its name.

use super::*;
use crate::compare::fixtures::result;

/// A temp dir with `files` (path relative to it, contents) written into it.
fn dir_with(files: &[(&str, String)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, contents) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
    }
    dir
}

fn json_of(r: &ScenarioResult) -> serde_json::Value {
    serde_json::to_value(r).unwrap()
}

fn text(v: serde_json::Value) -> String {
    serde_json::to_string_pretty(&v).unwrap()
}

/// The error of loading `dir`, checked to name `file` (relative to `dir`).
fn error_naming(dir: &tempfile::TempDir, file: &str) -> String {
    let err = load_result_set(dir.path()).expect_err("the result set should not load");
    let message = err.to_string();
    let path = if file.is_empty() {
        dir.path().to_owned()
    } else {
        dir.path().join(file)
    };
    assert!(
        message.starts_with(&path.display().to_string()),
        "{message}"
    );
    assert_eq!(err.path(), path);
    message
}

#[test]
fn a_results_folder_loads_every_scenario_and_ignores_other_files() {
    let dir = dir_with(&[
        ("btc/bench.json", text(json_of(&result("btc", &[1000.0])))),
        ("eth/bench.json", text(json_of(&result("eth", &[900.0])))),
        ("summary.json", "{}".into()),
        ("summary.md", "# table".into()),
        ("empty/notes.txt", "".into()),
    ]);
    let set = load_result_set(dir.path()).unwrap();
    assert_eq!(set.results().keys().collect::<Vec<_>>(), ["btc", "eth"]);
    assert_eq!(set.source(), dir.path());
    assert_eq!(set.get("btc"), Some(&result("btc", &[1000.0])));
}

#[test]
fn one_bench_json_is_a_result_set_of_one() {
    let dir = dir_with(&[("btc/bench.json", text(json_of(&result("btc", &[1000.0]))))]);
    let file = dir.path().join("btc/bench.json");
    assert_eq!(load_result_set(&file).unwrap().len(), 1);
    assert_eq!(load_result_set(&dir.path().join("btc")).unwrap().len(), 1);
}

#[test]
fn truncated_json_names_the_file_line_and_column() {
    let full = text(json_of(&result("btc", &[1000.0])));
    let dir = dir_with(&[("btc/bench.json", full[..full.len() / 2].to_owned())]);
    let message = error_naming(&dir, "btc/bench.json");
    assert!(message.contains("cut short (truncated JSON)"), "{message}");
}

#[test]
fn a_newer_schema_version_says_a_newer_perfsuite_wrote_it() {
    let mut v = json_of(&result("btc", &[1000.0]));
    let newer = SCHEMA_VERSION + 1;
    v["schema_version"] = newer.into();
    v["renamed_key"] = "a future shape".into();
    let dir = dir_with(&[("btc/bench.json", text(v))]);
    let message = error_naming(&dir, "btc/bench.json");
    assert!(
        message.contains(&format!(
            "written by a newer perfsuite (schema_version {newer}"
        )),
        "{message}"
    );
}

#[test]
fn a_file_of_an_older_schema_version_is_still_read() {
    let mut v = json_of(&result("btc", &[1000.0]));
    v["schema_version"] = 1.into();
    let dir = dir_with(&[("btc/bench.json", text(v))]);
    let set = load_result_set(dir.path()).expect("version 1 is read");
    assert_eq!(
        set.get("btc").map(|r| r.measurement.schema_version),
        Some(1)
    );
}

#[test]
fn a_negative_sample_is_rejected_with_its_key() {
    let mut v = json_of(&result("btc", &[1000.0, 1010.0]));
    v["candles_per_sec"]["samples"][1] = (-5.0).into();
    let dir = dir_with(&[("btc/bench.json", text(v))]);
    let message = error_naming(&dir, "btc/bench.json");
    assert!(
        message.contains("`candles_per_sec.samples[1]` must be a positive number, got -5"),
        "{message}"
    );
}

#[test]
fn empty_samples_and_negative_latency_are_rejected() {
    let mut v = json_of(&result("btc", &[1000.0]));
    v["candles_per_sec"]["samples"] = serde_json::json!([]);
    let dir = dir_with(&[("btc/bench.json", text(v))]);
    assert!(error_naming(&dir, "btc/bench.json").contains("`candles_per_sec.samples` is empty"));

    let mut v = json_of(&result("btc", &[1000.0]));
    v["p95_stage_latency_ms"] = (-1.0).into();
    let dir = dir_with(&[("btc/bench.json", text(v))]);
    assert!(error_naming(&dir, "btc/bench.json")
        .contains("`p95_stage_latency_ms` must be a non-negative number"));
}

#[test]
fn a_statistic_outside_its_samples_is_rejected() {
    let mut v = json_of(&result("btc", &[1000.0, 1010.0]));
    v["candles_per_sec"]["median"] = 5000.0.into();
    let dir = dir_with(&[("btc/bench.json", text(v))]);
    assert!(
        error_naming(&dir, "btc/bench.json").contains("`candles_per_sec.median` is 5000, outside")
    );
}

#[test]
fn a_missing_key_is_named() {
    let mut v = json_of(&result("btc", &[1000.0]));
    v.as_object_mut().unwrap().remove("config_digest");
    let dir = dir_with(&[("btc/bench.json", text(v))]);
    let message = error_naming(&dir, "btc/bench.json");
    assert!(
        message.contains("not a bench.json: missing field `config_digest`"),
        "{message}"
    );
}

#[test]
fn a_scenario_name_that_is_a_path_is_rejected() {
    for name in ["../etc", "a/b", ".hidden", "a..b", "tab\there", ""] {
        let dir = dir_with(&[("x/bench.json", text(json_of(&result(name, &[1000.0]))))]);
        let message = error_naming(&dir, "x/bench.json");
        assert!(
            message.contains(&format!("`scenario` {name:?} ")) && message.contains("plain name"),
            "{message}"
        );
    }
}

#[test]
fn the_same_scenario_in_two_files_names_both() {
    let dir = dir_with(&[
        ("a/bench.json", text(json_of(&result("btc", &[1000.0])))),
        ("b/bench.json", text(json_of(&result("btc", &[1000.0])))),
    ]);
    let message = error_naming(&dir, "b/bench.json");
    assert!(
        message.contains("scenario `btc` is also in") && message.contains("a/bench.json"),
        "{message}"
    );
}

#[test]
fn a_folder_without_any_bench_json_is_not_a_result_set() {
    let dir = dir_with(&[
        ("summary.json", "{}".into()),
        ("btc/other.json", "{}".into()),
    ]);
    let message = error_naming(&dir, "");
    assert!(message.contains("not a result set"), "{message}");
    let empty = tempfile::tempdir().unwrap();
    assert!(matches!(
        load_result_set(empty.path()),
        Err(LoadError::NotAResultSet { .. })
    ));
}

#[test]
fn a_missing_path_is_an_io_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let err = load_result_set(&dir.path().join("nope")).unwrap_err();
    assert!(matches!(err, LoadError::Io { .. }));
    assert!(err
        .to_string()
        .starts_with(&dir.path().join("nope").display().to_string()));
}
