//! The results folder: `OUT/<scenario>/bench.json`, `OUT/summary.json`, `OUT/summary.md`.
//! Every file is written atomically.

use std::path::Path;

use crate::error::Error;
use crate::fsio::write_atomic;
use crate::report;
use crate::results::{ScenarioResult, Summary};
use crate::suite::bench_path;

/// File name of the machine-readable summary.
pub const SUMMARY_JSON: &str = "summary.json";
/// File name of the Markdown summary.
pub const SUMMARY_MD: &str = "summary.md";
/// File name of a scenario's result.
pub const BENCH_JSON: &str = "bench.json";

/// Makes `out` ready for a new run: creates it, and removes the results of an earlier run
/// (every `*/bench.json` and the summaries), so old scenarios never pass for new ones.
pub fn prepare(out: &Path) -> Result<(), Error> {
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    for name in [SUMMARY_JSON, SUMMARY_MD] {
        remove_if_present(&out.join(name))?;
    }
    for entry in std::fs::read_dir(out).map_err(|e| Error::io(out, e))? {
        let dir = entry.map_err(|e| Error::io(out, e))?.path();
        if dir.is_dir() && dir.join(BENCH_JSON).is_file() {
            remove_if_present(&dir.join(BENCH_JSON))?;
            let _ = std::fs::remove_dir(&dir); // only succeeds if nothing else is in it
        }
    }
    Ok(())
}

fn remove_if_present(path: &Path) -> Result<(), Error> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::io(path, e)),
        _ => Ok(()),
    }
}

/// Writes a scenario's bench.json.
pub fn write_result(out: &Path, result: &ScenarioResult) -> Result<(), Error> {
    let json = serde_json::to_string_pretty(result).expect("a result serializes");
    write_atomic(
        &out.join(bench_path(&result.scenario)),
        format!("{json}\n").as_bytes(),
    )
}

/// Writes summary.json and summary.md.
pub fn write_summary(out: &Path, summary: &Summary) -> Result<(), Error> {
    write_atomic(&out.join(SUMMARY_JSON), report::json(summary).as_bytes())?;
    write_atomic(&out.join(SUMMARY_MD), report::markdown(summary).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prepare_removes_an_earlier_runs_results_only() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        std::fs::create_dir_all(out.join("old-scenario")).unwrap();
        std::fs::write(out.join("old-scenario/bench.json"), "{}").unwrap();
        std::fs::create_dir_all(out.join("notes")).unwrap();
        std::fs::write(out.join("notes/keep.txt"), "mine").unwrap();
        std::fs::write(out.join(SUMMARY_JSON), "{}").unwrap();
        prepare(out).unwrap();
        assert!(!out.join("old-scenario").exists());
        assert!(!out.join(SUMMARY_JSON).exists());
        assert_eq!(
            std::fs::read_to_string(out.join("notes/keep.txt")).unwrap(),
            "mine"
        );
    }
}
