//! The results folder: `OUT/<scenario>/bench.json`, `OUT/summary.json`, `OUT/summary.md`, and
//! `OUT/.perfsuite-manifest`, the list of the files the last run wrote there. Every file is
//! written atomically, and only while this process holds the folder's
//! [`Lock`](crate::results::lock::Lock).
//!
//! # Never touching what is not ours
//!
//! perfsuite deletes or overwrites only files it can prove it wrote: those named in the
//! manifest. Before anything is measured, [`ResultsFolder::prepare`] checks every path where
//! this run's results go: each must be absent or a regular file the manifest names, and each
//! scenario's folder absent or a real folder. Anything else there (a file of someone else's, a
//! symlink, a FIFO) is refused with exit 2 and nothing is changed. Only then are the files of the
//! last run removed, each looked at with `symlink_metadata` (a symlink is never followed out of
//! the folder), and the manifest rewritten to name every file this run may write. `--out`
//! itself must be a real folder or absent: a symlink is refused, as the folder it points to is
//! not the one the user named (name that folder instead).

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::output::escape::shown;
use crate::output::report;
use crate::results::atomic::write_atomic;
use crate::results::lock::{ensure_folder, Lock};
use crate::results::{ScenarioResult, Summary};

pub use crate::results::lock::LOCK_FILE;

/// File name of the machine-readable summary.
pub const SUMMARY_JSON: &str = "summary.json";
/// File name of the Markdown summary.
pub const SUMMARY_MD: &str = "summary.md";
/// File name of a scenario's result.
pub const BENCH_JSON: &str = "bench.json";
/// File name of the list of files the last run wrote into a results folder.
pub const MANIFEST: &str = ".perfsuite-manifest";
/// The summaries: scenario names that would collide with them are refused by `config`.
const SUMMARIES: [&str; 2] = [SUMMARY_JSON, SUMMARY_MD];

/// One result set being written into a folder, under the lock of that folder or of a folder
/// above it (`ab` writes `OUT/base` and `OUT/head` under the lock of `OUT`).
///
/// The manifest names every file this run may write from [`prepare`](Self::prepare) on, so a
/// run killed midway leaves a manifest that covers its files; when the value is dropped, the
/// manifest is rewritten to name exactly the files written.
#[derive(Debug)]
pub struct ResultsFolder<'a> {
    lock: &'a Lock,
    dir: PathBuf,
    written: RefCell<BTreeSet<String>>,
}

impl<'a> ResultsFolder<'a> {
    /// Makes `dir` ready for a result set of `scenarios`: refuses it when anything not written
    /// by perfsuite is where a result goes (changing nothing), then removes the last run's files
    /// and records the files this run may write.
    pub fn prepare(lock: &'a Lock, dir: &Path, scenarios: &[&str]) -> Result<Self, Error> {
        lock.verify()?;
        ensure_folder(dir)?;
        let ours = read_manifest(dir)?;
        let mut targets: Vec<String> = scenarios.iter().map(|s| bench_path(s)).collect();
        targets.extend(SUMMARIES.map(str::to_owned));
        for target in &targets {
            check_room(dir, target, &ours)?;
        }
        for entry in &ours {
            remove_ours(dir, entry)?;
        }
        let planned: BTreeSet<String> = targets.into_iter().collect();
        write_manifest(dir, &planned)?;
        Ok(Self {
            lock,
            dir: dir.to_owned(),
            written: RefCell::default(),
        })
    }

    /// Writes a scenario's bench.json, creating its folder.
    pub fn write_result(&self, result: &ScenarioResult) -> Result<(), Error> {
        self.lock.verify()?;
        let folder = self.dir.join(&result.scenario);
        match std::fs::create_dir(&folder) {
            Ok(()) => {}
            Err(e) if e.kind() == ErrorKind::AlreadyExists && is_real_dir(&folder) => {}
            Err(e) if e.kind() == ErrorKind::AlreadyExists => {
                return Err(Error::Input(format!(
                    "{}: is not a folder, where the scenario's results folder goes; move it away",
                    shown(&folder)
                )))
            }
            Err(e) => return Err(Error::io(&folder, e)),
        }
        // Plain data: serde_json fails only on maps with non-string keys, which it has none of.
        let json = serde_json::to_string_pretty(result).expect("a result serializes");
        write_atomic(&folder.join(BENCH_JSON), format!("{json}\n").as_bytes())?;
        self.written
            .borrow_mut()
            .insert(bench_path(&result.scenario));
        Ok(())
    }

    /// Writes summary.json and summary.md.
    pub fn write_summary(&self, summary: &Summary) -> Result<(), Error> {
        self.lock.verify()?;
        write_atomic(
            &self.dir.join(SUMMARY_JSON),
            report::json(summary).as_bytes(),
        )?;
        self.written.borrow_mut().insert(SUMMARY_JSON.to_owned());
        write_atomic(
            &self.dir.join(SUMMARY_MD),
            report::markdown(summary).as_bytes(),
        )?;
        self.written.borrow_mut().insert(SUMMARY_MD.to_owned());
        Ok(())
    }
}

