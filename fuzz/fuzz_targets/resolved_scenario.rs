//! Any bytes as a scenario file; every scenario `load_suite` accepts then goes through what
//! `run`, `ab` and `bench` compute from it (time limit, memory estimate, sampling plans to their
//! bounds, the child's command line parsed back), as `tests/resolved_scenario.rs` checks on
//! generated files. Never a panic, and the child must read what the scenario says.
#![no_main]

#[path = "../../tests/common/resolved.rs"]
mod resolved;

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use perfsuite::config::{load_suite, BudgetSource};

const BUDGET: &str = include_str!("../../budgets/default.toml");

/// A folder reused by every run: `s/x.toml` is rewritten each time, the budget once.
fn dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("perfsuite-fuzz-resolved-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("s")).unwrap();
        std::fs::create_dir_all(dir.join("budgets")).unwrap();
        std::fs::write(dir.join("budgets/default.toml"), BUDGET).unwrap();
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let file = dir().join("s/x.toml");
    std::fs::write(&file, data).unwrap();
    if let Ok(suite) = load_suite(&[file], &BudgetSource::Dir(dir().join("budgets"))) {
        if let Err(e) = resolved::exercise(&suite) {
            panic!("{e}");
        }
    }
});
