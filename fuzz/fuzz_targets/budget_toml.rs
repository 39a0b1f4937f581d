//! Any bytes as a budget profile: `load_suite` returns checked budgets, or an error whose
//! message starts with the path of the budget or the scenario file. Never a panic.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use perfsuite::config::{load_suite, BudgetSource};

const SCENARIO: &str = "[defaults]\ncandles = 1000\n[[scenario]]\nname = 'btc-1m'\n\
                        [[scenario]]\nname = 'eth.v2'\nbudget = 'default'\n";

fn dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("perfsuite-fuzz-budget-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("s")).unwrap();
        std::fs::create_dir_all(dir.join("budgets")).unwrap();
        std::fs::write(dir.join("s/x.toml"), SCENARIO).unwrap();
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let (scenario, budget) = (dir().join("s/x.toml"), dir().join("budgets/default.toml"));
    std::fs::write(&budget, data).unwrap();
    match load_suite(&[scenario.clone()], &BudgetSource::Dir(dir().join("budgets"))) {
        Ok(suite) => {
            // Resolve every scenario's budget, as `list` does, touching every field.
            for s in &suite.scenarios {
                let _ = format!("{:?}", suite.budget_for(s));
            }
        }
        Err(e) => {
            let message = e.to_string();
            assert!(
                message.starts_with(&budget.display().to_string())
                    || message.starts_with(&scenario.display().to_string()),
                "{message}"
            );
        }
    }
});