impl Drop for ResultsFolder<'_> {
    /// Narrows the manifest to the files written, while this process still holds the lock.
    fn drop(&mut self) {
        if self.lock.verify().is_ok() {
            let _ = write_manifest(&self.dir, &self.written.borrow());
        }
    }
}

/// The relative path of a scenario's bench.json inside a results folder: its manifest entry,
/// and the `bench` of its summary row.
pub fn bench_path(scenario: &str) -> String {
    format!("{scenario}/{BENCH_JSON}")
}

/// Whether `entry` is one perfsuite writes: a summary, or `NAME/bench.json` with `NAME` one
/// plain folder name. Anything else in a manifest (`..`, a deeper path) is ignored, never
/// deleted.
fn valid_entry(entry: &str) -> bool {
    if SUMMARIES.contains(&entry) {
        return true;
    }
    entry
        .strip_suffix(BENCH_JSON)
        .and_then(|d| d.strip_suffix('/'))
        .is_some_and(|name| {
            !name.is_empty() && !name.starts_with('.') && !name.contains(['/', '\0'])
        })
}

/// The files the last run recorded, or none if there is no manifest. The manifest itself may be
/// hostile: it must be a regular file (not followed if a symlink), is read with the input cap,
/// and only valid entries count.
fn read_manifest(dir: &Path) -> Result<BTreeSet<String>, Error> {
    let path = dir.join(MANIFEST);
    match std::fs::symlink_metadata(&path) {
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(BTreeSet::new()),
        Ok(m) if m.is_file() => {}
        _ => {
            return Err(Error::Input(format!(
                "{}: is not a file perfsuite wrote; move it away or choose another --out",
                shown(&path)
            )))
        }
    }
    let bytes = crate::input::read_input(&path).map_err(|e| Error::io(&path, e))?;
    let text = String::from_utf8_lossy(&bytes);
    if !text.starts_with(MANIFEST_HEADER) {
        return Err(foreign(
            &path,
            "a file perfsuite did not write",
            "its manifest",
        ));
    }
    Ok(text
        .lines()
        .filter(|l| valid_entry(l))
        .map(str::to_owned)
        .collect())
}

/// The first line of every manifest; a file without it is not perfsuite's.
const MANIFEST_HEADER: &str = "# Files perfsuite wrote here; it deletes only these.\n";

fn write_manifest(dir: &Path, entries: &BTreeSet<String>) -> Result<(), Error> {
    let mut text = String::from(MANIFEST_HEADER);
    for entry in entries {
        text.push_str(entry);
        text.push('\n');
    }
    write_atomic(&dir.join(MANIFEST), text.as_bytes())
}

/// Refuses a results path holding something perfsuite did not write.
fn check_room(dir: &Path, entry: &str, ours: &BTreeSet<String>) -> Result<(), Error> {
    if let Some((folder, _)) = entry.split_once('/') {
        let folder = dir.join(folder);
        match std::fs::symlink_metadata(&folder) {
            Err(_) => return Ok(()),
            Ok(m) if m.is_dir() => {}
            Ok(m) => return Err(foreign(&folder, kind(&m), "a scenario's results folder")),
        }
    }
    let path = dir.join(entry);
    match std::fs::symlink_metadata(&path) {
        Err(_) => Ok(()),
        Ok(m) if m.is_file() && ours.contains(entry) => Ok(()),
        Ok(m) if m.is_file() => Err(foreign(&path, "a file perfsuite did not write", "a result")),
        Ok(m) => Err(foreign(&path, kind(&m), "a result")),
    }
}

fn kind(m: &std::fs::Metadata) -> &'static str {
    let t = m.file_type();
    if t.is_symlink() {
        "a symbolic link"
    } else if t.is_dir() {
        "a folder"
    } else if t.is_file() {
        "a file"
    } else {
        "a special file"
    }
}

fn foreign(path: &Path, what: &str, goes: &str) -> Error {
    Error::Input(format!(
        "{}: is {what}, where {goes} goes; perfsuite overwrites only what it wrote \
         (listed in {MANIFEST}): move it away or choose another --out",
        shown(path)
    ))
}

/// Removes one file of the last run, if it is a regular file in a real folder; then its
/// scenario folder, if that is left empty. The temporary file of a write killed midway
/// (`.bench.json.tmp-PID`) is not proven ours, so it stays (hidden; no command reads it).
fn remove_ours(dir: &Path, entry: &str) -> Result<(), Error> {
    let folder = match entry.split_once('/') {
        Some((name, _)) => dir.join(name),
        None => dir.to_owned(),
    };
    if !is_real_dir(&folder) {
        return Ok(());
    }
    remove_regular(&dir.join(entry))?;
    if folder != dir {
        let _ = std::fs::remove_dir(&folder); // only succeeds if nothing else is in it
    }
    Ok(())
}

/// Removes `path` if it is a regular file (never a symlink's target, never a folder).
fn remove_regular(path: &Path) -> Result<(), Error> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.is_file() => match std::fs::remove_file(path) {
            Err(e) if e.kind() != ErrorKind::NotFound => Err(Error::io(path, e)),
            _ => Ok(()),
        },
        _ => Ok(()),
    }
}

