//! Any bytes as a bench.json: `load_result_set` returns a checked result, or an error whose
//! message starts with the file's path. What loads is compared with a valid result and itself
//! and rendered in every format. Never a panic.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use perfsuite::compare::{compare, load_result_set, render, ResultSet};
use perfsuite::output::Format;

const VALID: &str = include_str!("../corpus/bench_json/seed-valid.json");

fn dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("perfsuite-fuzz-bench-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("valid.json"), VALID).unwrap();
        dir
    })
}

fn valid() -> &'static ResultSet {
    static SET: OnceLock<ResultSet> = OnceLock::new();
    SET.get_or_init(|| load_result_set(&dir().join("valid.json")).unwrap())
}

fuzz_target!(|data: &[u8]| {
    let file = dir().join("bench.json");
    std::fs::write(&file, data).unwrap();
    match load_result_set(&file) {
        Ok(head) => {
            for (a, b) in [(valid(), &head), (&head, valid()), (&head, &head)] {
                let comparison = compare(a, b);
                for format in [Format::Table, Format::Markdown, Format::Json] {
                    assert!(!render(&comparison, format).is_empty());
                }
            }
        }
        Err(e) => assert!(e.to_string().starts_with(&file.display().to_string()), "{e}"),
    }
});
