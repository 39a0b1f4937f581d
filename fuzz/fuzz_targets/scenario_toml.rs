//! Any bytes as a scenario file: `load_suite` returns scenarios that passed validation, or an
//! error whose message starts with the file's path. Never a panic.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use perfsuite::config::{load_suite, BudgetSource};

const BUDGET: &str = include_str!("../../budgets/default.toml");

/// A folder reused by every run: `s/x.toml` is rewritten each time, the budget once.
fn dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("perfsuite-fuzz-scenario-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("s")).unwrap();
        std::fs::create_dir_all(dir.join("budgets")).unwrap();
        std::fs::write(dir.join("budgets/default.toml"), BUDGET).unwrap();
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let file = dir().join("s/x.toml");
    std::fs::write(&file, data).unwrap();
    match load_suite(&[file.clone()], &BudgetSource::Dir(dir().join("budgets"))) {
        Ok(suite) => {
            for s in &suite.scenarios {
                assert!(!s.name.is_empty() && !s.name.contains(['/', '\\']) && !s.name.contains(".."));
                assert!(!s.name.starts_with('.') && !s.name.chars().any(char::is_control));
                assert!(s.candles.is_none_or(|n| (1..=100_000_000).contains(&n)) && s.repeats >= 1);
                assert!(s.candles.is_some() || s.data.is_some());
                assert!(s.timeout_s.is_none_or(|t| t.is_finite() && t > 0.0));
                assert!(s.engine.validate().is_ok());
                let _ = suite.budget_for(s);
            }
        }
        Err(e) => assert!(e.to_string().starts_with(&file.display().to_string()), "{e}"),
    }
});