fn is_real_dir(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::fixtures::result;

    fn write_set(out: &Path, names: &[&str]) -> Result<(), Error> {
        let lock = Lock::acquire(out)?;
        let folder = ResultsFolder::prepare(&lock, out, names)?;
        for name in names {
            folder.write_result(&result(name, &[1000.0]))?;
        }
        Ok(())
    }

    #[test]
    fn scenario_names_that_config_refuses_are_the_summaries() {
        assert_eq!(crate::config::RESERVED_NAMES, SUMMARIES);
    }

    #[test]
    fn the_next_run_removes_the_last_runs_results_only() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        write_set(out, &["old", "kept"]).unwrap();
        std::fs::write(out.join("kept/notes.txt"), "mine").unwrap();
        std::fs::create_dir(out.join("tools")).unwrap();
        std::fs::write(out.join("tools/bench.json"), "not perfsuite's").unwrap();
        write_set(out, &["new"]).unwrap();
        assert!(
            !out.join("old").exists(),
            "results and temporaries of the last run go"
        );
        assert!(!out.join("kept/bench.json").exists());
        assert_eq!(
            std::fs::read_to_string(out.join("kept/notes.txt")).unwrap(),
            "mine"
        );
        assert_eq!(
            std::fs::read_to_string(out.join("tools/bench.json")).unwrap(),
            "not perfsuite's"
        );
        assert!(out.join("new/bench.json").is_file());
    }

    #[test]
    fn a_foreign_file_where_a_result_goes_is_refused_and_nothing_changes() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        write_set(out, &["a"]).unwrap();
        let manifest = std::fs::read_to_string(out.join(MANIFEST)).unwrap();
        std::fs::create_dir(out.join("tools")).unwrap();
        std::fs::write(out.join("tools/bench.json"), "x").unwrap();
        let err = write_set(out, &["tools"]).unwrap_err().to_string();
        assert!(
            err.contains("tools/bench.json: is a file perfsuite did not write"),
            "{err}"
        );
        assert!(!err.contains('\n'));
        assert!(
            out.join("a/bench.json").is_file(),
            "refused before removing anything"
        );
        assert_eq!(
            std::fs::read_to_string(out.join(MANIFEST)).unwrap(),
            manifest
        );
    }

    #[test]
    fn symlinks_in_the_results_folder_are_never_followed() {
        let dir = tempfile::tempdir().unwrap();
        let (out, outside) = (dir.path().join("out"), dir.path().join("outside"));
        std::fs::create_dir_all(outside.join("sub")).unwrap();
        std::fs::write(outside.join("sub/bench.json"), "theirs").unwrap();
        write_set(&out, &["sub"]).unwrap();
        std::fs::remove_dir_all(out.join("sub")).unwrap();
        std::os::unix::fs::symlink(outside.join("sub"), out.join("sub")).unwrap();
        let err = write_set(&out, &["sub"]).unwrap_err().to_string();
        assert!(err.contains("is a symbolic link"), "{err}");
        write_set(&out, &["other"]).unwrap();
        assert_eq!(
            std::fs::read_to_string(outside.join("sub/bench.json")).unwrap(),
            "theirs"
        );
        assert!(
            out.join("sub").is_symlink(),
            "the link itself is left alone"
        );
    }

    #[test]
    fn an_out_that_is_a_symlink_is_refused_naming_its_target() {
        let dir = tempfile::tempdir().unwrap();
        let (link, target) = (dir.path().join("link"), dir.path().join("target"));
        std::fs::create_dir(&target).unwrap();
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let err = write_set(&link, &["a"]).unwrap_err().to_string();
        assert!(err.contains("is a symbolic link (to "), "{err}");
        assert_eq!(std::fs::read_dir(&target).unwrap().count(), 0);
    }

    #[test]
    fn a_hostile_manifest_deletes_nothing_outside_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(dir.path().join("bench.json"), "outside").unwrap();
        std::fs::write(
            out.join(MANIFEST),
            format!("{MANIFEST_HEADER}../bench.json\n/etc/passwd\n..\n../x/bench.json\n"),
        )
        .unwrap();
        write_set(&out, &["a"]).unwrap();
        assert!(dir.path().join("bench.json").is_file());
    }

    #[test]
    fn a_result_is_not_written_into_a_vanished_folder() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let lock = Lock::acquire(&out).unwrap();
        let folder = ResultsFolder::prepare(&lock, &out, &["btc"]).unwrap();
        std::fs::remove_dir_all(&out).unwrap();
        assert!(folder.write_result(&result("btc", &[1000.0])).is_err());
        assert!(!out.exists());
    }

    #[test]
    fn an_output_path_that_is_a_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("file");
        std::fs::write(&file, "x").unwrap();
        let err = Lock::acquire(&file).unwrap_err().to_string();
        assert!(
            err.starts_with(&file.display().to_string()) && err.contains("is a file"),
            "{err}"
        );
        let under = file.join("sub");
        let err = Lock::acquire(&under).unwrap_err().to_string();
        assert!(
            err.starts_with(&under.display().to_string()) && err.contains("cannot create"),
            "{err}"
        );
    }
}
