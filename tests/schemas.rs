//! The JSON Schemas in `schema/` are generated from perfsuite's types (`perfsuite::schema`):
//! this test fails when the checked-in files and the types drift apart, and
//! `UPDATE_SCHEMAS=1 cargo test --test schemas` rewrites them. Every JSON file and document a
//! real perfsuite run writes is then checked against its schema.

mod common;

use std::path::{Path, PathBuf};

use common::{stdout, Workspace};

fn schema_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("schema")
}

#[test]
fn the_published_schemas_match_the_types() {
    let update = std::env::var_os("UPDATE_SCHEMAS").is_some_and(|v| v == "1");
    let mut stale = Vec::new();
    for (name, schema) in perfsuite::schema::all() {
        let path = schema_dir().join(name);
        let expected = perfsuite::schema::to_file_text(&schema);
        if update {
            std::fs::create_dir_all(schema_dir()).unwrap();
            std::fs::write(&path, &expected).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(expected.as_str()) {
            stale.push(name);
        }
    }
    assert!(
        stale.is_empty(),
        "schema/{stale:?} differ from the types; regenerate with \
         `UPDATE_SCHEMAS=1 cargo test --test schemas`, and bump `schema_version` if a reader \
         could trip over the change (docs/ci.md)"
    );
}

/// Checks `value` against `schema/<name>`.
fn assert_matches(name: &str, what: &str, value: &serde_json::Value) {
    let path = schema_dir().join(name);
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("a valid JSON Schema");
    let errors: Vec<String> = validator
        .iter_errors(value)
        .map(|e| format!("  {}: {e}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what} does not match {name}:\n{}",
        errors.join("\n")
    );
}

fn parse(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}:\n{text}"))
}

#[test]
fn every_json_perfsuite_writes_matches_its_schema() {
    let ws = Workspace::new();
    ws.tiny_scenario("tiny", 2_000, "repeats = 2\nwarmup = 0")
        .tiny_scenario("eth", 1_000, "repeats = 2\nsymbol = \"ETHUSDT\"");
    let bin = env!("CARGO_BIN_EXE_perfsuite");

    let run = ws
        .perfsuite(["run", "--format", "json", "--out", "res"])
        .output()
        .unwrap();
    assert!(run.status.success());
    assert_matches(
        "summary.schema.json",
        "run --format json",
        &parse(&stdout(&run)),
    );
    assert_matches(
        "summary.schema.json",
        "res/summary.json",
        &ws.json("res/summary.json"),
    );
    for scenario in ["tiny", "eth"] {
        let file = format!("res/{scenario}/bench.json");
        assert_matches("bench.schema.json", &file, &ws.json(&file));
    }

    let ab = ws
        .perfsuite(["ab", "--base", bin, "--format", "json", "--out", "ab"])
        .output()
        .unwrap();
    assert!(ab.status.success());
    assert_matches(
        "compare.schema.json",
        "ab --format json",
        &parse(&stdout(&ab)),
    );
    for side in ["base", "head"] {
        let summary = format!("ab/{side}/summary.json");
        assert_matches("summary.schema.json", &summary, &ws.json(&summary));
        let bench = format!("ab/{side}/tiny/bench.json");
        assert_matches("bench.schema.json", &bench, &ws.json(&bench));
    }

    let compare = ws
        .perfsuite(["compare", "res", "ab/head", "--format", "json"])
        .output()
        .unwrap();
    assert_matches(
        "compare.schema.json",
        "compare --format json",
        &parse(&stdout(&compare)),
    );

    let bench = ws
        .perfsuite([
            "bench",
            "--candles",
            "1000",
            "--repeats",
            "1",
            "--warmup",
            "0",
        ])
        .output()
        .unwrap();
    assert!(bench.status.success());
    assert_matches(
        "measurement.schema.json",
        "perfsuite bench",
        &parse(&stdout(&bench)),
    );
}
