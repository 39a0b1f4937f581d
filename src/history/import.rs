//! Finding the results to record: the result sets named on the command line (`history add`),
//! or every bench.json anywhere under a folder of downloaded `bench-report` artifacts
//! (`history import`). Each file goes through the same checks as `compare`'s.

use std::path::{Path, PathBuf};

use crate::compare::{load_result_set, sorted_entries, LoadError};
use crate::results::folder::BENCH_JSON;
use crate::results::ScenarioResult;

/// How deep `import` looks for bench.json files: artifacts unpack a few levels deep
/// (`<download>/<run>/<artifact>/<scenario>/bench.json`); a deeper tree is not an artifact.
const MAX_DEPTH: usize = 8;

/// The results of the result sets at `paths` (results folders or bench.json files).
pub fn read_sets(paths: &[PathBuf]) -> Result<Vec<ScenarioResult>, LoadError> {
    let mut out = Vec::new();
    for path in paths {
        out.extend(load_result_set(path)?.results().values().cloned());
    }
    Ok(out)
}

/// The results of every bench.json under `dir`, in path order; symbolic links are not
/// followed.
pub fn read_tree(dir: &Path) -> Result<Vec<ScenarioResult>, LoadError> {
    let mut files = Vec::new();
    find(dir, 0, &mut files)?;
    if files.is_empty() {
        return Err(LoadError::NotAResultSet {
            path: dir.to_owned(),
        });
    }
    read_sets(&files)
}

/// Appends every `bench.json` under `dir` to `files`, sorted.
fn find(dir: &Path, depth: usize, files: &mut Vec<PathBuf>) -> Result<(), LoadError> {
    for path in sorted_entries(dir)? {
        let meta = std::fs::symlink_metadata(&path).map_err(|source| LoadError::Io {
            path: path.clone(),
            source,
        })?;
        if meta.is_dir() && depth < MAX_DEPTH {
            find(&path, depth + 1, files)?;
        } else if meta.is_file() && path.file_name().is_some_and(|n| n == BENCH_JSON) {
            files.push(path);
        }
    }
    Ok(())
}
